"""The session file: JSON Lines, a header, then one line per finished attempt.

Each attempt is appended and flushed as it finishes and the file is fsynced at least once a
second, so a crash loses only what was in flight. A truncated last line is skipped on load
with a warning; any other damage is an error naming the line and the field.

Every record forbids unknown fields, so a damaged or hand-edited key is named, not dropped.
Files this program wrote never hold one; so a field added to a record later needs VERSION
raised (older readers then say "written by a newer version"), and a migration for the old.
"""

from __future__ import annotations

import asyncio
import gc
import io
import os
import platform
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

import msgspec

from workbench import __version__
from workbench.core.events import AttemptFinished, Event, RunFinished, RunStarted
from workbench.core.plan import Plan, PlanError, migrate_plan_data
from workbench.core.records import Sample
from workbench.core.unknown_fields import find_unknown_field

FORMAT: Final = "prompt-stress-workbench-session"
# 2: plans have a mode (`run.mode`, the arrival moved to `run.arrival`), samples a `chain`;
# the plan's knee-search fields ([run] search, knee_min_gain, knee_goodput_floor,
# max_concurrency, slo) and the end record's `levels`.
VERSION: Final = 2
FSYNC_INTERVAL_S: Final = 1.0


class SessionHeader(msgspec.Struct, kw_only=True, tag="header", forbid_unknown_fields=True):
    format: str
    version: int
    app_version: str
    created: str  # ISO 8601, UTC
    session: str
    plan: Plan
    environment: dict[str, str] = {}


class RunEnd(msgspec.Struct, kw_only=True, tag="end", forbid_unknown_fields=True):
    """Written when a run ends (normally or cancelled): the counts of planned requests."""

    counts: dict[str, int]
    cancelled: bool = False
    finished: str = ""
    # The levels started, in order: a knee search's are chosen as it goes (format 2).
    levels: list[int] = []


class SessionFileError(Exception):
    """A session file cannot be read. The message names the file, line and field."""


@dataclass(slots=True)
class LoadedSession:
    path: Path
    header: SessionHeader
    samples: list[Sample] = field(default_factory=list)
    end: RunEnd | None = None
    warnings: list[str] = field(default_factory=list)


def environment(*, workers: int = 1) -> dict[str, str]:
    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": str(os.cpu_count() or 0),
    }
    if workers > 1:
        # A sharded run (core.sharded) says so; its records are the same as one loop's.
        env["workers"] = str(workers)
    return env


_encoder = msgspec.json.Encoder()


