"""Pairwise similarity on word tokens, the medoid and the first divergence."""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import Indel

from workbench.core.analysis.similarity import (
    encode_all,
    first_divergence,
    medoid,
    similarity_matrix,
)
from workbench.core.analysis.text import words

TEXTS = [
    "the cache keeps hot data close to the reader",
    "the cache keeps hot data near the reader",
    "the cache keeps warm data close to the reader",
    "bananas are yellow and curved",
]


def test_matrix_is_word_level_indel_similarity() -> None:
    codes = encode_all([words(t) for t in TEXTS])
    matrix = similarity_matrix(codes)
    assert matrix.shape == (4, 4)
    assert np.allclose(np.diag(matrix), 1.0)
    assert np.allclose(matrix, matrix.T)
    # One word replaced out of 9: 2 edits over 18 tokens.
    assert np.isclose(matrix[0, 2], 1 - 2 / 18)
    assert np.isclose(matrix[0, 1], Indel.normalized_similarity(codes[0], codes[1]))
    assert matrix[0, 3] < 0.2


def test_medoid_is_the_most_typical_response() -> None:
    matrix = similarity_matrix(encode_all([words(t) for t in TEXTS]))
    assert medoid(matrix) == 0
    assert medoid(np.ones((1, 1))) == 0
    assert medoid(np.zeros((0, 0))) is None


def test_first_divergence_is_the_first_differing_word() -> None:
    assert first_divergence([1, 2, 3, 4], [1, 2, 9, 4]) == 2
    assert first_divergence([1, 2, 3], [1, 2, 3, 4]) == 3
    assert first_divergence([1, 2], [1, 2]) is None
