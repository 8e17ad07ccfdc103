"""Opening a session: the Summary shows core's cheap statistics at once, then the full
analysis of the same run, without the cheap values changing; what may be dropped on the
window to open it."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtWidgets import QTableWidget

from tests.helpers.sessions import finish, run_small_session
from tests.helpers.ui import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

ANALYSIS_TIMEOUT_MS = 30_000
LEFT_TO_THE_ANALYSIS = ("Effective", "Modal", "Similarity", "Diverges at", "Cost")


def table_rows(table: QTableWidget) -> list[dict[str, str]]:
    titles = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    return [
        {title: table.item(row, column).text() for column, title in enumerate(titles)}
        for row in range(table.rowCount())
    ]


def test_open_shows_quick_statistics_then_the_full_analysis(window_factory, qtbot):
    path = run_small_session(qtbot, window_factory())
    window = window_factory()
    window.tabs.setCurrentWidget(window.summary)
    summary = window.summary

    async def open_and_look() -> tuple[list[dict[str, str]], str]:
        assert await window.session_actions.open_path(path)
        # Read before the loop runs anything else: the analysis cannot have arrived yet.
        return table_rows(summary.table), summary.findings.text()

    quick, findings = finish(qtbot, asyncio.ensure_future(open_and_look()))
    assert [row["Cell"] for row in quick] == ["c=1", "c=2"]
    assert [row["OK"] for row in quick] == ["3", "3"]
    assert all(row["TTFT p50"].endswith(" ms") for row in quick)
    assert all(row[title] == "…" for row in quick for title in LEFT_TO_THE_ANALYSIS)
    assert findings.startswith("Analysing 6 attempts…")

    qtbot.waitUntil(lambda: "Analysing" not in summary.findings.text(),
                    timeout=ANALYSIS_TIMEOUT_MS)
    full = table_rows(summary.table)
    assert [row["Cell"] for row in full] == ["c=1", "c=2"]
    assert all(row[title] != "…" for row in full for title in LEFT_TO_THE_ANALYSIS)
    assert float(full[0]["Similarity"]) > 0
    # What the cheap statistics showed is what the full analysis says.
    for cheap, complete in zip(quick, full, strict=True):
        for title in LEFT_TO_THE_ANALYSIS:
            cheap.pop(title)
            complete.pop(title)
        assert cheap == complete


def test_only_a_single_local_file_can_be_dropped(main_window, tmp_path):
    def drag(*urls: QUrl) -> bool:
        mime = QMimeData()
        mime.setUrls(list(urls))
        event = QDragEnterEvent(QPoint(100, 100), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        event.setAccepted(False)
        main_window.dragEnterEvent(event)
        return event.isAccepted()

    one = QUrl.fromLocalFile(str(tmp_path / "a.jsonl"))
    assert drag(one)
    assert not drag(one, QUrl.fromLocalFile(str(tmp_path / "b.jsonl")))
    assert not drag(QUrl("https://example.com/session.jsonl"))
