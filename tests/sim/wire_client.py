"""A small raw HTTP client for the simulator tests: it keeps every byte-level detail a user of
the stream would notice (keep-alive comments, blank lines, broken chunks, missing terminators)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass
class StreamResult:
    status: int
    headers: dict[str, str]  # lower-case names
    comments: list[str] = field(default_factory=list)  # ": keep-alive" lines, in order
    comments_before_data: int = 0
    events: list[str | None] = field(default_factory=list)  # SSE `event:` name per data line
    data: list[Any] = field(default_factory=list)  # decoded JSON data objects
    malformed: list[str] = field(default_factory=list)  # data lines that are not JSON
    done: bool = False  # saw `data: [DONE]`
    error: str | None = None  # connection problem before the body ended: its class name
    body: bytes = b""  # non-SSE bodies

    def content(self) -> str:
        """Concatenated OpenAI content deltas."""
        return "".join(
            d["choices"][0]["delta"].get("content") or "" for d in self.data if d.get("choices")
        )

    def reasoning(self) -> str:
        return "".join(
            d["choices"][0]["delta"].get("reasoning_content") or ""
            for d in self.data
            if d.get("choices")
        )

    def usage(self) -> dict[str, Any] | None:
        for d in self.data:
            if "usage" in d and not d.get("choices"):
                return dict(d["usage"])
        return None

    def finish_reason(self) -> str | None:
        for d in self.data:
            for choice in d.get("choices") or []:
                if choice.get("finish_reason"):
                    return str(choice["finish_reason"])
        return None


def chat_body(user: str = "Explain TCP.", model: str = "sim-chat", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": user}], **extra}


async def post_stream(
    session: aiohttp.ClientSession,
    url: str,
    body: dict[str, Any] | bytes,
    headers: dict[str, str] | None = None,
) -> StreamResult:
    """POST and read the whole response as SSE, recording comments, events and errors."""
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if isinstance(body, bytes):
        kwargs["data"] = body
    else:
        kwargs["json"] = body
    try:
        async with session.post(url, **kwargs) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            result = StreamResult(response.status, headers)
            if not headers.get("content-type", "").startswith("text/event-stream"):
                try:
                    result.body = await response.read()
                except aiohttp.ClientError as exc:
                    result.error = type(exc).__name__
                return result
            await read_sse(response, result)
            return result
    except (aiohttp.ClientError, ConnectionError) as exc:
        # Failed before any response head arrived (status 0: no response).
        return StreamResult(0, {}, error=type(exc).__name__)


async def read_sse(response: aiohttp.ClientResponse, result: StreamResult) -> None:
    event: str | None = None
    try:
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith(":"):
                result.comments.append(line)
                if not result.data:
                    result.comments_before_data += 1
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                payload = line[5:].strip()
                if payload == "[DONE]":
                    result.done = True
                    continue
                try:
                    result.data.append(json.loads(payload))
                    result.events.append(event)
                except json.JSONDecodeError:
                    result.malformed.append(payload)
    except (aiohttp.ClientError, ConnectionError) as exc:
        result.error = type(exc).__name__
