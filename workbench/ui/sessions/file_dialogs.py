"""Non-modal file dialogs for the session commands: never exec() (no nested event loop
under qasync); each is kept alive here while it is open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

_open_dialogs: list[QFileDialog] = []


def ask_file(parent: QWidget, title: str, filters: list[str], *, save: bool, name: str,
             done: Callable[[Path], object], suffix: str = "") -> QFileDialog:
    """Ask for a file to open (it must exist) or to save (`suffix` added when missing);
    `done(path)` when one is chosen."""
    dialog = QFileDialog(parent, title, name)
    dialog.setNameFilters(filters)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix.lstrip("."))
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.fileSelected.connect(lambda chosen: done(Path(chosen)))
    dialog.finished.connect(lambda _=0: _open_dialogs.remove(dialog))
    _open_dialogs.append(dialog)
    dialog.open()
    return dialog
