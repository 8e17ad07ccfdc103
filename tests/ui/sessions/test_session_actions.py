"""Sessions in the real window: reopen, New, Save As, Recent, Re-run, exports, broken files."""

from __future__ import annotations

import asyncio
import csv
import json

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.helpers.sessions import PROMPT, SYSTEM, TASK_TIMEOUT_MS, finish, run_small_session
from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, wait_finished
from workbench.core.journal import load_session
from workbench.ui.common import errors

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def error_dialog():
    """The non-modal error dialog a test provoked; closed afterwards so the next test starts
    without one (errors.show_error keeps one dialog at a time)."""
    yield lambda: errors._dialog if errors._dialog is not None and errors._dialog.isVisible() \
        else None
    if errors._dialog is not None:
        errors._dialog.close()
        errors._dialog = None


def snapshot(window) -> tuple:
    return (
        window.windowTitle(), window.responses.grid.count(), window.params.prompt_edit.toPlainText(),
        window.params.concurrency_edit.text(), window.session_actions.current_path,
    )


def test_reopen_restores_plan_responses_plots_and_summary(window_factory, qtbot):
    first = window_factory()
    path = run_small_session(qtbot, first)
    ran = first.bridge.run
    texts = {r.text for r in ran.responses.values()}

    window = window_factory()
    assert window.session_actions.new_plan()
    assert window.params.prompt_edit.toPlainText() == ""
    assert window.responses.grid.count() == 0

    assert finish(qtbot, window.session_actions.open(path)) is True
    run = window.bridge.run
    assert window.responses.grid.count() == 6
    assert {r.text for r in run.responses.values()} == texts
    params = window.params
    assert params.prompt_edit.toPlainText() == PROMPT
    assert params.system_edit.toPlainText() == SYSTEM
    assert params.variables.values() == {"thing": "database reads"}
    assert params.concurrency_edit.text() == "1,2"
    assert params.repetitions_spin.value() == 3
    assert params.temperature_spin.value() == pytest.approx(0.3)
    assert params.seed_spin.value() == 5
    assert params.model_combo.currentText() == "sim-chat"
    assert window.windowTitle().startswith(path.name)
    # The plan in the panel is the session's plan: running it again would send the same.
    rebuilt = params.build_plan()
    assert rebuilt is not None
    assert rebuilt.params == load_session(path).header.plan.params

    window.tabs.setCurrentWidget(window.plots)
    qtbot.waitUntil(lambda: window.plots.point_counts()["latency"] == 6, timeout=5000)
    window.tabs.setCurrentWidget(window.summary)
    table = window.summary.table
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=10_000)
    assert [table.item(r, 0).text() for r in range(2)] == ["c=1", "c=2"]
    assert [table.item(r, 1).text() for r in range(2)] == ["3", "3"]
    assert window.session_actions.recent.paths()[0] == path.absolute()


def test_new_is_refused_while_a_run_is_going(window_factory, sim_factory, qtbot):
    slow = sim_factory("--decode-ms", "20", "--mean-tokens", "60", "--seed", "2")
    window = window_factory(simulator_root=slow)
    fill_plan(qtbot, window, PROMPT.replace("{{thing}}", "pages"), "2", 20)
    click_run(qtbot, window)
    qtbot.waitUntil(lambda: window.bridge.run.done >= 1, timeout=30_000)
    assert window.controller.busy
    assert window.session_actions.new_plan() is False
    assert "A run is going" in window.statusBar().currentMessage()
    # ...and visible: the run bar fills the status bar, so it shows the message itself.
    assert "A run is going" in window.run_bar.note.text()
    assert window.params.prompt_edit.toPlainText()  # nothing cleared
    window.controller.cancel()
    wait_finished(qtbot, window)


def test_malformed_file_shows_the_error_and_changes_nothing(
    window_factory, qtbot, tmp_path, error_dialog
):
    window = window_factory()
    good = run_small_session(qtbot, window)
    lines = good.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b'"outcome":"ok"', b'"outcome":42', 1)
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"".join(lines))
    before = snapshot(window)

    # `workbench FILE` goes through the same code path as File > Open.
    task = asyncio.ensure_future(window.session_actions.open_path(broken))
    qtbot.waitUntil(task.done, timeout=TASK_TIMEOUT_MS)
    dialog = error_dialog()
    assert dialog is not None
    assert "broken.jsonl, line 3" in dialog.text() and "outcome" in dialog.text()
    assert snapshot(window) == before
    assert broken.absolute() not in window.session_actions.recent.paths()


