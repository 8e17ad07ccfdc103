"""File > Compare sessions…: two session files side by side with the same effect statistics as
a concurrency sweep (core.compare.compare_sessions), in a non-modal window.

Loading and the analysis run in worker threads (seconds for large sessions); the window
stays usable and the dialog shows "Comparing…" meanwhile.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.analysis import (
    EFFECT_METRICS,
    AnalysisOptions,
    AnalysisReport,
    CellMetrics,
    Effect,
    SimilarityMeasure,
)
from workbench.core.compare import DIVERSITY_MEASURES, compare_sessions, diversity_rows
from workbench.core.format import (
    DASH,
    duration_ms,
    effect_change,
    effect_interval,
    fixed,
    magnitude,
)
from workbench.core.journal import SessionFileError, load_session
from workbench.ui.runtime.tasks import TaskManager

log = logging.getLogger(__name__)
_dialog_numbers = itertools.count(1)  # each dialog compares in its own task slot
METRIC_LABELS = {spec.key: spec.label for spec in EFFECT_METRICS}
EFFECT_COLUMNS = ("Metric", "Baseline", "Compared", "Change", "95% CI", "Verdict")
CELL_COLUMNS = ("Session", "Cell", "OK", "Errors", "TTFT p50", "E2E p50", "E2E p95",
                "Length", "Length CV", "Distinct", "Similarity")
DIVERSITY_TIPS = {
    "Effective answers (Vendi)": "Effective number of genuinely different answers (Vendi "
    "score): near k when the responses are k answers reworded",
    "Answer clusters": "Groups of responses alike enough to be one answer",
    "Semantic entropy (nats)": "Entropy of the cluster shares: 0 when every response is one "
    "answer",
    "Modal agreement": "The largest cluster's share of the responses",
}


def _value(value: float | None) -> str:
    # Metric values differ in scale (0.42 similarity, 1,240 ms): enough digits for each.
    return DASH if value is None else ("-" if value < 0 else "") + magnitude(value)


def effect_row(effect: Effect) -> list[str]:
    return [
        METRIC_LABELS.get(effect.metric, effect.metric)
        + (f" · {effect.group}" if effect.group else ""),
        f"{effect.baseline}: {_value(effect.baseline_value)}",
        f"{effect.level}: {_value(effect.level_value)}",
        effect_change(effect),
        effect_interval(effect),
        "changed" if effect.significant else "no detectable change",
    ]


def cell_row(cell: CellMetrics) -> list[str]:
    t = cell.timings
    return [
        cell.source,
        f"c={cell.level}" + (f" · {cell.variant}" if cell.variant != "base" else ""),
        str(cell.outcomes.ok),
        str(cell.outcomes.error),
        duration_ms(t.ttft_ms.p50),
        duration_ms(t.e2e_ms.p50),
        duration_ms(t.e2e_ms.p95),
        _value(cell.lengths.chars.mean),
        fixed(cell.lengths.chars.cv, 2),
        str(cell.agreement.distinct_outputs),
        fixed(cell.similarity.mean, 2),
    ]


def _table(name: str, columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], tips: list[str] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if tips is not None:
                item.setToolTip(tips[r])
            table.setItem(r, c, item)


def compare_files(
    a: Path, b: Path, similarity: SimilarityMeasure | None = None
) -> AnalysisReport:
    """Blocking: load both files and compare B against A. Raises SessionFileError."""
    first, second = load_session(a), load_session(b)
    # Short labels: the dialog's file fields say which file is A and which is B.
    return compare_sessions(
        first, second, labels=("A", "B"), options=AnalysisOptions(similarity=similarity)
    )


class CompareDialog(QDialog):
    """Pick two session files (A defaults to the window's session) and compare them."""

    def __init__(
        self, tasks: TaskManager, first: Path | None, parent: QWidget | None = None,
        similarity: SimilarityMeasure | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.similarity = similarity  # the window's: both compare alike
        self.setWindowTitle("Compare sessions")
        self.setModal(False)
        self.resize(1100, 720)
        self.report: AnalysisReport | None = None
        self._slot = tasks.slot(f"compare sessions {next(_dialog_numbers)}")
        self._pickers: list[QFileDialog] = []

        self.first_edit = QLineEdit(str(first) if first else "")
        self.first_edit.setObjectName("compareFirst")
        self.first_edit.setPlaceholderText("the baseline session file (.jsonl)")
        self.second_edit = QLineEdit()
        self.second_edit.setObjectName("compareSecond")
        self.second_edit.setPlaceholderText("the session to compare with it (.jsonl)")
        self.compare_button = QPushButton("Compare")
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setDefault(True)
        self.status = QLabel("Choose two session files, then Compare.")
        self.status.setObjectName("compareStatus")
        self.status.setWordWrap(True)
        self.findings = QLabel()
        self.findings.setObjectName("compareFindings")
        self.findings.setWordWrap(True)
        self.findings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.effects = _table("compareEffects", EFFECT_COLUMNS)
        self.cells = _table("compareCells", CELL_COLUMNS)
        self.diversity = _table(
            "compareDiversity", ("Cell", *(f"{m} A → B" for m, _, _ in DIVERSITY_MEASURES))
        )
        for index, (measure, _, _) in enumerate(DIVERSITY_MEASURES, start=1):
            header = self.diversity.horizontalHeaderItem(index)
            if header is not None:
                header.setToolTip(DIVERSITY_TIPS[measure])

        pick = QGridLayout()
        for row, (label, edit) in enumerate(
            (("Baseline (A)", self.first_edit), ("Compared (B)", self.second_edit))
        ):
            browse = QPushButton("Browse…")
            browse.clicked.connect(lambda _=False, e=edit: self._browse(e))
            pick.addWidget(QLabel(label), row, 0)
            pick.addWidget(edit, row, 1)
            pick.addWidget(browse, row, 2)
        pick.addWidget(self.compare_button, 0, 3, 2, 1)
        pick.setColumnStretch(1, 1)

        results = QSplitter(Qt.Orientation.Vertical)
        results.setChildrenCollapsible(False)
        for title, widget in (("Findings", self.findings), ("Effects of B against A",
                              self.effects), ("Diversity of the answers", self.diversity),
                              ("Per cell", self.cells)):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 6, 0, 0)
            heading = QLabel(title)
            heading.setObjectName("sectionTitle")
            column.addWidget(heading)
            column.addWidget(widget, 1)
            results.addWidget(box)
        results.setSizes([110, 300, 120, 160])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(pick)
        layout.addWidget(self.status)
        layout.addWidget(results, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.compare_button.clicked.connect(self.start)

    @property
    def busy(self) -> bool:
        return self._slot.running

    def _browse(self, edit: QLineEdit) -> None:
        start = edit.text() or (self.first_edit.text() and str(Path(self.first_edit.text()).parent))
        dialog = QFileDialog(self, "Choose a session file", start or "")
        dialog.setNameFilters(["Sessions (*.jsonl)", "All files (*)"])
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(edit.setText)
        dialog.finished.connect(lambda _=0: self._pickers.remove(dialog))
        self._pickers.append(dialog)
        dialog.open()  # never exec(): no nested event loop under qasync

    def start(self) -> asyncio.Task[None] | None:
        """Compare the two chosen files (in worker threads). Returns the task."""
        texts = (self.first_edit.text().strip(), self.second_edit.text().strip())
        if not all(texts):
            self.status.setText("Choose both session files first.")
            return None
        if self.busy:
            return self._slot.task
        first, second = Path(texts[0]), Path(texts[1])
        self.compare_button.setEnabled(False)
        self.status.setText(f"Comparing {second.name} against {first.name}… (analysing in the "
                            "background; the window stays usable)")
        return self._slot.bind(self._compare(first, second))

    async def _compare(self, first: Path, second: Path) -> None:
        try:
            report = await asyncio.to_thread(compare_files, first, second, self.similarity)
        except (SessionFileError, ValueError) as exc:
            self.status.setText(f"Cannot compare: {exc}")
            return
        except Exception as exc:  # analysis must never take the window down
            log.exception("comparison failed")
            self.status.setText(f"The comparison failed: {exc}")
            return
        finally:
            self.compare_button.setEnabled(True)
        self.show_report(report)

    def show_report(self, report: AnalysisReport) -> None:
        self.report = report
        findings = report.findings or ["No detectable change between the two sessions."]
        self.findings.setText("\n".join(f"• {f}" for f in [*findings, *(
            f"Note: {w}" for w in report.warnings)]))
        effects = sorted(report.effects, key=lambda e: (not e.significant, e.metric))
        _fill(self.effects, [effect_row(e) for e in effects], [e.summary for e in effects])
        _fill(self.cells, [cell_row(c) for c in report.cells])
        # A row per shared cell: each measure as "A → B (change)".
        by_cell: dict[str, list[str]] = {}
        for r in diversity_rows(report, ("A", "B")):
            by_cell.setdefault(r.cell, [r.cell]).append(f"{r.a} → {r.b}  ({r.change})")
        _fill(self.diversity, list(by_cell.values()))
        significant = sum(1 for e in report.effects if e.significant)
        self.status.setText(
            f"{len(report.effects)} effects estimated, {significant} detectable "
            f"(simultaneous 95% CIs over {report.comparisons} comparisons, "
            f"{report.bootstrap_resamples:,} bootstrap resamples)."
        )
