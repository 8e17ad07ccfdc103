"""Colours and axis styling shared by the Plots tab's pages."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor

LEVEL_COLORS = ("#4c8dd6", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948",
                "#9c755f")


def level_color(index: int) -> str:
    return LEVEL_COLORS[index % len(LEVEL_COLORS)]


def blend(color: str, background: str, alpha: float) -> QColor:
    """`color` at `alpha` over `background`, as one opaque colour (cheap to paint)."""
    fg, bg = QColor(color), QColor(background)
    return QColor(
        round(fg.red() * alpha + bg.red() * (1 - alpha)),
        round(fg.green() * alpha + bg.green() * (1 - alpha)),
        round(fg.blue() * alpha + bg.blue() * (1 - alpha)),
    )


def style_plot(plot: pg.PlotItem, title: str, labels: tuple[str, str, str, str],
               fg: str, bg: str) -> None:
    """Title, axis labels and an opaque grid (see the module docstring for why opaque)."""
    xlabel, xunit, ylabel, yunit = labels
    plot.setTitle(title, color=fg, size="10pt")
    plot.setLabel("bottom", xlabel, units=xunit or None, color=fg)
    plot.setLabel("left", ylabel, units=yunit or None, color=fg)
    plot.showGrid(x=True, y=True)
    grid = pg.mkPen(blend(fg, bg, 0.16))
    for axis in ("bottom", "left"):
        item = plot.getAxis(axis)
        item.setTextPen(fg)
        item.setPen(fg)
        item.setTickPen(grid)
        # Major and minor grid lines only, all opaque.
        item.setStyle(tickAlpha=255, maxTickLevel=1)
        # Auto SI prefixes turn "ms" into "kms"; thousands of ms read better.
        item.enableAutoSIPrefix(False)
