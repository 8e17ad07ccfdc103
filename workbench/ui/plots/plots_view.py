"""The Plots tab: live pyqtgraph plots of one run ("Timings") and the analysis plots
("Variation": similarity heatmap, metrics by level), one page shown at a time.

One GraphicsLayoutWidget holds every live plot (one viewport, one paint). Each curve is created
once and fed with setData from the run's growing numpy buffers; a 10 Hz timer redraws only
while the tab is visible and something changed (DESIGN.md: a repaint of six plots costs
35-57 ms on a 2-core machine, so it must not follow the event rate).

Paint cost, measured (benchmarks/ui_responsiveness.py and a 1250x900 offscreen repaint):
pyqtgraph draws a grid as semi-transparent tick lines across each plot, and Qt's raster
engine blends those slowly: a full repaint took 56 ms with the grid, 8 ms with the same
grid drawn in an opaque colour blended with the background beforehand. Fills are opaque
for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.plots.export import add_export_actions, ask_export, export_plot
from workbench.ui.plots.knee_plot import KneePlot
from workbench.ui.plots.style import LEVEL_COLORS, blend, level_color, style_plot
from workbench.ui.plots.variation import AnalysisPlots
from workbench.ui.runtime.analysis_feed import AnalysisFeed, AnalysisUpdate
from workbench.ui.runtime.tasks import TaskManager
from workbench.viewmodel.live import LiveRun

REDRAW_MS = 100
PLOTS = {
    "latency": ("Latency by request start", "request start", "s", "E2E latency", "ms"),
    "inflight": ("Requests in flight", "time", "s", "in flight", ""),
    "ttft_hist": ("TTFT distribution", "TTFT", "ms", "responses", ""),
    "e2e_hist": ("E2E latency distribution", "E2E latency", "ms", "responses", ""),
    "length_hist": ("Length distribution", "length", "chars", "responses", ""),
    "length_by_level": ("Length by concurrency", "concurrency", "", "length", "chars"),
    "e2e_by_level": ("E2E latency by concurrency", "concurrency", "", "E2E latency", "ms"),
}
FloatArray = npt.NDArray[np.float64]
# Plots redrawn together: timeline and in-flight; the histograms; the per-level strips.
GROUPS = (("latency", "inflight"), ("ttft_hist", "e2e_hist", "length_hist"),
          ("length_by_level", "e2e_by_level"))


def _jitter(n: int) -> FloatArray:
    # Deterministic spread (golden-ratio sequence): points do not dance between redraws.
    spread: FloatArray = ((np.arange(n, dtype=np.float64) * 0.6180339887) % 1.0 - 0.5) * 0.5
    return spread


def _size(values: FloatArray | None) -> int:
    return 0 if values is None else len(values)


class LivePlots(pg.GraphicsLayoutWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        dark = self.palette().window().color().lightness() < 128
        self.setObjectName("livePlots")
        self.setAccessibleName("Timing plots")
        self._bg = "#1e2127" if dark else "#ffffff"
        self.setBackground(self._bg)
        self._fg = "#c9ced6" if dark else "#3b4048"
        self.run: LiveRun | None = None
        self._dirty = False
        self._dirty_again = False
        self._next_group = 0
        self.redraws = 0
        self.plots: dict[str, pg.PlotItem] = {}
        self._level_items: dict[str, dict[int, pg.PlotDataItem]] = {
            "latency": {}, "length_by_level": {}, "e2e_by_level": {}
        }
        self.ci.layout.setSpacing(14)
        self.ci.setContentsMargins(8, 8, 8, 8)
        positions = {
            "latency": (0, 0, 1, 2), "inflight": (0, 2, 1, 1),
            "ttft_hist": (1, 0, 1, 1), "e2e_hist": (1, 1, 1, 1), "length_hist": (1, 2, 1, 1),
            "length_by_level": (2, 0, 1, 1), "e2e_by_level": (2, 1, 1, 2),
        }
        for name, (title, xlabel, xunit, ylabel, yunit) in PLOTS.items():
            row, col, rows, cols = positions[name]
            plot = self.addPlot(row=row, col=col, rowspan=rows, colspan=cols)
            style_plot(plot, title, (xlabel, xunit, ylabel, yunit), self._fg, self._bg)
            plot.setMenuEnabled(True)
            add_export_actions(plot, self._export_asker(name))
            self.plots[name] = plot
        self.latency_legend = self.plots["latency"].addLegend(
            offset=(-10, 10), labelTextColor=self._fg
        )
        self.inflight_curve = self.plots["inflight"].plot(
            pen=pg.mkPen(LEVEL_COLORS[0], width=1.5), fillLevel=0,
            brush=pg.mkBrush(blend(LEVEL_COLORS[0], self._bg, 0.2)),
        )
        self.inflight_curve.setClipToView(True)
        self.inflight_curve.setDownsampling(auto=True, method="peak")
        self.histograms = {}
        for name in ("ttft_hist", "e2e_hist", "length_hist"):
            self.histograms[name] = self.plots[name].plot(
                [0, 1], [0], stepMode="center", fillLevel=0,
                pen=pg.mkPen(LEVEL_COLORS[0], width=1.2),
                brush=pg.mkBrush(blend(LEVEL_COLORS[0], self._bg, 0.43)),
            )
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_timer)
        self._timer.start()

    # --- feeding -------------------------------------------------------------------------

    def set_run(self, run: LiveRun) -> None:
        self.run = run
        self.latency_legend.clear()
        for plot, items in self._level_items.items():
            for item in items.values():
                self.plots[plot].removeItem(item)
            items.clear()
        self._dirty = True

    def _on_timer(self) -> None:
        if self._dirty and self.isVisible():
            # One group of plots per tick: a repaint of all seven at 1600x1000 blocked the
            # Qt thread for 70-110 ms (benchmarks/ui_responsiveness.py --tab plots).
            self.redraw(groups=(self._next_group,))
            self._next_group = (self._next_group + 1) % len(GROUPS)
            self._dirty = self._next_group != 0 or self._dirty_again
            self._dirty_again = False

    def mark_dirty(self) -> None:
        if self._dirty:
            self._dirty_again = True
        self._dirty = True

    def redraw(self, groups: tuple[int, ...] = tuple(range(3))) -> None:
        """Push the buffers into the curves of `groups` (default all; tests call this)."""
        if groups == tuple(range(len(GROUPS))):
            self._dirty = False
        run = self.run
        if run is None:
            return
        self.redraws += 1
        s = run.series
        start, e2e, ttft = s.start_s.view(), s.e2e_ms.view(), s.ttft_ms.view()
        length, level = s.length.view(), s.level.view()
        levels = run.levels or sorted({int(v) for v in level})
        if 0 in groups:
            self.inflight_curve.setData(s.flight_t.view(), s.flight_n.view())
            for index, value in enumerate(levels):
                mask = level == value
                if mask.any():
                    self._level_item("latency", index, value).setData(start[mask], e2e[mask])
        if 1 in groups:
            self._histogram("ttft_hist", ttft)
            self._histogram("e2e_hist", e2e)
            self._histogram("length_hist", length)
        if 2 in groups:
            self._strips(levels, level, length, e2e)

    def _strips(
        self, levels: list[int], level: FloatArray, length: FloatArray, e2e: FloatArray
    ) -> None:
        x_strip = np.full(level.shape, np.nan)
        for index, value in enumerate(levels):
            x_strip[level == value] = index
        x_strip = x_strip + _jitter(level.shape[0])
        for index, value in enumerate(levels):
            mask = level == value
            if not mask.any():
                continue
            self._level_item("length_by_level", index, value).setData(x_strip[mask], length[mask])
            self._level_item("e2e_by_level", index, value).setData(x_strip[mask], e2e[mask])
        ticks = [[(i, f"c={v}") for i, v in enumerate(levels)]]
        for name in ("length_by_level", "e2e_by_level"):
            self.plots[name].getAxis("bottom").setTicks(ticks)
            self.plots[name].setXRange(-0.6, len(levels) - 0.4, padding=0)

    def _histogram(self, name: str, values: FloatArray) -> None:
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            self.histograms[name].setData([0, 1], [0])
            return
        bins = int(min(40, max(6, np.sqrt(finite.size) * 2)))
        counts, edges = np.histogram(finite, bins=bins)
        self.histograms[name].setData(edges, counts)

    def _level_item(self, plot: str, index: int, level: int) -> pg.PlotDataItem:
        items = self._level_items[plot]
        item = items.get(level)
        if item is None:
            color = level_color(index)
            item = self.plots[plot].plot(
                [], [], pen=None, symbol="o", symbolSize=5 if plot == "latency" else 6,
                symbolBrush=pg.mkBrush(color), symbolPen=None, name=f"c={level}",
            )
            item.setClipToView(True)
            item.setDownsampling(auto=True, method="subsample")
            items[level] = item
        return item

    def point_counts(self) -> dict[str, int]:
        """Points shown per plot (for tests and the status of the tab)."""
        counts: dict[str, int] = {}
        for plot, items in self._level_items.items():
            counts[plot] = sum(_size(item.getData()[0]) for item in items.values())
        for name, curve in self.histograms.items():
            y = curve.getData()[1]
            counts[name] = int(np.sum(y)) if y is not None else 0
        x = self.inflight_curve.getData()[0]
        counts["inflight"] = _size(x)
        return counts

    def _export_asker(self, name: str) -> Callable[[str], None]:
        def ask(fmt: str) -> None:
            ask_export(self, name, fmt, lambda path: self.export(name, path))

        return ask

    def export(self, name: str, path: Path) -> Path:
        """Write plot `name` to `path` (.png or .svg, by the suffix)."""
        return export_plot(self, self.plots[name], PLOTS[name][0], path)


class PlotsView(QWidget):
    """The Plots tab: "Timings" (LivePlots, redrawn live) and "Variation" (AnalysisPlots,
    fed by the shared analysis). Only the page shown paints."""

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plotsView")
        self.setAccessibleName("Plots")
        self.live = LivePlots()
        self.analysis_plots = AnalysisPlots(tasks)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.live)
        self.stack.addWidget(self.analysis_plots)
        self.knee_plot = KneePlot()
        self.stack.addWidget(self.knee_plot)
        self.timings_button = QPushButton("Timings")
        self.variation_button = QPushButton("Variation")
        self.knee_button = QPushButton("Load knee")  # shown for a knee search only
        self.knee_button.setToolTip("Throughput and goodput at each level, the knee marked")
        self.knee_button.setVisible(False)
        self.timings_button.setToolTip("Latency, TTFT, length and requests in flight, live")
        self.variation_button.setToolTip(
            "How alike the responses are (similarity heatmap) and how length and TTFT move "
            "with the concurrency level (95% CI of the change against the baseline level)"
        )
        self.pages = QButtonGroup(self)
        buttons = (self.timings_button, self.variation_button, self.knee_button)
        for index, button in enumerate(buttons):
            button.setCheckable(True)
            button.setObjectName("plotPageButton")
            self.pages.addButton(button, index)
        self.timings_button.setChecked(True)
        self.cell_label = QLabel("Heatmap of")
        self.cell_combo = QComboBox()
        self.cell_combo.setObjectName("heatmapCellCombo")
        self.cell_combo.setAccessibleName("Cell shown in the similarity heatmap")
        self.cell_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.cell_combo.addItem("All levels", None)
        header = QHBoxLayout()
        header.setContentsMargins(10, 6, 10, 2)
        header.setSpacing(6)
        header.addWidget(self.timings_button)
        header.addWidget(self.variation_button)
        header.addWidget(self.knee_button)
        header.addStretch(1)
        header.addWidget(self.cell_label)
        header.addWidget(self.cell_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        self._feed: AnalysisFeed | None = None
        self.pages.idClicked.connect(self.show_page)
        self.cell_combo.currentIndexChanged.connect(
            lambda _i: self.analysis_plots.set_heatmap_cell(self.cell_combo.currentData())
        )
        self.show_page(0)

    # --- the window's interface (main_window, report_plots, tests) ----------------------

    @property
    def plots(self) -> dict[str, pg.PlotItem]:
        """The live plots by name (the HTML report exports these)."""
        return self.live.plots

    @property
    def redraws(self) -> int:
        return self.live.redraws

    def set_run(self, run: LiveRun) -> None:
        self.live.set_run(run)
        self.analysis_plots.reset()
        self.knee_plot.show_knee(None)
        self.knee_button.setVisible(run.knee is not None)
        if run.knee is None and self.stack.currentIndex() == 2:
            self.show_page(0)
        self._set_cells([])

    def mark_dirty(self) -> None:
        self.live.mark_dirty()

    def redraw(self, groups: tuple[int, ...] = tuple(range(3))) -> None:
        self.live.redraw(groups)

    def point_counts(self) -> dict[str, int]:
        return self.live.point_counts()

    def export(self, name: str, path: Path) -> Path:
        if name in self.live.plots:
            return self.live.export(name, path)
        return self.analysis_plots.export(name, path)

    def follow(self, feed: AnalysisFeed) -> None:
        """Show `feed`'s analyses on the Variation page (analysed while it is visible)."""
        self._feed = feed
        feed.watch(self.analysis_plots)
        feed.watch(self.knee_plot)
        feed.updated.connect(self._on_analysis)

    def show_page(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.pages.button(index).setChecked(True)
        variation = index == 1
        self.cell_label.setVisible(variation)
        self.cell_combo.setVisible(variation)
        if index and self._feed is not None:
            self._feed.request()
        if variation:
            self.analysis_plots.refresh_heatmap()
        elif not index:
            self.live.redraw()

    def _on_analysis(self, update: AnalysisUpdate) -> None:
        if update.run is not self.live.run:
            return
        self._set_cells([(c.label, f"c={c.level}" + (f" · {c.variant}" if c.variant != "base"
                                                        else "")) for c in update.report.cells])
        self.analysis_plots.show_analysis(update)
        self.knee_plot.show_knee(update.report.knee)

    def _set_cells(self, cells: list[tuple[str, str]]) -> None:
        combo = self.cell_combo
        current = [combo.itemData(i) for i in range(1, combo.count())]
        if current == [label for label, _ in cells]:
            return
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("All levels" if len(cells) != 1 else "All responses", None)
        for label, name in cells:
            combo.addItem(name, label)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))
        combo.blockSignals(False)
        self.analysis_plots.heatmap_cell = combo.currentData()
