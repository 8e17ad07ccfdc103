"""How long from Cancel to the run having stopped, with many streams in flight.

python benchmarks/cancel_latency.py [--concurrency 256]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._machine import describe


async def measure(url: str, concurrency: int) -> tuple[float, int, dict[str, int]]:
    from workbench.core.events import AttemptFinished, EventBus
    from workbench.core.plan import EndpointSpec, Params, Plan, RunSettings
    from workbench.core.runner import Runner

    plan = Plan(
        endpoint=EndpointSpec(model="sim-chat"),
        user="Explain TCP slow start",
        params=Params(max_tokens=400, temperature=0.7),
        run=RunSettings(concurrency=[concurrency], repetitions=concurrency * 10),
    )
    bus = EventBus()
    runner = Runner(plan, base_url=url + "/v1", bus=bus)
    done = asyncio.Event()
    bus.subscribe(lambda e: done.set() if isinstance(e, AttemptFinished) else None)
    task = asyncio.ensure_future(runner.run())
    await done.wait()
    await asyncio.sleep(0.5)  # let the pool fill up with streams mid-flight
    in_flight = runner.in_flight
    t0 = time.perf_counter()
    runner.cancel()
    result = await task
    return time.perf_counter() - t0, in_flight, result.counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=256)
    args = parser.parse_args()
    from workbench.sim.process import SimProcess

    print(describe())
    with SimProcess(["--capacity", "1024", "--decode-ms", "20"]) as sim:
        seconds, in_flight, counts = asyncio.run(measure(sim.start(), args.concurrency))
    print(
        f"cancel with {in_flight} streams in flight: stopped in {seconds * 1000:.0f} ms; "
        f"counts {counts} (target: within 1 s)"
    )


if __name__ == "__main__":
    main()
