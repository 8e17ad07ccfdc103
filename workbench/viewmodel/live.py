"""The state of the run the window shows, built from core events (Qt-free).

The bridge feeds events in; views read this model on their own timers. Everything here is
cheap per event: text deltas are appended to a list of chunks and joined only when read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from workbench.core.events import (
    AttemptDelta,
    AttemptFinished,
    AttemptStarted,
    Event,
    LevelStarted,
    RunFinished,
    RunStarted,
)
from workbench.core.journal import LoadedSession
from workbench.core.knee import knee_settings
from workbench.core.plan import RunSettings
from workbench.core.records import CellKey, Sample
from workbench.viewmodel.buffers import GrowingArray

ResponseState = Literal["running", "ok", "error", "cancelled"]
NS_PER_MS = 1e6


@dataclass(slots=True)
class LiveResponse:
    """One attempt as the Responses tab shows it."""

    id: int
    cell: CellKey
    repetition: int
    attempt: int
    send_wall: float
    chunks: list[str] = field(default_factory=list)
    state: ResponseState = "running"
    sample: Sample | None = None
    _joined: str = ""
    _joined_chunks: int = 0

    @property
    def text(self) -> str:
        if self.sample is not None:
            return self.sample.text
        if self._joined_chunks != len(self.chunks):
            self._joined = "".join(self.chunks)
            self._joined_chunks = len(self.chunks)
        return self._joined

    @property
    def level(self) -> int:
        return self.cell.level

    def ms(self, what: Literal["ttft", "e2e"]) -> float | None:
        if self.sample is None:
            return None
        value = self.sample.timing.ttft_ns if what == "ttft" else self.sample.timing.e2e_ns
        return None if value is None else value / NS_PER_MS


@dataclass(slots=True)
class PlotSeries:
    """Per finished response, in finish order: the plots' growing buffers."""

    start_s: GrowingArray = field(default_factory=GrowingArray)  # send time from run start
    e2e_ms: GrowingArray = field(default_factory=GrowingArray)
    ttft_ms: GrowingArray = field(default_factory=GrowingArray)
    length: GrowingArray = field(default_factory=GrowingArray)  # characters
    level: GrowingArray = field(default_factory=GrowingArray)
    # In-flight requests over time (a point per start and per finish).
    flight_t: GrowingArray = field(default_factory=GrowingArray)
    flight_n: GrowingArray = field(default_factory=GrowingArray)


