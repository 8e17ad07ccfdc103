"""First divergence by cell: where responses first depart from their cell's medoid.

One strip of points per cell (each a response that differs from the medoid: the word index
of its first difference), its interquartile box and a median bar. A cell whose responses all
equal the medoid has no points and says "none" under its name: at temperature 0 that is
determinism, and points there are batch-dependent nondeterminism. Items are created once and
fed with setData, only when an analysis arrives.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg

from workbench.core.analysis import AnalysisReport, CellMetrics
from workbench.core.format import count
from workbench.ui.plots.style import blend, level_color, style_plot

TITLE = "First divergence from the most typical response"
FloatArray = npt.NDArray[np.float64]
_BOX_WIDTH = 0.5


def _jitter(n: int) -> FloatArray:
    # Deterministic spread (golden-ratio sequence): points do not dance between redraws.
    spread: FloatArray = ((np.arange(n, dtype=np.float64) * 0.6180339887) % 1.0 - 0.5) * 0.4
    return spread


def cell_tick(cell: CellMetrics) -> str:
    """The cell's name under its strip, with how many responses differ from the medoid."""
    name = f"c={cell.level}" + (f" · {cell.variant}" if cell.variant != "base" else "")
    sim = cell.similarity
    if sim.n < 2:
        return name
    if not sim.divergence_words:
        return f"{name}\nnone"
    return f"{name}\n{count(len(sim.divergence_words))}/{count(sim.n - 1)}"


class DivergencePlot:
    """The items of the divergence plot inside a PlotItem someone else lays out."""

    def __init__(self, plot: pg.PlotItem, fg: str, bg: str) -> None:
        self.plot = plot
        self._bg = bg
        style_plot(plot, TITLE, ("cell", "", "first differing word", ""), fg, bg)
        plot.showGrid(x=False, y=True)
        self.boxes = pg.BarGraphItem(
            x=[], height=[], width=_BOX_WIDTH, y0=[], pen=pg.mkPen(fg, width=1)
        )
        plot.addItem(self.boxes)
        self.points = pg.ScatterPlotItem(size=6, pen=None)
        plot.addItem(self.points)
        self.medians = pg.ScatterPlotItem(
            symbol="_", size=34, pen=pg.mkPen(fg, width=2.5), brush=None
        )
        plot.addItem(self.medians)
        self.shown_cells = 0

    def reset(self) -> None:
        self.boxes.setOpts(x=[], height=[], y0=[])
        self.points.setData([], [])
        self.medians.setData([], [])
        self.plot.getAxis("bottom").setTicks(None)
        self.shown_cells = 0

    def show(self, report: AnalysisReport) -> None:
        cells = sorted(report.cells, key=lambda c: (c.endpoint, c.model, c.variant, c.level))
        xs: list[FloatArray] = []
        ys: list[FloatArray] = []
        brushes: list[object] = []
        box_x, box_low, box_height, box_brushes = [], [], [], []
        med_x, med_y = [], []
        for i, cell in enumerate(cells):
            sim = cell.similarity
            values = np.asarray(sim.divergence_words, dtype=np.float64)
            xs.append(i + _jitter(values.size))
            ys.append(values)
            brushes += [pg.mkBrush(level_color(i))] * int(values.size)
            if sim.divergence_p50 is None or sim.divergence_q1 is None:
                continue
            box_x.append(float(i))
            box_low.append(sim.divergence_q1)
            box_height.append((sim.divergence_q3 or sim.divergence_q1) - sim.divergence_q1)
            box_brushes.append(pg.mkBrush(blend(level_color(i), self._bg, 0.25)))
            med_x.append(float(i))
            med_y.append(sim.divergence_p50)
        self.boxes.setOpts(x=box_x, y0=box_low, height=box_height, brushes=box_brushes)
        x = np.concatenate(xs) if xs else np.zeros(0)
        y = np.concatenate(ys) if ys else np.zeros(0)
        self.points.setData(x=x, y=y, brush=brushes)
        self.medians.setData(x=med_x, y=med_y)
        self.plot.getAxis("bottom").setTicks([[(i, cell_tick(c)) for i, c in enumerate(cells)], []])
        self.plot.setXRange(-0.6, max(0, len(cells) - 1) + 0.6, padding=0)
        top = max([*y.tolist(), 1.0])
        self.plot.setYRange(0, top * 1.05, padding=0)
        self.shown_cells = len(cells)

    def point_count(self) -> int:
        """Responses drawn (for tests)."""
        data = self.points.data
        return 0 if data is None else len(data)
