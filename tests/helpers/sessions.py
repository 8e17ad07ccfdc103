"""A small session run in the real window, for the session tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.helpers.ui import click_run, fill_plan, wait_finished

PROMPT = "Name three trade-offs of caching {{thing}}."
SYSTEM = "Answer in one short paragraph."
TASK_TIMEOUT_MS = 60_000


def run_small_session(qtbot: Any, window: Any) -> Path:
    """A 1,2 sweep of 3 repetitions (6 responses) with a system prompt and a variable."""
    fill_plan(qtbot, window, PROMPT, "1,2", 3)
    window.params.system_edit.setPlainText(SYSTEM)
    window.params.variables.set_all_values({"thing": "database reads"})
    window.params.temperature_spin.setValue(0.3)
    window.params.seed_spin.setValue(5)
    click_run(qtbot, window)
    qtbot.waitUntil(lambda: window.controller.busy or window.bridge.run.finished, timeout=5000)
    wait_finished(qtbot, window)
    path = window.session_actions.current_path
    assert path is not None and path.is_file()
    assert path.name in window.windowTitle()
    return path


def finish(qtbot: Any, task: asyncio.Future[Any]) -> Any:
    qtbot.waitUntil(task.done, timeout=TASK_TIMEOUT_MS)
    return task.result()
