"""The records a run produces: one `Sample` per attempt.

These structs are the contract between the runner, the session journal, the analysis and
the views. Timing stamps are offsets in nanoseconds from `t_send` (DESIGN.md, "Timing
definitions"); absolute monotonic stamps are kept only where a comparison with another
process on the same clock needs them.
"""

from __future__ import annotations

import itertools
from typing import Literal

import msgspec

Outcome = Literal["ok", "error", "cancelled"]
ErrorClass = Literal[
    "http_4xx", "http_429", "http_5xx", "timeout", "connection", "protocol", "cancelled"
]
TokenSource = Literal["server", "estimate"]
ApiStyle = Literal["openai", "anthropic"]


class CellKey(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
    """Which cell of the plan an attempt belongs to."""

    endpoint: str
    model: str
    variant: str = "base"
    level: int = 1
    step: int = 0
    # Which session a cell came from when sessions are compared ("" within one session).
    source: str = ""

    def label(self) -> str:
        parts = [f"{self.source}:" if self.source else "", f"{self.endpoint}/{self.model}"]
        parts = [p for p in parts if p]
        if self.variant != "base":
            parts.append(f"variant={self.variant}")
        parts.append(f"c={self.level}")
        if self.step:
            parts.append(f"step={self.step}")
        return " ".join(parts)


class Usage(
    msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True
):
    """Token counts as the server reported them (None where it did not)."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    cache_hit_tokens: int | None = None
    cache_miss_tokens: int | None = None


class ErrorInfo(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """Why an attempt did not succeed. `message` never contains a key (redacted)."""

    error_class: ErrorClass
    message: str
    status: int | None = None
    retry_after_s: float | None = None


class Timing(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """Stamps of one attempt. Offsets are nanoseconds from t_send; None = never happened."""

    # Wall-clock time (Unix seconds) at t_send, for timelines across runs and files.
    send_wall: float
    # time.perf_counter_ns() at t_send (CLOCK_MONOTONIC: same clock as the simulator).
    send_mono_ns: int
    # From "requested" to "slot acquired" (waiting for the concurrency limit / arrival).
    client_queue_ns: int = 0
    headers_ns: int | None = None
    first_byte_ns: int | None = None
    # Server queue signal: keep-alive comments / blank lines before the first data event.
    queue_signal_count: int = 0
    # Time from the first such signal to the first data event (None when there was none).
    queue_signal_span_ns: int | None = None
    # First non-empty reasoning delta / first non-empty content delta.
    ttfr_ns: int | None = None
    ttft_ns: int | None = None
    # Offsets of every content-bearing chunk (ITL is their successive difference).
    content_offsets_ns: list[int] = []
    # Last byte of the response.
    e2e_ns: int | None = None
    # The server's own monotonic stamp of the first content chunk, when it sends one
    # (the simulated endpoint does): ground truth for the timing-fidelity benchmark.
    server_first_token_mono_ns: int | None = None

    def itl_ns(self) -> list[int]:
        offs = self.content_offsets_ns
        return [b - a for a, b in itertools.pairwise(offs)]

    def tpot_ns(self, output_tokens: int | None) -> float | None:
        """(E2E - TTFT) / (output_tokens - 1), as DESIGN.md defines it."""
        if self.e2e_ns is None or self.ttft_ns is None or not output_tokens or output_tokens < 2:
            return None
        return (self.e2e_ns - self.ttft_ns) / (output_tokens - 1)


class Sample(
    msgspec.Struct, kw_only=True, omit_defaults=True, tag="sample", forbid_unknown_fields=True
):
    """One attempt: a request, what came back, and when."""

    session: str
    id: int  # unique within the session, in start order
    cell: CellKey
    repetition: int  # in a chain plan: the chain's number within its level
    # In a chain plan: the chain's number within the session (its steps share it; the step
    # is `cell.step`, from 1). None outside chains.
    chain: int | None = None
    attempt: int = 0  # 0 for the first try, 1.. for retries
    retry_of: int | None = None  # id of the attempt this one retries
    outcome: Outcome
    error: ErrorInfo | None = None
    # Request parameters actually sent (model, temperature, max_tokens, seed, stream, ...);
    # never headers, never a key.
    request: dict[str, object] = {}
    timing: Timing
    text: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    usage: Usage = Usage()
    # The answer's own tokens (reasoning excluded): those streamed between TTFT and E2E.
    output_tokens: int | None = None
    token_source: TokenSource = "estimate"
    # Response headers of interest (rate limits, request id, simulator ground truth).
    headers: dict[str, str] = {}
    system_fingerprint: str | None = None
    in_flight_at_start: int = 0
    stream: bool = True
