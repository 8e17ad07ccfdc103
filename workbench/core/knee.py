"""The load knee: the concurrency beyond which more requests in flight stop buying throughput.

A knee search runs levels 1, 2, 4, ... and after each one `decide` looks at the levels so far.
The knee is the first level L where doubling to 2L raised throughput by less than
`knee_min_gain`, or where at 2L fewer than `knee_goodput_floor` of the requests met the SLOs.
Both are judged at 2L, so the search stops right after running 2L (docs/analysis.md, "Load
knee", gives the definitions, their sources and their limits).

Throughput is output tokens per second over a level's steady window: from its first send to
its last send, while every one of its `level` slots had a request in flight (closed loop).
The drain after the last send, when fewer are in flight, is left out: how long the slowest
stragglers take would otherwise decide the figure. Each response's tokens are spread evenly
over its content chunks, and a chunk counts if it arrived inside the window.

Standard library only: the runner calls this between levels without loading numpy.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from workbench.core.format import magnitude, percent
from workbench.core.plan import Plan, RunSettings
from workbench.core.records import Sample
from workbench.core.slo import meets_slos

StopReason = Literal["throughput", "goodput", "goodput_at_1", "limit", "unfinished"]


@dataclass(frozen=True, slots=True)
class LevelLoad:
    """What one level delivered. Rates are None when the level has no usable window."""

    level: int
    requests: int  # final, not cancelled
    ok: int
    met: int  # ok and within every SLO
    window_s: float
    throughput: float | None  # output tokens/s in the steady window
    goodput: float | None  # output tokens/s of requests that met the SLOs, same window
    requests_per_s: float | None  # ok requests over first send to last byte
    ttft_p95_ms: float | None

    @property
    def goodput_share(self) -> float | None:
        return self.met / self.requests if self.requests else None


@dataclass(frozen=True, slots=True)
class KneeResult:
    loads: list[LevelLoad]  # in the order run
    knee: int | None  # None: no knee (still rising at the limit, or SLOs missed at 1)
    reason: StopReason
    next_level: int | None  # what the search runs next; None: it is done

    @property
    def levels(self) -> list[int]:
        return [load.level for load in self.loads]


def _quantile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between order statistics, as numpy's default."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _final(samples: Iterable[Sample]) -> list[Sample]:
    attempts = list(samples)
    retried = {s.retry_of for s in attempts if s.retry_of is not None}
    return [s for s in attempts if s.id not in retried]


def _window_tokens(sample: Sample, start_ns: int, end_ns: int) -> float:
    offsets = sample.timing.content_offsets_ns
    if not sample.output_tokens or not offsets:
        return 0.0
    send = sample.timing.send_mono_ns
    inside = sum(1 for offset in offsets if start_ns <= send + offset <= end_ns)
    return sample.output_tokens * inside / len(offsets)


def measure_level(level: int, attempts: Sequence[Sample], slos: dict[str, float]) -> LevelLoad:
    """The load figures of one level from its attempts (retries included)."""
    final = [s for s in _final(attempts) if s.outcome != "cancelled"]
    ok = [s for s in final if s.outcome == "ok"]
    met = [s for s in ok if meets_slos(s, slos)]
    sends = [s.timing.send_mono_ns for s in attempts]
    ends = [s.timing.send_mono_ns + s.timing.e2e_ns for s in attempts if s.timing.e2e_ns]
    throughput = goodput = rps = None
    window_s = 0.0
    if sends and ends:
        start, last_send = min(sends), max(sends)
        wall_s = (max(ends) - start) / 1e9
        rps = len(ok) / wall_s if wall_s > 0 else None
        end = last_send
        if last_send <= start:  # one round only: no steady part, use the whole level
            end = max(ends)
        window_s = (end - start) / 1e9
        if window_s > 0:
            throughput = sum(_window_tokens(s, start, end) for s in ok) / window_s
            goodput = sum(_window_tokens(s, start, end) for s in met) / window_s
    ttfts = [s.timing.ttft_ns / 1e6 for s in ok if s.timing.ttft_ns is not None]
    return LevelLoad(
        level=level,
        requests=len(final),
        ok=len(ok),
        met=len(met),
        window_s=window_s,
        throughput=throughput,
        goodput=goodput,
        requests_per_s=rps,
        ttft_p95_ms=_quantile(ttfts, 0.95),
    )


def gain(before: LevelLoad, after: LevelLoad) -> float | None:
    """Relative throughput change from one level to the next (None: no base to compare)."""
    if not before.throughput:
        return None
    return (after.throughput or 0.0) / before.throughput - 1.0


def decide(loads: Sequence[LevelLoad], run: RunSettings) -> KneeResult:
    """The knee so far and the next level to run, from the levels finished in order."""
    loads = list(loads)
    floor = run.knee_goodput_floor if run.slo else 0.0
    if not loads:
        return KneeResult(loads, None, "unfinished", 1)
    first_share = loads[0].goodput_share
    if first_share is not None and first_share < floor:
        return KneeResult(loads, None, "goodput_at_1", None)
    for before, after in itertools.pairwise(loads):
        share = after.goodput_share
        if share is not None and share < floor:
            return KneeResult(loads, before.level, "goodput", None)
        rise = gain(before, after)
        if rise is not None and rise < run.knee_min_gain:
            return KneeResult(loads, before.level, "throughput", None)
    following = loads[-1].level * 2
    if following > run.max_concurrency:
        return KneeResult(loads, None, "limit", None)
    return KneeResult(loads, None, "unfinished", following)


def knee_settings(plan: Plan) -> RunSettings | None:
    """The run settings to find a knee with: a knee search's, else None (a fixed sweep)."""
    return plan.run if plan.run.search == "knee" else None


