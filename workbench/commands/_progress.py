"""A progress line on stderr for `workbench run`: done, errors, in flight, rate, ETA."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from workbench.core.events import (
    AttemptFinished,
    AttemptStarted,
    Event,
    LevelStarted,
    RunStarted,
)


class ProgressLine:
    """Subscriber that redraws at most 10 times a second (a TTY) or every 10% (a pipe)."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.total = 0
        self.done = 0
        self.errors = 0
        self.retries = 0
        self.in_flight = 0
        self.level: int | None = None
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._last_decile = -1
        self._last_line = ""

    def on_event(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.total = event.total
            self.started = time.monotonic()
        elif isinstance(event, LevelStarted):
            self.level = event.level
            self.total = max(self.total, event.planned)
        elif isinstance(event, AttemptStarted):
            self.in_flight = event.in_flight + 1
        elif isinstance(event, AttemptFinished):
            self.in_flight = max(0, self.in_flight - 1)
            if not event.final:
                self.retries += 1
            else:
                self.done += 1
                if event.sample.outcome != "ok":
                    self.errors += 1
            self.draw()

    def line(self) -> str:
        elapsed = max(1e-9, time.monotonic() - self.started)
        rate = self.done / elapsed
        remaining = self.total - self.done
        eta = f"{remaining / rate:5.0f}s" if rate > 0 and remaining else "    -"
        width = 24
        filled = int(width * self.done / self.total) if self.total else width
        bar = "#" * filled + "." * (width - filled)
        retries = f" retries {self.retries}" if self.retries else ""
        return (
            f"[{bar}] {self.done}/{self.total} errors {self.errors}{retries}"
            f" in flight {self.in_flight} c={self.level} {rate:5.1f} req/s ETA {eta}"
        )

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.tty:
            if force or now - self._last_draw >= 0.1:
                self._last_draw = now
                self.stream.write("\r" + self.line() + "\x1b[K")
                self.stream.flush()
            return
        decile = (10 * self.done) // self.total if self.total else 10
        line = self.line()
        if (force or decile != self._last_decile) and line != self._last_line:
            self._last_decile = decile
            self._last_line = line
            self.stream.write(line + "\n")
            self.stream.flush()

    def close(self) -> None:
        self.draw(force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
