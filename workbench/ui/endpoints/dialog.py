"""Edit → Endpoints and Keys…: endpoint profiles, their keys, Fetch models, Test connection.

Non-modal (never exec(): under qasync that would nest an event loop). Profiles are saved
through the shared ProfileStore, keys through the shared KeyStore; keyring calls may block
on an unlock prompt, so they run in a worker thread. Probes are core.probe coroutines on
the qasync loop; one at a time, cancelled when the dialog closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.core.endpoints import (
    EndpointProfile,
    EndpointsFileError,
    ListedProfile,
    ProfileError,
    UnknownProfile,
)
from workbench.core.probe import ProbeResult
from workbench.core.secrets import BackendStatus, InvalidKey, KeySource, check_key
from workbench.ui.endpoints.form import ProfileForm, error_reason
from workbench.ui.endpoints.key_row import (
    KeyRow,
    plain_button,
    result_text,
    rule,
    show_result,
    stylesheet,
)
from workbench.ui.endpoints.probe import NoModel, ProbeAction, probe_endpoint
from workbench.ui.endpoints.profile_list import NAME_ROLE, NEW, ProfileList
from workbench.ui.runtime.services import EndpointUnavailable, Services

log = logging.getLogger(__name__)


class EndpointsDialog(QDialog):
    """The profiles list on the left, the selected profile's fields, key and probes right."""

    profiles_changed = Signal(str)  # the profile saved (or "" after a delete)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("endpointsDialog")
        self.setWindowTitle("Endpoints and Keys")
        self.setModal(False)
        self.setStyleSheet(stylesheet())
        self.services = services
        self._entries: dict[str, ListedProfile] = {}
        self._current: str | None = None  # name shown in the form (NEW for a draft)
        self._loaded: tuple[object, ...] = ()
        self._discard_armed = False
        self._probe: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._build()
        self._connect()
        self.resize(960, 740)

    # --- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.list = ProfileList()
        self.add_button = plain_button("&Add", "addProfileButton", "New profile (Ctrl+N)")
        self.duplicate_button = plain_button("D&uplicate", "duplicateProfileButton",
                                        "Save a copy of this profile under a new name")
        self.delete_button = plain_button("&Delete", "deleteProfileButton",
                                     "Delete this profile (Delete)")  # fmt: skip
        list_buttons = QHBoxLayout()
        for button in (self.add_button, self.duplicate_button, self.delete_button):
            list_buttons.addWidget(button)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addLayout(list_buttons)

        self.title = QLabel()
        self.title.setObjectName("profileTitle")
        self.origin = QLabel()
        self.origin.setObjectName("profileOrigin")
        self.form = ProfileForm()
        self.key_row = KeyRow()
        self.fetch_button = plain_button("&Fetch models", "fetchModelsButton",
                                    "Ask the server for its model list (GET /models)")
        self.test_button = plain_button("&Test connection", "testConnectionButton",
                                   "Send a one-token request with the default model and key")
        self.probe_result = QLabel()
        self.probe_result.setObjectName("probeResult")
        self.probe_result.setWordWrap(True)
        self.probe_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.probe_result.setVisible(False)
        # Only as tall as its text (a wrapped label otherwise takes spare height).
        self.probe_result.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.confirm_bar = QFrame()
        self.confirm_bar.setObjectName("confirmBar")
        self.confirm_text = QLabel()
        self.confirm_text.setWordWrap(True)
        self.confirm_button = QPushButton("Delete")
        self.confirm_button.setObjectName("confirmDeleteButton")
        self.keep_button = plain_button("Keep", "keepProfileButton")
        bar = QHBoxLayout(self.confirm_bar)
        bar.setContentsMargins(10, 6, 6, 6)
        bar.addWidget(self.confirm_text, 1)
        bar.addWidget(self.confirm_button)
        bar.addWidget(self.keep_button)
        self.confirm_bar.setVisible(False)

        self.message = QLabel()
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save the profile and the key (Enter)")
        self.revert_button = self.buttons.addButton(
            "&Revert", QDialogButtonBox.ButtonRole.ResetRole
        )
        self.revert_button.setObjectName("revertButton")
        self.revert_button.setAutoDefault(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.origin, 1, Qt.AlignmentFlag.AlignBaseline)
        probes = QWidget()
        probe_row = QHBoxLayout(probes)
        probe_row.setContentsMargins(0, 0, 0, 0)
        probe_row.addWidget(self.fetch_button)
        probe_row.addWidget(self.test_button)
        probe_row.addStretch(1)
        key_caption = QLabel("API &key")
        key_caption.setBuddy(self.key_row.edit)
        # The key and the probes line up with the profile's fields.
        grid = self.form.grid
        grid.addRow(rule())
        grid.addRow(key_caption, self.key_row)
        grid.addRow("", probes)
        right = QVBoxLayout()
        right.setSpacing(10)
        right.addLayout(heading)
        right.addWidget(self.form)
        right.addWidget(self.probe_result)
        right.addStretch(1)
        right.addWidget(self.confirm_bar)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addLayout(left, 0)
        columns.addLayout(right, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.message, 1)
        footer.addWidget(self.buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 14, 14, 12)
        outer.addLayout(columns, 1)
        outer.addLayout(footer)

    def _connect(self) -> None:
        self.list.currentItemChanged.connect(self._on_item_changed)
        self.add_button.clicked.connect(self.new_profile)
        self.duplicate_button.clicked.connect(self.duplicate_profile)
        self.delete_button.clicked.connect(self.ask_delete)
        self.confirm_button.clicked.connect(self._confirm_delete)
        self.keep_button.clicked.connect(self._hide_confirm)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.close_button.clicked.connect(self.reject)
        self.fetch_button.clicked.connect(lambda: self._start_probe(self._run_probe("models")))
        self.test_button.clicked.connect(lambda: self._start_probe(self._run_probe("test")))
        self.key_row.forget_button.clicked.connect(self._forget_key)
        self.form.changed.connect(self._on_edited)
        self.key_row.edit.textEdited.connect(self._on_key_edited)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_profile)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.list, self.ask_delete)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)  # Delete in a field edits it

    # --- the list ----------------------------------------------------------------------------

    def open_on(self, name: str | None = None) -> None:
        """Show the dialog (non-modal), listing the profiles and selecting `name`."""
        if self.isVisible():
            self.raise_()  # already open, perhaps behind the window: bring it forward
        else:
            self.reload(select=name)
            self.show()
        self.activateWindow()

    def reload(self, select: str | None = None) -> None:
        """Re-read the profiles file and rebuild the list, then select `select`."""
        try:
            entries = self.services.profiles.entries()
        except EndpointsFileError as exc:
            self._say(str(exc), error=True)
            entries = []
        self._entries = {e.profile.name: e for e in entries}
        self.list.fill(entries)
        names = list(self._entries)
        target = select if select in self._entries else (names[0] if names else None)
        self._current = None
        if target is not None:
            self._select(target)

    def _item(self, name: str) -> QListWidgetItem | None:
        return self.list.item_named(name)

    def _select(self, name: str) -> None:
        item = self._item(name)
        if item is not None:
            self.list.setCurrentItem(item)  # -> _on_item_changed -> _show

    def _on_item_changed(
        self, item: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        name = item.data(NAME_ROLE) if item is not None else None
        if name is None or name == self._current:
            return
        if self.is_dirty():
            # Keep the edits: going back to them is one click on Revert or Save away.
            if previous is not None:
                self.list.set_current_quietly(previous)
            self._say("Save or revert the changes to this profile first.", error=True)
            return
        if self._current == NEW:
            self.list.drop_draft()
        self._show(self._entries[name].profile, self._entries[name].origin)

    # --- the form ----------------------------------------------------------------------------

    def _show(self, profile: EndpointProfile, origin: str) -> None:
        new = origin == "new"
        self._current = NEW if new else profile.name
        self._cancel_probe()
        self.key_row.reset(simulator=profile.base_url is None and not new)
        show_result(self.probe_result, "info", "")
        self._hide_confirm()
        self.form.load(profile, is_new=new, taken=set(self._entries))
        self._loaded = self.form.snapshot()
        self._discard_armed = False
        self.title.setText("New profile" if new else profile.label)
        self.origin.setText({
            "preset": "built-in preset: saving your changes keeps them as an edited copy",
            "override": "built-in preset, edited by you: Delete restores the original",
            "user": f"your profile “{profile.name}”", "new": "not saved yet",
        }[origin])  # fmt: skip
        self.delete_button.setEnabled(origin in ("override", "user", "new"))
        self.delete_button.setText("Restore" if origin == "override" else "&Delete")
        self.duplicate_button.setEnabled(not new)
        self._spawn(self._refresh_key_state(profile, new=new))
        self._say("")
        self._revalidate()

    def is_dirty(self) -> bool:
        return self._current is not None and (
            self._current == NEW
            or self.form.snapshot() != self._loaded
            or bool(self.key_row.edit.text())
        )

    def _on_edited(self) -> None:
        self._discard_armed = False
        self._revalidate()

    def _on_key_edited(self) -> None:
        self._discard_armed = False
        self.key_row.show_error(None)
        self._revalidate()

    def _revalidate(self) -> None:
        profile, problems = self.form.read()
        untouched_draft = self._current == NEW and self.form.snapshot() == self._loaded
        # A blank new profile is not an error yet: Save is off until the fields are filled.
        self.form.show_errors({} if untouched_draft else problems)
        busy = self._probe is not None and not self._probe.done()
        self.save_button.setEnabled(profile is not None and self.is_dirty())
        self.revert_button.setEnabled(self.is_dirty())
        self.fetch_button.setEnabled(not busy and self._current is not None)
        self.test_button.setEnabled(not busy and self._current is not None)

    def revert(self) -> None:
        """Drop the edits (a draft goes away entirely)."""
        current = self._current
        self._loaded = self.form.snapshot()
        self.key_row.clear()
        self._current = None
        if current == NEW:
            self.list.drop_draft()
            self.reload()
        elif current is not None:
            self._show(self._entries[current].profile, self._entries[current].origin)

    def new_profile(self) -> None:
        if self.is_dirty():
            self._say("Save or revert the changes to this profile first.", error=True)
            return
        self.list.add_draft()
        self._show(EndpointProfile(name="", base_url=""), "new")
        self.form.name_edit.setFocus()

    # --- saving ------------------------------------------------------------------------------

    def save(self) -> None:
        if self.save_button.isEnabled():
            self.save_button.setEnabled(False)
            self._spawn(self._save())

    async def _save(self) -> None:
        profile, problems = self.form.read()
        if profile is None:
            self.form.show_errors(problems)
            return
        typed = self.key_row.edit.text()
        if typed:
            try:
                check_key(typed)
            except InvalidKey as exc:
                self.key_row.show_error(str(exc))
                self._revalidate()
                return
        if self._current == NEW or self.form.snapshot() != self._loaded:
            try:
                if self._current == NEW:
                    self.services.profiles.add(profile)
                else:
                    self.services.profiles.update(profile)
            except ProfileError as exc:
                self.form.mark(exc.field, error_reason(exc))
                self._revalidate()
                return
            except EndpointsFileError as exc:
                self._say(str(exc), error=True)
                self._revalidate()
                return
        saved_to: KeySource | None = None
        if typed:
            saved_to = await asyncio.to_thread(self.services.keys.set, profile, typed)
            self.key_row.clear()
        self._loaded = self.form.snapshot()
        self._current = None
        self.reload(select=profile.name)
        self.profiles_changed.emit(profile.name)
        where = {"keyring": " and its key, in the system keyring",
                 "memory": " and its key, in memory for this session only"}  # fmt: skip
        self._say(f"Saved {profile.label}{where.get(saved_to or '', '')}.")

    # --- duplicate and delete ----------------------------------------------------------------

    def duplicate_profile(self) -> None:
        current = self._current
        if current is None or current == NEW:
            return
        if self.is_dirty():
            self._say("Save or revert the changes to this profile first.", error=True)
            return
        taken = set(self._entries)
        new_name = next(
            candidate
            for n in range(1, 1000)
            if (candidate := f"{current}-copy" + (f"-{n}" if n > 1 else "")) not in taken
        )
        try:
            copy = self.services.profiles.duplicate(current, new_name)
        except (ProfileError, EndpointsFileError, UnknownProfile) as exc:
            self._say(str(exc), error=True)
            return
        self._spawn(self._copy_key(current, copy))

    async def _copy_key(self, source: str, copy: EndpointProfile) -> None:
        lookup = await asyncio.to_thread(self.services.keys.get, source)
        if lookup.key is not None:
            await asyncio.to_thread(self.services.keys.set, copy, lookup.key)
        self.reload(select=copy.name)
        self.profiles_changed.emit(copy.name)
        self._say(f"Saved a copy as {copy.name}" + (" with the same key." if lookup.found else "."))

    def ask_delete(self) -> None:
        """Ask inline (no modal box): the bar's buttons confirm or keep."""
        current = self._current
        if current is None:
            return
        if current == NEW:
            self.revert()
            return
        entry = self._entries[current]
        if entry.origin == "preset":
            self._say("Built-in presets cannot be deleted.", error=True)
            return
        if entry.origin == "override":
            self.confirm_text.setText(
                f"Restore the built-in {entry.profile.label}? Your changes to it are removed; "
                "its key is kept."
            )
            self.confirm_button.setText("Restore")
        else:
            self.confirm_text.setText(f"Delete {entry.profile.label} and its saved key?")
            self.confirm_button.setText("Delete")
        self.confirm_bar.setVisible(True)
        self.confirm_button.setFocus()

    def _hide_confirm(self) -> None:
        self.confirm_bar.setVisible(False)

    def _confirm_delete(self) -> None:
        self._hide_confirm()
        if self._current is not None and self._current != NEW:
            self._spawn(self._delete(self._current))

    async def _delete(self, name: str) -> None:
        label = self._entries[name].profile.label
        try:
            outcome = self.services.profiles.remove(name)
        except (ProfileError, EndpointsFileError, UnknownProfile) as exc:
            self._say(str(exc), error=True)
            return
        if outcome == "removed":
            await asyncio.to_thread(self.services.keys.delete, name)
        self.key_row.clear()
        self._loaded = self.form.snapshot()
        self._current = None
        self.reload(select=name if outcome == "restored" else None)
        self.profiles_changed.emit("")
        self._say(f"Restored the built-in {label}." if outcome == "restored"
                  else f"Deleted {label}.")  # fmt: skip

    # --- keys --------------------------------------------------------------------------------

    async def _refresh_key_state(self, profile: EndpointProfile, *, new: bool = False) -> None:
        keys = self.services.keys

        def look() -> tuple[KeySource, BackendStatus]:
            # The key itself is dropped here: only where it is kept is shown.
            source: KeySource = "none" if new else keys.get(profile).source
            return source, keys.backend_status()

        source, backend = await asyncio.to_thread(look)
        if self._current == (NEW if new else profile.name):
            self.key_row.show_state(simulator=profile.base_url is None and not new,
                                    needs_key=profile.needs_key, source=source, backend=backend)

    def _forget_key(self) -> None:
        if self._current is not None and self._current != NEW:
            self._spawn(self._forget(self._entries[self._current].profile))

    async def _forget(self, profile: EndpointProfile) -> None:
        await asyncio.to_thread(self.services.keys.delete, profile)
        self._say(f"Forgot the key of {profile.label}.")
        await self._refresh_key_state(profile)

    # --- probes ------------------------------------------------------------------------------

    def _start_probe(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self._cancel_probe()
        self._probe = self._spawn(coroutine)
        self._revalidate()

    def _cancel_probe(self) -> None:
        if self._probe is not None and not self._probe.done():
            self._probe.cancel()
        self._probe = None

    async def _run_probe(self, action: ProbeAction) -> None:
        running = {"models": "Fetching the model list…", "test": "Testing the connection…"}
        show_result(self.probe_result, "running", running[action])
        profile, problems = self.form.read()
        if profile is None:
            self.form.show_errors(problems)
            show_result(self.probe_result, "error", "Fix the marked fields first.")
            return
        try:
            result = await probe_endpoint(self.services, profile, self.key_row.edit.text(),
                                          saved=self._current != NEW, action=action)
        except InvalidKey as exc:
            self.key_row.show_error(str(exc))
            show_result(self.probe_result, "error", "Fix the key first.")
            return
        except NoModel as exc:
            self.form.mark("default_model", str(exc))
            show_result(self.probe_result, "error", "No model to test with.")
            return
        except EndpointUnavailable as exc:
            show_result(self.probe_result, "error", str(exc))
            return
        if action == "models" and result.ok:
            self.form.set_models(result.models)
        self._show_probe(result)

    def _show_probe(self, result: ProbeResult) -> None:
        show_result(self.probe_result, "ok" if result.ok else "error", result_text(result))

    # --- tasks, messages, closing ------------------------------------------------------------

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task is self._probe:
            self._probe = None
        with contextlib.suppress(RuntimeError):  # the dialog is being deleted
            self._revalidate()
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("endpoints dialog task failed", exc_info=exc)
            with contextlib.suppress(RuntimeError):
                self._say(f"Something went wrong: {exc}", error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        state = "error" if error else ""
        if self.message.property("state") != state:
            self.message.setProperty("state", state)
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter saves from any field (QDialog's default button moves to whichever
        # button had focus last); a multi-line field keeps Enter for its new lines.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(
            self.focusWidget(), QPlainTextEdit
        ) and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.save()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Esc / Close. Unsaved edits: the first press warns, the second discards them."""
        if self.confirm_bar.isVisible():
            self._hide_confirm()
            return
        if self.is_dirty() and not self._discard_armed:
            self._discard_armed = True
            self._say("Unsaved changes: press Esc or Close again to discard them, or Save.",
                      error=True)  # fmt: skip
            return
        super().reject()

    def done(self, result: int) -> None:
        self._cancel_probe()
        self.key_row.clear()  # the key leaves the widget when the dialog closes
        if self._current == NEW:
            self.list.drop_draft()
        self._current = None
        self._loaded = ()
        self._say("")
        super().done(result)

