"""Anthropic Messages API, streaming (SSE events) and not.

This module is a `workbench.core.providers.Provider`: its functions are the interface.
"""

from __future__ import annotations

from typing import Any

import msgspec

from workbench.core.plan import Params
from workbench.core.providers._state import StreamState, XSim, classify_error_object
from workbench.core.records import Usage

API_VERSION = "2023-06-01"

# Anthropic's stop reasons in the vocabulary the analysis counts (OpenAI's).
_STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length"}


class _Usage(msgspec.Struct):
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None


class _Message(msgspec.Struct):
    usage: _Usage | None = None


class _Delta(msgspec.Struct):
    type: str | None = None
    text: str | None = None
    thinking: str | None = None
    stop_reason: str | None = None


class _Error(msgspec.Struct):
    type: str = ""
    message: str = ""


class _Event(msgspec.Struct):
    type: str
    message: _Message | None = None
    delta: _Delta | None = None
    usage: _Usage | None = None
    error: _Error | None = None
    x_sim: XSim | None = None


class _Block(msgspec.Struct):
    type: str
    text: str | None = None
    thinking: str | None = None


class _Response(msgspec.Struct):
    type: str = "message"
    content: list[_Block] = []
    stop_reason: str | None = None
    usage: _Usage | None = None
    error: _Error | None = None


_event_decoder = msgspec.json.Decoder(_Event)
_response_decoder = msgspec.json.Decoder(_Response)


def url(base_url: str) -> str:
    """`base_url` as the official SDK takes it, e.g. https://api.anthropic.com (no /v1)."""
    return base_url.rstrip("/") + "/v1/messages"


def build_body(
    model: str, system: str | None, user: str, params: Params, *, include_usage: bool
) -> dict[str, Any]:
    del include_usage  # Anthropic always reports usage
    body: dict[str, Any] = {
        "model": model,
        "max_tokens": params.max_tokens,
        "messages": [{"role": "user", "content": user}],
        "stream": params.stream,
    }
    if system:
        body["system"] = system
    if params.temperature is not None:
        # Anthropic's range is 0-1; the plan allows 0-2 for OpenAI-style servers.
        body["temperature"] = min(params.temperature, 1.0)
    if params.top_p is not None:
        body["top_p"] = params.top_p
    return body


def auth_headers(api_key: str | None) -> dict[str, str]:
    headers = {"anthropic-version": API_VERSION}
    if api_key:
        headers["x-api-key"] = api_key
    return headers


def _merge_usage(state: StreamState, raw: _Usage) -> None:
    """Anthropic's input_tokens excludes cached tokens; the prompt is all three together."""
    usage = state.usage
    prompt = usage.prompt_tokens
    if raw.input_tokens is not None:
        prompt = (
            raw.input_tokens
            + (raw.cache_read_input_tokens or 0)
            + (raw.cache_creation_input_tokens or 0)
        )
    state.usage = Usage(
        prompt_tokens=prompt,
        completion_tokens=(
            raw.output_tokens if raw.output_tokens is not None else usage.completion_tokens
        ),
        cache_hit_tokens=(
            raw.cache_read_input_tokens
            if raw.cache_read_input_tokens is not None
            else usage.cache_hit_tokens
        ),
        cache_miss_tokens=(
            raw.input_tokens if raw.input_tokens is not None else usage.cache_miss_tokens
        ),
    )


def feed_line(state: StreamState, line: bytes, now: int) -> None:
    if not line or line == b"\r":
        state.blank_line(now)
        return
    if line[0] == 58:
        state.comment(now)
        return
    if not line.startswith(b"data:"):
        return  # the "event:" line repeats the data's own "type"
    state.data_seen(now)
    payload = line[5:].strip()
    try:
        event = _event_decoder.decode(payload)
    except msgspec.DecodeError as exc:
        state.fail("protocol", f"malformed event ({exc}): {payload[:80]!r}")
        return
    kind = event.type
    if kind == "content_block_delta" and event.delta is not None:
        delta = event.delta
        if delta.type == "text_delta" and delta.text:
            state.add_content(delta.text, now, event.x_sim)
        elif delta.type == "thinking_delta" and delta.thinking:
            state.add_reasoning(delta.thinking, now)
    elif kind == "message_start" and event.message is not None and event.message.usage:
        _merge_usage(state, event.message.usage)
    elif kind == "message_delta":
        if event.delta is not None and event.delta.stop_reason:
            reason = event.delta.stop_reason
            state.finish_reason = _STOP_REASONS.get(reason, reason)
        if event.usage is not None:
            _merge_usage(state, event.usage)
    elif kind == "message_stop":
        state.done = True
    elif kind == "error":
        err = event.error or _Error()
        state.fail(classify_error_object(err.type, None), err.message or err.type or "error event")


def finish_stream(state: StreamState) -> None:
    if state.error is None and not state.done:
        state.fail("protocol", "stream ended without message_stop; the answer may be incomplete")


def parse_body(state: StreamState, body: bytes, now: int) -> None:
    try:
        response = _response_decoder.decode(body.strip())
    except msgspec.DecodeError as exc:
        state.fail("protocol", f"response is not an Anthropic message ({exc})")
        return
    if response.type == "error" or response.error is not None:
        err = response.error or _Error()
        state.fail(classify_error_object(err.type, None), err.message or "error response")
        return
    for block in response.content:
        if block.type == "thinking" and block.thinking:
            state.add_reasoning(block.thinking, now)
        elif block.type == "text" and block.text:
            state.add_content(block.text, now, None)
    if response.stop_reason:
        state.finish_reason = _STOP_REASONS.get(response.stop_reason, response.stop_reason)
    if response.usage is not None:
        _merge_usage(state, response.usage)
    state.done = True


def error_message(body: bytes) -> tuple[str, str | None]:
    try:
        event = _event_decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        text = body.decode("utf-8", "replace").strip()
        return (text[:300] or "(empty body)", None)
    if event.error is not None:
        return (event.error.message or event.error.type, event.error.type)
    return (body.decode("utf-8", "replace")[:300], None)
