"""The Endpoints dialog's inline confirmation (Delete / Restore): a bar, not a modal box,
since exec() under qasync would nest an event loop."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from workbench.ui.endpoints.style import plain_button


class ConfirmBar(QFrame):
    """A question with a confirming button and Keep; hidden until `ask`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confirmBar")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.confirm_button = QPushButton("Delete")
        self.confirm_button.setObjectName("confirmDeleteButton")
        self.keep_button = plain_button("Keep", "keepProfileButton")
        bar = QHBoxLayout(self)
        bar.setContentsMargins(10, 6, 6, 6)
        bar.addWidget(self.text, 1)
        bar.addWidget(self.confirm_button)
        bar.addWidget(self.keep_button)
        self.keep_button.clicked.connect(self.hide)
        self.setVisible(False)

    def ask(self, question: str, action: str) -> None:
        """Show `question`; the confirming button says `action` and takes the focus."""
        self.text.setText(question)
        self.confirm_button.setText(action)
        self.setVisible(True)
        self.confirm_button.setFocus()
