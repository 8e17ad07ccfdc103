"""The session file: written as attempts finish, read back exactly, damage reported."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from tests.core.test_runner import api_base, make_plan
from workbench.core.events import EventBus
from workbench.core.journal import SessionFileError, SessionJournal, load_session
from workbench.core.runner import Runner, RunResult

SECRET = "fake-journal-secret-000000000000"


async def journalled_run(root: str, path: Path, **plan_kwargs: object) -> RunResult:
    bus = EventBus()
    journal = SessionJournal(path)
    bus.subscribe(journal.on_event)
    plan = make_plan(**plan_kwargs)  # type: ignore[arg-type]
    result = await Runner(plan, base_url=api_base(root), api_key=SECRET, bus=bus).run()
    assert journal.error is None
    return result


async def test_a_session_reads_back_exactly_as_it_ran(sim_url: str, tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    result = await journalled_run(sim_url, path, concurrency=[1, 2], repetitions=3)
    loaded = load_session(path)
    assert loaded.warnings == []
    assert loaded.samples == result.samples
    assert loaded.header.session == result.session
    assert loaded.header.plan.user == "Explain TCP slow start"
    assert loaded.end is not None and loaded.end.counts == result.counts
    assert SECRET.encode() not in path.read_bytes()


async def test_each_attempt_is_on_disk_as_soon_as_it_finishes(sim_url: str, tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    bus = EventBus()
    journal = SessionJournal(path)
    bus.subscribe(journal.on_event)
    lines_seen: list[int] = []

    def count_lines(event: object) -> None:
        from workbench.core.events import AttemptFinished

        if isinstance(event, AttemptFinished):
            lines_seen.append(len(path.read_bytes().splitlines()))

    bus.subscribe(count_lines)
    await Runner(make_plan(repetitions=4), base_url=api_base(sim_url), bus=bus).run()
    # header + n finished attempts, at the moment each finished.
    assert lines_seen == [2, 3, 4, 5]


async def test_truncated_last_line_is_skipped_with_a_warning(sim_url: str, tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    result = await journalled_run(sim_url, path, repetitions=3)
    data = path.read_bytes().splitlines(keepends=True)
    # Drop the end record and cut the last attempt in half, as a crash would.
    damaged = b"".join(data[:-2]) + data[-2][: len(data[-2]) // 2]
    path.write_bytes(damaged)
    loaded = load_session(path)
    assert len(loaded.samples) == len(result.samples) - 1
    assert len(loaded.warnings) == 1 and "line 4" in loaded.warnings[0]


async def test_a_damaged_middle_line_names_line_and_field(sim_url: str, tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    await journalled_run(sim_url, path, repetitions=3)
    lines = path.read_bytes().splitlines(keepends=True)
    record = msgspec.json.decode(lines[2])
    record["timing"]["ttft_ns"] = "fast"
    lines[2] = msgspec.json.encode(record) + b"\n"
    path.write_bytes(b"".join(lines))
    with pytest.raises(SessionFileError, match=r"line 3: field timing\.ttft_ns"):
        load_session(path)


def _rename(record: dict[str, object], path: str, new_name: str) -> None:
    """Rename the key at dotted `path` of a decoded record, as a hand edit might."""
    *parents, last = path.split(".")
    target: object = record
    for key in parents:
        assert isinstance(target, dict)
        target = target[key]
    assert isinstance(target, dict)
    target[new_name] = target.pop(last)


@pytest.mark.parametrize(
    ("line", "key", "typo", "message"),
    [
        (0, "environment", "enviroment", "line 1: field enviroment: unknown field; did you mean"
         " environment?"),
        (0, "plan.run.repetitions", "repetitons", "line 1: field plan.run.repetitons: unknown"
         " field; did you mean repetitions?"),
        (2, "timing.ttft_ns", "ttft_n", "line 3: field timing.ttft_n: unknown field; did you"
         " mean ttft_ns?"),
        (2, "cell.level", "levle", "line 3: field cell.levle: unknown field; did you mean"
         " level?"),
        (-1, "counts", "count", "line 4: field count: unknown field; did you mean counts?"),
    ],
    ids=["header", "embedded plan", "attempt", "attempt's cell", "end record"],
)
async def test_an_unknown_key_names_line_field_and_nearest_name(
    sim_url: str, tmp_path: Path, line: int, key: str, typo: str, message: str
) -> None:
    path = tmp_path / "k.jsonl"
    await journalled_run(sim_url, path, repetitions=2)
    lines = path.read_bytes().splitlines(keepends=True)
    record = msgspec.json.decode(lines[line])
    _rename(record, key, typo)
    lines[line] = msgspec.json.encode(record) + b"\n"
    path.write_bytes(b"".join(lines))
    with pytest.raises(SessionFileError) as raised:
        load_session(path)
    assert str(raised.value) == f"{path}, {message}"


async def test_an_unknown_key_on_an_unterminated_last_line_is_not_taken_for_a_crash(
    sim_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "u.jsonl"
    await journalled_run(sim_url, path, repetitions=2)
    lines = path.read_bytes().splitlines()
    record = msgspec.json.decode(lines[-1])
    record["cancelld"] = record.pop("cancelled", False)
    path.write_bytes(b"\n".join([*lines[:-1], msgspec.json.encode(record)]))
    with pytest.raises(SessionFileError) as raised:
        load_session(path)
    assert str(raised.value) == (
        f"{path}, line 4: field cancelld: unknown field; did you mean cancelled?"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"hello\n", "line 1: not JSON"),
        (b'{"format": "other"}\n', "not a prompt-stress-workbench-session"),
        (
            b'{"type":"header","format":"prompt-stress-workbench-session","version":99}\n',
            "newer version",
        ),
    ],
)
def test_files_that_are_not_sessions_are_refused_clearly(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(SessionFileError, match=message):
        load_session(path)


def test_a_missing_file_is_reported_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(SessionFileError, match=r"nope\.jsonl: cannot read"):
        load_session(tmp_path / "nope.jsonl")


async def test_block_boundaries_change_nothing(
    sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbench.core.journal as journal

    path = tmp_path / "b.jsonl"
    await journalled_run(sim_url, path, repetitions=6)
    whole = load_session(path)
    monkeypatch.setattr(journal, "_BLOCK", 97)  # lines straddle many block edges
    assert load_session(path).samples == whole.samples
    lines = path.read_bytes().splitlines(keepends=True)
    lines[5] = b'{"type":"sample","id":"five"}\n'
    path.write_bytes(b"".join(lines))
    with pytest.raises(SessionFileError, match="line 6: "):
        load_session(path)


async def test_an_older_format_is_migrated_with_a_warning(
    sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migration path, exercised with a step from format 1 to 2 that renames a field the
    way a real change would (the real 1 -> 2 step only adds fields: test_knee.py)."""
    import workbench.core.journal as journal

    path = tmp_path / "v1.jsonl"
    result = await journalled_run(sim_url, path, repetitions=2)
    lines = path.read_bytes().splitlines(keepends=True)
    # What format 1 might have written: the plan's name under another key.
    header = msgspec.json.decode(lines[0])
    header["plan"]["title"] = header["plan"].pop("name")
    header["version"] = 1
    lines[0] = msgspec.json.encode(header) + b"\n"
    path.write_bytes(b"".join(lines))

    def one_to_two(records: list[dict[str, object]]) -> list[dict[str, object]]:
        head = records[0]
        plan = head["plan"]
        assert isinstance(plan, dict)
        plan["name"] = plan.pop("title")
        head["version"] = 2
        return records

    monkeypatch.setattr(journal, "VERSION", 2)
    monkeypatch.setitem(journal.MIGRATIONS, 1, one_to_two)
    loaded = load_session(path)
    assert loaded.header.plan.name == "test"
    assert loaded.samples == result.samples
    assert any("migrated from an older format (version 1)" in w for w in loaded.warnings)


