"""The report's plots, drawn offscreen by the window's own plotting code (PlotsView)."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QBuffer, QCoreApplication, QEvent, QIODevice, Qt
from PySide6.QtWidgets import QApplication

from workbench.core.analysis import AnalysisReport
from workbench.core.export import ReportPlot
from workbench.core.journal import LoadedSession
from workbench.core.knee import knee_settings
from workbench.core.plan import RunSettings
from workbench.viewmodel.live import run_from_session

# What each plot shows, in a sentence a stakeholder can read under the picture.
_DESCRIPTIONS = {
    "latency": "end-to-end latency of each request against when it was sent, coloured by level",
    "inflight": "requests in flight over the run",
    "ttft_hist": "time to first token of every successful request",
    "e2e_hist": "end-to-end latency of every successful request",
    "length_hist": "response length in characters",
    "length_by_level": "response length at each concurrency level",
    "e2e_by_level": "end-to-end latency at each concurrency level",
}
_DIVERGENCE = (
    "the word at which each response first departs from its cell's most typical response "
    "(boxes: quartiles; bars: medians; 'none': every response identical to it). At "
    "temperature 0 any departure is nondeterminism"
)


def _application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    # A command-line export must not open a window on anyone's screen.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return QApplication([])


def _png(plot: Any) -> bytes:
    from pyqtgraph.exporters import ImageExporter

    exporter = ImageExporter(plot)
    # Twice the on-screen size: sharp when printed, and every plot's text the same size.
    exporter.parameters()["width"] = int(plot.width() * 2)
    image = exporter.export(toBytes=True)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def _knee_plot(session: LoadedSession, run: RunSettings, width: int) -> ReportPlot:
    """The knee search's throughput and goodput curves, as `workbench analyze` finds them."""
    from workbench.core.analysis import knee_report
    from workbench.ui.plots.knee_plot import DESCRIPTION, TITLE, KneePlot

    view = KneePlot()
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.resize(width, int(width * 0.4))
    view.show()
    view.show_knee(knee_report(session.samples, run))
    QCoreApplication.processEvents()
    plot = ReportPlot(TITLE, _png(view.plot), DESCRIPTION, True)
    view.close()
    view.deleteLater()
    return plot


def _divergence_plot(report: AnalysisReport, width: int) -> ReportPlot:
    import pyqtgraph as pg

    from workbench.ui.plots.divergence import TITLE, DivergencePlot

    layout = pg.GraphicsLayoutWidget()
    layout.setBackground("#ffffff")
    layout.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    layout.resize(width, int(width * 0.3))
    divergence = DivergencePlot(layout.addPlot(), "#3b4048", "#ffffff")
    layout.show()
    divergence.show(report)
    QCoreApplication.processEvents()
    png = _png(divergence.plot)
    layout.close()
    layout.deleteLater()
    return ReportPlot(TITLE, png, _DIVERGENCE, wide=True)


def render_report_plots(
    session: LoadedSession, report: AnalysisReport | None = None, *, width: int = 1500
) -> list[ReportPlot]:
    """The window's live plots of the session; with its `report`, also the first-divergence
    plot drawn from it."""
    _application()
    from workbench.ui.plots.plots_view import PLOTS, PlotsView
    from workbench.ui.runtime.tasks import TaskManager

    # Its own task manager: an offscreen render shares no task with any window.
    view = PlotsView(TaskManager())
    # Laid out for real (sizes, no overlaps) but never on anyone's screen.
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.resize(width, int(width * 0.62))
    view.show()
    QCoreApplication.processEvents()
    view.set_run(run_from_session(session))
    view.redraw()
    QCoreApplication.processEvents()
    plots = []
    knee = knee_settings(session.header.plan)
    if knee is not None:
        plots.append(_knee_plot(session, knee, width))
    for name, plot in view.plots.items():
        wide = plot.width() > 0.5 * view.width()
        plots.append(ReportPlot(PLOTS[name][0], _png(plot), _DESCRIPTIONS[name], wide))
    if report is not None:
        plots.append(_divergence_plot(report, width))
    # Destroy the view now, while the application exists: left to interpreter shutdown,
    # pyqtgraph's items outlive Qt's objects and the process segfaults on exit.
    view.close()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return plots
