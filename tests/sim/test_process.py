"""The simulator as a child process: start, URL, stop, singleton, and no orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from workbench.sim.process import LocalSimulator, SimProcess, SimProcessError

REPO = Path(__file__).parents[2]


def gone(pid: int) -> bool:
    """The process no longer exists (or is a zombie nobody reaped yet: it has exited)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_gone(pid: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if gone(pid):
            return True
        time.sleep(0.05)  # polling, bounded; no timing is asserted
    return gone(pid)


def health(url: str) -> bytes:
    with urllib.request.urlopen(url + "/health", timeout=5) as reply:
        return bytes(reply.read())


def test_start_serves_and_stop_ends_the_child() -> None:
    sim = SimProcess(["--zero-delay"])
    with sim:
        assert sim.base_url.startswith("http://127.0.0.1:")
        assert b'"ok"' in health(sim.base_url)
        pid = sim.pid
        assert pid is not None and sim.cpu_seconds() >= 0
    assert wait_gone(pid)
    with pytest.raises(SimProcessError, match="not started"):
        _ = sim.base_url


def test_bad_flags_fail_with_the_reason() -> None:
    with pytest.raises(SimProcessError, match="capacity"):
        SimProcess(["--capacity", "0"]).start()


def test_workbench_sim_command_prints_the_url_first() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "sim", "--port", "0", "--zero-delay"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:")
        assert b'"ok"' in health(url)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()  # type: ignore[union-attr]


def test_local_simulator_is_shared_and_restarts_if_it_died() -> None:
    local = LocalSimulator.shared()
    try:
        url = local.base_url()
        assert LocalSimulator.shared() is local and local.base_url() == url
        pid = local.process.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        assert wait_gone(pid)
        assert b'"ok"' in health(local.base_url())  # a new child took over
    finally:
        local.stop()


async def test_local_simulator_async_start() -> None:
    local = LocalSimulator(["--zero-delay"])
    try:
        url = await local.abase_url()
        assert b'"ok"' in health(url)
    finally:
        local.stop()


def test_no_orphan_when_the_parent_is_killed() -> None:
    parent_code = textwrap.dedent(
        """
        import sys, time
        from workbench.sim.process import SimProcess
        sim = SimProcess(["--zero-delay"])
        sim.start()
        print(sim.pid, flush=True)
        time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=REPO, stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert not gone(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        assert wait_gone(child), f"simulator {child} outlived its SIGKILLed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        parent.stdout.close()  # type: ignore[union-attr]
