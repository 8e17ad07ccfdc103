"""First-token stamp skew at many concurrent streams: the engine beside a bare aiohttp reader.

For each stream count N, one simulator serves N streams at once at 20 chunks per second each
(about 40 content chunks per stream). In the same run, alternating on the same simulator,
each client fires N streamed requests at concurrency N in its own process:

  a. the workbench engine (Runner, the session journal subscribed as in `workbench run`,
     no progress line);
  b. a bare aiohttp reader that reads every stream to its end and stamps the network read
     that carries the first content chunk.

Skew = client stamp - the server's CLOCK_MONOTONIC stamp of that chunk. Reported: p50, p99 and
max of the skew for each client, the ratio of the p99s (target <= 1.2 at 2,000 streams), and
the client's CPU seconds.

With `--workers 1,2,4` the engine runs once per worker count (core.sharded: the level's
streams split over that many worker processes); its CPU is then the parent's plus its
workers' (their start included: about half a second each for the imports).

    python benchmarks/stream_skew.py [--streams 256,1000,2000] [--rounds 2] [--tokens 40]
                                     [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._machine import describe
from benchmarks._sim import paced_stream_args

PROMPT = "Explain TCP slow start"
_CONTENT = re.compile(rb'"content":"[^"]')


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def engine(url: str, n: int, tokens: int, workers: int = 1) -> list[float]:
    from workbench.core.events import EventBus
    from workbench.core.journal import SessionJournal
    from workbench.core.plan import EndpointSpec, Params, Plan, RunSettings
    from workbench.core.sharded import make_engine

    plan = Plan(
        endpoint=EndpointSpec(model="sim-chat"),
        user=PROMPT,
        params=Params(max_tokens=tokens, temperature=0.7),
        run=RunSettings(concurrency=[n], repetitions=n),
    )
    with tempfile.TemporaryDirectory() as tmp:
        bus = EventBus()
        journal = SessionJournal(Path(tmp) / "session.jsonl")
        bus.subscribe(journal.on_event)
        try:
            runner = make_engine(plan, workers=workers, base_url=url + "/v1", bus=bus)
            result = await runner.run()
        finally:
            journal.close()
    skews = []
    for s in result.samples:
        t = s.timing
        if s.outcome == "ok" and t.ttft_ns is not None and t.server_first_token_mono_ns:
            skews.append((t.send_mono_ns + t.ttft_ns - t.server_first_token_mono_ns) / 1e6)
    return skews


def _first_content_server_stamp(body: bytes) -> int | None:
    for line in body.split(b"\n"):
        if not line.startswith(b"data:") or line.strip() == b"data: [DONE]":
            continue
        chunk = json.loads(line[5:])
        for choice in chunk.get("choices", []):
            if (choice.get("delta") or {}).get("content"):
                return int(chunk["x_sim"]["t"])
    return None


async def bare_aiohttp(url: str, n: int, tokens: int, workers: int = 1) -> list[float]:
    import aiohttp

    body = {
        "model": "sim-chat",
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": tokens,
        "temperature": 0.7,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    skews: list[float] = []
    connector = aiohttp.TCPConnector(limit=n)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            stamp = 0
            head: list[bytes] = []
            async with session.post(url + "/v1/chat/completions", json=body) as r:
                async for data in r.content.iter_any():
                    now = time.perf_counter_ns()
                    if not stamp:
                        head.append(data)
                        if _CONTENT.search(data):
                            stamp = now
            server = _first_content_server_stamp(b"".join(head))
            if stamp and server:
                skews.append((stamp - server) / 1e6)

        await asyncio.gather(*(one() for _ in range(n)))
    return skews


CLIENTS = {"engine": engine, "aiohttp": bare_aiohttp}


def _children_cpu() -> float:
    # Worker processes this one started and reaped (core.sharded waits for each).
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child(name: str, url: str, n: int, tokens: int, workers: int) -> None:
    raise_nofile()
    func = CLIENTS[name]
    asyncio.run(func(url, min(n, 32), 4))  # warm-up: imports and first-use caches
    c0, w0 = time.process_time(), _children_cpu()
    skews = asyncio.run(func(url, n, tokens, workers))
    cpu, workers_cpu = time.process_time() - c0, _children_cpu() - w0
    print(json.dumps({"skews": skews, "cpu": cpu + workers_cpu, "workers_cpu": workers_cpu}))


def run_child(name: str, url: str, n: int, tokens: int, workers: int = 1) -> dict[str, object]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            name,
            "--url",
            url,
            "--n",
            str(n),
            "--tokens",
            str(tokens),
            "--workers",
            str(workers),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", default="256,1000,2000")
    parser.add_argument("--rounds", type=int, default=3, help="alternations per stream count")
    parser.add_argument("--tokens", type=int, default=40)
    parser.add_argument("--chunks-per-second", type=float, default=20.0)
    parser.add_argument("--only", help="run only this client (engine or aiohttp)")
    parser.add_argument(
        "--workers", default="1", help="engine worker counts to compare, e.g. 1,2,4 (1)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.n, args.tokens, int(args.workers))
        return
    raise_nofile()  # the simulator, started from here, inherits it
    from workbench.sim.process import SimProcess

    print(describe())
    print(
        f"{args.chunks_per_second:g} chunks/s per stream, {args.tokens} tokens per stream, "
        f"{args.rounds} alternating rounds per stream count; skew = client stamp - server stamp"
    )
    names = [args.only] if args.only else list(CLIENTS)
    worker_counts = [int(x) for x in args.workers.split(",")]
    # (label, client, workers): the engine once per worker count, the bare reader once.
    contenders = [
        (name if name != "engine" or worker_counts == [1] else f"engine w={w}", name, w)
        for name in names
        for w in (worker_counts if name == "engine" else [1])
    ]
    width = max(len(label) for label, _, _ in contenders)
    for n in [int(x) for x in args.streams.split(",")]:
        sim_args = paced_stream_args(n, args.chunks_per_second)
        print(f"\n{n} concurrent streams")
        p99s: dict[str, list[float]] = {label: [] for label, _, _ in contenders}
        with SimProcess(sim_args) as sim:
            url = sim.start()
            for rnd in range(args.rounds):
                for label, name, workers in contenders if rnd % 2 == 0 else contenders[::-1]:
                    r = run_child(name, url, n, args.tokens, workers)
                    skews = np.array(r["skews"])
                    if skews.size == 0:
                        print(f"  {label}: no first-token stamps (is x_sim present?)")
                        continue
                    p50, p99 = np.percentile(skews, [50, 99])
                    p99s[label].append(float(p99))
                    workers_cpu = float(r["workers_cpu"])  # type: ignore[arg-type]
                    print(
                        f"  round {rnd + 1} {label:{width}s} n={skews.size:5d}  p50 {p50:7.1f} ms"
                        f"  p99 {p99:7.1f} ms  max {skews.max():7.1f} ms  "
                        f"client CPU {r['cpu']:5.2f} s"
                        + (f" (workers {workers_cpu:5.2f} s)" if workers > 1 else ""),
                        flush=True,
                    )
        for label, name, _ in contenders:
            if name != "engine" or not p99s[label] or not p99s.get("aiohttp"):
                continue
            ratios = [e / a for e, a in zip(p99s[label], p99s["aiohttp"], strict=True)]
            print(
                f"  p99 ratio {label}/aiohttp per round: "
                + ", ".join(f"{x:.2f}" for x in ratios)
                + f"  (median p99s: {label} {np.median(p99s[label]):.1f} ms, "
                f"aiohttp {np.median(p99s['aiohttp']):.1f} ms; target <= 1.2)"
            )


if __name__ == "__main__":
    main()
