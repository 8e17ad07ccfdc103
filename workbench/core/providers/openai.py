"""OpenAI-style chat completions (OpenAI, DeepSeek, vLLM, Ollama, OpenRouter, ...).

This module is a `workbench.core.providers.Provider`: its functions are the interface.
"""

from __future__ import annotations

from typing import Any

import msgspec

from workbench.core.plan import Params
from workbench.core.providers._state import (
    StreamState,
    XSim,
    classify_error_object,
)
from workbench.core.records import Usage


class _Delta(msgspec.Struct):
    content: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None  # OpenRouter's name for the same thing


class _Choice(msgspec.Struct):
    delta: _Delta | None = None
    finish_reason: str | None = None


class _Message(msgspec.Struct):
    content: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None


class _FullChoice(msgspec.Struct):
    message: _Message | None = None
    finish_reason: str | None = None


class _CompletionDetails(msgspec.Struct):
    reasoning_tokens: int | None = None


class _PromptDetails(msgspec.Struct):
    cached_tokens: int | None = None


class _Usage(msgspec.Struct):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    prompt_cache_hit_tokens: int | None = None
    prompt_cache_miss_tokens: int | None = None
    completion_tokens_details: _CompletionDetails | None = None
    prompt_tokens_details: _PromptDetails | None = None


class _Error(msgspec.Struct):
    message: str = ""
    type: str | None = None
    code: str | int | None = None


class _Chunk(msgspec.Struct):
    choices: list[_Choice] = []
    usage: _Usage | None = None
    system_fingerprint: str | None = None
    error: _Error | None = None
    x_sim: XSim | None = None


class _Completion(msgspec.Struct):
    choices: list[_FullChoice] = []
    usage: _Usage | None = None
    system_fingerprint: str | None = None
    error: _Error | None = None


_chunk_decoder = msgspec.json.Decoder(_Chunk)
_completion_decoder = msgspec.json.Decoder(_Completion)
_error_decoder = msgspec.json.Decoder(_Chunk)


def url(base_url: str) -> str:
    """`base_url` is what the official SDK takes as base_url, e.g. https://api.x.com/v1."""
    return base_url.rstrip("/") + "/chat/completions"


def build_body(
    model: str,
    system: str | None,
    user: str,
    params: Params,
    *,
    include_usage: bool,
) -> dict[str, Any]:
    messages: list[dict[str, str]] = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": user})
    body: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "max_tokens": params.max_tokens,
        "stream": params.stream,
    }
    if params.temperature is not None:
        body["temperature"] = params.temperature
    if params.top_p is not None:
        body["top_p"] = params.top_p
    if params.seed is not None:
        body["seed"] = params.seed
    if params.stream and include_usage:
        body["stream_options"] = {"include_usage": True}
    return body


def auth_headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def _usage(raw: _Usage) -> Usage:
    hit = raw.prompt_cache_hit_tokens
    if hit is None and raw.prompt_tokens_details is not None:
        hit = raw.prompt_tokens_details.cached_tokens
    return Usage(
        prompt_tokens=raw.prompt_tokens,
        completion_tokens=raw.completion_tokens,
        reasoning_tokens=(
            raw.completion_tokens_details.reasoning_tokens
            if raw.completion_tokens_details
            else None
        ),
        cache_hit_tokens=hit,
        cache_miss_tokens=raw.prompt_cache_miss_tokens,
    )


def _error(state: StreamState, err: _Error) -> None:
    kind = err.type or ""
    state.fail(classify_error_object(kind, err.code), err.message or kind or "error in stream")


def feed_line(state: StreamState, line: bytes, now: int) -> None:
    """One SSE line (without its newline) of a streamed chat completion."""
    if not line or line == b"\r":
        state.blank_line(now)
        return
    if line[0] == 58:  # ":" comment, e.g. ": keep-alive"
        state.comment(now)
        return
    if not line.startswith(b"data:"):
        return  # "event:", "id:", "retry:" carry nothing we need here
    state.data_seen(now)
    payload = line[5:].strip()
    if payload == b"[DONE]":
        state.done = True
        return
    try:
        chunk = _chunk_decoder.decode(payload)
    except msgspec.DecodeError as exc:
        state.fail("protocol", f"malformed chunk ({exc}): {payload[:80]!r}")
        return
    if chunk.error is not None:
        _error(state, chunk.error)
        return
    for choice in chunk.choices:
        delta = choice.delta
        if delta is not None:
            reasoning = delta.reasoning_content or delta.reasoning
            if reasoning:
                state.add_reasoning(reasoning, now)
            if delta.content:
                state.add_content(delta.content, now, chunk.x_sim)
        if choice.finish_reason:
            state.finish_reason = choice.finish_reason
    if chunk.usage is not None:
        state.usage = _usage(chunk.usage)
    if chunk.system_fingerprint and state.system_fingerprint is None:
        state.system_fingerprint = chunk.system_fingerprint


def finish_stream(state: StreamState) -> None:
    if state.error is None and not state.done:
        state.fail("protocol", "stream ended without [DONE]; the answer may be incomplete")


def parse_body(state: StreamState, body: bytes, now: int) -> None:
    """A non-streamed completion (leading blank lines, sent while queued, are allowed)."""
    try:
        completion = _completion_decoder.decode(body.strip())
    except msgspec.DecodeError as exc:
        state.fail("protocol", f"response is not a chat completion ({exc})")
        return
    if completion.error is not None:
        _error(state, completion.error)
        return
    if not completion.choices or completion.choices[0].message is None:
        state.fail("protocol", "response has no choices")
        return
    choice = completion.choices[0]
    message = choice.message
    assert message is not None
    reasoning = message.reasoning_content or message.reasoning
    if reasoning:
        state.add_reasoning(reasoning, now)
    state.add_content(message.content or "", now, None)
    state.finish_reason = choice.finish_reason
    if completion.usage is not None:
        state.usage = _usage(completion.usage)
    state.system_fingerprint = completion.system_fingerprint
    state.done = True


def error_message(body: bytes) -> tuple[str, str | None]:
    """Message and type from an OpenAI-shaped error body; raw text when it is not one."""
    try:
        parsed = _error_decoder.decode(body)
    except msgspec.DecodeError:
        text = body.decode("utf-8", "replace").strip()
        return (text[:300] or "(empty body)", None)
    if parsed.error is not None:
        return (parsed.error.message or parsed.error.type or "error", parsed.error.type)
    return (body.decode("utf-8", "replace")[:300], None)
