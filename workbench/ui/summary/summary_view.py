"""The Summary tab: a row per cell (timings, length, agreement, similarity, cost), the
findings sentences and the effects table. Fed by the shared, throttled `AnalysisFeed`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.analysis import (
    METRICS_BY_KEY,
    AnalysisReport,
    CellMetrics,
    Effect,
    divergence_cell,
)
from workbench.core.cost import CellCost, ProfileLookup, cell_costs
from workbench.core.endpoints import EndpointProfile
from workbench.core.format import (
    NO_PRICES,
    duration_ms,
    effect_change,
    effect_interval,
    fixed,
    percent,
    usd,
)
from workbench.ui.runtime.analysis_feed import AnalysisFeed, AnalysisUpdate
from workbench.ui.runtime.tasks import TaskManager
from workbench.ui.summary.baseline import BaselinePicker, phrasings
from workbench.viewmodel.live import LiveRun

COLUMNS = (
    ("Cell", "Endpoint, model and concurrency level"),
    ("OK", "Responses that succeeded"),
    ("Errors", "Requests that failed"),
    ("TTFT p50", "Time to first token, median"),
    ("TTFT p95", "Time to first token, 95th percentile"),
    ("E2E p50", "End-to-end latency, median"),
    ("E2E p95", "End-to-end latency, 95th percentile"),
    ("Tok/s", "Output tokens per second of decoding, median per request"),
    ("Length", "Mean length in characters"),
    ("CV", "Coefficient of variation of the length (sd / mean)"),
    ("Distinct", "Distinct outputs among the OK responses"),
    ("Effective", "Effective number of genuinely different answers (Vendi score on the "
                  "similarity): near k when the responses are k answers reworded"),
    ("Modal", "Modal agreement: the share of responses in the largest answer cluster "
              "(clusters of similar responses at the threshold set beside the Responses "
              "tab's grouping; see docs/analysis.md)"),
    ("TARr", "Total agreement rate: 1 when every raw output of the cell is identical"),
    ("Similarity", "Mean pairwise similarity (1 = identical): by words, or by meaning with "
                   "Edit > Semantic similarity model folder…"),
    ("Diverges at", "Median word at which a response first departs from the most typical "
                    "one (the medoid), over those not identical to it; at temperature 0 any "
                    "departure is nondeterminism (see the Variation plots)"),
    ("Queued", "Share of requests the server kept waiting (keep-alives before the "
                     "first token): a sign of hitting its capacity"),
    ("Cut off", "Share of responses cut off at the token limit (finish_reason length)"),
    ("Cost", "Prompt and completion tokens priced with the endpoint profile's prices "
             "(shown only when a profile has prices)"),
)
COST_COLUMN = len(COLUMNS) - 1
EFFECT_COLUMNS = (
    ("Metric", "What is compared"),
    ("Level", "The level against the baseline level"),
    ("Change", "Relative change from the baseline; percentage points (pp) for shares; in "
               "the metric's unit where the baseline is 0 or the relative interval unbounded"),
    ("95% CI", "Simultaneous 95% bootstrap interval of the change (Bonferroni over all "
               "comparisons): a finding when it excludes zero"),
    ("Verdict", "A finding, or no detectable change"),
)
NO_FINDINGS = "No detectable change between the levels."
ANALYSING = "Analysing {n:,} attempts… findings and similarity appear here when it is done."
# Columns core's cheap statistics (`quick_cells`) leave to the full analysis.
QUICK_PENDING = frozenset({"Effective", "Modal", "Similarity", "Diverges at", "Cost"})


def cell_name(cell: CellMetrics) -> str:
    return f"c={cell.level}" + (f" · {cell.variant}" if cell.variant != "base" else "")


def cell_row(cell: CellMetrics, cost: CellCost | None = None) -> list[str]:
    t = cell.timings
    return [
        cell_name(cell),
        str(cell.outcomes.ok),
        str(cell.outcomes.error),
        duration_ms(t.ttft_ms.p50),
        duration_ms(t.ttft_ms.p95),
        duration_ms(t.e2e_ms.p50),
        duration_ms(t.e2e_ms.p95),
        fixed(t.tokens_per_s.p50, 1),
        fixed(cell.lengths.chars.mean, 0),
        fixed(cell.lengths.chars.cv, 2),
        str(cell.agreement.distinct_outputs),
        fixed(cell.diversity.vendi, 1),
        percent(cell.diversity.modal_agreement),
        fixed(cell.agreement.tar_raw, 0),
        fixed(cell.similarity.mean, 2),
        divergence_cell(cell.similarity),
        percent(cell.queue_signal.share),
        percent(cell.lengths.length_cut_share),
        usd(cost.usd if cost is not None else None),
    ]


def effect_row(effect: Effect) -> list[str]:
    spec = METRICS_BY_KEY.get(effect.metric)
    verdict = ("finding" if effect.significant else effect.summary)
    return [
        spec.label if spec is not None else effect.metric,
        f"{effect.level} vs {effect.baseline}",
        effect_change(effect),
        effect_interval(effect),
        verdict,
    ]


def _table(columns: Sequence[tuple[str, str]], name: str, accessible: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    for column, (title, tip) in enumerate(columns):
        header = QTableWidgetItem(title)
        header.setToolTip(tip)
        table.setHorizontalHeaderItem(column, header)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    return table


def _set_row(table: QTableWidget, row: int, texts: Sequence[str], *, align_from: int) -> None:
    for column, text in enumerate(texts):
        item = table.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            if column >= align_from:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, column, item)
        if item.text() != text:
            item.setText(text)


class SummaryView(QWidget):
    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryView")
        self.analysis = AnalysisFeed(tasks, self)
        self.analysis.watch(self)
        self.analysis.updated.connect(self._on_analysis)
        self._profile_lookup: ProfileLookup = lambda _name: None
        self.run: LiveRun | None = None

        self.table = _table(COLUMNS, "summaryTable", "Summary per cell")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(44)
        self.total_label = QLabel()
        self.total_label.setObjectName("costTotal")
        self.total_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.findings = QLabel()
        self.findings.setObjectName("findingsLabel")
        self.findings.setWordWrap(True)
        self.findings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.findings.setAccessibleName("Findings")
        self.effects = _table(EFFECT_COLUMNS, "effectsTable", "Effects of the concurrency level")
        eff_header = self.effects.horizontalHeader()
        eff_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        eff_header.setStretchLastSection(True)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(4)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.total_label)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        findings_scroll = QScrollArea()
        findings_scroll.setWidgetResizable(True)
        findings_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        findings_scroll.setWidget(self.findings)
        bottom.addWidget(_titled("Findings", findings_scroll))
        self.baseline_picker = BaselinePicker()
        self.baseline_picker.chosen.connect(self.analysis.set_baseline)
        effects_box = _titled("Effects against the baseline level", self.effects,
                              self.baseline_picker)
        self.effects_title = effects_box.findChild(QLabel, "sectionTitle")
        bottom.addWidget(effects_box)
        bottom.setStretchFactor(0, 1)
        bottom.setStretchFactor(1, 1)
        bottom.setChildrenCollapsible(False)
        bottom.setSizes([10_000, 10_000])  # half for the findings, half for the effects
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("summarySplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        # A few cells, many findings and effects: the lower half gets the room.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.splitter)
        self.findings.setText("Findings appear here when a run has finished.")

    # --- wiring (main window) -------------------------------------------------------------

    def set_profiles(self, lookup: Callable[[str], EndpointProfile]) -> None:
        """How to find a cell's endpoint profile by name (for its prices), e.g.
        `ProfileStore.get`; a lookup that raises means no prices."""

        def safe(name: str) -> EndpointProfile | None:
            try:
                return lookup(name)
            except Exception:  # an unknown or unreadable profile: no cost, not a crash
                return None

        self._profile_lookup = safe

    def set_run(self, run: LiveRun) -> None:
        self.run = run
        self.analysis.set_run(run)
        self.table.setRowCount(0)
        self.effects.setRowCount(0)
        self.total_label.clear()
        self.findings.setText("Findings appear here when the run has finished.")

    def mark_dirty(self) -> None:
        self.analysis.mark_dirty()

    def run_finished(self) -> None:
        self.analysis.run_finished()

    def show_quick(self, cells: Sequence[CellMetrics]) -> None:
        """A first table from core's cheap per-cell statistics (`quick_cells`) of the shown
        run, the columns they lack reading "…"; the run's own analysis replaces it (and
        a quick table arriving after that analysis is ignored)."""
        latest = self.analysis.latest
        if latest is not None and latest.run is self.run:
            return
        pending = {i for i, (title, _) in enumerate(COLUMNS) if title in QUICK_PENDING}
        self.table.setRowCount(len(cells))
        for row, cell in enumerate(cells):
            texts = ["…" if i in pending else text for i, text in enumerate(cell_row(cell))]
            _set_row(self.table, row, texts, align_from=1)
            first = self.table.item(row, 0)
            if first is not None:
                first.setToolTip(cell.label)
        self.total_label.clear()
        attempts = sum(cell.outcomes.attempts for cell in cells)
        self.findings.setText(ANALYSING.format(n=attempts))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.analysis.request()

    # --- showing --------------------------------------------------------------------------

    def _on_analysis(self, update: AnalysisUpdate) -> None:
        if update.run is not self.run:
            return
        report = update.report
        costs = cell_costs(update.samples, self._profile_lookup)
        self.table.setRowCount(len(report.cells))
        for row, cell in enumerate(report.cells):
            _set_row(self.table, row, cell_row(cell, costs.cells.get(cell.label)), align_from=1)
            first = self.table.item(row, 0)
            if first is not None:
                first.setToolTip(cell.label)  # endpoint, model, variant, level in full
        # Cost only where prices are known: no column of zeros or dashes, one note instead.
        priced = costs.usd is not None
        self.table.setColumnHidden(COST_COLUMN, not priced)
        self.total_label.setText(
            f"Total: {costs.requests} requests, {costs.prompt_tokens:,} prompt + "
            f"{costs.completion_tokens:,} completion tokens · "
            + (f"cost {usd(costs.usd)}" if priced else f"cost not shown: {NO_PRICES}")
            + (" (some usage not reported)" if costs.unknown else "")
            + ("" if report.similarity_measure == "words"
               else f" · similarity by {report.similarity_measure}")
        )
        self._show_effects(report.effects)
        self._show_factor(report)
        if update.final:
            none = NO_FINDINGS.replace("levels", "variants" if report.factor == "variant"
                                       else "levels")
            self.findings.setText(
                ("\n".join(f"• {f}" for f in report.findings) if report.findings else none)
                + _phrasing_note(report)
            )
        elif report.findings:
            self.findings.setText(
                "So far (the run is still going):\n"
                + "\n".join(f"• {f}" for f in report.findings)
            )

    def _show_factor(self, report: AnalysisReport) -> None:
        """Title the effects by their factor; the baseline picker for variants."""
        by_variant = report.factor == "variant"
        if self.effects_title is not None:
            what = "variant" if by_variant else "level"
            self.effects_title.setText(f"Effects against the baseline {what}")
        if by_variant:
            current = str(report.effects[0].baseline) if report.effects else None
            self.baseline_picker.show_variants(phrasings(report.cells), current)
        else:
            self.baseline_picker.setVisible(False)

    def _show_effects(self, effects: Sequence[Effect]) -> None:
        # Findings first, then the rest in metric order.
        ordered = sorted(effects, key=lambda e: not e.significant)
        self.effects.setRowCount(len(ordered))
        bold = QFont(self.effects.font())
        bold.setBold(True)
        for row, effect in enumerate(ordered):
            _set_row(self.effects, row, effect_row(effect), align_from=2)
            verdict = self.effects.item(row, 4)
            if verdict is not None:
                verdict.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                verdict.setFont(bold if effect.significant else self.effects.font())
                verdict.setToolTip(effect.summary)


def _phrasing_note(report: AnalysisReport) -> str:
    """The phrasing decomposition when it is no finding (a finding is listed already)."""
    effect = report.phrasing
    return "" if effect is None or effect.significant else f"\n\nPhrasing: {effect.summary}"


def _titled(title: str, body: QWidget, under_title: QWidget | None = None) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 6, 0, 0)
    layout.setSpacing(4)
    label = QLabel(title)
    label.setObjectName("sectionTitle")
    layout.addWidget(label)
    if under_title is not None:
        layout.addWidget(under_title)
    layout.addWidget(body, 1)
    return box
