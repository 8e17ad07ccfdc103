"""Composition root of the window: builds the services and injects them into the UI.

    workbench                            # opens the window
    workbench gui FILE                   # ... showing a saved session (read-only)
    workbench gui --plan PLAN.toml --run # ... with a plan loaded, and runs it

The event loop is qasync's QEventLoop under Python 3.11's asyncio.Runner, so the runner's
coroutines and Qt share one thread. Every way out (the window closed, File > Quit or Ctrl+Q,
QApplication.quit(), SIGTERM, SIGINT, SIGHUP) goes through `Shutdown`, while the loop still
runs: window state saved, every task stopped and awaited (the run gently, so finished
responses stay in the session file), the local simulator stopped, then the loop ends.
"""

from __future__ import annotations

import os

# Before any Qt or pyqtgraph import: pyqtgraph picks its binding from these.
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import asyncio
import gc
import logging
import signal
import sys
import traceback
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import platformdirs
from PySide6.QtCore import (
    QMessageLogContext,
    QSettings,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from workbench import __version__
from workbench.core.endpoints import ProfileStore
from workbench.core.journal import default_session_path
from workbench.core.plan import Plan
from workbench.core.redact import redact_text
from workbench.core.secrets import KeyStore
from workbench.sim.process import LocalSimulator
from workbench.ui.common import errors, theme
from workbench.ui.runtime.bridge import Tick
from workbench.ui.runtime.event_loop import WorkbenchEventLoop
from workbench.ui.runtime.services import Services, SimulatorService
from workbench.ui.runtime.tasks import TaskManager
from workbench.ui.window.main_window import MainWindow

if TYPE_CHECKING:
    from workbench.core.analysis import AnalysisReport
    from workbench.core.export import ReportPlot
    from workbench.core.journal import LoadedSession
    from workbench.core.workers import RunEngine

T = TypeVar("T")
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


def run_on_window_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to its end on the window's event loop (qasync's, as the program runs
    it), the application created first. For one-shot work such as `workbench --self-check`."""
    ensure_application()
    with asyncio.Runner(loop_factory=WorkbenchEventLoop) as runner:
        return runner.run(coroutine)


@dataclass(frozen=True)
class WindowFrame:
    opened: bool
    width: int = 0
    height: int = 0
    colours: int = 0  # distinct colours on a coarse grid: 1 means a blank frame


async def render_session_window(
    session: Path, *, settings_file: Path, simulator_root: str, screenshot: Path
) -> WindowFrame:
    """Build the window with its own settings file, open `session` in it, grab one frame into
    `screenshot`, close it (`workbench --self-check`)."""
    _drop_offscreen_notes()
    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    window = build_window(build_services(simulator_root=simulator_root, settings=settings))
    try:
        window.resize(1280, 800)
        window.show()
        if not await window.session_actions.open_path(session):
            return WindowFrame(opened=False)
        await asyncio.sleep(0.1)  # a few loop passes: layout and the first paint
        image = window.grab().toImage()
        image.save(str(screenshot))
        grid = {
            image.pixel(x, y)
            for x in range(0, image.width(), 37)
            for y in range(0, image.height(), 41)
        }
        return WindowFrame(True, image.width(), image.height(), len(grid))
    finally:
        window.close_guard = lambda: True
        window.close()
        window.deleteLater()


def _drop_offscreen_notes() -> None:
    """The offscreen platform notes every window it cannot resize natively: not a problem."""

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def make_runner(*args: Any, **kwargs: Any) -> RunEngine:
    """The run engine, imported with the first run: aiohttp and httpx cost the window's
    first frame a third of a second otherwise (benchmarks/start_time.py). `workers`: the
    params panel's choice (None: auto), one loop or worker processes (core.sharded)."""
    from workbench.core.sharded import make_engine

    return make_engine(*args, **kwargs)


