"""The sharded engine: a plan's requests run in N worker processes, journaled here as one run.

One event loop reading 2,000 streams stamps chunks late (docs/performance.md, "Sharded
engine"). Here each level's concurrency is split over the workers (2,000 over 4 = 500 each),
each worker runs its share with its own loop and connection pool (core._worker) and streams
every start and finished Sample back. This process gives the attempts their session ids in
the order their starts arrive, counts what is in flight across all workers, and publishes the
same events as the single-loop Runner, so the journal, the window and the CLI cannot tell the
difference (the session header's environment says `workers`). Levels still run one after
another: a level starts when every worker has finished the one before.

A worker that dies takes its attempts in flight with it: they are recorded as errors naming
the worker, its other planned requests are never sent (counted as cancelled, like any unsent
request) and the remaining levels are split over the workers left. Cancel reaches the workers
at once; one that has not ended half a second later is killed.
"""

from __future__ import annotations

import asyncio
from time import perf_counter_ns
from typing import Any

import msgspec

from workbench.core import _wire
from workbench.core._links import OpenAttempt, WorkerLink
from workbench.core.events import (
    AttemptDelta,
    AttemptFinished,
    AttemptStarted,
    EventBus,
    LevelStarted,
    RunFinished,
    RunStarted,
)
from workbench.core.knee import LevelLoad, decide, measure_level
from workbench.core.plan import Plan
from workbench.core.records import ErrorClass, ErrorInfo, Sample, Timing
from workbench.core.runner import Runner, RunResult, final_counts, new_session_id
from workbench.core.workers import resolve_workers

CANCEL_GRACE_S = 0.5
# What a worker's start message says of an attempt, by the Sample's names for it.
_STARTED_FIELDS = ("id", "cell", "repetition", "attempt", "retry_of", "chain")


class WorkersFailed(RuntimeError):
    """Every worker ended before the plan was done (the message says why)."""


def make_engine(plan: Plan, *, workers: int | None = 1, **kwargs: Any) -> Runner | ShardedRunner:
    """The engine for `plan`: `workers` processes (None: auto_workers), 1 = the plain Runner."""
    count = resolve_workers(plan, workers)
    if count <= 1:
        return Runner(plan, **kwargs)
    return ShardedRunner(plan, workers=count, **kwargs)


