"""Client CPU per 1,000 streamed requests: the workbench engine against bare clients.

Against the simulated endpoint with zero delays: N streamed requests of 64 content chunks at
concurrency C. Each client runs in its own process; we report that process's CPU seconds
(user + system) per 1,000 requests and its requests per second. The floor for Python is (d).

    python benchmarks/engine_overhead.py [--requests 2000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._machine import describe

TOKENS = 64
BODY = {
    "model": "sim-chat",
    "messages": [{"role": "user", "content": "Explain TCP slow start"}],
    "max_tokens": TOKENS,
    "temperature": 0.7,
    "stream": True,
}


async def engine(url: str, n: int, c: int) -> int:
    from workbench.core.plan import EndpointSpec, Params, Plan, RunSettings
    from workbench.core.runner import Runner

    plan = Plan(
        endpoint=EndpointSpec(model="sim-chat"),
        user="Explain TCP slow start",
        params=Params(max_tokens=TOKENS, temperature=0.7),
        run=RunSettings(concurrency=[c], repetitions=n),
    )
    result = await Runner(plan, base_url=url + "/v1").run()
    return result.counts["ok"]


async def openai_sdk(url: str, n: int, c: int) -> int:
    import openai

    client = openai.AsyncOpenAI(base_url=url + "/v1", api_key="unused", max_retries=0)
    slots = asyncio.Semaphore(c)
    ok = 0

    async def one() -> None:
        nonlocal ok
        async with slots:
            stream = await client.chat.completions.create(
                model="sim-chat",
                messages=BODY["messages"],
                max_tokens=TOKENS,  # type: ignore[arg-type]
                temperature=0.7,
                stream=True,
            )
            async for _chunk in stream:
                pass
            ok += 1

    await asyncio.gather(*(one() for _ in range(n)))
    await client.close()
    return ok


async def bare_httpx(url: str, n: int, c: int) -> int:
    import httpx

    slots = asyncio.Semaphore(c)
    ok = 0
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=c), timeout=60) as client:

        async def one() -> None:
            nonlocal ok
            async with slots, client.stream("POST", url + "/v1/chat/completions", json=BODY) as r:
                async for _data in r.aiter_raw():
                    pass
                ok += 1

        await asyncio.gather(*(one() for _ in range(n)))
    return ok


async def bare_aiohttp(url: str, n: int, c: int) -> int:
    import aiohttp

    slots = asyncio.Semaphore(c)
    ok = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=c)) as session:

        async def one() -> None:
            nonlocal ok
            async with slots, session.post(url + "/v1/chat/completions", json=BODY) as r:
                async for _data in r.content.iter_any():
                    pass
                ok += 1

        await asyncio.gather(*(one() for _ in range(n)))
    return ok


CLIENTS = {
    "a. workbench engine (full parsing + timing)": engine,
    "b. openai SDK, AsyncOpenAI + semaphore": openai_sdk,
    "c. bare httpx, bytes only": bare_httpx,
    "d. bare aiohttp, bytes only (floor)": bare_aiohttp,
}


def child(name: str, url: str, n: int, c: int) -> None:
    func = CLIENTS[name]
    asyncio.run(func(url, min(n, 2 * c), c))  # warm-up: imports, connections, JIT-free caches
    t0, c0 = time.perf_counter(), time.process_time()
    ok = asyncio.run(func(url, n, c))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"ok": ok, "wall": wall, "cpu": cpu}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--only", help="run only clients whose name contains this")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.requests, args.concurrency)
        return

    from workbench.sim.process import SimProcess

    print(describe())
    print(
        f"{args.requests} streamed requests, {TOKENS} content chunks each, "
        f"concurrency {args.concurrency}, simulated endpoint at zero delay\n"
    )
    rows = []
    with SimProcess(["--zero-delay", "--capacity", "1024", "--mean-tokens", "400"]) as sim:
        url = sim.start()
        for name in CLIENTS:
            if args.only and args.only not in name:
                continue
            sim_cpu0 = sim.cpu_seconds()
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    name,
                    "--url",
                    url,
                    "--requests",
                    str(args.requests),
                    "--concurrency",
                    str(args.concurrency),
                ],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ},
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            # The simulator's CPU over the whole child run (warm-up included).
            server_cpu = sim.cpu_seconds() - sim_cpu0
            rows.append((name, r))
            print(
                f"{name:48s} CPU {1000 * r['cpu'] / r['ok']:6.2f} s/1000 req   "
                f"{r['ok'] / r['wall']:7.1f} req/s   ok {r['ok']}/{args.requests}   "
                f"simulator CPU {server_cpu:5.2f} s",
                flush=True,
            )
    floor = next((r for n, r in rows if n.startswith("d.")), None)
    ours = next((r for n, r in rows if n.startswith("a.")), None)
    if floor and ours:
        ratio = (ours["cpu"] / ours["ok"]) / (floor["cpu"] / floor["ok"])
        print(f"\nengine CPU / bare aiohttp CPU = {ratio:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
