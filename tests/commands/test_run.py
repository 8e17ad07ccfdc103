"""`workbench run` as a user types it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core.journal import load_session


def test_run_prints_a_table_per_level_and_the_session_path(
    sim_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.jsonl"
    code = main(
        [
            "run",
            "--base-url",
            sim_url + "/v1",
            "--model",
            "sim-chat",
            "--prompt",
            "Explain DNS",
            "--concurrency",
            "1,4",
            "--repetitions",
            "4",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "TTFT p50" in captured.out and "distinct" in captured.out
    table = [line.split() for line in captured.out.splitlines()]
    levels = [row[0] for row in table if row and row[0] in ("1", "4") and len(row) == 9]
    assert levels == ["1", "4"]
    assert f"session: {out}" in captured.out
    assert len(load_session(out).samples) == 8


def test_a_plan_file_gives_the_same_fields(sim_url: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        'name = "demo"\nuser = "Explain {{topic}}"\n'
        '[variables]\ntopic = "TCP slow start"\n'
        '[endpoint]\nmodel = "echo"\n'
        "[params]\nmax_tokens = 64\n"
        "[run]\nconcurrency = [2]\nrepetitions = 3\n"
    )
    out = tmp_path / "p.jsonl"
    code = main(["run", str(plan), "--base-url", sim_url + "/v1", "--out", str(out), "--quiet"])
    assert code == 0
    samples = load_session(out).samples
    assert [s.text for s in samples] == ["Explain TCP slow start"] * 3


def test_some_failures_exit_1(sim_factory: object, tmp_path: Path) -> None:
    root = sim_factory("--zero-delay", "--fault", "500=1")  # type: ignore[operator]
    code = main(
        [
            "run",
            "--base-url",
            root + "/v1",
            "--model",
            "sim-chat",
            "--prompt",
            "x",
            "--repetitions",
            "2",
            "--out",
            str(tmp_path / "f.jsonl"),
            "--quiet",
        ]
    )
    assert code == 1


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--prompt", "x", "--concurrency", "1,x"], "--concurrency"),
        (["--prompt", "x", "--concurrency", "0"], "--concurrency"),
        (["--prompt", "x", "--repetitions", "0"], "--repetitions"),
        (["--prompt", "x", "--temperature", "3"], "--temperature"),
        (["--prompt", "   "], "--prompt"),
        (["--prompt", "x", "--base-url", "ftp://nowhere", "--model", "m"], "--base-url"),
        (["--prompt", "x", "--base-url", "http://127.0.0.1:9/v1"], "--model"),
        (["--prompt", "x", "--repetitions", "many"], "--repetitions"),
        (["--prompt", "Hi {{name}}"], "--var"),
        (["--prompt-file", "/nonexistent/prompt.txt"], "prompt"),
    ],
)
def test_bad_arguments_exit_2_naming_the_argument(
    args: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        raise SystemExit(main(["run", *args]))
    assert exited.value.code == 2
    assert named in capsys.readouterr().err


def test_a_bad_plan_file_names_the_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "bad.toml"
    plan.write_text('user = "x"\n[run]\nrepetitions = "ten"\n')
    assert main(["run", str(plan)]) == 2
    err = capsys.readouterr().err
    assert str(plan) in err and "run.repetitions" in err


def test_a_misspelt_plan_key_runs_nothing_and_says_what_was_meant(
    sim_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('user = "Explain DNS"\n[run]\nrepetitons = 3\n')
    out = tmp_path / "never.jsonl"
    code = main(["run", str(plan), "--base-url", sim_url + "/v1", "--model", "echo",
                 "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip() == (
        f"workbench run: error: {plan}: run.repetitons: unknown field; did you mean repetitions?"
    )
    assert captured.out == ""
    assert not out.exists()


def test_an_unknown_key_in_the_endpoints_file_runs_nothing(
    isolated_user_dirs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.core.endpoints import profiles_path

    profiles = profiles_path()
    profiles.parent.mkdir(parents=True)
    profiles.write_text('{"profiles": [{"name": "box", "bse_url": "http://127.0.0.1:9/v1"}]}')
    out = tmp_path / "never.jsonl"
    code = main(["run", "--endpoint", "box", "--prompt", "x", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"--endpoint: {profiles}: profiles[0].bse_url: unknown field; did you mean base_url?" \
        in err
    assert not out.exists()


def _workbench(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_default_endpoint_is_the_local_simulator_with_no_key(tmp_path: Path) -> None:
    out = tmp_path / "default.jsonl"
    proc = _workbench(
        "run", "--prompt", "Explain TCP slow start", "--repetitions", "3", "--out", str(out)
    )
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "3 ok, 0 failed" in stdout
    assert "3/3" in stderr  # the progress line
    header = load_session(out).header
    assert header.plan.endpoint.name == "local-sim"


def test_ctrl_c_cancels_cleanly_and_keeps_finished_attempts(
    sim_factory: object, tmp_path: Path
) -> None:
    root = sim_factory("--decode-ms", "30")  # type: ignore[operator]
    out = tmp_path / "c.jsonl"
    proc = _workbench(
        "run",
        "--base-url",
        root + "/v1",
        "--model",
        "sim-chat",
        "--prompt",
        "x",
        "--concurrency",
        "2",
        "--repetitions",
        "200",
        "--max-tokens",
        "40",
        "--out",
        str(out),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and len(out.read_bytes().splitlines()) >= 4:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 1, stderr
    assert "run cancelled" in stdout
    loaded = load_session(out)
    assert loaded.end is not None and loaded.end.cancelled
    assert sum(loaded.end.counts.values()) == 200
    assert loaded.end.counts["ok"] >= 3
    assert "Traceback" not in stderr
