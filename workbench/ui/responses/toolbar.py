"""Sort, filter, diff and grouping controls above the response cards."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.analysis import DEFAULT_CLUSTER_THRESHOLD
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
GROUPS = (("Ungrouped", "none"), ("By cluster", "cluster"), ("By variant", "variant"))
THRESHOLD_RANGE = (0.50, 0.99)
GROUP_KEY, THRESHOLD_KEY = "responses/group_by", "analysis/cluster_threshold"


class ResponsesToolbar(QWidget):
    changed = Signal()  # which cards, in which order
    display_changed = Signal()  # how cards are drawn
    use_medoid = Signal()
    similarity_tint_toggled = Signal(bool)
    grouping_changed = Signal()
    threshold_changed = Signal(float)
    recluster = Signal()

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
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("groupCombo")
        self.group_combo.setAccessibleName("Group responses")
        self.group_combo.setToolTip(
            "Group each cell's cards by answer cluster: responses alike enough to be the "
            "same answer, the largest cluster first, its medoid first"
        )
        for label, key in GROUPS:
            self.group_combo.addItem(label, key)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setObjectName("clusterThreshold")
        self.threshold_spin.setAccessibleName("Cluster threshold")
        self.threshold_spin.setRange(*THRESHOLD_RANGE)
        self.threshold_spin.setDecimals(2)
        self.threshold_spin.setSingleStep(0.01)
        self.threshold_spin.setValue(DEFAULT_CLUSTER_THRESHOLD)
        self.threshold_spin.setPrefix("alike ≥ ")
        self.threshold_spin.setToolTip(
            "Mean word similarity at which responses count as one answer (default "
            f"{DEFAULT_CLUSTER_THRESHOLD:.2f}; docs/analysis.md, Answer clusters). Also "
            "sets the Summary's Modal column."
        )
        self.recluster_button = QPushButton("Re-cluster")
        self.recluster_button.setObjectName("reclusterButton")
        self.recluster_button.setToolTip("Cluster the responses finished so far")
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
        self.threshold_spin.setMaximumWidth(98)
        self.group_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.group_status = QLabel()
        self.group_status.setObjectName("groupStatus")
        # The status gives way first when the window is narrow (its tooltip has it all).
        self.group_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.group_status.setMinimumWidth(60)
        self.cluster_controls = QWidget()  # shown only when grouped by cluster
        cluster_layout = QHBoxLayout(self.cluster_controls)
        cluster_layout.setContentsMargins(0, 0, 0, 0)
        cluster_layout.setSpacing(6)
        cluster_layout.addWidget(self.threshold_spin)
        cluster_layout.addWidget(self.recluster_button)
        cluster_layout.addWidget(self.group_status, 1)

        # Row one: which cards, in which order, drawn how. Row two: how they are grouped
        # and what they are diffed against.
        rows = QVBoxLayout(self)
        rows.setContentsMargins(10, 6, 10, 6)
        rows.setSpacing(5)
        layout = QHBoxLayout()
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
        layout.addStretch(1)
        second = QHBoxLayout()
        second.setSpacing(6)
        group_label = QLabel("Group by")
        group_label.setBuddy(self.group_combo)
        second.addWidget(group_label)
        second.addWidget(self.group_combo)
        second.addWidget(self.cluster_controls, 1)
        second.addStretch(0)
        second.addSpacing(8)
        second.addWidget(self.baseline_label)
        second.addWidget(self.medoid_button)
        rows.addLayout(layout)
        rows.addLayout(second)

        for combo in (self.sort_combo, self.level_combo, self.outcome_combo):
            combo.currentIndexChanged.connect(self.changed)
        self.length_spin.valueChanged.connect(self.changed)
        self.similarity_spin.valueChanged.connect(self.changed)
        self.highlight_check.toggled.connect(self._highlight_toggled)
        self.only_check.toggled.connect(self.display_changed)
        self.tint_check.toggled.connect(self.similarity_tint_toggled)
        self.medoid_button.clicked.connect(self.use_medoid)
        self.group_combo.currentIndexChanged.connect(self._grouping_toggled)
        self.threshold_spin.valueChanged.connect(self.threshold_changed)
        self.recluster_button.clicked.connect(self.recluster)
        self.set_baseline_text(None, auto=True)
        self._grouping_toggled()

    def _grouping_toggled(self) -> None:
        self.cluster_controls.setVisible(self.grouped())
        self.recluster_button.setVisible(False)  # the view shows it while a run is live
        self.grouping_changed.emit()

    def grouped(self) -> bool:
        return bool(self.group_combo.currentData() == "cluster")

    def set_grouped(self, grouped: bool) -> None:
        self.group_combo.setCurrentIndex(self.group_combo.findData(
            "cluster" if grouped else "none"))

    def by_variant(self) -> bool:
        """A row of cards per prompt variant (a run with several; see `set_levels`)."""
        return bool(self.group_combo.currentData() == "variant")

    def _offer_variants(self, several: bool) -> None:
        """Rows by variant for a run with several, while the cards are ungrouped (a phrasing
        matrix reads as rows of cards from the start); ungrouped again for a run with one."""
        if several and self.group_combo.currentData() == "none":
            self.group_combo.setCurrentIndex(self.group_combo.findData("variant"))
        elif not several and self.by_variant():
            self.group_combo.setCurrentIndex(self.group_combo.findData("none"))

    def cluster_threshold(self) -> float:
        return round(self.threshold_spin.value(), 2)

    def _highlight_toggled(self, on: bool) -> None:
        self.only_check.setEnabled(on)
        self.display_changed.emit()

    def set_levels(self, levels: list[int], variants: int = 1) -> None:
        """The run's levels for the filter; its number of prompt variants for the grouping."""
        self._offer_variants(variants > 1)
        current = self.level_combo.currentData()
        self.level_combo.blockSignals(True)
        self.level_combo.clear()
        self.level_combo.addItem("All levels", None)
        for level in levels:
            self.level_combo.addItem(f"c = {level}", level)
        index = self.level_combo.findData(current)
        self.level_combo.setCurrentIndex(max(0, index))
        self.level_combo.blockSignals(False)

    def set_baseline_text(self, item_id: int | None, *, auto: bool,
                          per_cluster: bool = False) -> None:
        if per_cluster:
            self.baseline_label.setText("Diffs: each cluster's medoid")
            self.baseline_label.setToolTip(
                "Grouped by cluster, every card is diffed against its cluster's medoid; "
                "make a card the baseline to diff them all against it"
            )
            self.medoid_button.setVisible(False)
            return
        if item_id is None:
            self.baseline_label.setText("Baseline: medoid")
        else:
            self.baseline_label.setText(f"Baseline #{item_id}" + (" · medoid" if auto else ""))
        self.baseline_label.setToolTip(
            "Every card is diffed against this response"
            + (": the medoid, the most typical response" if auto else "")
        )
        self.medoid_button.setVisible(not auto)

    def restore_state(self, settings: QSettings) -> None:
        try:
            threshold = float(str(settings.value(THRESHOLD_KEY, "")))
        except ValueError:
            threshold = self.cluster_threshold()
        self.threshold_spin.setValue(threshold)  # clamped to the spin box's range
        self.set_grouped(settings.value(GROUP_KEY) == "cluster")

    def save_state(self, settings: QSettings) -> None:
        settings.setValue(THRESHOLD_KEY, f"{self.cluster_threshold():.2f}")
        settings.setValue(GROUP_KEY, "cluster" if self.grouped() else "none")

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
            and not self.grouped()
            and not self.by_variant()
        )
