"""The load knee: the search against the real simulator over loopback, its rule, its sentence,
and its record in the session file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from workbench.core.events import EventBus, LevelStarted
from workbench.core.journal import SessionJournal, load_session
from workbench.core.knee import LevelLoad, decide, find_knee, knee_sentence
from workbench.core.plan import Params, Plan, PlanError, RunSettings, plan_from_dict
from workbench.core.runner import Runner

# Capacity 2: throughput doubles from 1 to 2 in flight and is flat from 2 to 4, so the knee
# is 2 and the search stops after level 4. Long requests (~240 ms): on a busy machine the
# client's turnaround between two requests of a slot leaves the server's slot idle at 2 in
# flight but not at 4 (where the server's queue fills it), a gain that must stay far below 10%.
CAPACITY_2 = (
    "--capacity",
    "2",
    "--decode-ms",
    "20",
    "--mean-tokens",
    "12",
    "--prefill-us-per-token",
    "0",
    "--seed",
    "3",
)


def knee_plan(**run: object) -> Plan:
    return Plan(
        name="knee",
        user="Explain TCP slow start",
        params=Params(max_tokens=64, temperature=0.7),
        run=RunSettings(search="knee", repetitions=1, max_concurrency=64, **run),  # type: ignore[arg-type]
    )


def load(level: int, throughput: float, met: int = 10, ttft: float = 10.0) -> LevelLoad:
    return LevelLoad(
        level=level,
        requests=10,
        ok=10,
        met=met,
        window_s=1.0,
        throughput=throughput,
        goodput=throughput * met / 10,
        requests_per_s=throughput / 10,
        ttft_p95_ms=ttft,
    )


async def test_the_search_finds_the_capacity_and_stops_after_one_doubling_beyond_it(
    sim_factory: Callable[..., str], tmp_path: Path
) -> None:
    root = sim_factory(*CAPACITY_2)
    bus = EventBus()
    started: list[LevelStarted] = []
    bus.subscribe(lambda e: started.append(e) if isinstance(e, LevelStarted) else None)
    path = tmp_path / "knee.jsonl"
    journal = SessionJournal(path)
    bus.subscribe(journal.on_event)
    plan = knee_plan(knee_min_gain=0.3)  # far from both ~+100% below capacity and ~0% beyond
    result = await Runner(plan, base_url=root + "/v1", bus=bus).run()

    assert result.knee is not None and result.knee.knee == 2
    assert result.levels == [1, 2, 4]  # never beyond 2 x knee, though the limit was 64
    assert [e.level for e in started] == [1, 2, 4]
    # At least 4 requests per slot at each level; each level planned as it started.
    assert [e.planned for e in started] == [4, 4 + 8, 4 + 8 + 16]
    assert result.planned == 28 and sum(result.counts.values()) == 28
    assert result.counts["ok"] == 28
    assert "Beyond concurrency 2, throughput" in knee_sentence(result.knee, plan.run)

    # The file alone reproduces the knee: the plan says it was a search, the end its levels.
    session = load_session(path)
    assert session.header.plan.run.search == "knee"
    assert session.end is not None and session.end.levels == [1, 2, 4]
    again = find_knee(session.samples, session.header.plan.run)
    assert again.knee == 2 and again.levels == [1, 2, 4]
    assert again.loads == result.knee.loads


async def test_a_fixed_sweep_is_unchanged_by_the_search_fields(sim_url: str) -> None:
    plan = Plan(
        name="sweep",
        user="Explain DNS",
        params=Params(max_tokens=32),
        run=RunSettings(concurrency=[1, 3], repetitions=2, max_concurrency=8),
    )
    result = await Runner(plan, base_url=sim_url + "/v1").run()
    assert result.levels == [1, 3] and result.knee is None
    assert result.planned == 4 and result.counts["ok"] == 4


def test_the_rule_takes_the_level_before_a_doubling_that_gained_too_little() -> None:
    run = RunSettings(search="knee", knee_min_gain=0.1)
    loads = [load(1, 100), load(2, 195), load(4, 380), load(8, 400)]
    result = decide(loads, run)
    assert (result.knee, result.reason, result.next_level) == (4, "throughput", None)
    # A gain of 11% is still rising: the search goes on to 16.
    going = decide([load(1, 100), load(2, 111)], run)
    assert (going.knee, going.reason, going.next_level) == (None, "unfinished", 4)


def test_goodput_below_the_floor_ends_the_search_at_the_level_before() -> None:
    run = RunSettings(search="knee", knee_goodput_floor=0.9, slo={"ttft_ms": 100})
    result = decide([load(1, 100), load(2, 200), load(4, 400, met=5)], run)
    assert (result.knee, result.reason) == (2, "goodput")
    at_one = decide([load(1, 100, met=3)], run)
    assert (at_one.knee, at_one.reason, at_one.next_level) == (None, "goodput_at_1", None)
    # Without SLOs every ok request counts as met: the floor never stops the search.
    no_slo = decide([load(1, 100), load(2, 200, met=5)], RunSettings(search="knee"))
    assert no_slo.next_level == 4


def test_reaching_the_limit_still_rising_reports_no_knee() -> None:
    run = RunSettings(search="knee", max_concurrency=4)
    result = decide([load(1, 100), load(2, 200), load(4, 400)], run)
    assert (result.knee, result.reason, result.next_level) == (None, "limit", None)
    assert "no knee found" in knee_sentence(result, run)


@pytest.mark.parametrize(
    ("ttft_beyond", "phrase"),
    [(20.0, "p95 TTFT doubled"), (26.0, "p95 TTFT rose 2.6×"), (14.0, "p95 TTFT rose 40%")],
)
def test_the_sentence_says_doubled_only_near_a_doubling(ttft_beyond: float, phrase: str) -> None:
    run = RunSettings(search="knee")
    result = decide([load(16, 400), load(32, 412, ttft=ttft_beyond)], run)
    assert knee_sentence(result, run) == (
        f"Beyond concurrency 16, throughput rose 3% while {phrase}."
    )


@pytest.mark.parametrize(
    ("run", "where", "says"),
    [
        ({"knee_min_gain": 1.5}, "run.knee_min_gain", "between 0 and 1"),
        ({"knee_goodput_floor": -0.1}, "run.knee_goodput_floor", "between 0 and 1"),
        ({"max_concurrency": 1}, "run.max_concurrency", "2-4096"),
        ({"slo": {"ttft": 500}}, "run.slo.ttft", "unknown metric 'ttft'"),
        ({"slo": {"ttft_ms": 0}}, "run.slo.ttft_ms", "above 0"),
        ({"search": "knee", "mode": "open", "rate": 5.0}, "run.search", "closed-loop"),
        ({"search": "elbow"}, "run.search", "Invalid enum value 'elbow'"),
        ({"knee_min_gian": 0.1}, "run.knee_min_gian", "did you mean knee_min_gain"),
    ],
)
def test_bad_knee_settings_name_the_field(run: dict[str, object], where: str, says: str) -> None:
    with pytest.raises(PlanError) as caught:
        plan_from_dict({"user": "x", "run": run}, source="plan.toml")
    assert caught.value.where == where
    assert says in str(caught.value) and str(caught.value).startswith("plan.toml: ")


def test_a_knee_plan_plans_four_requests_per_slot_and_doubles_to_the_limit() -> None:
    plan = plan_from_dict(
        {"user": "x", "run": {"search": "knee", "max_concurrency": 20, "repetitions": 6}}
    )
    assert plan.levels() == [1, 2, 4, 8, 16]
    assert [plan.repetitions_at(level) for level in plan.levels()] == [6, 8, 16, 32, 64]
    assert plan.total_requests() == 6 + 8 + 16 + 32 + 64


def test_a_format_1_session_still_opens(tmp_path: Path) -> None:
    """What this program wrote before the knee search: version 1, no `levels` at the end."""
    header = {
        "type": "header",
        "format": "prompt-stress-workbench-session",
        "version": 1,
        "app_version": "0.1.0",
        "created": "2026-01-01T00:00:00+00:00",
        "session": "old",
        "plan": {"user": "Explain DNS", "run": {"concurrency": [1, 4]}},
    }
    end = {"type": "end", "counts": {"ok": 0, "error": 0, "cancelled": 0}}
    path = tmp_path / "old.jsonl"
    path.write_bytes(msgspec.json.encode(header) + b"\n" + msgspec.json.encode(end) + b"\n")
    session = load_session(path)
    assert session.header.plan.run.concurrency == [1, 4]
    assert session.header.plan.run.search == "none"
    assert session.end is not None and session.end.levels == []


def test_every_slo_metric_can_be_written_on_the_command_line() -> None:
    """`e2e_ms` has a digit in its name: the SLO parser once refused it."""
    from workbench.core.slo import SLO_METRICS, parse_slos

    assert parse_slos([f"{name}=500" for name in SLO_METRICS]) == dict.fromkeys(SLO_METRICS, 500.0)
