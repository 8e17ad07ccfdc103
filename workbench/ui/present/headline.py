"""The presentation's headline plot: response length by concurrency level, in large type.

The answers' length is what the findings most often speak of (load-sensitive depth), and a
strip per level with a thick line through the medians reads from across a room. Like the
Plots tab, the items are created once and fed with setData from the run's growing buffers.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from workbench.ui.plots.style import blend, level_color, style_plot
from workbench.viewmodel.live import LiveRun

TITLE = "Response length by concurrency"
TICK_PT = 18
LABEL_PT = "20pt"
TITLE_PT = "22pt"
TITLE_ROW_PX = 56
MEDIAN_WIDTH = 6
POINT_SIZE = 14


def _jitter(n: int) -> np.ndarray:
    # Deterministic spread (golden-ratio sequence): points stay put between redraws.
    return ((np.arange(n, dtype=np.float64) * 0.6180339887) % 1.0 - 0.5) * 0.45


class HeadlinePlot(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    def __init__(self, fg: str, bg: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=bg)
        self.setObjectName("presentPlot")
        self.setAccessibleName(TITLE)
        self.fg, self.bg = fg, bg
        plot = self.getPlotItem()
        style_plot(plot, TITLE, ("concurrency", "", "length", "chars"), fg, bg)
        plot.setTitle(TITLE, color=fg, size=TITLE_PT)
        # pyqtgraph fixes the title's row at 30 px, too short for large type.
        plot.titleLabel.setMaximumHeight(TITLE_ROW_PX)
        plot.layout.setRowFixedHeight(0, TITLE_ROW_PX)
        font = QFont(self.font())
        font.setPointSize(TICK_PT)
        for side in ("bottom", "left"):
            axis = plot.getAxis(side)
            axis.setStyle(tickFont=font, tickTextOffset=10)
            axis.setPen(pg.mkPen(fg, width=2))
            axis.label.setFont(font)
        plot.setLabel("bottom", "concurrency level", color=fg, **{"font-size": LABEL_PT})
        plot.setLabel("left", "length", units="chars", color=fg, **{"font-size": LABEL_PT})
        plot.getAxis("left").setWidth(110)
        plot.getAxis("bottom").setHeight(80)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        self.points: dict[int, pg.PlotDataItem] = {}
        self.median = plot.plot(
            [],
            [],
            pen=pg.mkPen(fg, width=MEDIAN_WIDTH),
            symbol="s",
            symbolSize=POINT_SIZE + 6,
            symbolBrush=pg.mkBrush(fg),
            symbolPen=None,
        )
        self.median.setZValue(10)
        self.run: LiveRun | None = None
        self.redraws = 0

    def set_run(self, run: LiveRun) -> None:
        self.run = run
        plot = self.getPlotItem()
        for item in self.points.values():
            plot.removeItem(item)
        self.points.clear()
        self.median.setData([], [])

    def point_count(self) -> int:
        sizes = (item.getData()[0] for item in self.points.values())
        return sum(0 if x is None else len(x) for x in sizes)

    def redraw(self) -> None:
        run = self.run
        if run is None:
            return
        self.redraws += 1
        series = run.series
        length, level = series.length.view(), series.level.view()
        levels = run.levels or sorted({int(v) for v in level})
        x = np.full(level.shape, np.nan)
        for index, value in enumerate(levels):
            x[level == value] = index
        x = x + _jitter(level.shape[0])
        medians_x: list[float] = []
        medians_y: list[float] = []
        for index, value in enumerate(levels):
            mask = level == value
            if not mask.any():
                continue
            self._points(index, value).setData(x[mask], length[mask])
            medians_x.append(index)
            medians_y.append(float(np.median(length[mask])))
        self.median.setData(medians_x, medians_y)
        plot = self.getPlotItem()
        plot.getAxis("bottom").setTicks([[(i, f"c={v}") for i, v in enumerate(levels)]])
        plot.setXRange(-0.6, max(0, len(levels) - 1) + 0.6, padding=0)
        if length.size:
            top = float(np.max(length)) * 1.08 + 1
            plot.setYRange(-0.04 * top, top, padding=0)  # room for the "0" tick label

    def _points(self, index: int, level: int) -> pg.PlotDataItem:
        item = self.points.get(level)
        if item is None:
            colour = blend(level_color(index), self.bg, 0.75)  # opaque: cheap to paint
            item = self.getPlotItem().plot(
                [],
                [],
                pen=None,
                symbol="o",
                symbolSize=POINT_SIZE,
                symbolBrush=pg.mkBrush(colour),
                symbolPen=None,
            )
            self.points[level] = item
        return item
