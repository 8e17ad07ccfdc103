"""Messages between the sharded engine (core.sharded) and its worker processes (core._worker).

Each message is one msgpack frame with a 4-byte big-endian length in front, over the worker's
stdin (parent to worker) and a private copy of its stdout (worker to parent). The key travels
here, in `Init`, never in the worker's argv, environment or any file.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import msgspec

from workbench.core.plan import Plan
from workbench.core.records import CellKey, Sample

_LENGTH = struct.Struct(">I")


# --- parent to worker ------------------------------------------------------------------------


class Init(msgspec.Struct, tag=True):
    plan: Plan
    base_url: str
    api_key: str | None
    session: str
    deltas: bool  # forward streamed text (the window shows it live; the CLI does not)


class Level(msgspec.Struct, tag=True):
    """Run these jobs of `level` (indexes into Runner._jobs(level)) with `slots` in flight."""

    level: int
    slots: int
    rate: float | None
    jobs: list[int]


class Cancel(msgspec.Struct, tag=True):
    pass


class Finish(msgspec.Struct, tag=True):
    """No more levels: end the run. Stdin closing without it means the parent is gone."""


ToWorker = Init | Level | Cancel | Finish


# --- worker to parent ------------------------------------------------------------------------


class Ready(msgspec.Struct, tag=True):
    pass


class Started(msgspec.Struct, tag=True):
    id: int  # the worker's own attempt id; the parent gives the session's
    cell: CellKey
    repetition: int
    attempt: int
    send_wall: float
    retry_of: int | None  # the worker's id of the attempt this one retries
    chain: int | None  # in a chain plan: the chain's number within the session


class Delta(msgspec.Struct, tag=True):
    id: int
    content: str
    reasoning: str


class Finished(msgspec.Struct, tag=True):
    sample: Sample
    final: bool


class LevelDone(msgspec.Struct, tag=True):
    level: int


class Failed(msgspec.Struct, tag=True):
    """The worker's run raised; the message is redacted."""

    message: str


FromWorker = Ready | Started | Delta | Finished | LevelDone | Failed

_encoder = msgspec.msgpack.Encoder()


def frame(message: msgspec.Struct) -> bytes:
    body = _encoder.encode(message)
    return _LENGTH.pack(len(body)) + body


class FrameReader:
    """Splits a byte stream into decoded messages of `kind`."""

    def __init__(self, kind: type) -> None:
        self._decoder: msgspec.msgpack.Decoder[Any] = msgspec.msgpack.Decoder(kind)
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[object]:
        buffer = self._buffer
        buffer += data
        offset = 0
        while len(buffer) - offset >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(buffer, offset)
            end = offset + _LENGTH.size + size
            if len(buffer) < end:
                break
            yield self._decoder.decode(bytes(buffer[offset + _LENGTH.size : end]))
            offset = end
        del buffer[:offset]
