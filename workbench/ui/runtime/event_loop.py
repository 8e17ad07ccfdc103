"""qasync's event loop with a cheaper call_soon.

qasync runs every call_soon as its own zero-delay Qt timer (startTimer, then killTimer when
it fires). With 500 streams that is ~140,000 timers a run, and killTimer's cost grows with
the number of live timers (every cancelled read timeout stays registered until it would
have fired): measured, it was the largest cost on the Qt thread (3.5 s of 17 s). Here ready
callbacks go into one queue drained by a single zero-delay QTimer, in FIFO order as asyncio
requires; each pass runs only what was queued before it, and for at most 8 ms, so Qt's own
events (input, paint, timers) interleave between passes.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QTimer

# A burst (500 requests connecting at once) must not hold the Qt thread for long.
PASS_BUDGET_S = 0.008


class WorkbenchEventLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync is untyped
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ready_queue: deque[asyncio.Handle] = deque()
        self._drain_timer = QTimer()
        self._drain_timer.setSingleShot(True)
        self._drain_timer.setInterval(0)
        self._drain_timer.timeout.connect(self._drain)

    def call_soon(
        self,
        callback: Callable[..., object],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        self._check_closed()
        handle = asyncio.Handle(callback, args, self, context)
        self._ready_queue.append(handle)
        if not self._drain_timer.isActive():
            self._drain_timer.start()
        return handle

    def _drain(self) -> None:
        queue = self._ready_queue
        deadline = time.perf_counter() + PASS_BUDGET_S
        for _ in range(len(queue)):
            handle = queue.popleft()
            if not handle._cancelled:
                handle._run()
            if time.perf_counter() > deadline:
                break  # let Qt paint and fire its timers; the rest runs next pass, in order
        if queue:
            self._drain_timer.start()

    def close(self) -> None:
        self._drain_timer.stop()
        self._ready_queue.clear()
        super().close()
