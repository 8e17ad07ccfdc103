"""Vendi score, answer clusters, semantic entropy and modal agreement of a similarity matrix."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.core.analysis.diversity import cluster_labels, diversity, vendi_score


def _groups(sizes: list[int], within: float = 1.0, between: float = 0.0) -> np.ndarray:
    labels = np.repeat(np.arange(len(sizes)), sizes)
    matrix = np.where(labels[:, None] == labels[None, :], within, between).astype(float)
    np.fill_diagonal(matrix, 1.0)
    return matrix


def test_identical_responses_are_one_answer() -> None:
    d = diversity(np.ones((30, 30)))
    assert d.vendi == pytest.approx(1.0)
    assert (d.clusters, d.semantic_entropy, d.modal_agreement) == (1, 0.0, 1.0)


def test_unrelated_responses_count_fully() -> None:
    assert vendi_score(np.eye(12)) == pytest.approx(12.0)
    assert diversity(np.eye(12)).clusters == 12


@pytest.mark.parametrize("k", [2, 3, 5])
def test_k_equal_groups_are_k_answers(k: int) -> None:
    d = diversity(_groups([10] * k))
    assert d.vendi == pytest.approx(k)
    assert d.clusters == k
    assert d.semantic_entropy == pytest.approx(math.log(k))
    assert d.modal_agreement == pytest.approx(1 / k)


def test_a_dominant_answer_shows_in_modal_agreement_and_entropy() -> None:
    d = diversity(_groups([24, 3, 3], within=0.95, between=0.2))
    assert d.clusters == 3
    assert d.modal_agreement == pytest.approx(0.8)
    assert d.vendi is not None and 1.0 < d.vendi < 3.0  # fewer than three equal answers


def test_the_threshold_decides_what_counts_as_one_answer() -> None:
    matrix = _groups([5, 5], within=0.9, between=0.6)
    assert diversity(matrix, 0.8).clusters == 2
    assert diversity(matrix, 0.5).clusters == 1


def test_one_borderline_pair_does_not_chain_two_answers() -> None:
    # Connected components would merge the groups through the single 0.85 pair.
    matrix = _groups([6, 6], within=0.95, between=0.1)
    matrix[5, 6] = matrix[6, 5] = 0.85
    labels = cluster_labels(matrix, 0.8)
    assert len(set(labels[:6])) == 1 and len(set(labels[6:])) == 1
    assert labels[0] != labels[6]


def test_largest_cluster_is_numbered_first() -> None:
    labels = cluster_labels(_groups([2, 5]), 0.8)
    assert list(labels) == [1, 1, 0, 0, 0, 0, 0]


def test_no_responses() -> None:
    d = diversity(np.zeros((0, 0)))
    assert d.n == 0 and d.vendi is None and d.clusters is None
