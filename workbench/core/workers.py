"""How many engine processes a run uses (core.sharded), decided without importing the engine:
the window shows the choice before the first run loads aiohttp."""

from __future__ import annotations

import math
import os
import sys
from typing import TYPE_CHECKING, Protocol

from workbench.core.plan import Plan

if TYPE_CHECKING:
    from workbench.core.runner import RunResult

# One event loop reads up to about 500 streams with first-token stamps as prompt as a bare
# aiohttp reader's; past that it falls behind (docs/performance.md, "Sharded engine").
STREAMS_PER_WORKER = 500
# The counts the window offers besides Auto.
WORKER_CHOICES = (1, 2, 4, 8)
# A frozen build has no interpreter to run `-m workbench.core._worker`: the program itself is
# started with this first argument instead (workbench.cli hands it to the worker, unlisted).
WORKER_COMMAND = "_engine-worker"


def worker_command() -> list[str]:
    """The command line of one engine worker process: never a key, never a setting."""
    if getattr(sys, "frozen", False):
        return [sys.executable, WORKER_COMMAND]
    return [sys.executable, "-m", "workbench.core._worker"]


def auto_workers(plan: Plan, cores: int | None = None) -> int:
    """One loop unless the plan's highest level (of a knee search: the highest it may reach)
    needs more than 500 streams per loop; then one worker per 500 streams, at most one per
    CPU core."""
    cores = cores or os.cpu_count() or 1
    return max(1, min(cores, math.ceil(max(plan.levels()) / STREAMS_PER_WORKER)))


def resolve_workers(plan: Plan, workers: int | None) -> int:
    """`workers` as asked (None: auto_workers)."""
    return auto_workers(plan) if workers is None else max(1, workers)


class RunEngine(Protocol):
    """What the CLI and the window need of an engine: Runner or ShardedRunner."""

    session: str

    @property
    def in_flight(self) -> int: ...
    def cancel(self) -> None: ...
    async def run(self) -> RunResult: ...
