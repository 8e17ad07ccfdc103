"""Seeded, vectorised percentile bootstrap of every effect metric, one cell at a time.

Each cell's bootstrap distributions are drawn once and reused for every comparison that
involves the cell (cells are independent samples, so pairing distributions is valid).
A resample is a count matrix C (resamples x responses: how often each response was drawn),
shared by all per-response metrics of the cell (a joint bootstrap), so:
- means are one matrix product, C @ X (NaN values, e.g. TPOT of a 1-token answer, carry no
  weight);
- medians come from the cumulative counts in value order (numpy's "linear" p50: the mean of
  the two middle order statistics), with no resampled copy of the data;
- the error share over requests is Binomial(n, k/n) / n, which is exactly what resampling
  n requests of which k failed gives;
- mean pairwise similarity of a resample = (cᵀSc − Σc²) / (n² − Σc²): pairs of *different*
  responses only, so a response drawn twice is not compared with itself (which would
  inflate similarity);
- distinct-output share = distinct texts among the responses drawn / responses drawn,
  counting each drawn response once, for the same reason.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from workbench.core.analysis.cells import CellData
from workbench.core.analysis.specs import EFFECT_METRICS, MetricSpec
from workbench.core.analysis.stability import flip_rate
from workbench.core.analysis.stats import FloatArray

# Upper bound of resamples x responses held in memory at once (float64: 32 MB).
_CHUNK_ELEMENTS = 4_000_000
_PER_RESPONSE = [s for s in EFFECT_METRICS if s.statistic in ("mean", "median")]


class CellBootstrap(NamedTuple):
    point: float | None  # the statistic on the cell's own responses
    dist: FloatArray | None  # its bootstrap distribution (None: cannot be estimated)
    n: int  # independent units behind it (responses or requests)


def _cell_rng(seed: int, data: CellData, part: str) -> np.random.Generator:
    """Depends only on the seed, the cell and the part, so results do not change when other
    cells are added."""
    cell_code = zlib.crc32(data.key.label().encode())
    return np.random.default_rng(np.random.SeedSequence([seed, cell_code, zlib.crc32(
        part.encode())]))


def _chunks(resamples: int, n: int) -> Iterator[int]:
    step = max(1, _CHUNK_ELEMENTS // max(n, 1))
    done = 0
    while done < resamples:
        size = min(step, resamples - done)
        yield size
        done += size


def _counts(rng: np.random.Generator, rows: int, n: int) -> FloatArray:
    draws = rng.integers(0, n, size=(rows, n))
    draws += np.arange(rows)[:, None] * n
    counts = np.bincount(draws.ravel(), minlength=rows * n).reshape(rows, n)
    result: FloatArray = counts.astype(np.float64)
    return result


def _weighted_median(values: FloatArray, counts: FloatArray) -> FloatArray:
    """p50 ("linear") of each row's resample; NaN values must already have zero counts."""
    order = np.argsort(values)  # NaN sort last and have no weight
    sorted_values = values[order]
    cumulative = np.cumsum(counts[:, order], axis=1)
    m = cumulative[:, -1]
    low_rank = np.floor((m - 1) / 2) + 1  # 1-based order statistics around the middle
    high_rank = np.ceil((m - 1) / 2) + 1
    low = np.argmax(cumulative >= low_rank[:, None], axis=1)
    high = np.argmax(cumulative >= high_rank[:, None], axis=1)
    result: FloatArray = (sorted_values[low] + sorted_values[high]) / 2.0
    result[m == 0] = np.nan
    return result


def _similarity_stat(matrix: FloatArray, counts: FloatArray) -> FloatArray:
    n = matrix.shape[0]
    self_pairs = (counts * counts).sum(axis=1)
    all_pairs = ((counts @ matrix) * counts).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = (all_pairs - self_pairs) / (n * n - self_pairs)
    return result


def _distinct_stat(classes: npt.NDArray[np.int64], counts: FloatArray) -> FloatArray:
    order = np.argsort(classes, kind="stable")
    sorted_classes = classes[order]
    starts = np.flatnonzero(np.r_[True, sorted_classes[1:] != sorted_classes[:-1]])
    drawn = counts[:, order] > 0
    classes_drawn = np.logical_or.reduceat(drawn, starts, axis=1).sum(axis=1)
    result: FloatArray = classes_drawn / drawn.sum(axis=1)
    return result


def point_estimate(data: CellData, spec: MetricSpec) -> float | None:
    """The statistic on the cell's own responses (what the bootstrap resamples)."""
    if spec.statistic == "similarity":
        n = data.similarity.shape[0]
        if n < 2:
            return None
        return float((data.similarity.sum() - n) / (n * n - n))
    if spec.statistic == "distinct":
        n = data.text_class.size
        return float(np.unique(data.text_class).size / n) if n else None
    if spec.statistic == "errors":
        return float(data.errors.mean()) if data.errors.size else None
    values = data.per_response[spec.key]
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None
    if spec.statistic == "median":
        return float(np.percentile(values, 50, method="linear"))
    return float(values.mean())


