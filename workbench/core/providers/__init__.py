"""Wire formats. Each provider is a bundle of plain functions over a `StreamState`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True, slots=True)
class Provider:
    api: ApiStyle
    url: Callable[[str], str]
    build_body: Callable[..., dict[str, Any]]
    auth_headers: Callable[[str | None], dict[str, str]]
    feed_line: Callable[[StreamState, bytes, int], None]
    finish_stream: Callable[[StreamState], None]
    parse_body: Callable[[StreamState, bytes, int], None]
    error_message: Callable[[bytes], tuple[str, str | None]]

    def body(
        self, model: str, system: str | None, user: str, params: Params, *, include_usage: bool
    ) -> dict[str, Any]:
        return self.build_body(model, system, user, params, include_usage=include_usage)


_PROVIDERS = {
    "openai": Provider(
        "openai",
        openai.chat_url,
        openai.build_body,
        openai.auth_headers,
        openai.feed_line,
        openai.finish_stream,
        openai.parse_body,
        openai.error_message,
    ),
    "anthropic": Provider(
        "anthropic",
        anthropic.messages_url,
        anthropic.build_body,
        anthropic.auth_headers,
        anthropic.feed_line,
        anthropic.finish_stream,
        anthropic.parse_body,
        anthropic.error_message,
    ),
}


def provider_for(api: ApiStyle) -> Provider:
    return _PROVIDERS[api]
