"""How many genuinely different answers a cell holds, from its similarity matrix.

Vendi score (Friedman & Dieng 2022): exp of the Shannon entropy of the eigenvalues of K / n,
K the n x n similarity matrix with ones on the diagonal. n identical responses score 1, n
unrelated ones n, k equal-sized groups of near-identical ones about k: an effective number.

Clusters: average-linkage agglomeration of the same matrix, merging while the mean similarity
between two groups is at least the threshold. Average linkage rather than connected components
of "similarity >= threshold": one borderline pair would chain two different answers into one
component, while average linkage needs the groups to be alike as a whole. Semantic entropy
(after Kuhn, Gal & Farquhar 2023) is the entropy in nats of the cluster shares; modal agreement
is the largest cluster's share.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from workbench.core.analysis.results import Diversity
from workbench.core.analysis.similarity import FloatMatrix

# Pairs of one reworded answer score 0.95-0.98 on the simulator and pairs of different answers
# to one prompt 0.57-0.68 at their 95th percentile (docs/analysis.md, "Answer clusters").
DEFAULT_CLUSTER_THRESHOLD = 0.8


def vendi_score(matrix: FloatMatrix) -> float | None:
    n = matrix.shape[0]
    if n == 0:
        return None
    eigenvalues = np.linalg.eigvalsh(matrix / n)
    # K is not exactly positive semi-definite (Indel similarity is not a kernel): rounding and
    # that leave small negative eigenvalues, which carry no mass.
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    eigenvalues = eigenvalues[eigenvalues > 1e-12] / eigenvalues.sum()
    return float(np.exp(-np.sum(eigenvalues * np.log(eigenvalues))))


def cluster_labels(matrix: FloatMatrix, threshold: float) -> npt.NDArray[np.int64]:
    """Cluster of each response (0 = the largest, ties by first member), average linkage."""
    n = matrix.shape[0]
    labels = np.arange(n, dtype=np.int64)
    if n < 2:
        return labels
    links = matrix.astype(np.float64, copy=True)
    np.fill_diagonal(links, -np.inf)
    sizes = np.ones(n)
    for _ in range(n - 1):
        flat = int(np.argmax(links))
        a, b = divmod(flat, n)
        if links[a, b] < threshold:
            break
        # Lance-Williams update for average linkage: the merged group's mean similarity to
        # every other group is the size-weighted mean of its two parts'.
        merged = (sizes[a] * links[a] + sizes[b] * links[b]) / (sizes[a] + sizes[b])
        links[a], links[:, a] = merged, merged
        links[b], links[:, b] = -np.inf, -np.inf
        links[a, a] = -np.inf
        sizes[a] += sizes[b]
        labels[labels == b] = a
    _, first, inverse, counts = np.unique(
        labels, return_index=True, return_inverse=True, return_counts=True
    )
    order = np.lexsort((first, -counts))  # the largest cluster first, then by first member
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    out: npt.NDArray[np.int64] = rank[inverse].astype(np.int64)
    return out


def diversity(matrix: FloatMatrix, threshold: float = DEFAULT_CLUSTER_THRESHOLD) -> Diversity:
    n = matrix.shape[0]
    if n == 0:
        return Diversity(threshold=threshold)
    labels = cluster_labels(matrix, threshold)
    shares = np.bincount(labels) / n
    return Diversity(
        n=n,
        vendi=vendi_score(matrix),
        clusters=int(shares.size),
        semantic_entropy=float(-np.sum(shares * np.log(shares))) + 0.0,  # no "-0.0"
        modal_agreement=float(shares.max()),
        threshold=threshold,
    )
