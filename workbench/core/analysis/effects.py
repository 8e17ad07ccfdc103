"""Effects of a factor (concurrency level, prompt variant or chain step) on each metric.

For every group of cells that differ only in the factor, each level is compared with the
baseline level: relative change (or, for shares, the difference in percentage points) with
a percentile-bootstrap CI; where the relative change is undefined (a baseline of 0) or its
CI unbounded, the difference in the metric's unit is reported instead. Multiple comparisons:
Bonferroni over every comparison and trend test in the analysis (metrics x non-baseline
levels x groups, plus one trend test per metric and group when there are 3+ ordered
levels): each CI is at 1 - 0.05/m, so all CIs hold together with 95% confidence and a
clean run yields a finding by chance < 5% of the time.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from workbench.core.analysis.bootstrap import CellBootstrap, bootstrap_all, point_estimate
from workbench.core.analysis.cells import CellData
from workbench.core.analysis.findings import NO_CHANGE, effect_sentence, trend_sentence
from workbench.core.analysis.results import UNORDERED_FACTORS, Change, Effect, Factor, Trend
from workbench.core.analysis.specs import EFFECT_METRICS, MetricSpec
from workbench.core.analysis.stats import FloatArray, student_t_quantile
from workbench.core.analysis.trend import spearman_exact, spearman_permutation
from workbench.core.format import SHARE
from workbench.core.plan_variants import split_matrix_name
from workbench.core.records import CellKey

FAMILY_ALPHA = 0.05
# Fewer independent units than this in either cell: no interval (it would mean nothing).
MIN_UNITS = 3


class EffectsError(ValueError):
    """The factor or baseline asked for does not fit the session."""


def factor_value(key: CellKey, factor: Factor) -> int | str:
    if factor == "level":
        return key.level
    if factor == "step":
        return key.step
    if factor == "session":
        return key.source
    # In a phrasing matrix the factor is the phrasing; the variable values are held fixed.
    return split_matrix_name(key.variant)[0]


def group_label(key: CellKey, factor: Factor) -> str:
    # Compared sessions may use different endpoints: the session is the factor then.
    parts = [] if factor == "session" else [f"{key.endpoint}/{key.model}"]
    if factor != "session" and key.source:
        parts.append(f"session={key.source}")
    if factor != "variant" and key.variant != "base":
        parts.append(f"variant={key.variant}")
    if factor == "variant" and (values := split_matrix_name(key.variant)[1]):
        parts.append(values)
    if factor != "level":
        parts.append(f"c={key.level}")
    if factor != "step" and key.step:
        parts.append(f"step={key.step}")
    return " ".join(parts)


@dataclass(slots=True)
class _Group:
    label: str
    levels: list[int | str]
    cells: dict[int | str, CellData]


def _groups(cells: Sequence[CellData], factor: Factor) -> list[_Group]:
    groups: dict[str, _Group] = {}
    for data in cells:
        label = group_label(data.key, factor)
        group = groups.setdefault(label, _Group(label, [], {}))
        value = factor_value(data.key, factor)
        if value not in group.cells:
            group.levels.append(value)
            group.cells[value] = data
    for group in groups.values():
        if factor not in UNORDERED_FACTORS:  # numbers sort; names keep the order given
            group.levels.sort(key=lambda v: int(v))
    return list(groups.values())


def _change(spec: MetricSpec, base: FloatArray, level: FloatArray) -> FloatArray:
    if spec.scale == "absolute":
        diff: FloatArray = level - base
        return diff
    with np.errstate(divide="ignore", invalid="ignore"):
        rel: FloatArray = level / base - 1.0
    # 0 -> 0 is no change; x -> 0 or 0 -> x stays -1 / +inf (handled by the quantiles).
    rel[(base == 0) & (level == 0)] = 0.0
    return rel


def _finite(value: float) -> float | None:
    return value if np.isfinite(value) else None


def expansion(n: int, alpha: float) -> float:
    """Widening factor of the expanded percentile bootstrap (Hesterberg 2015).

    A percentile interval from n values is too narrow for small n: it behaves like
    z-based, with the plug-in sd. Scaling it about the estimate by
    sqrt(n / (n - 1)) * t(n - 1) / z gives t-like coverage; at n = 16 and the Bonferroni
    level of 12 metrics it is 1.26 (measured without it: 2.4x the nominal false-positive
    rate per comparison).
    """
    z = NormalDist().inv_cdf(1.0 - alpha / 2.0)
    t = student_t_quantile(alpha / 2.0, n - 1)
    return math.sqrt(n / (n - 1)) * t / z


def _to_scale(spec: MetricSpec, change: FloatArray) -> FloatArray:
    """Relative changes are bootstrapped as log ratios: symmetric, and -100% stays the floor."""
    if spec.scale == "absolute":
        return change
    with np.errstate(divide="ignore", invalid="ignore"):
        logged: FloatArray = np.log1p(change)
    return logged


def _from_scale(spec: MetricSpec, value: float) -> float | None:
    if spec.scale == "relative":
        value = math.expm1(value) if value < 700 else math.inf
    return _finite(value)


def _bounds(dist: FloatArray, centre: float, widen: float, alpha: float) -> tuple[float, float]:
    """The expanded percentile interval of `dist` about `centre` (on the bootstrap scale)."""
    # "lower"/"higher" never interpolate, so an infinite resample stays harmless.
    low = centre + widen * (float(np.quantile(dist, alpha / 2, method="lower")) - centre)
    high = centre + widen * (float(np.quantile(dist, 1 - alpha / 2, method="higher")) - centre)
    return low, high


def _relative(
    spec: MetricSpec, base: CellBootstrap, level: CellBootstrap, widen: float, alpha: float
) -> tuple[Change, bool] | None:
    """The relative change and whether its CI excludes 0; None where it is undefined (a
    baseline of 0) or its interval unbounded (baseline resamples of 0)."""
    assert base.point is not None and level.point is not None
    assert base.dist is not None and level.dist is not None
    if base.point == 0:
        return None
    point = float(_change(spec, np.array([base.point]), np.array([level.point]))[0])
    dist = _change(spec, base.dist, level.dist)
    dist = _to_scale(spec, dist[~np.isnan(dist)])
    centre = float(_to_scale(spec, np.array([point]))[0])
    low, high = _bounds(dist, centre, widen, alpha)
    ci_low, ci_high = _from_scale(spec, low), _from_scale(spec, high)
    if ci_low is None and low < 0:
        ci_low = -1.0  # the floor of a relative change: the level's value fell to 0
    if ci_low is None or ci_high is None:
        return None
    return Change(change=point, ci_low=ci_low, ci_high=ci_high), bool(low > 0 or high < 0)


def _absolute(
    spec: MetricSpec, base: CellBootstrap, level: CellBootstrap, widen: float, alpha: float
) -> tuple[Change, bool]:
    """level - baseline in the metric's unit, and whether its CI excludes 0."""
    assert base.point is not None and level.point is not None
    assert base.dist is not None and level.dist is not None
    point = level.point - base.point
    dist = level.dist - base.dist
    low, high = _bounds(dist[~np.isnan(dist)], point, widen, alpha)
    if spec.unit == SHARE:
        # The expansion can widen a share's interval past what a difference of two shares
        # can be ("+127 pp"): clip to the possible range, -100 to +100 pp.
        low, high = max(low, -1.0), min(high, 1.0)
    change = Change(change=point, ci_low=_finite(low), ci_high=_finite(high))
    return change, bool(low > 0 or high < 0)


