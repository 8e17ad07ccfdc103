"""The continuous-batching model as a client notices it: queue signals beyond capacity, and
answers that get shorter as the batch grows (depth decay) or vary with it (batch variance)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import aiohttp

from tests.sim.wire_client import StreamResult, chat_body, post_stream, read_sse

SimFactory = Callable[..., str]
# Long answers at a real decode pace: streams stay active until the test closes them.
SLOW = ("--decode-ms", "20", "--mean-tokens", "2000", "--keepalive-interval", "0.2")


async def first_event(response: aiohttp.ClientResponse) -> tuple[str, StreamResult]:
    """Read up to the first data line; return what came first ("comment" or "data")."""
    headers = {k.lower(): v for k, v in response.headers.items()}
    result = StreamResult(response.status, headers)
    first = ""
    while True:
        line = (await response.content.readline()).decode().strip()
        if line.startswith(":"):
            first = first or "comment"
            result.comments.append(line)
        elif line.startswith("data:"):
            result.data.append(json.loads(line[5:]))
            return first or "data", result


async def test_keepalives_appear_exactly_when_capacity_is_exceeded(
    sim_factory: SimFactory,
) -> None:
    url = sim_factory("--capacity", "2", *SLOW) + "/v1/chat/completions"
    async with aiohttp.ClientSession() as http:
        body = chat_body(stream=True)
        first = await http.post(url, json=body)
        second = await http.post(url, json=body)
        seen = [await first_event(first), await first_event(second)]
        # Two concurrent at capacity 2: admitted at once, no queue signal.
        assert [kind for kind, _ in seen] == ["data", "data"]
        assert all(r.headers["x-sim-queued"] == "0" for _, r in seen)

        # The third is short, so it completes soon after it gets a slot.
        third = await http.post(url, json=chat_body("just this", model="echo", stream=True))
        assert third.headers["x-sim-queued"] == "1"
        assert (await third.content.readline()).strip() == b": keep-alive"
        first.close()
        second.close()  # their slots free up; the queued stream gets one
        result = StreamResult(third.status, {})
        await read_sse(third, result)
    assert result.done and result.content() == "just this"
    admitted = result.data[0]["x_sim"]
    assert admitted["queue_ns"] > 0 and 1 <= admitted["admit_active"] <= 2


async def test_queued_non_stream_gets_blank_lines_then_json(sim_factory: SimFactory) -> None:
    url = sim_factory("--capacity", "1", *SLOW) + "/v1/chat/completions"
    async with aiohttp.ClientSession() as http:
        holder = await http.post(url, json=chat_body(stream=True))
        await first_event(holder)
        waiting = await http.post(url, json=chat_body("short", model="echo"))
        assert waiting.headers["x-sim-queued"] == "1"
        assert await waiting.content.read(1) == b"\n"
        holder.close()
        raw = b"\n" + await waiting.read()
    assert raw.startswith(b"\n") and raw.strip().startswith(b"{")
    reply = json.loads(raw)  # JSON parsers skip the leading whitespace
    assert reply["choices"][0]["message"]["content"] == "short"
    assert reply["x_sim"]["queue_ns"] > 0


async def mean_length(url: str, concurrency: int, rounds: int) -> tuple[float, set[int]]:
    """Mean completion tokens of temperature-0 answers, `concurrency` at a time."""
    lengths: list[int] = []
    actives: set[int] = set()
    async with aiohttp.ClientSession() as http:
        for round_ in range(rounds):
            bodies = [
                chat_body(
                    "Explain consensus.",
                    stream=True,
                    temperature=0,
                    seed=round_ * concurrency + i,
                    stream_options={"include_usage": True},
                )
                for i in range(concurrency)
            ]
            results = await asyncio.gather(*(post_stream(http, url, b) for b in bodies))
            for result in results:
                usage = result.usage()
                assert usage is not None
                lengths.append(usage["completion_tokens"])
                actives.add(result.data[0]["x_sim"]["active"])
    return sum(lengths) / len(lengths), actives


async def test_depth_decay_shortens_answers_per_doubling(sim_factory: SimFactory) -> None:
    knobs = ("--zero-delay", "--depth-decay", "0.2", "--mean-tokens", "400", "--capacity", "32")
    alone = sim_factory(*knobs) + "/v1/chat/completions"
    # The barrier makes all 32 of a round decode in one batch: "32 active" is exact.
    batched = sim_factory(*knobs, "--hold-until-active", "32") + "/v1/chat/completions"
    mean_1, actives_1 = await mean_length(alone, 1, 32)
    mean_32, actives_32 = await mean_length(batched, 32, 2)
    assert actives_1 == {1} and actives_32 == {32}
    expected = 0.8**5
    assert abs(mean_32 / mean_1 - expected) / expected < 0.10


def _batched_and_solo(sim_factory: SimFactory, *knobs: str) -> tuple[str, str]:
    """Chat URLs of two simulators with batch variance 1: one that decodes 8 sequences at
    once, one that sees each request alone."""
    knobs = ("--zero-delay", "--batch-variance", "1", *knobs)
    batched = sim_factory(*knobs, "--capacity", "8", "--hold-until-active", "8")
    return batched + "/v1/chat/completions", sim_factory(*knobs) + "/v1/chat/completions"


async def test_batch_variance_changes_temperature_zero_output_only_in_batches(
    sim_factory: SimFactory,
) -> None:
    url, solo = _batched_and_solo(sim_factory, "--mean-tokens", "60", "--seed", "4")
    body = chat_body("Explain TCP.", stream=True, temperature=0, seed=11)
    async with aiohttp.ClientSession() as http:
        alone = {(await post_stream(http, solo, body)).content() for _ in range(4)}
        batch = await asyncio.gather(*(post_stream(http, url, body) for _ in range(8)))
    assert len(alone) == 1  # active=1: never perturbed
    texts = {r.content() for r in batch}
    # P(perturbed) = 1 - 1/8 per request: some of the 8 differ from the unperturbed text.
    assert len(texts) > 1


async def test_a_perturbed_response_departs_from_the_usual_one_part_way_through(
    sim_factory: SimFactory,
) -> None:
    url, solo = _batched_and_solo(sim_factory, "--mean-tokens", "80", "--seed", "6")
    body = chat_body("Explain TCP.", stream=True, temperature=0)
    async with aiohttp.ClientSession() as http:
        usual = (await post_stream(http, solo, body)).content().split()
        batch = await asyncio.gather(*(post_stream(http, url, body) for _ in range(8)))
    departures = []
    for result in batch:
        text = result.content().split()
        assert len(text) == len(usual)  # one word replaced, nothing added or lost
        differing = [i for i, (a, b) in enumerate(zip(usual, text, strict=True)) if a != b]
        assert len(differing) <= 1
        departures += differing
    # Perturbed with P = 1 - 1/8 each, at a uniformly drawn place: not all at the start.
    assert len(departures) >= 4 and max(departures) > 0


async def test_answer_choices_end_every_answer_with_one_of_k_letters(
    sim_factory: SimFactory,
) -> None:
    url = sim_factory("--zero-delay", "--seed", "2", "--answer-choices", "3")
    url += "/v1/chat/completions"
    async with aiohttp.ClientSession() as http:
        hot = [await post_stream(http, url, chat_body(stream=True, temperature=1))
               for _ in range(30)]
        cold = [await post_stream(http, url, chat_body(stream=True, temperature=0))
                for _ in range(3)]
    letters = [r.content().rsplit("\n\nAnswer: ", 1)[1] for r in hot]
    assert set(letters) == {"A", "B", "C"}  # P(a letter missing in 30) < 3 x (2/3)^30
    assert len({r.content() for r in cold}) == 1  # temperature 0: the same answer each time


async def test_clients_that_leave_free_their_slot_or_queue_place(sim_factory: SimFactory) -> None:
    url = sim_factory("--capacity", "1", *SLOW) + "/v1/chat/completions"
    # A leaked slot would queue the probe forever: the client timeout turns that into a failure.
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
        holder = await http.post(url, json=chat_body(stream=True))
        await first_event(holder)
        quitter = await http.post(url, json=chat_body(stream=True))
        assert (await quitter.content.readline()).strip() == b": keep-alive"
        quitter.close()  # leaves the queue
        holder.close()  # leaves mid-stream
        # Nobody is left: the next request is admitted at once (no leaked slot or waiter);
        # the server notices the departures at its next write, hence the retry loop.
        for _ in range(100):
            result = await post_stream(http, url, chat_body("x", model="echo", stream=True))
            if result.headers["x-sim-queued"] == "0":
                break
        assert result.headers["x-sim-queued"] == "0" and result.done
