"""LiveRun, the model the window shows, fed by a real run against the simulated endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.core.test_runner import api_base, make_plan
from workbench.core.events import AttemptDelta, Event, EventBus
from workbench.core.journal import SessionJournal, load_session
from workbench.core.plan import Plan
from workbench.core.runner import Runner, RunResult
from workbench.viewmodel.live import LiveRun, run_from_session


async def run_into(live: LiveRun, plan: Plan, root: str, **kwargs: Any) -> RunResult:
    bus = EventBus()
    bus.subscribe(live.apply, deltas=True)
    return await Runner(plan, base_url=api_base(root), bus=bus, **kwargs).run()


async def test_a_streaming_run_shows_each_response_as_it_grows_and_counts_it(
    sim_factory: Any,
) -> None:
    # Paced tokens (not --zero-delay), so a response arrives over several network reads.
    root = sim_factory("--decode-ms", "2", "--seed", "1")
    live = LiveRun()
    seen: dict[int, list[str]] = {}

    def watch(event: Event) -> None:  # subscribed after LiveRun: reads what the user sees
        if isinstance(event, AttemptDelta):
            seen.setdefault(event.id, []).append(live.responses[event.id].text)

    bus = EventBus()
    bus.subscribe(live.apply, deltas=True)
    bus.subscribe(watch, deltas=True)
    plan = make_plan(concurrency=[1, 3], repetitions=3, max_tokens=40)
    result = await Runner(plan, base_url=api_base(root), bus=bus).run()

    assert live.session == result.session and live.finished and not live.cancelled
    assert (live.planned, live.done, live.errors, live.retries, live.in_flight) == (6, 6, 0, 0, 0)
    assert live.levels == [1, 3] and live.current_level == 3
    assert [r.level for r in (live.responses[i] for i in live.order)].count(3) == 3
    assert live.samples() == sorted(result.samples, key=lambda s: live.order.index(s.id))
    for sample in result.samples:
        shown = live.responses[sample.id]
        assert shown.state == "ok" and shown.text == sample.text
        assert shown.ms("e2e") == sample.timing.e2e_ns / 1e6  # type: ignore[operator]
        # While streaming, the card's text only ever grew towards the final answer.
        partial = seen[sample.id]
        assert partial == sorted(partial, key=len)
        assert all(sample.text.startswith(text) for text in partial)
    assert any(len(partial) > 1 for partial in seen.values())  # shown before it was done
    assert len(live.series.e2e_ms) == len(live.series.length) == 6
    assert sorted(live.series.length.view()) == sorted(len(s.text) for s in result.samples)
    assert live.series.flight_n.view()[-1] == 0
    assert live.eta_s() is None  # finished: nothing left to wait for


async def test_failed_attempts_and_their_retries_are_counted_apart(sim_factory: Any) -> None:
    root = sim_factory("--zero-delay", "--fault", "500=1")
    live = LiveRun()
    await run_into(live, make_plan(concurrency=[1], repetitions=2, retries=1,
                                   backoff_base=0.01), root)
    assert (live.done, live.errors, live.retries) == (2, 2, 2)
    assert len(live.responses) == 4
    assert {r.state for r in live.responses.values()} == {"error"}
    assert len(live.series.e2e_ms) == 0  # failures are not plotted as latencies


async def test_a_saved_session_rebuilds_the_run_it_recorded(sim_url: str, tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    recorded = LiveRun()
    bus = EventBus()
    journal = SessionJournal(path)
    bus.subscribe(journal.on_event)
    bus.subscribe(recorded.apply)
    plan = make_plan(concurrency=[2], repetitions=4)
    await Runner(plan, base_url=api_base(sim_url), bus=bus).run()

    rebuilt = run_from_session(load_session(path))
    assert rebuilt.session == recorded.session and rebuilt.finished
    assert (rebuilt.done, rebuilt.errors) == (4, 0)
    assert {i: r.text for i, r in rebuilt.responses.items()} == {
        i: r.text for i, r in recorded.responses.items()
    }
    # In-flight comes from the recorded send and end times: it rose to at most the
    # concurrency level and fell back to none.
    flight = rebuilt.series.flight_n.view()
    assert 1 <= flight.max() <= 2 and flight[-1] == 0
    assert rebuilt.series.flight_t.view().min() >= 0
