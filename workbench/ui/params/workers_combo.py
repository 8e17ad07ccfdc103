"""The params panel's Workers choice: Auto or a count of engine processes (core.sharded)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from workbench.core.plan import Plan
from workbench.core.workers import STREAMS_PER_WORKER, WORKER_CHOICES, resolve_workers


class WorkersCombo(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem("Auto", None)
        for count in WORKER_CHOICES:
            self.addItem(str(count), count)
        self.setToolTip(
            "Engine processes, each with its own event loop and connections, for honest"
            f" timing at thousands of streams. Auto: 1 up to {STREAMS_PER_WORKER} concurrent"
            f" streams, then one per {STREAMS_PER_WORKER}, at most one per CPU core"
        )

    def choice(self) -> int | None:
        """Engine processes for the run (None: auto)."""
        count = self.currentData()
        return None if count is None else int(count)

    def set_choice(self, text: str) -> None:
        """From the saved form: "auto" or a count (anything else: Auto)."""
        index = self.findData(int(text)) if text.isdigit() else 0
        self.setCurrentIndex(max(0, index))

    def saved(self) -> str:
        count = self.choice()
        return "auto" if count is None else str(count)

    def note(self, plan: Plan) -> str:
        """For the panel's request total: how many processes `plan` would run in, if > 1."""
        workers = resolve_workers(plan, self.choice())
        return f" · {workers} worker processes" if workers > 1 else ""
