"""Continuous-batching slots: `capacity` sequences decode at once, the rest wait in FIFO order.

A request that finds a free slot (and nobody waiting) is admitted at once; otherwise it queues,
and the caller keeps the client informed (keep-alive comments or blank lines) while it waits.
When a sequence finishes its slot passes straight to the oldest waiter.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Admission:
    active: int  # active sequences right after admission, this one included
    order: int  # admission order since start, 0-based
    queue_ns: int  # time spent waiting for the slot


class Scheduler:
    def __init__(self, capacity: int, hold_until_active: int = 0) -> None:
        self.capacity = capacity
        self.active = 0
        self._admitted = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._hold = hold_until_active
        self._changed = asyncio.Event()
        self._gate_epoch = 0

    @property
    def free(self) -> int:
        return self.capacity - self.active

    @property
    def queued(self) -> int:
        return len(self._waiters)

    def try_admit(self) -> Admission | None:
        """Admit now if a slot is free and nobody is ahead; None means the caller must queue."""
        if self.active >= self.capacity or self._waiters:
            return None
        self.active += 1
        return self._admission(0)

    def enqueue(self) -> asyncio.Future[None]:
        """Join the queue; the future resolves when this request holds a slot."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        return waiter

    def admitted(self, waiter: asyncio.Future[None], queued_since_ns: int) -> Admission:
        """Record the admission of a resolved waiter (its slot was handed over by release)."""
        assert waiter.done()
        return self._admission(time.perf_counter_ns() - queued_since_ns)

    def abandon(self, waiter: asyncio.Future[None]) -> None:
        """A queued client went away: leave the queue, or give back a slot already handed over."""
        if waiter.done() and not waiter.cancelled():
            self.release()
            return
        waiter.cancel()
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot changes hands; active stays the same
                return
        self.active -= 1
        self._notify()

    async def hold(self) -> None:
        """Barrier at the end of prefill (test aid): wait until enough sequences are active."""
        # The gate epoch lets every holder through once the count was reached, even if the
        # first one released has already finished and lowered `active` again.
        epoch = self._gate_epoch
        while self._hold and self.active < self._hold and self._gate_epoch == epoch:
            await self._changed.wait()

    def _admission(self, queue_ns: int) -> Admission:
        order = self._admitted
        self._admitted += 1
        if self._hold and self.active >= self._hold:
            self._gate_epoch += 1
        self._notify()
        return Admission(active=self.active, order=order, queue_ns=queue_ns)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
