"""`workbench gui --plan FILE --run` as the window does it, and background jobs that fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.helpers.ui import OFFSCREEN_NOISE, wait_finished
from workbench.core.journal import load_session
from workbench.core.plan import load_plan
from workbench.core.redact import clear_known_secrets, register_secret

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

FAKE_KEY = "fake-taskfail-0123456789abcdefABCDEF"
PLAN = """\
user = "Explain {{topic}} in a few paragraphs."

[variables]
topic = "TCP slow start"

[[variants]]
name = "terse"
user = "Explain {{topic}} briefly."

[endpoint]
name = "%s"

[run]
concurrency = [2]
repetitions = 3
"""


def _error_dialog(qtbot) -> QMessageBox:
    def shown() -> QMessageBox | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, QMessageBox) and w.objectName() == "errorDialog"
                     and w.isVisible()), None)

    qtbot.waitUntil(lambda: shown() is not None, timeout=10_000)
    dialog = shown()
    assert dialog is not None and not dialog.isModal()
    return dialog


def _plan_file(tmp_path: Path, endpoint: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN % endpoint, encoding="utf-8")
    return path


def test_a_plan_from_the_command_line_fills_the_panel_and_runs_as_written(
    main_window, qtbot, tmp_path
):
    path = _plan_file(tmp_path, "local-sim")
    plan = load_plan(path)
    assert main_window.open_plan(plan, path, start=True)
    wait_finished(qtbot, main_window)
    assert main_window.params.prompt_edit.toPlainText() == plan.user
    run = main_window.bridge.run
    assert run.done == 6 and run.errors == 0  # both variants: the plan as written
    session = load_session(main_window.services.session_path(run.session))
    assert session.header.plan == plan


def test_a_plan_on_an_endpoint_not_set_up_here_says_so_and_does_not_run(
    main_window, qtbot, tmp_path
):
    path = _plan_file(tmp_path, "nowhere")
    assert not main_window.open_plan(load_plan(path), path, start=True)
    dialog = _error_dialog(qtbot)
    assert str(path) in dialog.text() and "'nowhere'" in dialog.text()
    assert not main_window.controller.busy
    dialog.close()


def test_a_background_job_that_fails_shows_a_redacted_non_modal_dialog(main_window, qtbot):
    register_secret(FAKE_KEY)

    async def upload() -> None:
        raise OSError(f"the server refused the key {FAKE_KEY}")

    try:
        main_window.services.tasks.slot("export html").bind(upload())
        dialog = _error_dialog(qtbot)
        assert "export html" in dialog.text() and "the server refused" in dialog.text()
        assert FAKE_KEY not in dialog.text() + dialog.detailedText()
        dialog.close()
    finally:
        clear_known_secrets()
    assert main_window.isVisible()
