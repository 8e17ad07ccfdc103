"""The bridge from the runner's events to the widgets.

Events are applied to a `LiveRun` as they arrive (cheap bookkeeping only) and the ids they
touch are collected; a ~30 Hz QTimer hands the views one `Tick` with everything that changed
since the last one. No widget is ever touched per chunk (DESIGN.md, "UI map").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from workbench.core.events import (
    AttemptDelta,
    AttemptFinished,
    AttemptStarted,
    Event,
    EventBus,
    RunFinished,
    RunStarted,
)
from workbench.viewmodel.live import LiveRun

TICK_MS = 33  # ~30 Hz


@dataclass(slots=True)
class Tick:
    """What changed since the previous tick."""

    run: LiveRun
    started: list[int] = field(default_factory=list)  # new response ids
    streamed: set[int] = field(default_factory=set)  # ids whose text grew
    finished: list[int] = field(default_factory=list)  # ids that finished
    run_started: bool = False
    run_finished: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.started or self.streamed or self.finished or self.run_started
            or self.run_finished
        )


class EventBridge(QObject):
    """Subscribe `attach(bus)` before a run; connect views to `tick`."""

    tick = Signal(object)  # Tick

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run = LiveRun()
        self._pending = Tick(self.run)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.flush)

    def attach(self, bus: EventBus) -> None:
        bus.subscribe(self.on_event, deltas=True)

    def on_event(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.run = LiveRun()
            self._pending = Tick(self.run, run_started=True)
            self._timer.start()
        run = self.run
        pending = self._pending
        if isinstance(event, AttemptFinished) and event.sample.id not in run.responses:
            pending.started.append(event.sample.id)  # finished without a start (a loaded file)
        run.apply(event)
        if isinstance(event, AttemptDelta):
            pending.streamed.add(event.id)
        elif isinstance(event, AttemptStarted):
            pending.started.append(event.id)
        elif isinstance(event, AttemptFinished):
            pending.finished.append(event.sample.id)
        elif isinstance(event, RunFinished):
            pending.run_finished = True
            # Deliver the end promptly (the timer would otherwise wait up to a tick).
            QTimer.singleShot(0, self.flush)

    def load(self, run: LiveRun) -> None:
        """Show a finished run at once (a session reopened from its file)."""
        self._timer.stop()
        self.run = run
        self._pending = Tick(
            run, started=list(run.order), finished=list(run.order), run_started=True,
            run_finished=True,
        )
        self.flush()

    def flush(self) -> None:
        """Emit what accumulated (also called by tests and at the end of a run)."""
        batch, self._pending = self._pending, Tick(self.run)
        if batch.run_finished:
            self._timer.stop()
        if not batch.empty:
            self.tick.emit(batch)
