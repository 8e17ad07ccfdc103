"""Findings as sentences: "At concurrency 32, responses were 18% shorter in words (95% CI
11–25%) than at 1." Only for significant effects; the rest read "no detectable change"."""

from __future__ import annotations

from workbench.core.analysis.results import Effect, Factor, Trend
from workbench.core.analysis.specs import METRICS_BY_KEY

NO_CHANGE = "no detectable change"


def _number(value: float) -> str:
    """18 -> "18", 3.14 -> "3.1", 0.04 -> "0.04": enough digits to tell it from zero."""
    size = abs(value)
    if size >= 10:
        return f"{size:.0f}"
    if size >= 1:
        return f"{size:.1f}".removesuffix(".0")
    return f"{size:.2g}"


def _distinct_pair(low: float, high: float) -> tuple[str, str]:
    """Both bounds with enough decimals to differ ("21.8–22.3", not "22–22")."""
    low_text, high_text = _number(low), _number(high)
    for digits in (1, 2, 3):
        if low_text != high_text or low == high:
            break
        low_text, high_text = f"{abs(low):.{digits}f}", f"{abs(high):.{digits}f}"
    return low_text, high_text


def level_phrase(factor: Factor, level: int | str) -> str:
    if factor == "level":
        return f"concurrency {level}"
    if factor == "step":
        return f"step {level}"
    if factor == "session":
        return f"session {level!r}"
    return f"variant {level!r}"


def _baseline_phrase(factor: Factor, baseline: int | str) -> str:
    if factor == "level":
        return f"at {baseline}"
    if factor == "step":
        return f"at step {baseline}"
    if factor == "session":
        return f"in {baseline!r}"
    return f"with {baseline!r}"


def effect_sentence(effect: Effect, *, with_group: bool = False) -> str:
    """The finding sentence of a significant effect (call only when `significant`)."""
    spec = METRICS_BY_KEY[effect.metric]
    assert effect.change is not None and effect.ci_low is not None
    up = effect.change > 0
    # Magnitudes of the CI in the direction of the change: -25..-11 reads "11–25% shorter".
    near = effect.ci_low if up else (-effect.ci_high if effect.ci_high is not None else None)
    far = effect.ci_high if up else -effect.ci_low
    if spec.scale == "absolute":
        unit, ci_unit = " percentage points", " points"
    else:
        unit = ci_unit = "%"
    scale, offset = 100.0, 0.0
    if spec.scale == "relative" and up and effect.change >= 1.0:
        # "+941%" reads badly: from a doubling on, say "10× slower" (CI in multiples too).
        unit = ci_unit = "×"
        scale, offset = 1.0, 1.0
    mag = f"{_number(effect.change * scale + offset)}{unit}"
    if near is None or far is None:
        bound = near if near is not None else far
        assert bound is not None
        ci = f"95% CI at least {_number(bound * scale + offset)}{ci_unit}"
    else:
        low_text, high_text = _distinct_pair(near * scale + offset, far * scale + offset)
        ci = f"95% CI {low_text}–{high_text}{ci_unit}"
    clause = (spec.up if up else spec.down).format(mag=mag, ci=ci)
    opener = {"variant": "With", "session": "In"}.get(effect.factor, "At")
    sentence = (
        f"{opener} {level_phrase(effect.factor, effect.level)}, {clause} "
        f"than {_baseline_phrase(effect.factor, effect.baseline)}."
    )
    if with_group:
        sentence = f"For {effect.group}: {sentence}"
    return sentence


def trend_sentence(trend: Trend, *, with_group: bool = False) -> str:
    spec = METRICS_BY_KEY[trend.metric]
    assert trend.rho is not None and trend.p_value is not None
    what = spec.trend_up if trend.rho > 0 else spec.trend_down
    first, last = trend.levels[0], trend.levels[-1]
    if trend.factor == "level":
        span, rising = f"concurrency {first} to {last}", "as concurrency rose"
    else:
        span, rising = f"step {first} to {last}", "at later steps"
    p = "p < 0.001" if trend.p_value < 0.001 else f"p = {trend.p_value:.3f}"
    sentence = f"From {span}, {what} {rising} (Spearman's rho {trend.rho:+.2f}, {p})."
    return f"For {trend.group}: {sentence}" if with_group else sentence
