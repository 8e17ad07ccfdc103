"""What a parser accumulates while one response streams in.

The runner stamps every network read once, on arrival, and hands each line to the parser
with that stamp; parsing never delays a stamp (DESIGN.md: "stamp first, decode the rest").
"""

from __future__ import annotations

import email.utils
import time

import msgspec

from workbench.core.records import ErrorClass, ErrorInfo, Usage


class XSim(msgspec.Struct):
    """The simulated endpoint's ground truth attached to each chunk."""

    t: int = 0
    active: int = 0


class StreamState:
    """Text, stamps and usage of one response. Stamps are absolute perf_counter_ns."""

    __slots__ = (
        "content",
        "content_stamps",
        "done",
        "error",
        "finish_reason",
        "first_data_ns",
        "first_signal_ns",
        "last_was_comment",
        "new_content",
        "new_reasoning",
        "reasoning",
        "saw_data",
        "server_first_token_ns",
        "signals",
        "system_fingerprint",
        "ttfr_stamp",
        "usage",
    )

    def __init__(self) -> None:
        self.content: list[str] = []
        self.reasoning: list[str] = []
        # Text not yet handed to live subscribers (the runner drains these).
        self.new_content: list[str] = []
        self.new_reasoning: list[str] = []
        self.content_stamps: list[int] = []
        self.ttfr_stamp: int | None = None
        self.finish_reason: str | None = None
        self.usage = Usage()
        self.system_fingerprint: str | None = None
        self.error: ErrorInfo | None = None
        self.done = False
        self.saw_data = False
        self.first_data_ns: int | None = None
        self.signals = 0
        self.first_signal_ns: int | None = None
        self.last_was_comment = False
        self.server_first_token_ns: int | None = None

    # --- server queue signal: comments and blank lines before the first data event ----------

    def blank_line(self, now: int) -> None:
        # A blank line ends every event; only one before any data, and not the one that
        # closes a keep-alive comment, is a signal of its own.
        if not self.saw_data and not self.last_was_comment:
            self._signal(now)
        self.last_was_comment = False

    def comment(self, now: int) -> None:
        if not self.saw_data:
            self._signal(now)
        self.last_was_comment = True

    def _signal(self, now: int) -> None:
        self.signals += 1
        if self.first_signal_ns is None:
            self.first_signal_ns = now

    def data_seen(self, now: int) -> None:
        self.last_was_comment = False
        if not self.saw_data:
            self.saw_data = True
            self.first_data_ns = now

    # --- deltas ---------------------------------------------------------------------------

    def add_content(self, text: str, now: int, xsim: XSim | None) -> None:
        # Empty and role-only deltas are not tokens.
        if not text:
            return
        if not self.content_stamps and xsim is not None:
            self.server_first_token_ns = xsim.t
        self.content.append(text)
        self.new_content.append(text)
        self.content_stamps.append(now)

    def add_reasoning(self, text: str, now: int) -> None:
        if not text:
            return
        if self.ttfr_stamp is None:
            self.ttfr_stamp = now
        self.reasoning.append(text)
        self.new_reasoning.append(text)

    def fail(self, error_class: ErrorClass, message: str, status: int | None = None) -> None:
        if self.error is None:
            self.error = ErrorInfo(error_class=error_class, message=message, status=status)


def classify_status(status: int) -> ErrorClass:
    if status == 429:
        return "http_429"
    if status >= 500:
        return "http_5xx"
    return "http_4xx"


def classify_error_object(kind: str, code: object) -> ErrorClass:
    """An error reported inside a 200 response (OpenAI `error` object, Anthropic error event)."""
    text = f"{kind} {code}".lower()
    if "429" in text or "rate" in text:
        return "http_429"
    if "overloaded" in text or "server" in text or "unavailable" in text or "529" in text:
        return "http_5xx"
    if isinstance(code, int) and code >= 500:
        return "http_5xx"
    return "protocol"


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def estimate_tokens(text: str) -> int:
    """Rough token count when the server reports none (about 4/3 tokens per word)."""
    words = len(text.split())
    return max(1, round(words * 4 / 3)) if text else 0
