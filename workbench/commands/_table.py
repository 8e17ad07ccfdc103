"""The per-level table `workbench run` prints at the end (per level and step for a chain)."""

from __future__ import annotations

from collections import defaultdict

from workbench.core.analysis import distribution
from workbench.core.cost import cell_costs
from workbench.core.endpoints import EndpointProfile
from workbench.core.format import DASH, NO_PRICES, fixed, usd
from workbench.core.plan import Plan
from workbench.core.records import Sample


def _ms(value: float | None) -> str:
    return fixed(None if value is None else value / 1e6)


def final_samples(samples: list[Sample]) -> list[Sample]:
    retried = {s.retry_of for s in samples if s.retry_of is not None}
    return [s for s in samples if s.id not in retried]


def _cost(samples: list[Sample], profile: EndpointProfile | None) -> float | None:
    """Every attempt with usage (failed and retried ones are paid too) times the prices."""
    if profile is None:
        return None
    return cell_costs(samples, lambda _endpoint: profile).usd


def total_cost(samples: list[Sample], plan: Plan, profile: EndpointProfile | None) -> str | None:
    cost = _cost(samples, profile)
    return None if cost is None else usd(cost)


def level_table(samples: list[Sample], plan: Plan, profile: EndpointProfile | None = None) -> str:
    by_cell: dict[tuple[str, int, int], list[Sample]] = defaultdict(list)
    attempts: dict[tuple[str, int, int], list[Sample]] = defaultdict(list)
    for sample in samples:
        attempts[(sample.cell.variant, sample.cell.level, sample.cell.step)].append(sample)
    for sample in final_samples(samples):
        by_cell[(sample.cell.variant, sample.cell.level, sample.cell.step)].append(sample)
    priced = _cost(samples, profile) is not None
    show_variant = len(plan.all_variants()) > 1
    header = [
        "level",
        "ok",
        "errors",
        "TTFT p50",
        "TTFT p95",
        "E2E p50",
        "E2E p95",
        "words",
        "distinct",
    ]
    show_step = plan.run.mode == "chain"
    if show_step:
        header.insert(1, "step")
    if show_variant:
        header.insert(0, "variant")
    if priced:
        header.append("cost $")
    rows = [header]
    # By level and step, then variants in plan order (a matrix's prompts as it expands them).
    order = {v.name: i for i, v in enumerate(plan.all_variants())}
    for (variant, level, step), cell in sorted(
        by_cell.items(), key=lambda kv: (kv[0][1], kv[0][2], order.get(kv[0][0], -1), kv[0][0])
    ):
        ok = [s for s in cell if s.outcome == "ok"]
        ttft = distribution([s.timing.ttft_ns for s in ok if s.timing.ttft_ns is not None])
        e2e = distribution([s.timing.e2e_ns for s in ok if s.timing.e2e_ns is not None])
        words = [len(s.text.split()) for s in ok]
        row = [
            str(level),
            str(len(ok)),
            str(len(cell) - len(ok)),
            _ms(ttft.p50),
            _ms(ttft.p95),
            _ms(e2e.p50),
            _ms(e2e.p95),
            fixed(sum(words) / len(words)) if words else DASH,
            str(len({s.text for s in ok})),
        ]
        if show_step:
            row.insert(1, str(step))
        if show_variant:
            row.insert(0, variant)
        if priced:
            cost = _cost(attempts[(variant, level, step)], profile)
            row.append(usd(cost).removeprefix("$"))
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    # Without prices there is no cost column (not a column of zeros): one note says why.
    note = "(times in ms)" if priced else f"(times in ms; cost not shown: {NO_PRICES})"
    return note + "\n" + "\n".join(lines)
