"""`--embedding-model DIR` on analyze / compare / export, on a session recorded from the real
simulator over loopback, with a tiny model the test writes from that session's words."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.embedding_model import write_model
from workbench.cli import main
from workbench.core.analysis import words
from workbench.core.journal import load_session


@pytest.fixture
def templated_session(sim_factory: Callable[..., str], tmp_path: Path) -> Path:
    """Three fixed answers per prompt, each response a few words reworded (the simulator's
    ground truth for the cluster measures), at concurrency 1 and 2."""
    url = sim_factory("--zero-delay", "--seed", "4", "--templates", "3")
    out = tmp_path / "templated.jsonl"
    assert (
        main(
            [
                "run",
                "--base-url",
                url + "/v1",
                "--model",
                "sim-chat",
                "--prompt",
                "Explain DNS caching",
                "--concurrency",
                "1,2",
                "--repetitions",
                "12",
                "--temperature",
                "0.8",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    return out


def _vocabulary(session: Path) -> list[str]:
    seen: dict[str, None] = {}
    for s in load_session(session).samples:
        for word in words(s.text.lower()):
            seen.setdefault(word, None)
    return list(seen)


def _analyse(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["analyze", *args, "--json", "--resamples", "200"]) == 0
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


def test_a_model_that_hears_one_meaning_makes_each_cell_one_answer(
    templated_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every word of the session near one direction: by meaning all responses say the same.
    rng = np.random.default_rng(0)
    base = rng.normal(size=16)
    one_meaning = {
        w: base + rng.normal(scale=1e-4, size=16) for w in _vocabulary(templated_session)
    }
    folder = write_model(tmp_path / "one-meaning", one_meaning)

    by_words = _analyse(capsys, str(templated_session))
    by_meaning = _analyse(capsys, str(templated_session), "--embedding-model", str(folder))
    assert by_words["similarity_measure"] == "words"
    assert str(by_meaning["similarity_measure"]).startswith("embeddings: one-meaning (")
    for words_cell, meaning_cell in zip(by_words["cells"], by_meaning["cells"], strict=True):  # type: ignore[arg-type]
        assert words_cell["diversity"]["clusters"] >= 2  # the simulator's three templates
        d = meaning_cell["diversity"]
        assert (d["n"], d["clusters"], d["semantic_entropy"], d["modal_agreement"]) == (
            12,
            1,
            0.0,
            1.0,
        )
        assert d["vendi"] == pytest.approx(1.0, abs=0.01)
        assert meaning_cell["similarity"]["mean"] == pytest.approx(1.0, abs=1e-3)


def test_a_model_of_independent_words_finds_the_three_templates_as_words_do(
    templated_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Random directions per word: a response's vector is its bag of words, so the three
    # templates (which share no sentence) stay three answers, as under word similarity.
    rng = np.random.default_rng(1)
    vocab = _vocabulary(templated_session)
    folder = write_model(tmp_path / "random", {w: rng.normal(size=64) for w in vocab})
    by_words = _analyse(capsys, str(templated_session))
    by_meaning = _analyse(capsys, str(templated_session), "--embedding-model", str(folder))
    for words_cell, cell in zip(by_words["cells"], by_meaning["cells"], strict=True):  # type: ignore[arg-type]
        d, w = cell["diversity"], words_cell["diversity"]
        assert d["clusters"] == w["clusters"] == 3
        assert d["modal_agreement"] == w["modal_agreement"]
        assert 1 < d["vendi"] < 3.5
        assert 0 < cell["similarity"]["min"] <= cell["similarity"]["mean"] < 1


def test_the_readable_report_says_which_similarity_it_used(
    templated_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(2)
    folder = write_model(
        tmp_path / "m", {w: rng.normal(size=8) for w in _vocabulary(templated_session)}
    )
    assert (
        main(
            [
                "analyze",
                str(templated_session),
                "--embedding-model",
                str(folder),
                "--resamples",
                "200",
            ]
        )
        == 0
    )
    assert (
        "note: similarity, answer clusters and the effective number of answers computed on embeddings: m ("
        in capsys.readouterr().out
    )
    assert (
        main(
            [
                "compare",
                str(templated_session),
                str(templated_session),
                "--labels",
                "a,b",
                "--resamples",
                "200",
                "--embedding-model",
                str(folder),
            ]
        )
        == 0
    )
    assert "computed on embeddings: m (" in capsys.readouterr().out
    html = tmp_path / "report.html"
    assert (
        main(
            [
                "export",
                str(templated_session),
                "--html",
                str(html),
                "--no-plots",
                "--embedding-model",
                str(folder),
            ]
        )
        == 0
    )
    assert (
        "Note: similarity, answer clusters and the effective number of answers computed on "
        "embeddings: m (" in html.read_text()
    )


@pytest.mark.parametrize("command", ["analyze", "compare", "export"])
def test_a_bad_model_folder_exits_2_before_any_analysis(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    session = tmp_path / "never-read.jsonl"  # absent: the model is checked first
    args = {
        "analyze": [str(session)],
        "compare": [str(session), str(session)],
        "export": [str(session), "--csv", str(tmp_path / "x.csv")],
    }[command]
    assert main([command, *args, "--embedding-model", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"workbench {command}: --embedding-model: {folder}: no model.safetensors" in err
    assert not (tmp_path / "x.csv").exists()
