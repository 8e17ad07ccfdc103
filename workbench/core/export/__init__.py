"""Exports of a session: CSV (one row per attempt), JSON (the normalized session), HTML report.

Every export is rendered in memory and written with `write_atomically`: an interrupted export
never leaves a half-written file or clobbers a good one.
"""

from workbench.core.export.document import EXPORT_FORMAT, session_document, session_json
from workbench.core.export.html import ReportPlot, diff_segments, render_html_report
from workbench.core.export.tables import SAMPLE_COLUMNS, sample_rows, samples_csv

__all__ = [
    "EXPORT_FORMAT",
    "SAMPLE_COLUMNS",
    "ReportPlot",
    "diff_segments",
    "render_html_report",
    "sample_rows",
    "samples_csv",
    "session_document",
    "session_json",
]
