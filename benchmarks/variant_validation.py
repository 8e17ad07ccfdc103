"""Ground truth of the phrasing decomposition (not a test; CI does not run it).

    .venv/bin/python benchmarks/variant_validation.py [--seeds 20] [--sensitivity 1,0.5]

Four phrasings of one prompt that share their content words (only stop and instruction
words differ, so the simulator's topic choice cannot tell them apart), 12 responses each at
temperature 0.7, one simulated endpoint per seed. With `--variant-sensitivity X` (1, and 0.5
for the power at a weaker effect) the simulator's answer depends on the exact wording;
without it, it does not. Printed: how often the decomposition finds the effect with the knob
on (needed: >= 19 of 20), how often the analysis has no finding at all with the knob off
(needed: >= 18 of 20), the ratio's median and range in each case, and the time of the
decomposition for 20 variants x 50 responses.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import describe
from benchmarks._sim import run_on_simulator
from workbench.core.analysis import AnalysisOptions, AnalysisReport, analyze
from workbench.core.analysis.phrasing import phrasing_effect
from workbench.core.analysis.similarity import encode_all, similarity_matrix
from workbench.core.analysis.text import words
from workbench.core.plan import Params, Plan, RunSettings, Variant
from workbench.core.records import CellKey

PHRASINGS = (
    "Explain TCP congestion control.",
    "Could you please explain TCP congestion control?",
    "Describe TCP congestion control, please.",
    "Tell me about TCP congestion control.",
)


def plan(repetitions: int) -> Plan:
    return Plan(
        name="variant validation",
        user=PHRASINGS[0],
        variants=[Variant(name=f"v{i}", user=text) for i, text in enumerate(PHRASINGS[1:], 1)],
        params=Params(temperature=0.7, max_tokens=300),
        run=RunSettings(concurrency=[4], repetitions=repetitions),
    )


async def _report(
    seed: int, sensitivity: float, repetitions: int, gate: asyncio.Semaphore
) -> AnalysisReport:
    args = ["--zero-delay", "--seed", str(seed), "--mean-tokens", "90"]
    if sensitivity:
        args += ["--variant-sensitivity", str(sensitivity)]
    async with gate:
        result = await run_on_simulator(plan(repetitions), args)
    options = AnalysisOptions(seed=seed, resamples=500)
    return await asyncio.to_thread(analyze, result.samples, options)


async def _all(seeds: int, sensitivity: float, repetitions: int) -> list[AnalysisReport]:
    gate = asyncio.Semaphore(3)
    return list(
        await asyncio.gather(*(_report(s, sensitivity, repetitions, gate) for s in range(seeds)))
    )


def _ratios(reports: list[AnalysisReport]) -> str:
    values = [r.phrasing.ratio for r in reports if r.phrasing and r.phrasing.ratio]
    return (
        f"ratio median {np.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"
        if values
        else "no ratio"
    )


def _timing() -> tuple[float, float]:
    """Seconds for the whole decomposition of 20 x 50 responses, and for its similarity
    matrix alone."""
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(300)]
    cells = {
        CellKey(endpoint="e", model="m", variant=f"v{v}"): [
            " ".join(rng.choice(vocab, size=80)) for _ in range(50)
        ]
        for v in range(20)
    }
    texts = [t for group in cells.values() for t in group]
    started = time.perf_counter()
    similarity_matrix(encode_all([words(t) for t in texts]))
    matrix = time.perf_counter() - started
    started = time.perf_counter()
    phrasing_effect(cells, resamples=2000)
    return time.perf_counter() - started, matrix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument(
        "--sensitivity",
        default="1,0.5",
        help="knob values, comma-separated; the first is the validated one",
    )
    parser.add_argument("--repetitions", type=int, default=12)
    args = parser.parse_args()
    setup = f"{len(PHRASINGS)} phrasings x {args.repetitions} responses, temperature 0.7"
    print(describe(), f"{setup}, {args.seeds} seeds", sep="\n")
    for i, text in enumerate(args.sensitivity.split(",")):
        x = float(text)
        on = asyncio.run(_all(args.seeds, x, args.repetitions))
        found = sum(
            1 for r in on if r.phrasing and r.phrasing.significant and (r.phrasing.ratio or 0) > 1
        )
        need = " (needed >= 19)" if i == 0 else " (power at a weaker effect)"
        print(
            f"--variant-sensitivity {x:g}: effect found in {found}/{args.seeds} seeds"
            f"{need}; {_ratios(on)}"
        )
    off = asyncio.run(_all(args.seeds, 0.0, args.repetitions))
    quiet = sum(1 for r in off if not r.findings)
    print(f"knob off: no finding in {quiet}/{args.seeds} seeds (needed >= 18); {_ratios(off)}")
    total, matrix = _timing()
    print(
        f"decomposition of 20 variants x 50 responses (999 permutations, 1000 bootstrap "
        f"resamples): {total:.2f} s, of which the similarity matrix {matrix:.2f} s"
    )


if __name__ == "__main__":
    main()
