"""The Endpoints dialog's look: its stylesheet (light or dark) and its small shared widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QFrame, QPushButton, QWidget

from workbench.ui.common import theme


def plain_button(text: str, name: str, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)  # Enter is Save's, wherever the focus is
    if tip:
        button.setToolTip(tip)
    return button


def set_state(widget: QWidget, state: str) -> None:
    """Set the `state` property the stylesheet's [state="..."] rules colour by."""
    if widget.property("state") != state:
        widget.setProperty("state", state)
        # Qt applies a changed dynamic property's rules only on a fresh polish.
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def stylesheet() -> str:
    app = QApplication.instance()
    colours = theme.DARK if isinstance(app, QApplication) and theme.is_dark(app) else theme.LIGHT
    c = colours
    return f"""
        QLabel#fieldError {{ color: {c['error']}; font-size: 8.5pt; }}
        QLabel#keyStatus, QLabel#hintLabel {{ color: {c['muted']}; font-size: 8.5pt; }}
        QLabel#probeResult {{ border-radius: 4px; padding: 6px 8px; }}
        QLabel#probeResult[state="ok"] {{ background: {c['ok_bg']}; color: {c['ok_text']}; }}
        QLabel#probeResult[state="error"] {{
            background: {c['error_bg']}; color: {c['error_text']}; }}
        QLabel#probeResult[state="running"], QLabel#probeResult[state="info"] {{
            background: {c['run_bg']}; color: {c['run_text']}; }}
        QLabel#dialogMessage {{ color: {c['muted']}; }}
        QLabel#dialogMessage[state="error"] {{ color: {c['error']}; }}
        QLabel#profileTitle {{ font-size: 12pt; font-weight: 600; }}
        QLabel#profileOrigin {{ color: {c['muted']}; }}
        QFrame#confirmBar {{ background: {c['error_bg']}; border-radius: 4px; }}
        QFrame#confirmBar QLabel {{ color: {c['error_text']}; }}
        QListWidget#profileList {{ background: {c['base']}; border: 1px solid {c['border']};
            border-radius: 4px; padding: 2px; }}
        QListWidget#profileList::item {{ padding: 4px 6px; }}
        QListWidget#profileList::item:selected {{ background: {c['accent']}; color: white; }}
        QPushButton#saveButton {{ background: {c['accent']}; color: white;
            border: 1px solid {c['accent']}; font-weight: 600; }}
        QPushButton#saveButton:hover {{ background: {c['accent_hover']}; }}
        QPushButton#saveButton:disabled {{ background: {c['disabled']};
            border-color: {c['disabled']}; color: {c['base']}; }}
        QFrame#rule {{ border: none; background: {c['border']}; max-height: 1px; }}
        QListWidget#profileList::item:disabled {{ color: {c['muted']}; font-size: 8pt;
            font-weight: 600; padding-top: 8px; }}
    """


def rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setObjectName("rule")
    return line
