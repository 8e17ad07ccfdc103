"""Qt fixtures: qasync's event loop under pytest-qt, and the real main window.

The window's coroutines run on qasync's QEventLoop. Under pytest-qt the Qt event loop is
spun by qtbot.waitUntil / qtbot.wait, not by loop.run_forever, so the fixture marks the
loop as asyncio's running loop for the test: every Qt event processed while a test waits
also runs the asyncio callbacks (tasks, sockets, to_thread results). Tests stay plain
sync functions (no task is current while they block in waitUntil, so no "cannot enter
into task" re-entrancy), and async tests elsewhere keep pytest-asyncio's own loops.
Qt itself is imported inside the fixtures, so Qt-free tests never load it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def _qasync_session_loop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """One QEventLoop for the whole session: loops created and closed per test left socket
    notifiers behind that stalled the next test's connections."""
    from workbench.ui.runtime.event_loop import WorkbenchEventLoop

    loop = WorkbenchEventLoop(qapp)
    yield loop
    loop.close()


@pytest.fixture
def qasync_loop(
    qapp: Any, _qasync_session_loop: asyncio.AbstractEventLoop
) -> Iterator[asyncio.AbstractEventLoop]:
    """qasync's loop, seen by asyncio as running for the duration of one test."""
    loop = _qasync_session_loop
    asyncio.events._set_running_loop(loop)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        deadline = time.monotonic() + 10
        while any(not t.done() for t in pending) and time.monotonic() < deadline:
            qapp.processEvents()
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


@pytest.fixture
def window_factory(
    qtbot: Any, qasync_loop: asyncio.AbstractEventLoop, sim_url: str, tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    """Build the REAL main window through the composition root, pointed at the session's
    simulated endpoint (or `simulator_root=`), with settings and session files in tmp_path.
    `window_factory()` returns it shown; call it again for a second window on the same
    settings (persistence tests)."""
    from PySide6.QtCore import QSettings

    from workbench import app

    app.ensure_application()
    built: list[Any] = []

    def build(
        size: tuple[int, int] | None = (1280, 800),
        simulator_root: str | None = None,
        first_run_sample: bool = False,
    ) -> Any:
        settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
        services = app.build_services(
            simulator_root=simulator_root or sim_url,
            settings=settings,
            first_run_sample=first_run_sample,  # as the program starts: `first_run_sample=True`
        )
        services.session_path = lambda session: tmp_path / "sessions" / f"{session}.jsonl"
        window = app.build_window(services)
        # Not qtbot.addWidget: pytest-qt would close and delete the window before this
        # fixture's teardown, while a cancelled run may still be winding down.
        if size is not None:  # None: keep the geometry restored from the settings
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        built.append(window)
        return window

    yield build
    for window in built:
        window.controller.cancel()
        qtbot.waitUntil(lambda w=window: not w.controller.busy, timeout=10_000)
        window.close()
        window.deleteLater()
    qtbot.wait(1)  # deliver the deferred deletes


@pytest.fixture
def main_window(window_factory: Callable[..., Any]) -> Any:
    """The real main window at 1280x800, shown, on the session's simulated endpoint."""
    return window_factory()
