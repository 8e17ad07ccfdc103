"""The Endpoints dialog's API key row, its probe result line, and its styling.

The key is typed into a masked field and handed to KeyStore by the dialog; this module never
keeps it, never logs it and never shows it anywhere but the field (while "Show" is on).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.probe import ProbeResult
from workbench.core.secrets import BackendStatus, KeySource
from workbench.ui.common import theme
from workbench.ui.common.validation import mark_field

# Failures whose message does not already start with what went wrong.
_KIND_TITLES = {
    "dns": "DNS", "tls": "TLS", "timeout": "Timeout", "refused": "Connection refused",
    "connection": "Cannot connect", "protocol": "Not an API",
}  # fmt: skip
_MARKS = {"ok": "✓", "error": "✕", "running": "…", "info": "ⓘ"}


class KeyRow(QWidget):
    """Masked key field, Show toggle, Forget button and where the key is kept."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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

    def reset(self, *, simulator: bool) -> None:
        """A profile was selected: empty field, usable at once; where the key is comes next."""
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


def result_text(result: ProbeResult) -> str:
    """A probe's outcome in one line, saying what kind of failure it was."""
    if result.kind == "key_rejected":
        # core's hint points at this dialog; here the key field is right above.
        return result.message.split(" — ", 1)[0] + " — check the API key above."
    if result.ok or result.kind not in _KIND_TITLES:
        return result.message
    return f"{_KIND_TITLES[result.kind]}: {result.message}"


def show_result(label: QLabel, state: str, text: str) -> None:
    """Fill the probe result line; `state` (ok/error/running/info) picks its colours."""
    label.setText(f"{_MARKS.get(state, '')}  {text}" if text else "")
    label.setVisible(bool(text))
    label.setAccessibleDescription(text)
    if label.property("state") != state:
        label.setProperty("state", state)
        label.style().unpolish(label)
        label.style().polish(label)


def plain_button(text: str, name: str, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)  # Enter is Save's, wherever the focus is
    if tip:
        button.setToolTip(tip)
    return button


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
