"""The members of each answer cluster (what the Responses tab groups by) and re-clustering
an analysis at another threshold without measuring it again."""

from __future__ import annotations

import numpy as np
import pytest

from tests.core.analysis.synth import sample
from workbench.core.analysis import (
    AnalysisOptions,
    CellData,
    analyze_cells,
    cluster_cell,
    encode_all,
    similarity_matrix,
    with_threshold,
    words,
)
from workbench.core.records import CellKey, Sample

KEY = CellKey(endpoint="sim", model="m", level=1)
ANSWERS = (
    "the cache keeps hot rows in memory so reads skip the disk entirely",
    "a queue absorbs bursts and lets the workers drain them at their own pace",
    "retries with jitter spread the load after an outage instead of a thundering herd",
)


def _reworded(answer: str, variant: int) -> str:
    tokens = answer.split()
    tokens[variant % len(tokens)] = f"word{variant}"
    return " ".join(tokens)


def _cell(texts: dict[int, str], in_matrix: list[int]) -> CellData:
    matrix = similarity_matrix(encode_all([words(texts[i]) for i in in_matrix]))
    return CellData(key=KEY, similarity=matrix, sample_ids=list(in_matrix))


def _texts(sizes: tuple[int, ...]) -> dict[int, str]:
    texts: dict[int, str] = {}
    for answer, size in zip(ANSWERS, sizes, strict=False):
        for variant in range(size):
            texts[len(texts) + 100] = _reworded(answer, variant)
    return texts


def test_members_largest_first_with_the_medoid_first() -> None:
    texts = _texts((3, 6, 2))
    clusters = cluster_cell(_cell(texts, list(texts)), texts, 0.8)
    assert [c.number for c in clusters.clusters] == [1, 2, 3]
    assert [c.size for c in clusters.clusters] == [6, 3, 2]
    assert clusters.responses == len(texts) == clusters.sampled
    for cluster in clusters.clusters:
        heads = {texts[i].split()[-1] for i in cluster.members}
        assert len(heads) == 1  # one answer per cluster (its last word is never reworded)
        assert cluster.members[1:] == tuple(sorted(cluster.members[1:]))
        assert all(clusters.by_id[i] is cluster for i in cluster.members)
    # The medoid is the member most like the others: with one word changed at a different
    # place in each, that is not necessarily the first one; it is a member.
    big = clusters.clusters[0]
    assert big.medoid_id in big.members and big.medoid_id == big.members[0]


def test_responses_outside_the_matrix_join_the_cluster_they_are_like() -> None:
    texts = _texts((5, 5, 5))
    sampled = [i for i in texts if i % 2 == 0]  # a subsample, as above the similarity cap
    clusters = cluster_cell(_cell(texts, sampled), texts, 0.8)
    assert clusters.sampled == len(sampled) and clusters.responses == 15
    for cluster in clusters.clusters:
        assert len({texts[i].split()[-1] for i in cluster.members}) == 1
        assert cluster.medoid_id in sampled  # medoids come from the matrix


def test_a_stricter_threshold_splits_reworded_answers() -> None:
    texts = _texts((4, 4))
    data = _cell(texts, list(texts))
    assert len(cluster_cell(data, texts, 0.8).clusters) == 2
    assert len(cluster_cell(data, texts, 0.99).clusters) == 8


def test_no_responses_no_clusters() -> None:
    clusters = cluster_cell(CellData(key=KEY), {}, 0.8)
    assert clusters.clusters == () and clusters.responses == 0


@pytest.fixture
def samples() -> list[Sample]:
    return [sample(text=t, sample_id=i) for i, t in enumerate(_texts((4, 3, 2)).values())]


def test_with_threshold_matches_analysing_again(samples: list[Sample]) -> None:
    report, data = analyze_cells(samples)
    assert [d.key for d in data] == [c.key for c in report.cells]
    assert report.cells[0].diversity.clusters == 3
    strict = with_threshold(report, data, 0.99)
    again, _ = analyze_cells(samples, AnalysisOptions(cluster_threshold=0.99))
    assert strict.cells[0].diversity.clusters == 9
    for got, want in zip(strict.cells, again.cells, strict=True):
        assert got.diversity == want.diversity
        assert got.timings == want.timings  # nothing else changed
    assert report.cells[0].diversity.threshold == 0.8  # the original is untouched


def test_matrix_rows_are_named_by_sample_id(samples: list[Sample]) -> None:
    _, data = analyze_cells(samples)
    (cell,) = data
    assert cell.sample_ids == [s.id for s in samples]
    assert cell.similarity.shape == (len(samples),) * 2
    assert np.allclose(np.diag(cell.similarity), 1.0)
