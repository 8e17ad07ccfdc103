"""The window's one task manager: named slots holding at most one asyncio task each.

    tasks.slot("analysis").bind(self._compute(run))      # cancels the previous analysis
    if not tasks.slot("heatmap").running: ...            # or skip while one is going
    await tasks.shutdown()                               # on exit: stop and await them all

Binding a new coroutine to a slot asks the previous task to stop (by default it is
cancelled; a slot may be given a gentler `stop`, as the run controller does so that
finished responses are kept) and the new coroutine starts only after the old task ended.
A task that fails is logged and reported through `on_error` (the window shows it); a
cancelled one is not a failure. Owned by the Services, so every part of the window shares
one place that knows what is still running when the program exits. Once `shutdown()` has
begun, a coroutine bound to any slot never runs (its task is returned already cancelled):
nothing started by a timer or a finishing run can outlive the wait for the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorReporter = Callable[[str, BaseException], None]
SHUTDOWN_WAIT_S = 5.0


def _log_only(name: str, exc: BaseException) -> None:
    log.error("task %r failed", name, exc_info=exc)


class TaskSlot:
    """One named place for a task. Created by TaskManager.slot(); do not build directly."""

    def __init__(
        self,
        name: str,
        on_error: ErrorReporter,
        stop: Callable[[asyncio.Task[Any]], None] | None = None,
        closing: Callable[[], bool] = lambda: False,
    ) -> None:
        self.name = name
        self._on_error = on_error
        self._stop = stop
        self._closing = closing
        self._task: asyncio.Task[Any] | None = None

    @property
    def task(self) -> asyncio.Task[Any] | None:
        return self._task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def set_stop(self, stop: Callable[[asyncio.Task[Any]], None]) -> None:
        """How this slot asks its task to stop (default: cancel it)."""
        self._stop = stop

    def bind(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T | None]:
        """Stop the slot's task, then run `coro` once it has ended. Returns the new task,
        whose result is `coro`'s (None if it was cancelled before it began). During
        shutdown the returned task is cancelled before it began."""
        previous = self._task
        if previous is not None and not previous.done():
            self.stop()
        task: asyncio.Task[T | None] = asyncio.ensure_future(self._after(previous, coro))
        if self._closing():
            task.cancel()  # before its first step: `coro` never runs
        self._task = task
        # Cancelled before it began, `coro` never ran: close it (a no-op once it has run),
        # so no "coroutine was never awaited" warning.
        task.add_done_callback(lambda _task: coro.close())
        task.add_done_callback(self._finished)
        return task

    def stop(self) -> None:
        """Ask the current task to stop; returns at once (see `wait`)."""
        task = self._task
        if task is None or task.done():
            return
        if self._stop is not None:
            self._stop(task)
        else:
            task.cancel()

    async def wait(self, grace_s: float) -> None:
        """Wait for the current task to end, cancelling it if it outlasts `grace_s` seconds."""
        task = self._task
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=grace_s)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _after(
        self, previous: asyncio.Task[Any] | None, coro: Coroutine[Any, Any, T]
    ) -> T | None:
        if previous is not None and not previous.done():
            # asyncio.wait, not await: the old task's failure is its own (reported by its
            # done callback), while a cancel of this task must still propagate.
            await asyncio.wait({previous})
        return await coro

    def _finished(self, task: asyncio.Task[Any]) -> None:
        if task is self._task:
            self._task = None
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("task %r failed", self.name, exc_info=exc)
            self._on_error(self.name, exc)


class TaskManager:
    """All the window's background tasks, by name."""

    def __init__(self, on_error: ErrorReporter = _log_only) -> None:
        self._on_error = on_error
        self._slots: dict[str, TaskSlot] = {}
        self.closing = False

    def set_error_reporter(self, on_error: ErrorReporter) -> None:
        self._on_error = on_error
        for slot in self._slots.values():
            slot._on_error = on_error

    def slot(self, name: str, stop: Callable[[asyncio.Task[Any]], None] | None = None) -> TaskSlot:
        """The slot called `name` (the same object for the same name)."""
        found = self._slots.get(name)
        if found is None:
            found = self._slots[name] = TaskSlot(
                name, self._on_error, stop, closing=lambda: self.closing
            )
        elif stop is not None:
            found.set_stop(stop)
        return found

    def running(self) -> list[str]:
        return [name for name, slot in self._slots.items() if slot.running]

    async def shutdown(self, grace_s: float = SHUTDOWN_WAIT_S) -> None:
        """Ask every task to stop and wait for all of them (cancelling any still going
        after `grace_s` seconds). No new task should be bound afterwards."""
        self.closing = True
        slots = [slot for slot in self._slots.values() if slot.running]
        for slot in slots:
            slot.stop()
        await asyncio.gather(*(slot.wait(grace_s) for slot in slots))
