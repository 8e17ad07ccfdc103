"""The simulated endpoint as a child process, Qt-free.

The child is started as `python -m workbench.sim --port 0 --exit-on-stdin-eof ...` (the same
flags as `workbench sim`, but importing only the simulator: it starts faster and does not depend
on the rest of the program importing cleanly). Its first stdout line is its base URL. The child
holds the read end of a pipe on its stdin; when the parent dies, even by SIGKILL, the kernel
closes the write end and the child exits, so no orphan is left behind.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import selectors
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from types import TracebackType


class SimProcessError(RuntimeError):
    """The simulated endpoint did not start (the message says why and includes its stderr)."""


def simulator_command() -> list[str]:
    """How to start the simulated endpoint from this program: `python -m workbench.sim`, or,
    in a frozen build (no interpreter to pass `-m` to), the program itself as `workbench sim`."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "sim"]
    return [sys.executable, "-m", "workbench.sim"]


class SimProcess:
    """One simulated endpoint in a child process."""

    def __init__(self, extra_args: Sequence[str] = (), host: str = "127.0.0.1") -> None:
        self.extra_args = tuple(extra_args)
        self.host = host
        self._proc: subprocess.Popen[bytes] | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise SimProcessError("simulated endpoint not started")
        return self._base_url

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 15.0) -> str:
        """Spawn the child, read its URL, wait for GET /health; return the base URL."""
        if self.running():
            return self.base_url
        cmd = [
            *simulator_command(),
            "--host",
            self.host,
            "--port",
            "0",
            "--exit-on-stdin-eof",
            *self.extra_args,
        ]
        deadline = time.monotonic() + timeout
        self._proc = proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            line = self._read_url_line(proc, deadline)
            if not line.startswith("http://"):
                raise SimProcessError(f"unexpected first line from the simulator: {line!r}")
            self._base_url = line
            self._drain_stderr(proc)
            self._wait_healthy(line, deadline)
        except BaseException:
            self.stop()
            raise
        return line

    def _read_url_line(self, proc: subprocess.Popen[bytes], deadline: float) -> str:
        assert proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        buffer = b""
        try:
            while b"\n" not in buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SimProcessError(self._failure("did not print its URL in time", proc))
                if not selector.select(left):
                    continue
                data = os.read(proc.stdout.fileno(), 4096)
                if not data:
                    proc.wait(timeout=5)
                    raise SimProcessError(self._failure("exited before serving", proc))
                buffer += data
        finally:
            selector.close()
        return buffer.split(b"\n", 1)[0].decode().strip()

    @staticmethod
    def _failure(what: str, proc: subprocess.Popen[bytes]) -> str:
        stderr = b""
        if proc.poll() is not None and proc.stderr is not None:
            stderr = proc.stderr.read() or b""
        code = proc.returncode
        detail = stderr.decode(errors="replace").strip()
        status = f" (exit code {code})" if code is not None else ""
        return f"simulated endpoint {what}{status}" + (f": {detail}" if detail else "")

    @staticmethod
    def _drain_stderr(proc: subprocess.Popen[bytes]) -> None:
        """Forward the child's stderr to ours in a thread, so a full pipe never blocks it."""
        stream = proc.stderr
        if stream is None:
            return

        def forward() -> None:
            for line in iter(stream.readline, b""):
                with contextlib.suppress(OSError, ValueError):
                    sys.stderr.write(line.decode(errors="replace"))

        threading.Thread(target=forward, name="sim-stderr", daemon=True).start()

    def _wait_healthy(self, base_url: str, deadline: float) -> None:
        while True:
            try:
                with urllib.request.urlopen(base_url + "/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if self._proc is None or self._proc.poll() is not None or time.monotonic() > deadline:
                raise SimProcessError(f"simulated endpoint at {base_url} did not become healthy")
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the child has used so far (Linux /proc)."""
        if self._proc is None:
            return 0.0
        return process_cpu_seconds(self._proc.pid)

    def stop(self, timeout: float = 5.0) -> None:
        """Close its stdin (it exits by itself), then terminate, then kill."""
        proc, self._proc = self._proc, None
        self._base_url = None
        if proc is None:
            return
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(timeout=timeout / 2)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=timeout / 2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> SimProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process, from /proc/PID/stat (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The command name may contain spaces; the fields we want follow its closing ')'.
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _answers_health(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/health", timeout=2) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class LocalSimulator:
    """The program's "Local simulator" endpoint: one child per interpreter, started on first
    use, reused after that (restarted if it died), stopped at interpreter exit."""

    _shared: LocalSimulator | None = None
    _shared_lock = threading.Lock()

    def __init__(self, extra_args: Sequence[str] = ()) -> None:
        self._process = SimProcess(extra_args)
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> LocalSimulator:
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
                atexit.register(cls._shared.stop)
            return cls._shared

    def base_url(self, timeout: float = 15.0) -> str:
        with self._lock:
            process = self._process
            # poll() alone is not enough: a child that was just killed can still look alive
            # (its threads are exiting), so a reused child must also answer /health.
            if process.running() and _answers_health(process.base_url):
                return process.base_url
            if process.running():
                process.stop()
            return process.start(timeout)

    async def abase_url(self, start_timeout: float = 15.0) -> str:
        """`base_url()` for async code: the blocking start runs in a worker thread."""
        return await asyncio.to_thread(self.base_url, start_timeout)

    @property
    def process(self) -> SimProcess:
        return self._process

    def running(self) -> bool:
        """Whether the child is alive (a poll of its PID, no I/O)."""
        return self._process.running()

    def stop(self) -> None:
        with self._lock:
            self._process.stop()
