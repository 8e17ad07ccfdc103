"""One throttled analysis of the shown run, shared by the Summary tab and the analysis plots.

`analyze()` runs in a worker thread: at most once a second while a run streams, only while
a view that shows its results is visible, and once more (with the full bootstrap) when the
run ends. The pause between two live analyses also grows with what the last one cost, so a
long run never keeps a core busy with analyses that the Qt thread then waits on for the GIL.

Each update keeps the cells' similarity matrices: a new cluster threshold re-clusters them
(milliseconds) instead of analysing again, and the Responses tab groups its cards from them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from workbench.core.analysis import (
    DEFAULT_CLUSTER_THRESHOLD,
    AnalysisOptions,
    AnalysisReport,
    CellData,
    SimilarityMeasure,
    analyze_cells,
    with_threshold,
)
from workbench.core.plan import RunSettings
from workbench.core.records import Sample
from workbench.ui.runtime.tasks import TaskManager
from workbench.viewmodel.live import LiveRun

log = logging.getLogger(__name__)
MIN_INTERVAL_S = 1.0
# Live analyses resample less: they only need to be about right; the final one is the
# same analysis as `workbench analyze` (default options), so the window and the CLI agree.
LIVE_RESAMPLES = 300
LIVE_PERMUTATIONS = 199  # enough to tell a phrasing effect at p < 0.025 while a run goes on
# Pause after a live analysis, as a multiple of its duration (keeps it under ~1/3 of a core).
COST_FACTOR = 2.0


@dataclass(frozen=True, slots=True)
class AnalysisUpdate:
    run: LiveRun
    report: AnalysisReport
    samples: Sequence[Sample]  # what was analysed (views reuse it, e.g. for the heatmap)
    final: bool  # the run had finished: this is the complete analysis
    cells: Sequence[CellData] = ()  # similarity matrices, in the report's cell order
    threshold: float = DEFAULT_CLUSTER_THRESHOLD  # of the report's answer clusters
    requested: bool = False  # asked for with `analyze_now` (on demand, not the throttle)
    # The similarity the report used (None = words): the heatmap draws the same one.
    similarity: SimilarityMeasure | None = None


def analyze_live(
    samples: Sequence[Sample],
    final: bool,
    threshold: float = DEFAULT_CLUSTER_THRESHOLD,
    knee: RunSettings | None = None,
    similarity: SimilarityMeasure | None = None,
    baseline: str | None = None,
) -> tuple[AnalysisReport, list[CellData]]:
    resamples = AnalysisOptions().resamples if final else LIVE_RESAMPLES
    options = AnalysisOptions(
        resamples=resamples, cluster_threshold=threshold, knee=knee, similarity=similarity,
        baseline=baseline,
    )
    if not final:
        options.permutations = LIVE_PERMUTATIONS
    return analyze_cells(samples, options)


class AnalysisFeed(QObject):
    """Call `set_run`, `mark_dirty` and `run_finished`; connect views to `updated`."""

    updated = Signal(object)  # AnalysisUpdate

    def __init__(self, tasks: TaskManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # One analysis at a time: a new one waits for the slot (skips while it is running).
        self._slot = tasks.slot("analysis")
        self.run: LiveRun | None = None
        self.latest: AnalysisUpdate | None = None
        self.analyses = 0
        self.similarity: SimilarityMeasure | None = None  # None: word similarity
        self._watchers: list[QWidget] = []
        self._dirty = False
        self._final_pending = False
        self._not_before = 0.0
        self._requested = False
        self.cluster_threshold = DEFAULT_CLUSTER_THRESHOLD
        # The variant the effects are measured against (None: the first), from the Summary.
        self.baseline: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(int(MIN_INTERVAL_S * 1000 / 4))
        self._timer.timeout.connect(self._maybe_start)
        self._timer.start()

    def watch(self, widget: QWidget) -> None:
        """Live analyses run only while one of the watched widgets is visible."""
        self._watchers.append(widget)

    def set_run(self, run: LiveRun) -> None:
        if run is self.run:
            return
        self.run = run
        self.latest = None
        self._dirty = False
        self._final_pending = False
        self._requested = False
        self._not_before = 0.0
        self.baseline = None

    def set_baseline(self, variant: str | None) -> None:
        """Measure the effects against `variant`: analyse again (the complete analysis when
        the run has finished)."""
        if variant == self.baseline:
            return
        self.baseline = variant
        if self.run is not None and self.run.finished:
            self.run_finished()
        else:
            self.mark_dirty()

    def set_similarity(self, similarity: SimilarityMeasure | None) -> None:
        """Analyse with this similarity from now on, the shown run again right away."""
        self.similarity = similarity
        run = self.run
        if run is not None and self.latest is not None:
            self._final_pending = self._final_pending or self.latest.final
            self._dirty = True
            self._not_before = 0.0
            self._maybe_start()

    def mark_dirty(self) -> None:
        self._dirty = True

    def run_finished(self) -> None:
        """Analyse the complete run now (or right after the analysis in progress)."""
        self._final_pending = True
        self._maybe_start()

    def request(self) -> None:
        """A view became visible: analyse soon if its data is stale."""
        self._maybe_start()

    def analyze_now(self) -> None:
        """Analyse the run as it is now, whatever is visible and however recent the last
        analysis (a user asked: e.g. to cluster the responses of a live run)."""
        self._requested = True
        self._maybe_start()

    def set_cluster_threshold(self, threshold: float) -> None:
        """Cluster at `threshold` from now on; the latest analysis is re-clustered soon."""
        self.cluster_threshold = threshold
        self._maybe_start()

    def _wanted(self) -> bool:
        return any(w.isVisible() for w in self._watchers)

    def _maybe_start(self) -> None:
        run = self.run
        if run is None or self._slot.running:
            return
        if self._final_pending:
            self._final_pending = False
            self._dirty = False
            self._slot.bind(self._compute(run, final=True))
            return
        if self._requested and not run.finished:
            self._requested = False
            self._dirty = False
            self._slot.bind(self._compute(run, final=False, requested=True))
            return
        latest = self.latest
        if latest is not None and latest.threshold != self.cluster_threshold:
            self._requested = False
            self._slot.bind(self._recluster(latest, self.cluster_threshold))
            return
        self._requested = False  # a finished run's latest analysis is already complete
        if not (self._dirty and self._wanted()) or time.monotonic() < self._not_before:
            return
        self._dirty = False
        self._slot.bind(self._compute(run, final=run.finished))

    async def _recluster(self, source: AnalysisUpdate, threshold: float) -> None:
        try:
            report = await asyncio.to_thread(with_threshold, source.report, source.cells, threshold)
        except Exception:  # the analysis must never take the window down
            log.exception("re-clustering the run failed")
            return
        if source is not self.latest:
            return  # a newer analysis arrived meanwhile (at the threshold then current)
        self._publish(replace(source, report=report, threshold=threshold, requested=True))

    def _publish(self, update: AnalysisUpdate) -> None:
        self.latest = update
        self.updated.emit(update)
        if self._final_pending or update.threshold != self.cluster_threshold:
            self._maybe_start()

    async def _compute(self, run: LiveRun, *, final: bool, requested: bool = False) -> None:
        samples = run.samples()
        if not samples:
            return
        started = time.monotonic()
        threshold = self.cluster_threshold
        similarity = self.similarity
        try:
            report, cells = await asyncio.to_thread(
                analyze_live, samples, final, threshold, run.knee, similarity, self.baseline
            )
        except Exception:  # the analysis must never take the window down
            log.exception("analysis of the run failed")
            return
        finally:
            cost = time.monotonic() - started
            self._not_before = time.monotonic() + max(MIN_INTERVAL_S, COST_FACTOR * cost)
        if run is not self.run:
            return  # a newer run started meanwhile
        self.analyses += 1
        self._publish(
            AnalysisUpdate(run, report, samples, final, cells, threshold, requested, similarity)
        )
