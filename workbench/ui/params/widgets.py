"""Small builders the parameters panel's form uses: named fields, labels, section titles."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget


def named(widget: Any, name: str, accessible: str) -> Any:
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


def buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def section(title: str) -> QLabel:
    label = QLabel(title)
    label.setObjectName("sectionTitle")
    return label
