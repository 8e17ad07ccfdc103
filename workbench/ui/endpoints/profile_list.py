"""The Endpoints dialog's profile list: built-in presets, then the user's own, marked; and
the Add / Duplicate / Delete buttons under it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QWidget

from workbench.core.endpoints import ListedProfile
from workbench.ui.endpoints.style import plain_button

NAME_ROLE = Qt.ItemDataRole.UserRole
NEW = "\x00new"  # the item of a profile not saved yet
_GROUPS = (("BUILT-IN", ("preset", "override")), ("YOUR PROFILES", ("user",)))


def origin_text(origin: str, name: str) -> str:
    """Where the profile shown comes from, and what Save and Delete do to it."""
    return {
        "preset": "built-in preset: saving your changes keeps them as an edited copy",
        "override": "built-in preset, edited by you: Delete restores the original",
        "user": f"your profile “{name}”", "new": "not saved yet",
    }[origin]  # fmt: skip


def delete_question(entry: ListedProfile) -> tuple[str, str]:
    """What Delete asks before it acts, and its button: an edited preset is restored."""
    label = entry.profile.label
    if entry.origin == "override":
        return (f"Restore the built-in {label}? Your changes to it are removed; its key is kept.",
                "Restore")  # fmt: skip
    return f"Delete {label} and its saved key?", "Delete"


class ProfileList(QListWidget):
    """One row per profile under a group heading; an edited preset says "(edited)"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileList")
        self.setAccessibleName("Endpoint profiles")
        self.setMinimumWidth(220)

    def fill(self, entries: list[ListedProfile]) -> None:
        """Rebuild the rows (signals blocked: the caller selects a row afterwards)."""
        self.blockSignals(True)
        self.clear()
        for heading, origins in _GROUPS:
            members = [e for e in entries if e.origin in origins]
            if not members:
                continue
            header = QListWidgetItem(heading)
            header.setFlags(Qt.ItemFlag.NoItemFlags)  # not selectable, skipped by the keys
            self.addItem(header)
            for entry in members:
                edited = " (edited)" if entry.origin == "override" else ""
                item = QListWidgetItem(entry.profile.label + edited)
                item.setData(NAME_ROLE, entry.profile.name)
                self.addItem(item)
        self.blockSignals(False)

    def name_of(self, item: QListWidgetItem | None) -> str | None:
        """The profile name of a row (NEW for the draft); None for a heading or no row."""
        return None if item is None else item.data(NAME_ROLE)

    def item_named(self, name: str) -> QListWidgetItem | None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(NAME_ROLE) == name:
                return item
        return None

    def set_current_quietly(self, item: QListWidgetItem) -> None:
        """Select `item` without telling the dialog (undoing a refused change)."""
        self.blockSignals(True)
        self.setCurrentItem(item)
        self.blockSignals(False)

    def add_draft(self) -> None:
        item = QListWidgetItem("New profile (unsaved)")
        item.setData(NAME_ROLE, NEW)
        self.addItem(item)
        self.set_current_quietly(item)

    def drop_draft(self) -> None:
        item = self.item_named(NEW)
        if item is not None:
            self.blockSignals(True)
            self.takeItem(self.row(item))
            self.blockSignals(False)


class ListButtons(QWidget):
    """Add, Duplicate and Delete (Restore, for an edited preset) under the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.add_button = plain_button("&Add", "addProfileButton", "New profile (Ctrl+N)")
        self.duplicate_button = plain_button("D&uplicate", "duplicateProfileButton",
                                             "Save a copy of this profile under a new name")
        self.delete_button = plain_button("&Delete", "deleteProfileButton",
                                          "Delete this profile (Delete)")  # fmt: skip
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.add_button, self.duplicate_button, self.delete_button):
            row.addWidget(button)

    def show_origin(self, origin: str) -> None:
        """What can be done to the profile shown: a preset is never deleted, only restored
        once edited; a draft has nothing to copy yet."""
        self.delete_button.setEnabled(origin in ("override", "user", "new"))
        self.delete_button.setText("Restore" if origin == "override" else "&Delete")
        self.duplicate_button.setEnabled(origin != "new")
