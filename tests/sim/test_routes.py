"""The OpenAI- and Anthropic-style routes as a client sees them, over loopback HTTP."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest

from tests.sim.wire_client import chat_body, post_stream
from workbench.sim.tokens import count_tokens

ANTHROPIC = {"anthropic-version": "2023-06-01"}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def unique(text: str) -> str:
    """A prompt no other test sent (the prompt cache and seeding depend on the text)."""
    return f"{text} [{uuid.uuid4().hex[:8]}]"


async def test_health_and_models(http: aiohttp.ClientSession, sim_url: str) -> None:
    async with http.get(sim_url + "/health") as reply:
        assert await reply.json() == {"status": "ok"}
    async with http.get(sim_url + "/v1/models") as reply:
        listing = await reply.json()
    assert listing["object"] == "list"
    assert {m["id"] for m in listing["data"]} == {"sim-chat", "sim-reasoner", "echo"}
    async with http.get(sim_url + "/v1/models", headers=ANTHROPIC) as reply:
        anthropic_listing = await reply.json()
    assert anthropic_listing["has_more"] is False
    assert all(m["type"] == "model" for m in anthropic_listing["data"])


async def test_openai_stream_has_the_documented_shape(
    http: aiohttp.ClientSession, sim_url: str
) -> None:
    body = chat_body(unique("How does TCP work?"), stream=True)
    body["stream_options"] = {"include_usage": True}
    result = await post_stream(http, sim_url + "/v1/chat/completions", body)
    assert result.status == 200 and result.done and result.error is None
    first, *middle, finish, usage_chunk = result.data
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert {"queue_ns", "admit_active", "t", "active"} <= first["x_sim"].keys()
    assert all(c["choices"][0]["delta"].get("content") for c in middle)
    assert finish["choices"][0]["delta"] == {} and finish["choices"][0]["finish_reason"] == "stop"
    assert usage_chunk["choices"] == []
    for chunk in result.data:
        assert {"id", "object", "created", "model", "system_fingerprint", "x_sim"} <= chunk.keys()
        assert chunk["object"] == "chat.completion.chunk"
    stamps = [c["x_sim"]["t"] for c in result.data]
    assert stamps == sorted(stamps)
    usage = usage_chunk["usage"]
    assert usage["completion_tokens"] == len(middle) == count_tokens(result.content())
    assert usage["prompt_cache_hit_tokens"] == 0
    assert usage["prompt_cache_miss_tokens"] == usage["prompt_tokens"]
    assert result.headers["x-sim-queued"] == "0" and result.headers["x-sim-queue-ns"] == "0"
    assert result.headers["x-request-id"].startswith("chatcmpl-")
    assert int(result.headers["x-ratelimit-limit-requests"]) == 16


async def test_usage_chunk_only_when_asked(http: aiohttp.ClientSession, sim_url: str) -> None:
    result = await post_stream(
        http, sim_url + "/v1/chat/completions", chat_body(unique("Bread?"), stream=True)
    )
    assert result.done and result.usage() is None


async def test_repeated_prompt_hits_the_cache(http: aiohttp.ClientSession, sim_url: str) -> None:
    body = chat_body(unique("Tell me about database indexes."))
    usages = []
    for _ in range(2):
        result = await post_stream(http, sim_url + "/v1/chat/completions", body)
        usages.append(json.loads(result.body)["usage"])
    assert usages[0]["prompt_cache_hit_tokens"] == 0
    assert usages[1]["prompt_cache_hit_tokens"] == usages[1]["prompt_tokens"] > 0


async def test_non_stream_completion(http: aiohttp.ClientSession, sim_url: str) -> None:
    result = await post_stream(http, sim_url + "/v1/chat/completions", chat_body(unique("Raft")))
    reply = json.loads(result.body)
    assert reply["object"] == "chat.completion"
    assert reply["choices"][0]["finish_reason"] == "stop"
    text = reply["choices"][0]["message"]["content"]
    assert reply["usage"]["completion_tokens"] == count_tokens(text) > 0


async def test_reasoner_streams_reasoning_before_content(
    http: aiohttp.ClientSession, sim_url: str
) -> None:
    body = chat_body(unique("Why consensus?"), model="sim-reasoner", stream=True)
    body["stream_options"] = {"include_usage": True}
    result = await post_stream(http, sim_url + "/v1/chat/completions", body)
    kinds = [
        "r" if "reasoning_content" in c["choices"][0]["delta"] else "c"
        for c in result.data[1:]
        if c.get("choices") and c["choices"][0]["delta"]
    ]
    assert kinds and kinds[0] == "r" and "c" in kinds
    assert kinds == sorted(kinds, key=lambda k: k == "c")  # all reasoning, then all content
    usage = result.usage()
    assert usage is not None
    reasoning_tokens = usage["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning_tokens == count_tokens(result.reasoning()) > 0
    assert usage["completion_tokens"] == reasoning_tokens + count_tokens(result.content())


@pytest.mark.parametrize("limit_field", ["max_tokens", "max_completion_tokens"])
async def test_max_tokens_cuts_with_length(
    http: aiohttp.ClientSession, sim_url: str, limit_field: str
) -> None:
    body = chat_body(unique("Tomatoes"), stream=True)
    body[limit_field] = 7
    body["stream_options"] = {"include_usage": True}
    result = await post_stream(http, sim_url + "/v1/chat/completions", body)
    assert result.finish_reason() == "length"
    assert count_tokens(result.content()) == 7
    usage = result.usage()
    assert usage is not None and usage["completion_tokens"] == 7


async def test_echo_returns_the_last_user_message_verbatim(
    http: aiohttp.ClientSession, sim_url: str
) -> None:
    text = "Line one,  with  spaces.\n\n- a list item: naïve café 42!\ttab  "
    body = {
        "model": "echo",
        "stream": True,
        "messages": [
            {"role": "system", "content": "ignored"},
            {"role": "user", "content": "earlier"},
            {"role": "assistant", "content": "reply"},
            {"role": "user", "content": [{"type": "text", "text": text}]},
        ],
    }
    result = await post_stream(http, sim_url + "/v1/chat/completions", body)
    assert result.content() == text
    assert len(result.data) > 5  # streamed in pieces, not one blob


async def test_temperature_zero_with_seed_is_identical(
    http: aiohttp.ClientSession, sim_url: str
) -> None:
    prompt = unique("Explain congestion control.")
    texts = set()
    for _ in range(3):
        body = chat_body(prompt, stream=True, temperature=0, seed=7)
        texts.add((await post_stream(http, sim_url + "/v1/chat/completions", body)).content())
    assert len(texts) == 1


async def test_temperature_one_varies(http: aiohttp.ClientSession, sim_url: str) -> None:
    prompt = unique("Explain congestion control.")
    texts = []
    for _ in range(6):
        body = chat_body(prompt, stream=True, temperature=1.0)
        texts.append((await post_stream(http, sim_url + "/v1/chat/completions", body)).content())
    assert len(set(texts)) == 6
    assert len({count_tokens(t) for t in texts}) > 1  # lengths spread too


async def test_answers_have_structure(http: aiohttp.ClientSession, sim_url: str) -> None:
    """Across a few answers: paragraphs, and lists or headings, as real answers have."""
    text = ""
    for seed in range(8):
        body = chat_body("How do database indexes work?", temperature=0.7, seed=seed)
        reply = json.loads((await post_stream(http, sim_url + "/v1/chat/completions", body)).body)
        text += reply["choices"][0]["message"]["content"] + "\n\n"
    assert "\n\n" in text
    assert "\n- " in text or "\n1. " in text
    assert "## " in text
    assert "index" in text.lower()  # on topic


async def test_errors_in_openai_shape(http: aiohttp.ClientSession, sim_url: str) -> None:
    url = sim_url + "/v1/chat/completions"
    bad_json = await post_stream(http, url, b"{not json")
    assert bad_json.status == 400
    assert json.loads(bad_json.body)["error"]["type"] == "invalid_request_error"
    unknown = await post_stream(http, url, chat_body(model="gpt-nope"))
    assert unknown.status == 404
    assert "gpt-nope" in json.loads(unknown.body)["error"]["message"]


async def test_errors_in_anthropic_shape(http: aiohttp.ClientSession, sim_url: str) -> None:
    url = sim_url + "/v1/messages"
    bad_json = await post_stream(http, url, b"[", headers=ANTHROPIC)
    assert bad_json.status == 400
    assert json.loads(bad_json.body)["type"] == "error"
    unknown = await post_stream(http, url, chat_body(model="claude-nope", max_tokens=5))
    assert unknown.status == 404
    assert json.loads(unknown.body)["error"]["type"] == "not_found_error"


async def test_anthropic_stream_event_sequence(http: aiohttp.ClientSession, sim_url: str) -> None:
    body = chat_body(unique("Bread"), model="sim-reasoner", stream=True, max_tokens=4000)
    result = await post_stream(http, sim_url + "/v1/messages", body, headers=ANTHROPIC)
    events = result.events
    assert events[0] == "message_start" and events[1] == "ping"
    assert events[-2:] == ["message_delta", "message_stop"]
    blocks = [d["content_block"]["type"] for d in result.data if d["type"] == "content_block_start"]
    assert blocks == ["thinking", "text"]
    deltas = [d["delta"]["type"] for d in result.data if d["type"] == "content_block_delta"]
    first_text = deltas.index("text_delta")
    assert set(deltas[:first_text]) <= {"thinking_delta", "signature_delta"}
    assert "thinking_delta" in deltas[:first_text]
    for d in result.data:
        if d["type"] in ("content_block_delta", "message_delta") and "signature" not in d["delta"]:
            assert {"t", "active"} <= d["x_sim"].keys()
    final = result.data[-2]
    assert final["delta"]["stop_reason"] == "end_turn"
    text = "".join(
        d["delta"].get("text", "") for d in result.data if d["type"] == "content_block_delta"
    )
    thinking = "".join(
        d["delta"].get("thinking", "") for d in result.data if d["type"] == "content_block_delta"
    )
    assert final["usage"]["output_tokens"] == count_tokens(text) + count_tokens(thinking)


async def test_anthropic_max_tokens(http: aiohttp.ClientSession, sim_url: str) -> None:
    body = chat_body(unique("Bread"), stream=False, max_tokens=5)
    result = await post_stream(http, sim_url + "/v1/messages", body, headers=ANTHROPIC)
    message = json.loads(result.body)
    assert message["stop_reason"] == "max_tokens"
    assert message["usage"]["output_tokens"] == 5 == count_tokens(message["content"][0]["text"])


async def test_chunks_are_not_tokens(sim_factory: Callable[..., str]) -> None:
    url = sim_factory("--zero-delay", "--chunk-tokens", "4")
    async with aiohttp.ClientSession() as http:
        body = chat_body("TCP", stream=True, temperature=0, seed=3)
        body["stream_options"] = {"include_usage": True}
        result = await post_stream(http, url + "/v1/chat/completions", body)
    sizes = [count_tokens(c["choices"][0]["delta"]["content"]) for c in result.data[1:-2]]
    assert max(sizes) > 1 and max(sizes) <= 4
    usage = result.usage()
    assert usage is not None and usage["completion_tokens"] == sum(sizes)


async def test_stream_options_can_be_rejected(sim_factory: Callable[..., str]) -> None:
    url = sim_factory("--zero-delay", "--reject-stream-options")
    async with aiohttp.ClientSession() as http:
        body = chat_body(stream=True, stream_options={"include_usage": True})
        rejected = await post_stream(http, url + "/v1/chat/completions", body)
        accepted = await post_stream(http, url + "/v1/chat/completions", chat_body(stream=True))
    assert rejected.status == 400
    assert json.loads(rejected.body)["error"]["param"] == "stream_options"
    assert accepted.status == 200 and accepted.done
