"""The run engine: a plan becomes cells x repetitions of requests, fired at a concurrency.

Concurrency levels run one after another (a sweep). Within a level, closed loop keeps exactly
C requests in flight until the level's requests are done; open loop sends Poisson arrivals
at a fixed rate, at most C in flight. A chain plan runs chains in place of requests
(core/chains.py). Every attempt is one Sample; every planned request ends in exactly one
state (ok, error or cancelled), and the counts add up to the plan's total.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from time import perf_counter_ns
from typing import TypeVar

import httpx

from workbench.core._attempt import AttemptSpec, StreamOptionsRejected, run_attempt
from workbench.core._gc import run_gc
from workbench.core._transport import make_client
from workbench.core.chains import ChainRun, StepRequest, chain_jobs
from workbench.core.events import (
    AttemptFinished,
    AttemptStarted,
    EventBus,
    LevelStarted,
    RunFinished,
    RunStarted,
)
from workbench.core.knee import KneeResult, LevelLoad, decide, measure_level
from workbench.core.plan import Plan
from workbench.core.providers import provider_for
from workbench.core.records import CellKey, ErrorClass, Sample

# A request (sweep) or a chain: what one closed-loop slot or one arrival runs.
T = TypeVar("T")
RETRYABLE: frozenset[ErrorClass] = frozenset({"http_429", "http_5xx", "connection"})


@dataclass(frozen=True, slots=True)
class _Job:
    """One planned request, its messages rendered."""

    cell: CellKey
    system: str | None
    user: str
    repetition: int
    chain: int | None = None


@dataclass(slots=True)
class RunResult:
    session: str
    planned: int
    samples: list[Sample] = field(default_factory=list)
    # Final state of each planned request: ok / error / cancelled (never-sent included).
    counts: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False
    levels: list[int] = field(default_factory=list)  # the levels started, in order
    knee: KneeResult | None = None  # a knee search's outcome
    notes: list[str] = field(default_factory=list)  # sharded: why a worker ended early

    @property
    def final_samples(self) -> list[Sample]:
        retried = {s.retry_of for s in self.samples if s.retry_of is not None}
        return [s for s in self.samples if s.id not in retried]


def new_session_id() -> str:
    return f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with equal jitter: half fixed, half random."""
    ceiling = min(cap, base * (2**attempt))
    return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


