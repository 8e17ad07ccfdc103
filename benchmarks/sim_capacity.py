"""How much the simulated endpoint serves at zero delay, and what it costs in CPU.

Starts the simulator in its own process (`--zero-delay`), drives it from this process with a
bare aiohttp client, and prints streams/s, chunks/s, the server's and the client's CPU seconds,
then checks that a burst of 500 concurrent streams is served without error. Every request asks
the same question unless `--distinct-prompts` makes each one unique, which defeats the
simulator's per-prompt memo of its topic choice (the worst case for answer selection).

    .venv/bin/python benchmarks/sim_capacity.py [--streams 2000] [--concurrency 64]
        [--mean-tokens 64] [--burst 500] [--distinct-prompts]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import describe
from workbench.sim.process import SimProcess


@dataclass
class Outcome:
    streams: int = 0
    chunks: int = 0
    errors: int = 0
    peak_active: int = 0


QUESTION = "Explain how TCP congestion control works."


async def drive(
    url: str, streams: int, concurrency: int, mean_tokens: int, distinct: bool
) -> Outcome:
    """`streams` streaming requests, `concurrency` at a time; count chunks, check [DONE]."""
    outcome = Outcome()

    def body(i: int) -> dict[str, object]:
        question = f"{QUESTION} #{i}" if distinct else QUESTION
        return {
            "model": "sim-chat",
            "stream": True,
            "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": question}],
            "max_tokens": mean_tokens * 4,
        }

    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(streams):
        queue.put_nowait(i)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                try:
                    async with http.post(url, json=body(i)) as response:
                        done = False
                        async for line in response.content:
                            if line.startswith(b"data: [DONE]"):
                                done = True
                            elif line.startswith(b"data:"):
                                outcome.chunks += 1
                        if response.status != 200 or not done:
                            outcome.errors += 1
                        else:
                            outcome.streams += 1
                except (aiohttp.ClientError, OSError):
                    outcome.errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return outcome


def run_phase(
    sim: SimProcess, label: str, streams: int, concurrency: int, tokens: int, distinct: bool
) -> Outcome:
    url = sim.base_url + "/v1/chat/completions"
    server_cpu = sim.cpu_seconds()
    client_cpu = time.process_time()
    started = time.perf_counter()
    outcome = asyncio.run(drive(url, streams, concurrency, tokens, distinct))
    wall = time.perf_counter() - started
    server_cpu = sim.cpu_seconds() - server_cpu
    client_cpu = time.process_time() - client_cpu
    print(f"\n{label}: {streams} streams at concurrency {concurrency}, ~{tokens} tokens each")
    print(f"  wall {wall:.2f} s; ok {outcome.streams}, errors {outcome.errors}")
    print(f"  streams/s {outcome.streams / wall:,.0f}; chunks/s {outcome.chunks / wall:,.0f}")
    per_chunk = server_cpu / max(outcome.chunks, 1) * 1e6
    print(
        f"  server CPU {server_cpu:.2f} s ({per_chunk:.1f} µs/chunk, "
        f"{server_cpu / wall:.0%} of one core); client CPU {client_cpu:.2f} s"
    )
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--mean-tokens", type=int, default=64)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument(
        "--distinct-prompts", action="store_true", help="a different question in every request"
    )
    args = parser.parse_args()
    print(describe())
    sim_args = [
        "--zero-delay",
        "--seed",
        "1",
        "--mean-tokens",
        str(args.mean_tokens),
        "--capacity",
        str(max(args.burst, args.concurrency)),
    ]
    print("simulator flags:", " ".join(sim_args))
    print("prompts:", "distinct" if args.distinct_prompts else "all the same")
    tokens, distinct = args.mean_tokens, args.distinct_prompts
    with SimProcess(sim_args) as sim:
        run_phase(sim, "throughput", args.streams, args.concurrency, tokens, distinct)
        burst = run_phase(sim, "burst", args.burst, args.burst, tokens, distinct)
    if burst.errors or burst.streams != args.burst:
        print(f"FAILED: {burst.errors} of {args.burst} concurrent streams had errors")
        return 1
    print(f"\n{args.burst} concurrent streams served without error")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
