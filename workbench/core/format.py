"""Numbers as people read them, spelled one way in the CLI, the window, the report and the
finding sentences: counts, fixed decimals, percentages, percentage points, durations, money,
and changes with their confidence intervals.

Rules that keep them honest:
- A value that does not exist is DASH, never 0 and never "inf".
- A change is relative ("+18%") only when the baseline is non-zero and its interval bounded;
  otherwise the analysis reports it in the metric's own unit ("+2.5 list items", "+120 ms").
- Shares change in percentage points: "pp" in tables, "percentage points" in sentences.
- An interval with one missing end reads "≥ +5%" or "≤ +20%", never "+5% … –".
"""

from __future__ import annotations

import math
from typing import Literal, Protocol

DASH = "–"
PP = "pp"  # percentage points, in tables
PP_WORDS = "percentage points"  # ... and in sentences
NO_PRICES = "no prices set"
SHARE = "share"  # the unit of metrics that are shares of 0..1: they change in points
MS = "ms"

ChangeScale = Literal["relative", "absolute"]


def magnitude(value: float) -> str:
    """|value| with enough digits to tell it from zero: 18, 3.1, 0.04, 1,234."""
    size = abs(value)
    if size >= 10:
        return f"{size:,.0f}"
    if size >= 1:
        return f"{size:.1f}".removesuffix(".0")
    if size == 0:
        return "0"
    # Two significant digits, never an exponent: 0.04, 0.12, 0.00031.
    digits = min(8, 1 - math.floor(math.log10(size)))
    return f"{size:.{digits}f}".rstrip("0").rstrip(".") or "0"


def signed(value: float) -> str:
    """magnitude() with its sign: +3.1, -0.04, 0."""
    text = magnitude(value)
    if text == "0":
        return text
    return ("+" if value > 0 else "-") + text


def distinct_pair(low: float, high: float) -> tuple[str, str]:
    """Both magnitudes with enough decimals to differ ("21.8–22.3", not "22–22")."""
    low_text, high_text = magnitude(low), magnitude(high)
    for digits in (1, 2, 3):
        if low_text != high_text or low == high:
            break
        low_text, high_text = f"{abs(low):,.{digits}f}", f"{abs(high):,.{digits}f}"
    return low_text, high_text


def fixed(value: float | None, digits: int = 0) -> str:
    """1234.5 -> "1,235" (digits=0), "1,234.50" (digits=2)."""
    if value is None or not math.isfinite(value):
        return DASH
    return f"{value:,.{digits}f}"


def count(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


def percent(share: float | None, digits: int = 0) -> str:
    """A share of 0..1 as a percentage: 0.183 -> "18%"."""
    if share is None or not math.isfinite(share):
        return DASH
    return f"{share * 100:.{digits}f}%"


def percent_of(share: float) -> str:
    """A share as a percentage with enough digits to tell it from zero: "23%", "0.4%"."""
    return f"{magnitude(share * 100)}%"


def percent_range(low: float, high: float) -> str:
    """Two shares as a range of percentages: "15–31%", "0.4–2.1%"."""
    low_text, high_text = distinct_pair(low * 100, high * 100)
    return f"{low_text}–{high_text}%"


def duration_ms(ms: float | None) -> str:
    """A time in milliseconds: "850 ms", "1,240 ms", "0.42 ms"."""
    if ms is None or not math.isfinite(ms):
        return DASH
    if abs(ms) >= 10:
        return f"{ms:,.0f} {MS}"
    return f"{'-' if ms < 0 else ''}{magnitude(ms)} {MS}"


def duration_s(seconds: float | None) -> str:
    """A longer span (an ETA, a soak): "45 s", "3 min 05 s", "2 h 07 min"."""
    if seconds is None or not math.isfinite(seconds):
        return DASH
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def usd(value: float | None) -> str:
    """Money: "$12.35" from a dollar up, "$0.0123" below (API calls cost fractions of a cent)."""
    if value is None or not math.isfinite(value):
        return DASH
    return f"${value:,.2f}" if value >= 1 else f"${value:.4f}"


# --- changes and their intervals ----------------------------------------------------------


def change(value: float | None, scale: ChangeScale, unit: str = "") -> str:
    """A change in a table: "+18%", "+12 pp", "+120 ms", "+2.5 list items", "+0.12"."""
    if value is None or not math.isfinite(value):
        return DASH
    if scale == "relative":
        return f"{signed(value * 100)}%"
    if unit == SHARE:
        return f"{signed(value * 100)} {PP}"
    return signed(value) + (f" {unit}" if unit else "")


def interval(low: float | None, high: float | None, scale: ChangeScale, unit: str = "") -> str:
    """A CI in a table: "+11% to +25%", "+0.4 to +1.5 list items", "≥ +5%" (no upper end)."""
    low = low if low is not None and math.isfinite(low) else None
    high = high if high is not None and math.isfinite(high) else None
    if low is None and high is None:
        return DASH
    if low is None or high is None:
        # One end only: say which side is open rather than printing a dash for it.
        bound = high if low is None else low
        assert bound is not None
        return f"{'≤' if low is None else '≥'} {change(bound, scale, unit)}"
    if scale == "relative":
        return f"{change(low, scale)} to {change(high, scale)}"
    factor = 100.0 if unit == SHARE else 1.0
    suffix = f" {PP}" if unit == SHARE else (f" {unit}" if unit else "")
    return f"{signed(low * factor)} to {signed(high * factor)}{suffix}"


class ChangeLike(Protocol):
    """What an analysis Effect offers to be formatted (kept structural: no import cycle)."""

    @property
    def scale(self) -> ChangeScale: ...
    @property
    def unit(self) -> str: ...
    @property
    def change(self) -> float | None: ...
    @property
    def ci_low(self) -> float | None: ...
    @property
    def ci_high(self) -> float | None: ...


def effect_change(effect: ChangeLike) -> str:
    return change(effect.change, effect.scale, effect.unit)


def effect_interval(effect: ChangeLike) -> str:
    return interval(effect.ci_low, effect.ci_high, effect.scale, effect.unit)


def p_value(p: float | None) -> str:
    """"p = 0.012", "p < 0.001"; DASH when there is none."""
    if p is None or not math.isfinite(p):
        return DASH
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def times(value: float | None) -> str:
    """A ratio as a multiple: "2.3×", and near 1 with two decimals, "1.02×" (not "1×")."""
    if value is None or not math.isfinite(value):
        return DASH
    return f"{value:.2f}×" if 0.1 <= value < 2 else f"{magnitude(value)}×"
