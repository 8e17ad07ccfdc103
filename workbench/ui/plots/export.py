"""PNG / SVG export of single pyqtgraph plots, and the "Export this plot" context menu."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QAction, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QWidget

_open_dialogs: list[QFileDialog] = []


def add_export_actions(plot: pg.PlotItem, ask: Callable[[str], None]) -> None:
    """Add "Export this plot as PNG/SVG…" to the plot's context menu; `ask(fmt)` on click."""
    menu = plot.getViewBox().menu
    menu.addSeparator()
    for fmt in ("PNG", "SVG"):
        action = QAction(f"Export this plot as {fmt}…", menu)
        action.triggered.connect(lambda _=False, f=fmt: ask(f))
        menu.addAction(action)


def ask_export(parent: QWidget, name: str, fmt: str, write: Callable[[Path], object]) -> None:
    dialog = QFileDialog(parent, f"Export plot as {fmt}", f"{name}.{fmt.lower()}")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter(f"{fmt} image (*.{fmt.lower()})")
    dialog.setDefaultSuffix(fmt.lower())
    dialog.fileSelected.connect(lambda path: write(Path(path)))
    dialog.finished.connect(lambda _=0: _open_dialogs.remove(dialog))
    _open_dialogs.append(dialog)
    dialog.open()  # not exec(): no nested event loop under qasync


def export_plot(view: pg.GraphicsView, plot: pg.PlotItem, title: str, path: Path) -> Path:
    """Write `plot` to `path` (.png or .svg, by the suffix)."""
    if path.suffix.lower() == ".svg":
        # pyqtgraph 0.14's SVGExporter cannot parse the path data Qt 6.11 writes (it
        # expects "x,y" pairs); rendering the scene region into Qt's own SVG generator
        # gives a vector file without that step.
        source = plot.sceneBoundingRect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(QSize(int(source.width()), int(source.height())))
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setTitle(title)
        painter = QPainter(generator)
        try:
            view.scene().render(painter, QRectF(0, 0, source.width(), source.height()), source)
        finally:
            painter.end()
    else:
        exporter = ImageExporter(plot)
        exporter.parameters()["width"] = max(800, int(plot.width()))
        exporter.export(str(path))
    return path
