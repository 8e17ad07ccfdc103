"""`workbench run --search knee` and `workbench analyze` of the session it recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.core.test_knee import CAPACITY_2
from workbench.cli import main
from workbench.core.journal import load_session


def test_run_finds_the_knee_and_analyze_reports_it_from_the_file(
    sim_factory: Callable[..., str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = sim_factory(*CAPACITY_2)
    out = tmp_path / "knee.jsonl"
    code = main(
        [
            "run",
            "--base-url",
            root + "/v1",
            "--model",
            "sim-chat",
            "--prompt",
            "Explain DNS",
            "--max-tokens",
            "64",
            "--temperature",
            "0.7",
            "--search",
            "knee",
            "--repetitions",
            "1",
            "--slo",
            "e2e_ms=60000",
            "--knee-min-gain",
            "0.3",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Load knee: concurrency 2" in printed and "<- knee" in printed
    assert "Beyond concurrency 2, throughput" in printed and "while p95 TTFT" in printed
    assert "28 ok, 0 failed, 0 cancelled of 28 planned" in printed
    session = load_session(out)
    assert session.header.plan.run.slo == {"e2e_ms": 60000.0}

    assert main(["analyze", str(out), "--resamples", "100"]) == 0
    report = capsys.readouterr().out
    assert "Load knee: concurrency 2" in report and "SLOs: e2e_ms <= 60000" in report
    assert "Beyond concurrency 2, throughput" in report.split("Findings:")[1]

    assert main(["analyze", str(out), "--json", "--resamples", "100"]) == 0
    knee = json.loads(capsys.readouterr().out)["knee"]
    assert knee["knee"] == 2 and [k["level"] for k in knee["levels"]] == [1, 2, 4]
    assert knee["reason"] == "throughput"

    html = tmp_path / "knee.html"
    assert main(["export", str(out), "--html", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert "Throughput and goodput by concurrency" in page  # the curves, the knee marked
    assert "Beyond concurrency 2, throughput" in page  # the finding


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--search", "knee", "--concurrency", "1,8"], "--concurrency: a knee search picks"),
        (["--search", "knee", "--slo", "ttft=5"], "--slo: SLO 'ttft=5': unknown metric"),
        (["--search", "knee", "--knee-min-gain", "2"], "--knee-min-gain: 2 is not a share"),
        (["--search", "knee", "--max-concurrency", "1"], "--max-concurrency: 1 is out of range"),
        (["--search", "knee", "--rate", "5"], "--search: a knee search raises"),
    ],
)
def test_bad_knee_flags_name_the_flag(
    flags: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--prompt", "x", "--out", str(tmp_path / "s.jsonl"), *flags])
    assert code == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "s.jsonl").exists()
