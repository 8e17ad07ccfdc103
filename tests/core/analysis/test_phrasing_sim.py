"""Ground truth over loopback: the simulated endpoint's wording knob, through the real
runner, must be found by the phrasing decomposition; without it, nothing is found.
(benchmarks/variant_validation.py runs the 20 seeds docs/analysis.md quotes.)"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from workbench.core.analysis import AnalysisOptions, AnalysisReport, analyze
from workbench.core.plan import Params, Plan, RunSettings, Variant
from workbench.core.runner import Runner

# Only stop and instruction words differ: the simulator's topic choice cannot tell them apart.
PHRASINGS = (
    "Explain TCP congestion control.",
    "Could you please explain TCP congestion control?",
    "Describe TCP congestion control, please.",
)
PLAN = Plan(
    name="phrasing",
    user=PHRASINGS[0],
    variants=[Variant(name=f"v{i}", user=text) for i, text in enumerate(PHRASINGS[1:], 1)],
    params=Params(temperature=0.7, max_tokens=300),
    run=RunSettings(concurrency=[4], repetitions=12),
)


async def _reports(
    sim_factory: Callable[..., str], extra: Sequence[str], seeds: Sequence[int]
) -> list[AnalysisReport]:
    async def one(seed: int) -> AnalysisReport:
        root = await asyncio.to_thread(
            sim_factory, "--zero-delay", "--mean-tokens", "90", "--seed", str(seed), *extra
        )
        result = await Runner(PLAN, base_url=root + "/v1").run()
        return analyze(result.samples, AnalysisOptions(seed=seed, resamples=300))

    return [await one(seed) for seed in seeds]


async def test_the_wording_knob_is_found_as_a_phrasing_effect(
    sim_factory: Callable[..., str],
) -> None:
    reports = await _reports(sim_factory, ["--variant-sensitivity", "1"], range(3))
    for report in reports:
        assert report.factor == "variant"
        effect = report.phrasing
        assert effect is not None and effect.significant, effect
        assert effect.ratio is not None and effect.ratio > 1
        assert report.findings[0].startswith("Rephrasing moved the output ")


async def test_without_the_knob_rephrasing_reads_no_more_than_chance(
    sim_factory: Callable[..., str],
) -> None:
    reports = await _reports(sim_factory, [], range(3))
    for report in reports:
        effect = report.phrasing
        assert effect is not None and not effect.significant, effect
        assert "no more than chance" in effect.summary
        assert report.findings == []
