"""Pairwise similarity of responses on word tokens, the medoid and first divergence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Indel

from workbench.core.analysis.text import TokenCoder

FloatMatrix = npt.NDArray[np.float64]


def encode_all(token_lists: Sequence[Sequence[str]]) -> list[list[int]]:
    coder = TokenCoder(token_lists)
    return [coder.encode(toks) for toks in token_lists]


def similarity_matrix(codes: Sequence[Sequence[int]]) -> FloatMatrix:
    """n x n Indel normalized similarity of the code sequences (1 on the diagonal).

    Two empty responses are identical (1.0); rapidfuzz already scores them so.
    """
    n = len(codes)
    if n == 0:
        return np.zeros((0, 0))
    # Passing the same list as queries and choices lets rapidfuzz compute one triangle.
    matrix = process.cdist(
        codes, codes, scorer=Indel.normalized_similarity, workers=-1, dtype=np.float32
    )
    out: FloatMatrix = np.asarray(matrix, dtype=np.float64)
    np.fill_diagonal(out, 1.0)
    return out


def medoid(matrix: FloatMatrix) -> int | None:
    """Index with the highest mean similarity to the others (the first on ties)."""
    n = matrix.shape[0]
    if n == 0:
        return None
    if n == 1:
        return 0
    mean_to_others = (matrix.sum(axis=1) - 1.0) / (n - 1)
    return int(np.argmax(mean_to_others))


def pair_values(matrix: FloatMatrix) -> npt.NDArray[np.float64]:
    upper = np.triu_indices(matrix.shape[0], k=1)
    values: npt.NDArray[np.float64] = matrix[upper]
    return values


def first_divergence(reference: Sequence[int], other: Sequence[int]) -> int | None:
    """Word index of the first difference, None when the sequences are identical."""
    if len(reference) == len(other) and list(reference) == list(other):
        return None
    limit = min(len(reference), len(other))
    for i in range(limit):
        if reference[i] != other[i]:
            return i
    return limit
