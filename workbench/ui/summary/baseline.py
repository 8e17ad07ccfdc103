"""The Summary tab's "Baseline variant" picker: which phrasing the others' effects are
measured against. Shown when the analysis compares variants (one level, several variants
or a phrasing matrix); a choice re-runs the analysis off the Qt thread (`AnalysisFeed`)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from workbench.core.analysis import CellMetrics
from workbench.core.plan_variants import split_matrix_name


def phrasings(cells: Sequence[CellMetrics]) -> list[str]:
    """The variants (a matrix cell's phrasing, without its variable values) in cell order."""
    return list(dict.fromkeys(split_matrix_name(c.variant)[0] for c in cells))


class BaselinePicker(QWidget):
    chosen = Signal(str)  # a variant name, picked by the user

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName("baselineVariantCombo")
        self.combo.setAccessibleName("Baseline variant")
        self.combo.setToolTip("The variant the others are compared with in the effects")
        label = QLabel("Baseline variant")
        label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.combo, 1)
        self.combo.activated.connect(lambda index: self.chosen.emit(self.combo.itemText(index)))
        self.setVisible(False)

    def show_variants(self, names: Sequence[str], current: str | None) -> None:
        """List `names` with `current` selected (without emitting); hidden for fewer than 2."""
        if [self.combo.itemText(i) for i in range(self.combo.count())] != list(names):
            self.combo.clear()
            self.combo.addItems(list(names))
        if current is not None and (index := self.combo.findText(current)) >= 0:
            self.combo.setCurrentIndex(index)
        self.setVisible(len(names) >= 2)