def find_knee(samples: Iterable[Sample], run: RunSettings) -> KneeResult:
    """The knee of a recorded knee search, from its samples and run settings alone."""
    by_level: dict[int, list[Sample]] = {}
    for sample in samples:
        by_level.setdefault(sample.cell.level, []).append(sample)
    loads = [measure_level(level, by_level[level], run.slo) for level in sorted(by_level)]
    return decide(loads, run)


def _ratio_phrase(ratio: float) -> str:
    """How a value changed by a factor: "doubled" near 2, "rose 2.6×", "rose 40%", "fell 8%"."""
    if 1.9 <= ratio <= 2.1:
        return "doubled"
    if ratio > 2.1:
        return f"rose {magnitude(ratio)}×"
    change = ratio - 1.0
    if magnitude(abs(change) * 100) == "0":
        return "held steady"
    return f"{'rose' if change > 0 else 'fell'} {magnitude(abs(change) * 100)}%"


def knee_sentence(result: KneeResult, run: RunSettings) -> str:
    """The finding: "Beyond concurrency 16, throughput rose 3% while p95 TTFT doubled." """
    loads = result.loads
    if result.reason == "goodput_at_1" and loads:
        return (
            f"Even at concurrency 1 only {percent(loads[0].goodput_share)} of requests met the"
            f" SLOs (floor {percent(run.knee_goodput_floor)}): no level meets them."
        )
    if result.knee is None:
        top = loads[-1].level if loads else 1
        if result.reason == "limit":
            return (
                f"Throughput still rose by {percent(run.knee_min_gain)} or more at every"
                f" doubling up to concurrency {top}, the search's limit: no knee found."
            )
        return f"The knee search stopped at concurrency {top} before finding the knee."
    index = result.levels.index(result.knee)
    at, beyond = loads[index], loads[index + 1]
    rise = gain(at, beyond)
    throughput = (
        "throughput could not be compared"
        if rise is None
        else (f"throughput {_ratio_phrase(1.0 + rise)}")
    )
    if at.ttft_p95_ms and beyond.ttft_p95_ms is not None:
        ttft = f"p95 TTFT {_ratio_phrase(beyond.ttft_p95_ms / at.ttft_p95_ms)}"
    else:
        ttft = "p95 TTFT could not be compared"
    sentence = f"Beyond concurrency {result.knee}, {throughput} while {ttft}."
    if result.reason == "goodput":
        sentence += (
            f" At {beyond.level}, {percent(beyond.goodput_share)} of requests met the SLOs"
            f" (floor {percent(run.knee_goodput_floor)})."
        )
    return sentence
