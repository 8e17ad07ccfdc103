"""Pairwise similarity of responses, the medoid and first divergence.

Two measures stand behind one interface (`SimilarityMeasure`): the default word-level Indel
similarity here, and the optional semantic one of a static embedding model on disk
(embeddings.py, loaded by `semantic.load_embedding_similarity` only when the user names
a folder).
Every measure on the matrix (mean and min similarity, medoid, Vendi score, clusters,
semantic entropy, modal agreement, the heatmap) works on either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Indel

from workbench.core.analysis.text import TokenCoder

FloatMatrix = npt.NDArray[np.float64]


class EmbeddingModelError(ValueError):
    """A model folder that cannot be used; the message names the path and what is wrong."""


class SimilarityMeasure(Protocol):
    """n x n similarity in [0, 1] of a cell's responses, 1 on the diagonal."""

    label: str  # "words", or the embedding model (shown with the analysis)

    def matrix(self, texts: Sequence[str], codes: Sequence[Sequence[int]]) -> FloatMatrix:
        """`codes` are the responses' word codes (`encode_all`), which the analysis makes
        anyway for the first divergence: the word measure compares those, not `texts`."""
        ...


class WordSimilarity:
    label = "words"

    def matrix(self, texts: Sequence[str], codes: Sequence[Sequence[int]]) -> FloatMatrix:
        return similarity_matrix(codes)


WORD_SIMILARITY = WordSimilarity()


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
