"""The Endpoints dialog's API key: its masked field (Show / Hide, Forget) and its keyring entry.

The key is typed into the field and handed to the KeyStore on Save; this module never keeps
it, never logs it and never shows it anywhere but the field (while "Show" is on). Keyring
calls may block on an unlock prompt, so every one runs in a worker thread; looking up where
the key of the profile shown is kept runs in the window's "endpoints.key" task slot (the
lookup for a profile no longer shown is cancelled).
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.endpoints import EndpointProfile
from workbench.core.secrets import BackendStatus, KeySource, KeyStore
from workbench.ui.common.validation import mark_field
from workbench.ui.runtime.tasks import TaskManager

KEY_SLOT = "endpoints.key"


class KeyRow(QWidget):
    """Masked key field, Show toggle, Forget button and where the key is kept; reads and
    writes the profile's key in `keys` (off the Qt thread)."""

    def __init__(self, keys: KeyStore, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = keys
        self._lookups = tasks.slot(KEY_SLOT)
        self._shown: tuple[EndpointProfile, bool] | None = None  # (profile, is a draft)
        self.edit = QLineEdit()
        self.edit.setObjectName("keyEdit")
        self.edit.setAccessibleName("API key")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setToolTip("The key is saved in the system keyring when you press Save")
        self.show_button = QToolButton()
        self.show_button.setObjectName("showKeyButton")
        self.show_button.setText("Show")
        self.show_button.setCheckable(True)
        self.show_button.setAccessibleName("Show the key")
        self.show_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.show_button.toggled.connect(self._toggle_echo)
        self.forget_button = QPushButton("Forget key")
        self.forget_button.setObjectName("forgetKeyButton")
        self.forget_button.setAutoDefault(False)
        self.forget_button.setToolTip("Remove the saved key of this profile")
        self.status = QLabel()
        self.status.setObjectName("keyStatus")
        # Not wrapped: a wrapped label makes the form height-for-width, which QFormLayout
        # resolves a few pixels short (clipping the multi-line fields). Lines are explicit.
        self.status.setWordWrap(False)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.show_button)
        row.addWidget(self.forget_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addLayout(row)
        column.addWidget(self.error)
        column.addWidget(self.status)

    def _toggle_echo(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_button.setText("Hide" if shown else "Show")

    def clear(self) -> None:
        """Empty the field and mask it again (on save, profile change and close)."""
        self.edit.clear()
        self.show_button.setChecked(False)
        self.show_error(None)

    def show_error(self, reason: str | None) -> None:
        mark_field(self.edit, reason, "The key is saved in the system keyring when you press Save")
        self.error.setText(reason or "")
        self.error.setVisible(reason is not None)

    def show_profile(self, profile: EndpointProfile, *, new: bool) -> asyncio.Task[Any]:
        """A profile was selected: empty field, usable at once; where its key is kept comes
        next, from the task returned."""
        self._shown = (profile, new)
        self._reset(simulator=profile.base_url is None and not new)
        return self._lookups.bind(self.refresh())

    def _reset(self, *, simulator: bool) -> None:
        self.clear()
        self.edit.setEnabled(not simulator)
        self.show_button.setEnabled(not simulator)
        self.forget_button.setEnabled(False)
        self.edit.setPlaceholderText("not needed" if simulator else "paste the API key")
        self.status.setText("The local simulator needs no key." if simulator else "")

    def show_state(
        self, *, simulator: bool, needs_key: bool, source: KeySource, backend: BackendStatus
    ) -> None:
        """Say where this profile's key is kept, in words."""
        self.forget_button.setEnabled(source in ("keyring", "memory"))
        if simulator:
            return
        saved = source in ("keyring", "memory")
        self.edit.setPlaceholderText(
            "saved; type a new key to replace it" if saved else "paste the API key"
        )
        if source == "keyring":
            text = f"A key is saved in the system keyring ({backend.backend})."
        elif source == "memory":
            text = "A key is kept in memory for this session only (forgotten on quit)."
        else:
            text = "No key saved." if needs_key else "No key saved (this endpoint needs none)."
        if not backend.usable:
            text += ("\nNo usable system keyring: a key saved here is kept in memory for this "
                     "session only.")  # fmt: skip
        self.status.setText(text)
        self.status.setToolTip(backend.message)  # where keys go, and why (never the key)

    # --- the keyring entry (each call in a worker thread) ---------------------------------

    async def refresh(self) -> None:
        """Look up where the shown profile's key is kept and say so, if it is still shown."""
        if self._shown is None:
            return
        shown = self._shown
        profile, new = shown
        keys = self.keys

        def look() -> tuple[KeySource, BackendStatus]:
            # The key itself is dropped here: only where it is kept is shown.
            source: KeySource = "none" if new else keys.get(profile).source
            return source, keys.backend_status()

        source, backend = await asyncio.to_thread(look)
        if self._shown is shown:
            simulator = profile.base_url is None and not new
            self.show_state(
                simulator=simulator, needs_key=profile.needs_key, source=source, backend=backend
            )

    async def save(self, profile: EndpointProfile) -> KeySource | None:
        """Store the typed key (if any) for `profile`; where it went. The field is emptied
        at once: the profile has no unsaved key while the keyring is written."""
        typed = self.edit.text()
        if not typed:
            return None
        self.clear()
        return await asyncio.to_thread(self.keys.set, profile, typed)

    async def copy(self, source: str, copy: EndpointProfile) -> bool:
        """Give `copy` the key of profile `source`; whether there was one."""
        lookup = await asyncio.to_thread(self.keys.get, source)
        if lookup.key is not None:
            await asyncio.to_thread(self.keys.set, copy, lookup.key)
        return lookup.found

    async def forget(self, profile: EndpointProfile | str) -> None:
        await asyncio.to_thread(self.keys.delete, profile)
