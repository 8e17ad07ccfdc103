"""Stream parsers on literal wire bytes, as providers send them."""

from __future__ import annotations

from workbench.core.providers import StreamState, provider_for

OPENAI = provider_for("openai")
ANTHROPIC = provider_for("anthropic")


def feed(provider_api: str, wire: bytes, start: int = 1000, step: int = 10) -> StreamState:
    """Feed one line per 'network read', each stamped `step` ns after the previous."""
    provider = provider_for(provider_api)  # type: ignore[arg-type]
    state = StreamState()
    for i, line in enumerate(wire.split(b"\n")):
        provider.feed_line(state, line, start + i * step)
    provider.finish_stream(state)
    return state


DEEPSEEK_QUEUED = b"""\
: keep-alive

: keep-alive

data: {"choices":[{"delta":{"role":"assistant","content":""}}]}

data: {"choices":[{"delta":{"content":"Hel"}}]}

data: {"choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}]}

data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"prompt_cache_hit_tokens":8,"prompt_cache_miss_tokens":4}}

data: [DONE]
"""


def test_keepalives_before_the_first_data_are_the_queue_signal() -> None:
    state = feed("openai", DEEPSEEK_QUEUED)
    assert state.signals == 2
    assert state.first_signal_ns == 1000
    assert state.first_data_ns == 1000 + 4 * 10


def test_role_only_first_chunk_is_not_the_first_token() -> None:
    state = feed("openai", DEEPSEEK_QUEUED)
    # Line 6 ("Hel") is the first content, not line 4 (role only).
    assert state.content_stamps[0] == 1000 + 6 * 10
    assert "".join(state.content) == "Hello"
    assert state.finish_reason == "stop"
    assert state.error is None


def test_deepseek_cache_usage_is_read() -> None:
    usage = feed("openai", DEEPSEEK_QUEUED).usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (12, 2)
    assert (usage.cache_hit_tokens, usage.cache_miss_tokens) == (8, 4)


def test_reasoning_content_and_reasoning_tokens() -> None:
    wire = b"\n".join(
        [
            b'data: {"choices":[{"delta":{"reasoning_content":"think"}}]}',
            b'data: {"choices":[{"delta":{"content":"answer"}}]}',
            b'data: {"choices":[],"usage":{"completion_tokens":9,'
            b'"completion_tokens_details":{"reasoning_tokens":7}}}',
            b"data: [DONE]",
        ]
    )
    state = feed("openai", wire)
    assert state.ttfr_stamp == 1000 and state.content_stamps == [1010]
    assert state.usage.reasoning_tokens == 7


def test_blank_lines_before_data_count_once_each() -> None:
    state = feed("openai", b'\n\n\ndata: {"choices":[]}\n\ndata: [DONE]\n')
    assert state.signals == 3


def test_an_error_object_inside_a_200_stream_ends_the_attempt() -> None:
    wire = (
        b'data: {"choices":[{"delta":{"content":"par"}}]}\n\n'
        b'data: {"error":{"message":"Rate limit reached","type":"rate_limit_error"}}\n'
    )
    state = feed("openai", wire)
    assert state.error is not None
    assert state.error.error_class == "http_429"
    assert "Rate limit" in state.error.message
    assert "".join(state.content) == "par"


def test_a_malformed_chunk_is_a_protocol_error() -> None:
    state = feed("openai", b'data: {"choices":[{"delta":{"content":"a"}}]}\ndata: {oops\n')
    assert state.error is not None and state.error.error_class == "protocol"
    assert "malformed" in state.error.message


def test_missing_done_is_a_protocol_error() -> None:
    state = feed("openai", b'data: {"choices":[{"delta":{"content":"a"}}]}\n\n')
    assert state.error is not None and "[DONE]" in state.error.message


ANTHROPIC_STREAM = b"""\
event: message_start
data: {"type":"message_start","message":{"usage":{"input_tokens":25,"output_tokens":1}}}

event: ping
data: {"type":"ping"}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":15}}

event: message_stop
data: {"type":"message_stop"}
"""


def test_anthropic_event_sequence() -> None:
    state = feed("anthropic", ANTHROPIC_STREAM)
    assert state.error is None
    assert "".join(state.reasoning) == "hmm" and "".join(state.content) == "Hi"
    assert state.ttfr_stamp is not None and state.ttfr_stamp < state.content_stamps[0]
    assert state.finish_reason == "length"
    assert (state.usage.prompt_tokens, state.usage.completion_tokens) == (25, 15)
    assert state.signals == 0  # ping is data, not a queue signal


def test_anthropic_overloaded_error_event() -> None:
    wire = (
        b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error",'
        b'"message":"Overloaded"}}\n'
    )
    state = feed("anthropic", wire)
    assert state.error is not None
    assert state.error.error_class == "http_5xx" and state.error.message == "Overloaded"


def test_anthropic_stream_without_message_stop_is_incomplete() -> None:
    state = feed("anthropic", ANTHROPIC_STREAM.split(b"event: message_stop")[0])
    assert state.error is not None and "message_stop" in state.error.message


def test_crlf_line_endings_are_accepted() -> None:
    wire = DEEPSEEK_QUEUED.replace(b"\n", b"\r\n")
    provider = OPENAI
    state = StreamState()
    for line in wire.split(b"\n"):
        provider.feed_line(state, line, 0)
    provider.finish_stream(state)
    assert "".join(state.content) == "Hello" and state.error is None