def build_services(
    *,
    simulator_root: str | None = None,
    settings: QSettings | None = None,
    first_run_sample: bool = False,
) -> Services:
    """The window's services. `simulator_root`: use this running simulated endpoint instead
    of starting the local one (tests, benchmarks). `first_run_sample`: a window with no saved
    state opens the sample sweep (the program does; tests start from the empty default)."""
    return Services(
        settings=settings or QSettings(str(settings_path()), QSettings.Format.IniFormat),
        simulator=SimulatorService(
            None if simulator_root else LocalSimulator.shared(), fixed_root=simulator_root
        ),
        # The window takes keys from the keyring only; environment variables are for the CLI.
        keys=KeyStore(allow_env=False),
        profiles=ProfileStore(),
        runner_factory=make_runner,
        session_path=default_session_path,
        tasks=TaskManager(),
        first_run_plan=_first_run_plan if first_run_sample else None,
    )


def _first_run_plan() -> Plan:
    from workbench.core.samples import FIRST_RUN, sample_plan

    return sample_plan(FIRST_RUN)


def build_window(services: Services) -> MainWindow:
    app = QApplication.instance()
    assert isinstance(app, QApplication), "create the QApplication first"
    theme.apply_theme(app)
    window = MainWindow(services)
    services.tasks.set_error_reporter(lambda name, exc: show_task_failure(window, name, exc))
    # Python's full collections scan every tracked object; with Qt, pyqtgraph and numpy
    # loaded they took 120-150 ms on the Qt thread mid-run (benchmarks/ui_responsiveness.py).
    # Objects alive now are the program itself: exempt them from those scans.
    gc.freeze()
    return window


def show_task_failure(window: MainWindow, name: str, exc: BaseException) -> None:
    """The task manager's error reporter: a non-modal dialog, redacted like every message."""
    details = redact_text("".join(traceback.format_exception(exc)))
    errors.show_error(
        "Something went wrong",
        redact_text(f"A background job ({name}) failed: {type(exc).__name__}: {exc}"),
        details,
        parent=window,
    )


def render_report_plots(
    session: LoadedSession, report: AnalysisReport | None = None
) -> list[ReportPlot]:
    """The window's plots of a session (and, given its analysis, the first-divergence plot),
    drawn offscreen, for `workbench export --html`."""
    from workbench.ui.plots.report_plots import render_report_plots as render

    return render(session, report)


def prewarm_imports() -> None:
    import importlib

    engine = ("workbench.core.runner", "workbench.core.sharded")
    for name in (*engine, "workbench.core.probe", "workbench.core.export"):
        importlib.import_module(name)


EXIT_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
FORCED_EXIT_CODE = 128 + signal.SIGINT


class Shutdown:
    """The one way out, whatever asked for it. Runs once, while the event loop still runs."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._task: asyncio.Task[None] | None = None
        self._requested = asyncio.Event()
        self.done = False

    def may_close(self) -> bool:
        """The window's close guard: it closes only once the shutdown has finished."""
        if not self.done:
            self.request("the window was asked to close")
        return self.done

    def request(self, reason: str) -> None:
        if self._task is None:
            log.info("shutting down: %s", reason)
            self._task = asyncio.ensure_future(self._shut_down())
            self._requested.set()

    def on_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if signum == signal.SIGINT and self._task is not None:
            # Ctrl+C again: the user will not wait for the run to wind down. The journal
            # holds every finished attempt already (flushed line by line), and the
            # simulator child exits by itself once our end of its stdin pipe closes.
            print("workbench: interrupted again, quitting now", file=sys.stderr, flush=True)
            os._exit(FORCED_EXIT_CODE)
        self.request(f"{name} received")

    async def until_done(self) -> None:
        await self._requested.wait()
        assert self._task is not None
        await asyncio.shield(self._task)

    async def finish(self, reason: str) -> None:
        self.request(reason)
        await self.until_done()

    async def _shut_down(self) -> None:
        window, services = self._window, self._window.services
        try:
            window.save_state()
            await services.tasks.shutdown()  # the run ends gently; its journal is fsynced
        except Exception:
            log.exception("the shutdown could not stop everything cleanly")
        finally:
            await services.simulator.shutdown()
            self.done = True
            window.close()


