"""Wire formats: how to ask one API style for an answer, and how to read the answer.

Each API style is a module (openai.py, anthropic.py) whose plain functions implement the
`Provider` protocol over a `StreamState`. Modules, not objects: the runner's per-line call
`feed_line(state, line, now)` stays a plain function call on the hot path.
"""

from __future__ import annotations

from typing import Any, Protocol

from workbench.core.plan import Params
from workbench.core.providers import anthropic, openai
from workbench.core.providers._state import (
    StreamState,
    classify_status,
    estimate_tokens,
    parse_retry_after,
)
from workbench.core.records import ApiStyle

__all__ = [
    "Provider",
    "StreamState",
    "classify_status",
    "estimate_tokens",
    "parse_retry_after",
    "provider_for",
]


class Provider(Protocol):
    """One API style. The request side builds what is sent; the response side reads what
    comes back into a `StreamState`, never raising for a bad answer (it records an error)."""

    def url(self, base_url: str) -> str:
        """The endpoint to POST to, from the base URL as the official SDK takes it."""
        ...

    def auth_headers(self, api_key: str | None) -> dict[str, str]:
        """The headers that carry the key (and any version header the API requires)."""
        ...

    def build_body(
        self, model: str, system: str | None, user: str, params: Params, *, include_usage: bool
    ) -> dict[str, Any]:
        """The JSON body; `include_usage` asks a stream to report token usage at its end."""
        ...

    def feed_line(self, state: StreamState, line: bytes, now: int) -> None:
        """One line of a streamed answer (no newline), stamped `now` when it arrived."""
        ...

    def finish_stream(self, state: StreamState) -> None:
        """The stream ended: record an error if it ended before the API says it is done."""
        ...

    def parse_body(self, state: StreamState, body: bytes, now: int) -> None:
        """A whole non-streamed answer, received at `now`."""
        ...

    def error_message(self, body: bytes) -> tuple[str, str | None]:
        """(message, error type) from the body of an HTTP error response."""
        ...


# mypy checks each module against the protocol here.
_PROVIDERS: dict[ApiStyle, Provider] = {"openai": openai, "anthropic": anthropic}


def provider_for(api: ApiStyle) -> Provider:
    return _PROVIDERS[api]
