"""A numpy-only reader (and writer) of the safetensors format, for static embedding tables.

The format: 8 bytes, the little-endian length N of a JSON header; N bytes of JSON mapping
each tensor's name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the
bytes after the header, "__metadata__" an optional string map); then the raw tensor bytes,
row-major, little-endian. Reading it ourselves keeps the optional semantic similarity free
of the safetensors / torch packages. Every check names the file and what is wrong.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

# safetensors dtype names -> numpy (little-endian). BF16 is read as its 16 raw bits and
# widened to float32 by `read_tensor`.
DTYPES: dict[str, str] = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "BF16": "<u2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
}
MAX_HEADER_BYTES = 100 * 2**20  # the format's own limit


class SafetensorsError(ValueError):
    """A file that is not a usable safetensors file; the message names it and the fault."""


class TensorEntry:
    __slots__ = ("begin", "dtype", "end", "shape")

    def __init__(self, dtype: str, shape: tuple[int, ...], begin: int, end: int) -> None:
        self.dtype = dtype
        self.shape = shape
        self.begin = begin
        self.end = end


def _entry(path: Path, name: str, raw: object, data_bytes: int) -> TensorEntry:
    where = f"{path}: tensor {name!r}"
    if not isinstance(raw, dict):
        raise SafetensorsError(f"{where}: its header entry is not an object")
    dtype, shape, offsets = raw.get("dtype"), raw.get("shape"), raw.get("data_offsets")
    if dtype not in DTYPES:
        raise SafetensorsError(f"{where}: dtype {dtype!r} is not one of {', '.join(DTYPES)}")
    if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
        raise SafetensorsError(f"{where}: shape {shape!r} is not a list of sizes")
    if not (
        isinstance(offsets, list)
        and len(offsets) == 2
        and all(isinstance(o, int) for o in offsets)
        and 0 <= offsets[0] <= offsets[1]
    ):
        raise SafetensorsError(f"{where}: data_offsets {offsets!r} is not [begin, end]")
    begin, end = offsets
    expected = math.prod(shape) * np.dtype(DTYPES[dtype]).itemsize
    if end - begin != expected:
        raise SafetensorsError(
            f"{where}: shape {shape} of {dtype} needs {expected:,} bytes, data_offsets "
            f"give {end - begin:,}"
        )
    if end > data_bytes:
        raise SafetensorsError(
            f"{where}: its data ends at byte {end:,} but the file holds only {data_bytes:,} "
            "bytes of tensor data (truncated?)"
        )
    return TensorEntry(dtype, tuple(shape), begin, end)


def read_header(path: Path) -> tuple[dict[str, TensorEntry], int]:
    """The tensors of a safetensors file and where their data starts. Reads the header only."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            prefix = f.read(8)
            if len(prefix) < 8:
                raise SafetensorsError(f"{path}: {size} bytes, too short for a safetensors file")
            length = int.from_bytes(prefix, "little")
            if length > MAX_HEADER_BYTES or length > size - 8:
                raise SafetensorsError(
                    f"{path}: not a safetensors file (its first 8 bytes give a header of "
                    f"{length:,} bytes in a file of {size:,})"
                )
            text = f.read(length)
    except OSError as exc:
        raise SafetensorsError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        header = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SafetensorsError(
            f"{path}: not a safetensors file (header is not JSON: {exc})"
        ) from exc
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: not a safetensors file (header is not a JSON object)")
    start = 8 + length
    entries = {
        name: _entry(path, name, raw, size - start)
        for name, raw in header.items()
        if name != "__metadata__"
    }
    return entries, start


def read_tensor(path: Path, entry: TensorEntry, start: int) -> npt.NDArray[np.generic]:
    """One tensor as a numpy array (BF16 widened to float32), read from disk."""
    dtype = np.dtype(DTYPES[entry.dtype])
    count = math.prod(entry.shape)
    try:
        flat = np.fromfile(path, dtype=dtype, count=count, offset=start + entry.begin)
    except (OSError, ValueError) as exc:
        raise SafetensorsError(f"{path}: cannot read tensor data ({exc})") from exc
    if flat.size != count:
        raise SafetensorsError(f"{path}: tensor data is truncated")
    if entry.dtype == "BF16":
        flat = (flat.astype(np.uint32) << 16).view(np.float32)
    return flat.reshape(entry.shape)


def write_safetensors(path: Path, tensors: Mapping[str, npt.NDArray[np.generic]]) -> None:
    """Write `tensors` as a safetensors file (the reader's counterpart; tests and the
    benchmark build their small models with it)."""
    names = {np.dtype(v): k for k, v in DTYPES.items() if k != "BF16"}
    header: dict[str, object] = {}
    blobs: list[bytes] = []
    offset = 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=np.dtype(array.dtype).newbyteorder("<"))
        blob = data.tobytes()
        header[name] = {
            "dtype": names[data.dtype],
            "shape": list(data.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format pads the header to 8 bytes
    path.write_bytes(len(text).to_bytes(8, "little") + text + b"".join(blobs))