class LiveRun:
    """Everything the window knows about the current run. Call `apply` with each event."""

    def __init__(self) -> None:
        self.session = ""
        self.name = ""  # the plan's name (the prompt's first line, from the window)
        self.planned = 0
        self.levels: list[int] = []
        # A knee search's run settings (its knee is analysed and plotted), else None.
        self.knee: RunSettings | None = None
        self.variants: list[str] = []  # the plan's prompts (a matrix expanded), in order
        self.current_level: int | None = None
        self.responses: dict[int, LiveResponse] = {}
        self.order: list[int] = []  # ids in start order
        self.done = 0
        self.errors = 0
        self.retries = 0
        self.in_flight = 0
        self.started_mono = time.monotonic()
        self.started_wall = time.time()
        self.finished = False
        self.cancelled = False
        self.series = PlotSeries()

    def apply(self, event: Event) -> None:
        if isinstance(event, AttemptDelta):
            item = self.responses.get(event.id)
            if item is not None and event.content:
                item.chunks.append(event.content)
        elif isinstance(event, AttemptStarted):
            self.responses[event.id] = LiveResponse(
                event.id, event.cell, event.repetition, event.attempt, event.send_wall
            )
            self.order.append(event.id)
            self.in_flight = event.in_flight + 1
            self._flight_point()
        elif isinstance(event, AttemptFinished):
            self._finish(event)
        elif isinstance(event, RunStarted):
            self.session = event.session
            self.name = event.plan.name
            self.planned = event.total
            # A knee search's levels are known only as it reaches them (LevelStarted).
            self.knee = knee_settings(event.plan)
            self.levels = [] if self.knee else list(event.plan.run.concurrency)
            self.variants = [v.name for v in event.plan.all_variants()]
            self.started_mono = time.monotonic()
            self.started_wall = time.time()
        elif isinstance(event, LevelStarted):
            self.current_level = event.level
            self.planned = max(self.planned, event.planned)
            if event.level not in self.levels:
                self.levels.append(event.level)
        elif isinstance(event, RunFinished):
            self.finished = True
            self.cancelled = event.cancelled
            self.in_flight = 0
            self._flight_point()

    def _finish(self, event: AttemptFinished) -> None:
        sample = event.sample
        self.in_flight = max(0, self.in_flight - 1)
        self._flight_point()
        item = self.responses.get(sample.id)
        if item is None:  # finished without a start event (cancelled before sending)
            item = LiveResponse(
                sample.id, sample.cell, sample.repetition, sample.attempt, sample.timing.send_wall
            )
            self.responses[sample.id] = item
            self.order.append(sample.id)
        item.sample = sample
        item.state = sample.outcome
        item.chunks = []  # the sample holds the text now
        if not event.final:
            self.retries += 1
        else:
            self.done += 1
            if sample.outcome == "error":
                self.errors += 1
        if sample.outcome == "ok":
            s = self.series
            timing = sample.timing
            s.start_s.append(timing.send_wall - self.started_wall)
            s.e2e_ms.append((timing.e2e_ns or 0) / NS_PER_MS)
            ttft = timing.ttft_ns
            s.ttft_ms.append(ttft / NS_PER_MS if ttft is not None else float("nan"))
            s.length.append(len(sample.text))
            s.level.append(sample.cell.level)

    def _flight_point(self) -> None:
        self.series.flight_t.append(time.monotonic() - self.started_mono)
        self.series.flight_n.append(self.in_flight)

    # --- derived ---------------------------------------------------------------------------

    def samples(self) -> list[Sample]:
        return [r.sample for r in (self.responses[i] for i in self.order) if r.sample is not None]

    def elapsed_s(self) -> float:
        return time.monotonic() - self.started_mono

    def requests_per_s(self) -> float:
        elapsed = self.elapsed_s()
        return self.done / elapsed if elapsed > 0 else 0.0

    def eta_s(self) -> float | None:
        rate = self.requests_per_s()
        left = self.planned - self.done
        if self.finished or rate <= 0 or left <= 0:
            return None
        return left / rate


def run_from_session(session: LoadedSession) -> LiveRun:
    """A finished run rebuilt from its session file, with times as they were recorded: the
    timeline starts at the first send, and requests in flight come from each attempt's
    recorded [send, send + E2E] interval (not from when the file happened to be read)."""
    run = LiveRun()
    plan = session.header.plan
    run.apply(RunStarted(session.header.session, plan, plan.total_requests()))
    if plan.run.search == "knee":
        end_levels = session.end.levels if session.end else []
        run.levels = end_levels or sorted({s.cell.level for s in session.samples})
        run.planned = sum(plan.level_requests(level) for level in run.levels)
    samples = sorted(session.samples, key=lambda s: (s.timing.send_wall, s.id))
    retried = {s.retry_of for s in samples if s.retry_of is not None}
    first = samples[0].timing.send_wall if samples else run.started_wall
    run.started_wall = first
    for sample in samples:
        run.apply(AttemptFinished(sample, final=sample.id not in retried))
    end = session.end
    run.apply(RunFinished(session.header.session, dict(end.counts) if end else {},
                          bool(end.cancelled) if end else False))
    changes: list[tuple[float, int]] = []
    for sample in samples:
        start = sample.timing.send_wall - first
        changes.append((start, 1))
        changes.append((start + (sample.timing.e2e_ns or 0) / 1e9, -1))
    changes.sort()
    series = run.series
    series.flight_t.clear()
    series.flight_n.clear()
    level = 0
    for t, step in changes:
        level += step
        series.flight_t.append(t)
        series.flight_n.append(level)
    if changes:
        run.started_mono = time.monotonic() - changes[-1][0]
    run.in_flight = 0
    return run
