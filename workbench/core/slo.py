"""Service-level objectives for goodput, e.g. ``ttft_ms=500`` or ``e2e_ms<=5000``.

Standard library only: the runner's knee search judges goodput with it mid-run, and the
plan checks `[run] slo` names with it, without loading the analysis (numpy)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from workbench.core.records import Sample

SLO_METRICS = ("ttft_ms", "ttfr_ms", "tpot_ms", "e2e_ms")
_SLO = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(?:<=|=)\s*([0-9]*\.?[0-9]+)\s*$")


class SloError(ValueError):
    """An SLO text cannot be read; the message names it and what is accepted."""


def parse_slos(texts: Iterable[str]) -> dict[str, float]:
    slos: dict[str, float] = {}
    for text in texts:
        match = _SLO.match(text)
        if match is None:
            raise SloError(f"SLO {text!r} is not of the form NAME=MILLISECONDS (e.g. ttft_ms=500)")
        name, value = match.group(1), float(match.group(2))
        if name not in SLO_METRICS:
            raise SloError(f"SLO {text!r}: unknown metric {name!r} (use {', '.join(SLO_METRICS)})")
        if value <= 0:
            raise SloError(f"SLO {text!r}: the limit must be above 0 ms")
        slos[name] = value
    return slos


def slo_value_ms(sample: Sample, name: str) -> float | None:
    timing = sample.timing
    if name == "ttft_ms":
        return None if timing.ttft_ns is None else timing.ttft_ns / 1e6
    if name == "ttfr_ms":
        return None if timing.ttfr_ns is None else timing.ttfr_ns / 1e6
    if name == "e2e_ms":
        return None if timing.e2e_ns is None else timing.e2e_ns / 1e6
    if name == "tpot_ms":
        tpot = timing.tpot_ns(sample.output_tokens)
        return None if tpot is None else tpot / 1e6
    raise SloError(f"unknown SLO metric {name!r}")


def meets_slos(sample: Sample, slos: dict[str, float]) -> bool:
    """Succeeded and within every limit. A missing value (e.g. no first token) fails,
    except TPOT, which does not exist for a response of fewer than 2 tokens."""
    if sample.outcome != "ok":
        return False
    for name, limit in slos.items():
        value = slo_value_ms(sample, name)
        if value is None:
            if name == "tpot_ms":
                continue
            return False
        if value > limit:
            return False
    return True
