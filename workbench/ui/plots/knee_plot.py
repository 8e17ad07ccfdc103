"""The "Load knee" page of the Plots tab: throughput and goodput against concurrency, the knee
marked. Fed by the analysis (AnalysisReport.knee), so it shows what `workbench analyze`
reports; drawn once per analysis, never per chunk."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from workbench.core.analysis import KneeReport
from workbench.ui.plots.style import level_color, style_plot

TITLE = "Throughput and goodput by concurrency"
DESCRIPTION = (
    "output tokens per second at each level of the knee search (goodput: of requests that"
    " met the SLOs), the knee marked"
)


class KneePlot(pg.GraphicsLayoutWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        dark = self.palette().window().color().lightness() < 128
        self.setObjectName("kneePlot")
        self.setAccessibleName("Throughput and goodput by concurrency")
        bg = "#1e2127" if dark else "#ffffff"
        self._fg = "#c9ced6" if dark else "#3b4048"
        self.setBackground(bg)
        self.plot: pg.PlotItem = self.addPlot()
        style_plot(self.plot, TITLE, ("concurrency", "", "output tokens/s", ""), self._fg, bg)
        self.legend = self.plot.addLegend(offset=(10, 10), labelTextColor=self._fg)
        self.throughput = self.plot.plot(
            [],
            [],
            name="throughput",
            pen=pg.mkPen(level_color(0), width=2),
            symbol="o",
            symbolBrush=level_color(0),
            symbolPen=None,
        )
        self.goodput = self.plot.plot(
            [],
            [],
            name="goodput (met the SLOs)",
            pen=pg.mkPen(level_color(1), width=2, style=Qt.PenStyle.DashLine),
            symbol="t",
            symbolBrush=level_color(1),
            symbolPen=None,
        )
        self.knee_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(level_color(3), width=2, style=Qt.PenStyle.DashLine)
        )
        self.knee_line.setVisible(False)
        self.plot.addItem(self.knee_line, ignoreBounds=True)
        self.knee_label = pg.TextItem("", color=self._fg, anchor=(0, 0))
        self.plot.addItem(self.knee_label, ignoreBounds=True)
        self.shown: KneeReport | None = None

    def show_knee(self, knee: KneeReport | None) -> None:
        """Draw `knee`'s curves on a log2 concurrency axis; None empties the plot."""
        self.shown = knee
        levels = knee.levels if knee is not None else []
        xs = [math.log2(k.level) for k in levels]
        through = [k.throughput_tokens_per_s or 0.0 for k in levels]
        good = [k.goodput_tokens_per_s or 0.0 for k in levels]
        self.throughput.setData(xs, through)
        self.goodput.setData(xs, good)
        self.plot.getAxis("bottom").setTicks(
            [[(x, str(k.level)) for x, k in zip(xs, levels, strict=True)]]
        )
        marked = knee is not None and knee.knee is not None
        self.knee_line.setVisible(marked)
        if knee is not None and knee.knee is not None:
            x = math.log2(knee.knee)
            self.knee_line.setValue(x)
            self.knee_label.setText(f"knee: {knee.knee}")
            self.knee_label.setPos(x, max(through, default=0.0))
        else:
            self.knee_label.setText("" if knee is None else "no knee found")
            self.knee_label.setPos(0, max(through, default=0.0))