def _compare(
    spec: MetricSpec, base: CellBootstrap, level: CellBootstrap, alpha: float
) -> Effect:
    effect = Effect(
        metric=spec.key, factor="level", group="", baseline=0, level=0, scale=spec.scale,
        unit=spec.unit, baseline_value=base.point, level_value=level.point, change=None,
        ci_low=None, ci_high=None, ci_level=1.0 - alpha, significant=False,
        summary="not enough data",
    )
    if (base.point is None or level.point is None or base.dist is None or level.dist is None
            or min(base.n, level.n) < MIN_UNITS):
        return effect
    widen = expansion(min(base.n, level.n), alpha)
    effect.absolute, absolute_excludes_0 = _absolute(spec, base, level, widen, alpha)
    relative = _relative(spec, base, level, widen, alpha) if spec.scale == "relative" else None
    # Report the relative change where it means something; else the absolute one, so a
    # zero baseline reads "+2.5 list items", never "+inf%".
    if relative is not None:
        effect.relative, excludes_0 = relative
        effect.scale, reported = "relative", effect.relative
    else:
        effect.scale, reported, excludes_0 = "absolute", effect.absolute, absolute_excludes_0
    effect.change, effect.ci_low, effect.ci_high = (
        reported.change, reported.ci_low, reported.ci_high
    )
    effect.significant = excludes_0 and reported.change != 0
    effect.summary = NO_CHANGE
    return effect


@dataclass(frozen=True, slots=True)
class EffectsResult:
    effects: list[Effect]
    trends: list[Trend]
    findings: list[str]
    comparisons: int


# A cell-level statistic has one value per level; its exact permutation p-value cannot go
# below 2 / k!, so with fewer than 6 levels the test is shown but is no part of the family.
_CELL_TREND_MIN_LEVELS = 6