def test_truncated_file_opens_with_the_warning(window_factory, qtbot, tmp_path):
    window = window_factory()
    good = run_small_session(qtbot, window)
    lines = good.read_bytes().splitlines(keepends=True)
    # Interrupted while writing the last attempt: no end record, half a line.
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(lines[:-2]) + lines[-2][: len(lines[-2]) // 2])
    window.session_actions.new_plan()

    # Dropped on the window.
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(cut))])
    event = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.session_actions.current_path == cut, timeout=TASK_TIMEOUT_MS)
    assert "last line is incomplete" in window.statusBar().currentMessage()
    assert window.responses.grid.count() == 5
    assert window.params.prompt_edit.toPlainText() == PROMPT


def test_save_as_copies_the_session_and_recent_lists_it(window_factory, qtbot, tmp_path):
    window = window_factory()
    path = run_small_session(qtbot, window)
    actions = window.session_actions
    target = tmp_path / "kept" / "my session.jsonl"
    assert finish(qtbot, actions.save_as(target)) is True
    assert target.read_bytes() == path.read_bytes()
    assert target.name in window.windowTitle()
    assert str(target) in window.statusBar().currentMessage()
    assert actions.recent.paths()[:2] == [target.absolute(), path.absolute()]

    # A recent file that disappeared is dropped from the menu, with a message.
    path.unlink()
    actions.recent_menu.aboutToShow.emit()
    names = [a.text() for a in actions.recent_menu.actions()]
    assert any("my session.jsonl" in n for n in names)
    assert not any(path.name in n for n in names)
    assert "no longer there" in window.statusBar().currentMessage()


def test_rerun_runs_the_same_plan_into_a_new_session(window_factory, qtbot):
    window = window_factory()
    path = run_small_session(qtbot, window)
    window.params.prompt_edit.setPlainText("something else entirely")  # not what re-runs
    task = window.session_actions.rerun()
    assert task is not None and finish(qtbot, task) is True
    wait_finished(qtbot, window)
    new_path = window.session_actions.current_path
    assert new_path is not None and new_path != path
    again, before = load_session(new_path), load_session(path)
    assert again.header.plan == before.header.plan
    assert again.header.session != before.header.session
    assert len(again.samples) == 6
    assert window.params.prompt_edit.toPlainText() == PROMPT


def test_exports_write_html_with_plots_csv_and_json(
    window_factory, qtbot, tmp_path, error_dialog
):
    window = window_factory()
    run_small_session(qtbot, window)
    actions = window.session_actions
    out = tmp_path / "out"
    assert finish(qtbot, actions.export("csv", out / "s.csv")) is True
    with (out / "s.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 6
    assert finish(qtbot, actions.export("json", out / "s.json")) is True
    assert len(json.loads((out / "s.json").read_text())["samples"]) == 6
    assert finish(qtbot, actions.export("html", out / "s.html")) is True
    html = (out / "s.html").read_text()
    assert html.count("data:image/png;base64,") == 8  # seven live plots and the divergence
    assert str(out / "s.html") in window.statusBar().currentMessage()

    # An unwritable place: the error is shown, nothing is written, the window carries on.
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert finish(qtbot, actions.export("csv", blocker / "s.csv")) is False
    dialog = error_dialog()
    assert dialog is not None and "a-file/s.csv" in dialog.text()
    assert window.responses.grid.count() == 6


def test_shortcuts_and_menu_entries_exist(main_window, qtbot):
    window = main_window
    names = {a.objectName(): a for a in window.actions()}
    shortcuts = {
        "newAction": "Ctrl+N", "openAction": "Ctrl+O", "saveAsAction": "Ctrl+Shift+S",
        "rerunAction": "Ctrl+Shift+R",
    }
    for name, keys in shortcuts.items():
        assert names[name].shortcut().toString() == keys
    # Nothing to save, export or re-run before a run: said in the status bar, no dialog.
    assert window.session_actions.ask_save_as() is None
    assert "Nothing to save yet" in window.statusBar().currentMessage()
    assert window.session_actions.rerun() is None
    assert "Nothing to re-run yet" in window.statusBar().currentMessage()
