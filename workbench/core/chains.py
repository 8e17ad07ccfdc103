"""Chain mode (agent loops): each chain sends the plan's steps in order, every step's prompt
rendered from the chain's input and the outputs before it (`Plan.step_messages`).

The runner runs chains as it runs requests in a sweep (closed loop: C chains in flight; open
loop: chains start at Poisson arrivals, at most C at a time); steps inside a chain never
overlap. A chain stops at a step that fails (after its retries) or is cancelled; its steps
that were not sent are still recorded, as cancelled attempts naming why, so every chain in
the session file has all its steps and the counts add up to the plan's total.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from time import perf_counter_ns

from workbench.core.plan import Plan
from workbench.core.records import CellKey, ErrorInfo, Sample, Timing


@dataclass(frozen=True, slots=True)
class StepRequest:
    """One step of one chain, ready to send."""

    cell: CellKey
    system: str | None
    user: str
    repetition: int  # the chain's number within its level
    chain: int  # the chain's number within the session


@dataclass(frozen=True, slots=True)
class ChainJob:
    """One planned chain."""

    level: int
    in_level: int  # number within the level: picks the input, is each step's repetition
    number: int  # number within the session
    input: str


# Sends one step (with its retries) and returns its final attempt; records it on the way.
SendStep = Callable[[StepRequest, int], Awaitable[Sample]]
# Records a sample the runner did not send (a step left unsent).
Record = Callable[[Sample], None]


def chain_jobs(plan: Plan, level: int, first_number: int) -> list[ChainJob]:
    return [
        ChainJob(level, index, first_number + index, plan.chain_input(index))
        for index in range(plan.chains_per_level())
    ]


def step_cell(plan: Plan, level: int, step: int) -> CellKey:
    return CellKey(endpoint=plan.endpoint.name, model=plan.endpoint.model, level=level, step=step)


class ChainRun:
    """Runs chains of one plan: `run(job, client_queue_ns)` is one chain, steps in order."""

    def __init__(
        self,
        plan: Plan,
        session: str,
        send: SendStep,
        record: Record,
        next_id: Callable[[], int],
    ) -> None:
        self.plan = plan
        self.session = session
        self._send = send
        self._record = record
        self._next_id = next_id
        # (chain, step) of every step with an attempt recorded: a step cancelled in its
        # retry's backoff keeps its last attempt as its final state, so it gets no stand-in.
        self._settled: set[tuple[int, int]] = set()

    def recorded(self, sample: Sample) -> None:
        """Tell the chain run an attempt was recorded (the runner calls this for each)."""
        if sample.chain is not None:
            self._settled.add((sample.chain, sample.cell.step))

    async def run(self, job: ChainJob, client_queue_ns: int) -> None:
        outputs: list[str] = []
        steps = len(self.plan.steps)
        for step in range(1, steps + 1):
            system, user = self.plan.step_messages(step, job.input, outputs)
            request = StepRequest(
                step_cell(self.plan, job.level, step), system, user, job.in_level, job.number
            )
            try:
                sample = await self._send(request, client_queue_ns)
            except asyncio.CancelledError:
                self._leave_unsent(job, step, "the run was cancelled before this step was sent")
                raise
            client_queue_ns = 0
            if sample.outcome != "ok":
                self._leave_unsent(job, step + 1, f"step {step} of this chain did not succeed")
                return
            outputs.append(sample.text)

    def _leave_unsent(self, job: ChainJob, first_step: int, why: str) -> None:
        """Record steps first_step.. of the chain (those with no attempt yet) as unsent."""
        for step in range(first_step, len(self.plan.steps) + 1):
            if (job.number, step) in self._settled:
                continue
            self._record(
                Sample(
                    session=self.session,
                    id=self._next_id(),
                    cell=step_cell(self.plan, job.level, step),
                    repetition=job.in_level,
                    chain=job.number,
                    outcome="cancelled",
                    error=ErrorInfo(error_class="cancelled", message=f"not sent: {why}"),
                    timing=Timing(send_wall=time.time(), send_mono_ns=perf_counter_ns()),
                )
            )
