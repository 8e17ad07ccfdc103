"""`workbench --self-check` (issue 14): each step reported, a failure named, no user file touched."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from workbench.commands.self_check import run_self_check

STEPS = ("simulator", "sweep", "session", "window", "report")


def test_self_check_passes_every_step_and_leaves_the_user_folders_empty(
    isolated_user_dirs: Path,
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "--self-check"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for step in STEPS:
        assert any(line.split()[:2] == ["ok", step] for line in lines), done.stdout
    assert lines[-1].startswith("self-check passed")
    # The check writes only to its own temporary folder: not a session, not a setting.
    written = [p for p in isolated_user_dirs.rglob("*") if p.is_file()]
    assert written == []
    assert "propagateSizeHints" not in done.stderr


def test_a_failing_step_is_named_and_the_check_exits_1(sim_factory: Callable[..., str]) -> None:
    # A server that answers every request with a 500: the endpoint is up, the sweep fails.
    url = sim_factory("--zero-delay", "--fault", "500=1")
    out = io.StringIO()
    assert run_self_check(out, simulator_root=url) == 1
    text = out.getvalue()
    assert "  ok    simulator" in text
    assert "  FAIL  sweep: 0 of 8 requests ok" in text
    assert "500" in text  # the errors are shown, not only counted
    assert text.rstrip().endswith("self-check failed at step 'sweep'")
    assert "  ok    window" not in text  # nothing after the failed step runs
