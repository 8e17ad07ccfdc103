"""The Responses tab: cards streaming live, sorted and filtered, diffed against a baseline,
optionally grouped by answer cluster (ui/responses/grouping.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from workbench.ui.responses.card import ResponseCard
from workbench.ui.responses.card_grid import CardGrid
from workbench.ui.responses.diff_dialog import DiffDialog
from workbench.ui.responses.grouping import ClusterGrouping
from workbench.ui.responses.toolbar import ResponsesToolbar
from workbench.ui.runtime.analysis_feed import AnalysisFeed
from workbench.ui.runtime.bridge import Tick
from workbench.ui.runtime.tasks import TaskManager
from workbench.viewmodel.diffing import DiffColors, PairDiff, diff_pair, medoid_index, render_html
from workbench.viewmodel.grouping import cluster_sections, grouping_status
from workbench.viewmodel.live import LiveResponse, LiveRun
from workbench.viewmodel.variant_rows import variant_sections

REORDER_MS = 500  # re-sorting / re-filtering while a run streams, at most this often
MEDOID_EVERY_S = 2.0
THRESHOLD_SETTLE_MS = 250  # a threshold held this long is re-clustered (spin-box arrows)


class ResponsesView(QWidget):
    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responsesView")
        self.setAccessibleName("Responses")
        self.run: LiveRun | None = None
        self.baseline_id: int | None = None
        self.baseline_auto = True
        self.marked_id: int | None = None
        self._diffs: dict[tuple[int, int], PairDiff] = {}  # by (base id, response id)
        self._queued_diffs: set[tuple[int, int]] = set()
        # Each skipped while it runs: the diff task drains the queue it finds, and a forced
        # medoid retries once the running one ends.
        self._diff_slot = tasks.slot("diffs")
        self._dialogs: list[DiffDialog] = []
        self._medoid_slot = tasks.slot("medoid")
        self._medoid_at = 0.0
        self._medoid_ok = 0
        self.toolbar = ResponsesToolbar()
        self.grouping = ClusterGrouping(tasks, self)
        self.grid = CardGrid(self._bind, self._make_card)
        self.grid.setObjectName("responsesGrid")
        self.empty = QLabel(
            "No responses yet.\n\nWrite a prompt on the left and press Run (Ctrl+Enter):\n"
            "every response streams into its own card here."
        )
        self.empty.setObjectName("emptyState")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.stack, 1)
        self._reorder_timer = QTimer(self)
        self._reorder_timer.setSingleShot(True)
        self._reorder_timer.setInterval(REORDER_MS)
        self._reorder_timer.timeout.connect(self.reorder)
        self.toolbar.changed.connect(self.reorder)
        self.toolbar.display_changed.connect(lambda: self.grid.refresh())
        self.toolbar.use_medoid.connect(self.use_medoid)
        self._threshold_timer = QTimer(self)
        self._threshold_timer.setSingleShot(True)
        self._threshold_timer.setInterval(THRESHOLD_SETTLE_MS)
        self._threshold_timer.timeout.connect(
            lambda: self.grouping.set_threshold(self.toolbar.cluster_threshold())
        )
        self.toolbar.threshold_changed.connect(lambda _value: self._threshold_timer.start())
        self.toolbar.grouping_changed.connect(self._grouping_toggled)
        self.toolbar.recluster.connect(self.grouping.recluster_now)
        self.grouping.changed.connect(self._clusters_changed)

    def follow(self, feed: AnalysisFeed) -> None:
        """Group by the answer clusters of the shared analysis (the Summary's)."""
        self.grouping.follow(feed)
        feed.set_cluster_threshold(self.toolbar.cluster_threshold())

    def restore_state(self, settings: QSettings) -> None:
        self.toolbar.restore_state(settings)
        self.grouping.set_threshold(self.toolbar.cluster_threshold())

    def save_state(self, settings: QSettings) -> None:
        self.toolbar.save_state(settings)

    # --- grouping by answer cluster --------------------------------------------------------

    def _grouping_toggled(self) -> None:
        grouped = self.toolbar.grouped()
        self.grouping.set_active(grouped)
        self._show_group_status()
        self.reorder()
        self.grid.refresh()

    def _clusters_changed(self) -> None:
        self._show_group_status()
        if self.toolbar.grouped():
            self.reorder()
        self.grid.refresh()  # grouped, each card is diffed against its cluster's medoid

    def _show_baseline(self) -> None:
        per_cluster = self.toolbar.grouped() and self.baseline_auto
        self.toolbar.set_baseline_text(self.baseline_id, auto=self.baseline_auto,
                                       per_cluster=per_cluster)

    def _show_group_status(self) -> None:
        self._show_baseline()
        run = self.run
        live = run is not None and not run.finished
        self.toolbar.recluster_button.setVisible(self.toolbar.grouped() and live)
        if self.toolbar.grouped():
            ok = len(run.series.e2e_ms) if run else 0  # a point per OK response
            text = grouping_status(
                self.grouping.clusters, waiting=self.grouping.waiting, live=live,
                finished_ok=ok,
            )
            self.toolbar.group_status.setText(text)
            self.toolbar.group_status.setToolTip(
                f"{text}. Responses whose mean word similarity is at least "
                f"{self.toolbar.cluster_threshold():.2f} count as one answer.")

    # --- run lifecycle -------------------------------------------------------------------

    def set_run(self, run: LiveRun) -> None:
        self.run = run
        self.baseline_id = None
        self.baseline_auto = True
        self.marked_id = None
        self._diffs.clear()
        self._medoid_ok = 0
        self.toolbar.set_levels(run.levels, len(run.variants))
        self._show_baseline()
        self.grid.set_ids([])
        self.stack.setCurrentWidget(self.grid)
        self.grouping.set_run(run)
        self._clusters_changed()

    def on_tick(self, tick: Tick) -> None:
        if tick.run is not self.run:
            self.set_run(tick.run)
        if tick.run_started and not tick.started:
            self.toolbar.set_levels(tick.run.levels, len(tick.run.variants))
        if tick.started:
            if self.toolbar.is_default_view():
                self.grid.append_ids(tick.started)
            elif not self._reorder_timer.isActive():  # the first cards at once
                self._reorder_timer.start(REORDER_MS if self.grid.count() else 0)
        changed = set(tick.streamed) | set(tick.finished)
        if changed:
            self.grid.refresh(changed)
        # A throttle, not a debounce: steady finishes must not starve the re-sort.
        if tick.finished and not self.toolbar.is_default_view() and (
            not self._reorder_timer.isActive()
        ):
            self._reorder_timer.start(REORDER_MS)
        if tick.finished or tick.run_finished:
            self._maybe_update_medoid(force=tick.run_finished)
            if self.toolbar.grouped():
                self._show_group_status()  # "n finished since"; the cards on the timer

    def ok_texts(self) -> list[tuple[int, str]]:
        run = self.run
        if run is None:
            return []
        return [
            (i, r.sample.text)
            for i in run.order
            if (r := run.responses[i]).state == "ok" and r.sample is not None
        ]

    # --- baseline ------------------------------------------------------------------------

    def _maybe_update_medoid(self, force: bool = False) -> None:
        if not self.baseline_auto or self.run is None:
            return
        ok = sum(1 for r in self.run.responses.values() if r.state == "ok")
        due = time.monotonic() - self._medoid_at >= MEDOID_EVERY_S
        if ok == self._medoid_ok or not (force or due or self.baseline_id is None):
            return
        if self._medoid_slot.running:
            if force:
                QTimer.singleShot(100, lambda: self._maybe_update_medoid(force=True))
            return
        self._medoid_ok = ok
        self._medoid_at = time.monotonic()
        self._medoid_slot.bind(self._update_medoid())

    async def _update_medoid(self) -> None:
        pairs = self.ok_texts()
        # Off the Qt thread: the similarity matrix grows with n².
        index = await asyncio.to_thread(medoid_index, [t for _, t in pairs])
        if index is not None and self.baseline_auto:
            self._set_baseline(pairs[index][0], auto=True)

    def use_medoid(self) -> None:
        self.baseline_auto = True
        self._medoid_ok = -1
        self._maybe_update_medoid(force=True)

    def make_baseline(self, item_id: int) -> None:
        run = self.run
        if run is not None and (item := run.responses.get(item_id)) and item.state == "ok":
            self._set_baseline(item_id, auto=False)

    def _set_baseline(self, item_id: int, *, auto: bool) -> None:
        self.baseline_auto = auto
        if item_id == self.baseline_id:
            self._show_baseline()
            return
        self.baseline_id = item_id
        self._show_baseline()
        self.grid.refresh()
        if self.toolbar.sort_key() == "similarity" or self.toolbar.similarity_limit() < 1:
            self.reorder()

    def base_for(self, item_id: int) -> int | None:
        """What a card is diffed against: the baseline, or grouped by cluster with the
        baseline left to the medoid, the medoid of the response's own cluster."""
        if self.toolbar.grouped() and self.baseline_auto and self.run is not None:
            item = self.run.responses.get(item_id)
            cell = self.grouping.clusters.get(item.cell) if item is not None else None
            cluster = cell.by_id.get(item_id) if cell is not None else None
            if cluster is not None:
                return cluster.medoid_id
        return self.baseline_id

    def diff_for(self, item_id: int, *, wait: bool = True) -> PairDiff | None:
        """The cached diff of a finished response against its base (`base_for`). Missing
        ones are computed now (`wait`) or queued for a worker thread, the card refreshed."""
        run, base_id = self.run, self.base_for(item_id)
        if run is None or base_id is None:
            return None
        item = run.responses.get(item_id)
        base = run.responses.get(base_id)
        if item is None or base is None or item.sample is None or base.sample is None:
            return None
        diff = self._diffs.get((base_id, item_id))
        if diff is None and wait:
            diff = self._diffs[base_id, item_id] = diff_pair(base.sample.text, item.sample.text)
        elif diff is None:
            self._queued_diffs.add((base_id, item_id))
            if not self._diff_slot.running:
                self._diff_slot.bind(self._compute_queued_diffs())
        return diff

    async def _compute_queued_diffs(self) -> None:
        while self._queued_diffs and self.run is not None:
            pairs, self._queued_diffs = self._queued_diffs, set()
            run = self.run
            texts = [(b, i, run.responses[b].text, run.responses[i].text) for b, i in pairs
                     if b in run.responses and i in run.responses]
            diffs = await asyncio.to_thread(_diff_all, texts)
            if run is not self.run:
                return
            self._diffs.update(diffs)
            self.grid.refresh({item_id for (_, item_id), _ in diffs})

    # --- cards ---------------------------------------------------------------------------

    def _make_card(self, parent: QWidget) -> ResponseCard:
        card = ResponseCard(parent)
        card.make_baseline.connect(self.make_baseline)
        card.compare_baseline.connect(self.compare_with_baseline)
        card.mark_compare.connect(self._mark)
        card.compare_marked.connect(self.compare_with_marked)
        card.copy_text.connect(self.copy_text)
        return card

    def _colors(self) -> DiffColors:
        return DiffColors.for_theme(self.palette().window().color().lightness() < 128)

    def _bind(self, card: ResponseCard, item_id: int) -> None:
        run = self.run
        item = run.responses.get(item_id) if run is not None else None
        if item is None:
            return
        base_id = self.base_for(item_id)
        is_baseline = item_id == base_id
        diff = None
        if item.state == "ok" and not is_baseline and self.toolbar.highlight():
            # While a run streams, diffs are computed off the Qt thread; afterwards (a
            # click, a scroll) on demand: one diff takes milliseconds.
            diff = self.diff_for(item_id, wait=run is not None and run.finished)
        # A cluster's medoid is marked as such by the grid, not as "the" baseline.
        shown_baseline = is_baseline and base_id == self.baseline_id
        card.show_response(
            item, baseline=shown_baseline, similarity=diff.similarity if diff else None
        )
        if diff is None or base_id is None or run is None:
            card.show_plain(item.text)
            return
        base = run.responses[base_id]
        only = self.toolbar.only_changes()
        assert base.sample is not None and item.sample is not None
        colors = self._colors()
        card.show_html(
            render_html(base.sample.text, item.sample.text, diff, colors, only_changes=only),
            f"{item_id}:{base_id}:{only}:{colors.insert_bg}",
        )

    def copy_text(self, item_id: int) -> None:
        if self.run is not None and item_id in self.run.responses:
            QGuiApplication.clipboard().setText(self.run.responses[item_id].text)

    def _mark(self, item_id: int) -> None:
        self.marked_id = item_id

    def compare_with_baseline(self, item_id: int) -> None:
        if self.baseline_id is not None:
            self.compare(self.baseline_id, item_id)

    def compare_with_marked(self, item_id: int) -> None:
        if self.marked_id is not None:
            self.compare(self.marked_id, item_id)

    def compare(self, left_id: int, right_id: int) -> DiffDialog | None:
        run = self.run
        if run is None:
            return None
        left, right = run.responses.get(left_id), run.responses.get(right_id)
        if left is None or right is None:
            return None
        dialog = DiffDialog(
            _describe(left), left.text, _describe(right), right.text, self._colors(), self
        )
        dialog.finished.connect(lambda _=0: self._dialogs.remove(dialog))
        self._dialogs.append(dialog)
        dialog.show()
        return dialog

    # --- sorting and filtering -----------------------------------------------------------

    def reorder(self) -> None:
        run = self.run
        if run is None:
            return
        items = [run.responses[i] for i in run.order]
        toolbar = self.toolbar
        level = toolbar.level_filter()
        outcome = toolbar.outcome_filter()
        min_length = toolbar.min_length()
        limit = toolbar.similarity_limit()
        kept: list[LiveResponse] = []
        similarity: dict[int, float] = {}
        for item in items:
            if level is not None and item.level != level:
                continue
            if outcome is not None and item.state != outcome:
                continue
            if min_length and len(item.text) < min_length:
                continue
            if limit < 1 or toolbar.sort_key() == "similarity":
                diff = self.diff_for(item.id)
                value = 1.0 if item.id == self.base_for(item.id) else (
                    diff.similarity if diff else None)
                if value is None and limit < 1:
                    continue
                if value is not None:
                    if value > limit:
                        continue
                    similarity[item.id] = value
            kept.append(item)
        key = toolbar.sort_key()
        if key == "level":
            kept.sort(key=lambda r: (r.level, r.id))
        elif key in ("length_desc", "length_asc"):
            kept.sort(key=lambda r: len(r.text), reverse=key == "length_desc")
        elif key == "similarity":
            kept.sort(key=lambda r: similarity.get(r.id, 2.0))
        elif key in ("ttft", "e2e"):
            what: Literal["ttft", "e2e"] = "ttft" if key == "ttft" else "e2e"
            kept.sort(key=lambda r: (r.ms(what) is None, r.ms(what) or 0.0))
        if toolbar.grouped():
            self.grid.set_sections(cluster_sections(kept, self.grouping.clusters))
        elif toolbar.by_variant():
            self.grid.set_sections(variant_sections(kept))
        else:
            self.grid.set_ids([r.id for r in kept])


def _diff_all(
    pairs: list[tuple[int, int, str, str]],
) -> list[tuple[tuple[int, int], PairDiff]]:
    return [((base_id, item_id), diff_pair(base, text)) for base_id, item_id, base, text in pairs]


def _describe(item: LiveResponse) -> str:
    return f"#{item.id} (c={item.level}, rep {item.repetition + 1})"
