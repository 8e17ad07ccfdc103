"""The Endpoints dialog's background work: probes, key lookups and writes in the window's
task slots, seen through what the user sees (the real window, real simulated endpoints)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.helpers.ui import OFFSCREEN_NOISE, type_into
from tests.ui.endpoints.test_dialog import PROBE_TIMEOUT_MS, open_dialog, probe, select
from workbench.core.endpoints import EndpointProfile, ProfileStore
from workbench.core.secrets import SERVICE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

KEY = "fake-dialog-tasks-7d2e51c0a9"


def test_choosing_another_profile_cancels_the_running_probe(
    memory_keyring, sim_factory, main_window, qtbot
):
    stalled = sim_factory("--zero-delay", "--fault", "stall=1", "--stall-seconds", "30")
    ProfileStore().add(EndpointProfile(name="stalled", base_url=stalled + "/v1",
                                       default_model="sim-chat", needs_key=False))  # fmt: skip
    window = main_window
    dialog = open_dialog(qtbot, window)
    select(qtbot, dialog, "stalled")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    task = dialog._probe
    assert task is not None
    # The window's task manager knows the probe is running (it is awaited on exit).
    assert "endpoints.probe" in window.services.tasks.running()
    qtbot.wait(200)  # let the request reach the stalling server (not a timing assertion)
    assert not task.done() and "Testing the connection" in dialog.probe_result.text()

    select(qtbot, dialog, "local-sim")
    qtbot.waitUntil(task.done, timeout=5000)
    assert task.cancelled()
    assert not dialog.probe_result.isVisible()  # the stalled profile's answer never comes
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=5000)
    assert "endpoints.probe" not in window.services.tasks.running()
    assert "answered in" in probe(qtbot, dialog, dialog.test_button)


def test_forget_key_removes_only_the_key(memory_keyring, main_window, qtbot):
    window = main_window
    window.services.keys.set("openai", KEY)
    dialog = open_dialog(qtbot, window)
    select(qtbot, dialog, "openai")
    status = dialog.key_row.status
    qtbot.waitUntil(lambda: "saved in the system keyring" in status.text(), timeout=5000)
    forget = dialog.key_row.forget_button
    assert forget.isEnabled()

    type_into(qtbot, dialog.form.display_edit, "My OpenAI")  # an edit not saved yet
    qtbot.mouseClick(forget, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status.text().startswith("No key saved"), timeout=5000)
    assert (SERVICE, "openai") not in memory_keyring.entries
    assert dialog.message.text() == "Forgot the key of OpenAI."
    assert not forget.isEnabled()
    # The fields are as the user left them, still unsaved.
    assert dialog.form.display_edit.text() == "My OpenAI" and dialog.save_button.isEnabled()
    assert ProfileStore().get("openai").display_name == "OpenAI"


def test_writes_run_one_after_another(memory_keyring, main_window, qtbot):
    window = main_window
    window.services.keys.set("groq", KEY)
    dialog = open_dialog(qtbot, window)
    select(qtbot, dialog, "groq")
    # Two quick clicks: the second copy waits for the first and takes the next free name.
    qtbot.mouseClick(dialog.duplicate_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.duplicate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.form.name_edit.text() == "groq-copy-2",
                    timeout=PROBE_TIMEOUT_MS)  # fmt: skip
    assert {"groq-copy", "groq-copy-2"} <= set(ProfileStore().names())
    assert memory_keyring.entries[(SERVICE, "groq-copy")] == KEY
    assert memory_keyring.entries[(SERVICE, "groq-copy-2")] == KEY
    assert dialog.message.text() == "Saved a copy as groq-copy-2 with the same key."
    qtbot.waitUntil(lambda: not window.services.tasks.running(), timeout=5000)
