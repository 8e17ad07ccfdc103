"""The vectorised bootstrap computes the same statistics as resampling by hand."""

from __future__ import annotations

import numpy as np

from workbench.core.analysis.bootstrap import _weighted_median, bootstrap_all
from workbench.core.analysis.cells import CellData
from workbench.core.records import CellKey


def test_median_from_counts_equals_numpy_on_the_drawn_values() -> None:
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 4, 7, 10):
        values = rng.normal(size=n)
        values[rng.random(n) < 0.2] = np.nan
        draws = rng.integers(0, n, (50, n))
        counts = np.zeros((50, n))
        for row, drawn in enumerate(draws):
            np.add.at(counts[row], drawn, 1)
        counts[:, np.isnan(values)] = 0
        expected = [
            np.percentile(v[~np.isnan(v)], 50) if (~np.isnan(v)).any() else np.nan
            for v in (values[d] for d in draws)
        ]
        assert np.allclose(_weighted_median(values, counts), expected, equal_nan=True)


def _cell(words: list[float], classes: list[int], similarity: np.ndarray) -> CellData:
    values = np.array(words, dtype=np.float64)
    return CellData(
        key=CellKey(endpoint="e", model="m"),
        per_response={key: values for key in (
            "length_words", "length_tokens", "sentences", "list_items", "distinct_bigrams",
            "ttft_p50", "e2e_p50", "tpot_mean", "length_cut_share")},
        errors=np.array([0.0, 0.0, 1.0, 0.0]),
        similarity=similarity,
        text_class=np.array(classes, dtype=np.int64),
    )


def test_a_response_drawn_twice_is_not_compared_with_itself() -> None:
    # Four different responses, each pair 0.5 similar: every resample must say 0.5 and
    # "all distinct", however many duplicates it drew.
    matrix = np.full((4, 4), 0.5)
    np.fill_diagonal(matrix, 1.0)
    boot = bootstrap_all(_cell([1, 2, 3, 4], [0, 1, 2, 3], matrix), 500, seed=1)
    similarity, distinct = boot["similarity_mean"], boot["distinct_share"]
    assert similarity.point == 0.5 and similarity.dist is not None
    drawn_twice_or_more = similarity.dist[~np.isnan(similarity.dist)]  # NaN: 1 response drawn
    assert drawn_twice_or_more.size > 450 and np.allclose(drawn_twice_or_more, 0.5)
    assert distinct.point == 1.0 and distinct.dist is not None
    assert np.allclose(distinct.dist, 1.0)


def test_resampled_means_centre_on_the_estimate() -> None:
    boot = bootstrap_all(_cell([1, 2, 3, 4], [0, 0, 1, 1], np.eye(4)), 4000, seed=2)
    words = boot["length_words"]
    assert words.point == 2.5 and words.n == 4 and words.dist is not None
    assert abs(float(words.dist.mean()) - 2.5) < 0.05
    assert set(np.unique(words.dist * 4)) <= set(range(4, 17))  # sums of 4 draws from 1..4
    errors = boot["error_rate"]
    assert errors.point == 0.25 and errors.dist is not None
    assert abs(float(errors.dist.mean()) - 0.25) < 0.02
