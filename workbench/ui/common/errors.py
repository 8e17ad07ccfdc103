"""Unexpected errors: logged, and shown in a non-modal dialog instead of ending the program.

Qt calls Python slots from C++; an exception escaping a slot would otherwise abort under
PySide6's default handling or vanish. Never exec() a dialog here: under qasync that nests
an event loop inside whatever coroutine is running.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

import shiboken6
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from workbench.core.redact import redact_text

log = logging.getLogger("workbench")

_dialog: QMessageBox | None = None


def show_error(title: str, text: str, details: str = "", parent: QWidget | None = None) -> None:
    """A non-modal error dialog (one at a time: later errors go into its details)."""
    global _dialog
    if QApplication.instance() is None:
        return
    # isValid: the dialog dies with the window it was parented to (tests build many).
    if _dialog is not None and shiboken6.isValid(_dialog) and _dialog.isVisible():
        _dialog.setDetailedText((_dialog.detailedText() + "\n\n" + details).strip())
        return
    _dialog = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    _dialog.setObjectName("errorDialog")
    if details:
        _dialog.setDetailedText(details)
    _dialog.setModal(False)
    _dialog.show()


def excepthook(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    details = redact_text("".join(traceback.format_exception(kind, value, tb)))
    log.error("unexpected error:\n%s", details)
    show_error("Unexpected error", redact_text(f"{kind.__name__}: {value}"), details)


def install(loop: asyncio.AbstractEventLoop | None = None) -> Callable[[], None]:
    """Install the hook (and the asyncio loop's handler); returns a function undoing it."""
    previous = sys.excepthook
    sys.excepthook = excepthook

    def loop_handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            excepthook(type(exc), exc, exc.__traceback__)
        else:
            log.error("asyncio: %s", redact_text(str(context.get("message"))))

    if loop is not None:
        loop.set_exception_handler(loop_handler)

    def uninstall() -> None:
        sys.excepthook = previous
        if loop is not None and not loop.is_closed():
            loop.set_exception_handler(None)

    return uninstall
