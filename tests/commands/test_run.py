"""`workbench run` as a user types it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core.journal import LoadedSession, load_session


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
    code = main(
        [
            "run",
            str(plan),
            "--base-url",
            sim_url + "/v1",
            "--model",
            "echo",
            "--out",
            str(out),
            "--quiet",
        ]
    )
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
    assert (
        f"--endpoint: {profiles}: profiles[0].bse_url: unknown field; did you mean base_url?" in err
    )
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
    loaded = _interrupt_once_journaled(proc, out, lambda: proc.send_signal(signal.SIGINT))
    assert loaded.end is not None and loaded.end.counts["ok"] >= 3


def _interrupt_once_journaled(
    proc: subprocess.Popen[str], out: Path, interrupt: Callable[[], None]
) -> LoadedSession:
    """Ctrl+C (`interrupt`) once the session file has 3 attempts; the run ends cancelled
    with its 200 planned requests accounted for, exit status 1, no traceback."""
    deadline = time.monotonic() + 60  # a hang guard: polling a file, not timing anything
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and len(out.read_bytes().splitlines()) >= 4:
            break
        time.sleep(0.05)
    interrupt()
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 1, stderr
    assert "run cancelled" in stdout
    assert "Traceback" not in stderr
    loaded = load_session(out)
    assert loaded.end is not None and loaded.end.cancelled
    assert sum(loaded.end.counts.values()) == 200
    return loaded


CHAIN_PLAN = Path(__file__).resolve().parents[2] / "resources" / "plans" / "chain.toml"


def test_the_sample_chain_plan_runs_and_prints_a_row_per_step(
    sim_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "chain.jsonl"
    code = main(
        [
            "run",
            str(CHAIN_PLAN),
            "--base-url",
            sim_url + "/v1",
            "--model",
            "sim-chat",
            "--repetitions",
            "2",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    table = [line.split() for line in captured.out.splitlines()]
    header = next(row for row in table if row[:2] == ["level", "step"])
    assert header
    steps = [row[1] for row in table if len(row) == 10 and row[0] == "4"]
    assert steps == ["1", "2", "3"]
    assert "12 ok, 0 failed, 0 cancelled of 12 planned" in captured.out  # 2 x 2 inputs x 3
    loaded = load_session(out)
    assert loaded.header.plan.run.mode == "chain"
    assert sorted({s.chain for s in loaded.samples}) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ('[run]\nmode = "chain"\n', "steps"),
        ('[run]\nmode = "chain"\n[[steps]]\nuser = "Explain {{input}}"\n', "chain.inputs"),
        ('[run]\nmode = "retry"\n', "run.mode"),
        ('[run]\nmode = "soak"\n', "run.mode"),
        ('user = "x"\n[run]\nmode = "sweep"\nconcurrency = []\n', "run.concurrency"),
    ],
    ids=["chain without steps", "chain input missing", "retry", "soak", "sweep"],
)
def test_a_bad_plan_of_any_mode_runs_nothing_and_names_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, field: str
) -> None:
    plan = tmp_path / "bad.toml"
    plan.write_text(toml, encoding="utf-8")
    out = tmp_path / "never.jsonl"
    code = main(["run", str(plan), "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith(f"workbench run: error: {plan}: {field}: ")
    assert not out.exists()


def test_a_prompt_flag_on_a_chain_plan_says_where_the_prompts_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "never.jsonl"
    code = main(["run", str(CHAIN_PLAN), "--prompt", "hi", "--out", str(out), "--quiet"])
    assert code == 2
    assert "--prompt: a chain plan sends its [[steps]]" in capsys.readouterr().err
    assert not out.exists()


def test_ctrl_c_mid_chain_keeps_finished_steps_and_marks_the_chain(
    sim_factory: object, tmp_path: Path
) -> None:
    root = sim_factory("--decode-ms", "20")  # type: ignore[operator]
    plan = tmp_path / "long-chain.toml"
    plan.write_text(
        '[run]\nmode = "chain"\nconcurrency = [2]\nrepetitions = 50\n'
        "[params]\nmax_tokens = 30\n"
        '[[steps]]\nuser = "Explain DNS"\n[[steps]]\nuser = "Shorten: {{previous}}"\n'
        '[[steps]]\nuser = "Again: {{previous}}"\n',
        encoding="utf-8",
    )
    out = tmp_path / "c.jsonl"
    proc = _workbench(
        "run", str(plan), "--base-url", root + "/v1", "--model", "sim-chat", "--out", str(out)
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and len(out.read_bytes().splitlines()) >= 5:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 1, stderr
    assert "run cancelled" in stdout
    loaded = load_session(out)
    assert loaded.end is not None and loaded.end.cancelled
    assert sum(loaded.end.counts.values()) == 150
    steps: dict[int, list[str]] = {}
    for sample in sorted(loaded.samples, key=lambda s: s.cell.step):
        assert sample.chain is not None
        steps.setdefault(sample.chain, []).append(sample.outcome)
    for outcomes in steps.values():  # every started chain complete on record, in order
        assert len(outcomes) == 3
        done = outcomes.count("ok")
        assert outcomes == ["ok"] * done + ["cancelled"] * (3 - done)
    assert any("cancelled" in outcomes for outcomes in steps.values())


def test_workers_2_records_the_same_run_in_one_session(
    sim_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "w.jsonl"
    args = ["run", "--base-url", sim_url + "/v1", "--model", "sim-chat", "--prompt", "DNS"]
    code = main(
        [
            *args,
            "--concurrency",
            "1,4",
            "--repetitions",
            "4",
            "--workers",
            "2",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "8 ok, 0 failed, 0 cancelled of 8 planned" in captured.out
    loaded = load_session(out)
    assert loaded.header.environment["workers"] == "2"
    assert sorted(s.id for s in loaded.samples) == list(range(8))
    assert [s.cell.level for s in loaded.samples].count(4) == 4


def test_workers_must_be_auto_or_a_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--prompt", "x", "--workers", "0"])
    assert exit_.value.code == 2
    assert "--workers: '0' is not 'auto' or a whole number from 1" in capsys.readouterr().err


def test_ctrl_c_to_the_process_group_cancels_a_sharded_run_cleanly(
    sim_factory: object, tmp_path: Path
) -> None:
    root = sim_factory("--decode-ms", "30")  # type: ignore[operator]
    out = tmp_path / "wc.jsonl"
    command = ["run", "--base-url", root + "/v1", "--model", "sim-chat", "--prompt", "x"]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workbench",
            *command,
            "--repetitions",
            "200",
            "--max-tokens",
            "40",
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    # What Ctrl+C in a terminal does: the whole process group, the workers too, gets SIGINT.
    loaded = _interrupt_once_journaled(proc, out, lambda: os.killpg(proc.pid, signal.SIGINT))
    assert loaded.end is not None and loaded.end.counts["error"] == 0  # cancelled, not failed
