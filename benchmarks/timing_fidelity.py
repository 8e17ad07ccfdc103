"""How late does the client stamp the first token? Client stamp vs the server's own stamp.

256 concurrent streams at 20 chunks per second each from the simulated endpoint. The server
writes its CLOCK_MONOTONIC time into every chunk; the engine stamps arrival with
time.perf_counter_ns() (the same clock). Skew = client TTFT stamp - server stamp.

    python benchmarks/timing_fidelity.py [--streams 256] [--chunks-per-second 20]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._machine import describe
from benchmarks._sim import paced_stream_args


async def measure(url: str, streams: int, tokens: int) -> list[float]:
    from workbench.core.plan import EndpointSpec, Params, Plan, RunSettings
    from workbench.core.runner import Runner

    plan = Plan(
        endpoint=EndpointSpec(model="sim-chat"),
        user="Explain TCP slow start",
        params=Params(max_tokens=tokens, temperature=0.7),
        run=RunSettings(concurrency=[streams], repetitions=streams),
    )
    result = await Runner(plan, base_url=url + "/v1").run()
    skews = []
    for s in result.samples:
        t = s.timing
        if s.outcome == "ok" and t.ttft_ns is not None and t.server_first_token_mono_ns:
            skews.append((t.send_mono_ns + t.ttft_ns - t.server_first_token_mono_ns) / 1e6)
    return skews


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=256)
    parser.add_argument("--chunks-per-second", type=float, default=20.0)
    parser.add_argument("--tokens", type=int, default=40)
    args = parser.parse_args()
    from workbench.sim.process import SimProcess

    print(describe())
    print(
        f"{args.streams} concurrent streams, {args.chunks_per_second:g} chunks/s each, "
        f"{args.tokens} tokens per stream\n"
    )
    sim_args = paced_stream_args(args.streams, args.chunks_per_second)
    with SimProcess(sim_args) as sim:
        url = sim.start()
        skews = np.array(asyncio.run(measure(url, args.streams, args.tokens)))
    if skews.size == 0:
        print("no first-token stamps from the server: is x_sim present?")
        raise SystemExit(1)
    p50, p90, p99 = np.percentile(skews, [50, 90, 99])
    print(
        f"first-token stamp skew (client - server), n={skews.size}: p50 {p50:.2f} ms, "
        f"p90 {p90:.2f} ms, p99 {p99:.2f} ms, max {skews.max():.2f} ms (target p99 <= 5 ms)"
    )


if __name__ == "__main__":
    main()
