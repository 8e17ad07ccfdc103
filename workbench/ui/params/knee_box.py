"""The "Find the knee" switch of the parameters panel: a knee search instead of a sweep.

When it is on, the concurrency field is disabled and the search's own levels show under the
switch: "1, 2, 4 … up to MAX" (docs/analysis.md, "Load knee"); off, that line is hidden."""

from __future__ import annotations

import msgspec
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.plan import Plan, RunSettings

KNEE_HINT = (
    "Run concurrency 1, 2, 4, ... until a doubling raises throughput by less than 10%; "
    "the knee is the last level before it"
)


class KneeSearchBox(QWidget):
    changed = Signal()

    def __init__(self, concurrency_edit: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._concurrency = concurrency_edit
        self.check = QCheckBox("Find the knee")
        self.check.setObjectName("kneeCheck")
        self.check.setAccessibleName("Find the knee")
        self.check.setToolTip(KNEE_HINT)
        self.label = QLabel("1, 2, 4 … up to")
        self.max_spin = QSpinBox()
        self.max_spin.setObjectName("kneeMaxSpin")
        self.max_spin.setAccessibleName("Highest concurrency of the knee search")
        self.max_spin.setRange(2, 4096)
        self.max_spin.setMaximumWidth(96)  # four digits: the panel is 300 px at its narrowest
        self.label.setBuddy(self.max_spin)
        # Two lines: the panel is 300 px wide at its narrowest.
        self.levels_row = QWidget()
        levels = QHBoxLayout(self.levels_row)
        levels.setContentsMargins(0, 0, 0, 0)
        levels.setSpacing(6)
        levels.addWidget(self.label)
        levels.addWidget(self.max_spin)
        levels.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.check, 0, Qt.AlignmentFlag.AlignLeft)  # as wide as its text
        layout.addWidget(self.levels_row)
        self.show_run(RunSettings())
        self.check.toggled.connect(self._toggled)
        self.max_spin.valueChanged.connect(self.changed)

    def is_on(self) -> bool:
        return self.check.isChecked()

    def apply(self, run: RunSettings) -> RunSettings:
        """`run` as the switch says: a knee search up to the spin box's level, or a sweep."""
        if not self.is_on():
            return msgspec.structs.replace(run, search="none")
        return msgspec.structs.replace(run, search="knee", max_concurrency=self.max_spin.value())

    def show_run(self, run: RunSettings) -> None:
        self.max_spin.setValue(run.max_concurrency)
        self.check.setChecked(run.search == "knee")
        self._toggled(self.check.isChecked())

    def summary(self, plan: Plan) -> str:
        """The panel's request count line for a knee search (it stops at the knee, sooner)."""
        return f"≤ {plan.total_requests()} requests · concurrency 1, 2, 4 … {plan.levels()[-1]}"

    def _toggled(self, on: bool) -> None:
        self.levels_row.setVisible(on)
        self._concurrency.setEnabled(not on)
        self._concurrency.setToolTip("A knee search picks its own levels" if on else "")
        self.changed.emit()
