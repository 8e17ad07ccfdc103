"""The loader never raises anything but SessionFileError, whatever it is fed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.core.journal import (
    FORMAT,
    VERSION,
    RunEnd,
    SessionFileError,
    SessionHeader,
    parse_session,
)
from workbench.core.plan import Plan
from workbench.core.records import CellKey, ErrorInfo, Sample, Timing, Usage

PATH = Path("fuzz.jsonl")


def _valid_session() -> bytes:
    header = SessionHeader(
        format=FORMAT,
        version=VERSION,
        app_version="0",
        created="2026-01-01T00:00:00+00:00",
        session="s",
        plan=Plan(user="hello {{x}}", variables={"x": "y"}),
    )
    samples = [
        Sample(
            session="s",
            id=i,
            cell=CellKey(endpoint="local-sim", model="sim-chat", level=1 + i % 2),
            repetition=i,
            outcome="ok" if i % 3 else "error",
            error=None
            if i % 3
            else ErrorInfo(error_class="http_429", message="slow down", status=429),
            timing=Timing(
                send_wall=1.5, send_mono_ns=10, ttft_ns=5, e2e_ns=9, content_offsets_ns=[5, 7, 9]
            ),
            text=f"answer {i}",
            usage=Usage(prompt_tokens=3, completion_tokens=3),
        )
        for i in range(4)
    ]
    end = RunEnd(counts={"ok": 2, "error": 2, "cancelled": 0})
    return b"".join(msgspec.json.encode(r) + b"\n" for r in [header, *samples, end])


VALID = _valid_session()


def _load(raw: bytes) -> None:
    try:
        parse_session(PATH, raw)
    except SessionFileError as exc:
        assert str(exc).startswith(str(PATH))  # every message names the file


def test_the_seed_file_is_valid() -> None:
    assert len(parse_session(PATH, VALID).samples) == 4


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(raw: bytes) -> None:
    _load(raw)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_byte_level_mutations_of_a_valid_file(data: st.DataObject) -> None:
    raw = bytearray(VALID)
    for _ in range(data.draw(st.integers(1, 8))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        pos = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if kind == "flip" and raw:
            raw[pos] = data.draw(st.integers(0, 255))
        elif kind == "cut":
            del raw[pos:]
        elif kind == "insert":
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=20))
        elif kind == "delete":
            del raw[pos : pos + data.draw(st.integers(1, 50))]
    _load(bytes(raw))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*prefix, i))
    return found


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_field_level_mutations_of_a_valid_file(data: st.DataObject) -> None:
    lines = VALID.split(b"\n")[:-1]
    index = data.draw(st.integers(0, len(lines) - 1))
    record = msgspec.json.decode(lines[index])
    path = data.draw(st.sampled_from(_paths(record)))
    target = record
    for key in path[:-1]:
        target = target[key]
    if data.draw(st.booleans()):
        target[path[-1]] = data.draw(json_values)
    else:
        del target[path[-1]]
    lines[index] = msgspec.json.encode(record)
    _load(b"\n".join(lines) + b"\n")
