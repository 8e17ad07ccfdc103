"""Sort, filter and diff controls above the response cards."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from workbench.viewmodel.live import ResponseState

SORTS = (
    ("Start order", "order"),
    ("Level", "level"),
    ("Longest first", "length_desc"),
    ("Shortest first", "length_asc"),
    ("Least similar first", "similarity"),
    ("Fastest TTFT", "ttft"),
    ("Fastest E2E", "e2e"),
)
OUTCOMES: tuple[tuple[str, ResponseState | None], ...] = (
    ("All outcomes", None),
    ("OK", "ok"),
    ("Errors", "error"),
    ("Streaming", "running"),
    ("Cancelled", "cancelled"),
)


class ResponsesToolbar(QWidget):
    changed = Signal()  # which cards, in which order
    display_changed = Signal()  # how cards are drawn
    use_medoid = Signal()
    similarity_tint_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responsesToolbar")
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("sortCombo")
        self.sort_combo.setAccessibleName("Sort responses")
        self.sort_combo.setToolTip("Sort the responses")
        for label, key in SORTS:
            self.sort_combo.addItem(label, key)
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("levelFilter")
        self.level_combo.setAccessibleName("Filter by concurrency level")
        self.level_combo.addItem("All levels", None)
        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("outcomeFilter")
        self.outcome_combo.setAccessibleName("Filter by outcome")
        for label, state in OUTCOMES:
            self.outcome_combo.addItem(label, state)
        self.length_spin = QSpinBox()
        self.length_spin.setObjectName("minLengthFilter")
        self.length_spin.setAccessibleName("Minimum length in characters")
        self.length_spin.setRange(0, 10_000_000)
        self.length_spin.setSingleStep(100)
        self.length_spin.setPrefix("≥ ")
        self.length_spin.setSuffix(" chars")
        self.length_spin.setSpecialValueText("any length")
        self.similarity_spin = QDoubleSpinBox()
        self.similarity_spin.setObjectName("similarityFilter")
        self.similarity_spin.setAccessibleName("Maximum similarity to the baseline")
        self.similarity_spin.setRange(0.0, 1.0)
        self.similarity_spin.setSingleStep(0.05)
        self.similarity_spin.setValue(1.0)
        self.similarity_spin.setPrefix("sim ≤ ")
        self.similarity_spin.setToolTip("Show only responses at most this similar to the baseline")
        self.highlight_check = QCheckBox("Diff")
        self.highlight_check.setObjectName("diffToggle")
        self.highlight_check.setToolTip("Highlight the words that differ from the baseline")
        self.highlight_check.setChecked(True)
        self.only_check = QCheckBox("Changes only")
        self.only_check.setObjectName("onlyChangesToggle")
        self.only_check.setToolTip("Collapse the text both responses share")
        self.tint_check = QCheckBox("Tint")
        self.tint_check.setObjectName("similarityTintToggle")
        self.tint_check.setToolTip(
            "Colour each card's left edge by its similarity to the baseline: warm = unlike "
            "it, cool = nearly the same (needs Diff on)"
        )
        self.baseline_label = QLabel()
        self.baseline_label.setObjectName("baselineLabel")
        self.medoid_button = QPushButton("Use medoid")
        self.medoid_button.setObjectName("medoidButton")
        self.medoid_button.setToolTip("Make the most typical response the baseline again")

        for combo in (self.sort_combo, self.level_combo, self.outcome_combo):
            # Shrinkable: the toolbar must fit beside the panel on a 1280-pixel screen.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(5)
        self.length_spin.setMaximumWidth(104)
        self.similarity_spin.setMaximumWidth(94)
        # The baseline label gives way first when the window is narrow.
        self.baseline_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.baseline_label.setMinimumWidth(60)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(6)
        self.sort_combo.setMinimumContentsLength(8)
        layout.addWidget(self.sort_combo)
        layout.addSpacing(8)
        for widget in (self.level_combo, self.outcome_combo, self.length_spin,
                       self.similarity_spin):
            layout.addWidget(widget)
        layout.addSpacing(8)
        layout.addWidget(self.highlight_check)
        layout.addWidget(self.only_check)
        layout.addWidget(self.tint_check)
        layout.addSpacing(8)
        layout.addWidget(self.baseline_label, 1)
        layout.addWidget(self.medoid_button)

        for combo in (self.sort_combo, self.level_combo, self.outcome_combo):
            combo.currentIndexChanged.connect(self.changed)
        self.length_spin.valueChanged.connect(self.changed)
        self.similarity_spin.valueChanged.connect(self.changed)
        self.highlight_check.toggled.connect(self._highlight_toggled)
        self.only_check.toggled.connect(self.display_changed)
        self.tint_check.toggled.connect(self.similarity_tint_toggled)
        self.medoid_button.clicked.connect(self.use_medoid)
        self.set_baseline_text(None, auto=True)

    def _highlight_toggled(self, on: bool) -> None:
        self.only_check.setEnabled(on)
        self.display_changed.emit()

    def set_levels(self, levels: list[int]) -> None:
        current = self.level_combo.currentData()
        self.level_combo.blockSignals(True)
        self.level_combo.clear()
        self.level_combo.addItem("All levels", None)
        for level in levels:
            self.level_combo.addItem(f"c = {level}", level)
        index = self.level_combo.findData(current)
        self.level_combo.setCurrentIndex(max(0, index))
        self.level_combo.blockSignals(False)

    def set_baseline_text(self, item_id: int | None, *, auto: bool) -> None:
        if item_id is None:
            self.baseline_label.setText("Baseline: medoid")
        else:
            self.baseline_label.setText(f"Baseline #{item_id}" + (" · medoid" if auto else ""))
        self.baseline_label.setToolTip(
            "Every card is diffed against this response"
            + (": the medoid, the most typical response" if auto else "")
        )
        self.medoid_button.setVisible(not auto)

    def sort_key(self) -> str:
        return str(self.sort_combo.currentData())

    def level_filter(self) -> int | None:
        value = self.level_combo.currentData()
        return int(value) if value is not None else None

    def outcome_filter(self) -> ResponseState | None:
        value: ResponseState | None = self.outcome_combo.currentData()
        return value

    def min_length(self) -> int:
        return self.length_spin.value()

    def similarity_limit(self) -> float:
        return self.similarity_spin.value()

    def highlight(self) -> bool:
        return self.highlight_check.isChecked()

    def only_changes(self) -> bool:
        return self.highlight_check.isChecked() and self.only_check.isChecked()

    def is_default_view(self) -> bool:
        """Start order, nothing filtered: new cards can simply be appended."""
        return (
            self.sort_key() == "order"
            and self.level_filter() is None
            and self.outcome_filter() is None
            and self.min_length() == 0
            and self.similarity_limit() >= 1
        )
