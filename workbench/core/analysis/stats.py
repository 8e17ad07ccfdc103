"""Small numeric summaries shared by the cell metrics."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from workbench.core.analysis.results import Distribution, Spread

FloatArray = npt.NDArray[np.float64]

PERCENTILES = (50.0, 90.0, 95.0, 99.0, 25.0, 75.0)


def as_array(values: Sequence[float] | FloatArray) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def distribution(values: Sequence[float] | FloatArray) -> Distribution:
    arr = as_array(values)
    if arr.size == 0:
        return Distribution()
    p50, p90, p95, p99, q1, q3 = (
        float(v) for v in np.percentile(arr, PERCENTILES, method="linear")
    )
    return Distribution(
        n=int(arr.size), mean=float(arr.mean()), p50=p50, p90=p90, p95=p95, p99=p99, iqr=q3 - q1
    )


def spread(values: Sequence[float] | FloatArray) -> Spread:
    arr = as_array(values)
    if arr.size == 0:
        return Spread()
    mean = float(arr.mean())
    sd = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    cv = sd / mean if mean != 0 else None
    return Spread(n=int(arr.size), mean=mean, sd=sd, cv=cv)


def share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def student_t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0."""
    return 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))


def student_t_quantile(upper_tail: float, df: float) -> float:
    """t such that P(T > t) = upper_tail (0 < upper_tail <= 0.5), by bisection.

    numpy has no t distribution and scipy is not a dependency; this is only called a few
    times per analysis."""
    low, high = 0.0, 1.0
    while student_t_upper_tail(high, df) > upper_tail:
        high *= 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if student_t_upper_tail(mid, df) > upper_tail:
            low = mid
        else:
            high = mid
        if high - low < 1e-10 * max(1.0, high):
            break
    return (low + high) / 2.0
