"""The answer clusters of a cell, member by member, for a view that groups responses by them.

`diversity` only counts the clusters; this names their members. It works on the similarity
matrix the analysis already built (`analyze_cells`), so grouping the responses, or asking
for another threshold, never measures the cells again. Responses left out of the matrix (a
seeded subsample above the similarity cap) join the cluster they are most like on average,
the criterion average linkage merges by.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import msgspec
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel

from workbench.core.analysis.cells import CellData
from workbench.core.analysis.diversity import cluster_labels, diversity
from workbench.core.analysis.results import AnalysisReport
from workbench.core.analysis.similarity import encode_all, medoid
from workbench.core.analysis.text import words
from workbench.core.records import CellKey


@dataclass(frozen=True, slots=True)
class AnswerCluster:
    number: int  # 1 = the largest
    members: tuple[int, ...]  # sample ids: the cluster's medoid first, then in id order

    @property
    def medoid_id(self) -> int:
        return self.members[0]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True, slots=True)
class CellClusters:
    key: CellKey
    threshold: float
    clusters: tuple[AnswerCluster, ...]
    sampled: int  # responses in the similarity matrix; the others joined the nearest cluster
    by_id: dict[int, AnswerCluster] = field(default_factory=dict)

    @property
    def responses(self) -> int:
        return sum(c.size for c in self.clusters)


def _nearest(
    data: CellData, texts: Mapping[int, str], rest: Sequence[int], labels: np.ndarray, k: int
) -> np.ndarray:
    """Cluster of each response outside the matrix: the highest mean similarity to its
    sampled members."""
    sampled_words = [words(texts[i]) for i in data.sample_ids]
    codes = encode_all([*sampled_words, *(words(texts[i]) for i in rest)])
    cross = process.cdist(
        codes[len(sampled_words) :],
        codes[: len(sampled_words)],
        scorer=Indel.normalized_similarity,
        workers=-1,
        dtype=np.float32,
    )
    onehot = np.zeros((len(labels), k))
    onehot[np.arange(len(labels)), labels] = 1.0
    means = (np.asarray(cross, np.float64) @ onehot) / onehot.sum(axis=0)
    nearest: np.ndarray = np.argmax(means, axis=1)
    return nearest


def cluster_cell(data: CellData, texts: Mapping[int, str], threshold: float) -> CellClusters:
    """The clusters of one cell at `threshold`, largest first. `texts`: every OK final
    response of the cell by sample id (those in `data.sample_ids` and any others)."""
    matrix = data.similarity
    if not data.sample_ids:
        return CellClusters(data.key, threshold, (), 0)
    labels = cluster_labels(matrix, threshold)
    k = int(labels.max()) + 1
    members: list[list[int]] = [[] for _ in range(k)]
    for sample_id, label in zip(data.sample_ids, labels, strict=True):
        members[label].append(sample_id)
    medoids = []
    for label in range(k):
        rows = np.flatnonzero(labels == label)
        centre = medoid(matrix[np.ix_(rows, rows)])
        medoids.append(data.sample_ids[rows[centre or 0]])
    in_matrix = set(data.sample_ids)
    rest = sorted(i for i in texts if i not in in_matrix)
    if rest:
        for sample_id, label in zip(rest, _nearest(data, texts, rest, labels, k), strict=True):
            members[int(label)].append(sample_id)
    # Largest first (the extra members may reorder them), ties as cluster_labels ranks them.
    order = sorted(range(k), key=lambda label: (-len(members[label]), label))
    clusters = []
    for number, label in enumerate(order, start=1):
        others = sorted(i for i in members[label] if i != medoids[label])
        clusters.append(AnswerCluster(number, (medoids[label], *others)))
    by_id = {sample_id: c for c in clusters for sample_id in c.members}
    return CellClusters(data.key, threshold, tuple(clusters), len(data.sample_ids), by_id)


def with_threshold(
    report: AnalysisReport, data: Sequence[CellData], threshold: float
) -> AnalysisReport:
    """The report with every cell's diversity at another cluster threshold (Vendi does not
    depend on it; clusters, semantic entropy and modal agreement do)."""
    matrices = {d.key: d.similarity for d in data}
    cells = [
        msgspec.structs.replace(cell, diversity=diversity(matrices[cell.key], threshold))
        if cell.key in matrices
        else cell
        for cell in report.cells
    ]
    return msgspec.structs.replace(report, cells=cells)
