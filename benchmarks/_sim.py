"""Simulator flags and runs shared by the benchmarks."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from workbench.core.plan import Plan
from workbench.core.runner import Runner, RunResult
from workbench.sim.process import SimProcess


def paced_stream_args(streams: int, chunks_per_second: float) -> list[str]:
    """Every stream admitted at once (capacity to spare), paced at `chunks_per_second` with
    no slowdown from batch size or prompt length: the server's own timing stays exact, so
    any lateness measured is the client's."""
    return [
        "--capacity", str(streams * 2),
        "--decode-ms", f"{1000.0 / chunks_per_second}",
        "--batch-slowdown", "0",
        "--prefill-us-per-token", "0",
        "--mean-tokens", "400",
    ]


async def run_on_simulator(plan: Plan, sim_args: Sequence[str]) -> RunResult:
    """`plan` run once by the engine against its own simulator started with `sim_args`, the
    simulator stopped afterwards: the ground-truth run of every validation script."""
    sim = SimProcess(list(sim_args))
    root = await asyncio.to_thread(sim.start)
    try:
        return await Runner(plan, base_url=root + "/v1").run()
    finally:
        sim.stop()
