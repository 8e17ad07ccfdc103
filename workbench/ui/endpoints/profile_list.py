"""The Endpoints dialog's profile list: built-in presets, then the user's own, marked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from workbench.core.endpoints import ListedProfile

NAME_ROLE = Qt.ItemDataRole.UserRole
NEW = "\x00new"  # the item of a profile not saved yet
_GROUPS = (("BUILT-IN", ("preset", "override")), ("YOUR PROFILES", ("user",)))


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
