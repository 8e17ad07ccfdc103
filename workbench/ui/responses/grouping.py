"""The answer clusters the Responses tab groups its cards by, from the shared analysis.

The clusters come from the `AnalysisFeed`'s similarity matrices (no second matrix): the
final analysis when a run ends, or an analysis asked for on demand while a run streams
(switching the grouping on, or Re-cluster), never the throttled live ones, so cards do not
jump between clusters as chunks arrive. Naming each response's cluster runs in a worker
thread; a new cluster threshold is re-clustered by the feed, which the Summary follows too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from workbench.core.analysis import CellClusters, CellData, cluster_cell, final_samples
from workbench.core.records import CellKey, Sample
from workbench.ui.runtime.analysis_feed import AnalysisFeed, AnalysisUpdate
from workbench.ui.runtime.tasks import TaskManager
from workbench.viewmodel.live import LiveRun

log = logging.getLogger(__name__)


def cluster_all(
    cells: Sequence[CellData], samples: Sequence[Sample], threshold: float
) -> dict[CellKey, CellClusters]:
    """Every cell's clusters, each OK final response in one (worker thread)."""
    texts: dict[CellKey, dict[int, str]] = {}
    for sample in final_samples(samples):
        if sample.outcome == "ok":
            texts.setdefault(sample.cell, {})[sample.id] = sample.text
    return {d.key: cluster_cell(d, texts.get(d.key, {}), threshold) for d in cells}


class ClusterGrouping(QObject):
    changed = Signal()  # new clusters, or a new status

    def __init__(self, tasks: TaskManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._slot = tasks.slot("answer clusters")
        self.feed: AnalysisFeed | None = None
        self.run: LiveRun | None = None
        self.active = False
        self.clusters: dict[CellKey, CellClusters] = {}
        self.source: AnalysisUpdate | None = None  # what `clusters` were computed from
        self.waiting = False  # an analysis or the naming of members is under way
        self._next: AnalysisUpdate | None = None

    def follow(self, feed: AnalysisFeed) -> None:
        self.feed = feed
        feed.updated.connect(self._on_analysis)

    def set_run(self, run: LiveRun) -> None:
        self.run = run
        self.clusters = {}
        self.source = None
        self._next = None
        # Grouped already: the clusters come with the final analysis, or on demand.
        self.waiting = False

    def set_active(self, active: bool) -> None:
        self.active = active
        if active and self.source is None:
            self._ask()

    def recluster_now(self) -> None:
        """Cluster the responses finished so far (a live run; a finished run's clusters
        are already complete)."""
        self._ask(force=True)

    def set_threshold(self, threshold: float) -> None:
        if self.feed is None:
            return
        if self.active and self.feed.latest is not None:
            self.waiting = True
            self.changed.emit()
        self.feed.set_cluster_threshold(threshold)

    @property
    def threshold(self) -> float | None:
        return self.source.threshold if self.source is not None else None

    def clustered_ids(self) -> int:
        return sum(c.responses for c in self.clusters.values())

    # --- getting an analysis ---------------------------------------------------------------

    def _usable(self, update: AnalysisUpdate | None) -> bool:
        return update is not None and update.run is self.run and (update.final or update.requested)

    def _ask(self, force: bool = False) -> None:
        feed, run = self.feed, self.run
        if feed is None or run is None:
            return
        latest = feed.latest
        if not force and self._usable(latest) and latest is not None:
            self._take(latest)
            return
        if run.finished and latest is not None and latest.run is run and latest.final:
            self._take(latest)
            return
        if not any(r.state == "ok" for r in run.responses.values()):
            return  # nothing to cluster yet; the final analysis will bring the clusters
        self.waiting = True
        self.changed.emit()
        if not run.finished:
            feed.analyze_now()
        # A finished run's final analysis is on its way (the window asks for it).

    def _on_analysis(self, update: AnalysisUpdate) -> None:
        if self.active and self._usable(update):
            self._take(update)

    def _take(self, update: AnalysisUpdate) -> None:
        if update is self.source:
            return
        self._next = update
        self.waiting = True
        if not self._slot.running:
            self._slot.bind(self._compute())

    async def _compute(self) -> None:
        while self._next is not None:
            update, self._next = self._next, None
            try:
                clusters = await asyncio.to_thread(
                    cluster_all, update.cells, update.samples, update.threshold
                )
            except Exception:  # grouping must never take the window down
                log.exception("clustering the responses failed")
                continue
            if update.run is not self.run:
                continue
            self.clusters, self.source = clusters, update
        self.waiting = False
        self.changed.emit()
