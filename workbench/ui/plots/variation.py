"""The "Variation" page of the Plots tab: the similarity heatmap, metrics by level and the
first divergence from the medoid by cell.

Fed by the shared AnalysisFeed (throttled, computed off the Qt thread). Every item is
created once; updates only call setData / setImage, and only when an analysis arrives
(about once a second at most), so this page adds nothing to the per-frame cost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from workbench.core.analysis import (
    WORD_SIMILARITY,
    AnalysisReport,
    CellMetrics,
    Effect,
    SimilarityMeasure,
    encode_all,
    final_samples,
    words,
)
from workbench.core.records import Sample
from workbench.ui.plots.divergence import TITLE as DIVERGENCE_TITLE
from workbench.ui.plots.divergence import DivergencePlot
from workbench.ui.plots.export import add_export_actions, ask_export, export_plot
from workbench.ui.plots.style import level_color, style_plot
from workbench.ui.runtime.analysis_feed import AnalysisUpdate
from workbench.ui.runtime.tasks import TaskManager

log = logging.getLogger(__name__)
# Responses in the heatmap (a seeded subsample above it): the matrix costs n² comparisons.
HEATMAP_CAP = 200
# Metrics by level: (effect metric, title, y label, unit, value of a cell).
LEVEL_METRICS = {
    "words_by_level": ("length_words", "Mean length by level", "words", ""),
    "ttft_by_level": ("ttft_p50", "TTFT p50 by level", "TTFT p50", "ms"),
}
TITLES = {
    "similarity_heatmap": "Pairwise similarity of responses",
    **{name: spec[1] for name, spec in LEVEL_METRICS.items()},
    "divergence": DIVERGENCE_TITLE,
}
FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Heatmap:
    matrix: FloatMatrix
    cell: str | None  # CellKey label, None: all cells
    blocks: list[tuple[int, str]]  # (first row, cell name) of each cell's block
    total: int  # ok responses before subsampling
    measure: str = "words"  # the similarity's label


def heatmap_data(
    samples: Sequence[Sample], cell: str | None, cap: int = HEATMAP_CAP,
    similarity: SimilarityMeasure | None = None,
) -> Heatmap:
    """Similarity matrix (words, or `similarity`) of the ok responses of `cell` (or of all
    cells, in level blocks), each block ordered from the most typical response to the least."""
    ok = [s for s in final_samples(samples) if s.outcome == "ok"
          and (cell is None or s.cell.label() == cell)]
    by_cell: dict[str, list[Sample]] = {}
    for sample in sorted(ok, key=lambda s: (s.cell.level, s.cell.variant, s.cell.step, s.id)):
        by_cell.setdefault(sample.cell.label(), []).append(sample)
    rng = np.random.default_rng(0)
    per_cell = max(2, cap // max(1, len(by_cell)))
    chosen: list[list[Sample]] = []
    for members in by_cell.values():
        if len(members) > per_cell:
            keep = sorted(rng.choice(len(members), size=per_cell, replace=False))
            members = [members[int(i)] for i in keep]
        chosen.append(members)
    flat = [s for members in chosen for s in members]
    measure = similarity or WORD_SIMILARITY
    matrix = measure.matrix([s.text for s in flat], encode_all([words(s.text) for s in flat]))
    order: list[int] = []
    blocks: list[tuple[int, str]] = []
    start = 0
    for members in chosen:
        block = list(range(start, start + len(members)))
        typical = matrix[np.ix_(block, block)].mean(axis=1)
        blocks.append((len(order), f"c={members[0].cell.level}"))
        order.extend(block[i] for i in np.argsort(-typical, kind="stable"))
        start += len(members)
    ordered: FloatMatrix = matrix[np.ix_(order, order)] if order else matrix
    return Heatmap(ordered, cell, blocks, len(ok), measure.label)


def level_points(
    report: AnalysisReport, metric: str
) -> tuple[list[int], list[float], list[tuple[float, float] | None], float | None]:
    """Per level of the first endpoint/model group: the metric's value and the range the
    level's value lies in by the effect's 95% CI (baseline value x (1 + CI of the change));
    None for the baseline itself. Also the baseline value."""
    group = report.effects[0].group if report.effects else None
    effects: dict[int, Effect] = {
        int(e.level): e for e in report.effects
        if e.metric == metric and e.group == group and isinstance(e.level, int)
    }
    baseline = next(iter(effects.values())).baseline if effects else None
    base_value = next(iter(effects.values())).baseline_value if effects else None
    cells = [c for c in report.cells if group is None or _group_of(c) == group]
    levels: list[int] = []
    values: list[float] = []
    ranges: list[tuple[float, float] | None] = []
    for cell in sorted(cells, key=lambda c: c.level):
        if cell.level in levels:
            continue
        effect = effects.get(cell.level)
        value = _cell_value(cell, metric) if effect is None else effect.level_value
        if cell.level == baseline:
            value = base_value
        if value is None:
            continue
        levels.append(cell.level)
        values.append(value)
        ranges.append(_implied_range(effect) if effect is not None else None)
    return levels, values, ranges, base_value


def _group_of(cell: CellMetrics) -> str:
    return f"{cell.endpoint}/{cell.model}"


def _cell_value(cell: CellMetrics, metric: str) -> float | None:
    if metric == "length_words":
        return cell.lengths.words.mean
    if metric == "ttft_p50":
        return cell.timings.ttft_ms.p50
    return None


def _implied_range(effect: Effect) -> tuple[float, float] | None:
    base = effect.baseline_value
    if base is None or effect.ci_low is None or effect.ci_high is None:
        return None
    if effect.scale == "absolute":
        return base + effect.ci_low, base + effect.ci_high
    return base * (1 + effect.ci_low), base * (1 + effect.ci_high)


class AnalysisPlots(pg.GraphicsLayoutWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        dark = self.palette().window().color().lightness() < 128
        self.setObjectName("analysisPlots")
        self.setAccessibleName("Similarity and metric-by-level plots")
        self._bg = "#1e2127" if dark else "#ffffff"
        self._fg = "#c9ced6" if dark else "#3b4048"
        self.setBackground(self._bg)
        self.ci.layout.setSpacing(14)
        self.ci.setContentsMargins(8, 8, 8, 8)
        self.plots: dict[str, pg.PlotItem] = {}
        heat = self.addPlot(row=0, col=0, rowspan=2)
        style_plot(heat, TITLES["similarity_heatmap"], ("response", "", "response", ""),
                   self._fg, self._bg)
        heat.showGrid(x=False, y=False)
        heat.invertY(True)
        heat.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        heat.addItem(self.image)
        self.colorbar = pg.ColorBarItem(
            values=(0.0, 1.0), colorMap=pg.colormap.get("viridis"), interactive=False,
            label="similarity", width=14,
        )
        self.colorbar.setImageItem(self.image, insert_in=heat)
        self.colorbar.getAxis("right").setTextPen(self._fg)
        self.block_lines: list[pg.InfiniteLine] = []
        self.plots["similarity_heatmap"] = heat
        self.note = pg.TextItem("", color=self._fg, anchor=(0, 0))
        heat.addItem(self.note, ignoreBounds=True)

        self.points: dict[str, pg.ScatterPlotItem] = {}
        self.error_bars: dict[str, pg.ErrorBarItem] = {}
        self.baseline_lines: dict[str, pg.InfiniteLine] = {}
        for row, (name, (_metric, title, ylabel, unit)) in enumerate(LEVEL_METRICS.items()):
            plot = self.addPlot(row=row, col=1)
            style_plot(plot, title, ("concurrency", "", ylabel, unit), self._fg, self._bg)
            plot.showGrid(x=False, y=True)  # categorical x: vertical lines would hide whiskers
            baseline = pg.InfiniteLine(
                angle=0, pen=pg.mkPen(self._fg, width=1, style=Qt.PenStyle.DashLine)
            )
            baseline.setVisible(False)
            plot.addItem(baseline, ignoreBounds=True)
            bars = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), beam=0.18,
                                   pen=pg.mkPen(self._fg, width=1.5))
            plot.addItem(bars)
            points = pg.ScatterPlotItem(size=10, pen=pg.mkPen(self._fg, width=1))
            plot.addItem(points)
            self.plots[name] = plot
            self.points[name] = points
            self.error_bars[name] = bars
            self.baseline_lines[name] = baseline
        self.divergence = DivergencePlot(self.addPlot(row=2, col=0, colspan=2), self._fg,
                                         self._bg)
        self.plots["divergence"] = self.divergence.plot
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)
        for name, plot in self.plots.items():
            add_export_actions(plot, self._export_asker(name))
        self.heatmap: Heatmap | None = None
        self.heatmap_cell: str | None = None
        self._latest: AnalysisUpdate | None = None
        # (id of samples, cell, id of the similarity) shown
        self._heatmap_of: tuple[int, str | None, int] | None = None
        self._heatmap_slot = tasks.slot("heatmap")  # one at a time; skipped while running
        self.updates = 0

    # --- feeding --------------------------------------------------------------------------

    def reset(self) -> None:
        """Empty plots for a new run."""
        self._latest = None
        self._heatmap_of = None
        self.heatmap = None
        self.image.clear()
        self.note.setText("")
        for name in LEVEL_METRICS:
            self.points[name].setData([], [])
            self.error_bars[name].setData(x=np.zeros(0), y=np.zeros(0))
            self.baseline_lines[name].setVisible(False)
        self.divergence.reset()

    def show_analysis(self, update: AnalysisUpdate) -> None:
        self._latest = update
        self.updates += 1
        for name, (metric, *_rest) in LEVEL_METRICS.items():
            self._show_levels(name, metric, update.report)
        self.divergence.show(update.report)
        self.refresh_heatmap()

    def set_heatmap_cell(self, cell: str | None) -> None:
        self.heatmap_cell = cell
        self.refresh_heatmap()

    def refresh_heatmap(self) -> None:
        """Recompute the heatmap off the Qt thread if its data or cell changed."""
        update = self._latest
        if update is None or not self.isVisible():
            return
        wanted = (id(update.samples), self.heatmap_cell, id(update.similarity))
        if wanted == self._heatmap_of or self._heatmap_slot.running:
            return
        self._heatmap_of = wanted
        self._heatmap_slot.bind(self._compute_heatmap(update, self.heatmap_cell))

    async def _compute_heatmap(self, update: AnalysisUpdate, cell: str | None) -> None:
        try:
            data = await asyncio.to_thread(
                heatmap_data, update.samples, cell, HEATMAP_CAP, update.similarity
            )
        except Exception:  # a plot must never take the window down
            log.exception("similarity heatmap failed")
            return
        if update is self._latest and cell == self.heatmap_cell:
            self._show_heatmap(data)
        else:
            self.refresh_heatmap()  # superseded meanwhile: draw the newer one

    def _show_heatmap(self, data: Heatmap) -> None:
        self.heatmap = data
        n = data.matrix.shape[0]
        heat = self.plots["similarity_heatmap"]
        for line in self.block_lines:
            heat.removeItem(line)
        self.block_lines = []
        if n == 0:
            self.image.clear()
            self.note.setText("No successful responses yet")
            return
        self.note.setText("")
        self.image.setImage(data.matrix, levels=(0.0, 1.0))
        self.image.setRect(0, 0, n, n)
        ticks = []
        sizes = [b[0] for b in data.blocks[1:]] + [n]
        for (first, name), end in zip(data.blocks, sizes, strict=True):
            if first:
                for angle in (0, 90):
                    line = pg.InfiniteLine(first, angle=angle, pen=pg.mkPen("#ffffff", width=1))
                    heat.addItem(line, ignoreBounds=True)
                    self.block_lines.append(line)
            ticks.append(((first + end) / 2, name))  # the label centred on its block
        if len(data.blocks) > 1:
            for axis in ("bottom", "left"):
                heat.getAxis(axis).setTicks([ticks, []])
        else:
            for axis in ("bottom", "left"):
                heat.getAxis(axis).setTicks(None)
        shown = f"{n} of {data.total}" if n < data.total else str(n)
        label = data.blocks[0][1] if data.cell is not None and data.blocks else "all levels"
        by = "" if data.measure == "words" else f" · {data.measure}"
        heat.setTitle(f"{TITLES['similarity_heatmap']} · {label} · {shown} responses{by}",
                      color=self._fg, size="10pt")
        heat.autoRange(padding=0)

    def _show_levels(self, name: str, metric: str, report: AnalysisReport) -> None:
        levels, values, ranges, base_value = level_points(report, metric)
        plot = self.plots[name]
        x = np.arange(len(levels), dtype=np.float64)
        y = np.array(values, dtype=np.float64)
        brushes = [pg.mkBrush(level_color(i)) if r is not None or len(levels) == 1
                   else pg.mkBrush(self._bg) for i, r in enumerate(ranges)]
        self.points[name].setData(x=x, y=y, brush=brushes)
        with_ci = [i for i, r in enumerate(ranges) if r is not None]
        top = np.array([ranges[i][1] - values[i] for i in with_ci])  # type: ignore[index]
        bottom = np.array([values[i] - ranges[i][0] for i in with_ci])  # type: ignore[index]
        self.error_bars[name].setData(x=x[with_ci], y=y[with_ci], top=top, bottom=bottom)
        line = self.baseline_lines[name]
        line.setVisible(base_value is not None)
        if base_value is not None:
            line.setValue(base_value)
        plot.getAxis("bottom").setTicks([[(i, f"c={v}") for i, v in enumerate(levels)], []])
        plot.setXRange(-0.6, max(0, len(levels) - 1) + 0.6, padding=0)

    def bar_count(self, name: str) -> int:
        """Levels drawn with an error bar (for tests)."""
        x = self.error_bars[name].opts.get("x")
        return 0 if x is None else len(x)

    def _export_asker(self, name: str) -> Callable[[str], None]:
        def ask(fmt: str) -> None:
            ask_export(self, name, fmt, lambda path: self.export(name, path))

        return ask

    def export(self, name: str, path: Path) -> Path:
        return export_plot(self, self.plots[name], TITLES[name], path)
