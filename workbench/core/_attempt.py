"""One attempt: send a request, read the answer, stamp every event, return a Sample.

This is the hot path. Each network read is stamped once on arrival, before any parsing.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter_ns
from typing import Any

import httpx

from workbench.core._transport import RAW_STREAM
from workbench.core.events import AttemptDelta, Event
from workbench.core.providers import (
    Provider,
    StreamState,
    classify_status,
    estimate_tokens,
    parse_retry_after,
)
from workbench.core.records import CellKey, ErrorInfo, Outcome, Sample, Timing, Usage

_KEPT_HEADER_PREFIXES = (b"x-ratelimit-", b"ratelimit-", b"anthropic-ratelimit-", b"x-sim-")
_KEPT_HEADERS = {
    b"retry-after",
    b"x-request-id",
    b"request-id",
    b"openai-processing-ms",
    b"openai-model",
    b"x-groq-region",
}


@dataclass(slots=True)
class AttemptSpec:
    """Everything one attempt needs; built by the runner."""

    session: str
    id: int
    cell: CellKey
    repetition: int
    attempt: int
    retry_of: int | None
    chain: int | None
    client_queue_ns: int
    in_flight: int
    url: str
    headers: dict[str, str]
    body: dict[str, Any]
    first_token_timeout: float
    total_timeout: float
    # Set when the attempt ends, also when it is cancelled (then nothing is returned).
    result: Sample | None = None


class StreamOptionsRejected(Exception):
    """The server refused `stream_options`; the runner retries without it, unrecorded."""


def _kept_headers(headers: httpx.Headers) -> dict[str, str]:
    # From the raw byte pairs: httpx's items() decodes every header of every response.
    kept: dict[str, str] = {}
    for raw_name, raw_value in headers.raw:
        name = raw_name.lower()
        if name in _KEPT_HEADERS or name.startswith(_KEPT_HEADER_PREFIXES):
            kept[name.decode("latin-1")] = raw_value.decode("latin-1")
    return kept


def _byte_stream(response: httpx.Response) -> httpx.AsyncByteStream:
    # Our transport's stream without httpx's pass-through wrapper; any other transport's
    # (tests may bring their own) through the wrapper.
    stream = response.extensions.get(RAW_STREAM) or response.stream
    assert isinstance(stream, httpx.AsyncByteStream)
    return stream


@functools.lru_cache(maxsize=64)
def _parsed_url(url: str) -> httpx.URL:
    # httpx parses a str URL on every request (~0.1 ms): once per run instead.
    return httpx.URL(url)


def _request_params(body: dict[str, Any]) -> dict[str, object]:
    params = {k: v for k, v in body.items() if k not in ("messages", "system")}
    return params


async def run_attempt(
    client: httpx.AsyncClient,
    provider: Provider,
    spec: AttemptSpec,
    emit: Callable[[Event], None] | None,
) -> Sample:
    """Run one attempt to completion, error or cancellation. Raises only
    StreamOptionsRejected (nothing is recorded then) and CancelledError (the cancelled
    Sample is in `spec.result`)."""
    state = StreamState()
    send_wall = time.time()
    t_send = perf_counter_ns()
    headers_at: int | None = None
    first_byte: int | None = None
    end: int | None = None
    kept: dict[str, str] = {}
    error: ErrorInfo | None = None
    outcome: Outcome = "ok"
    stream = bool(spec.body.get("stream"))
    loop = asyncio.get_running_loop()
    total_deadline = loop.time() + spec.total_timeout
    waiting_first_token = True

    try:
        async with asyncio.timeout(min(spec.first_token_timeout, spec.total_timeout)) as limit:
            async with client.stream(
                "POST", _parsed_url(spec.url), json=spec.body, headers=spec.headers
            ) as response:
                headers_at = perf_counter_ns()
                kept = _kept_headers(response.headers)
                status = response.status_code
                if status >= 400:
                    raw = await response.aread()
                    end = perf_counter_ns()
                    if status == 400 and "stream_options" in spec.body and b"stream_options" in raw:
                        raise StreamOptionsRejected
                    message, _ = provider.error_message(raw)
                    error = ErrorInfo(
                        error_class=classify_status(status),
                        status=status,
                        message=f"HTTP {status}: {message}",
                        retry_after_s=parse_retry_after(response.headers.get("retry-after")),
                    )
                elif stream:
                    feed = provider.feed_line
                    pending = b""
                    # The response's byte stream itself: aiter_raw() adds a generator layer
                    # and a chunker per network read, measurable at 5,000 chunks/s.
                    async for data in _byte_stream(response):
                        now = perf_counter_ns()
                        if first_byte is None:
                            first_byte = now
                        if pending:
                            data = pending + data
                        lines = data.split(b"\n")
                        pending = lines.pop()
                        for line in lines:
                            # Blank lines only matter before the first data (queue signal).
                            if line or not state.saw_data:
                                feed(state, line, now)
                        if waiting_first_token and state.content_stamps:
                            waiting_first_token = False
                            limit.reschedule(total_deadline)
                        if emit is not None and (state.new_content or state.new_reasoning):
                            emit(
                                AttemptDelta(
                                    spec.id,
                                    "".join(state.new_content),
                                    "".join(state.new_reasoning),
                                )
                            )
                            state.new_content.clear()
                            state.new_reasoning.clear()
                        if state.error is not None:
                            break
                    end = perf_counter_ns()
                    if pending:
                        feed(state, pending, end)
                    provider.finish_stream(state)
                else:
                    parts: list[bytes] = []
                    async for data in response.aiter_raw():
                        now = perf_counter_ns()
                        if first_byte is None:
                            first_byte = now
                        # Blank lines ahead of the JSON body are the queue signal.
                        if not parts and not data.strip():
                            for _ in range(data.count(b"\n")):
                                state.blank_line(now)
                            continue
                        if not parts:
                            state.data_seen(now)
                            waiting_first_token = False
                            limit.reschedule(total_deadline)
                        parts.append(data)
                    end = perf_counter_ns()
                    provider.parse_body(state, b"".join(parts), end)
    except StreamOptionsRejected:
        raise
    except TimeoutError:
        if waiting_first_token and spec.first_token_timeout < spec.total_timeout:
            reason = f"no first token within {spec.first_token_timeout:g} s"
        else:
            reason = f"response not complete within {spec.total_timeout:g} s"
        error = ErrorInfo(error_class="timeout", message=reason)
    except httpx.TimeoutException as exc:
        error = ErrorInfo(error_class="timeout", message=str(exc) or type(exc).__name__)
    except (
        httpx.ConnectError,
        httpx.ReadError,
        httpx.WriteError,
        httpx.RemoteProtocolError,
    ) as exc:
        error = ErrorInfo(error_class="connection", message=str(exc) or type(exc).__name__)
    except httpx.HTTPError as exc:
        error = ErrorInfo(error_class="protocol", message=str(exc) or type(exc).__name__)
    except asyncio.CancelledError:
        outcome = "cancelled"
        error = ErrorInfo(error_class="cancelled", message="cancelled by the user")
        raise
    finally:
        if end is None:
            end = perf_counter_ns()
        if error is None and state.error is not None:
            error = state.error
        if error is not None and outcome != "cancelled":
            outcome = "error"
        sample = _build_sample(
            spec, state, outcome, error, send_wall, t_send, headers_at, first_byte, end, kept
        )
        spec.result = sample
    return sample


def _build_sample(
    spec: AttemptSpec,
    state: StreamState,
    outcome: Outcome,
    error: ErrorInfo | None,
    send_wall: float,
    t_send: int,
    headers_at: int | None,
    first_byte: int | None,
    end: int,
    kept: dict[str, str],
) -> Sample:
    def rel(stamp: int | None) -> int | None:
        return None if stamp is None else stamp - t_send

    offsets = [s - t_send for s in state.content_stamps]
    span = None
    if state.first_signal_ns is not None:
        span = (state.first_data_ns or end) - state.first_signal_ns
    text = "".join(state.content)
    usage: Usage = state.usage
    # Output tokens are the answer's own tokens (reasoning excluded): those between TTFT and E2E.
    if usage.completion_tokens is not None:
        output_tokens: int | None = usage.completion_tokens - (usage.reasoning_tokens or 0)
        source = "server"
    else:
        output_tokens = estimate_tokens(text) if text else None
        source = "estimate"
    timing = Timing(
        send_wall=send_wall,
        send_mono_ns=t_send,
        client_queue_ns=spec.client_queue_ns,
        headers_ns=rel(headers_at),
        first_byte_ns=rel(first_byte),
        queue_signal_count=state.signals,
        queue_signal_span_ns=span,
        ttfr_ns=rel(state.ttfr_stamp),
        ttft_ns=offsets[0] if offsets else None,
        content_offsets_ns=offsets,
        e2e_ns=end - t_send,
        server_first_token_mono_ns=state.server_first_token_ns,
    )
    return Sample(
        session=spec.session,
        id=spec.id,
        cell=spec.cell,
        repetition=spec.repetition,
        chain=spec.chain,
        attempt=spec.attempt,
        retry_of=spec.retry_of,
        outcome=outcome,
        error=error,
        request=_request_params(spec.body),
        timing=timing,
        text=text,
        reasoning="".join(state.reasoning),
        finish_reason=state.finish_reason,
        usage=usage,
        output_tokens=output_tokens,
        token_source=source,  # type: ignore[arg-type]
        headers=kept,
        system_fingerprint=state.system_fingerprint,
        in_flight_at_start=spec.in_flight,
        stream=bool(spec.body.get("stream")),
    )
