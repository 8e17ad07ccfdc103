"""The numpy-only safetensors reader: round trips, BF16, and refusals naming the fault."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from workbench.core.analysis.safetensors import (
    SafetensorsError,
    read_header,
    read_tensor,
    write_safetensors,
)


def test_tensors_of_every_width_read_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "t.safetensors"
    tensors = {
        "f32": np.arange(12, dtype=np.float32).reshape(3, 4),
        "f16": np.linspace(-1, 1, 6).astype(np.float16).reshape(2, 3),
        "f64": np.array([1.5, -2.25]),
        "i64": np.array([3, 1, 2], np.int64),
        "i8": np.array([-127, 0, 127], np.int8),
    }
    write_safetensors(path, tensors)
    entries, start = read_header(path)
    assert start % 8 == 0 and set(entries) == set(tensors)
    for name, array in tensors.items():
        got = read_tensor(path, entries[name], start)
        assert got.dtype == array.dtype and np.array_equal(got, array)


def test_bf16_is_widened_to_float32(tmp_path: Path) -> None:
    values = np.array([1.0, -2.5, 0.15625], np.float32)
    raw = (values.view(np.uint32) >> 16).astype("<u2").tobytes()
    header = json.dumps(
        {
            "__metadata__": {"format": "np"},
            "e": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 6]},
        }
    ).encode()
    path = tmp_path / "bf16.safetensors"
    path.write_bytes(len(header).to_bytes(8, "little") + header + raw)
    entries, start = read_header(path)
    assert read_tensor(path, entries["e"], start).tolist() == [1.0, -2.5, 0.15625]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"dtype": "Q4", "shape": [2], "data_offsets": [0, 8]}, "dtype 'Q4' is not one of"),
        ({"dtype": "F32", "shape": [2, -1], "data_offsets": [0, 8]}, "is not a list of sizes"),
        ({"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}, "needs 12 bytes"),
        ({"dtype": "F32", "shape": [2], "data_offsets": [8]}, "is not [begin, end]"),
        ({"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "truncated?"),
    ],
)
def test_a_bad_header_entry_names_the_tensor_and_the_fault(
    tmp_path: Path, entry: dict[str, object], message: str
) -> None:
    header = json.dumps({"emb": entry}).encode()
    path = tmp_path / "bad.safetensors"
    path.write_bytes(len(header).to_bytes(8, "little") + header + b"\0" * 8)
    with pytest.raises(SafetensorsError) as caught:
        read_header(path)
    assert f"{path}: tensor 'emb'" in str(caught.value) and message in str(caught.value)
