"""The Plots tab: live pyqtgraph plots of one run.

One GraphicsLayoutWidget holds every plot (one viewport, one paint). Each curve is created
once and fed with setData from the run's growing numpy buffers; a 10 Hz timer redraws only
while the tab is visible and something changed (DESIGN.md: a repaint of six plots costs
35-57 ms on a 2-core machine, so it must not follow the event rate).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QRectF, QSize, QTimer
from PySide6.QtGui import QAction, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QWidget

from workbench.ui.live import LiveRun

REDRAW_MS = 100
LEVEL_COLORS = ("#4c8dd6", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948",
                "#9c755f")
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


def level_color(index: int) -> str:
    return LEVEL_COLORS[index % len(LEVEL_COLORS)]


def _jitter(n: int) -> FloatArray:
    # Deterministic spread (golden-ratio sequence): points do not dance between redraws.
    spread: FloatArray = ((np.arange(n, dtype=np.float64) * 0.6180339887) % 1.0 - 0.5) * 0.5
    return spread


def _size(values: FloatArray | None) -> int:
    return 0 if values is None else len(values)


class PlotsView(pg.GraphicsLayoutWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        dark = self.palette().window().color().lightness() < 128
        self.setObjectName("plotsView")
        self.setAccessibleName("Plots")
        self.setBackground("#1e2127" if dark else "#ffffff")
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
        self._dialogs: list[QFileDialog] = []
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
            plot.setTitle(title, color=self._fg, size="10pt")
            plot.setLabel("bottom", xlabel, units=xunit or None, color=self._fg)
            plot.setLabel("left", ylabel, units=yunit or None, color=self._fg)
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setMenuEnabled(True)
            for axis in ("bottom", "left"):
                plot.getAxis(axis).setTextPen(self._fg)
                plot.getAxis(axis).setPen(self._fg)
                # Auto SI prefixes turn "ms" into "kms"; thousands of ms read better.
                plot.getAxis(axis).enableAutoSIPrefix(False)
            self._add_export_actions(name, plot)
            self.plots[name] = plot
        self.latency_legend = self.plots["latency"].addLegend(
            offset=(-10, 10), labelTextColor=self._fg
        )
        self.inflight_curve = self.plots["inflight"].plot(
            pen=pg.mkPen(LEVEL_COLORS[0], width=1.5), fillLevel=0,
            brush=pg.mkBrush(76, 141, 214, 50),
        )
        self.inflight_curve.setClipToView(True)
        self.inflight_curve.setDownsampling(auto=True, method="peak")
        self.histograms = {}
        for name in ("ttft_hist", "e2e_hist", "length_hist"):
            self.histograms[name] = self.plots[name].plot(
                [0, 1], [0], stepMode="center", fillLevel=0,
                pen=pg.mkPen(LEVEL_COLORS[0], width=1.2), brush=pg.mkBrush(76, 141, 214, 110),
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

    # --- export --------------------------------------------------------------------------

    def _add_export_actions(self, name: str, plot: pg.PlotItem) -> None:
        menu = plot.getViewBox().menu
        menu.addSeparator()
        for fmt in ("PNG", "SVG"):
            action = QAction(f"Export this plot as {fmt}…", menu)
            action.triggered.connect(lambda _=False, n=name, f=fmt: self._ask_export(n, f))
            menu.addAction(action)

    def _ask_export(self, name: str, fmt: str) -> None:
        dialog = QFileDialog(self, f"Export plot as {fmt}", f"{name}.{fmt.lower()}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(f"{fmt} image (*.{fmt.lower()})")
        dialog.setDefaultSuffix(fmt.lower())
        dialog.fileSelected.connect(lambda path: self.export(name, Path(path)))
        dialog.finished.connect(lambda _=0: self._dialogs.remove(dialog))
        self._dialogs.append(dialog)
        dialog.open()  # not exec(): no nested event loop under qasync

    def export(self, name: str, path: Path) -> Path:
        """Write plot `name` to `path` (.png or .svg, by the suffix)."""
        plot = self.plots[name]
        if path.suffix.lower() == ".svg":
            self._export_svg(plot, path)
        else:
            exporter = ImageExporter(plot)
            exporter.parameters()["width"] = max(800, int(plot.width()))
            exporter.export(str(path))
        return path



    def _export_svg(self, plot: pg.PlotItem, path: Path) -> None:
        # pyqtgraph 0.14's SVGExporter cannot parse the path data Qt 6.11 writes (it
        # expects "x,y" pairs); rendering the scene region into Qt's own SVG generator
        # gives a vector file without that step.
        source = plot.sceneBoundingRect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(QSize(int(source.width()), int(source.height())))
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setTitle(PLOTS[next(k for k, v in self.plots.items() if v is plot)][0])
        painter = QPainter(generator)
        try:
            self.scene().render(
                painter, QRectF(0, 0, source.width(), source.height()), source
            )
        finally:
            painter.end()
