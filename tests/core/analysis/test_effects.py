"""Effects across levels on synthetic sessions with known truth."""

from __future__ import annotations

import re

import msgspec
import numpy as np
import pytest

from tests.core.analysis.synth import cell_samples, sample
from workbench.core.analysis import AnalysisOptions, EffectsError, analyze
from workbench.core.analysis.effects import expansion
from workbench.core.analysis.results import AnalysisReport, Effect
from workbench.core.records import Sample

RESAMPLES = 2000


def _effect(report: AnalysisReport, metric: str, level: int | str) -> Effect:
    (effect,) = [e for e in report.effects if e.metric == metric and e.level == level]
    return effect


def _two_levels(seed: int, high_mean_words: float, n: int = 40) -> list[Sample]:
    """Word counts with sd 15% of the mean: a 20% change is then ~6 standard errors."""
    rng = np.random.default_rng(seed)
    return (cell_samples(rng, level=1, n=n, mean_words=120, sd_words=18)
            + cell_samples(rng, level=32, n=n, mean_words=high_mean_words,
                           sd_words=high_mean_words * 0.15))


def test_a_level_20_percent_shorter_is_found_with_a_readable_sentence() -> None:
    report = analyze(_two_levels(1, 96), AnalysisOptions(seed=1))
    words = _effect(report, "length_words", 32)
    assert words.significant
    assert words.change is not None and words.ci_low is not None and words.ci_high is not None
    assert words.ci_low < -0.2 < words.ci_high < 0  # the truth is inside, 0 is not
    sentence = words.summary
    assert sentence in report.findings
    assert sentence.startswith("At concurrency 32, responses were ")
    assert " shorter in words (95% CI " in sentence and sentence.endswith("%) than at 1.")
    # Bonferroni: 12 metrics x 1 level, each interval at 1 - 0.05 / 12.
    assert report.comparisons == 12
    assert np.isclose(words.ci_level, 1 - 0.05 / 12)


def test_identical_distributions_rarely_produce_any_finding() -> None:
    sessions_with_findings = 0
    for seed in range(20):
        report = analyze(_two_levels(100 + seed, 120, n=16), AnalysisOptions(seed=seed))
        sessions_with_findings += bool(report.findings)
        unchanged = _effect(report, "length_words", 32)
        if not unchanged.significant:
            assert unchanged.summary == "no detectable change"
    assert sessions_with_findings <= 1


def test_results_are_repeatable_for_a_seed() -> None:
    samples = _two_levels(3, 110, n=12)
    first = msgspec.json.encode(analyze(samples, AnalysisOptions(seed=7)))
    again = msgspec.json.encode(analyze(list(reversed(samples)), AnalysisOptions(seed=7)))
    other = msgspec.json.encode(analyze(samples, AnalysisOptions(seed=8)))
    assert first == again
    assert first != other


def test_baseline_can_be_any_level_and_the_wording_follows_the_direction() -> None:
    report = analyze(_two_levels(2, 80), AnalysisOptions(baseline=32))
    words = _effect(report, "length_words", 1)
    assert words.baseline == 32 and words.significant
    assert "At concurrency 1, responses were " in words.summary
    assert "longer in words" in words.summary and words.summary.endswith("than at 32.")
    with pytest.raises(EffectsError, match="baseline 5 is not a level of this session"):
        analyze(_two_levels(2, 80), AnalysisOptions(baseline=5))


def test_error_rate_is_a_difference_in_percentage_points() -> None:
    samples = [sample(level=1) for _ in range(40)]
    samples += [sample(level=8) for _ in range(20)]
    samples += [sample(level=8, outcome="error") for _ in range(20)]
    report = analyze(samples)
    errors = _effect(report, "error_rate", 8)
    assert errors.scale == "absolute" and errors.change == 0.5 and errors.significant
    assert "the error rate was 50 percentage points higher (95% CI " in errors.summary
    assert " points) than at 1." in errors.summary


