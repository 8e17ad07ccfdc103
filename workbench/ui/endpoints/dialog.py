"""Edit → Endpoints and Keys…: the dialog that lists endpoint profiles and edits one.

This module is the shell: the layout, which profile is shown, unsaved edits, asking before
a delete, closing. Its parts: profile_list (the list), form (the fields), key_row (the key
and its keyring entry), probe (Fetch models / Test connection), writes (save, duplicate,
delete), confirm_bar. Non-modal (never exec(): under qasync that would nest an event loop).
Background work runs in the window's task slots: writes one after another in
"endpoints.save", the key lookup of the profile shown in "endpoints.key" (a newer one
replaces it), probes in "endpoints.probe".
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.core.endpoints import EndpointProfile, EndpointsFileError, ListedProfile
from workbench.core.secrets import InvalidKey, check_key
from workbench.ui.endpoints.confirm_bar import ConfirmBar
from workbench.ui.endpoints.form import ProfileForm
from workbench.ui.endpoints.key_row import KeyRow
from workbench.ui.endpoints.probe import ProbeAction, ProbePanel
from workbench.ui.endpoints.profile_list import (
    NEW,
    ListButtons,
    ProfileList,
    delete_question,
    origin_text,
)
from workbench.ui.endpoints.style import rule, set_state, stylesheet
from workbench.ui.endpoints.writes import ProfileWrites, Written
from workbench.ui.runtime.services import Services


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
        self._build()
        self._connect()
        self.resize(960, 740)

    # --- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.list = ProfileList()
        self.list_buttons = ListButtons()
        self.add_button = self.list_buttons.add_button
        self.duplicate_button = self.list_buttons.duplicate_button
        self.delete_button = self.list_buttons.delete_button
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.list_buttons)

        self.title = QLabel()
        self.title.setObjectName("profileTitle")
        self.origin = QLabel()
        self.origin.setObjectName("profileOrigin")
        self.form = ProfileForm()
        self.key_row = KeyRow(self.services.keys, self.services.tasks)
        self.probes = ProbePanel(self.services, self.form, self.key_row,
                                 saved=lambda: self._current != NEW)  # fmt: skip
        self.fetch_button = self.probes.fetch_button
        self.test_button = self.probes.test_button
        self.probe_result = self.probes.result
        self.confirm_bar = ConfirmBar()
        self.confirm_text = self.confirm_bar.text
        self.confirm_button = self.confirm_bar.confirm_button
        self.keep_button = self.confirm_bar.keep_button
        self.writes = ProfileWrites(
            self.services, self.form, self.key_row, written=self._written, say=self._say
        )

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
        key_caption = QLabel("API &key")
        key_caption.setBuddy(self.key_row.edit)
        # The key and the probes line up with the profile's fields.
        grid = self.form.grid
        grid.addRow(rule())
        grid.addRow(key_caption, self.key_row)
        grid.addRow("", self.probes.row)
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
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.close_button.clicked.connect(self.reject)
        self.fetch_button.clicked.connect(lambda: self._start_probe("models"))
        self.test_button.clicked.connect(lambda: self._start_probe("test"))
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
        name = self.list.name_of(item)
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
        self.probes.cancel()
        self._watch(self.key_row.show_profile(profile, new=new))
        self.probes.clear()
        self.confirm_bar.hide()
        self.form.load(profile, is_new=new, taken=set(self._entries))
        self._loaded = self.form.snapshot()
        self._discard_armed = False
        self.title.setText("New profile" if new else profile.label)
        self.origin.setText(origin_text(origin, profile.name))
        self.list_buttons.show_origin(origin)
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
        self.save_button.setEnabled(profile is not None and self.is_dirty())
        self.revert_button.setEnabled(self.is_dirty())
        self.probes.enable(self._current is not None)

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

    # --- saving, duplicating, deleting -------------------------------------------------------

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        profile, problems = self.form.read()
        if profile is None:
            self.form.show_errors(problems)
            return
        if typed := self.key_row.edit.text():
            try:
                check_key(typed)
            except InvalidKey as exc:
                self.key_row.show_error(str(exc))
                self._revalidate()
                return
        self.save_button.setEnabled(False)
        changed = self.form.snapshot() != self._loaded
        self._watch(self.writes.save(profile, is_new=self._current == NEW, fields_changed=changed))

    def duplicate_profile(self) -> None:
        current = self._current
        if current is None or current == NEW:
            return
        if self.is_dirty():
            self._say("Save or revert the changes to this profile first.", error=True)
            return
        self._watch(self.writes.duplicate(current))

    def _written(self, written: Written) -> None:
        """A write finished: show the list as it is now."""
        self.key_row.clear()
        self._loaded = self.form.snapshot()
        self._current = None
        self.reload(select=written.select)
        self.profiles_changed.emit(written.changed)
        self._say(written.message)

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
        self.confirm_bar.ask(*delete_question(entry))

    def _confirm_delete(self) -> None:
        self.confirm_bar.hide()
        if self._current is not None and self._current != NEW:
            self._watch(self.writes.delete(self._entries[self._current]))

    # --- key and probes ----------------------------------------------------------------------

    def _forget_key(self) -> None:
        if self._current is not None and self._current != NEW:
            self._watch(self.writes.forget_key(self._entries[self._current].profile))

    def _start_probe(self, action: ProbeAction) -> None:
        self._watch(self.probes.start(action))
        self._revalidate()

    @property
    def _probe(self) -> asyncio.Task[Any] | None:
        """The probe running, if any."""
        return self.probes.task

    # --- tasks, messages, closing ------------------------------------------------------------

    def _watch(self, task: asyncio.Task[Any]) -> None:
        task.add_done_callback(self._task_ended)

    def _task_ended(self, task: asyncio.Task[Any]) -> None:
        # The task manager logs and reports a failure; the dialog says so where the user is.
        with contextlib.suppress(RuntimeError):  # the dialog is being deleted
            self._revalidate()
        if not task.cancelled() and (exc := task.exception()) is not None:
            with contextlib.suppress(RuntimeError):
                self._say(f"Something went wrong: {exc}", error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        set_state(self.message, "error" if error else "")

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
            self.confirm_bar.hide()
            return
        if self.is_dirty() and not self._discard_armed:
            self._discard_armed = True
            self._say("Unsaved changes: press Esc or Close again to discard them, or Save.",
                      error=True)  # fmt: skip
            return
        super().reject()

    def done(self, result: int) -> None:
        self.probes.cancel()
        self.key_row.clear()  # the key leaves the widget when the dialog closes
        if self._current == NEW:
            self.list.drop_draft()
        self._current = None
        self._loaded = ()
        self._say("")
        super().done(result)

