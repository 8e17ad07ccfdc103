"""Marking a field invalid: a red border (the `invalid` property, styled in the QSS), the
reason as its tooltip and accessible description."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def mark_field(widget: QWidget, reason: str | None, hint: str = "") -> None:
    invalid = reason is not None
    if bool(widget.property("invalid")) != invalid:
        widget.setProperty("invalid", invalid)
        # Re-evaluate the style sheet's [invalid="true"] selector for this widget.
        widget.style().unpolish(widget)
        widget.style().polish(widget)
    widget.setToolTip(reason if reason is not None else hint)
    widget.setAccessibleDescription(reason or "")