def split_level(jobs: int, level: int, workers: int) -> list[tuple[int, list[int]]]:
    """(slots, job indexes) per worker: the level's concurrency and its jobs dealt evenly
    (at most `level` workers take part: a worker never holds an empty share of slots)."""
    active = max(1, min(workers, level))
    return [
        (level // active + (1 if i < level % active else 0), list(range(i, jobs, active)))
        for i in range(active)
    ]


class ShardedRunner:
    """Runs one plan once in `workers` processes; the same surface as Runner."""

    def __init__(
        self,
        plan: Plan,
        *,
        base_url: str,
        workers: int,
        api_key: str | None = None,
        bus: EventBus | None = None,
        session_id: str | None = None,
    ) -> None:
        self.plan = plan
        self.bus = bus or EventBus()
        self.session = session_id or new_session_id()
        self.workers = workers
        self._base_url = base_url
        self._api_key = api_key
        self._links: list[WorkerLink] = []
        self._next_id = 0
        self._in_flight = 0
        self._cancel_requested = False
        self._stop_reason = ""  # set when we end the workers ourselves
        self._burials: list[asyncio.Task[None]] = []
        self._all_died = False  # every worker ended with levels still to run
        # A knee search plans each level's requests only when it starts that level.
        searching = plan.run.search == "knee"
        planned = plan.level_requests(1) if searching else plan.total_requests()
        self._result = RunResult(session=self.session, planned=planned)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def worker_pids(self) -> list[int]:
        return [link.proc.pid for link in self._links if link.proc is not None]

    def cancel(self) -> None:
        """Stop all in-flight work now; finished attempts are kept."""
        if self._cancel_requested:
            return
        self._cancel_requested = True
        self._stop_reason = "cancelled by the user"
        for link in self._links:
            link.send(_wire.Cancel())
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        loop.call_later(CANCEL_GRACE_S, self._kill_all)

    async def run(self) -> RunResult:
        self.bus.emit(RunStarted(self.session, self.plan, self._result.planned, self.workers))
        try:
            await self._drive()
        except BaseException:
            for link in self._links:  # our caller was cancelled (or we failed): stop now
                link.send(_wire.Cancel())
            raise
        finally:
            if not self._stop_reason:
                self._stop_reason = "the run was stopped"
            await self._shutdown()
        result = self._result
        result.cancelled = self._cancel_requested
        result.counts = final_counts(result)
        self.bus.emit(
            RunFinished(
                self.session, dict(result.counts), result.cancelled, levels=list(result.levels)
            )
        )
        if self._all_died and not result.cancelled:
            raise WorkersFailed("every worker stopped: " + "; ".join(result.notes))
        return result

    # --- the run ----------------------------------------------------------------------------

    async def _drive(self) -> None:
        await self._start_workers()
        if self.plan.run.search != "knee":
            for level in self.plan.run.concurrency:
                if not await self._run_level(level):
                    return
            return
        # A knee search, as Runner._search_knee: the parent holds every sample, so it decides.
        loads: list[LevelLoad] = []
        next_level: int | None = 1
        while next_level is not None:
            level = next_level
            if self._result.levels:  # the first level's requests were planned at the start
                self._result.planned += self.plan.level_requests(level)
            first = len(self._result.samples)
            if not await self._run_level(level):
                return
            loads.append(measure_level(level, self._result.samples[first:], self.plan.run.slo))
            self._result.knee = decide(loads, self.plan.run)
            next_level = self._result.knee.next_level

    async def _run_level(self, level: int) -> bool:
        """One level over the live workers, to its end. False: no level can run any more."""
        live = [link for link in self._links if link.alive]
        if self._cancel_requested:
            return False
        if not live:
            self._all_died = True
            return False
        self._result.levels.append(level)
        self.bus.emit(LevelStarted(level, self._result.planned))
        # What a worker's slot runs: a request, or in a chain plan a chain (steps in order).
        chain = self.plan.run.mode == "chain"
        jobs = self.plan.chains_per_level() if chain else self.plan.level_requests(level)
        shares = split_level(jobs, level, len(live))
        # Every live worker hears of every level, an idle one with an empty share: each
        # numbers a chain plan's chains by the chains of all levels before.
        shares += [(0, [])] * (len(live) - len(shares))
        waits = []
        for link, (slots, indexes) in zip(live, shares, strict=True):
            rate = None
            if self.plan.run.rate is not None:
                rate = self.plan.run.rate * len(indexes) / jobs  # Poisson split: still Poisson
            waits.append(link.expect_level())
            link.send(_wire.Level(level, slots, rate, indexes))
        await asyncio.gather(*waits)
        return True

    async def _start_workers(self) -> None:
        deltas = self.bus.wants_deltas
        for index in range(self.workers):
            if self._cancel_requested:
                break  # stopped while the others started: start no more
            link = WorkerLink(index, self.workers, self._on_message, self._api_key)
            self._links.append(link)
            # Each worker its own arrival stream: merged, independent Poisson streams are one.
            run = msgspec.structs.replace(
                self.plan.run, arrival_seed=self.plan.run.arrival_seed + index
            )
            plan = msgspec.structs.replace(self.plan, run=run)
            await link.start(_wire.Init(plan, self._base_url, self._api_key, self.session, deltas))
            self._burials.append(asyncio.ensure_future(self._bury_when_closed(link)))
            if self._cancel_requested:
                link.send(_wire.Cancel())  # asked while its pipes were being connected
        await asyncio.gather(*(link.ready for link in self._links))

    async def _shutdown(self) -> None:
        for link in self._links:
            link.finish()
        # Workers end by themselves after Finish; any still running past the grace is killed.
        waits = [link.closed for link in self._links]
        if waits:
            _, pending = await asyncio.wait(waits, timeout=CANCEL_GRACE_S * 2)
            if pending:
                self._kill_all()
        await asyncio.gather(*self._burials, return_exceptions=True)

    def _kill_all(self) -> None:
        for link in self._links:
            link.kill()

    # --- messages from the workers ----------------------------------------------------------

    def _on_message(self, link: WorkerLink, message: object) -> None:
        if isinstance(message, _wire.Started):
            self._started(link, message)
        elif isinstance(message, _wire.Delta):
            attempt = link.open.get(message.id)
            if attempt is not None:
                self.bus.emit(AttemptDelta(attempt.id, message.content, message.reasoning))
        elif isinstance(message, _wire.Finished):
            self._finished(link, message.sample, message.final)

    def _started(self, link: WorkerLink, message: _wire.Started) -> None:
        attempt = link.open.get(message.id)
        if attempt is None:  # (a start sent again, without stream_options, keeps its id)
            attempt = OpenAttempt(self._next_id, message, perf_counter_ns(), self._in_flight)
            self._next_id += 1
            self._in_flight += 1
            link.open[message.id] = attempt
            link.ids[message.id] = attempt.id
        self.bus.emit(
            AttemptStarted(
                attempt.id,
                message.cell,
                message.repetition,
                message.attempt,
                attempt.in_flight,
                message.send_wall,
            )
        )

    def _finished(self, link: WorkerLink, sample: Sample, final: bool) -> None:
        attempt = link.open.pop(sample.id, None)
        retry_of = None if sample.retry_of is None else link.ids.get(sample.retry_of)
        if attempt is not None:
            self._in_flight -= 1
            sample = msgspec.structs.replace(
                sample, id=attempt.id, retry_of=retry_of, in_flight_at_start=attempt.in_flight
            )
        else:  # never sent (a chain's steps after one that failed): numbered as it comes
            sample = msgspec.structs.replace(sample, id=self._next_id, retry_of=retry_of)
            self._next_id += 1
        self._result.samples.append(sample)
        self.bus.emit(AttemptFinished(sample, final))

    async def _bury_when_closed(self, link: WorkerLink) -> None:
        """When a worker's pipes close: reap it and record its attempts left in flight."""
        await link.closed
        stopped = self._stop_reason
        status = await link.reap()
        reason = stopped or link.death_reason(status)
        if not stopped:
            self._result.notes.append(reason)
        for attempt in list(link.open.values()):
            self._finished(link, self._lost_sample(attempt, reason, cancelled=bool(stopped)), True)
        link.level_over()

    def _lost_sample(self, attempt: OpenAttempt, reason: str, *, cancelled: bool) -> Sample:
        """The record of an attempt its worker took with it: what its start said, and why."""
        started = attempt.started
        timing = Timing(
            send_wall=started.send_wall,
            send_mono_ns=attempt.send_mono_ns,
            e2e_ns=perf_counter_ns() - attempt.send_mono_ns,
        )
        error_class: ErrorClass = "cancelled" if cancelled else "connection"
        as_started = {k: getattr(started, k) for k in _STARTED_FIELDS}
        return Sample(
            **as_started,
            session=self.session,
            outcome="cancelled" if cancelled else "error",
            error=ErrorInfo(error_class=error_class, message=reason),
            timing=timing,
            stream=self.plan.params.stream,
        )