def test_big_slowdowns_read_as_multiples() -> None:
    rng = np.random.default_rng(5)
    samples = [sample(level=1, ttft_ms=float(rng.normal(100, 10))) for _ in range(20)]
    samples += [sample(level=16, ttft_ms=float(rng.normal(500, 50))) for _ in range(20)]
    ttft = _effect(analyze(samples), "ttft_p50", 16)
    assert ttft.significant
    assert "responses started 5× slower (median time to first token, 95% CI " in ttft.summary


def test_a_steady_decline_over_levels_is_a_trend_finding() -> None:
    rng = np.random.default_rng(4)
    samples = [s for level, words in ((1, 120), (4, 100), (16, 85), (64, 70))
               for s in cell_samples(rng, level=level, n=25, mean_words=words)]
    report = analyze(samples)
    (trend,) = [t for t in report.trends if t.metric == "length_words"]
    assert trend.levels == [1, 4, 16, 64] and trend.n == 100
    assert trend.rho is not None and trend.rho < 0 and trend.significant
    assert any(f.startswith("From concurrency 1 to 64, responses got shorter in words as "
                            "concurrency rose (Spearman's rho -") for f in report.findings)
    # 12 metrics x 3 levels + 10 per-response trend tests (the 2 cell-level ones need 6+).
    assert report.comparisons == 36 + 10


def test_variants_are_compared_with_the_first_one() -> None:
    rng = np.random.default_rng(6)
    samples = (cell_samples(rng, level=4, n=25, mean_words=120, variant="base")
               + cell_samples(rng, level=4, n=25, mean_words=70, variant="terse"))
    report = analyze(samples, AnalysisOptions(factor="variant"))
    words = _effect(report, "length_words", "terse")
    assert words.factor == "variant" and words.baseline == "base" and words.significant
    assert words.summary.startswith("With variant 'terse', responses were ")
    assert words.summary.endswith("than with 'base'.")
    assert report.trends == []  # variants have no order


def test_each_group_of_cells_is_compared_separately_and_named() -> None:
    rng = np.random.default_rng(8)
    samples = (cell_samples(rng, level=1, n=20, mean_words=100, variant="base")
               + cell_samples(rng, level=8, n=20, mean_words=50, variant="base")
               + cell_samples(rng, level=1, n=20, mean_words=100, variant="alt")
               + cell_samples(rng, level=8, n=20, mean_words=100, variant="alt"))
    report = analyze(samples)
    assert {e.group for e in report.effects} == {
        "local-sim/sim-chat", "local-sim/sim-chat variant=alt"
    }
    words = [e for e in report.effects if e.metric == "length_words" and e.significant]
    assert [e.group for e in words] == ["local-sim/sim-chat"]
    assert words[0].summary.startswith("For local-sim/sim-chat: At concurrency 8,")


def test_too_little_data_or_a_zero_baseline_is_said_plainly() -> None:
    samples = [sample(level=1, text="a b c"), sample(level=1, text="a b"),
               sample(level=2, text="a b c d"), sample(level=2, text="a")]
    report = analyze(samples)
    assert _effect(report, "length_words", 2).summary == "not enough data"
    assert not report.findings

    # 0 list items at both levels: an absolute change of 0, not an undefined relative one.
    plain = [sample(level=lv, text="plain words here.") for lv in (1, 2) for _ in range(5)]
    items = _effect(analyze(plain), "list_items", 2)
    assert items.scale == "absolute" and items.change == 0 and items.relative is None
    assert items.summary == "no detectable change" and not items.significant


def _listless_then_listed(seed: int) -> list[Sample]:
    """No list items at concurrency 1; 1-4 per response at 16 (a zero baseline)."""
    rng = np.random.default_rng(seed)
    prose = "Caching keeps answers close. It saves a round trip."
    samples = [sample(level=1, text=prose) for _ in range(20)]
    for _ in range(20):
        items = "\n".join(f"- point {i}" for i in range(int(rng.integers(1, 5))))
        samples.append(sample(level=16, text=f"{prose}\n{items}"))
    return samples


