"""Opening a session file in the window: the one code path behind File > Open, Recent
sessions, drag and drop and `workbench FILE`.

Reading the file and rebuilding the run happen in a worker thread. The Qt thread only hands
the finished run to the bridge and fills the views. The Summary tab's full analysis
(findings, similarity) takes about 20 s for 100,000 attempts, so a quick table of the cheap
columns (counts, timing percentiles, lengths, distinct outputs) is shown at once. The
Summary view replaces it when its own analysis finishes; until then the findings line
says "Analysing…". benchmarks/session_scale.py measures this path at 100k attempts.
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem

from workbench.core.journal import LoadedSession, load_session
from workbench.core.records import Sample
from workbench.viewmodel.live import LiveRun, run_from_session

if TYPE_CHECKING:
    from workbench.ui.window.main_window import MainWindow

APP_TITLE = "Prompt Stress Workbench"
ANALYSING = "Analysing {n:,} attempts… findings and similarity appear here when it is done."


@dataclass(slots=True)
class OpenedSession:
    """A session read from its file, with the run the views show and a quick summary."""

    session: LoadedSession
    run: LiveRun
    quick_rows: list[dict[str, str]]  # Summary column title -> text

    @property
    def path(self) -> Path:
        return self.session.path


def read_session(path: Path) -> OpenedSession:
    """Blocking: load, rebuild the run and compute the quick summary. Raises
    SessionFileError (the message names file, line and field)."""
    session = load_session(path)
    # Like load_session: ~100k new objects with no cycles; the collector's repeated scans
    # of them tripled the rebuild time (2.1 s -> 0.7 s for 100k attempts).
    collecting = gc.isenabled()
    gc.disable()
    try:
        run = run_from_session(session)
        rows = quick_summary_rows(session.samples)
    finally:
        if collecting:
            gc.enable()
    return OpenedSession(session, run, rows)


async def read_session_async(path: Path) -> OpenedSession:
    return await asyncio.to_thread(read_session, path)


def show_in_window(window: MainWindow, opened: OpenedSession) -> list[str]:
    """Show an opened session: responses, plots, summary, the plan in the left panel and
    the file name in the title. Returns notes for the status bar (loader warnings first)."""
    window.bridge.load(opened.run)
    notes = list(opened.session.warnings)
    notes += window.params.load_plan(opened.session.header.plan)
    window.setWindowTitle(f"{opened.path.name} — {APP_TITLE}")
    show_quick_summary(window, opened)
    if window.tabs.currentIndex() == window.tabs.indexOf(window.plots):
        window.plots.redraw()
    # The reopened run's objects need no more cyclic-GC scans (see RunController.start).
    gc.freeze()
    return notes


# --- the quick summary ------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _percentiles(values: list[float], *qs: float) -> list[float | None]:
    if not values:
        return [None] * len(qs)
    found = np.percentile(np.asarray(values, dtype=np.float64), qs)
    return [float(v) for v in found]


def quick_summary_rows(samples: list[Sample]) -> list[dict[str, str]]:
    """The Summary table's rows from cheap statistics only (no text features, no pairwise
    similarity): one row per (level, variant), final attempts only, keyed by the Summary
    tab's column titles; columns not computed here read "…" until the full analysis
    replaces the rows."""
    retried = {s.retry_of for s in samples if s.retry_of is not None}
    cells: dict[tuple[int, str], list[Sample]] = {}
    for sample in samples:
        if sample.id not in retried:
            cells.setdefault((sample.cell.level, sample.cell.variant), []).append(sample)
    rows = []
    for (level, variant), group in sorted(cells.items()):
        ok = [s for s in group if s.outcome == "ok"]
        ttft = [s.timing.ttft_ns / 1e6 for s in ok if s.timing.ttft_ns is not None]
        e2e = [s.timing.e2e_ns / 1e6 for s in ok if s.timing.e2e_ns is not None]
        rates = [
            s.output_tokens / ((s.timing.e2e_ns - s.timing.ttft_ns) / 1e9)
            for s in ok
            if s.output_tokens and s.timing.e2e_ns is not None and s.timing.ttft_ns is not None
            and s.timing.e2e_ns > s.timing.ttft_ns
        ]
        lengths = np.asarray([len(s.text) for s in ok], dtype=np.float64)
        mean = float(lengths.mean()) if lengths.size else None
        cv = (
            float(lengths.std(ddof=1) / mean) if lengths.size > 1 and mean else None
        )
        distinct = len({s.text for s in ok})
        cut = sum(1 for s in ok if s.finish_reason in ("length", "max_tokens"))
        ttft50, ttft95 = _percentiles(ttft, 50, 95)
        e2e50, e2e95 = _percentiles(e2e, 50, 95)
        (rate50,) = _percentiles(rates, 50)
        rows.append({
            "Cell": f"c={level}" + (f" · {variant}" if variant != "base" else ""),
            "OK": str(len(ok)),
            "Errors": str(sum(1 for s in group if s.outcome == "error")),
            "TTFT p50": _ms(ttft50), "TTFT p95": _ms(ttft95),
            "E2E p50": _ms(e2e50), "E2E p95": _ms(e2e95),
            "Tok/s": _num(rate50, 1), "Length": _num(mean, 0),
            "Length CV": _num(cv), "CV": _num(cv),  # the column's title, before and after
            "Distinct": str(distinct),
            "TARr": "–" if len(ok) < 2 else ("1" if distinct == 1 else "0"),
            "Cut off": "–" if not ok else f"{100 * cut / len(ok):.0f}%",
        })
    return rows


def show_quick_summary(window: MainWindow, opened: OpenedSession) -> None:
    """Fill the Summary table now, unless its own analysis already did."""
    summary = window.summary
    table = summary.table
    if table.rowCount():
        return
    titles = [
        header.text() if (header := table.horizontalHeaderItem(column)) else ""
        for column in range(table.columnCount())
    ]
    table.setRowCount(len(opened.quick_rows))
    for row, texts in enumerate(opened.quick_rows):
        for column, title in enumerate(titles):
            item = QTableWidgetItem(texts.get(title, "…"))
            if column:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, column, item)
    summary.findings.setText(ANALYSING.format(n=len(opened.session.samples)))
