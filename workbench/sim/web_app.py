"""The aiohttp application: routes, auth, faults and queueing (the answer itself is
written by workbench.sim.answers).

Headers and the queue signal: a request admitted at once gets its headers at admission, with
`x-sim-queued: 0`, `x-sim-queue-ns: 0` and `x-sim-active` (active sequences at admission). A
request that must queue gets its headers at arrival (that is what lets the server send
keep-alive comments, or blank lines for non-stream responses, while it waits), with
`x-sim-queued: 1`; its queue time and active count at admission arrive in the first data chunk's
`x_sim` (`queue_ns`, `admit_active`) instead, or in the non-stream body's `x_sim`. Both kinds
carry `x-sim-active-at-arrival`, `x-request-id` and `x-ratelimit-*-requests` (remaining = free
slots).
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import os
import time
from typing import Any

import msgspec
from aiohttp import web

from workbench.sim.answers import WRITE_ERRORS, AnswerWriter, ClientGone
from workbench.sim.batching import Admission, Scheduler
from workbench.sim.generation import MODELS, ChatRequest, Generator
from workbench.sim.protocols import AnthropicDialect, BadRequest, Dialect, OpenAIDialect
from workbench.sim.settings import SimSettings

_now = time.perf_counter_ns


class SimServer:
    def __init__(self, settings: SimSettings) -> None:
        self.settings = settings
        self.scheduler = Scheduler(settings.capacity, settings.hold_until_active)
        self.generator = Generator(settings)
        self.fingerprint = f"fp_sim_{settings.seed if settings.seed is not None else os.getpid()}"
        self._ids = itertools.count(1)
        self._fault_kinds = list(settings.fault.items())
        self.answers = AnswerWriter(settings, self.scheduler, self.fingerprint)

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self.chat_completions)
        app.router.add_post("/v1/messages", self.messages)
        app.router.add_get("/v1/models", self.models)
        app.router.add_get("/health", self.health)
        return app

    # ---------------------------------------------------------------- simple routes

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def models(self, request: web.Request) -> web.Response:
        anthropic = "anthropic-version" in request.headers
        dialect: Dialect = AnthropicDialect if anthropic else OpenAIDialect
        if not self._authorised(request):
            return self._error(dialect, 401, "Invalid API key provided.")
        if anthropic:
            data: list[dict[str, Any]] = [
                {
                    "type": "model",
                    "id": m,
                    "display_name": m,
                    "created_at": "2024-01-01T00:00:00Z",
                }
                for m in MODELS
            ]
            body = {"data": data, "has_more": False, "first_id": MODELS[0], "last_id": MODELS[-1]}
        else:
            data = [
                {"id": m, "object": "model", "created": 1704067200, "owned_by": "workbench-sim"}
                for m in MODELS
            ]
            body = {"object": "list", "data": data}
        return web.Response(body=msgspec.json.encode(body), content_type="application/json")

    async def chat_completions(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, OpenAIDialect)

    async def messages(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, AnthropicDialect)

    # ---------------------------------------------------------------- checks

    def _authorised(self, request: web.Request) -> bool:
        required = self.settings.require_key
        if required is None:
            return True
        offered = request.headers.get("x-api-key", "")
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            offered = offered or auth[7:].strip()
            bearer = auth[7:].strip()
        else:
            bearer = ""
        want = required.encode()
        return hmac.compare_digest(offered.encode(), want) or hmac.compare_digest(
            bearer.encode(), want
        )

    def _error(
        self,
        dialect: Dialect,
        status: int,
        message: str,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        return web.Response(
            status=status,
            body=dialect.error(status, message, param),
            content_type="application/json",
            headers=headers,
        )

    def _draw_fault(self) -> str | None:
        if not self._fault_kinds:
            return None
        draw = self.generator.random.random()
        edge = 0.0
        for kind, rate in self._fault_kinds:
            edge += rate
            if draw < edge:
                return kind
        return None

    # ---------------------------------------------------------------- the request flow

    async def _handle(self, request: web.Request, dialect: Dialect) -> web.StreamResponse:
        arrival_active = self.scheduler.active
        if not self._authorised(request):
            # Never echo the offered key back.
            return self._error(dialect, 401, "Invalid API key provided.")
        try:
            body = msgspec.json.decode(await request.read())
        except msgspec.DecodeError as exc:
            return self._error(dialect, 400, f"Request body is not valid JSON: {exc}")
        try:
            chat = dialect.parse(body)
        except BadRequest as exc:
            return self._error(dialect, exc.status, str(exc), exc.param)
        if (
            dialect is OpenAIDialect
            and self.settings.reject_stream_options
            and "stream_options" in body
        ):
            return self._error(
                dialect,
                400,
                "Unrecognized request argument supplied: stream_options",
                "stream_options",
            )
        fault = self._draw_fault()
        if fault in ("429", "500", "503"):
            return self._http_fault(dialect, fault)

        request_id = f"{dialect.id_prefix}sim{next(self._ids):08d}"
        headers = {
            "x-request-id": request_id,
            "request-id": request_id,
            "x-sim-active-at-arrival": str(arrival_active),
            "x-ratelimit-limit-requests": str(self.settings.capacity),
        }
        admission = self.scheduler.try_admit()
        response: web.StreamResponse | None = None
        try:
            if admission is None:
                headers["x-sim-queued"] = "1"
                headers["x-ratelimit-remaining-requests"] = "0"
                response = self._open(chat.stream, headers)
                await response.prepare(request)
                admission = await self._wait_in_queue(response, chat.stream)
            else:
                headers["x-sim-queued"] = "0"
                headers["x-sim-queue-ns"] = "0"
                headers["x-sim-active"] = str(admission.active)
                headers["x-ratelimit-remaining-requests"] = str(self.scheduler.free)
                if chat.stream:
                    response = self._open(True, headers)
                    await response.prepare(request)
            try:
                return await self._serve_admitted(
                    request, dialect, chat, admission, response, headers, fault
                )
            finally:
                self.scheduler.release()
        except ClientGone:
            return response or web.Response(status=499)

    def _http_fault(self, dialect: Dialect, fault: str) -> web.Response:
        status = int(fault)
        if status == 429:
            retry = f"{self.settings.retry_after:g}"
            return self._error(
                dialect,
                429,
                "Rate limit reached for requests (simulated). Please retry later.",
                headers={"Retry-After": retry, "x-ratelimit-remaining-requests": "0"},
            )
        if status == 503:
            return self._error(dialect, 503, "The server is overloaded (simulated).")
        return self._error(dialect, 500, "The server had an error (simulated).")

    @staticmethod
    def _open(stream: bool, headers: dict[str, str]) -> web.StreamResponse:
        response = web.StreamResponse(status=200, headers=headers)
        if stream:
            response.content_type = "text/event-stream"
            response.charset = "utf-8"
            response.headers["Cache-Control"] = "no-cache"
        else:
            response.content_type = "application/json"
        return response

    async def _wait_in_queue(self, response: web.StreamResponse, stream: bool) -> Admission:
        """Queue for a slot, telling the client we are alive: the first signal goes out at once,
        so a signal appears exactly when a request had to queue."""
        signal = b": keep-alive\n\n" if stream else b"\n"
        since = _now()
        waiter = self.scheduler.enqueue()
        try:
            while True:
                await response.write(signal)
                done, _ = await asyncio.wait({waiter}, timeout=self.settings.keepalive_interval)
                if done:
                    return self.scheduler.admitted(waiter, since)
        except WRITE_ERRORS:
            self.scheduler.abandon(waiter)
            raise ClientGone from None
        except BaseException:
            self.scheduler.abandon(waiter)
            raise

    async def _serve_admitted(
        self,
        request: web.Request,
        dialect: Dialect,
        chat: ChatRequest,
        admission: Admission,
        response: web.StreamResponse | None,
        headers: dict[str, str],
        fault: str | None,
    ) -> web.StreamResponse:
        prompt_tokens = self.generator.prompt_tokens(chat)
        cache_hit = self.generator.cache_hit_tokens(chat, prompt_tokens)
        prefill_s = self.settings.effective_prefill_us() * prompt_tokens / 1e6
        if prefill_s > 0:
            await asyncio.sleep(prefill_s)
        await self.scheduler.hold()
        active = self.scheduler.active
        completion = self.generator.complete(
            chat, active, admission.order, prompt_tokens, cache_hit
        )
        request_id = headers["x-request-id"]
        created = int(time.time())
        if chat.stream:
            assert response is not None
            encoder = dialect.stream(request_id, created, chat, completion, self.fingerprint)
            try:
                await self.answers.stream(
                    request, response, encoder, chat, completion, admission, fault
                )
            except WRITE_ERRORS:
                raise ClientGone from None
            return response
        return await self.answers.reply(
            request, dialect, chat, completion, admission, response, headers, fault
        )
