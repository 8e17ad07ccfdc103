"""Monotonic trend test: Spearman's rho with a two-sided permutation p-value.

Per-response metrics use every response (value vs its level); above `EXACT_LIMIT` values
the permutation distribution is replaced by its normal approximation (var = 1 / (N - 1)),
which is then accurate to well below the Bonferroni threshold. Cell-level statistics
(similarity, distinct share) have one value per level, so their test permutes the levels
exactly; with few levels it has little power, and the level comparisons carry the weight.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from workbench.core.analysis.stats import FloatArray, as_array

EXACT_LIMIT = 5_000
_CHUNK_ELEMENTS = 4_000_000


def average_ranks(values: FloatArray) -> FloatArray:
    """1-based ranks, ties sharing their average rank."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    averages: FloatArray = ends - (counts - 1) / 2.0
    return averages[inverse.reshape(-1)]


def _centred_ranks(values: FloatArray) -> FloatArray | None:
    ranks = average_ranks(values)
    centred: FloatArray = ranks - ranks.mean()
    return centred if float(centred @ centred) > 0 else None


def spearman_permutation(
    values: Sequence[float] | FloatArray,
    levels: Sequence[float] | FloatArray,
    permutations: int,
    rng: np.random.Generator,
) -> tuple[float | None, float | None, str]:
    """(rho, p, method). rho is None when either side is constant or there are < 3 values."""
    x, y = as_array(values), as_array(levels)
    n = x.size
    if n < 3:
        return None, None, "too few values"
    rx, ry = _centred_ranks(x), _centred_ranks(y)
    if rx is None or ry is None:
        return None, None, "no variation"
    scale = math.sqrt(float(rx @ rx) * float(ry @ ry))
    rho = float(rx @ ry) / scale
    if n > EXACT_LIMIT:
        p = math.erfc(abs(rho) * math.sqrt(n - 1) / math.sqrt(2.0))
        return rho, p, "spearman, normal approximation"
    exceed = 0
    done = 0
    step = max(1, _CHUNK_ELEMENTS // n)
    while done < permutations:
        rows = min(step, permutations - done)
        shuffled = rng.permuted(np.tile(ry, (rows, 1)), axis=1)
        perm_rho = (shuffled @ rx) / scale
        # A small tolerance so ties with the observed value count as "as extreme".
        exceed += int(np.count_nonzero(np.abs(perm_rho) >= abs(rho) - 1e-12))
        done += rows
    return rho, (exceed + 1) / (permutations + 1), f"spearman, {permutations} permutations"


def spearman_exact(
    values: Sequence[float], levels: Sequence[float]
) -> tuple[float | None, float | None, str]:
    """Spearman over few points, p from all orderings (up to 8 points, else None)."""
    x, y = as_array(values), as_array(levels)
    if x.size < 3:
        return None, None, "too few levels"
    rx, ry = _centred_ranks(x), _centred_ranks(y)
    if rx is None or ry is None:
        return None, None, "no variation"
    if x.size > 8:
        return spearman_permutation(x, y, 10_000, np.random.default_rng(0))
    scale = math.sqrt(float(rx @ rx) * float(ry @ ry))
    rho = float(rx @ ry) / scale
    orders = np.array(list(itertools.permutations(range(x.size))))
    perm_rho = (ry[orders] @ rx) / scale
    p = float(np.mean(np.abs(perm_rho) >= abs(rho) - 1e-12))
    return rho, p, f"spearman over levels, exact ({len(orders)} orderings)"
