"""The Responses tab's cards in sections: one flat section, or each cell's answer clusters
(largest first, the medoid first in each) with a header naming its size (Qt-free)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from workbench.core.analysis import CellClusters
from workbench.core.format import percent
from workbench.core.records import CellKey
from workbench.viewmodel.live import LiveResponse

SectionKind = Literal["plain", "cluster", "unclustered"]


@dataclass(frozen=True, slots=True)
class CardSection:
    title: str  # the header; "" = no header (the flat view)
    ids: list[int]
    kind: SectionKind = "plain"
    tip: str = ""
    medoid_id: int | None = None  # shown first and highlighted


def cell_name(key: CellKey) -> str:
    parts = [f"c={key.level}"]
    if key.variant != "base":
        parts.append(key.variant)
    if key.step:
        parts.append(f"step {key.step}")
    return " · ".join(parts)


def cluster_title(number: int, size: int, total: int, shown: int) -> str:
    noun = "response" if total == 1 else "responses"
    share = percent(size / total) if total else "-"
    title = f"Cluster {number} · {size} of {total} {noun} ({share})"
    return title + (f" · {shown} shown" if shown != size else "")


def cluster_sections(
    kept: Sequence[LiveResponse], clusters: Mapping[CellKey, CellClusters]
) -> list[CardSection]:
    """`kept` (filtered and sorted as the toolbar says) grouped by cell, then by cluster.

    Within a cluster the cards keep `kept`'s order, its medoid moved first. Responses no
    clustering covers (errors, ones still streaming or finished after the clustering) end
    their cell in a "Not clustered" section."""
    by_cell: dict[CellKey, list[LiveResponse]] = {}
    for item in kept:
        by_cell.setdefault(item.cell, []).append(item)
    several = len(by_cell) > 1
    sections: list[CardSection] = []
    for key, items in by_cell.items():
        prefix = f"{cell_name(key)} · " if several else ""
        cell = clusters.get(key)
        members: dict[int, list[int]] = {}
        loose: list[int] = []
        for item in items:
            found = cell.by_id.get(item.id) if cell is not None else None
            if found is None:
                loose.append(item.id)
            else:
                members.setdefault(found.number, []).append(item.id)
        if cell is not None:
            total = cell.responses
            for cluster in cell.clusters:
                ids = members.get(cluster.number)
                if not ids:
                    continue  # every member filtered out
                if cluster.medoid_id in ids:
                    ids.remove(cluster.medoid_id)
                    ids.insert(0, cluster.medoid_id)
                sections.append(
                    CardSection(
                        prefix + cluster_title(cluster.number, cluster.size, total, len(ids)),
                        ids,
                        "cluster",
                        f"Responses whose mean word similarity to each other is at least "
                        f"{cell.threshold:.2f}; the first card, #{cluster.medoid_id}, is the "
                        "cluster's medoid (its most typical response)",
                        cluster.medoid_id,
                    )
                )
        if loose:
            noun = "response" if len(loose) == 1 else "responses"
            sections.append(
                CardSection(
                    f"{prefix}Not clustered · {len(loose)} {noun}",
                    loose,
                    "unclustered",
                    "Errors, cancelled responses and responses that finished after the "
                    "clustering (re-cluster to include them)",
                )
            )
    return sections


def grouping_status(
    clusters: Mapping[CellKey, CellClusters], *, waiting: bool, live: bool, finished_ok: int
) -> str:
    """The line beside the threshold: how many clusters of how many responses, how fresh."""
    if waiting:
        return "Re-clustering…" if clusters else "Clustering the responses…"
    if not clusters:
        return "The clusters appear when responses have finished."
    count = sum(len(c.clusters) for c in clusters.values())
    clustered = sum(c.responses for c in clusters.values())
    cells = f" in {len(clusters)} cells" if len(clusters) > 1 else ""
    noun = "cluster" if count == 1 else "clusters"
    # The threshold is in the spin box beside this line; the tooltip spells it out.
    text = f"{count} answer {noun}{cells} of {clustered} responses"
    sampled = sum(c.sampled for c in clusters.values())
    if sampled < clustered:
        text += f" · clusters found on {sampled} sampled responses, the rest joined the nearest"
    if live and finished_ok > clustered:
        text += f" · {finished_ok - clustered} more finished since"
    return text
