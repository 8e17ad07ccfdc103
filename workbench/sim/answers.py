"""Writing an admitted request's answer: streamed chunks paced by the decode time of the
current batch (with the mid-stream faults), or one JSON body after the same wait."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time

from aiohttp import web

from workbench.sim.batching import Admission, Scheduler
from workbench.sim.generation import ChatRequest, Completion
from workbench.sim.protocols import Dialect
from workbench.sim.settings import SimSettings
from workbench.sim.wire import AnthropicStream, OpenAIStream, first_x_sim

_now = time.perf_counter_ns
_YIELD_EVERY = 8  # chunks between loop yields at zero delay, so many streams interleave
WRITE_ERRORS = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)


class ClientGone(Exception):
    """The client closed the connection while its answer was being written."""


class AnswerWriter:
    def __init__(self, settings: SimSettings, scheduler: Scheduler, fingerprint: str) -> None:
        self.settings = settings
        self.scheduler = scheduler
        self.fingerprint = fingerprint

    def token_seconds(self) -> float:
        base = self.settings.effective_decode_ms()
        if base == 0:
            return 0.0
        return base * (1 + self.settings.batch_slowdown * (self.scheduler.active - 1)) / 1000.0

    async def stream(
        self,
        request: web.Request,
        response: web.StreamResponse,
        encoder: OpenAIStream | AnthropicStream,
        chat: ChatRequest,
        completion: Completion,
        admission: Admission,
        fault: str | None,
    ) -> None:
        scheduler = self.scheduler
        write = response.write
        x_first = first_x_sim(_now(), scheduler.active, admission.queue_ns, admission.active)
        await write(encoder.start(x_first))
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        content_chunks = completion.content_chunks
        fault_at = len(content_chunks) // 2 if fault in ("reset", "malformed") else -1
        stall_after = self.settings.stall_after if fault == "stall" else -1
        sent_tokens = 0
        written = 0
        phases = (
            (encoder.reasoning, completion.reasoning_chunks, False),
            (encoder.content, content_chunks, True),
        )
        for encode, chunks, is_content in phases:
            if is_content and completion.reasoning_chunks:
                await write(encoder.begin_content())
            for index, (text, tokens) in enumerate(chunks):
                if is_content:
                    if index == fault_at:
                        if fault == "reset":
                            reset(request)
                            return
                        await write(encoder.malformed())
                        continue
                    if sent_tokens >= stall_after >= 0:
                        await self.stall(request)
                        return
                    sent_tokens += tokens
                per_token = self.token_seconds()
                if per_token:
                    deadline = max(deadline, loop.time() - 0.05) + per_token * tokens
                    delay = deadline - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                written += 1
                if written % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                await write(encode(text, _now(), scheduler.active))
        # Faults placed mid-content still happen when there was no content to place them in.
        if fault == "reset":
            reset(request)
            return
        if fault == "malformed" and not content_chunks:
            await write(encoder.malformed())
        if fault == "stall":
            await self.stall(request)
            return
        usage = completion.usage if chat.include_usage else None
        await write(encoder.finish(completion.finish_reason, usage, _now(), scheduler.active))
        if fault != "no-done":
            await write(encoder.done())
        await response.write_eof()

    async def stall(self, request: web.Request) -> None:
        """Stop sending; after stall_seconds close the connection without finishing."""
        await asyncio.sleep(self.settings.stall_seconds)
        transport = request.transport
        if transport is not None:
            transport.abort()

    async def reply(
        self,
        request: web.Request,
        dialect: Dialect,
        chat: ChatRequest,
        completion: Completion,
        admission: Admission,
        response: web.StreamResponse | None,
        headers: dict[str, str],
        fault: str | None,
    ) -> web.StreamResponse:
        """A non-stream response: wait out the decode time, then one JSON body."""
        remaining = completion.usage.completion_tokens
        while remaining > 0 and self.token_seconds() > 0:
            step = min(remaining, 16)  # re-read the batch size every few tokens
            await asyncio.sleep(self.token_seconds() * step)
            remaining -= step
        x_sim = {
            "t": _now(),
            "active": self.scheduler.active,
            "queue_ns": admission.queue_ns,
            "admit_active": admission.active,
        }
        body = dialect.body(
            headers["x-request-id"],
            int(time.time()),
            chat,
            completion,
            self.fingerprint,
            x_sim,
        )
        if fault == "stall":
            await self.stall(request)
            return response or web.Response(status=499)
        if fault == "reset":
            reset(request)
            return response or web.Response(status=499)
        if fault == "malformed":
            body = body[: len(body) // 2]
        if response is None:
            return web.Response(body=body, content_type="application/json", headers=headers)
        try:
            await response.write(body)
            await response.write_eof()
        except WRITE_ERRORS:
            raise ClientGone from None
        return response


def reset(request: web.Request) -> None:
    """Drop the connection with a TCP reset (SO_LINGER 0), as a crashed proxy would."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
