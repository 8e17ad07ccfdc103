"""Talking to an endpoint outside a run: list its models, test the connection with one token.

Used by the Endpoints dialog. Every failure comes back as a ProbeResult whose `kind` says
what went wrong in terms a user can act on: key rejected, not found, rate limited, DNS, TLS,
timeout, connection refused. Never raises for a network problem; never shows the key.
"""

from __future__ import annotations

import asyncio
import errno
import time
from typing import Literal

import aiohttp
import httpx
import msgspec

from workbench.core._transport import make_client
from workbench.core.plan import Params
from workbench.core.providers import provider_for
from workbench.core.records import ApiStyle
from workbench.core.redact import redact_text

ProbeKind = Literal[
    "ok", "key_rejected", "not_found", "rate_limited", "http_error", "dns", "tls", "timeout",
    "refused", "connection", "protocol",
]  # fmt: skip


class ProbeResult(msgspec.Struct, kw_only=True):
    ok: bool
    kind: ProbeKind
    message: str
    latency_ms: float | None = None
    status: int | None = None
    models: list[str] = []


class _Model(msgspec.Struct):
    id: str


class _ModelList(msgspec.Struct):
    data: list[_Model] = []


_HINT = {
    "key_rejected": "check the key (Endpoints dialog, or `workbench keys set NAME`)",
    "not_found": "check the base URL (OpenAI style usually ends in /v1) and the model name",
    "rate_limited": "the server is rate limiting this key; wait, or lower the concurrency",
}


def _headers(api: ApiStyle, api_key: str | None, extra: dict[str, str]) -> dict[str, str]:
    return {**extra, **provider_for(api).auth_headers(api_key)}


def _models_url(api: ApiStyle, base_url: str) -> str:
    base = base_url.rstrip("/")
    return base + ("/v1/models" if api == "anthropic" else "/models")


def _http_result(status: int, body: bytes, api: ApiStyle, secret: str | None) -> ProbeResult:
    message, _ = provider_for(api).error_message(body)
    message = redact_text(message, [secret] if secret else [])
    kind: ProbeKind
    if status in (401, 403):
        kind = "key_rejected"
    elif status == 404:
        kind = "not_found"
    elif status == 429:
        kind = "rate_limited"
    else:
        kind = "http_error"
    label = {"key_rejected": "Key rejected", "not_found": "Not found",
             "rate_limited": "Rate limited"}.get(kind, "Server error")  # fmt: skip
    hint = f" — {_HINT[kind]}" if kind in _HINT else ""
    return ProbeResult(
        ok=False, kind=kind, status=status, message=f"{label} (HTTP {status}): {message}{hint}"
    )


def _network_result(exc: BaseException, host: str) -> ProbeResult:
    cause = exc.__cause__
    kind: ProbeKind
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        kind, text = "timeout", f"{host} did not answer in time"
    elif isinstance(cause, aiohttp.ClientConnectorDNSError):
        kind, text = "dns", f"the name {host} could not be resolved (DNS)"
    elif isinstance(cause, aiohttp.ClientSSLError):
        kind, text = "tls", f"TLS with {host} failed: {cause}"
    elif isinstance(cause, aiohttp.ClientConnectorError) and cause.errno == errno.ECONNREFUSED:
        kind, text = "refused", f"{host} refused the connection (is the server running?)"
    elif isinstance(exc, httpx.RemoteProtocolError | httpx.DecodingError):
        kind, text = "protocol", f"{host} did not answer like an HTTP API: {exc}"
    else:
        kind, text = "connection", f"cannot reach {host}: {exc}"
    return ProbeResult(ok=False, kind=kind, message=text)


async def _send(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    json: object | None,
    seconds: float,
    client: httpx.AsyncClient | None,
) -> tuple[httpx.Response | None, bytes, float, ProbeResult | None]:
    own = client is None
    http = client or make_client(max_connections=1, connect_timeout=seconds, idle_timeout=seconds)
    start = time.perf_counter()
    try:
        async with asyncio.timeout(seconds):
            response = await http.request(method, url, headers=headers, json=json)
        return response, response.content, (time.perf_counter() - start) * 1000, None
    except (httpx.HTTPError, TimeoutError) as exc:
        return None, b"", 0.0, _network_result(exc, httpx.URL(url).host or url)
    finally:
        if own:
            await http.aclose()


async def fetch_models(
    api: ApiStyle,
    base_url: str,
    api_key: str | None,
    *,
    headers: dict[str, str] | None = None,
    seconds: float = 10.0,
    client: httpx.AsyncClient | None = None,
) -> ProbeResult:
    """The server's model list (GET /models), sorted."""
    response, body, latency, failure = await _send(
        "GET", _models_url(api, base_url), headers=_headers(api, api_key, headers or {}),
        json=None, seconds=seconds, client=client,
    )  # fmt: skip
    if failure is not None:
        return failure
    assert response is not None
    if response.status_code >= 400:
        return _http_result(response.status_code, body, api, api_key)
    try:
        listing = msgspec.json.decode(body, type=_ModelList)
    except msgspec.DecodeError:
        return ProbeResult(ok=False, kind="protocol", message="the model list is not JSON")
    models = sorted({m.id for m in listing.data})
    return ProbeResult(
        ok=True, kind="ok", latency_ms=latency, status=response.status_code, models=models,
        message=f"{len(models)} models in {latency:.0f} ms",
    )  # fmt: skip


async def check_connection(
    api: ApiStyle,
    base_url: str,
    model: str,
    api_key: str | None,
    *,
    headers: dict[str, str] | None = None,
    seconds: float = 20.0,
    client: httpx.AsyncClient | None = None,
) -> ProbeResult:
    """A one-token request: proves the URL, the key and the model together."""
    provider = provider_for(api)
    body = provider.build_body(model, None, "Say OK.", Params(max_tokens=1, stream=False),
                               include_usage=False)  # fmt: skip
    response, raw, latency, failure = await _send(
        "POST", provider.url(base_url), headers=_headers(api, api_key, headers or {}),
        json=body, seconds=seconds, client=client,
    )  # fmt: skip
    if failure is not None:
        return failure
    assert response is not None
    if response.status_code >= 400:
        return _http_result(response.status_code, raw, api, api_key)
    return ProbeResult(
        ok=True, kind="ok", latency_ms=latency, status=response.status_code,
        message=f"Connected: {model} answered in {latency:.0f} ms",
    )  # fmt: skip
