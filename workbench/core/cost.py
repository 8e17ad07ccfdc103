"""Tokens and cost per cell from the samples' usage and the endpoint profile's prices: the one
rule the run table, the Summary tab and the report all bill by."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from workbench.core.analysis import final_samples
from workbench.core.endpoints import EndpointProfile, cost_usd
from workbench.core.records import Sample

ProfileLookup = Callable[[str], EndpointProfile | None]


@dataclass(slots=True)
class CellCost:
    usd: float | None = None  # None: the profile has no prices
    prompt_tokens: int = 0
    completion_tokens: int = 0
    unknown: int = 0  # billed attempts whose usage the server did not report


@dataclass(slots=True)
class RunCost:
    cells: dict[str, CellCost] = field(default_factory=dict)  # by CellKey.label()
    usd: float | None = None
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    unknown: int = 0


def cell_costs(samples: Sequence[Sample], lookup: ProfileLookup) -> RunCost:
    """Every attempt that came back with usage is billed (retries too: the provider charged
    them); a cancelled attempt without usage is not counted as unknown."""
    total = RunCost()
    profiles: dict[str, EndpointProfile | None] = {}
    for sample in samples:
        key = sample.cell
        if key.endpoint not in profiles:
            profiles[key.endpoint] = lookup(key.endpoint)
        profile = profiles[key.endpoint]
        cell = total.cells.setdefault(key.label(), CellCost())
        usage = sample.usage
        prompt, completion = usage.prompt_tokens, usage.completion_tokens
        if prompt is None or completion is None:
            if sample.outcome == "ok":
                cell.unknown += 1
            continue
        cell.prompt_tokens += prompt
        cell.completion_tokens += completion
        usd = cost_usd(prompt, completion, profile, key.model) if profile is not None else None
        if usd is not None:
            cell.usd = (cell.usd or 0.0) + usd
    for cell in total.cells.values():
        total.prompt_tokens += cell.prompt_tokens
        total.completion_tokens += cell.completion_tokens
        total.unknown += cell.unknown
        if cell.usd is not None:
            total.usd = (total.usd or 0.0) + cell.usd
    total.requests = len(final_samples(samples))
    return total
