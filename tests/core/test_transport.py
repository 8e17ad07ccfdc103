"""The aiohttp transport under httpx's API, with no server: a fake aiohttp session stands in
for the network at the transport's seam (`session_factory`)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp.client_reqrep import ConnectionKey

from tests.core.test_runner import make_plan
from workbench.core._transport import AiohttpTransport, make_client
from workbench.core.runner import Runner

HOST = "api.example.test"
URL = f"https://{HOST}/v1/chat/completions"
KEY = ConnectionKey(HOST, 443, True, True, None, None, None, None)


class FakeContent:
    """aiohttp's StreamReader as the transport reads it: whatever arrived, read by read."""

    def __init__(self, reads: list[bytes], error: BaseException | None) -> None:
        self._reads = reads
        self._error = error

    async def iter_any(self) -> AsyncIterator[bytes]:
        for data in self._reads:
            await asyncio.sleep(0)  # each read yields to the loop, as a socket read does
            yield data
        if self._error is not None:
            raise self._error


class FakeResponse:
    def __init__(
        self,
        reads: list[bytes],
        *,
        status: int = 200,
        reason: str = "OK",
        headers: list[tuple[bytes, bytes]] | None = None,
        error: BaseException | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.raw_headers = tuple(headers or [(b"Content-Type", b"text/event-stream")])
        self.content = FakeContent(reads, error)
        self.released = False

    def release(self) -> None:
        self.released = True


class FakeSession:
    """Answers each request with the next reply (a FakeResponse, or an error to raise)."""

    def __init__(self, *replies: FakeResponse | BaseException) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.closed = False

    async def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        self.requests.append({"method": method, "url": url, **kwargs})
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply

    async def close(self) -> None:
        self.closed = True


def sessions_from(*sessions: FakeSession) -> Callable[[], Any]:
    """A session factory handing out `sessions` in turn (one per pool the transport opens)."""
    queue = list(sessions)
    return lambda: queue.pop(0)


def client_over(*sessions: FakeSession) -> httpx.AsyncClient:
    """The client the runner builds, its transport taking sessions from `sessions`."""
    return make_client(max_connections=4, connect_timeout=2.5, idle_timeout=7.0,
                       session_factory=sessions_from(*sessions))


async def test_status_headers_and_every_read_come_through_unchanged() -> None:
    reads = [b"data: one\n", b"\ndata: t", b"wo\n\n"]
    headers = [
        (b"Content-Type", b"text/event-stream"),
        (b"X-RateLimit-Remaining", b"41"),
        (b"Content-Encoding", b"gzip"),  # aiohttp already decompressed
        (b"Content-Length", b"999"),
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
    ]
    session = FakeSession(FakeResponse(reads, status=201, reason="Created", headers=headers))
    client = client_over(session)
    async with client, client.stream("POST", URL, json={"stream": True}) as response:
        assert response.status_code == 201 and response.reason_phrase == "Created"
        assert response.http_version == "HTTP/1.1"
        assert response.headers["x-ratelimit-remaining"] == "41"
        assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
        assert "content-encoding" not in response.headers
        assert "content-length" not in response.headers
        # The engine iterates the byte stream itself: one item per network read.
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        assert [data async for data in stream] == reads


async def test_the_request_goes_out_as_httpx_built_it() -> None:
    session = FakeSession(FakeResponse([b"{}"], headers=[]))
    async with client_over(session) as client:
        response = await client.post(
            URL, json={"model": "m"}, headers={"Authorization": "Bearer test-token"}
        )
    assert response.json() == {}
    (sent,) = session.requests
    assert (sent["method"], sent["url"]) == ("POST", URL)
    assert sent["data"] == b'{"model":"m"}'
    assert ("Authorization", "Bearer test-token") in sent["headers"]
    assert ("Content-Type", "application/json") in sent["headers"]
    assert sent["allow_redirects"] is False  # a redirect is the user's to see, not followed
    timeout = sent["timeout"]
    assert (timeout.total, timeout.sock_connect, timeout.sock_read) == (None, 2.5, 7.0)


async def test_a_get_sends_no_body() -> None:
    session = FakeSession(FakeResponse([b"[]"], headers=[]))
    async with client_over(session) as client:
        await client.get(URL)
    assert session.requests[0]["data"] is None


def _os_error() -> OSError:
    return ConnectionRefusedError(111, "Connection refused")


CONNECT_ERRORS: list[tuple[BaseException, type[httpx.HTTPError], str]] = [
    (aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "Name not known")),
     httpx.ConnectError, f"DNS lookup failed for {HOST}"),
    (aiohttp.ClientConnectorCertificateError(KEY, ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired")),
     httpx.ConnectError, "TLS certificate rejected: [SSL: CERTIFICATE_VERIFY_FAILED]"),
    (aiohttp.ClientConnectorSSLError(KEY, ssl.SSLError(1, "wrong version number")),
     httpx.ConnectError, "TLS handshake failed"),
    (aiohttp.ClientConnectorError(KEY, _os_error()),
     httpx.ConnectError, f"cannot connect to {HOST}:None: Connection refused"),
    (aiohttp.ConnectionTimeoutError(), httpx.ConnectTimeout, f"connect to {HOST} timed out"),
    (aiohttp.SocketTimeoutError(), httpx.ReadTimeout, "no response headers in time"),
    (TimeoutError(), httpx.ReadTimeout, "no response headers in time"),
    (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError, "without a response"),
    (aiohttp.ClientResponseError(None, (), message="bad status line"),  # type: ignore[arg-type]
     httpx.RemoteProtocolError, "invalid HTTP response: bad status line"),
    (aiohttp.ClientOSError(104, "Connection reset by peer"),
     httpx.ConnectError, "connection failed"),
    (ConnectionResetError(104, "reset"), httpx.ConnectError, "connection failed"),
]


