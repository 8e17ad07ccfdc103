"""The sharded engine (worker processes) against the real simulated endpoint over loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import msgspec
import pytest

from workbench.core.events import AttemptDelta, AttemptStarted, Event, EventBus, LevelStarted
from workbench.core.journal import SessionJournal, load_session
from workbench.core.plan import EndpointSpec, Params, Plan, RunSettings, Variant
from workbench.core.runner import Runner
from workbench.core.sharded import ShardedRunner, make_engine, split_level
from workbench.core.workers import auto_workers

# Responses that last about a second: a level's attempts are all in flight together.
SLOW = ("--decode-ms", "25", "--prefill-us-per-token", "0", "--batch-slowdown", "0")


def make_plan(concurrency: list[int], repetitions: int, max_tokens: int = 40) -> Plan:
    return Plan(
        name="sharded",
        endpoint=EndpointSpec(model="sim-chat"),
        user="Explain TCP slow start",
        variants=[Variant(name="short", user="Explain TCP slow start in one line")],
        params=Params(max_tokens=max_tokens, temperature=0.7, seed=1),
        run=RunSettings(concurrency=concurrency, repetitions=repetitions),
    )


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie is gone for our purposes only once reaped: ask the kernel for its state.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def test_split_gives_every_job_and_slot_to_exactly_one_worker() -> None:
    for jobs, level, workers in [(40, 2000, 4), (10, 3, 4), (7, 7, 2), (1, 1, 3)]:
        shares = split_level(jobs, level, workers)
        assert sum(slots for slots, _ in shares) == level
        assert sorted(i for _, indexes in shares for i in indexes) == list(range(jobs))
        assert all(slots >= 1 for slots, _ in shares)


def test_auto_is_one_worker_until_500_streams_then_one_per_500_up_to_the_cores() -> None:
    assert auto_workers(make_plan([1, 64, 500], 1), cores=8) == 1
    assert auto_workers(make_plan([2000], 1), cores=8) == 4
    assert auto_workers(make_plan([2000], 1), cores=2) == 2
    assert isinstance(make_engine(make_plan([8], 1), workers=None, base_url="x"), Runner)


async def test_a_sharded_run_records_what_one_loop_records(sim_url: str, tmp_path: Path) -> None:
    plan = make_plan([1, 3], repetitions=4)
    bus = EventBus()
    journal = SessionJournal(tmp_path / "s.jsonl")
    bus.subscribe(journal.on_event)
    starts: list[int] = []
    bus.subscribe(lambda e: starts.append(e.id) if isinstance(e, AttemptStarted) else None)
    runner = ShardedRunner(plan, base_url=sim_url + "/v1", workers=2, bus=bus)
    result = await runner.run()
    assert result.counts == {"ok": 16, "error": 0, "cancelled": 0}
    ids = [s.id for s in result.samples]
    assert sorted(ids) == list(range(16)) and starts == list(range(16))  # unique, start order
    cells = Counter((s.cell.level, s.cell.variant) for s in result.samples)
    assert cells == {(1, "base"): 4, (1, "short"): 4, (3, "base"): 4, (3, "short"): 4}
    assert all(s.session == runner.session and s.outcome == "ok" for s in result.samples)
    # Level 1 ran before level 3 started (a barrier across the workers).
    level_one = [s.id for s in result.samples if s.cell.level == 1]
    assert max(level_one) < min(s.id for s in result.samples if s.cell.level == 3)
    loaded = load_session(tmp_path / "s.jsonl")
    assert loaded.header.environment["workers"] == "2"
    assert sorted(s.id for s in loaded.samples) == list(range(16))
    assert loaded.end is not None and loaded.end.counts == result.counts
    assert all(_gone(pid) for pid in runner.worker_pids)


async def test_a_killed_worker_s_attempts_are_errors_naming_it(sim_factory: Any) -> None:
    root = sim_factory(*SLOW)
    plan = make_plan([4], repetitions=6)  # 12 requests, 2 in flight in each worker
    bus = EventBus()
    runner = ShardedRunner(plan, base_url=root + "/v1", workers=2, bus=bus)
    victim: list[int] = []

    def kill_when_all_are_in_flight(event: Event) -> None:
        if isinstance(event, AttemptStarted) and runner.in_flight == 4 and not victim:
            victim.append(runner.worker_pids[0])
            os.kill(victim[0], signal.SIGKILL)

    bus.subscribe(kill_when_all_are_in_flight)
    result = await runner.run()
    assert sum(result.counts.values()) == result.planned == 12
    lost = [s for s in result.samples if s.outcome == "error"]
    assert len(lost) == 2
    for sample in lost:
        assert sample.error is not None
        assert f"worker 1 of 2 (pid {victim[0]})" in sample.error.message
        assert "SIGKILL" in sample.error.message
    # The other worker ran its whole share; the dead one's unsent requests count as never sent.
    assert result.counts["ok"] == 6 and result.counts["cancelled"] == 4
    assert len({s.id for s in result.samples}) == len(result.samples)
    assert not result.cancelled
    assert all(_gone(pid) for pid in runner.worker_pids)


async def test_cancel_reaches_the_workers_and_keeps_what_finished(
    sim_factory: Any, tmp_path: Path
) -> None:
    root = sim_factory(*SLOW)
    plan = make_plan([4], repetitions=20)
    bus = EventBus()
    journal = SessionJournal(tmp_path / "c.jsonl")
    bus.subscribe(journal.on_event)
    runner = ShardedRunner(plan, base_url=root + "/v1", workers=2, bus=bus)
    finished: list[int] = []

    def cancel_after_four(event: Event) -> None:
        if type(event).__name__ == "AttemptFinished":
            finished.append(1)
            if len(finished) == 4:
                runner.cancel()

    bus.subscribe(cancel_after_four)
    result = await runner.run()
    assert result.cancelled
    assert sum(result.counts.values()) == 40
    assert result.counts["ok"] >= 4
    cut = [s for s in result.samples if s.outcome == "cancelled"]
    assert cut and all(s.error and s.error.message == "cancelled by the user" for s in cut)
    loaded = load_session(tmp_path / "c.jsonl")
    assert loaded.end is not None and loaded.end.cancelled
    assert len(loaded.samples) == len(result.samples)
    assert all(_gone(pid) for pid in runner.worker_pids)


_ORPHAN_SCRIPT = """
import asyncio, sys
from workbench.core.events import AttemptStarted, EventBus
from workbench.core.plan import EndpointSpec, Params, Plan, RunSettings
from workbench.core.sharded import ShardedRunner

