"""The request side of each wire format: where it is sent, how the key travels, the body."""

from __future__ import annotations

from workbench.core.plan import Params
from workbench.core.providers import StreamState, provider_for

KEY = "fake-provider-key-0000"


def test_openai_style_request_follows_the_sdk_base_url() -> None:
    provider = provider_for("openai")
    assert (
        provider.url("https://api.deepseek.com/v1/")
        == "https://api.deepseek.com/v1/chat/completions"
    )
    assert provider.auth_headers(KEY) == {"Authorization": f"Bearer {KEY}"}
    assert provider.auth_headers(None) == {}  # a local server without a key
    body = provider.build_body(
        "m", "be brief", "hi", Params(max_tokens=8, temperature=1.5), include_usage=True
    )
    assert body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi"},
    ]
    assert body["temperature"] == 1.5 and body["stream_options"] == {"include_usage": True}
    asked_plainly = provider.build_body("m", None, "hi", Params(), include_usage=False)
    assert "stream_options" not in asked_plainly


def test_anthropic_request_carries_its_version_and_clamps_temperature() -> None:
    provider = provider_for("anthropic")
    assert provider.url("https://api.anthropic.com") == "https://api.anthropic.com/v1/messages"
    headers = provider.auth_headers(KEY)
    assert headers["x-api-key"] == KEY and "anthropic-version" in headers
    assert "x-api-key" not in provider.auth_headers(None)
    body = provider.build_body(
        "m", "be brief", "hi", Params(max_tokens=8, temperature=1.5), include_usage=True
    )
    assert body["system"] == "be brief" and body["messages"] == [{"role": "user", "content": "hi"}]
    assert body["temperature"] == 1.0  # Anthropic's range ends at 1
    assert "stream_options" not in body


def test_a_whole_answer_and_an_error_body_are_read_by_each_style() -> None:
    openai, anthropic = provider_for("openai"), provider_for("anthropic")
    state = StreamState()
    openai.parse_body(
        state, b'\n\n{"choices":[{"message":{"content":"OK"},"finish_reason":"stop"}]}', 5
    )
    assert (state.content, state.finish_reason, state.done) == (["OK"], "stop", True)
    state = StreamState()
    anthropic.parse_body(
        state, b'{"content":[{"type":"text","text":"OK"}],"stop_reason":"max_tokens"}', 5
    )
    assert (state.content, state.finish_reason, state.done) == (["OK"], "length", True)
    assert openai.error_message(b'{"error":{"message":"bad model","type":"invalid"}}') == (
        "bad model",
        "invalid",
    )
    assert anthropic.error_message(
        b'{"type":"error","error":{"type":"not_found_error","message":"no such model"}}'
    ) == ("no such model", "not_found_error")
    assert openai.error_message(b"<html>gateway</html>") == ("<html>gateway</html>", None)
