"""How stable a cell's parsed answers and texts are across repeats of one request.

Flip rate: the probability that two different repeats give different parsed answers, as the
unbiased U-statistic over unordered pairs, 1 - sum_a n_a (n_a - 1) / (n (n - 1)) over the
groups of equal parsed answers. An unparsable answer agrees with nothing, not even another
unparsable one (as in TARa): it is a group of its own, so a cell where nothing parses flips
with rate 1, never 0.

pass^k (Yao et al. 2024, tau-bench) and pass@k (Chen et al. 2021): with c of n repeats
correct, the unbiased estimators of "all of k fresh repeats are correct" (C(c, k) / C(n, k))
and "at least one is" (1 - C(n - c, k) / C(n, k)).

First divergence: the word index at which a response first departs from its cell's medoid
(similarity.first_divergence), over the responses that are not identical to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb

import numpy as np
import numpy.typing as npt

from workbench.core.analysis.results import PassK

UNPARSED = -1
# The k reported: 1, 2, 4, 8 up to the number of repeats.
PASS_KS = (1, 2, 4, 8)
IntArray = npt.NDArray[np.int64]


def answer_codes(answers: Sequence[str | None]) -> IntArray:
    """A code per answer: equal parsed answers share one, UNPARSED (-1) where none parsed."""
    groups: dict[str, int] = {}
    return np.array(
        [UNPARSED if a is None else groups.setdefault(a, len(groups)) for a in answers],
        dtype=np.int64,
    )


def flip_rate(codes: IntArray) -> float | None:
    """The U-statistic above; None below two responses."""
    n = int(codes.size)
    if n < 2:
        return None
    sizes = np.bincount(codes[codes != UNPARSED])
    agreeing = float((sizes * (sizes - 1)).sum())
    return 1.0 - agreeing / (n * (n - 1))


def pass_k(correct: int, n: int) -> list[PassK]:
    """pass^k and pass@k for k in PASS_KS with k <= n."""
    out: list[PassK] = []
    for k in PASS_KS:
        if k > n:
            break
        total = comb(n, k)
        out.append(
            PassK(
                k=k, pass_hat=comb(correct, k) / total, pass_at=1.0 - comb(n - correct, k) / total
            )
        )
    return out


def quartiles(values: Sequence[int]) -> tuple[float, float, float] | None:
    """(25th, 50th, 75th) percentiles, numpy "linear"; None when empty."""
    if not values:
        return None
    q1, p50, q3 = np.percentile(np.asarray(values, np.float64), (25.0, 50.0, 75.0))
    return float(q1), float(p50), float(q3)
