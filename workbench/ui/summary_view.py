"""The Summary tab: a row per cell, refreshed live (throttled, computed off the Qt thread),
and the findings sentences once the run is over."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.analysis import AnalysisOptions, CellMetrics, analyze, group_by_cell
from workbench.core.analysis import measure_cell as _measure_cell
from workbench.core.records import Sample
from workbench.ui.live import LiveRun

log = logging.getLogger(__name__)
REFRESH_MS = 1000
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
    ("Length CV", "Coefficient of variation of the length (sd / mean)"),
    ("Distinct", "Distinct outputs among the OK responses"),
    ("Similarity", "Mean pairwise word similarity (1 = identical)"),
)


def measure_cells(samples: Sequence[Sample]) -> list[CellMetrics]:
    """Per-cell metrics without effects (cheap enough to repeat during a run)."""
    return [_measure_cell(key, attempts)[0] for key, attempts in group_by_cell(samples).items()]


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def cell_row(cell: CellMetrics) -> list[str]:
    t = cell.timings
    return [
        f"c={cell.key.level}" + (f" · {cell.key.variant}" if cell.key.variant != "base" else ""),
        str(cell.outcomes.ok),
        str(cell.outcomes.error),
        _ms(t.ttft_ms.p50),
        _ms(t.ttft_ms.p95),
        _ms(t.e2e_ms.p50),
        _ms(t.e2e_ms.p95),
        _num(t.tokens_per_s.p50, 1),
        _num(cell.lengths.chars.mean, 0),
        _num(cell.lengths.chars.cv),
        str(cell.agreement.distinct_outputs),
        _num(cell.similarity.mean),
    ]


class SummaryView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("summaryTable")
        self.table.setAccessibleName("Summary per cell")
        for column, (title, tip) in enumerate(COLUMNS):
            header = QTableWidgetItem(title)
            header.setToolTip(tip)
            self.table.setHorizontalHeaderItem(column, header)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.findings = QLabel()
        self.findings.setObjectName("findingsLabel")
        self.findings.setWordWrap(True)
        self.findings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        findings_title = QLabel("Findings")
        findings_title.setObjectName("sectionTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.table, 3)
        layout.addWidget(findings_title)
        layout.addWidget(self.findings, 1)
        self.run: LiveRun | None = None
        self._dirty = False
        self._task: asyncio.Task[None] | None = None
        self._final_done = False
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh_if_due)
        self._timer.start()
        self.findings.setText("Findings appear here when a run has finished.")

    def set_run(self, run: LiveRun) -> None:
        self.run = run
        self._final_done = False
        self.table.setRowCount(0)
        self.findings.setText("Findings appear here when the run has finished.")

    def mark_dirty(self) -> None:
        self._dirty = True

    def run_finished(self) -> None:
        self._dirty = True
        self._refresh(final=True)

    def _refresh_if_due(self) -> None:
        if self._dirty and self.isVisible():
            self._refresh(final=False)

    def _refresh(self, *, final: bool) -> None:
        if self.run is None:
            return
        if self._task is not None and not self._task.done():
            if final:  # run the final analysis after the live one in progress
                self._task.add_done_callback(lambda _t: self._refresh(final=True))
            return
        self._dirty = False
        self._task = asyncio.ensure_future(self._compute(self.run, final))

    async def _compute(self, run: LiveRun, final: bool) -> None:
        samples = run.samples()
        if not samples:
            return
        try:
            if final:
                report = await asyncio.to_thread(
                    analyze, samples, AnalysisOptions(resamples=1000)
                )
                cells, findings = report.cells, report.findings
            else:
                cells, findings = await asyncio.to_thread(measure_cells, samples), None
        except Exception:  # analysis must never take the window down
            log.exception("summary analysis failed")
            return
        if run is not self.run:
            return  # a newer run started meanwhile
        self._show(cells)
        if findings is not None:
            self._final_done = True
            self.findings.setText(
                "\n".join(f"• {f}" for f in findings)
                if findings else "No detectable change between the levels."
            )

    def _show(self, cells: list[CellMetrics]) -> None:
        self.table.setRowCount(len(cells))
        for row, cell in enumerate(cells):
            for column, text in enumerate(cell_row(cell)):
                item = self.table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    if column:
                        item.setTextAlignment(
                            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                    self.table.setItem(row, column, item)
                item.setText(text)
            first = self.table.item(row, 0)
            if first is not None:
                first.setToolTip(cell.label)