def _cell_level(spec: MetricSpec) -> bool:
    return spec.statistic in ("similarity", "distinct")


def _trend_tests(levels: int) -> int:
    if levels < 3:
        return 0
    return sum(1 for s in EFFECT_METRICS
               if not _cell_level(s) or levels >= _CELL_TREND_MIN_LEVELS)


def _pick_baseline(group: _Group, baseline: int | str | None) -> int | str | None:
    if baseline is None:
        return group.levels[0]
    for value in group.levels:
        if str(value) == str(baseline):
            return value
    return None


def estimate_effects(
    cells: Sequence[CellData],
    factor: Factor = "level",
    *,
    baseline: int | str | None = None,
    resamples: int = 2000,
    seed: int = 0,
    family_alpha: float = FAMILY_ALPHA,
) -> EffectsResult:
    """`family_alpha`: the error rate shared by every comparison and trend test here (less
    than FAMILY_ALPHA when another test of the analysis takes a part of it)."""
    groups = [g for g in _groups(cells, factor) if len(g.levels) >= 2]
    if baseline is not None and groups and all(_pick_baseline(g, baseline) is None
                                               for g in groups):
        found = [str(v) for v in sorted({v for g in groups for v in g.levels}, key=str)]
        if factor not in UNORDERED_FACTORS:
            found = sorted(found, key=int)
        raise EffectsError(
            f"baseline {baseline!r} is not a {factor} of this session (have: {', '.join(found)})"
        )
    groups = [g for g in groups if _pick_baseline(g, baseline) is not None]
    ordered = factor not in UNORDERED_FACTORS
    n_metrics = len(EFFECT_METRICS)
    comparisons = sum(
        n_metrics * (len(g.levels) - 1) + _trend_tests(len(g.levels)) if ordered
        else n_metrics * (len(g.levels) - 1)
        for g in groups
    )
    alpha = family_alpha / max(comparisons, 1)
    with_group = len(groups) > 1
    effects: list[Effect] = []
    trends: list[Trend] = []
    findings: list[str] = []
    for group in groups:
        base_value = _pick_baseline(group, baseline)
        assert base_value is not None
        boot = {v: bootstrap_all(d, resamples, seed) for v, d in group.cells.items()}
        for level in group.levels:
            if level == base_value:
                continue
            for spec in EFFECT_METRICS:
                effect = _compare(spec, boot[base_value][spec.key], boot[level][spec.key],
                                  alpha)
                effect.factor, effect.group = factor, group.label
                effect.baseline, effect.level = base_value, level
                if effect.significant:
                    effect.summary = effect_sentence(effect, with_group=with_group)
                    findings.append(effect.summary)
                effects.append(effect)
        if ordered and len(group.levels) >= 3:
            for spec in EFFECT_METRICS:
                trend = _trend(group, spec, factor, resamples, seed, alpha)
                trends.append(trend)
                if trend.significant:
                    findings.append(trend_sentence(trend, with_group=with_group))
    return EffectsResult(effects, trends, findings, comparisons)


def _trend(
    group: _Group, spec: MetricSpec, factor: Factor, permutations: int, seed: int,
    alpha: float,
) -> Trend:
    levels = [int(v) for v in group.levels]
    if _cell_level(spec):
        points = [point_estimate(group.cells[v], spec) for v in group.levels]
        pairs = [(p, lv) for p, lv in zip(points, levels, strict=True) if p is not None]
        rho, p, method = spearman_exact([a for a, _ in pairs], [b for _, b in pairs])
        n = len(pairs)
    else:
        xs: list[FloatArray] = []
        ys: list[FloatArray] = []
        for value, level in zip(group.levels, levels, strict=True):
            data = group.cells[value]
            raw = data.errors if spec.statistic == "errors" else data.per_response[spec.key]
            raw = raw[~np.isnan(raw)]
            xs.append(raw)
            ys.append(np.full(raw.size, float(level)))
        rng = np.random.default_rng(
            np.random.SeedSequence([seed, zlib.crc32(group.label.encode()),
                                    zlib.crc32(spec.key.encode())])
        )
        x, y = np.concatenate(xs), np.concatenate(ys)
        rho, p, method = spearman_permutation(x, y, permutations, rng)
        n = int(x.size)
    return Trend(
        metric=spec.key, factor=factor, group=group.label, levels=levels, n=n, rho=rho,
        p_value=p, method=method,
        significant=(p is not None and p < alpha and rho != 0
                     and (not _cell_level(spec) or len(levels) >= _CELL_TREND_MIN_LEVELS)),
    )
