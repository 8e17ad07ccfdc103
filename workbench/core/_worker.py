"""One worker process of the sharded engine (core.sharded): `python -m workbench.core._worker`.

It reads `Init` (plan, URL, key, session) from stdin, then runs each `Level` it is sent with
the same Runner as a single-loop run, on its own event loop and connection pool, and streams
every attempt's start, text and finished Sample back as msgpack frames. Everything one loop
iteration produced goes out in one write. It never decides anything the session file shows:
the parent numbers the attempts and journals them.

Stdin closing without `Finish` means the parent is gone (even killed): the run is cancelled
and the worker exits, so it never outlives the parent. Ctrl+C reaches the whole process
group; the worker ignores it and waits for the parent's `Cancel`, which is what keeps the
finished attempts and marks the rest cancelled, not lost.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import msgspec

from workbench.core import _wire
from workbench.core.events import AttemptDelta, AttemptFinished, AttemptStarted, Event, EventBus
from workbench.core.redact import redact_text
from workbench.core.runner import Runner


class _Outbox(asyncio.Protocol):
    """Frames to the parent, written once per loop iteration (coalesced)."""

    def __init__(self) -> None:
        self.transport: asyncio.WriteTransport | None = None
        self.closed = asyncio.get_running_loop().create_future()
        self._frames: list[bytes] = []
        self._scheduled = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def send(self, message: _wire.FromWorker) -> None:
        self._frames.append(_wire.frame(message))
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        if self._frames and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(self._frames))
        self._frames.clear()

    async def close(self) -> None:
        self.flush()
        if self.transport is not None:
            self.transport.close()  # after the buffered frames are written
            await self.closed


class _Inbox(asyncio.Protocol):
    """Commands from the parent."""

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self.init: asyncio.Future[_wire.Init] = loop.create_future()
        self.levels: asyncio.Queue[_wire.Level | None] = asyncio.Queue()
        self.cancelled = False
        self.runner: Runner | None = None
        self._reader = _wire.FrameReader(_wire.ToWorker)  # type: ignore[arg-type]
        self._finished = False

    def data_received(self, data: bytes) -> None:
        try:
            for message in self._reader.feed(data):
                self._take(message)
        except msgspec.DecodeError as exc:
            # A parent of another version: say so and end (the parent reports it).
            print(f"workbench worker: cannot read the parent's message: {exc}", file=sys.stderr)
            os._exit(2)

    def _take(self, message: object) -> None:
        if isinstance(message, _wire.Init):
            self.init.set_result(message)
        elif isinstance(message, _wire.Level):
            self.levels.put_nowait(message)
        elif isinstance(message, _wire.Finish):
            self._finished = True
            self.levels.put_nowait(None)
        elif isinstance(message, _wire.Cancel):
            self.cancel()

    def eof_received(self) -> bool:
        if not self._finished:
            self.cancel()  # the parent is gone: stop, nobody is listening
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof_received()

    def cancel(self) -> None:
        self.cancelled = True
        if not self.init.done():
            self.init.cancel()
        if self.runner is not None:
            self.runner.cancel()
        self.levels.put_nowait(None)


class _WorkerRunner(Runner):
    """The engine with its levels handed in by the parent, one at a time."""

    inbox: _Inbox
    outbox: _Outbox

    async def _run_levels(self) -> None:
        while (command := await self.inbox.levels.get()) is not None:
            await self._run_share(command.level, command.jobs, command.slots, command.rate)
            self.outbox.send(_wire.LevelDone(command.level))


# Streamed text goes to the parent at most this often per attempt: the window redraws at
# ~30 Hz, and 2,000 streams' chunks one frame each would be 40,000 frames a second for the
# parent (the Qt thread, in the window) to decode.
DELTA_INTERVAL_S = 0.1


class _Forwarder:
    """The worker's events as frames; text deltas coalesced per attempt (DELTA_INTERVAL_S)."""

    def __init__(self, outbox: _Outbox) -> None:
        self._outbox = outbox
        self._text: dict[int, tuple[list[str], list[str]]] = {}
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, AttemptStarted):
            self._outbox.send(
                _wire.Started(
                    event.id,
                    event.cell,
                    event.repetition,
                    event.attempt,
                    event.send_wall,
                    event.retry_of,
                    event.chain,
                )
            )
        elif isinstance(event, AttemptDelta):
            content, reasoning = self._text.setdefault(event.id, ([], []))
            content.append(event.content)
            reasoning.append(event.reasoning)
            if self._timer is None:
                loop = asyncio.get_running_loop()
                self._timer = loop.call_later(DELTA_INTERVAL_S, self.flush_text)
        elif isinstance(event, AttemptFinished):
            self._send_text(event.sample.id)  # its last text before its end
            self._outbox.send(_wire.Finished(event.sample, event.final))

    def flush_text(self) -> None:
        self._timer = None
        for attempt_id in list(self._text):
            self._send_text(attempt_id)

    def _send_text(self, attempt_id: int) -> None:
        parts = self._text.pop(attempt_id, None)
        if parts is not None:
            content, reasoning = parts
            self._outbox.send(_wire.Delta(attempt_id, "".join(content), "".join(reasoning)))


async def serve(channel_fd: int) -> int:
    loop = asyncio.get_running_loop()
    _, inbox = await loop.connect_read_pipe(_Inbox, sys.stdin.buffer)
    _, outbox = await loop.connect_write_pipe(_Outbox, os.fdopen(channel_fd, "wb", buffering=0))
    try:
        init = await inbox.init
    except asyncio.CancelledError:
        await outbox.close()
        return 0
    bus = EventBus()
    bus.subscribe(_Forwarder(outbox), deltas=init.deltas)
    runner = _WorkerRunner(
        init.plan, base_url=init.base_url, api_key=init.api_key, bus=bus, session_id=init.session
    )
    runner.inbox, runner.outbox = inbox, outbox
    inbox.runner = runner
    status = 0
    if not inbox.cancelled:
        outbox.send(_wire.Ready())
        try:
            await runner.run()
        except Exception as exc:
            secrets = [init.api_key] if init.api_key else []
            text = redact_text(f"{type(exc).__name__}: {exc}", secrets)
            outbox.send(_wire.Failed(text))
            print(f"workbench worker: {text}", file=sys.stderr)
            status = 1
    await outbox.close()
    return status


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent's Cancel stops us, gently
    # The channel is a private copy of stdout; fd 1 itself goes to stderr, so a stray print
    # (a library's warning) can never corrupt a frame.
    channel = os.dup(1)
    os.dup2(2, 1)
    sys.exit(asyncio.run(serve(channel)))


if __name__ == "__main__":
    main()