TEST_EXIT_ENV = "WORKBENCH_TEST_EXIT_AFTER"


def exit_for_tests(app: QApplication, window: MainWindow) -> None:
    """Test-only: with WORKBENCH_TEST_EXIT_AFTER=HOW:N, leave the way HOW says once N
    attempts have finished (tests/ui/runtime/test_shutdown.py drives the real program in a
    subprocess). HOW: window-close, quit-action (File > Quit), app-quit (QApplication.quit),
    app-exit (QApplication.exit, which no window can refuse)."""
    spec = os.environ.get(TEST_EXIT_ENV)
    if not spec:
        return
    ways: dict[str, Callable[[], object]] = {
        "window-close": window.close,
        "quit-action": window.quit_action.trigger,
        "app-quit": app.quit,
        "app-exit": lambda: app.exit(0),
    }
    how, _, count = spec.partition(":")
    if how not in ways or not count.isdigit():
        raise SystemExit(f"{TEST_EXIT_ENV}={spec!r}: expected HOW:N, HOW one of {sorted(ways)}")
    left = [ways[how]]

    def on_tick(tick: Tick) -> None:
        if left and tick.run.done >= int(count):
            QTimer.singleShot(0, left.pop())  # from the loop, as a user's action would be

    window.bridge.tick.connect(on_tick)


@dataclass(frozen=True)
class Opening:
    """What the window opens with (`workbench gui` arguments)."""

    file: Path | None = None  # a session file, shown read-only
    plan: Plan | None = None
    plan_path: Path | None = None
    run_plan: bool = False


async def run_until_closed(
    app: QApplication, window: MainWindow, shutdown: Shutdown, opening: Opening
) -> None:
    loop = asyncio.get_running_loop()
    window.close_guard = shutdown.may_close
    # Another top-level window closing last (the main one is held open by its guard).
    app.lastWindowClosed.connect(lambda: shutdown.request("the last window closed"))
    for signum in EXIT_SIGNALS:
        # Through asyncio's wakeup pipe, which Qt's loop watches: seen while Qt runs.
        loop.add_signal_handler(signum, shutdown.on_signal, signum)
    try:
        window.show()
        # What the first run, probe and export need, loaded in a worker thread once the
        # window is up: the first frame does not wait for it, nor does the first Ctrl+Enter.
        window.services.tasks.slot("prewarm").bind(asyncio.to_thread(prewarm_imports))
        exit_for_tests(app, window)
        # Started, not awaited: a shutdown during them must not end this coroutine.
        if opening.file is not None:
            window.session_actions.open(opening.file)
        if opening.plan is not None and opening.plan_path is not None:
            window.open_plan(opening.plan, opening.plan_path, start=opening.run_plan)
        await shutdown.until_done()
    finally:
        for signum in EXIT_SIGNALS:
            loop.remove_signal_handler(signum)


def main(opening: Opening | None = None, *, simulator_root: str | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # httpx logs every request at INFO: thousands of terminal lines per run, formatted on the
    # Qt thread. Its warnings and errors still show (redacted, see core.redact).
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app = ensure_application()
    app.setQuitOnLastWindowClosed(False)  # Shutdown ends the loop, after its clean-up
    window = build_window(build_services(simulator_root=simulator_root, first_run_sample=True))
    shutdown = Shutdown(window)
    with asyncio.Runner(loop_factory=WorkbenchEventLoop) as runner:
        uninstall = errors.install(runner.get_loop())
        try:
            try:
                runner.run(run_until_closed(app, window, shutdown, opening or Opening()))
            except RuntimeError as exc:  # qasync: "Event loop stopped before Future completed."
                if shutdown.done:
                    raise
                # QCoreApplication.exit() ended Qt's loop with no chance to refuse: run the
                # clean-up in the loop once more rather than skip it.
                log.warning("the event loop ended before the shutdown (%s): finishing it", exc)
            if not shutdown.done:
                runner.run(shutdown.finish("the event loop ended"))
        finally:
            uninstall()
    return 0
