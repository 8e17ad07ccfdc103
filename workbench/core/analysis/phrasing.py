"""Phrasing matrix: did rewording the prompt move the output more than asking again did?

A decomposition of the pairwise dissimilarity of responses (1 - the similarity of the
similarity matrix: word level, or the semantic one the analysis is given) into pairs of
responses to the same variant (within) and to different variants (between), in the manner of
PERMANOVA (Anderson 2001): the statistic is the mean between-variant dissimilarity over the
mean within-variant one. Pairs are formed only inside a stratum, the cells that differ in
nothing but the phrasing (the same list-variable values, level, step, endpoint), so a
matrix's topics never count as rephrasings. The p-value permutes the variant labels within
each stratum (one-sided: rephrasing moves the output more); the 95% CI resamples responses
with replacement within each variant.

Cost: one similarity matrix per stratum (rapidfuzz), then permutations that gather only the
within-variant blocks (n^2 / k values each) and a bootstrap of weighted block sums done as
one float32 matrix product per variant: 20 variants x 50 responses took 0.6-1.3 s, the
similarity matrix included, on a shared 2-core machine (benchmarks/variant_validation.py).
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from workbench.core.analysis.effects import factor_value, group_label
from workbench.core.analysis.findings import phrasing_sentence
from workbench.core.analysis.results import PhrasingEffect
from workbench.core.analysis.similarity import WORD_SIMILARITY, SimilarityMeasure, encode_all
from workbench.core.analysis.text import words
from workbench.core.records import CellKey

FloatArray = npt.NDArray[np.float64]
PER_CELL_CAP = 50  # responses per cell (a seeded subsample above it): the matrix grows with n²
PERMUTATIONS = 999
MAX_RESAMPLES = 1000


@dataclass(slots=True)
class _Stratum:
    distance: npt.NDArray[np.float32]  # n x n, 0 on the diagonal; rows grouped by variant
    groups: list[npt.NDArray[np.intp]]  # positions of each variant's responses


@dataclass(slots=True)
class _Sums:
    """Summed dissimilarity and pair counts, per resample (or permutation)."""

    within: FloatArray
    within_pairs: FloatArray
    total: FloatArray
    total_pairs: FloatArray

    def means(self) -> tuple[FloatArray, FloatArray]:
        between_pairs = self.total_pairs - self.within_pairs
        with np.errstate(divide="ignore", invalid="ignore"):
            between = (self.total - self.within) / between_pairs
            within = self.within / self.within_pairs
        return between, within


def _strata(
    cells: Mapping[CellKey, Sequence[str]], rng: np.random.Generator, measure: SimilarityMeasure
) -> tuple[list[_Stratum], list[str], int]:
    grouped: dict[str, dict[str, list[str]]] = {}
    for key, texts in cells.items():
        phrasing = str(factor_value(key, "variant"))
        label = group_label(key, "variant")  # the variable values included
        chosen = list(texts)
        if len(chosen) > PER_CELL_CAP:
            picked = sorted(rng.choice(len(chosen), size=PER_CELL_CAP, replace=False))
            chosen = [chosen[int(i)] for i in picked]
        grouped.setdefault(label, {}).setdefault(phrasing, []).extend(chosen)
    strata: list[_Stratum] = []
    phrasings: dict[str, None] = {}
    responses = 0
    for by_phrasing in grouped.values():
        usable = {p: t for p, t in by_phrasing.items() if len(t) >= 2}
        if len(usable) < 2:
            continue
        texts = [t for group in usable.values() for t in group]
        sizes = np.cumsum([0, *(len(g) for g in usable.values())])
        similarity = measure.matrix(texts, encode_all([words(t) for t in texts]))
        distance = (1.0 - similarity).astype(np.float32)
        np.fill_diagonal(distance, 0.0)
        groups = [np.arange(a, b) for a, b in itertools.pairwise(sizes)]
        strata.append(_Stratum(distance, groups))
        phrasings.update(dict.fromkeys(usable))
        responses += len(texts)
    return strata, list(phrasings), responses


def _weighted(stratum: _Stratum, weights: npt.NDArray[np.float32]) -> _Sums:
    """Block sums with per-response weights (bootstrap counts), one row per resample. The
    diagonal is 0, so a response drawn twice never pairs with itself."""
    d = stratum.distance

    def pairs(w: npt.NDArray[np.float32]) -> FloatArray:
        total = w.sum(axis=1, dtype=np.float64)
        result: FloatArray = (total**2 - (w.astype(np.float64) ** 2).sum(axis=1)) / 2
        return result

    def quadratic(w: npt.NDArray[np.float32], block: npt.NDArray[np.float32]) -> FloatArray:
        """w_b' D w_b / 2 for each resample b: the weighted sum over pairs."""
        result: FloatArray = np.einsum("ij,ij->i", w @ block, w).astype(np.float64) / 2
        return result

    total = quadratic(weights, d)
    within = np.zeros(weights.shape[0])
    within_pairs = np.zeros(weights.shape[0])
    for idx in stratum.groups:
        w = weights[:, idx]
        within += quadratic(w, d[np.ix_(idx, idx)])
        within_pairs += pairs(w)
    return _Sums(within, within_pairs, total, pairs(weights))


