"""Findings as sentences: "At concurrency 32, responses were 18% shorter in words (95% CI
11–25%) than at 1." Only for significant effects; the rest read "no detectable change"."""

from __future__ import annotations

from workbench.core.analysis.results import CellMetrics, Effect, Factor, PhrasingEffect, Trend
from workbench.core.analysis.specs import METRICS_BY_KEY
from workbench.core.format import (
    MS,
    PP_WORDS,
    SHARE,
    count,
    distinct_pair,
    fixed,
    magnitude,
    p_value,
    percent_of,
    percent_range,
    times,
)

NO_CHANGE = "no detectable change"


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


def _magnitude_and_ci(effect: Effect) -> tuple[str, str]:
    """"18%" and "95% CI 11–25%": magnitudes in the direction of the change (a change of
    -25..-11% reads "11–25% shorter"), in the unit the effect is reported in."""
    assert effect.change is not None
    up = effect.change > 0
    near = effect.ci_low if up else (None if effect.ci_high is None else -effect.ci_high)
    far = effect.ci_high if up else (None if effect.ci_low is None else -effect.ci_low)
    scale, offset = 1.0, 0.0
    if effect.scale == "relative":
        scale, unit = 100.0, "%"
        if up and effect.change >= 1.0:
            # "+941%" reads badly: from a doubling on, say "10× slower" (CI in multiples too).
            scale, offset, unit = 1.0, 1.0, "×"
    elif effect.unit == SHARE:
        scale, unit = 100.0, f" {PP_WORDS}"
    else:
        # Count units ("list items") are in the sentence itself; milliseconds are not.
        unit = f" {MS}" if effect.unit == MS else ""
    mag = f"{magnitude(effect.change * scale + offset)}{unit}"
    if near is None or far is None:
        bound = near if near is not None else far
        if bound is None:
            return mag, "95% CI unbounded"
        word = "at least" if near is not None else "at most"
        return mag, f"95% CI {word} {magnitude(bound * scale + offset)}{unit}"
    low_text, high_text = distinct_pair(near * scale + offset, far * scale + offset)
    return mag, f"95% CI {low_text}–{high_text}{unit}"


def effect_sentence(effect: Effect, *, with_group: bool = False) -> str:
    """The finding sentence of a significant effect (call only when `significant`)."""
    spec = METRICS_BY_KEY[effect.metric]
    assert effect.change is not None
    up = effect.change > 0
    template = spec.up if up else spec.down
    if effect.scale == "absolute" and spec.scale == "relative":
        template = (spec.up_abs if up else spec.down_abs) or template
    mag, ci = _magnitude_and_ci(effect)
    clause = template.format(mag=mag, ci=ci)
    if mag == "1" and effect.unit.endswith("s"):
        # "1 fewer list item", "1 token longer": a count of exactly one takes the singular.
        clause = clause.replace(f"1 {effect.unit}", f"1 {effect.unit[:-1]}", 1)
        for word in ("more", "fewer"):
            clause = clause.replace(f"1 {word} {effect.unit}", f"1 {word} {effect.unit[:-1]}", 1)
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


def phrasing_sentence(effect: PhrasingEffect) -> str:
    """"Rephrasing moved the output 2.3× more than repeating the same prompt did (95% CI
    1.8–2.9×, permutation p < 0.001)." or, when it did not, "... no more than chance"."""
    test = f"permutation {p_value(effect.p_value)}"
    if effect.ratio is None:  # repeats of one phrasing were identical
        moved = fixed(effect.between_mean, 2)
        if effect.significant:
            return (f"Rephrasing changed the output (mean dissimilarity {moved}) where "
                    f"repeating the same prompt gave identical responses ({test}).")
        return f"Rephrasing moved the output no more than chance ({test})."
    ci = DASH_CI
    if effect.ci_low is not None and effect.ci_high is not None:
        ci = f"95% CI {times(effect.ci_low).rstrip('×')}–{times(effect.ci_high)}"
    if effect.significant:
        return (f"Rephrasing moved the output {times(effect.ratio)} more than repeating the "
                f"same prompt did ({ci}, {test}).")
    return (f"Rephrasing moved the output no more than chance: {times(effect.ratio)} as much "
            f"as repeating the same prompt did ({ci}, {test}).")


DASH_CI = "95% CI not estimable"
def flip_sentence(cell: CellMetrics) -> str | None:
    """"In X, repeats gave different parsed answers 23% of the time (95% CI 15–31%)." Only
    when some did: a cell whose repeats always agree has nothing to report."""
    a = cell.agreement
    if not a.flip_rate or a.flip_rate_ci_low is None or a.flip_rate_ci_high is None:
        return None
    ci = percent_range(a.flip_rate_ci_low, a.flip_rate_ci_high)
    missed = a.unparsable_answers or 0
    unparsed = (
        f", counting the {count(missed)} unparsable answer{'s' if missed != 1 else ''} as "
        "different" if missed else ""
    )
    return (f"In {cell.label}, repeats gave different parsed answers "
            f"{percent_of(a.flip_rate)} of the time (95% CI {ci}){unparsed}.")


def divergence_sentence(cell: CellMetrics) -> str | None:
    """At temperature 0 a response that differs from the medoid is nondeterminism itself
    (batch composition, kernels), so say how many and where they depart."""
    sim = cell.similarity
    if not sim.divergence_words or sim.divergence_p50 is None:
        return None
    differing = len(sim.divergence_words)
    iqr = f"{fixed(sim.divergence_q1)}–{fixed(sim.divergence_q3)}"
    return (f"At temperature 0, {count(differing)} of {count(sim.n - 1)} responses in "
            f"{cell.label} differed from the most typical one, departing from it at word "
            f"{fixed(sim.divergence_p50)} (median; IQR {iqr}).")