def test_a_zero_baseline_is_reported_as_an_absolute_change_with_its_ci() -> None:
    report = analyze(_listless_then_listed(12))
    items = _effect(report, "list_items", 16)
    assert items.baseline_value == 0 and items.level_value is not None
    assert items.level_value > 0 and items.significant
    # The relative change is undefined: null, and the absolute one is what is reported.
    assert items.relative is None and items.absolute is not None
    assert items.scale == "absolute" and items.unit == "list items"
    assert items.change == items.absolute.change == pytest.approx(items.level_value)
    assert items.ci_low is not None and items.ci_high is not None
    assert 0 < items.ci_low < items.change < items.ci_high
    # The finding speaks in list items, not in an infinite percentage.
    assert items.summary in report.findings
    assert items.summary.startswith("At concurrency 16, responses had ")
    assert " more list items (95% CI " in items.summary and items.summary.endswith("than at 1.")
    assert re.fullmatch(r"At concurrency 16, responses had \d\.\d more list items "
                        r"\(95% CI \d\.\d–\d\.\d\) than at 1\.", items.summary)
    # Metrics with a non-zero baseline stay relative, with both views carried.
    words = _effect(report, "length_words", 16)
    assert words.scale == "relative" and words.relative is not None
    assert words.absolute is not None and words.absolute.change > 0


def test_json_has_no_infinity_and_nulls_the_undefined_relative_change() -> None:
    document = msgspec.json.decode(msgspec.json.encode(analyze(_listless_then_listed(13))))
    items = next(e for e in document["effects"] if e["metric"] == "list_items")
    assert items["relative"] is None and items["scale"] == "absolute"
    assert set(items["absolute"]) == {"change", "ci_low", "ci_high"}
    assert items["change"] == items["absolute"]["change"] > 0
    text = msgspec.json.encode(document).decode()
    assert "Infinity" not in text and "NaN" not in text


def test_small_samples_get_wider_intervals() -> None:
    alpha = 0.05 / 12
    assert expansion(5, alpha) > expansion(16, alpha) > expansion(200, alpha) > 1.0
    assert np.isclose(expansion(100_000, 0.05), 1.0, atol=1e-3)


def test_an_unbounded_relative_interval_falls_back_to_the_absolute_change() -> None:
    # One response of 20 has a list item at the baseline: many resamples have none, so the
    # relative change's interval has no upper end (it used to print "+44.4% -100% .. inf").
    samples = _listless_then_listed(14)
    samples[0] = sample(level=1, text="Caching keeps answers close.\n- one point")
    items = _effect(analyze(samples), "list_items", 16)
    assert items.baseline_value == pytest.approx(0.05)
    assert items.relative is None and items.scale == "absolute"
    assert items.ci_low is not None and items.ci_high is not None
    assert items.significant and " more list items (95% CI " in items.summary


def test_a_share_interval_never_reaches_past_100_points() -> None:
    # Few responses, identical at level 1 and four different ones among six at level 4: the
    # expanded bootstrap would stretch the distinct-share interval to about +113 pp.
    samples = [sample(level=1, text="the same answer.") for _ in range(6)]
    samples += [sample(level=4, text=f"answer number {i % 4}.") for i in range(6)]
    report = analyze(samples, AnalysisOptions(seed=1))
    for effect in report.effects:
        if effect.unit == "share" and effect.ci_low is not None and effect.ci_high is not None:
            assert -1.0 <= effect.ci_low <= effect.ci_high <= 1.0, effect
    distinct = _effect(report, "distinct_share", 4)
    assert distinct.change == pytest.approx(0.5)
    assert distinct.ci_high == 1.0


@pytest.mark.parametrize(("change", "reads"), [(-1.0, "1 fewer list item ("),
                                              (-2.0, "2 fewer list items ("),
                                              (1.0, "1 more list item (")])
def test_a_count_of_exactly_one_reads_in_the_singular(change: float, reads: str) -> None:
    from workbench.core.analysis.findings import effect_sentence

    effect = Effect(
        metric="list_items", factor="level", group="", baseline=1, level=8, scale="absolute",
        unit="list items", baseline_value=0.0, level_value=change, change=change,
        ci_low=change - 0.5, ci_high=change + 0.5, ci_level=0.95, significant=True,
        summary="",
    )
    assert reads in effect_sentence(effect)