class SessionJournal:
    """Appends a run's events to a session file. Subscribe `on_event` to the runner's bus."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None
        self._dirty = False
        self._last_sync = 0.0
        self._sync_handle: asyncio.TimerHandle | None = None
        self.error: OSError | None = None

    def on_event(self, event: Event) -> None:
        try:
            if isinstance(event, RunStarted):
                self._open(event)
            elif isinstance(event, AttemptFinished):
                self._append(event.sample)
            elif isinstance(event, RunFinished):
                self._append(
                    RunEnd(
                        counts=event.counts,
                        cancelled=event.cancelled,
                        finished=datetime.now(UTC).isoformat(timespec="seconds"),
                        levels=list(event.levels),
                    )
                )
                self.close()
        except OSError as exc:
            # A full disk must not kill the run: remember it, the caller reports it.
            self.error = self.error or exc

    def _open(self, event: RunStarted) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "xb")  # noqa: SIM115 - kept open for the run
        header = SessionHeader(
            format=FORMAT,
            version=VERSION,
            app_version=__version__,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            session=event.session,
            plan=event.plan,
            environment=environment(workers=event.workers),
        )
        self._append(header)

    def _append(self, record: msgspec.Struct) -> None:
        if self._file is None:
            return
        self._file.write(_encoder.encode(record) + b"\n")
        self._file.flush()
        self._dirty = True
        self._schedule_sync()

    def _schedule_sync(self) -> None:
        now = time.monotonic()
        if now - self._last_sync >= FSYNC_INTERVAL_S:
            self._sync()
            return
        if self._sync_handle is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self._sync()
                return
            delay = FSYNC_INTERVAL_S - (now - self._last_sync)
            self._sync_handle = loop.call_later(delay, self._sync)

    def _sync(self, *, blocking: bool = False) -> None:
        self._sync_handle = None
        self._last_sync = time.monotonic()
        if self._file is None or not self._dirty:
            return
        self._dirty = False
        # A duplicate descriptor: the file may be closed while the worker still syncs it.
        fd = os.dup(self._file.fileno())
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if blocking or loop is None:
            self._fsync(fd)
        else:
            # fsync can block for tens of ms; under the window this loop is the Qt thread.
            loop.run_in_executor(None, self._fsync, fd)

    def _fsync(self, fd: int) -> None:
        try:
            os.fsync(fd)
        except OSError as exc:
            self.error = self.error or exc
        finally:
            os.close(fd)

    def close(self) -> None:
        if self._sync_handle is not None:
            self._sync_handle.cancel()
            self._sync_handle = None
        if self._file is not None:
            self._sync(blocking=True)  # the end of a run is on disk before we say so
            self._file.close()
            self._file = None


# --- loading ---------------------------------------------------------------------------------

_header_decoder = msgspec.json.Decoder(SessionHeader)
_line_decoder = msgspec.json.Decoder(Sample | RunEnd)


def _v1_to_v2(records: list[Any]) -> list[Any]:
    """Version 1 plans said `run.mode = "closed" | "open"` for the arrival (plan.py has the
    mapping); samples are unchanged (no `chain` field means no chain)."""
    header = records[0] if records else None
    if isinstance(header, dict):
        plan = header.get("plan")
        if isinstance(plan, dict):
            try:
                header = {**header, "plan": migrate_plan_data(plan)}
            except PlanError as exc:
                raise SessionFileError(f"line 1: field plan.{exc}") from None
        header["version"] = 2
        records = [header, *records[1:]]
    return records


# Version -> function turning a raw header/record dict of that version into the next one.
MIGRATIONS: dict[int, Any] = {1: _v1_to_v2}


def _where(exc: msgspec.DecodeError, root: Any, line: bytes) -> str:
    """ "field PATH: what is wrong" for a line that did not decode as `root`."""
    if isinstance(exc, msgspec.ValidationError):
        try:
            raw: Any = msgspec.json.decode(line)
        except msgspec.DecodeError:
            raw = None
        unknown = find_unknown_field(exc, root, raw)
        if unknown is not None:
            return f"field {unknown}"
    text = str(exc)
    if " - at `$" in text:
        message, _, path = text.partition(" - at `$")
        path = path.rstrip("`").lstrip(".")
        return f"field {path or '(top)'}: {message}"
    return text


def load_session(path: Path) -> LoadedSession:
    """Read a session file. Raises SessionFileError naming the line and field of any error."""
    try:
        with open(path, "rb") as stream:
            return _parse_stream(path, stream)
    except OSError as exc:
        raise SessionFileError(f"{path}: cannot read ({exc.strerror or exc})") from None


def parse_session(path: Path, raw: bytes) -> LoadedSession:
    """Parse the bytes of a session file; `path` is only used in messages."""
    return _parse_stream(path, io.BytesIO(raw))


# Read in blocks: the file's bytes are never all in memory beside the records made from them.
_BLOCK = 8 << 20


def _parse_header(path: Path, first: bytes) -> int:
    """Check line 1 and return the format version."""
    if not first.strip():
        raise SessionFileError(f"{path}: empty file, not a session")
    try:
        header_raw = msgspec.json.decode(first)
    except msgspec.DecodeError:
        raise SessionFileError(f"{path}, line 1: not JSON; this is not a session file") from None
    if not isinstance(header_raw, dict) or header_raw.get("format") != FORMAT:
        raise SessionFileError(f"{path}, line 1: not a {FORMAT} file (no matching header)")
    version = header_raw.get("version")
    if not isinstance(version, int) or version < 1:
        raise SessionFileError(f"{path}, line 1: field version: expected a positive integer")
    if version > VERSION:
        raise SessionFileError(
            f"{path}: written by a newer version (format {version}; this reads up to {VERSION})"
        )
    return version


def _parse_stream(path: Path, stream: IO[bytes]) -> LoadedSession:
    first = stream.readline()
    version = _parse_header(path, first)
    if version < VERSION:
        raw = first + stream.read()
        return _load_migrated(path, raw.split(b"\n"), version, not raw.endswith(b"\n"))
    try:
        header = _header_decoder.decode(first)
    except msgspec.DecodeError as exc:
        raise SessionFileError(f"{path}, line 1: {_where(exc, SessionHeader, first)}") from None
    session = LoadedSession(path=path, header=header)
    # Records hold no reference cycles; pausing the collector while 100k of them are made
    # saves two thirds of the load time (1.5 s -> 0.5 s for 100k attempts).
    collecting = gc.isenabled()
    gc.disable()
    try:
        line = 1  # lines read so far
        pending = b""
        while block := stream.read(_BLOCK):
            block = pending + block if pending else block
            cut = block.rfind(b"\n") + 1
            pending = block[cut:]
            if cut:
                _decode_block(path, memoryview(block)[:cut], line, session)
                line += block.count(b"\n", 0, cut)
        if pending.strip():
            try:
                _add(session, _line_decoder.decode(pending))
            except msgspec.ValidationError as exc:
                # Whole JSON with a wrong field is damage; a crash's cut is never whole JSON.
                where = _where(exc, Sample | RunEnd, pending)
                raise SessionFileError(f"{path}, line {line + 1}: {where}") from None
            except msgspec.DecodeError:
                session.warnings.append(
                    f"{path}, line {line + 1}: last line is incomplete (the run was"
                    " interrupted); it was skipped"
                )
    finally:
        if collecting:
            gc.enable()
    return session


def _add(session: LoadedSession, record: Sample | RunEnd) -> None:
    if isinstance(record, RunEnd):
        session.end = record
    else:
        session.samples.append(record)


def _decode_block(path: Path, block: memoryview, line: int, session: LoadedSession) -> None:
    """Whole lines after line `line`. Fast path in one pass; on damage, find the bad line."""
    try:
        records = _line_decoder.decode_lines(block)
    except msgspec.DecodeError:
        records = []
        for offset, text in enumerate(bytes(block).split(b"\n")[:-1], start=1):
            if not text.strip():
                continue
            try:
                records.append(_line_decoder.decode(text))
            except msgspec.DecodeError as exc:
                where = _where(exc, Sample | RunEnd, text)
                raise SessionFileError(f"{path}, line {line + offset}: {where}") from None
    for record in records:
        _add(session, record)


def _load_migrated(
    path: Path, lines: list[bytes], version: int, truncated_tail: bool
) -> LoadedSession:
    """Older formats: decode to plain objects, migrate step by step, then validate."""
    original = version
    records: list[Any] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(msgspec.json.decode(line))
        except msgspec.DecodeError:
            if number == len(lines) and truncated_tail:
                break
            raise SessionFileError(f"{path}, line {number}: not JSON") from None
    while version < VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise SessionFileError(f"{path}: format version {version} cannot be migrated")
        try:
            records = step(records)
        except SessionFileError as exc:
            raise SessionFileError(f"{path}, {exc}") from None
        version += 1
    encoded = b"\n".join(msgspec.json.encode(r) for r in records) + b"\n"
    session = parse_session(path, encoded)
    session.warnings.append(f"{path}: migrated from an older format (version {original})")
    return session


def default_session_path(session_id: str) -> Path:
    """A timestamped file in the user data folder."""
    import platformdirs

    base = Path(platformdirs.user_data_dir("workbench")) / "sessions"
    return base / f"{session_id}.jsonl"
