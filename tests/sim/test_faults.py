"""Fault injection: each kind produces exactly its fault, at about its rate; auth errors."""

from __future__ import annotations

import asyncio
import json
import math
from collections import Counter
from collections.abc import Callable

import aiohttp
import pytest

from tests.sim.wire_client import StreamResult, chat_body, post_stream

SimFactory = Callable[..., str]
FAST = ("--zero-delay", "--mean-tokens", "16", "--stall-seconds", "0.1", "--seed", "3")


def classify(result: StreamResult) -> str:
    """What a client observed, named like the fault kinds ("ok" when nothing went wrong)."""
    if result.status in (429, 500, 503):
        return str(result.status)
    if result.error is not None:
        content = [d for d in result.data[1:] if d["choices"] and d["choices"][0]["delta"]]
        # A stall (after 0 content tokens) sends nothing more before the close; a reset
        # comes mid-content.
        return "reset" if content else "stall"
    if result.malformed:
        return "malformed"
    if not result.done:
        return "no-done"
    return "ok"


async def run_many(url: str, count: int, concurrency: int = 32) -> Counter[str]:
    limit = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(i: int) -> str:
            async with limit:
                body = chat_body(f"request {i}", stream=True)
                return classify(await post_stream(http, url + "/v1/chat/completions", body))

        return Counter(await asyncio.gather(*(one(i) for i in range(count))))


@pytest.mark.parametrize("kind", ["429", "500", "503", "reset", "malformed", "stall", "no-done"])
async def test_rate_one_gives_that_fault_every_time(sim_factory: SimFactory, kind: str) -> None:
    url = sim_factory(*FAST, "--fault", f"{kind}=1")
    assert await run_many(url, 6) == Counter({kind: 6})


async def test_each_fault_at_about_its_rate(sim_factory: SimFactory) -> None:
    kinds = ["429", "500", "503", "reset", "malformed", "stall", "no-done"]
    rate, count = 0.12, 600
    faults = [arg for kind in kinds for arg in ("--fault", f"{kind}={rate}")]
    seen = await run_many(sim_factory(*FAST, *faults), count)
    for kind in [*kinds, "ok"]:
        p = rate if kind != "ok" else 1 - rate * len(kinds)
        expected = count * p
        tolerance = 4 * math.sqrt(count * p * (1 - p))
        assert abs(seen[kind] - expected) <= tolerance, (kind, seen)


async def test_429_carries_retry_after_in_both_shapes(sim_factory: SimFactory) -> None:
    url = sim_factory(*FAST, "--fault", "429=1", "--retry-after", "2.5")
    async with aiohttp.ClientSession() as http:
        openai = await post_stream(http, url + "/v1/chat/completions", chat_body())
        anthropic = await post_stream(http, url + "/v1/messages", chat_body(max_tokens=5))
    assert openai.headers["retry-after"] == anthropic.headers["retry-after"] == "2.5"
    assert json.loads(openai.body)["error"]["code"] == "rate_limit_exceeded"
    assert json.loads(anthropic.body)["error"]["type"] == "rate_limit_error"


async def test_required_key_gives_401_without_echoing_it(sim_factory: SimFactory) -> None:
    url = sim_factory("--zero-delay", "--require-key", "sk-sim-right-key")
    wrong = "sk-sim-wrong-key-123"
    async with aiohttp.ClientSession() as http:
        openai = await post_stream(
            http,
            url + "/v1/chat/completions",
            chat_body(),
            headers={"Authorization": f"Bearer {wrong}"},
        )
        anthropic = await post_stream(
            http, url + "/v1/messages", chat_body(max_tokens=5), headers={"x-api-key": wrong}
        )
        missing = await post_stream(http, url + "/v1/chat/completions", chat_body())
        right = await post_stream(
            http,
            url + "/v1/chat/completions",
            chat_body(),
            headers={"Authorization": "Bearer sk-sim-right-key"},
        )
        right_anthropic = await post_stream(
            http,
            url + "/v1/messages",
            chat_body(max_tokens=5),
            headers={"x-api-key": "sk-sim-right-key"},
        )
    assert openai.status == anthropic.status == missing.status == 401
    assert json.loads(openai.body)["error"] == {
        "message": "Invalid API key provided.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
    assert json.loads(anthropic.body)["error"]["type"] == "authentication_error"
    for reply in (openai, anthropic, missing):
        raw = reply.body + json.dumps(reply.headers).encode()
        assert b"wrong-key" not in raw and b"right-key" not in raw
    assert right.status == right_anthropic.status == 200
