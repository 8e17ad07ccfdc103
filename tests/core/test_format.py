"""One spelling for numbers everywhere: changes, intervals, points, durations, money."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workbench.core import format as fmt
from workbench.core.format import ChangeScale


@dataclass
class _Effect:
    scale: ChangeScale
    unit: str
    change: float | None
    ci_low: float | None
    ci_high: float | None


@pytest.mark.parametrize(
    ("value", "text"),
    [(18.3, "18"), (3.14, "3.1"), (2.0, "2"), (0.04, "0.04"), (0.123, "0.12"),
     (0.00031, "0.00031"), (1234.5, "1,234"), (0.0, "0"), (-7.25, "7.2")],
)
def test_magnitudes_keep_enough_digits_to_tell_them_from_zero(value: float, text: str) -> None:
    assert fmt.magnitude(value) == text


def test_relative_changes_and_their_intervals() -> None:
    assert fmt.change(0.18, "relative") == "+18%"
    assert fmt.change(-0.031, "relative") == "-3.1%"
    assert fmt.interval(-0.25, -0.11, "relative") == "-25% to -11%"
    assert fmt.change(None, "relative") == fmt.DASH


def test_shares_change_in_percentage_points_spelled_pp() -> None:
    assert fmt.change(0.12, "absolute", fmt.SHARE) == "+12 pp"
    assert fmt.interval(0.05, 0.2, "absolute", fmt.SHARE) == "+5 to +20 pp"
    assert fmt.PP == "pp" and fmt.PP_WORDS == "percentage points"


def test_a_zero_baseline_change_is_in_the_metrics_unit() -> None:
    listed = _Effect("absolute", "list items", 2.4, 1.4, 3.3)
    assert fmt.effect_change(listed) == "+2.4 list items"
    assert fmt.effect_interval(listed) == "+1.4 to +3.3 list items"
    slower = _Effect("absolute", fmt.MS, 120.0, 40.0, 200.0)
    assert fmt.effect_change(slower) == "+120 ms"
    assert fmt.effect_interval(slower) == "+40 to +200 ms"


def test_an_interval_with_one_end_says_which_side_is_open() -> None:
    assert fmt.interval(0.05, None, "relative") == "≥ +5%"
    assert fmt.interval(None, 0.2, "absolute", fmt.SHARE) == "≤ +20 pp"
    assert fmt.interval(0.05, float("inf"), "relative") == "≥ +5%"
    assert fmt.interval(None, None, "relative") == fmt.DASH
    for text in (fmt.interval(0.05, None, "relative"), fmt.interval(None, 1.0, "relative")):
        assert "–" not in text and "inf" not in text


def test_nothing_prints_as_inf_or_nan() -> None:
    for value in (float("inf"), float("-inf"), float("nan")):
        for text in (fmt.change(value, "relative"), fmt.fixed(value), fmt.percent(value),
                     fmt.duration_ms(value), fmt.usd(value)):
            assert text == fmt.DASH


@pytest.mark.parametrize(
    ("ms", "text"),
    [(850.4, "850 ms"), (1240.0, "1,240 ms"), (5.25, "5.2 ms"), (0.42, "0.42 ms"), (None, "–")],
)
def test_durations_in_milliseconds(ms: float | None, text: str) -> None:
    assert fmt.duration_ms(ms) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45.2, "45 s"), (185, "3 min 05 s"), (7620, "2 h 07 min"), (None, "–")],
)
def test_longer_spans_in_seconds_minutes_hours(seconds: float | None, text: str) -> None:
    assert fmt.duration_s(seconds) == text


def test_numbers_percentages_counts_and_money() -> None:
    assert fmt.fixed(1234.567, 2) == "1,234.57" and fmt.fixed(None) == fmt.DASH
    assert fmt.percent(0.183) == "18%" and fmt.percent(None) == fmt.DASH
    assert fmt.count(12345) == "12,345"
    assert fmt.usd(0.01234) == "$0.0123" and fmt.usd(12.345) == "$12.35"
    assert fmt.usd(None) == fmt.DASH


def test_ratios_read_as_multiples_with_decimals_near_one() -> None:
    from workbench.core.format import p_value, times

    shown = [times(v) for v in (1.003, 1.18, 2.34, 12.0, None)]
    assert shown == ["1.00×", "1.18×", "2.3×", "12×", "–"]
    assert [p_value(p) for p in (0.0004, 0.0123, None)] == ["p < 0.001", "p = 0.012", "–"]
