"""Prompt editors with `{{variable}}` highlighting, and the table of variable values."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from workbench.core.plan import template_variables

# The same pattern the core uses to fill variables, so what is coloured is what is filled.
_VARIABLE = re.compile(r"\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}")


class VariableHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._format = QTextCharFormat()
        self._format.setForeground(QColor("#2f7ed8"))
        self._format.setBackground(QColor(47, 126, 216, 40))
        self._format.setFontWeight(QFont.Weight.DemiBold)

    def highlightBlock(self, text: str) -> None:
        for match in _VARIABLE.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self._format)


class PromptEdit(QPlainTextEdit):
    """A plain-text prompt editor that colours `{{variables}}`."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self.highlighter = VariableHighlighter(self.document())


class VariablesTable(QTableWidget):
    """One row per `{{variable}}` found in the prompts; values survive edits of the prompt."""

    values_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels(["Variable", "Value"])
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self._values: dict[str, str] = {}
        self.itemChanged.connect(self._on_item_changed)

    def set_templates(self, *texts: str) -> None:
        names: list[str] = []
        for text in texts:
            names.extend(n for n in template_variables(text) if n not in names)
        if names == self.names():
            return
        self.blockSignals(True)
        self.setRowCount(len(names))
        for row, name in enumerate(names):
            key = QTableWidgetItem(name)
            key.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(row, 0, key)
            self.setItem(row, 1, QTableWidgetItem(self._values.get(name, "")))
        self.blockSignals(False)
        self.setVisible(bool(names))
        self._fit_height()
        self.values_changed.emit()

    def _fit_height(self) -> None:
        rows = min(self.rowCount(), 4)
        height = self.horizontalHeader().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(r) for r in range(rows))
        self.setFixedHeight(height + 2)

    def names(self) -> list[str]:
        return [item.text() for r in range(self.rowCount()) if (item := self.item(r, 0))]

    def values(self) -> dict[str, str]:
        """Values of the variables in use (all of them, empty ones included)."""
        return {name: self._values.get(name, "") for name in self.names()}

    def all_values(self) -> dict[str, str]:
        return dict(self._values)

    def set_all_values(self, values: dict[str, str]) -> None:
        self._values = dict(values)
        names = self.names()
        self.blockSignals(True)
        for row, name in enumerate(names):
            self.setItem(row, 1, QTableWidgetItem(self._values.get(name, "")))
        self.blockSignals(False)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 1:
            name_item = self.item(item.row(), 0)
            if name_item is not None:
                self._values[name_item.text()] = item.text()
                self.values_changed.emit()
