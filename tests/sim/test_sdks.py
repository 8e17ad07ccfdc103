"""The official openai and anthropic SDKs work against the simulator unchanged."""

from __future__ import annotations

from collections.abc import Callable

import anthropic
import openai
import pytest

from workbench.sim.tokens import count_tokens

SimFactory = Callable[..., str]


def openai_client(url: str, key: str = "sk-sim") -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0)


def anthropic_client(url: str, key: str = "sk-sim") -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=url, api_key=key, max_retries=0)


def test_openai_sdk_stream_and_not(sim_url: str) -> None:
    client = openai_client(sim_url)
    reply = client.chat.completions.create(
        model="echo", messages=[{"role": "user", "content": "hello sdk"}]
    )
    assert reply.choices[0].message.content == "hello sdk"
    assert reply.usage is not None and reply.usage.completion_tokens == 2

    stream = client.chat.completions.create(
        model="sim-reasoner",
        messages=[{"role": "user", "content": "Explain Raft."}],
        stream=True,
        stream_options={"include_usage": True},
        max_tokens=400,
    )
    text, usage, finish = "", None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finish = choice.finish_reason or finish
    assert finish in ("stop", "length") and text
    assert usage is not None
    details = usage.completion_tokens_details
    assert details is not None and details.reasoning_tokens
    assert usage.completion_tokens == count_tokens(text) + details.reasoning_tokens

    assert {m.id for m in client.models.list()} == {"sim-chat", "sim-reasoner", "echo"}


def test_anthropic_sdk_create_stream_and_models(sim_url: str) -> None:
    client = anthropic_client(sim_url)
    message = client.messages.create(
        model="echo", max_tokens=50, messages=[{"role": "user", "content": "hi there"}]
    )
    assert message.content[0].type == "text" and message.content[0].text == "hi there"
    assert message.stop_reason == "end_turn"

    with client.messages.stream(
        model="sim-reasoner",
        max_tokens=4000,
        messages=[{"role": "user", "content": "How do I bake bread?"}],
    ) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert [block.type for block in final.content] == ["thinking", "text"]
    assert final.content[1].text == streamed and streamed  # type: ignore[union-attr]
    assert final.usage.output_tokens > count_tokens(streamed)

    assert {m.id for m in client.models.list()} == {"sim-chat", "sim-reasoner", "echo"}


def test_sdks_see_auth_and_rate_limit_errors(sim_factory: SimFactory) -> None:
    locked = sim_factory("--zero-delay", "--require-key", "sk-sim-good")
    with pytest.raises(openai.AuthenticationError):
        openai_client(locked, "sk-sim-bad").chat.completions.create(
            model="sim-chat", messages=[{"role": "user", "content": "x"}]
        )
    with pytest.raises(anthropic.AuthenticationError):
        anthropic_client(locked, "sk-sim-bad").messages.create(
            model="sim-chat", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
    ok = openai_client(locked, "sk-sim-good").chat.completions.create(
        model="echo", messages=[{"role": "user", "content": "in"}]
    )
    assert ok.choices[0].message.content == "in"

    limited = sim_factory("--zero-delay", "--fault", "429=1")
    with pytest.raises(openai.RateLimitError):
        openai_client(limited).chat.completions.create(
            model="sim-chat", messages=[{"role": "user", "content": "x"}]
        )
