"""httpx's API over an aiohttp connection pool.

Why: on a 2-core machine plain httpx spends about six times the CPU of aiohttp per streamed
response (DESIGN.md, "Timing definitions"), and a client that burns CPU reports its own lag
as the provider's latency. The runner talks httpx; this transport does the I/O.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable

import aiohttp
import httpx

# aiohttp decompresses; the response handed to httpx must not claim an encoding any more.
_DROP_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}

# Builds the transport's aiohttp session (its connection pool). The seam for tests: a fake
# session stands in for the network, with no per-chunk layer added to the real path.
SessionFactory = Callable[[], aiohttp.ClientSession]

# The response extension holding this transport's own byte stream.
RAW_STREAM = "workbench.raw_stream"


class _AiohttpStream(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            # iter_any hands over whatever arrived, as soon as it arrived: lowest latency.
            async for data in self._response.content.iter_any():
                yield data
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            # An exception is always truthy: test its text, or a bare timeout says nothing.
            raise httpx.ReadTimeout(f"no data for too long: {str(exc) or 'read timeout'}") from exc
        except aiohttp.ClientPayloadError as exc:
            raise httpx.RemoteProtocolError(f"response cut short: {exc}") from exc
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise httpx.ReadError(f"connection lost while reading: {exc}") from exc

    async def aclose(self) -> None:
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport backed by one aiohttp session (one connection pool), built on
    first use by `session_factory` (default: a pooled TCP session)."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        verify: bool = True,
        session_factory: SessionFactory | None = None,
    ) -> None:
        self._max_connections = max_connections
        self._ssl: ssl.SSLContext | bool = ssl.create_default_context() if verify else False
        self._session_factory = session_factory or self._pooled_session
        self._session: aiohttp.ClientSession | None = None

    def _pooled_session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=self._max_connections,
            ssl=self._ssl,
            ttl_dns_cache=300,
            keepalive_timeout=30,
        )
        return aiohttp.ClientSession(
            connector=connector,
            auto_decompress=True,
            # Timeouts come per request from httpx's extensions.
            timeout=aiohttp.ClientTimeout(total=None),
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent",),
        )

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = self._session_factory()
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._get_session()
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        body = await request.aread()
        try:
            response = await session.request(
                request.method,
                str(request.url),
                data=body or None,
                headers=[
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
                ],
                allow_redirects=False,
                timeout=timeout,
            )
        except aiohttp.ClientConnectorDNSError as exc:
            raise httpx.ConnectError(f"DNS lookup failed for {request.url.host}") from exc
        except aiohttp.ClientConnectorCertificateError as exc:
            raise httpx.ConnectError(f"TLS certificate rejected: {exc.certificate_error}") from exc
        except aiohttp.ClientSSLError as exc:
            raise httpx.ConnectError(f"TLS handshake failed: {exc}") from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(
                f"cannot connect to {request.url.host}:{request.url.port}: {exc.strerror or exc}"
            ) from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(f"connect to {request.url.host} timed out") from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise httpx.ReadTimeout("no response headers in time") from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise httpx.RemoteProtocolError(
                "server closed the connection without a response"
            ) from exc
        except aiohttp.ClientResponseError as exc:
            raise httpx.RemoteProtocolError(f"invalid HTTP response: {exc.message}") from exc
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise httpx.ConnectError(f"connection failed: {exc}") from exc

        headers = [
            (k, v)
            for k, v in response.raw_headers
            if k.decode("latin-1").lower() not in _DROP_HEADERS
        ]
        stream = _AiohttpStream(response)
        return httpx.Response(
            status_code=response.status,
            headers=headers,
            stream=stream,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode(),
                # The client wraps `stream` in a pass-through generator of its own; the
                # engine reads this one directly, one generator layer less per chunk.
                RAW_STREAM: stream,
            },
            request=request,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            # Let aiohttp finish closing transports before the loop moves on.
            await asyncio.sleep(0)
            self._session = None


def make_client(
    *,
    max_connections: int,
    connect_timeout: float,
    idle_timeout: float,
    session_factory: SessionFactory | None = None,
) -> httpx.AsyncClient:
    """The one shared client of a run, its pool sized to the highest concurrency level."""
    transport = AiohttpTransport(
        max_connections=max(1, max_connections), session_factory=session_factory
    )
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(connect=connect_timeout, read=idle_timeout, write=30.0, pool=None),
        follow_redirects=False,
    )
