"""The Responses tab grouped by prompt variant: a row of cards per variant under a header
naming it (a matrix cell's variant includes its variable values, "polite · topic=TCP")."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.core.format import count
from workbench.viewmodel.grouping import CardSection
from workbench.viewmodel.live import LiveResponse


def variant_sections(kept: Sequence[LiveResponse]) -> list[CardSection]:
    """`kept` (filtered and sorted as the toolbar says) by variant, variants in order of first
    appearance (the plan's), the cards of each in `kept`'s order."""
    groups: dict[str, list[int]] = {}
    for item in kept:
        groups.setdefault(item.cell.variant, []).append(item.id)
    return [
        CardSection(
            f"{name} · {count(len(ids))} response{'' if len(ids) == 1 else 's'}",
            ids,
            tip=f"The responses to the prompt variant {name!r}",
        )
        for name, ids in groups.items()
    ]
