"""Chain mode against the real simulated endpoint over loopback HTTP."""

from __future__ import annotations

import itertools
from typing import Any

from workbench.core.events import AttemptFinished, Event, EventBus
from workbench.core.plan import Plan, plan_from_dict
from workbench.core.records import Sample
from workbench.core.runner import Runner, RunResult


def chain_plan(steps: list[str], inputs: list[str] | None = None, **run: Any) -> Plan:
    data: dict[str, Any] = {
        "name": "chain",
        "endpoint": {"model": "echo"},  # echo: each output is the step's own prompt
        "params": {"max_tokens": 4000},
        "run": {"mode": "chain", "concurrency": [2], "repetitions": 2, **run},
        "steps": [{"user": text} for text in steps],
    }
    if inputs is not None:
        data["chain"] = {"inputs": inputs}
    return plan_from_dict(data)


def by_chain(result: RunResult) -> dict[int, list[Sample]]:
    chains: dict[int, list[Sample]] = {}
    for sample in sorted(result.samples, key=lambda s: s.cell.step):
        assert sample.chain is not None
        chains.setdefault(sample.chain, []).append(sample)
    return chains


async def test_each_step_sees_the_input_the_previous_output_and_the_history(
    sim_url: str,
) -> None:
    plan = chain_plan(
        ["Start from {{input}}.", "Then [{{previous}}]", "All: {{history}} / {{input}}"],
        inputs=["alpha", "beta"],
    )
    result = await Runner(plan, base_url=sim_url + "/v1").run()
    assert result.counts == {"ok": 12, "error": 0, "cancelled": 0}  # 2 inputs x 2 x 3 steps
    chains = by_chain(result)
    assert sorted(chains) == [0, 1, 2, 3]
    for number, samples in chains.items():
        assert [s.cell.step for s in samples] == [1, 2, 3]
        assert {s.repetition for s in samples} == {number}
        word = ("alpha", "beta")[number % 2]  # inputs take turns
        first, second, third = (s.text for s in samples)
        assert first == f"Start from {word}."
        assert second == f"Then [{first}]"
        assert third == f"All: {first}\n\n{second} / {word}"


async def test_steps_of_a_chain_never_overlap_while_chains_run_side_by_side(
    sim_factory: Any,
) -> None:
    root = sim_factory("--decode-ms", "2", "--capacity", "16")
    plan = chain_plan(
        ["{{input}} one", "{{previous}} two", "{{previous}} three"],
        inputs=["x"],
        concurrency=[3],
        repetitions=6,
    )
    result = await Runner(plan, base_url=root + "/v1").run()
    assert result.counts["ok"] == 18

    def span(sample: Sample) -> tuple[int, int]:
        assert sample.timing.e2e_ns is not None
        start = sample.timing.send_mono_ns
        return start, start + sample.timing.e2e_ns

    for samples in by_chain(result).values():
        for earlier, later in itertools.pairwise(samples):
            assert span(later)[0] >= span(earlier)[1]  # a step starts after the one before
    # Chains run side by side: more than one in flight at some point, never more than C.
    assert 1 < max(s.in_flight_at_start + 1 for s in result.samples) <= 3


async def test_a_failed_step_ends_its_chain_and_the_rest_are_marked_unsent(
    sim_factory: Any,
) -> None:
    root = sim_factory("--zero-delay", "--fault", "500=1")
    plan = chain_plan(
        ["{{input}}", "{{previous}}", "{{previous}}"], inputs=["x"], repetitions=1, concurrency=[1]
    )
    result = await Runner(plan, base_url=root + "/v1").run()
    assert result.counts == {"ok": 0, "error": 1, "cancelled": 2}
    first, *rest = sorted(result.samples, key=lambda s: s.cell.step)
    assert first.outcome == "error" and first.cell.step == 1
    for sample in rest:
        assert sample.outcome == "cancelled" and sample.chain == 0
        assert sample.error is not None
        assert sample.error.message == "not sent: step 1 of this chain did not succeed"


async def test_cancel_mid_chain_keeps_finished_steps_and_marks_the_unfinished_chain(
    sim_factory: Any,
) -> None:
    root = sim_factory("--decode-ms", "5", "--capacity", "16")
    bus = EventBus()
    plan = chain_plan(
        ["{{input}} a", "{{previous}} b", "{{previous}} c", "{{previous}} d"],
        inputs=["go"],
        concurrency=[2],
        repetitions=5,
    )
    runner = Runner(plan, base_url=root + "/v1", bus=bus)

    def on_event(event: Event) -> None:
        if isinstance(event, AttemptFinished) and event.sample.cell.step == 2:
            runner.cancel()

    bus.subscribe(on_event)
    result = await runner.run()
    assert result.cancelled
    assert sum(result.counts.values()) == result.planned == 20
    chains = by_chain(result)
    # Every chain that started has all four steps on record, finished ones kept as they came.
    for samples in chains.values():
        assert [s.cell.step for s in samples] == [1, 2, 3, 4]
        outcomes = [s.outcome for s in samples]
        done = outcomes.count("ok")
        assert outcomes == ["ok"] * done + ["cancelled"] * (4 - done)
    assert any(s.outcome == "ok" and s.cell.step == 2 for s in result.samples)
    unsent = [
        s
        for s in result.samples
        if s.outcome == "cancelled"
        and s.error is not None
        and s.error.message.startswith("not sent: the run was cancelled")
    ]
    assert unsent
    assert runner.in_flight == 0


async def test_open_loop_starts_chains_at_the_rate_and_caps_them_at_c(sim_url: str) -> None:
    plan = chain_plan(
        ["{{input}} one", "{{previous}} two"],
        inputs=["x"],
        concurrency=[2],
        repetitions=8,
        arrival="open",
        rate=400.0,
    )
    result = await Runner(plan, base_url=sim_url + "/v1").run()
    assert result.counts == {"ok": 16, "error": 0, "cancelled": 0}
    for samples in by_chain(result).values():
        assert [s.cell.step for s in samples] == [1, 2]
        assert samples[1].text == f"{samples[0].text} two"
    assert max(s.in_flight_at_start for s in result.samples) < 2  # at most 2 chains at once
