"""Ground truth of the load knee (not a test; CI does not run it).

    .venv/bin/python benchmarks/knee_validation.py [--capacities 4,8,16,32] [--seeds 3]
        [--decode-ms 4] [--mean-tokens 24] [--max-chunk-rate 2500] [--temperature 0.7]

The simulator serves `--capacity K` sequences at once (continuous batching; the rest queue),
so its throughput rises with concurrency up to K and is flat beyond it: the knee must come
out at K. For each K and seed a knee search (`[run] search = "knee"`, the default 10% gain
rule) runs against a fresh simulator; printed per K: how often the recovered knee equals K,
how often it is within one doubling (K/2 or 2K), the knees found, the throughput gain of the
last doubling before K and of K -> 2K (medians; also K -> 2K in requests/s over each level's
whole wall time, the definition the knee does not use), whether every search stopped at
2 x knee, and the rule that stopped it (throughput or goodput).
Response lengths vary (temperature 0.7: a normal draw around `--mean-tokens`), so the slowest
requests of a level differ from run to run: the noise the steady-window throughput must
withstand. Tokens are slower at larger K (see decode_ms) so that the client is never the
bottleneck. A second table runs an SLO search: `ttft_ms` at half a request's decode time, met
while a slot is free, missed beyond K where requests queue for one: goodput collapses at 2K.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import describe
from benchmarks._sim import run_on_simulator
from workbench.core.knee import KneeResult, gain
from workbench.core.plan import Params, Plan, RunSettings

PROMPT = "Explain how a load balancer spreads requests."


def decode_ms(args: argparse.Namespace, capacity: int) -> float:
    """Slower tokens for larger capacities: the server's chunk rate at capacity stays under
    --max-chunk-rate, so the client (one Python process on a shared machine) is never what
    saturates, and the knee found is the server's."""
    return max(args.decode_ms, 1000.0 * capacity / args.max_chunk_rate)


def ttft_limit(args: argparse.Namespace, capacity: int) -> float:
    """Half a request's decode time: met while a slot is free, missed when queued for one."""
    return 0.5 * decode_ms(args, capacity) * args.mean_tokens


async def _search(args: argparse.Namespace, capacity: int, seed: int, slo: bool) -> KneeResult:
    sim_args = [
        "--capacity",
        str(capacity),
        "--seed",
        str(seed),
        "--decode-ms",
        str(decode_ms(args, capacity)),
        "--mean-tokens",
        str(args.mean_tokens),
        "--prefill-us-per-token",
        "0",
    ]
    limits = {"ttft_ms": ttft_limit(args, capacity)} if slo else {}
    plan = Plan(
        name="knee validation",
        user=PROMPT,
        params=Params(temperature=args.temperature, max_tokens=args.mean_tokens * 4),
        run=RunSettings(search="knee", repetitions=1, max_concurrency=capacity * 8, slo=limits),
    )
    result = await run_on_simulator(plan, sim_args)
    assert result.knee is not None
    return result.knee


def _row(capacity: int, knees: list[KneeResult]) -> str:
    found = [k.knee for k in knees]
    exact = sum(k == capacity for k in found)
    near = sum(k in (capacity // 2, capacity, capacity * 2) for k in found)
    stopped = all(k.knee is not None and max(k.levels) == 2 * k.knee for k in knees)

    def rise(level: int, whole_wall: bool = False) -> str:
        values = []
        for k in knees:
            loads = {load.level: load for load in k.loads}
            if level in loads and level * 2 in loads:
                before, after = loads[level], loads[level * 2]
                if whole_wall and before.requests_per_s and after.requests_per_s:
                    values.append(after.requests_per_s / before.requests_per_s - 1)
                elif not whole_wall and (change := gain(before, after)) is not None:
                    values.append(change)
        return f"{statistics.median(values) * 100:+.0f}%" if values else "-"

    reasons = "/".join(sorted({k.reason for k in knees}))
    knees_text = ",".join("-" if k is None else str(k) for k in found)
    return (
        f"{capacity:>8} {exact:>3}/{len(knees):<3} {near:>3}/{len(knees):<3}"
        f" {rise(capacity // 2):>9} {rise(capacity):>9} {rise(capacity, True):>9}"
        f" {'yes' if stopped else 'NO':>8} {reasons:>11}  {knees_text}"
    )


async def _table(args: argparse.Namespace, capacities: list[int], slo: bool) -> None:
    print(
        f"{'capacity':>8} {'knee=K':>7} {'K/2..2K':>7} {'K/2->K':>9} {'K->2K':>9}"
        f" {'K->2K rps':>9} {'stopped':>8} {'rule':>11}  knees by seed"
    )
    for capacity in capacities:
        knees = [await _search(args, capacity, seed, slo) for seed in range(1, args.seeds + 1)]
        print(_row(capacity, knees), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capacities", default="4,8,16,32")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--decode-ms", type=float, default=4.0)
    parser.add_argument("--mean-tokens", type=int, default=24)
    parser.add_argument("--max-chunk-rate", type=float, default=2500.0)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--no-slo", action="store_true", help="skip the SLO table")
    args = parser.parse_args()
    capacities = [int(c) for c in args.capacities.split(",")]
    print(describe())
    started = time.monotonic()
    print(
        f"\nThroughput knee (10% rule, no SLO): sim --decode-ms"
        f" {', '.join(f'{decode_ms(args, k):g}' for k in capacities)} (by capacity)"
        f" --mean-tokens {args.mean_tokens}, temperature {args.temperature:g}, {args.seeds} seeds"
    )
    asyncio.run(_table(args, capacities, slo=False))
    if not args.no_slo:
        limits = ", ".join(f"{ttft_limit(args, k):g}" for k in capacities)
        print(f"\nGoodput knee (SLO ttft_ms <= {limits} by capacity, floor 90%)")
        asyncio.run(_table(args, capacities, slo=True))
    print(f"\ntotal {time.monotonic() - started:.0f} s (timings noisy: a shared 2-core machine)")


if __name__ == "__main__":
    main()
