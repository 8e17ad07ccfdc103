"""Every way out of the real program, run in a subprocess with a run in flight against the
local simulator: the run is cancelled, every finished attempt stays in the session file,
which ends cleanly, the window's state is saved, the simulator child is gone, exit code 0.

The window close, File > Quit, QApplication.quit() and .exit() are triggered inside the
program by WORKBENCH_TEST_EXIT_AFTER (workbench.app.exit_for_tests); the signals are sent
from here once the session file shows finished attempts.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workbench.core.journal import LoadedSession, load_session

FINISHED_BEFORE_EXIT = 4
START_TIMEOUT_S = 90.0  # Qt, pyqtgraph and the simulator child start on a loaded machine
EXIT_TIMEOUT_S = 60.0
# Short answers, many of them: attempts finish every fraction of a second, the run as a
# whole would take minutes, so it is always in flight when the program is told to exit.
PLAN = """\
name = "in flight at exit"
user = "Explain how a load balancer decides where to send a request."

[params]
max_tokens = 40

[run]
concurrency = [2]
repetitions = 400
"""


class Program:
    """`workbench gui --plan PLAN --run` in a child process, with this test's user folders."""

    def __init__(
        self, tmp_path: Path, exit_after: str | None = None, workers: int | None = None
    ) -> None:
        plan = tmp_path / "plan.toml"
        plan.write_text(PLAN, encoding="utf-8")
        self.output = tmp_path / "program-output.txt"
        env = dict(os.environ)  # the XDG folders are this test's (isolated_user_dirs)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        )
        env.pop("WORKBENCH_TEST_EXIT_AFTER", None)
        if exit_after is not None:
            env["WORKBENCH_TEST_EXIT_AFTER"] = f"{exit_after}:{FINISHED_BEFORE_EXIT}"
        self.sessions = Path(env["XDG_DATA_HOME"]) / "workbench" / "sessions"
        self.settings = Path(env["XDG_CONFIG_HOME"]) / "workbench" / "window.ini"
        if workers is not None:  # the params panel's Workers choice, as a user left it
            self.settings.parent.mkdir(parents=True, exist_ok=True)
            self.settings.write_text(f"[plan]\nworkers={workers}\n", encoding="utf-8")
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "workbench", "gui", "--plan", str(plan), "--run"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )

    def journal(self) -> Path | None:
        found = sorted(self.sessions.glob("*.jsonl")) if self.sessions.is_dir() else []
        return found[0] if found else None

    def finished_ids(self) -> set[int]:
        """Ids of the attempts in the session file so far (complete lines only)."""
        path = self.journal()
        if path is None:
            return set()
        lines = path.read_bytes().split(b"\n")[:-1]  # the last piece may be half-written
        records = [json.loads(line) for line in lines[1:]]
        return {r["id"] for r in records if r.get("type") == "sample"}

    def wait_for_finished_attempts(self, count: int) -> set[int]:
        """Once the session file exists and holds `count` finished attempts, their ids."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while self.journal() is None or len(ids := self.finished_ids()) < count:
            if self.process.poll() is not None:
                pytest.fail(f"the program exited early ({self.process.returncode}):\n{self.said()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {count} finished attempts in time:\n{self.said()}")
            time.sleep(0.05)  # polling a file, not timing anything
        return ids

    def simulator_pid(self) -> int:
        """The simulator child's PID (the program has one child: `python -m workbench.sim`)."""
        children = [
            int(pid)
            for task in Path(f"/proc/{self.process.pid}/task").iterdir()
            for pid in (task / "children").read_text().split()
        ]
        simulators = [pid for pid in children if "workbench.sim" in _cmdline(pid)]
        assert len(simulators) == 1, f"children {children}: expected one simulator"
        return simulators[0]

    def worker_pids(self) -> list[int]:
        """The engine's worker processes (`python -m workbench.core._worker`)."""
        children = [
            int(pid)
            for task in Path(f"/proc/{self.process.pid}/task").iterdir()
            for pid in (task / "children").read_text().split()
        ]
        return [pid for pid in children if "workbench.core._worker" in _cmdline(pid)]

    def wait_exit(self) -> int:
        try:
            return self.process.wait(timeout=EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the program did not exit:\n{self.said()}")

    def said(self) -> str:
        return self.output.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _running(pid: int, was: str) -> bool:
    """Whether `pid` is still the process whose command line was `was`, and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X") and _cmdline(pid) == was


@pytest.fixture
def program_factory(tmp_path: Path) -> Iterator[Callable[..., Program]]:
    started: list[Program] = []

    def start(exit_after: str | None = None, workers: int | None = None) -> Program:
        program = Program(tmp_path, exit_after, workers)
        started.append(program)
        return program

    yield start
    for program in started:
        program.kill()  # a failed test must not leave the program running


def assert_clean_exit(
    program: Program, finished_before: set[int], simulator: int, simulator_cmdline: str
) -> LoadedSession:
    code = program.wait_exit()
    assert code == 0, program.said()
    assert not _running(simulator, simulator_cmdline), "the simulator child was left running"
    path = program.journal()
    assert path is not None
    session = load_session(path)
    assert session.warnings == []  # no half-written last line
    assert session.end is not None and session.end.cancelled  # the run ended, cancelled
    ids = {s.id for s in session.samples}
    assert finished_before <= ids
    ok = [s for s in session.samples if s.outcome == "ok"]
    assert len(ok) >= FINISHED_BEFORE_EXIT and all(s.text for s in ok)
    assert session.end.counts["ok"] == len(ok)
    assert "geometry" in program.settings.read_text()  # the window's state was saved
    assert "Traceback" not in program.said()
    return session


def _exit_by_signal(program_factory: Callable[..., Program], signum: signal.Signals) -> None:
    program = program_factory()
    finished = program.wait_for_finished_attempts(FINISHED_BEFORE_EXIT)
    simulator = program.simulator_pid()
    cmdline = _cmdline(simulator)
    program.process.send_signal(signum)
    assert_clean_exit(program, finished, simulator, cmdline)


def _exit_from_inside(program_factory: Callable[..., Program], how: str) -> None:
    program = program_factory(exit_after=how)
    # The run's first line: the simulator is up, and the exit is some attempts away.
    program.wait_for_finished_attempts(0)
    simulator = program.simulator_pid()
    cmdline = _cmdline(simulator)
    assert_clean_exit(program, set(), simulator, cmdline)


def test_sigterm_ends_the_run_keeps_what_finished_and_stops_the_simulator(program_factory):
    _exit_by_signal(program_factory, signal.SIGTERM)


def test_ctrl_c_in_the_terminal_ends_the_program_cleanly(program_factory):
    _exit_by_signal(program_factory, signal.SIGINT)


def test_closing_the_window_mid_run_exits_cleanly(program_factory):
    _exit_from_inside(program_factory, "window-close")


def test_file_quit_mid_run_exits_cleanly(program_factory):
    _exit_from_inside(program_factory, "quit-action")


def test_application_quit_mid_run_exits_cleanly(program_factory):
    """What a desktop session logging out or a dock's Quit does: QApplication.quit()."""
    _exit_from_inside(program_factory, "app-quit")


def test_even_an_exit_no_window_can_refuse_runs_the_clean_up(program_factory):
    """QApplication.exit() ends Qt's loop at once; the shutdown then runs in it once more."""
    _exit_from_inside(program_factory, "app-exit")


def test_a_second_ctrl_c_quits_at_once_and_leaves_no_simulator_behind(program_factory):
    program = program_factory()
    finished = program.wait_for_finished_attempts(FINISHED_BEFORE_EXIT)
    simulator = program.simulator_pid()
    cmdline = _cmdline(simulator)
    program.process.send_signal(signal.SIGINT)
    program.process.send_signal(signal.SIGINT)
    # 130 if the second one cut the shutdown short, 0 if the shutdown had already finished.
    assert program.wait_exit() in (0, 128 + signal.SIGINT), program.said()
    # Cut short, the child exits by itself when its stdin pipe from the program closes.
    deadline = time.monotonic() + EXIT_TIMEOUT_S
    while _running(simulator, cmdline):
        assert time.monotonic() < deadline, "the simulator child outlived the program"
        time.sleep(0.05)
    path = program.journal()
    assert path is not None
    assert finished <= {s.id for s in load_session(path).samples}


def test_sigterm_mid_sharded_run_ends_the_worker_processes_too(program_factory):
    program = program_factory(workers=2)
    finished = program.wait_for_finished_attempts(FINISHED_BEFORE_EXIT)
    simulator = program.simulator_pid()
    cmdline = _cmdline(simulator)
    workers = {pid: _cmdline(pid) for pid in program.worker_pids()}
    assert len(workers) == 2
    program.process.send_signal(signal.SIGTERM)
    session = assert_clean_exit(program, finished, simulator, cmdline)
    assert session.header.environment["workers"] == "2"
    assert not any(_running(pid, was) for pid, was in workers.items())
