"""Composition root of the window: builds the services and injects them into the UI.

    workbench            # opens the window
    workbench gui FILE   # opens the window showing a saved session (read-only)

The event loop is qasync's QEventLoop under Python 3.11's asyncio.Runner, so the runner's
coroutines and Qt share one thread; closing the last window cancels a running run, stops
the local simulator and ends the loop.
"""

from __future__ import annotations

import os

# Before any Qt or pyqtgraph import: pyqtgraph picks its binding from these.
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import asyncio
import gc
import logging
import sys
from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from workbench import __version__
from workbench.core.endpoints import ProfileStore
from workbench.core.export import ReportPlot
from workbench.core.journal import LoadedSession, default_session_path
from workbench.core.runner import Runner
from workbench.core.secrets import KeyStore
from workbench.sim.process import LocalSimulator
from workbench.ui.common import errors, theme
from workbench.ui.runtime.event_loop import WorkbenchEventLoop
from workbench.ui.runtime.services import Services, SimulatorService
from workbench.ui.runtime.tasks import TaskManager
from workbench.ui.window.main_window import MainWindow

log = logging.getLogger("workbench")
ORGANIZATION = "prompt-stress-workbench"
APPLICATION = "workbench"


def settings_path() -> Path:
    return Path(platformdirs.user_config_dir(APPLICATION)) / "window.ini"


def ensure_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationDisplayName("Prompt Stress Workbench")
    app.setApplicationVersion(__version__)
    icon = theme.icon_path("workbench.svg")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    return app


def build_services(
    *, simulator_root: str | None = None, settings: QSettings | None = None
) -> Services:
    """The window's services. `simulator_root`: use this running simulated endpoint instead
    of starting the local one (tests, benchmarks)."""
    return Services(
        settings=settings or QSettings(str(settings_path()), QSettings.Format.IniFormat),
        simulator=SimulatorService(
            None if simulator_root else LocalSimulator.shared(), fixed_root=simulator_root
        ),
        # The window takes keys from the keyring only; environment variables are for the CLI.
        keys=KeyStore(allow_env=False),
        profiles=ProfileStore(),
        runner_factory=Runner,
        session_path=default_session_path,
        tasks=TaskManager(),
    )


def build_window(services: Services) -> MainWindow:
    app = QApplication.instance()
    assert isinstance(app, QApplication), "create the QApplication first"
    theme.apply_theme(app)
    window = MainWindow(services)
    # Python's full collections scan every tracked object; with Qt, pyqtgraph and numpy
    # loaded they took 120-150 ms on the Qt thread mid-run (benchmarks/ui_responsiveness.py).
    # Objects alive now are the program itself: exempt them from those scans.
    gc.freeze()
    return window


def render_report_plots(session: LoadedSession) -> list[ReportPlot]:
    """The window's plots of a session, drawn offscreen, for `workbench export --html`."""
    from workbench.ui.plots.report_plots import render_report_plots as render

    return render(session)


async def run_until_closed(app: QApplication, window: MainWindow, file: Path | None) -> None:
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    window.show()
    if file is not None:
        await window.session_actions.open(file)
    await closed.wait()
    await window.services.tasks.shutdown()
    window.services.simulator.mark_stopped()
    await asyncio.to_thread(window.services.simulator.stop)


def main(file: Path | None = None, *, simulator_root: str | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = ensure_application()
    app.setQuitOnLastWindowClosed(False)  # the coroutine below ends the loop, after cleanup
    window = build_window(build_services(simulator_root=simulator_root))
    with asyncio.Runner(loop_factory=WorkbenchEventLoop) as runner:
        uninstall = errors.install(runner.get_loop())
        try:
            runner.run(run_until_closed(app, window, file))
        finally:
            uninstall()
    return 0
