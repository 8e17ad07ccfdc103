"""The knee of a knee search as part of the analysis report (the rule is core.knee's)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from workbench.core.analysis.results import KneeLevel, KneeReport
from workbench.core.knee import find_knee, gain, knee_sentence
from workbench.core.plan import RunSettings
from workbench.core.records import Sample


def knee_report(
    samples: Sequence[Sample], run: RunSettings, slos: dict[str, float] | None = None
) -> KneeReport:
    """`slos` (e.g. `analyze --slo`) replace the plan's own for goodput; by default the
    knee comes out as the search decided it."""
    if slos:
        run = msgspec.structs.replace(run, slo=dict(slos))
    result = find_knee(samples, run)
    loads = result.loads
    levels = [
        KneeLevel(
            level=load.level,
            requests=load.requests,
            ok=load.ok,
            met=load.met,
            goodput_share=load.goodput_share,
            throughput_tokens_per_s=load.throughput,
            goodput_tokens_per_s=load.goodput,
            requests_per_s=load.requests_per_s,
            ttft_p95_ms=load.ttft_p95_ms,
            gain=gain(loads[i - 1], load) if i else None,
        )
        for i, load in enumerate(loads)
    ]
    return KneeReport(
        knee=result.knee,
        reason=result.reason,
        min_gain=run.knee_min_gain,
        goodput_floor=run.knee_goodput_floor,
        slos=dict(run.slo),
        max_concurrency=run.max_concurrency,
        levels=levels,
        sentence=knee_sentence(result, run),
    )