def _per_response(data: CellData, resamples: int, seed: int) -> dict[str, FloatArray]:
    """Joint bootstrap of all mean / median metrics over the cell's ok responses."""
    columns = [data.per_response[s.key] for s in _PER_RESPONSE]
    n = columns[0].size if columns else 0
    if n == 0:
        return {}
    valid = np.column_stack([~np.isnan(c) for c in columns]).astype(np.float64)
    filled = np.column_stack([np.nan_to_num(c, nan=0.0) for c in columns])
    rng = _cell_rng(seed, data, "responses")
    parts: dict[str, list[FloatArray]] = {s.key: [] for s in _PER_RESPONSE}
    for rows in _chunks(resamples, n):
        counts = _counts(rng, rows, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (counts @ filled) / (counts @ valid)
        for j, spec in enumerate(_PER_RESPONSE):
            if spec.statistic == "mean":
                parts[spec.key].append(means[:, j])
            else:
                weights = counts * valid[:, j] if not valid[:, j].all() else counts
                parts[spec.key].append(_weighted_median(columns[j], weights))
    return {key: np.concatenate(chunks) for key, chunks in parts.items()}


def _cell_level(data: CellData, resamples: int, seed: int) -> dict[str, FloatArray]:
    """Mean pairwise similarity and distinct share over the (subsampled) responses."""
    n = data.similarity.shape[0]
    if n < 2:
        return {}
    rng = _cell_rng(seed, data, "cell")
    similarity: list[FloatArray] = []
    distinct: list[FloatArray] = []
    for rows in _chunks(resamples, n):
        counts = _counts(rng, rows, n)
        similarity.append(_similarity_stat(data.similarity, counts))
        distinct.append(_distinct_stat(data.text_class, counts))
    return {"similarity": np.concatenate(similarity), "distinct": np.concatenate(distinct)}


def bootstrap_all(data: CellData, resamples: int, seed: int) -> dict[str, CellBootstrap]:
    """Point estimate, bootstrap distribution and sample size of every effect metric."""
    per_response = _per_response(data, resamples, seed)
    cell_level = _cell_level(data, resamples, seed)
    out: dict[str, CellBootstrap] = {}
    for spec in EFFECT_METRICS:
        point = point_estimate(data, spec)
        dist: FloatArray | None
        if spec.statistic == "errors":
            n = int(data.errors.size)
            rng = _cell_rng(seed, data, "errors")
            dist = rng.binomial(n, point, size=resamples) / n if n and point is not None else None
        elif spec.statistic in ("similarity", "distinct"):
            n = int(data.similarity.shape[0])
            dist = cell_level.get(spec.statistic)
        else:
            n = int(np.count_nonzero(~np.isnan(data.per_response[spec.key])))
            dist = per_response.get(spec.key)
        # A resample with no usable value (e.g. one response drawn n times) stays NaN, so
        # the distributions of two cells still pair up; the comparison drops it.
        out[spec.key] = CellBootstrap(point, dist if point is not None else None, n)
    return out


def flip_rate_interval(
    data: CellData, resamples: int, seed: int, level: float = 0.95, widen: float = 1.0
) -> tuple[float, float] | None:
    """Percentile-bootstrap CI of the flip rate over the cell's ok responses, scaled about
    the estimate by `widen` (the expanded percentile bootstrap of the effects) and kept in
    [0, 1].

    The flip rate depends on a resample only through how many draws fall in each answer
    group, and those counts are Multinomial(n, group shares): drawn directly, with the
    unparsable answers as one group that agrees with nothing, this costs resamples x groups
    rather than resamples x responses. The resample's U-statistic counts two copies of one
    response as an agreeing pair, which lowers its mean by O(1/n); the distribution is
    shifted back so its mean is the estimate."""
    codes = data.answer_codes
    n = int(codes.size)
    if n < 2:
        return None
    point = flip_rate(codes)
    assert point is not None  # n >= 2
    sizes = np.bincount(codes[codes >= 0]).astype(np.float64)
    shares = np.append(sizes, n - sizes.sum()) / n  # the last: unparsable
    draws = _cell_rng(seed, data, "flips").multinomial(n, shares, size=resamples)
    parsed = draws[:, :-1].astype(np.float64)
    dist = 1.0 - (parsed * (parsed - 1.0)).sum(axis=1) / (n * (n - 1))
    dist += point - dist.mean()
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(dist, (tail, 100 - tail), method="linear")
    return (max(0.0, point - widen * (point - float(low))),
            min(1.0, point + widen * (float(high) - point)))