plan = Plan(endpoint=EndpointSpec(model="sim-chat"), user="x", params=Params(max_tokens=400),
            run=RunSettings(concurrency=[2], repetitions=100))
bus = EventBus()
runner = ShardedRunner(plan, base_url=sys.argv[1] + "/v1", workers=2, bus=bus,
                       api_key=sys.argv[2])
said = []
def tell(event):
    if isinstance(event, AttemptStarted) and runner.in_flight == 2 and not said:
        said.append(1)
        print(" ".join(map(str, runner.worker_pids)), flush=True)
bus.subscribe(tell)
asyncio.run(runner.run())
"""


def test_workers_end_with_a_killed_parent_and_never_show_the_key(sim_factory: Any) -> None:
    root = sim_factory(*SLOW)
    key = "sk-sharded-secret-0123456789"
    env = {**os.environ, "WORKBENCH_TEST_KEY": key}
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT, root, key],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert parent.stdout is not None
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2
        for pid in pids:
            # Visible to `ps` (argv) or to anyone reading /proc (environment): no key.
            assert key.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
            assert key.encode() not in Path(f"/proc/{pid}/environ").read_bytes()
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 30  # a hang guard, not a timing assertion
        while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(_gone(pid) for pid in pids)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


async def test_a_worker_that_cannot_start_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, sim_url: str
) -> None:
    from workbench.core.sharded import WorkersFailed

    # A broken installation: the worker's interpreter exits at once.
    monkeypatch.setattr(sys, "executable", "/bin/false")
    runner = ShardedRunner(make_plan([2], 2), base_url=sim_url + "/v1", workers=2)
    with pytest.raises(WorkersFailed, match="worker 1 of 2"):
        await runner.run()


async def test_retries_point_at_the_session_ids_of_what_they_retry(sim_factory: Any) -> None:
    root = sim_factory("--zero-delay", "--fault", "503=0.5", "--seed", "3")
    plan = msgspec.structs.replace(
        make_plan([4], repetitions=10),
        run=RunSettings(concurrency=[4], repetitions=10, retries=3, backoff_base=0.01),
    )
    result = await ShardedRunner(plan, base_url=root + "/v1", workers=2).run()
    by_id = {s.id: s for s in result.samples}
    retries = [s for s in result.samples if s.retry_of is not None]
    assert retries  # half the attempts fail: some are retried
    for sample in retries:
        earlier = by_id[sample.retry_of]  # type: ignore[index]
        assert earlier.outcome == "error" and earlier.id < sample.id
        assert (earlier.cell, earlier.repetition) == (sample.cell, sample.repetition)
        assert earlier.attempt + 1 == sample.attempt
    assert sum(result.counts.values()) == result.planned == 20
    assert len(result.final_samples) == 20


async def test_open_loop_arrivals_are_split_over_the_workers(sim_url: str) -> None:
    run = RunSettings(concurrency=[4], repetitions=3, arrival="open", rate=40.0)
    plan = msgspec.structs.replace(make_plan([4], repetitions=3), run=run)
    result = await ShardedRunner(plan, base_url=sim_url + "/v1", workers=2).run()
    assert result.counts == {"ok": 6, "error": 0, "cancelled": 0}
    assert sorted(s.id for s in result.samples) == list(range(6))


async def test_streamed_text_arrives_coalesced_and_whole(sim_factory: Any) -> None:
    root = sim_factory(*SLOW)
    bus = EventBus()
    text: dict[int, str] = {}
    deltas: list[int] = []

    def collect(event: Event) -> None:
        if isinstance(event, AttemptDelta):
            deltas.append(event.id)
            text[event.id] = text.get(event.id, "") + event.content

    bus.subscribe(collect, deltas=True)
    plan = make_plan([2], repetitions=1)
    result = await ShardedRunner(plan, base_url=root + "/v1", workers=2, bus=bus).run()
    assert result.counts["ok"] == 2
    for sample in result.samples:
        assert text[sample.id] == sample.text  # every piece, in order, under the session's id
        # ~40 chunks over about a second, sent at most every 0.1 s: far fewer deltas.
        assert 1 <= deltas.count(sample.id) < len(sample.timing.content_offsets_ns)


def test_the_program_itself_starts_a_worker_where_there_is_no_interpreter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workbench.core.workers import WORKER_COMMAND, worker_command

    assert worker_command()[1:] == ["-m", "workbench.core._worker"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert worker_command() == [sys.executable, WORKER_COMMAND]
    # `workbench _engine-worker` is that worker: its stdin pipe closed at once (the parent
    # gone before a word), it ends.
    done = subprocess.run(
        [sys.executable, "-m", "workbench", WORKER_COMMAND],
        input=b"",
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == b""


async def test_a_knee_search_across_workers_finds_what_one_loop_finds(
    sim_factory: Any, tmp_path: Path
) -> None:
    from tests.core.test_knee import CAPACITY_2, knee_plan

    root = sim_factory(*CAPACITY_2)
    bus = EventBus()
    started: list[LevelStarted] = []
    bus.subscribe(lambda e: started.append(e) if isinstance(e, LevelStarted) else None)
    journal = SessionJournal(tmp_path / "knee.jsonl")
    bus.subscribe(journal.on_event)
    plan = knee_plan(knee_min_gain=0.3)  # as tests/core/test_knee.py with one loop
    result = await ShardedRunner(plan, base_url=root + "/v1", workers=2, bus=bus).run()
    assert result.knee is not None and result.knee.knee == 2
    assert result.levels == [1, 2, 4] and [e.level for e in started] == [1, 2, 4]
    assert [e.planned for e in started] == [4, 12, 28]
    assert result.counts == {"ok": 28, "error": 0, "cancelled": 0}
    session = load_session(tmp_path / "knee.jsonl")
    assert session.end is not None and session.end.levels == [1, 2, 4]


async def test_chains_run_whole_inside_workers_and_keep_their_session_numbers(
    sim_factory: Any,
) -> None:
    from tests.core.test_chains import by_chain, chain_plan

    root = sim_factory("--zero-delay", "--fault", "500=0.3", "--seed", "5")
    steps = ["Start from {{input}}.", "Then [{{previous}}]", "Last: {{previous}}"]
    plan = chain_plan(steps, inputs=["alpha"])
    plan = msgspec.structs.replace(plan, run=msgspec.structs.replace(plan.run, concurrency=[1, 2]))
    one = await Runner(plan, base_url=root + "/v1").run()
    result = await ShardedRunner(plan, base_url=root + "/v1", workers=2).run()
    assert sum(result.counts.values()) == result.planned == one.planned == 12  # 2 levels x 2 x 3
    chains = by_chain(result)
    assert sorted(chains) == sorted(by_chain(one)) == [0, 1, 2, 3]
    for samples in chains.values():  # every chain on record whole: steps in order, a failed
        assert [s.cell.step for s in samples] == [1, 2, 3]  # step's successors not sent
        outcomes = [s.outcome for s in samples]
        if "error" in outcomes:
            after = outcomes[outcomes.index("error") + 1 :]
            assert all(o == "cancelled" for o in after)
    assert len({s.id for s in result.samples}) == len(result.samples)


async def test_a_worker_that_cannot_read_its_orders_says_so_instead_of_hanging(
    sim_url: str,
) -> None:
    from workbench.core.sharded import WorkersFailed

    # Built without validation (as a newer program's plan would reach an older worker).
    plan = msgspec.structs.replace(
        make_plan([2], 1),
        run=RunSettings(concurrency=[2], repetitions=1, mode="open"),  # type: ignore[arg-type]
    )
    with pytest.raises(WorkersFailed, match="cannot read the parent's message"):
        await ShardedRunner(plan, base_url=sim_url + "/v1", workers=2).run()
