"""The task manager: one task per slot, the previous one stopped first, failures reported."""

from __future__ import annotations

import asyncio

from workbench.ui.runtime.tasks import TaskManager


async def test_binding_a_slot_cancels_the_previous_task_before_the_new_one_starts() -> None:
    manager = TaskManager()
    order: list[str] = []
    release = asyncio.Event()

    async def first() -> str:
        try:
            await release.wait()
        except asyncio.CancelledError:
            order.append("first cancelled")
            raise
        return "first"

    async def second() -> str:
        order.append("second started")
        return "second"

    old = manager.slot("analysis").bind(first())
    await asyncio.sleep(0)
    new = manager.slot("analysis").bind(second())
    assert await new == "second"
    assert old.cancelled()
    assert order == ["first cancelled", "second started"]
    assert not manager.slot("analysis").running


async def test_a_gentle_stop_lets_the_previous_task_finish_its_work() -> None:
    stop_requested = asyncio.Event()

    async def run() -> str:
        await stop_requested.wait()
        return "kept what finished"

    manager = TaskManager()
    slot = manager.slot("run", stop=lambda _task: stop_requested.set())
    old = slot.bind(run())
    await asyncio.sleep(0)
    slot.bind(asyncio.sleep(0))
    assert await old == "kept what finished"


async def test_failures_are_reported_with_the_slot_name_and_cancellation_is_not() -> None:
    reported: list[tuple[str, str]] = []
    manager = TaskManager(lambda name, exc: reported.append((name, str(exc))))

    async def broken() -> None:
        raise ValueError("the file is gone")

    task = manager.slot("export").bind(broken())
    await asyncio.wait({task})
    cancelled = manager.slot("probe").bind(asyncio.sleep(60))
    await asyncio.sleep(0)
    manager.slot("probe").stop()
    await asyncio.wait({cancelled})
    assert reported == [("export", "the file is gone")]


async def test_a_coroutine_cancelled_before_it_began_never_runs() -> None:
    manager = TaskManager()
    ran: list[str] = []

    async def never() -> None:
        ran.append("ran")

    slot = manager.slot("heatmap")
    slot.bind(asyncio.sleep(60))
    await asyncio.sleep(0)
    doomed = slot.bind(never())
    doomed.cancel()
    await asyncio.wait({doomed})
    assert ran == []


async def test_shutdown_stops_and_awaits_every_slot() -> None:
    manager = TaskManager()
    stubborn_done = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            stubborn_done.set()

    tasks = [manager.slot(name).bind(stubborn()) for name in ("run", "analysis", "diff")]
    await asyncio.sleep(0)
    assert sorted(manager.running()) == ["analysis", "diff", "run"]
    await manager.shutdown(grace_s=1.0)
    assert all(t.done() for t in tasks)
    assert manager.running() == []
    assert stubborn_done.is_set()


async def test_nothing_bound_after_shutdown_began_runs() -> None:
    manager = TaskManager()
    ran: list[str] = []

    async def late() -> None:
        ran.append("ran")

    await manager.shutdown(grace_s=1.0)
    task = manager.slot("analysis").bind(late())
    await asyncio.wait({task})
    assert task.cancelled()
    assert ran == []
    assert manager.running() == []


async def test_shutdown_lets_a_gently_stopped_task_finish_its_work() -> None:
    stop_requested = asyncio.Event()
    saved: list[str] = []

    async def run() -> None:
        await stop_requested.wait()
        saved.append("finished responses kept")

    manager = TaskManager()
    manager.slot("run", stop=lambda _task: stop_requested.set()).bind(run())
    await asyncio.sleep(0)
    await manager.shutdown(grace_s=5.0)
    assert saved == ["finished responses kept"]
