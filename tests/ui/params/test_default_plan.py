"""The window's plan: it starts from core's one default plan, File > New plan returns to it,
and a session whose plan has an unknown key is refused with the key named."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit

from tests.helpers.ui import OFFSCREEN_NOISE, find, type_into
from workbench import __version__
from workbench.core.journal import FORMAT, VERSION, SessionHeader
from workbench.core.plan import Plan, RunSettings, default_plan
from workbench.ui.common import errors

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def error_dialog() -> Iterator[Callable[[], QMessageBox | None]]:
    """The non-modal error dialog a test provoked, closed afterwards (one at a time)."""
    yield lambda: errors._dialog if errors._dialog is not None and errors._dialog.isVisible() \
        else None
    if errors._dialog is not None:
        errors._dialog.close()
        errors._dialog = None


def panel_plan(qtbot: Any, window: Any) -> Plan:
    """The plan the panel would run, once a prompt is typed (an empty one is refused)."""
    type_into(qtbot, find(window, QPlainTextEdit, "promptEdit"), "Explain DNS")
    plan = window.params.build_plan()
    assert plan is not None, window.params.problems
    return plan


def test_a_new_window_starts_from_cores_default_plan(main_window: Any, qtbot: Any) -> None:
    plan = panel_plan(qtbot, main_window)
    default = default_plan()
    assert plan.endpoint == default.endpoint
    assert plan.params == default.params
    assert plan.run == default.run
    assert main_window.params.temperature_spin.text() == "server default"


def test_new_plan_returns_every_field_to_cores_default(main_window: Any, qtbot: Any) -> None:
    params = main_window.params
    params.system_edit.setPlainText("Be terse.")
    params.temperature_spin.setValue(1.2)
    params.max_tokens_spin.setValue(99)
    params.seed_spin.setValue(7)
    params.stream_check.setChecked(False)
    params.concurrency_edit.setText("2,16")
    params.repetitions_spin.setValue(3)

    main_window.session_actions.new_action.trigger()

    assert params.prompt_edit.toPlainText() == "" and params.system_edit.toPlainText() == ""
    plan = panel_plan(qtbot, main_window)
    default = default_plan()
    assert (plan.params, plan.run) == (default.params, default.run)


def test_a_session_whose_plan_has_an_unknown_key_is_refused_by_name(
    main_window: Any, qtbot: Any, tmp_path: Path,
    error_dialog: Callable[[], QMessageBox | None],
) -> None:
    header = SessionHeader(
        format=FORMAT, version=VERSION, app_version=__version__,
        created="2025-01-01T00:00:00+00:00", session="typo",
        plan=Plan(user="Explain TCP", run=RunSettings(concurrency=[2], repetitions=3)),
    )
    record = msgspec.to_builtins(header)
    record["plan"]["run"]["repetitons"] = record["plan"]["run"].pop("repetitions")
    path = tmp_path / "typo.jsonl"
    path.write_bytes(msgspec.json.encode(record) + b"\n")
    params = main_window.params
    params.concurrency_edit.setText("4")
    before = (params.concurrency_edit.text(), params.repetitions_spin.value(),
              main_window.windowTitle())

    task = asyncio.ensure_future(main_window.session_actions.open_path(path))
    qtbot.waitUntil(task.done, timeout=30_000)

    assert task.result() is False
    dialog = error_dialog()
    assert dialog is not None
    assert dialog.text() == (
        f"{path}, line 1: field plan.run.repetitons: unknown field; did you mean repetitions?"
    )
    assert (params.concurrency_edit.text(), params.repetitions_spin.value(),
            main_window.windowTitle()) == before
