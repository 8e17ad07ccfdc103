"""File > Export session: the bytes of an HTML report, CSV or JSON export of a session.

Analysis, rendering and encoding run in worker threads; the report's plots are drawn on the
Qt thread (they are the window's own PlotsView, drawn offscreen).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QTimer

from workbench.core.analysis import AnalysisOptions, AnalysisReport, SimilarityMeasure, analyze
from workbench.core.journal import LoadedSession
from workbench.core.knee import knee_settings

if TYPE_CHECKING:
    # jinja2 and the report load with the first export, not with the window.
    from workbench.core.export import ReportPlot

ExportKind = Literal["html", "csv", "json"]
# Menu text, file-dialog filter, suffix.
EXPORTS: dict[ExportKind, tuple[str, str, str]] = {
    "html": ("&HTML report…", "HTML report (*.html)", ".html"),
    "csv": ("&CSV (one row per attempt)…", "CSV table (*.csv)", ".csv"),
    "json": ("&JSON (the whole session)…", "JSON document (*.json)", ".json"),
}
EXPORT_LABELS: dict[ExportKind, str] = {"html": "HTML report", "csv": "CSV", "json": "JSON"}


async def export_bytes(
    kind: ExportKind, session: LoadedSession, progress: Callable[[str], None],
    similarity: SimilarityMeasure | None = None,
) -> bytes:
    """The export's file contents; `progress` receives a line per step (for the status)."""
    from workbench.core.export import render_html_report, samples_csv, session_json

    if kind == "csv":
        return await asyncio.to_thread(samples_csv, session.samples)
    if kind == "json":
        return await asyncio.to_thread(session_json, session)
    progress("Exporting the HTML report: analysing…")
    # The same analysis as `workbench export --html` (default options, and the window's
    # similarity as --embedding-model would give it), so both agree.
    options = AnalysisOptions(knee=knee_settings(session.header.plan), similarity=similarity)
    report = await asyncio.to_thread(analyze, session.samples, options)
    progress("Exporting the HTML report: drawing the plots…")
    plots = await on_qt_thread(lambda: _draw_plots(session, report))
    progress("Exporting the HTML report: writing…")
    return await asyncio.to_thread(render_html_report, session, report, plots)


def _draw_plots(session: LoadedSession, report: AnalysisReport) -> list[ReportPlot]:
    from workbench.ui.plots.report_plots import render_report_plots

    return render_report_plots(session, report)


async def on_qt_thread(draw: Callable[[], list[ReportPlot]]) -> list[ReportPlot]:
    """Run `draw` from a plain Qt timer callback, outside any asyncio task: it processes Qt
    events, which may run other tasks' steps; inside our task that would be re-entrant
    ("Cannot enter into task ... while another task is being executed")."""
    future: asyncio.Future[list[ReportPlot]] = asyncio.get_running_loop().create_future()

    def run() -> None:
        try:
            result = draw()
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
            return
        if not future.done():
            future.set_result(result)

    QTimer.singleShot(0, run)
    return await future
