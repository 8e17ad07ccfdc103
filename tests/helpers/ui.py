"""Driving the window the way a user does (shared by the UI tests)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton, QWidget

RUN_TIMEOUT_MS = 60_000
# The offscreen platform plugin warns whenever a shown window's minimum size changes (it
# cannot pass size hints to a window manager); that is not a fault of the program.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def find(window: QWidget, kind: type[Any], name: str) -> Any:
    widget = window.findChild(kind, name)
    assert widget is not None, f"no {kind.__name__} named {name!r}"
    return widget


def type_into(qtbot: Any, widget: QWidget, text: str) -> None:
    """Select all, then type, like a user replacing a field's text."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def fill_plan(
    qtbot: Any, window: Any, prompt: str, concurrency: str, repetitions: int,
    model: str | None = None,
) -> None:
    type_into(qtbot, find(window, QPlainTextEdit, "promptEdit"), prompt)
    type_into(qtbot, find(window, QLineEdit, "concurrencyEdit"), concurrency)
    window.params.repetitions_spin.setValue(repetitions)
    if model is not None:
        window.params.model_combo.setCurrentText(model)


def click_run(qtbot: Any, window: Any) -> None:
    button = find(window, QPushButton, "runButton")
    assert button.isEnabled(), window.params.problems
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_finished(qtbot: Any, window: Any, timeout: int = RUN_TIMEOUT_MS) -> None:
    qtbot.waitUntil(
        lambda: window.bridge.run.finished and not window.controller.busy, timeout=timeout
    )
