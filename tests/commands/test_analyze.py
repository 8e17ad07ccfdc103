"""`workbench analyze`: the readable report, --json, and clear errors (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.core.analysis.synth import cell_samples, sample
from workbench.cli import main
from workbench.core.events import AttemptFinished, EventBus, RunFinished, RunStarted
from workbench.core.journal import SessionJournal
from workbench.core.plan import Params, Plan, RunSettings
from workbench.core.records import Sample
from workbench.core.runner import Runner

PLAN = Plan(name="cli-test", user="Explain caching.", run=RunSettings(concurrency=[1, 16]))


def _write_session(path: Path, samples: list[Sample]) -> Path:
    journal = SessionJournal(path)
    journal.on_event(RunStarted("s-test", PLAN, len(samples)))
    for s in samples:
        journal.on_event(AttemptFinished(s, final=True))
    journal.on_event(RunFinished("s-test", {"ok": len(samples)}))
    return path


@pytest.fixture
def session_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(11)
    samples = (cell_samples(rng, level=1, n=30, mean_words=120, sd_words=15)
               + cell_samples(rng, level=16, n=30, mean_words=60, sd_words=8))
    samples.append(sample(level=16, outcome="error", error_class="http_429"))
    return _write_session(tmp_path / "session.jsonl", samples)


def test_readable_report_names_cells_and_findings(
    session_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(session_file), "--slo", "ttft_ms=500"]) == 0
    out = capsys.readouterr().out
    assert "local-sim/sim-chat c=1" in out and "local-sim/sim-chat c=16" in out
    assert "errors: http_429 1" in out
    assert "goodput" in out
    assert "At concurrency 16, responses were " in out and "shorter in words" in out


def test_json_has_cells_effects_and_findings(
    session_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(session_file), "--json", "--regex", r"(\w+)"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["level"] for c in doc["cells"]] == [1, 16]
    cell = doc["cells"][1]
    assert cell["outcomes"]["error"] == 1 and cell["outcomes"]["ok"] == 30
    assert cell["agreement"]["tar_answer"] in (0.0, 1.0)
    effect = next(e for e in doc["effects"] if e["metric"] == "length_words")
    for field in ("metric", "factor", "baseline", "level", "change", "ci_low", "ci_high",
                  "significant"):
        assert field in effect
    assert (effect["factor"], effect["baseline"], effect["level"]) == ("level", 1, 16)
    assert effect["significant"] is True and effect["change"] < 0
    assert effect["summary"] in doc["findings"]


def test_missing_and_malformed_files_exit_2_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.jsonl"
    assert main(["analyze", str(missing)]) == 2
    assert f"{missing}: no such file" in capsys.readouterr().err

    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("this is not json\n")
    assert main(["analyze", str(garbage)]) == 2
    assert "line 1" in capsys.readouterr().err

    broken = tmp_path / "broken.jsonl"
    lines = _write_session(tmp_path / "ok.jsonl", [sample(), sample()]).read_text().splitlines()
    lines[1] = lines[1].replace('"outcome":"ok"', '"outcome":"maybe"')
    broken.write_text("\n".join(lines) + "\n")
    assert main(["analyze", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "outcome" in err


def test_a_truncated_last_line_is_a_warning_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write_session(tmp_path / "s.jsonl", [sample(), sample(), sample()])
    text = path.read_text()
    path.write_text(text[: len(text) - 20])  # cut into the last record
    assert main(["analyze", str(path)]) == 0
    captured = capsys.readouterr()
    assert "warning:" in captured.err and "incomplete" in captured.err
    assert "Cells (1)" in captured.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slo", "ttft=5"], "--slo: SLO 'ttft=5': unknown metric 'ttft'"),
        (["--slo", "e2e_ms=fast"], "is not of the form NAME=MILLISECONDS"),
        (["--regex", "(unclosed"], "answer regex '(unclosed' is invalid"),
        (["--json-path", "answer"], "JSON path 'answer' must start with '$'"),
        (["--baseline", "7"], "baseline 7 is not a level of this session (have: 1, 16)"),
        (["--baseline", "low"], "--baseline 'low': a level is a whole number"),
        (["--expect", "A"], "--expect needs --regex or --json-path"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(
    session_file: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["analyze", str(session_file), *args]) == 2
    assert message in capsys.readouterr().err


async def test_a_real_run_journaled_from_the_simulator_analyses_end_to_end(
    tmp_path: Path, sim_factory: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    root = sim_factory("--zero-delay", "--seed", "2")
    plan = Plan(name="e2e", user="Explain caching.", params=Params(temperature=0.0),
                run=RunSettings(concurrency=[1, 4], repetitions=5))
    bus = EventBus()
    path = tmp_path / "run.jsonl"
    journal = SessionJournal(path)
    bus.subscribe(journal.on_event)
    await Runner(plan, base_url=root + "/v1", bus=bus).run()
    journal.close()

    assert main(["analyze", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(c["level"], c["outcomes"]["ok"]) for c in doc["cells"]] == [(1, 5), (4, 5)]
    for cell in doc["cells"]:
        # Temperature 0 with no batch variance: five identical answers per cell.
        assert cell["agreement"]["tar_raw"] == 1.0
        assert cell["lengths"]["tokens"]["mean"] > 0
        assert cell["timings"]["ttft_ms"]["p50"] > 0


def test_a_zero_baseline_reads_as_an_absolute_change_in_text_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No list items at concurrency 1, two per response at 16: +inf% would be no answer.
    prose = "Caching keeps answers close. It saves a round trip."
    samples = [sample(level=1, text=prose) for _ in range(12)]
    samples += [sample(level=16, text=f"{prose}\n- one\n- two") for _ in range(12)]
    path = _write_session(tmp_path / "lists.jsonl", samples)

    assert main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    assert "inf" not in out.lower().replace("info", "")
    row = next(line for line in out.splitlines() if line.strip().startswith("list items"))
    assert "+2 list items" in row and "FINDING" in row
    assert "responses had 2 more list items (95% CI " in out

    assert main(["analyze", str(path), "--json"]) == 0
    raw = capsys.readouterr().out
    assert "Infinity" not in raw and "NaN" not in raw
    effect = next(e for e in json.loads(raw)["effects"] if e["metric"] == "list_items")
    assert effect["relative"] is None
    assert effect["scale"] == "absolute" and effect["unit"] == "list items"
    assert effect["absolute"]["change"] == effect["change"] == 2
    assert effect["significant"] is True


CHAIN_PLAN = Path(__file__).resolve().parents[2] / "resources" / "plans" / "chain.toml"


def test_a_chain_session_is_analysed_by_step_with_retention(
    tmp_path: Path, sim_factory: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The simulator compresses long contexts hard: the later steps, fed the earlier answers,
    come back much shorter, and the analysis says so per step without being told the factor."""
    root = sim_factory("--zero-delay", "--seed", "4", "--context-compression", "0.5")
    path = tmp_path / "chain.jsonl"
    assert main(["run", str(CHAIN_PLAN), "--base-url", root + "/v1", "--model", "sim-chat",
                 "--repetitions", "6", "--out", str(path), "--quiet"]) == 0
    capsys.readouterr()

    assert main(["analyze", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["factor"] == "step"
    assert [(c["step"], c["outcomes"]["ok"]) for c in doc["cells"]] == [(1, 12), (2, 12), (3, 12)]
    assert doc["effects"] and {e["factor"] for e in doc["effects"]} == {"step"}
    assert {e["baseline"] for e in doc["effects"]} == {1}
    step2 = next(e for e in doc["effects"] if e["metric"] == "length_tokens" and e["level"] == 2)
    assert step2["significant"] and step2["change"] < 0
    retention = {row["step"]: row for row in doc["chain_steps"]}
    assert sorted(retention) == [1, 2, 3]
    assert all(0 <= row["mean"] <= 1 and row["chains"] == 12 for row in retention.values())

    assert main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    assert "At step 2, responses were " in out and "shorter in tokens" in out
    assert "Retention per step" in out and "c=4 step 3:" in out
async def _journaled_run(
    path: Path, root: str, plan: Plan
) -> Path:
    bus = EventBus()
    journal = SessionJournal(path)
    bus.subscribe(journal.on_event)
    await Runner(plan, base_url=root + "/v1", bus=bus).run()
    journal.close()
    return path


async def test_flip_rate_and_pass_k_from_a_simulator_whose_answers_vary(
    tmp_path: Path, sim_factory: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Each answer ends "Answer: X", X uniform over A, B, C: true flip rate 2/3, pass^1 1/3.
    root = sim_factory("--zero-delay", "--seed", "5", "--answer-choices", "3")
    plan = Plan(name="flips", user="Explain caching.", params=Params(temperature=0.8),
                run=RunSettings(concurrency=[4], repetitions=40))
    path = await _journaled_run(tmp_path / "run.jsonl", root, plan)

    args = ["analyze", str(path), "--regex", r"Answer: ([A-Z])", "--expect", "A"]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["expected_answer"] == "A"
    (cell,) = doc["cells"]
    agreement = cell["agreement"]
    assert agreement["unparsable_answers"] == 0
    assert agreement["flip_rate_ci_low"] <= 2 / 3 <= agreement["flip_rate_ci_high"]
    assert 0.4 < agreement["flip_rate"] < 0.8
    pass_k = {p["k"]: p for p in agreement["pass_k"]}
    assert sorted(pass_k) == [1, 2, 4, 8]
    assert pass_k[1]["pass_hat"] == agreement["correct"] / 40
    assert pass_k[8]["pass_hat"] < pass_k[1]["pass_hat"] < pass_k[8]["pass_at"]

    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Flip rate (chance that two repeats give different parsed answers):" in out
    assert "Expected answer A: pass^k" in out
    assert "repeats gave different parsed answers" in out  # the finding


async def test_batch_variance_shows_as_first_divergence_at_temperature_zero(
    tmp_path: Path, sim_factory: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    plan = Plan(name="t0", user="Explain caching.", params=Params(temperature=0.0),
                run=RunSettings(concurrency=[8], repetitions=24))
    fixed_knobs = ("--zero-delay", "--seed", "3", "--mean-tokens", "80", "--capacity", "8",
                   "--hold-until-active", "8", "--answer-choices", "4")
    steady = await _journaled_run(tmp_path / "steady.jsonl", sim_factory(*fixed_knobs), plan)
    varied = await _journaled_run(
        tmp_path / "varied.jsonl", sim_factory(*fixed_knobs, "--batch-variance", "1"), plan
    )
    regex = ["--regex", r"Answer: ([A-Z])"]

    assert main(["analyze", str(steady), "--json", *regex]) == 0
    (cell,) = json.loads(capsys.readouterr().out)["cells"]
    assert cell["similarity"]["identical_to_medoid"] == 23
    assert cell["similarity"]["divergence_words"] == []
    assert cell["agreement"]["flip_rate"] == 0.0

    assert main(["analyze", str(varied), "--json", *regex]) == 0
    (cell,) = json.loads(capsys.readouterr().out)["cells"]
    sim = cell["similarity"]
    # P(perturbed) = 1 - 1/8 per response: most depart from the medoid, part-way through.
    assert len(sim["divergence_words"]) >= 12
    words = cell["lengths"]["words"]["mean"]
    assert 0 < sim["divergence_q1"] <= sim["divergence_p50"] <= sim["divergence_q3"] < words
    assert cell["agreement"]["flip_rate"] > 0

    assert main(["analyze", str(varied)]) == 0
    out = capsys.readouterr().out
    assert "At temperature 0, " in out and "differed from the most typical one" in out