def test_a_format_with_no_migration_is_refused_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbench.core.journal as journal

    monkeypatch.setattr(journal, "VERSION", 3)
    path = tmp_path / "old.jsonl"
    path.write_bytes(b'{"type":"header","format":"prompt-stress-workbench-session","version":2}\n')
    with pytest.raises(SessionFileError, match="version 2 cannot be migrated"):
        load_session(path)


async def test_a_version_1_session_with_the_old_arrival_mode_loads_as_a_sweep(
    sim_url: str, tmp_path: Path
) -> None:
    """Version 1 wrote the arrival as `run.mode` ("closed" was the default, so left out)."""
    path = tmp_path / "v1-open.jsonl"
    result = await journalled_run(sim_url, path, repetitions=2, arrival="open", rate=500.0)
    lines = path.read_bytes().splitlines(keepends=True)
    header = msgspec.json.decode(lines[0])
    header["version"] = 1
    run = header["plan"]["run"]
    run.pop("arrival")
    run["mode"] = "open"
    lines[0] = msgspec.json.encode(header) + b"\n"
    path.write_bytes(b"".join(lines))
    loaded = load_session(path)
    assert (loaded.header.plan.run.mode, loaded.header.plan.run.arrival) == ("sweep", "open")
    assert loaded.header.plan.run.rate == 500.0
    assert loaded.samples == result.samples
    assert any("migrated from an older format (version 1)" in w for w in loaded.warnings)


def test_a_version_1_session_with_a_contradicting_arrival_names_the_field(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.jsonl"
    header = {"type": "header", "format": "prompt-stress-workbench-session", "version": 1,
              "app_version": "0", "created": "", "session": "s",
              "plan": {"user": "x", "run": {"mode": "open", "arrival": "closed", "rate": 1.0}}}
    path.write_bytes(msgspec.json.encode(header) + b"\n")
    with pytest.raises(SessionFileError, match=r"bad\.jsonl, line 1: field plan\.run\.mode: "):
        load_session(path)