def _observed(strata: Sequence[_Stratum]) -> _Sums:
    parts = [_weighted(s, np.ones((1, s.distance.shape[0]), np.float32)) for s in strata]
    return _add(parts)


def _add(parts: Sequence[_Sums]) -> _Sums:
    return _Sums(
        sum((p.within for p in parts), np.zeros(1)),
        sum((p.within_pairs for p in parts), np.zeros(1)),
        sum((p.total for p in parts), np.zeros(1)),
        sum((p.total_pairs for p in parts), np.zeros(1)),
    )


def _bootstrap(strata: Sequence[_Stratum], resamples: int, rng: np.random.Generator) -> _Sums:
    parts = []
    for stratum in strata:
        weights = np.zeros((resamples, stratum.distance.shape[0]), np.float32)
        for idx in stratum.groups:
            n = idx.size
            weights[:, idx] = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples)
        parts.append(_weighted(stratum, weights))
    return _add(parts)


def _permuted_within(
    strata: Sequence[_Stratum], permutations: int, rng: np.random.Generator
) -> FloatArray:
    """Summed within-variant dissimilarity with the labels shuffled within each stratum (the
    totals and pair counts do not change under a permutation)."""
    within = np.zeros(permutations)
    for stratum in strata:
        flat = stratum.distance.ravel()
        n = stratum.distance.shape[0]
        # int32 flat indices over one triangle: a quarter of the gathers of 2-D fancy indexing.
        order = rng.permuted(np.tile(np.arange(n, dtype=np.int32), (permutations, 1)), axis=1)
        for idx in stratum.groups:
            members = order[:, idx]  # who carries this variant's label in each permutation
            first, second = np.triu_indices(idx.size, 1)  # each pair once
            cells = members[:, first] * np.int32(n) + members[:, second]
            within += flat[cells].sum(axis=1, dtype=np.float64)
    return within


def phrasing_effect(
    cells: Mapping[CellKey, Sequence[str]],
    *,
    alpha: float = 0.05,
    resamples: int = 2000,
    permutations: int = PERMUTATIONS,
    seed: int = 0,
    measure: SimilarityMeasure = WORD_SIMILARITY,
) -> PhrasingEffect | None:
    """The decomposition over the cells' ok response texts; None when no stratum has two
    variants with two responses each."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(b"phrasing")]))
    strata, phrasings, responses = _strata(cells, rng, measure)
    if not strata:
        return None
    observed = _observed(strata)
    between_obs, within_obs = (float(v[0]) for v in observed.means())
    within_perm = _permuted_within(strata, permutations, rng)
    between_pairs = observed.total_pairs - observed.within_pairs
    between_perm = (observed.total - within_perm) / between_pairs
    within_perm_mean = within_perm / observed.within_pairs
    # Cross-multiplied, so a within-variant mean of 0 (identical repeats) compares too.
    as_large = between_perm * within_obs >= between_obs * within_perm_mean - 1e-12
    p_value = float((1 + int(as_large.sum())) / (permutations + 1))
    ratio = between_obs / within_obs if within_obs > 0 else None
    boot_between, boot_within = _bootstrap(strata, min(resamples, MAX_RESAMPLES), rng).means()
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = boot_between / boot_within
    boot = boot[np.isfinite(boot)]
    ci_low = ci_high = None
    if ratio is not None and boot.size:
        ci_low = float(np.quantile(boot, 0.025, method="lower"))
        ci_high = float(np.quantile(boot, 0.975, method="higher"))
    effect = PhrasingEffect(
        variants=phrasings,
        strata=len(strata),
        responses=responses,
        between_mean=between_obs,
        within_mean=within_obs,
        ratio=ratio,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        permutations=permutations,
        alpha=alpha,
        significant=p_value < alpha and between_obs > within_obs,
        summary="",
    )
    effect.summary = phrasing_sentence(effect)
    return effect
