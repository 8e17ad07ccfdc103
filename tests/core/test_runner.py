"""The runner against the real simulated endpoint over loopback HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from workbench.core.events import AttemptFinished, AttemptStarted, Event, EventBus
from workbench.core.plan import EndpointSpec, Params, Plan, RunSettings
from workbench.core.records import Sample
from workbench.core.runner import Runner, RunResult


def make_plan(
    *,
    api: str = "openai",
    model: str = "sim-chat",
    user: str = "Explain TCP slow start",
    concurrency: list[int] | None = None,
    repetitions: int = 4,
    stream: bool = True,
    max_tokens: int = 200,
    temperature: float | None = 0.7,
    **run: Any,
) -> Plan:
    return Plan(
        name="test",
        endpoint=EndpointSpec(api=api, model=model),  # type: ignore[arg-type]
        user=user,
        params=Params(max_tokens=max_tokens, stream=stream, temperature=temperature, seed=1),
        run=RunSettings(concurrency=concurrency or [2], repetitions=repetitions, **run),
    )


def api_base(root: str, api: str = "openai") -> str:
    return root + "/v1" if api == "openai" else root


async def run(plan: Plan, root: str, **kwargs: Any) -> RunResult:
    return await Runner(plan, base_url=api_base(root, plan.endpoint.api), **kwargs).run()


def assert_counts_add_up(result: RunResult) -> None:
    assert sum(result.counts.values()) == result.planned


def assert_sane_timing(sample: Sample) -> None:
    t = sample.timing
    assert t.headers_ns is not None and t.e2e_ns is not None and t.ttft_ns is not None
    assert 0 <= t.headers_ns <= t.ttft_ns <= t.e2e_ns
    offsets = t.content_offsets_ns
    assert offsets == sorted(offsets)
    assert offsets[0] == t.ttft_ns


@pytest.mark.parametrize("api", ["openai", "anthropic"])
@pytest.mark.parametrize("stream", [True, False])
async def test_every_request_succeeds_with_text_timing_and_usage(
    sim_url: str, api: str, stream: bool
) -> None:
    result = await run(
        make_plan(api=api, stream=stream, concurrency=[1, 3], repetitions=3), sim_url
    )
    assert result.counts == {"ok": 6, "error": 0, "cancelled": 0}
    assert [s.cell.level for s in result.samples].count(3) == 3
    for sample in result.samples:
        assert sample.outcome == "ok", sample.error
        assert len(sample.text.split()) > 5
        assert sample.finish_reason in ("stop", "length")
        assert sample.token_source == "server"
        assert sample.usage.prompt_tokens and sample.usage.completion_tokens
        assert sample.output_tokens == sample.usage.completion_tokens
        assert_sane_timing(sample)
        if stream:
            # Chunks are not tokens, and a role-only first chunk is not a token.
            assert len(sample.timing.content_offsets_ns) > 3
        else:
            assert sample.timing.ttft_ns == sample.timing.content_offsets_ns[-1]


@pytest.mark.parametrize("api", ["openai", "anthropic"])
async def test_reasoner_reasoning_comes_before_the_first_content_token(
    sim_url: str, api: str
) -> None:
    result = await run(make_plan(api=api, model="sim-reasoner", repetitions=2), sim_url)
    for sample in result.samples:
        assert sample.outcome == "ok", sample.error
        assert sample.reasoning and sample.text
        assert sample.timing.ttfr_ns is not None and sample.timing.ttft_ns is not None
        # Equal when a loaded machine reads the last reasoning chunk and the first content
        # chunk in one go; content before reasoning is the failure this catches.
        assert sample.timing.ttfr_ns <= sample.timing.ttft_ns


@pytest.mark.parametrize("api", ["openai", "anthropic"])
async def test_echo_returns_the_prompt_verbatim(sim_url: str, api: str) -> None:
    prompt = "The quick brown fox, twice: the quick brown fox!"
    result = await run(make_plan(api=api, model="echo", user=prompt, repetitions=2), sim_url)
    assert [s.text for s in result.samples] == [prompt, prompt]


async def test_max_tokens_ends_with_finish_reason_length(sim_url: str) -> None:
    result = await run(make_plan(max_tokens=5, repetitions=2), sim_url)
    for sample in result.samples:
        assert sample.finish_reason == "length"
        assert sample.usage.completion_tokens == 5


async def test_deltas_reach_subscribers_and_add_up_to_the_text(sim_url: str) -> None:
    bus = EventBus()
    pieces: dict[int, list[str]] = {}

    def collect(event: Event) -> None:
        from workbench.core.events import AttemptDelta

        if isinstance(event, AttemptDelta):
            pieces.setdefault(event.id, []).append(event.content)

    bus.subscribe(collect, deltas=True)
    result = await run(make_plan(repetitions=3), sim_url, bus=bus)
    for sample in result.samples:
        assert "".join(pieces[sample.id]) == sample.text


FAULTS = [
    ("429", "http_429"),
    ("500", "http_5xx"),
    ("503", "http_5xx"),
    ("reset", "connection"),
    ("malformed", "protocol"),
    ("no-done", "protocol"),
]


@pytest.mark.parametrize("api", ["openai", "anthropic"])
@pytest.mark.parametrize(("fault", "error_class"), FAULTS)
async def test_each_fault_is_recorded_with_its_error_class(
    sim_factory: Any, fault: str, error_class: str, api: str
) -> None:
    root = sim_factory("--zero-delay", "--fault", f"{fault}=1")
    result = await run(make_plan(api=api, repetitions=2), root)
    assert result.counts == {"ok": 0, "error": 2, "cancelled": 0}
    for sample in result.samples:
        assert sample.outcome == "error"
        assert sample.error is not None
        assert sample.error.error_class == error_class, sample.error
        assert sample.error.message


async def test_stall_before_first_token_is_a_timeout(sim_factory: Any) -> None:
    root = sim_factory("--zero-delay", "--fault", "stall=1", "--stall-seconds", "20")
    plan = make_plan(repetitions=2, first_token_timeout=0.3)
    result = await run(plan, root)
    for sample in result.samples:
        assert sample.error is not None and sample.error.error_class == "timeout"
        assert "first token" in sample.error.message


async def test_retries_honour_retry_after_and_link_each_attempt(sim_factory: Any) -> None:
    root = sim_factory("--zero-delay", "--fault", "429=1", "--retry-after", "0.3")
    plan = make_plan(concurrency=[1], repetitions=2, retries=2, backoff_base=0.01)
    result = await run(plan, root)
    assert len(result.samples) == 6  # 2 requests x (1 try + 2 retries)
    assert result.counts == {"ok": 0, "error": 2, "cancelled": 0}
    by_id = {s.id: s for s in result.samples}
    retries = [s for s in result.samples if s.retry_of is not None]
    assert len(retries) == 4
    for retry in retries:
        original = by_id[retry.retry_of]  # type: ignore[index]
        assert retry.attempt == original.attempt + 1
        assert retry.repetition == original.repetition
        assert original.error is not None and original.error.retry_after_s == pytest.approx(0.3)
        # The retry went out no sooner than the server asked.
        assert retry.timing.send_wall - original.timing.send_wall >= 0.3


async def test_retries_recover_from_intermittent_errors(sim_factory: Any) -> None:
    root = sim_factory("--zero-delay", "--fault", "503=0.5", "--seed", "3")
    plan = make_plan(concurrency=[4], repetitions=20, retries=8, backoff_base=0.001)
    result = await run(plan, root)
    assert result.counts == {"ok": 20, "error": 0, "cancelled": 0}
    assert len(result.samples) > 20
    assert len(result.final_samples) == 20


async def test_wrong_key_is_a_4xx_and_the_key_is_not_in_the_message(sim_factory: Any) -> None:
    root = sim_factory("--zero-delay", "--require-key", "right-key-123")
    wrong = "sk-wrong-key-999999"
    result = await run(make_plan(repetitions=1), root, api_key=wrong)
    (sample,) = result.samples
    assert sample.error is not None and sample.error.error_class == "http_4xx"
    assert sample.error.status == 401
    assert wrong not in sample.error.message
    ok = await run(make_plan(repetitions=1), root, api_key="right-key-123")
    assert ok.counts["ok"] == 1


async def test_refused_connection_is_a_connection_error_naming_the_address() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = await run(make_plan(repetitions=1), f"http://127.0.0.1:{port}")
    (sample,) = result.samples
    assert sample.error is not None and sample.error.error_class == "connection"
    assert f"127.0.0.1:{port}" in sample.error.message


async def test_queue_signal_appears_only_beyond_capacity(sim_factory: Any) -> None:
    root = sim_factory("--capacity", "2", "--decode-ms", "5", "--prefill-us-per-token", "0")
    alone = await run(make_plan(concurrency=[2], repetitions=2, max_tokens=20), root)
    assert all(s.timing.queue_signal_count == 0 for s in alone.samples)
    crowded = await run(make_plan(concurrency=[4], repetitions=4, max_tokens=20), root)
    queued = [s for s in crowded.samples if s.timing.queue_signal_count > 0]
    assert len(queued) >= 2
    for sample in queued:
        assert sample.outcome == "ok"
        assert sample.timing.queue_signal_span_ns is not None


async def test_stream_options_rejected_falls_back_without_it(sim_factory: Any) -> None:
    root = sim_factory("--zero-delay", "--reject-stream-options")
    result = await run(make_plan(repetitions=3), root)
    assert result.counts["ok"] == 3
    for sample in result.samples:
        assert "stream_options" not in sample.request
        assert sample.token_source == "estimate"
    assert len({s.id for s in result.samples}) == 3


async def test_closed_loop_keeps_exactly_c_in_flight(sim_factory: Any) -> None:
    root = sim_factory("--decode-ms", "2", "--capacity", "64")
    bus = EventBus()
    in_flight: list[int] = []
    bus.subscribe(
        lambda e: in_flight.append(e.in_flight) if isinstance(e, AttemptStarted) else None
    )
    await run(make_plan(concurrency=[5], repetitions=20, max_tokens=30), root, bus=bus)
    # The first five start together; every later start replaces one that finished.
    assert in_flight[:5] == [0, 1, 2, 3, 4]
    assert max(in_flight) == 4


async def test_open_loop_sends_every_planned_request(sim_url: str) -> None:
    plan = make_plan(concurrency=[8], repetitions=12, arrival="open", rate=200.0)
    result = await run(plan, sim_url)
    assert result.counts == {"ok": 12, "error": 0, "cancelled": 0}
    assert all(s.timing.client_queue_ns >= 0 for s in result.samples)


async def test_cancel_keeps_finished_work_and_accounts_for_every_request(
    sim_factory: Any,
) -> None:
    root = sim_factory("--decode-ms", "20", "--capacity", "64")
    bus = EventBus()
    runner = Runner(
        make_plan(concurrency=[4], repetitions=40, max_tokens=40), base_url=root + "/v1", bus=bus
    )
    finished: list[Sample] = []

    def on_event(event: Event) -> None:
        if isinstance(event, AttemptFinished):
            finished.append(event.sample)
            if len(finished) == 6:
                runner.cancel()

    bus.subscribe(on_event)
    result = await runner.run()
    assert result.cancelled
    assert_counts_add_up(result)
    ok = [s for s in result.samples if s.outcome == "ok"]
    cancelled = [s for s in result.samples if s.outcome == "cancelled"]
    assert len(ok) >= 6
    assert 1 <= len(cancelled) <= 4  # the ones in flight when Cancel was pressed
    assert result.counts["ok"] == len(ok)
    assert result.counts["cancelled"] == 40 - len(ok)
    for sample in cancelled:
        assert sample.error is not None and sample.error.error_class == "cancelled"
    # Nothing is left running.
    assert runner.in_flight == 0
    pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert not [t for t in pending if "Runner" in repr(t)]
