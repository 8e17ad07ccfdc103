"""Ground truth of the chain analysis (not a test; CI does not run it).

    .venv/bin/python benchmarks/chain_validation.py [--seeds 20] [--chains 20] [--compression 0.3]

Each seed starts a simulator (`--seed S`, paced, every other effect off: SIM_ARGS) and runs
a 3-step chain plan (explain the input, then improve the previous answer twice) as N chains
starting at 20 a second (at most 8 at once; connections warmed first), once with
the context-compression knob on (answers shorter, and more often off the prompt's topic, as
the prompt grows: the later steps, fed the earlier answers, decay) and once with it off.
`workbench analyze` picks the factor step for a chain and compares every step with step 1.

Printed: with the knob on, in how many seeds the analysis finds the step decay with the
right sign (a length effect that is a significant fall at some step and a rise at none);
with it off, in how many seeds it reports no finding at all; and the median retention per
step in each condition (descriptive: retention is no part of the findings).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import describe
from workbench.core.analysis import AnalysisOptions, AnalysisReport, analyze, default_factor
from workbench.core.plan import Plan, plan_from_dict
from workbench.sim.process import SimProcess

STEPS = 3
# Paced decoding, every other effect off: no prefill cost (a longer prompt would be a real,
# uninjected slowdown of the later steps), no slowdown from batch size, room for every chain.
# Timings then follow the simulator's model, not this busy machine's scheduling.
SIM_ARGS = [
    "--decode-ms",
    "0.5",
    "--prefill-us-per-token",
    "0",
    "--batch-slowdown",
    "0",
    "--capacity",
    "64",
]
LENGTHS = ("length_words", "length_tokens")
CHAINS_IN_FLIGHT = 8
# Chains start at Poisson arrivals (about 6 in flight), not all at once: a burst of step 1s
# would make step 1 slower on this machine, a real but uninjected difference.
CHAIN_RATE = 20.0
WARM_UP = plan_from_dict(
    {
        "user": "warm up",
        "params": {"max_tokens": 5},
        "run": {"concurrency": [CHAINS_IN_FLIGHT], "repetitions": 2 * CHAINS_IN_FLIGHT},
    }
)


def chain_plan(chains: int) -> Plan:
    return plan_from_dict(
        {
            "name": "chain validation",
            "run": {
                "mode": "chain",
                "concurrency": [CHAINS_IN_FLIGHT],
                "repetitions": chains,
                "arrival": "open",
                "rate": CHAIN_RATE,
            },
            "chain": {"inputs": ["TCP slow start"]},
            "params": {"temperature": 0.7, "max_tokens": 1000},
            "steps": [
                {"user": "Explain {{input}}."},
                {"user": "Improve this answer:\n\n{{previous}}"},
                {"user": "Improve this answer:\n\n{{previous}}"},
            ],
        }
    )


async def _report(plan: Plan, seed: int, compression: float) -> AnalysisReport:
    from workbench.core._transport import make_client
    from workbench.core.runner import Runner

    sim = SimProcess([*SIM_ARGS, "--seed", str(seed), "--context-compression", str(compression)])
    root = await asyncio.to_thread(sim.start)
    client = make_client(max_connections=CHAINS_IN_FLIGHT, connect_timeout=10, idle_timeout=60)
    try:
        # Warm connections first: else the first chains' step 1 pays the connection setup.
        await Runner(WARM_UP, base_url=root + "/v1", client=client).run()
        result = await Runner(plan, base_url=root + "/v1", client=client).run()
    finally:
        await client.aclose()
        sim.stop()
    options = AnalysisOptions(factor=default_factor(plan), seed=seed)
    return analyze(result.samples, options, plan=plan)


def decay_found(report: AnalysisReport) -> bool:
    lengths = [e for e in report.effects if e.metric in LENGTHS and e.significant]
    return any(e.change is not None and e.change < 0 for e in lengths) and not any(
        e.change is not None and e.change > 0 for e in lengths
    )


def _lengths(report: AnalysisReport) -> str:
    """The length effects, for a seed where the decay was missed."""
    return ", ".join(
        f"step {e.level} {e.metric} {e.change:+.0%}{' (sig.)' if e.significant else ''}"
        for e in report.effects
        if e.metric in LENGTHS and e.change is not None
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--chains", type=int, default=20)
    parser.add_argument("--compression", type=float, default=0.3)
    args = parser.parse_args()
    print(describe())
    plan = chain_plan(args.chains)
    print(
        f"{args.seeds} seeds x {args.chains} chains x {STEPS} steps, temperature 0.7, "
        f"chains at {CHAIN_RATE:g}/s, at most {CHAINS_IN_FLIGHT} at once; "
        f"knob --context-compression {args.compression:g}"
    )
    found = clean = 0
    retention: dict[str, dict[int, list[float]]] = {"on": {}, "off": {}}
    for seed in range(args.seeds):
        on = asyncio.run(_report(plan, seed, args.compression))
        off = asyncio.run(_report(plan, seed, 0.0))
        found += decay_found(on)
        clean += not off.findings
        for name, report in (("on", on), ("off", off)):
            for row in report.chain_steps:
                retention[name].setdefault(row.step, []).append(row.mean)
        print(
            f"  seed {seed:>2}: knob on: decay {'found' if decay_found(on) else 'MISSED'}"
            f" ({len(on.findings)} findings); knob off: {len(off.findings)} findings"
            + (f" ({off.findings[0]})" if off.findings else "")
            + ("" if decay_found(on) else f"; knob on, length: {_lengths(on)}"),
            flush=True,
        )
    print(f"step decay found with the right sign (knob on): {found}/{args.seeds}")
    print(f"no finding (knob off): {clean}/{args.seeds}")
    for name in ("on", "off"):
        medians = ", ".join(
            f"step {step} {statistics.median(values):.0%}"
            for step, values in sorted(retention[name].items())
        )
        print(f"median retention, knob {name}: {medians}")


if __name__ == "__main__":
    main()
