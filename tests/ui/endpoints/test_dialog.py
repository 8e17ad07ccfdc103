"""The Endpoints dialog, opened from the real window, against real simulated endpoints."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from tests.helpers.ui import OFFSCREEN_NOISE, type_into
from workbench.core.endpoints import ProfileStore
from workbench.core.secrets import SERVICE
from workbench.ui.endpoints.dialog import EndpointsDialog

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
# The keyring fixtures come before main_window: the window's KeyStore picks its backend once.

KEY = "fake-dialog-right-4f1c9a7e20b3"
WRONG = "fake-dialog-wrong-000000000000"
CTRL = Qt.KeyboardModifier.ControlModifier
PROBE_TIMEOUT_MS = 15_000


def open_dialog(qtbot, window) -> EndpointsDialog:
    """Ctrl+Shift+E, as a user opens it."""
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.endpoints_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)  # keyboard shortcuts go to the active window
    assert not dialog.isModal()
    return dialog


def select(qtbot, dialog: EndpointsDialog, name: str) -> None:
    item = dialog._item(name)
    assert item is not None, f"{name} is not listed"
    dialog.list.setCurrentItem(item)
    assert dialog.form.name_edit.text() == name


def probe(qtbot, dialog: EndpointsDialog, button) -> str:
    """Click Fetch models / Test connection; the buttons are off until the answer is shown."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not dialog.test_button.isEnabled() and not dialog.fetch_button.isEnabled()
    qtbot.waitUntil(
        lambda: dialog.probe_result.property("state") in ("ok", "error")
        and dialog.test_button.isEnabled() and dialog.fetch_button.isEnabled(),
        timeout=PROBE_TIMEOUT_MS,
    )
    return dialog.probe_result.text()


def test_add_a_keyed_profile_test_it_and_save_it(
    memory_keyring, files_containing, sim_factory, main_window, qtbot
):
    root = sim_factory("--zero-delay", "--require-key", KEY)
    window = main_window
    dialog = open_dialog(qtbot, window)
    form = dialog.form

    qtbot.keyClick(dialog, Qt.Key.Key_N, CTRL)
    assert dialog.focusWidget() is form.name_edit and not dialog.save_button.isEnabled()
    qtbot.keyClicks(form.name_edit, "keyed-sim")
    type_into(qtbot, form.display_edit, "Keyed simulator")
    # A wrong base URL is marked at the field with the reason, and Save stays off.
    type_into(qtbot, form.base_url_edit, "ftp://localhost/v1")
    assert form.base_url_edit.property("invalid") is True
    error = form._errors["base_url"]
    assert error.isVisible() and "not an http(s) URL" in error.text()
    assert not dialog.save_button.isEnabled()
    type_into(qtbot, form.base_url_edit, root + "/v1")
    assert not form.base_url_edit.property("invalid") and not error.isVisible()
    type_into(qtbot, form.default_model_combo.lineEdit(), "sim-chat")
    assert dialog.save_button.isEnabled()

    # The key field is masked until Show is pressed.
    key_edit = dialog.key_row.edit
    assert key_edit.echoMode() == QLineEdit.EchoMode.Password
    type_into(qtbot, key_edit, WRONG)
    dialog.key_row.show_button.click()
    assert key_edit.echoMode() == QLineEdit.EchoMode.Normal
    dialog.key_row.show_button.click()
    assert key_edit.echoMode() == QLineEdit.EchoMode.Password

    text = probe(qtbot, dialog, dialog.test_button)
    assert dialog.probe_result.property("state") == "error"
    assert "Key rejected" in text and "401" in text and WRONG not in text

    type_into(qtbot, key_edit, KEY)
    text = probe(qtbot, dialog, dialog.test_button)
    assert dialog.probe_result.property("state") == "ok", text
    assert "sim-chat answered in" in text and text.endswith("ms")

    text = probe(qtbot, dialog, dialog.fetch_button)
    assert dialog.probe_result.property("state") == "ok", text
    assert {"sim-chat", "sim-reasoner"} <= set(form.models_edit.toPlainText().splitlines())

    # Enter saves: the profile file, the keyring, and the window's endpoint list.
    qtbot.keyClick(key_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Saved"), timeout=5000)
    assert "system keyring" in dialog.message.text()
    saved = ProfileStore().get("keyed-sim")
    assert (saved.display_name, saved.base_url) == ("Keyed simulator", root + "/v1")
    assert saved.default_model == "sim-chat" and "sim-reasoner" in saved.models
    assert ProfileStore().origin("keyed-sim") == "user"
    assert memory_keyring.entries[(SERVICE, "keyed-sim")] == KEY
    assert key_edit.text() == ""
    combo = window.params.endpoint_combo
    assert combo.itemText(combo.findData("keyed-sim")) == "Keyed simulator"
    qtbot.waitUntil(lambda: "saved in the system keyring" in dialog.key_row.status.text())
    assert key_edit.placeholderText().startswith("saved")

    # With the saved key (field left empty), the connection works.
    assert "answered in" in probe(qtbot, dialog, dialog.test_button)

    # Esc closes; the key is in no file we wrote and not in the window's settings.
    qtbot.keyClick(dialog.list, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    window.save_state()
    assert files_containing(KEY) == []
    settings = window.services.settings
    assert all(KEY not in str(settings.value(k)) for k in settings.allKeys())


def test_duplicate_delete_and_restore_persist(memory_keyring, main_window, qtbot):
    window = main_window
    dialog = open_dialog(qtbot, window)
    select(qtbot, dialog, "deepseek")
    assert not dialog.delete_button.isEnabled()  # a built-in preset cannot be deleted
    dialog.key_row.edit.setFocus()
    qtbot.keyClicks(dialog.key_row.edit, KEY)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (SERVICE, "deepseek") in memory_keyring.entries, timeout=5000)
    assert ProfileStore().origin("deepseek") == "preset"  # only the key was saved

    qtbot.mouseClick(dialog.duplicate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.form.name_edit.text() == "deepseek-copy", timeout=5000)
    assert ProfileStore().origin("deepseek-copy") == "user"
    assert ProfileStore().get("deepseek-copy").base_url == "https://api.deepseek.com"
    assert memory_keyring.entries[(SERVICE, "deepseek-copy")] == KEY  # the copy keeps the key
    assert window.params.endpoint_combo.findData("deepseek-copy") >= 0

    # Delete asks inline (no modal box); Keep leaves it, Delete removes it and its key.
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
    assert dialog.confirm_bar.isVisible() and "Delete DeepSeek (copy)" in dialog.confirm_text.text()
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    assert "deepseek-copy" in ProfileStore().names()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "deepseek-copy" not in ProfileStore().names(), timeout=5000)
    qtbot.waitUntil(lambda: window.params.endpoint_combo.findData("deepseek-copy") == -1)
    assert (SERVICE, "deepseek-copy") not in memory_keyring.entries
    assert dialog._item("deepseek-copy") is None

    # Editing a preset saves an override; deleting it restores the preset.
    select(qtbot, dialog, "deepseek")
    type_into(qtbot, dialog.form.price_in_edit, "abc")
    assert not dialog.save_button.isEnabled()
    assert "not a number" in dialog.form._errors["price_in_per_mtok"].text()
    type_into(qtbot, dialog.form.price_in_edit, "0.5")
    qtbot.keyClick(dialog.form.price_in_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ProfileStore().origin("deepseek") == "override", timeout=5000)
    assert ProfileStore().get("deepseek").price_in_per_mtok == 0.5
    assert dialog.list.currentItem().text() == "DeepSeek (edited)"
    assert dialog.delete_button.isEnabled()
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
    assert "Restore the built-in DeepSeek" in dialog.confirm_text.text()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ProfileStore().origin("deepseek") == "preset", timeout=5000)
    assert ProfileStore().get("deepseek").price_in_per_mtok == 0.28
    assert (SERVICE, "deepseek") in memory_keyring.entries  # restoring keeps the key


