"""Fetch models and Test connection against the simulator, and every way they can fail."""

from __future__ import annotations

import socket
from collections.abc import Callable

import aiohttp
import httpx
import pytest

from workbench.core.probe import _network_result, check_connection, fetch_models

KEY = "fake-probe-right-00000000000000"


@pytest.mark.parametrize(("api", "suffix"), [("openai", "/v1"), ("anthropic", "")])
async def test_models_and_a_one_token_request(sim_url: str, api: str, suffix: str) -> None:
    listed = await fetch_models(api, sim_url + suffix, None)  # type: ignore[arg-type]
    assert listed.ok, listed.message
    assert {"sim-chat", "sim-reasoner", "echo"} <= set(listed.models)
    result = await check_connection(api, sim_url + suffix, "sim-chat", None)  # type: ignore[arg-type]
    assert result.ok and result.kind == "ok"
    assert result.latency_ms is not None and "answered in" in result.message


async def test_a_rejected_key_says_so_without_showing_it(
    sim_factory: Callable[..., str],
) -> None:
    root = sim_factory("--zero-delay", "--require-key", KEY)
    wrong = "fake-probe-wrong-11111111111111"
    result = await check_connection("openai", root + "/v1", "sim-chat", wrong)
    assert (result.kind, result.status) == ("key_rejected", 401)
    assert "Key rejected" in result.message and wrong not in result.message
    assert (await fetch_models("openai", root + "/v1", wrong)).kind == "key_rejected"
    assert (await check_connection("openai", root + "/v1", "sim-chat", KEY)).ok


async def test_unknown_model_is_not_found(sim_url: str) -> None:
    result = await check_connection("openai", sim_url + "/v1", "no-such-model", None)
    assert (result.kind, result.status) == ("not_found", 404)
    assert "base URL" in result.message


async def test_rate_limited(sim_factory: Callable[..., str]) -> None:
    root = sim_factory("--zero-delay", "--fault", "429=1")
    result = await check_connection("openai", root + "/v1", "sim-chat", None)
    assert (result.kind, result.status) == ("rate_limited", 429)


async def test_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = await check_connection("openai", f"http://127.0.0.1:{port}/v1", "m", None)
    assert result.kind == "refused" and "refused" in result.message


async def test_a_server_that_stalls_is_a_timeout(sim_factory: Callable[..., str]) -> None:
    root = sim_factory("--zero-delay", "--fault", "stall=1", "--stall-seconds", "30")
    result = await check_connection("openai", root + "/v1", "sim-chat", None, seconds=0.5)
    assert result.kind == "timeout" and "did not answer in time" in result.message


async def test_tls_to_a_plain_http_server_fails_as_tls(sim_url: str) -> None:
    result = await check_connection(
        "openai", sim_url.replace("http://", "https://") + "/v1", "sim-chat", None
    )
    assert result.kind == "tls" and "TLS" in result.message


def test_dns_failures_are_named_as_such() -> None:
    # Resolving a name would query a DNS server off this machine; the classification of
    # the resolver's error is checked on the error itself.
    key = aiohttp.client_reqrep.ConnectionKey("nowhere.invalid", 443, True, True, None, None, None)
    cause = aiohttp.ClientConnectorDNSError(key, OSError(-2, "Name or service not known"))
    exc = httpx.ConnectError("DNS lookup failed")
    exc.__cause__ = cause
    result = _network_result(exc, "nowhere.invalid")
    assert result.kind == "dns" and "nowhere.invalid" in result.message
