"""Ground truth of the answer-stability measures (not a test; CI does not run it).

    .venv/bin/python benchmarks/answer_stability_validation.py [--seeds 20] [--repetitions 40]
        [--part flips|divergence|both]

Flip rate and pass^k: the simulator ends every answer with "Answer: X", X uniform over K
letters (`--answer-choices K`), so at temperature 0.8 the true flip rate is 1 - 1/K, pass^k
(expected answer A) is (1/K)^k and pass@k 1 - (1 - 1/K)^k. Printed per K: in how many seeds
the 95% CI holds the true flip rate, and the mean estimate of pass^k / pass@k over the seeds
± its standard error against the truth (the estimators are unbiased). The seeds share the
simulator's random streams across K, so the rows' deviations are correlated. With one
choice every repeat agrees: the flip rate must be 0 with no finding.

First divergence: at temperature 0 with `--batch-variance B`, 8 sequences decoding at once
(`--hold-until-active 8`), a response is perturbed with probability q = B x 7/8, and a
perturbed one differs from the usual output in one word at a uniformly drawn place. Printed
per B: seeds with any divergence, the share of responses that differ from the medoid against
q, the median departure as a share of the response's words (truth about 0.5: uniform), and
the flip rate of the answers (K = 3) against its truth 1 - (1-q+q/3)² - 2 (q/3)².
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import describe
from benchmarks._sim import run_on_simulator
from workbench.core.analysis import AnalysisOptions, CellMetrics, analyze
from workbench.core.plan import Params, Plan, RunSettings
from workbench.core.records import Sample

PROMPT = "Explain how a load balancer spreads requests."
REGEX = r"Answer: ([A-Z])"
FAST = ("--zero-delay", "--mean-tokens", "80")


async def _session(args: Sequence[str], temperature: float, repetitions: int) -> list[Sample]:
    plan = Plan(
        name="stability",
        user=PROMPT,
        params=Params(temperature=temperature, max_tokens=400),
        run=RunSettings(concurrency=[8], repetitions=repetitions),
    )
    return (await run_on_simulator(plan, args)).samples


async def _cells(
    args: Sequence[str], temperature: float, seeds: int, repetitions: int
) -> list[tuple[CellMetrics, list[str]]]:
    """One cell per seed (its simulator's --seed), a few seeds at a time."""
    gate = asyncio.Semaphore(4)

    async def one(seed: int) -> tuple[CellMetrics, list[str]]:
        async with gate:
            samples = await _session([*args, "--seed", str(seed)], temperature, repetitions)
        report = analyze(
            samples,
            AnalysisOptions(answer_regex=REGEX, expected_answer="A", seed=seed, resamples=1000),
        )
        (cell,) = report.cells
        return cell, report.findings

    return list(await asyncio.gather(*(one(s) for s in range(seeds))))


def _covered(cell: CellMetrics, truth: float) -> bool:
    a = cell.agreement
    low, high = a.flip_rate_ci_low, a.flip_rate_ci_high
    return low is not None and high is not None and low - 1e-12 <= truth <= high + 1e-12


def _mean_se(values: list[float]) -> str:
    """Mean over the seeds ± its standard error: an unbiased estimator's mean lies within
    about two of the truth."""
    se = np.std(values, ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{np.mean(values):.3f}±{se:.3f}"


def flips(seeds: int, repetitions: int) -> None:
    print(f"Flip rate and pass^k, temperature 0.8, {seeds} seeds x {repetitions} responses")
    print(
        f"{'K':>3} {'true flip':>9} {'median est':>10} {'CI holds truth':>15}   "
        "pass^k mean±se / truth (pass@k mean±se / truth)"
    )
    for k in (1, 2, 3, 5):
        cells = asyncio.run(_cells([*FAST, "--answer-choices", str(k)], 0.8, seeds, repetitions))
        truth = 1 - 1 / k
        estimates = [c.agreement.flip_rate or 0.0 for c, _ in cells]
        held = sum(_covered(c, truth) for c, _ in cells)
        found = sum(any("parsed answers" in f for f in findings) for _, findings in cells)
        parts = []
        for j, ks in enumerate((1, 2, 4, 8)):
            hat = _mean_se([c.agreement.pass_k[j].pass_hat for c, _ in cells])
            at = _mean_se([c.agreement.pass_k[j].pass_at for c, _ in cells])
            parts.append(f"k={ks} {hat}/{(1 / k) ** ks:.3f} ({at}/{1 - (1 - 1 / k) ** ks:.3f})")
        print(
            f"{k:>3} {truth:>9.3f} {np.median(estimates):>10.3f} {held:>12}/{seeds}   "
            + "  ".join(parts)
        )
        print(f"{'':>3} flip-rate finding in {found}/{seeds} seeds")


def divergence(seeds: int, repetitions: int) -> None:
    print()
    print(
        f"First divergence, temperature 0, 8 decoding at once, {seeds} seeds x "
        f"{repetitions} responses, --answer-choices 3"
    )
    print(
        f"{'B':>4} {'q':>6} {'seeds diverging':>16} {'differ share':>13} "
        f"{'median/words':>13} {'true flip':>10} {'median flip':>12} {'CI holds':>9}"
    )
    for variance in (0.0, 0.25, 0.5, 1.0):
        args = [
            *FAST,
            "--answer-choices",
            "3",
            "--capacity",
            "8",
            "--hold-until-active",
            "8",
            "--batch-variance",
            str(variance),
        ]
        cells = asyncio.run(_cells(args, 0.0, seeds, repetitions))
        q = variance * 7 / 8
        p_usual = 1 - q + q / 3
        truth = 1 - p_usual**2 - 2 * (q / 3) ** 2
        diverging = sum(bool(c.similarity.divergence_words) for c, _ in cells)
        shares = [len(c.similarity.divergence_words) / (c.similarity.n - 1) for c, _ in cells]
        where = [
            (c.similarity.divergence_p50 or 0.0) / (c.lengths.words.mean or 1.0)
            for c, _ in cells
            if c.similarity.divergence_words
        ]
        median_where = f"{np.median(where):.2f}" if where else "-"
        held = sum(_covered(c, truth) for c, _ in cells)
        est = np.median([c.agreement.flip_rate or 0.0 for c, _ in cells])
        print(
            f"{variance:>4g} {q:>6.3f} {diverging:>13}/{seeds} {np.median(shares):>13.3f} "
            f"{median_where:>13} {truth:>10.3f} {est:>12.3f} {held:>6}/{seeds}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--repetitions", type=int, default=40)
    parser.add_argument(
        "--part",
        choices=("flips", "divergence", "both"),
        default="both",
        help="one half only (each takes about two minutes on 2 cores)",
    )
    args = parser.parse_args()
    print(describe())
    start = time.perf_counter()
    if args.part in ("flips", "both"):
        flips(args.seeds, args.repetitions)
    if args.part in ("divergence", "both"):
        divergence(args.seeds, args.repetitions)
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
