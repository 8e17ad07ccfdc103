"""Bytes on the wire: OpenAI chat-completion chunks and Anthropic message events.

Per request the constant parts of every chunk are encoded once into a `%`-template, so each
chunk costs one string encode and one bytes format. Every data chunk carries
`"x_sim": {"t": perf_counter_ns at writing, "active": active sequences}` (the ground truth for
timing-fidelity checks); the first one of a stream also carries `queue_ns` and `admit_active`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

_json = msgspec.json.encode


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    cache_hit_tokens: int
    reasoning_tokens: int
    content_tokens: int

    @property
    def completion_tokens(self) -> int:
        return self.reasoning_tokens + self.content_tokens

    def openai(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": self.cache_hit_tokens},
            "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
            # DeepSeek's names for the same split.
            "prompt_cache_hit_tokens": self.cache_hit_tokens,
            "prompt_cache_miss_tokens": self.prompt_tokens - self.cache_hit_tokens,
        }

    def anthropic(self) -> dict[str, Any]:
        # Anthropic's input_tokens excludes tokens read from the cache.
        return {
            "input_tokens": self.prompt_tokens - self.cache_hit_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": self.cache_hit_tokens,
            "output_tokens": self.completion_tokens,
        }


def _template(prefix: bytes) -> bytes:
    return prefix.replace(b"%", b"%%")


def first_x_sim(t: int, active: int, queue_ns: int, admit_active: int) -> bytes:
    return b'{"t":%d,"active":%d,"queue_ns":%d,"admit_active":%d}' % (
        t,
        active,
        queue_ns,
        admit_active,
    )


class OpenAIStream:
    """Chunks of one `/v1/chat/completions` stream."""

    keepalive = b": keep-alive\n\n"

    def __init__(self, request_id: str, created: int, model: str, fingerprint: str) -> None:
        self._head = (
            b'data: {"id":%s,"object":"chat.completion.chunk","created":%d,"model":%s,'
            b'"system_fingerprint":%s,"choices":'
            % (_json(request_id), created, _json(model), _json(fingerprint))
        )
        head = _template(self._head)
        self._content = head + b'[{"index":0,"delta":{"content":%s},"logprobs":null,'
        self._content += b'"finish_reason":null}],"x_sim":{"t":%d,"active":%d}}\n\n'
        self._reasoning = head + b'[{"index":0,"delta":{"reasoning_content":%s},"logprobs":null,'
        self._reasoning += b'"finish_reason":null}],"x_sim":{"t":%d,"active":%d}}\n\n'

    def start(self, x_sim: bytes) -> bytes:
        return (
            self._head + b'[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,'
            b'"finish_reason":null}],"x_sim":' + x_sim + b"}\n\n"
        )

    def reasoning(self, text: str, t: int, active: int) -> bytes:
        return self._reasoning % (_json(text), t, active)

    def content(self, text: str, t: int, active: int) -> bytes:
        return self._content % (_json(text), t, active)

    def begin_content(self) -> bytes:
        return b""

    def finish(self, reason: str, usage: Usage | None, t: int, active: int) -> bytes:
        head = self._head
        out = head + b'[{"index":0,"delta":{},"logprobs":null,"finish_reason":%s}],' % _json(reason)
        out += b'"x_sim":{"t":%d,"active":%d}}\n\n' % (t, active)
        if usage is not None:
            out += head + b'[],"usage":%s,"x_sim":{"t":%d,"active":%d}}\n\n' % (
                _json(usage.openai()),
                t,
                active,
            )
        return out

    def done(self) -> bytes:
        return b"data: [DONE]\n\n"

    def malformed(self) -> bytes:
        return self._head + b'[{"index":0,"delta":{"content":"\n\n'


class AnthropicStream:
    """Events of one `/v1/messages` stream: thinking block (reasoner) then text block."""

    keepalive = b": keep-alive\n\n"

    def __init__(self, message_id: str, model: str, usage: Usage, thinking: bool) -> None:
        self._message: dict[str, Any] = {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {**usage.anthropic(), "output_tokens": 1},
        }
        self._thinking = thinking
        self._index = 0
        self._text = self._delta_template(0 if not thinking else 1, b"text_delta", b"text")
        self._think = self._delta_template(0, b"thinking_delta", b"thinking")

    @staticmethod
    def _delta_template(index: int, kind: bytes, field: bytes) -> bytes:
        return (
            b'event: content_block_delta\ndata: {"type":"content_block_delta","index":%d,' % index
            + b'"delta":{"type":"'
            + kind
            + b'","'
            + field
            + b'":%s},"x_sim":{"t":%d,"active":%d}}\n\n'
        )

    @staticmethod
    def _event(name: bytes, data: bytes) -> bytes:
        return b"event: " + name + b"\ndata: " + data + b"\n\n"

    def _block_start(self, index: int, block: dict[str, Any]) -> bytes:
        data = {"type": "content_block_start", "index": index, "content_block": block}
        return self._event(b"content_block_start", _json(data))

    def _block_stop(self, index: int) -> bytes:
        return self._event(
            b"content_block_stop", b'{"type":"content_block_stop","index":%d}' % index
        )

    def start(self, x_sim: bytes) -> bytes:
        start = _json({"type": "message_start", "message": self._message})
        out = self._event(b"message_start", start[:-1] + b',"x_sim":' + x_sim + b"}")
        out += self._event(b"ping", b'{"type":"ping"}')
        if self._thinking:
            out += self._block_start(0, {"type": "thinking", "thinking": "", "signature": ""})
        else:
            out += self._block_start(0, {"type": "text", "text": ""})
        return out

    def reasoning(self, text: str, t: int, active: int) -> bytes:
        return self._think % (_json(text), t, active)

    def content(self, text: str, t: int, active: int) -> bytes:
        return self._text % (_json(text), t, active)

    def begin_content(self) -> bytes:
        if not self._thinking:
            return b""
        signature = _json(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "signature_delta", "signature": "sim-signature"},
            }
        )
        return (
            self._event(b"content_block_delta", signature)
            + self._block_stop(0)
            + self._block_start(1, {"type": "text", "text": ""})
        )

    def finish(self, reason: str, usage: Usage | None, t: int, active: int) -> bytes:
        assert usage is not None
        stop_reason = "max_tokens" if reason == "length" else "end_turn"
        delta = _json(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": usage.anthropic(),
            }
        )
        delta = delta[:-1] + b',"x_sim":{"t":%d,"active":%d}}' % (t, active)
        return self._block_stop(1 if self._thinking else 0) + self._event(b"message_delta", delta)

    def done(self) -> bytes:
        return self._event(b"message_stop", b'{"type":"message_stop"}')

    def malformed(self) -> bytes:
        index = 1 if self._thinking else 0
        return (
            b'event: content_block_delta\ndata: {"type":"content_block_delta","index":%d,' % index
            + b'"delta":{"type":"text_delta","text":"\n\n'
        )


def openai_error(message: str, kind: str, code: str | None, param: str | None = None) -> bytes:
    return _json({"error": {"message": message, "type": kind, "param": param, "code": code}})


def anthropic_error(message: str, kind: str) -> bytes:
    return _json({"type": "error", "error": {"type": kind, "message": message}})