def test_local_simulator_unsaved_edits_and_no_keyring(no_keyring, sim_factory, main_window, qtbot):
    window = main_window
    dialog = open_dialog(qtbot, window)
    select(qtbot, dialog, "local-sim")
    assert not dialog.form.base_url_edit.isEnabled() and not dialog.key_row.edit.isEnabled()
    # The local simulator profile talks to the window's running simulator.
    text = probe(qtbot, dialog, dialog.test_button)
    assert dialog.probe_result.property("state") == "ok" and "answered in" in text

    # With no usable keyring the dialog says the key lives in memory for this session only.
    select(qtbot, dialog, "openai")
    qtbot.waitUntil(lambda: "memory for this session only" in dialog.key_row.status.text())

    # Unsaved edits: switching profile is refused, the first Esc warns, the second discards.
    type_into(qtbot, dialog.form.display_edit, "My OpenAI")
    dialog.list.setCurrentItem(dialog._item("groq"))
    assert dialog.form.name_edit.text() == "openai" and "Save or revert" in dialog.message.text()
    qtbot.keyClick(dialog.form.display_edit, Qt.Key.Key_Escape)
    assert dialog.isVisible() and "Unsaved changes" in dialog.message.text()
    qtbot.keyClick(dialog.form.display_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert ProfileStore().get("openai").display_name == "OpenAI"

    # A probe still running when the dialog closes is cancelled.
    stalled = sim_factory("--zero-delay", "--fault", "stall=1", "--stall-seconds", "30")
    qtbot.mouseClick(window.params.endpoints_button, Qt.MouseButton.LeftButton)  # the "…"
    dialog = window.endpoints_dialog
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_N, CTRL)
    assert dialog.list.currentItem().text() == "New profile (unsaved)"
    qtbot.keyClicks(dialog.form.name_edit, "stalled")
    type_into(qtbot, dialog.form.base_url_edit, stalled + "/v1")
    type_into(qtbot, dialog.form.default_model_combo.lineEdit(), "sim-chat")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    task = dialog._probe
    assert task is not None
    qtbot.wait(200)  # let the request reach the stalling server (not a timing assertion)
    assert not task.done(), dialog.probe_result.text()
    dialog.close()  # a draft: the first close warns
    dialog.close()
    assert not dialog.isVisible()
    qtbot.waitUntil(task.done, timeout=5000)
    assert task.cancelled()
    assert "stalled" not in ProfileStore().names()
