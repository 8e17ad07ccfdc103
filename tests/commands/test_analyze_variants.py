"""`workbench analyze` on a phrasing matrix: the variant factor by default, the phrasing
sentence, and `--json` with `factor: "variant"`; a real run of the sample plan against the
simulated endpoint with its wording knob on."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from workbench.cli import main
from workbench.core.analysis import AnalysisOptions, analyze
from workbench.core.events import EventBus
from workbench.core.export import render_html_report
from workbench.core.journal import SessionJournal, load_session
from workbench.core.plan import load_plan
from workbench.core.runner import Runner

SAMPLE_PLAN = Path(__file__).resolve().parents[2] / "resources/plans/variants.toml"


@pytest.fixture
async def matrix_session(tmp_path: Path, sim_factory: Callable[..., str]) -> Path:
    root = sim_factory("--zero-delay", "--seed", "4", "--variant-sensitivity", "0.8")
    plan = load_plan(SAMPLE_PLAN)
    plan = msgspec.structs.replace(plan, run=msgspec.structs.replace(plan.run, repetitions=8))
    bus = EventBus()
    path = tmp_path / "matrix.jsonl"
    journal = SessionJournal(path)
    bus.subscribe(journal.on_event)
    result = await Runner(plan, base_url=root + "/v1", bus=bus).run()
    journal.close()
    assert result.counts["ok"] == 3 * 2 * 8
    return path


async def test_a_matrix_is_analysed_by_variant_with_the_phrasing_sentence(
    matrix_session: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(matrix_session), "--resamples", "300"]) == 0
    out = capsys.readouterr().out
    assert "local-sim/sim-chat variant=polite · topic=TCP handshakes c=4" in out
    assert "Rephrasing moved the output " in out
    assert "× more than repeating the same prompt did (95% CI " in out
    assert "Phrasing (3 variants, 48 responses, 2 strata;" in out
    assert "baseline variant 'base'" in out


async def test_json_names_the_factor_and_carries_the_decomposition(
    matrix_session: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(matrix_session), "--json", "--resamples", "300"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["factor"] == "variant"
    phrasing = doc["phrasing"]
    assert phrasing["significant"] is True and phrasing["ratio"] > 1
    assert phrasing["variants"] == ["base", "polite", "curt"]
    assert doc["findings"][0] == phrasing["summary"]


async def test_factor_and_baseline_options_override_the_default(
    matrix_session: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["analyze", str(matrix_session), "--json", "--factor", "level", "--resamples", "300"])
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["factor"] == "level" and doc["phrasing"] is None
    assert main(["analyze", str(matrix_session), "--resamples", "300", "--baseline", "curt"]) == 0
    assert "topic=DNS lookups c=4, baseline variant 'curt'" in capsys.readouterr().out


async def test_the_report_states_the_phrasing_effect_and_lists_the_phrasings(
    matrix_session: Path,
) -> None:
    session = load_session(matrix_session)
    html = render_html_report(session, analyze(session.samples, AnalysisOptions(resamples=300)))
    text = html.decode("utf-8")
    assert text.count("Rephrasing moved the output ") == 2  # a finding, and the detail line
    assert "Phrasing: Rephrasing moved the output" in text
    assert "3 variants, 2 group(s) of cells compared separately" in text
    # The plan section shows the phrasings as written, once each, not the six prompts.
    assert text.count("variant polite") == 1 and "{{topic}}" in text
    assert "polite · topic=TCP handshakes" in text  # a cell of the matrix


def test_run_of_the_sample_plan_lists_the_prompts_in_plan_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run.jsonl"
    args = ["run", str(SAMPLE_PLAN), "--repetitions", "2", "--out", str(out), "--quiet"]
    assert main(args) == 0
    table = capsys.readouterr().out
    # The first column (right-aligned), up to the gap before the level.
    names = [
        m.group(1) for line in table.splitlines() if (m := re.match(r"\s*(\S.*?)\s{2,}4\s", line))
    ]
    assert names == [
        f"{phrasing} · topic={topic}"
        for phrasing in ("base", "polite", "curt")
        for topic in ("TCP handshakes", "DNS lookups")
    ], table