class Runner:
    """Runs one plan once. `base_url` is the API base as the official SDK takes it
    (e.g. ``http://127.0.0.1:PORT/v1`` for OpenAI style); the key is never stored."""

    def __init__(
        self,
        plan: Plan,
        *,
        base_url: str,
        api_key: str | None = None,
        bus: EventBus | None = None,
        session_id: str | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.plan = plan
        self.bus = bus or EventBus()
        self.session = session_id or new_session_id()
        self._provider = provider_for(plan.endpoint.api)
        self._url = self._provider.url(base_url)
        self._headers = {
            **plan.endpoint.headers,
            **self._provider.auth_headers(api_key),
            "User-Agent": "prompt-stress-workbench",
        }
        self._client = client
        self._owns_client = client is None
        self._include_usage = True
        self._next_id = 0
        self._in_flight = 0
        self._rng = random.Random(plan.run.arrival_seed)
        self._main: asyncio.Task[None] | None = None
        self._cancel_requested = False
        # A knee search plans each level's requests only when it starts that level.
        searching = plan.run.search == "knee"
        planned = plan.level_requests(1) if searching else plan.total_requests()
        self._result = RunResult(session=self.session, planned=planned)
        self._chains_before = 0  # chains in the levels before: the next chain's number
        self._chains = ChainRun(
            plan, self.session, self._send_step, self._record_unsent, self._take_id
        )

    # --- public ---------------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def cancel(self) -> None:
        """Stop all in-flight work now; finished attempts are kept."""
        self._cancel_requested = True
        if self._main is not None and not self._main.done():
            self._main.cancel()

    async def run(self) -> RunResult:
        run = self.plan.run
        if self._client is None:
            self._client = make_client(
                max_connections=max(self.plan.levels()),
                connect_timeout=run.connect_timeout,
                idle_timeout=run.first_token_timeout,
            )
        self.bus.emit(RunStarted(self.session, self.plan, self._result.planned))
        self._main = asyncio.ensure_future(self._run_levels())
        try:
            with run_gc():
                await self._main
        except asyncio.CancelledError:
            if not self._cancel_requested:
                raise  # our caller was cancelled: not ours to swallow
            self._result.cancelled = True
        finally:
            if self._owns_client:
                await self._client.aclose()
        self._result.counts = final_counts(self._result)
        self.bus.emit(
            RunFinished(
                self.session,
                dict(self._result.counts),
                self._result.cancelled,
                levels=list(self._result.levels),
            )
        )
        return self._result

    # --- levels ---------------------------------------------------------------------------

    def _jobs(self, level: int) -> list[_Job]:
        variants = [(v.name, self.plan.messages(v)) for v in self.plan.all_variants()]
        jobs = []
        # Repetition-major, so variants interleave and share the same load.
        for repetition in range(self.plan.repetitions_at(level)):
            for name, (system, user) in variants:
                cell = CellKey(
                    endpoint=self.plan.endpoint.name,
                    model=self.plan.endpoint.model,
                    variant=name,
                    level=level,
                )
                jobs.append(_Job(cell, system, user, repetition))
        return jobs

    async def _run_levels(self) -> None:
        if self.plan.run.search == "knee":
            await self._search_knee()
            return
        for level in self.plan.run.concurrency:
            self._result.levels.append(level)
            self.bus.emit(LevelStarted(level, self._result.planned))
            await self._run_share(level, None, level, None)

    async def _run_share(
        self, level: int, indexes: list[int] | None, slots: int, rate: float | None
    ) -> None:
        """A level's requests or chains; a worker's share (core.sharded): those at `indexes`."""
        if self.plan.run.mode == "chain":
            chains = chain_jobs(self.plan, level, self._chains_before)
            self._chains_before += len(chains)
            await self._level(_pick(chains, indexes), slots, self._chains.run, rate)
        else:
            await self._level(_pick(self._jobs(level), indexes), slots, self._request, rate)

    async def _search_knee(self) -> None:
        """Double the level until `decide` finds the knee (docs/analysis.md, "Load knee")."""
        loads: list[LevelLoad] = []
        level: int | None = 1
        while level is not None:
            if self._result.levels:  # the first level's requests were planned at the start
                self._result.planned += self.plan.level_requests(level)
            self._result.levels.append(level)
            self.bus.emit(LevelStarted(level, self._result.planned))
            first = len(self._result.samples)
            await self._closed_loop(self._jobs(level), level, self._request)
            loads.append(measure_level(level, self._result.samples[first:], self.plan.run.slo))
            self._result.knee = decide(loads, self.plan.run)
            level = self._result.knee.next_level

    async def _level(
        self,
        units: Sequence[T],
        level: int,
        send: Callable[[T, int], Awaitable[object]],
        rate: float | None = None,
    ) -> None:
        if self.plan.run.arrival == "open":
            await self._open_loop(units, level, send, rate or self.plan.run.rate or 1.0)
        else:
            await self._closed_loop(units, level, send)

    async def _closed_loop(
        self, units: Sequence[T], level: int, send: Callable[[T, int], Awaitable[object]]
    ) -> None:
        queue = deque(units)
        requested = perf_counter_ns()

        async def worker() -> None:
            while queue:
                unit = queue.popleft()
                await send(unit, perf_counter_ns() - requested)

        await _gather_or_cancel([worker() for _ in range(min(level, len(queue)))])

    async def _open_loop(
        self,
        units: Sequence[T],
        level: int,
        send: Callable[[T, int], Awaitable[object]],
        rate: float,
    ) -> None:
        slots = asyncio.Semaphore(level)
        loop = asyncio.get_running_loop()
        due = loop.time()
        tasks: list[asyncio.Task[None]] = []

        async def arrival(unit: T, requested: int) -> None:
            async with slots:
                await send(unit, perf_counter_ns() - requested)

        try:
            for unit in units:
                due += self._rng.expovariate(rate)
                await asyncio.sleep(max(0.0, due - loop.time()))
                tasks.append(asyncio.ensure_future(arrival(unit, perf_counter_ns())))
            await asyncio.gather(*tasks)
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    # --- one planned request, with its retries -------------------------------------------

    async def _send_step(self, step: StepRequest, client_queue_ns: int) -> Sample:
        job = _Job(step.cell, step.system, step.user, step.repetition, step.chain)
        return await self._request(job, client_queue_ns)

    def _take_id(self) -> int:
        attempt_id = self._next_id
        self._next_id += 1
        return attempt_id

    def _record_unsent(self, sample: Sample) -> None:
        self._finish(sample, final=True)

    async def _request(self, job: _Job, client_queue_ns: int) -> Sample:
        """Send a planned request, retrying as the plan says; return its final attempt."""
        retry_of: int | None = None
        retries = self.plan.run.retries
        for attempt in range(retries + 1):
            sample = await self._attempt(job, attempt, retry_of, client_queue_ns)
            error = sample.error
            retry = (
                sample.outcome == "error"
                and error is not None
                and error.error_class in RETRYABLE
                and attempt < retries
            )
            self._finish(sample, final=not retry)
            if not retry:
                return sample
            assert error is not None
            delay = backoff_delay(
                attempt, self.plan.run.backoff_base, self.plan.run.backoff_max, self._rng
            )
            if error.retry_after_s is not None:
                delay = min(self.plan.run.backoff_max, max(delay, error.retry_after_s))
            await asyncio.sleep(delay)
            retry_of = sample.id
            client_queue_ns = 0
        raise AssertionError("unreachable: the last attempt is never retried")

    async def _attempt(
        self, job: _Job, attempt: int, retry_of: int | None, client_queue_ns: int
    ) -> Sample:
        attempt_id = self._take_id()
        while True:
            body = self._provider.build_body(
                self.plan.endpoint.model,
                job.system,
                job.user,
                self.plan.params,
                include_usage=self._include_usage,
            )
            spec = AttemptSpec(
                session=self.session,
                id=attempt_id,
                cell=job.cell,
                repetition=job.repetition,
                attempt=attempt,
                retry_of=retry_of,
                chain=job.chain,
                client_queue_ns=client_queue_ns,
                in_flight=self._in_flight,
                url=self._url,
                headers=self._headers,
                body=body,
                first_token_timeout=self.plan.run.first_token_timeout,
                total_timeout=self.plan.run.total_timeout,
            )
            self._in_flight += 1
            self.bus.emit(
                AttemptStarted(
                    spec.id,
                    job.cell,
                    job.repetition,
                    attempt,
                    spec.in_flight,
                    time.time(),
                    retry_of,
                    job.chain,
                )
            )
            emit = self.bus.emit if self.bus.wants_deltas else None
            assert self._client is not None
            try:
                return await run_attempt(self._client, self._provider, spec, emit)
            except StreamOptionsRejected:
                # Negotiation, not an attempt: ask again without the field, for the whole run.
                self._include_usage = False
            except asyncio.CancelledError:
                if spec.result is not None:
                    self._finish(spec.result, final=True)
                raise
            finally:
                self._in_flight -= 1

    def _finish(self, sample: Sample, *, final: bool) -> None:
        self._result.samples.append(sample)
        self._chains.recorded(sample)
        self.bus.emit(AttemptFinished(sample, final))


def final_counts(result: RunResult) -> dict[str, int]:
    """The final state of each planned request; never sent counts as cancelled."""
    counts = {"ok": 0, "error": 0, "cancelled": 0}
    final = result.final_samples
    for sample in final:
        counts[sample.outcome] += 1
    counts["cancelled"] += result.planned - len(final)
    return counts


def _pick(units: list[T], indexes: list[int] | None) -> list[T]:
    return units if indexes is None else [units[i] for i in indexes]


async def _gather_or_cancel(coros: list[Coroutine[None, None, None]]) -> None:
    """Run workers together; if one is cancelled (or we are), cancel and await them all."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
