"""A worker process of the sharded engine as the parent holds it: the child, its pipes, and
its attempts in flight. The child is `python -m workbench.core._worker` (see there)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter_ns

from workbench.core import _wire
from workbench.core.redact import redact_text
from workbench.core.workers import worker_command

_STDERR_TAIL = 4096
REAP_WAIT_S = 1.0


@dataclass(slots=True)
class OpenAttempt:
    """An attempt a worker started and has not finished."""

    id: int  # the session's id for it
    started: _wire.Started
    send_mono_ns: int  # the parent's stamp when the start arrived
    in_flight: int  # across all workers, at its start


class _Pipe(asyncio.Protocol):
    def __init__(self, on_data: Callable[[bytes], None], on_close: Callable[[], None]) -> None:
        self._on_data = on_data
        self._on_close = on_close

    def data_received(self, data: bytes) -> None:
        self._on_data(data)

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._on_close()


class WorkerLink:
    """One worker. `on_message(link, message)` is called for every frame it sends."""

    def __init__(
        self,
        index: int,
        count: int,
        on_message: Callable[[WorkerLink, object], None],
        api_key: str | None,
    ) -> None:
        self.index = index
        self.count = count
        self.open: dict[int, OpenAttempt] = {}  # by the worker's own attempt id
        self.ids: dict[int, int] = {}  # the worker's id -> the session's id
        self.failure = ""
        self._on_message = on_message
        self._key = api_key
        self._reader = _wire.FrameReader(_wire.FromWorker)  # type: ignore[arg-type]
        self._stderr = bytearray()
        self._stdin: asyncio.WriteTransport | None = None
        self._pipes_open = 2
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self._level: asyncio.Future[None] | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        pid = self.proc.pid if self.proc is not None else "?"
        return f"worker {self.index + 1} of {self.count} (pid {pid})"

    @property
    def alive(self) -> bool:
        return not self.closed.done()

    async def start(self, init: _wire.Init) -> None:
        # The key goes over the pipe only: not in argv, and an environment variable that
        # holds it (`--api-key-env`) is left out of the child's environment.
        env = {k: v for k, v in os.environ.items() if not self._key or v != self._key}
        # Popen returns once the child is started; it never waits for it.
        self.proc = subprocess.Popen(  # noqa: ASYNC220
            worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        loop = asyncio.get_running_loop()
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr
        self._stdin, _ = await loop.connect_write_pipe(asyncio.Protocol, self.proc.stdin)
        await loop.connect_read_pipe(
            lambda: _Pipe(self._on_data, self._pipe_closed), self.proc.stdout
        )
        await loop.connect_read_pipe(
            lambda: _Pipe(self._on_stderr, self._pipe_closed), self.proc.stderr
        )
        self.send(init)

    def send(self, message: _wire.ToWorker) -> None:
        if self._stdin is not None and not self._stdin.is_closing():
            self._stdin.write(_wire.frame(message))

    def finish(self) -> None:
        self.send(_wire.Finish())
        if self._stdin is not None:
            self._stdin.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)

    def expect_level(self) -> asyncio.Future[None]:
        """A future done when this worker ends the level it is sent next, or ends."""
        self._level = asyncio.get_running_loop().create_future()
        if self.closed.done():
            self._level.set_result(None)
        return self._level

    def _on_data(self, data: bytes) -> None:
        for message in self._reader.feed(data):
            if isinstance(message, _wire.Ready):
                _resolve(self.ready)
            elif isinstance(message, _wire.LevelDone):
                if self._level is not None:
                    _resolve(self._level)
            elif isinstance(message, _wire.Failed):
                self.failure = message.message
            else:
                self._on_message(self, message)

    def _on_stderr(self, data: bytes) -> None:
        self._stderr += data
        del self._stderr[:-_STDERR_TAIL]

    def _pipe_closed(self) -> None:
        self._pipes_open -= 1
        if self._pipes_open == 0:
            _resolve(self.closed)

    def level_over(self) -> None:
        """The worker ended (and its open attempts were recorded): no level waits on it."""
        _resolve(self.ready)
        if self._level is not None:
            _resolve(self._level)

    async def reap(self) -> int | None:
        """Wait (briefly, without blocking the loop) for the process to exit; its status."""
        if self.proc is None:
            return None
        deadline = perf_counter_ns() + int(REAP_WAIT_S * 1e9)
        # Its pipes are closed: it is exiting now. No event tells when (not on every loop).
        while self.proc.poll() is None and perf_counter_ns() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        if self.proc.poll() is None:
            self.kill()
            self.proc.wait()
        if self._stdin is not None:
            self._stdin.close()
        return self.proc.returncode

    def death_reason(self, status: int | None) -> str:
        """Why the worker ended, in words, for its attempts that were in flight."""
        if status is not None and status < 0:
            try:
                how = f"killed by {signal.Signals(-status).name}"
            except ValueError:
                how = f"killed by signal {-status}"
        else:
            how = f"exit status {status}"
        detail = self.failure or _last_line(self._stderr)
        detail = redact_text(detail, [self._key] if self._key else [])
        return f"{self.name} ended unexpectedly ({how}{': ' + detail if detail else ''})"


def _last_line(data: bytearray) -> str:
    lines = [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