@pytest.mark.parametrize(("raised", "expected", "message"), CONNECT_ERRORS,
                         ids=[type(e[0]).__name__ for e in CONNECT_ERRORS])
async def test_errors_before_the_response_become_httpx_errors(
    raised: BaseException, expected: type[httpx.HTTPError], message: str
) -> None:
    async with client_over(FakeSession(raised)) as client:
        with pytest.raises(httpx.HTTPError) as caught:
            await client.post(URL, content=b"{}")
    assert type(caught.value) is expected
    assert message in str(caught.value)
    assert caught.value.__cause__ is raised  # the original stays attached for the log


READ_ERRORS: list[tuple[BaseException, type[httpx.HTTPError], str]] = [
    (aiohttp.SocketTimeoutError("Timeout on reading data from socket"),
     httpx.ReadTimeout, "no data for too long: Timeout on reading data"),
    (TimeoutError(), httpx.ReadTimeout, "no data for too long: read timeout"),
    (aiohttp.ClientPayloadError("Response payload is not completed"),
     httpx.RemoteProtocolError, "response cut short"),
    (aiohttp.ClientOSError(104, "Connection reset by peer"), httpx.ReadError, "connection lost"),
    (ConnectionResetError(104, "reset"), httpx.ReadError, "connection lost while reading"),
]


@pytest.mark.parametrize(("raised", "expected", "message"), READ_ERRORS,
                         ids=[type(e[0]).__name__ for e in READ_ERRORS])
async def test_errors_while_streaming_become_httpx_errors_after_the_data_so_far(
    raised: BaseException, expected: type[httpx.HTTPError], message: str
) -> None:
    response = FakeResponse([b"data: partial\n\n"], error=raised)
    received: list[bytes] = []
    async with client_over(FakeSession(response)) as client:
        with pytest.raises(httpx.HTTPError) as caught:
            async with client.stream("POST", URL) as streamed:
                async for data in streamed.aiter_raw():
                    received.append(data)
    assert received == [b"data: partial\n\n"]
    assert type(caught.value) is expected and message in str(caught.value)
    assert response.released  # the connection went back to the pool


async def test_closing_releases_the_response_and_closes_the_one_session() -> None:
    first = FakeResponse([b"a", b"b", b"c"])
    second = FakeResponse([b"x"])
    session, later = FakeSession(first, second), FakeSession(FakeResponse([b"y"]))
    transport = AiohttpTransport(session_factory=sessions_from(session, later))
    client = httpx.AsyncClient(transport=transport)
    async with client.stream("GET", URL) as response:
        async for _ in response.aiter_raw():
            break  # the reader stops early, e.g. a cancelled attempt
    assert first.released and not session.closed
    await client.get(URL)  # same pool: the factory is not asked again
    assert second.released and len(session.requests) == 2
    await client.aclose()
    assert session.closed
    # A transport used again after closing builds a fresh session rather than a dead one.
    await transport.handle_async_request(httpx.Request("GET", URL))
    assert len(later.requests) == 1


SSE = (
    b'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n'
    b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n'
    b'data: {"choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n'
    b'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}\n\n'
    b"data: [DONE]\n\n"
)


@pytest.mark.parametrize(
    ("reply", "outcome", "error_class"),
    [
        # Lines split across reads at awkward places, as TCP delivers them.
        (FakeResponse([SSE[:7], SSE[7:90], SSE[90:]]), "ok", None),
        (aiohttp.ClientConnectorError(KEY, _os_error()), "error", "connection"),
        (aiohttp.ConnectionTimeoutError(), "error", "timeout"),
        (FakeResponse([SSE[:90]], error=aiohttp.SocketTimeoutError()), "error", "timeout"),
        (FakeResponse([SSE[:90]], error=aiohttp.ClientPayloadError("cut")), "error", "connection"),
    ],
    ids=["streamed", "refused", "connect-timeout", "stalled", "cut-short"],
)
async def test_the_runner_records_what_the_transport_saw(
    reply: FakeResponse | BaseException, outcome: str, error_class: str | None
) -> None:
    async with client_over(FakeSession(reply)) as client:
        plan = make_plan(concurrency=[1], repetitions=1)
        result = await Runner(plan, base_url=f"https://{HOST}/v1", client=client).run()
    (sample,) = result.samples
    assert sample.outcome == outcome
    if error_class is None:
        assert sample.error is None and sample.text == "Hello"
        assert (sample.usage.prompt_tokens, sample.usage.completion_tokens) == (5, 2)
    else:
        assert sample.error is not None and sample.error.error_class == error_class
