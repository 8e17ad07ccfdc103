"""The run controller: one run at a time, in the task manager's "run" slot.

Starting a new run stops the previous one first. Stopping a run is the runner's own cancel,
never a plain task cancel, so the responses that finished are kept and the journal ends
cleanly; the same gentle stop is what `TaskManager.shutdown()` uses when the program exits.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal

from workbench.core.endpoints import EndpointProfile
from workbench.core.events import EventBus
from workbench.core.journal import SessionJournal
from workbench.core.plan import Plan
from workbench.core.redact import redact_text
from workbench.ui.runtime.bridge import EventBridge
from workbench.ui.runtime.services import EndpointUnavailable, Services

if TYPE_CHECKING:
    # The engine (aiohttp, httpx) loads with the first run, not with the window.
    from workbench.core.runner import RunResult
    from workbench.core.workers import RunEngine

log = logging.getLogger(__name__)
RUN_SLOT = "run"


class RunController(QObject):
    started = Signal(str)  # session id
    finished = Signal(object)  # RunResult
    failed = Signal(str)  # a message for the user
    busy_changed = Signal(bool)

    def __init__(self, services: Services, bridge: EventBridge, parent: QObject | None = None):
        super().__init__(parent)
        self._services = services
        self._bridge = bridge
        self._slot = services.tasks.slot(RUN_SLOT, stop=self._stop)
        # The runner and the slot task it runs in: a stop aimed at a newer task that is
        # still waiting for this run to wind down must cancel that task, not this runner.
        self._runner: RunEngine | None = None
        self._runner_task: asyncio.Task[object] | None = None
        self.journal: SessionJournal | None = None

    @property
    def busy(self) -> bool:
        return self._slot.running

    def start(
        self, plan: Plan, profile: EndpointProfile, *, workers: int | None = None
    ) -> asyncio.Task[RunResult | None]:
        """Start a run (stopping the current one first) in `workers` engine processes (None:
        auto, core.workers). Returns its task."""
        # Earlier runs' objects (cards' texts, samples) need no more cyclic-GC scans: a full
        # collection over them stalls the Qt thread. Refcounting still frees them.
        gc.freeze()
        task = self._slot.bind(self._run(plan, profile, workers))
        self.busy_changed.emit(True)
        task.add_done_callback(self._done)
        return task

    def cancel(self) -> None:
        """Stop the current run; finished responses are kept."""
        self._slot.stop()

    def _stop(self, task: asyncio.Task[object]) -> None:
        if self._runner is not None and self._runner_task is task:
            self._runner.cancel()
        else:
            task.cancel()  # still resolving the endpoint, or waiting: nothing sent yet

    async def _run(
        self, plan: Plan, profile: EndpointProfile, workers: int | None
    ) -> RunResult | None:
        try:
            return await self._run_on(plan, profile, workers)
        except Exception as exc:
            # Said in the run bar and a dialog, in the run's own words (not the task
            # manager's generic report); the journal keeps what finished.
            log.error("run failed", exc_info=exc)
            self.failed.emit(redact_text(f"The run stopped with an error: {exc}"))
            return None

    async def _run_on(
        self, plan: Plan, profile: EndpointProfile, workers: int | None
    ) -> RunResult | None:
        try:
            base_url, key = await self._services.connection(profile)
        except EndpointUnavailable as exc:
            self.failed.emit(str(exc))
            return None
        from workbench.core.runner import new_session_id

        session = new_session_id()
        bus = EventBus()
        journal = self.journal = SessionJournal(self._services.session_path(session))
        bus.subscribe(journal.on_event)
        self._bridge.attach(bus)
        runner = self._services.runner_factory(
            plan, base_url=base_url, api_key=key, bus=bus, session_id=session, workers=workers
        )
        self._runner, self._runner_task = runner, asyncio.current_task()
        self.started.emit(session)
        try:
            result: RunResult = await runner.run()
        finally:
            self._runner = self._runner_task = None
            journal.close()  # already closed by the run's end, unless the run raised
        for note in result.notes:  # a worker process that ended with nothing in flight
            self.failed.emit(redact_text(note))
        if journal.error is not None:
            self.failed.emit(f"The session file could not be fully written: {journal.error}")
        self.finished.emit(result)
        return result

    def _done(self, _task: asyncio.Task[RunResult | None]) -> None:
        if not shiboken6.isValid(self):
            return  # the window is gone (closed while the run wound down)
        if self._slot.running:
            return  # a newer run owns the busy state
        self.busy_changed.emit(False)
