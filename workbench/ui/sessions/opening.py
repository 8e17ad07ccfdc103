"""Opening a session file in the window: the one code path behind File > Open, Recent
sessions, drag and drop and `workbench FILE`.

Reading the file and rebuilding the run happen in a worker thread. The Qt thread only hands
the finished run to the window. The Summary tab's full analysis (findings, similarity)
takes about 20 s for 100,000 attempts, so core's cheap per-cell statistics
(`quick_cells`: counts, timing percentiles, lengths, distinct outputs) are computed in the
same worker thread and shown at once; the Summary view replaces them when its own analysis
finishes. benchmarks/session_scale.py measures this path at 100k attempts.
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass
from pathlib import Path

from workbench.core.analysis import CellMetrics, quick_cells
from workbench.core.journal import LoadedSession, load_session
from workbench.ui.sessions.host import SessionHost
from workbench.viewmodel.live import LiveRun, run_from_session


@dataclass(slots=True)
class OpenedSession:
    """A session read from its file, with the run the views show and its cheap statistics."""

    session: LoadedSession
    run: LiveRun
    quick_cells: list[CellMetrics]

    @property
    def path(self) -> Path:
        return self.session.path


def read_session(path: Path) -> OpenedSession:
    """Blocking: load, rebuild the run and compute the cheap statistics. Raises
    SessionFileError (the message names file, line and field)."""
    session = load_session(path)
    # Like load_session: ~100k new objects with no cycles; the collector's repeated scans
    # of them tripled the rebuild time (2.1 s -> 0.7 s for 100k attempts).
    collecting = gc.isenabled()
    gc.disable()
    try:
        run = run_from_session(session)
        cells = quick_cells(session.samples)
    finally:
        if collecting:
            gc.enable()
    return OpenedSession(session, run, cells)


async def read_session_async(path: Path) -> OpenedSession:
    return await asyncio.to_thread(read_session, path)


def show_opened(host: SessionHost, opened: OpenedSession) -> list[str]:
    """Show an opened session: responses, plots, summary, the plan in the parameters panel
    and the file in the title. Returns notes for the status bar (loader warnings first)."""
    host.show_run(opened.run, opened.quick_cells)
    notes = list(opened.session.warnings)
    notes += host.set_plan(opened.session.header.plan)
    host.show_file(opened.path)
    # The reopened run's objects need no more cyclic-GC scans (see RunController.start).
    gc.freeze()
    return notes
