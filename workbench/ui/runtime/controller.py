"""The run controller: one run at a time; starting a new one cancels the previous first.

(The task-manager pattern: a named slot holds at most one task; binding a new coroutine to
it cancels and awaits the old one.)
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging

import shiboken6
from PySide6.QtCore import QObject, Signal

from workbench.core.endpoints import EndpointProfile
from workbench.core.events import EventBus
from workbench.core.journal import SessionJournal
from workbench.core.plan import Plan
from workbench.core.runner import Runner, RunResult, new_session_id
from workbench.ui.runtime.bridge import EventBridge
from workbench.ui.runtime.services import EndpointUnavailable, Services

log = logging.getLogger(__name__)
SHUTDOWN_WAIT_S = 5.0


class RunController(QObject):
    started = Signal(str)  # session id
    finished = Signal(object)  # RunResult
    failed = Signal(str)  # a message for the user
    busy_changed = Signal(bool)

    def __init__(self, services: Services, bridge: EventBridge, parent: QObject | None = None):
        super().__init__(parent)
        self._services = services
        self._bridge = bridge
        self._task: asyncio.Task[RunResult | None] | None = None
        self._runner: Runner | None = None
        self.journal: SessionJournal | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, plan: Plan, profile: EndpointProfile) -> asyncio.Task[RunResult | None]:
        """Start a run (cancelling the current one first). Returns its task."""
        previous = self._task
        self.cancel()
        # Earlier runs' objects (cards' texts, samples) need no more cyclic-GC scans: a full
        # collection over them stalls the Qt thread. Refcounting still frees them.
        gc.freeze()
        self._task = asyncio.ensure_future(self._run(plan, profile, previous))
        self.busy_changed.emit(True)
        self._task.add_done_callback(self._done)
        return self._task

    def cancel(self) -> None:
        """Stop the current run; finished responses are kept."""
        if self._runner is not None:
            self._runner.cancel()
        elif self._task is not None and not self._task.done():
            self._task.cancel()  # still resolving the endpoint: nothing sent yet

    async def shutdown(self) -> None:
        """Cancel and wait (at most 5 s) for the current run (window closing)."""
        task = self._task
        self.cancel()
        if task is not None and not task.done():
            with contextlib.suppress(asyncio.CancelledError, TimeoutError, Exception):
                await asyncio.wait_for(asyncio.shield(task), SHUTDOWN_WAIT_S)

    async def _run(
        self,
        plan: Plan,
        profile: EndpointProfile,
        previous: asyncio.Task[RunResult | None] | None,
    ) -> RunResult | None:
        if previous is not None and not previous.done():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await previous
        try:
            base_url, key = await self._services.connection(profile)
        except EndpointUnavailable as exc:
            self.failed.emit(str(exc))
            return None
        session = new_session_id()
        bus = EventBus()
        self.journal = SessionJournal(self._services.session_path(session))
        bus.subscribe(self.journal.on_event)
        self._bridge.attach(bus)
        runner = self._services.runner_factory(
            plan, base_url=base_url, api_key=key, bus=bus, session_id=session
        )
        self._runner = runner
        self.started.emit(session)
        try:
            result: RunResult = await runner.run()
        finally:
            self._runner = None
        if self.journal.error is not None:
            self.failed.emit(f"The session file could not be fully written: {self.journal.error}")
        self.finished.emit(result)
        return result

    def _done(self, task: asyncio.Task[RunResult | None]) -> None:
        if not shiboken6.isValid(self):
            return  # the window is gone (closed while the run wound down)
        if task is not self._task:
            return  # a newer run owns the busy state
        self.busy_changed.emit(False)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("run failed", exc_info=exc)
            self.failed.emit(f"The run stopped with an error: {exc}")
