"""`workbench compare A B` on sessions from the simulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.cli import main


def _session(root: str, out: Path, *extra: str) -> Path:
    assert main(["run", "--base-url", root + "/v1", "--model", "sim-chat", "--prompt",
                 "Explain TCP slow start", "--temperature", "0.5", "--repetitions", "20",
                 "--out", str(out), "--quiet", *extra]) == 0
    return out


def test_parallel_run_with_depth_decay_is_found_shorter_than_sequential(
    sim_factory: Callable[..., str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    decay = ("--zero-delay", "--depth-decay", "0.3", "--seed", "5")
    seq = _session(sim_factory(*decay), tmp_path / "seq.jsonl", "--concurrency", "1")
    # Held until 16 are active, so every parallel answer is decoded at full load.
    busy = sim_factory(*decay, "--hold-until-active", "16")
    par = _session(busy, tmp_path / "par.jsonl", "--concurrency", "16", "--repetitions", "32")
    capsys.readouterr()
    assert main(["compare", str(seq), str(par), "--labels", "seq,par", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["factor"] == "session"
    words = [e for e in report["effects"] if e["metric"] == "length_words" and e["level"] == "par"]
    assert words and words[0]["significant"] and words[0]["change"] < -0.3
    # Both views of each change; a relative one only where it is defined and bounded.
    assert words[0]["relative"]["change"] == words[0]["change"]
    assert words[0]["absolute"]["change"] < 0 and words[0]["unit"] == "words"
    for effect in report["effects"]:
        if effect["change"] is not None:
            assert None not in (effect["ci_low"], effect["ci_high"])
            assert (effect["relative"] is None) == (effect["scale"] == "absolute")
    assert any("In session 'par'" in f and "shorter" in f for f in report["findings"])
    assert any("compared whole" in w for w in report["warnings"])


def test_a_session_compared_with_a_rerun_of_itself_has_no_length_finding(
    sim_factory: Callable[..., str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = sim_factory("--zero-delay", "--seed", "9")
    a = _session(root, tmp_path / "a.jsonl", "--concurrency", "4")
    b = _session(root, tmp_path / "b.jsonl", "--concurrency", "4")
    capsys.readouterr()
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "A = " in out and "B = " in out
    assert "shorter" not in out and "longer" not in out


def test_bad_inputs_exit_2_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not a session\n")
    assert main(["compare", str(bad), str(bad)]) == 2
    assert "bad.jsonl, line 1" in capsys.readouterr().err


def _diversity_line(out: str, measure: str) -> list[str]:
    section = out[out.index("Diversity of the answers"):]
    line = next(line for line in section.splitlines() if measure in line)
    return line.split(measure)[1].split()


def test_prints_both_sessions_diversity_and_the_change(
    sim_factory: Callable[..., str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A: three answers, reworded (the simulator's templates); B: every answer its own.
    three = _session(sim_factory("--zero-delay", "--templates", "3", "--seed", "2"),
                     tmp_path / "three.jsonl", "--concurrency", "4", "--temperature", "0.7")
    free = _session(sim_factory("--zero-delay", "--seed", "2"), tmp_path / "free.jsonl",
                    "--concurrency", "4", "--temperature", "0.7")
    capsys.readouterr()
    assert main(["compare", str(three), str(free), "--labels", "three,free"]) == 0
    out = capsys.readouterr().out
    assert "Diversity of the answers (free against three" in out
    effective_a, effective_b, effective_change = _diversity_line(out, "Effective answers (Vendi)")
    assert 2.2 <= float(effective_a) <= 4.0 < float(effective_b)
    assert float(effective_change) == pytest.approx(float(effective_b) - float(effective_a),
                                                    abs=0.11)
    clusters_a, clusters_b, _ = _diversity_line(out, "Answer clusters")
    assert clusters_a == "3" and int(clusters_b) > 3
    modal = _diversity_line(out, "Modal agreement")
    assert modal[2].startswith("-") and modal[3] == "pp"
    assert _diversity_line(out, "Semantic entropy (nats)")
