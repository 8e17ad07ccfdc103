"""CSV and JSON exports of a real session."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import msgspec

from tests.core.test_journal import journalled_run
from workbench.core.export import SAMPLE_COLUMNS, samples_csv, session_json
from workbench.core.journal import load_session
from workbench.core.records import CellKey, Sample, Timing


async def test_csv_has_one_row_per_attempt_with_every_timing(
    sim_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "s.jsonl"
    await journalled_run(sim_url, path, concurrency=[1, 2], repetitions=3)
    session = load_session(path)
    rows = list(csv.DictReader(io.StringIO(samples_csv(session.samples).decode())))
    assert len(rows) == 6
    assert tuple(rows[0]) == SAMPLE_COLUMNS
    for row, sample in zip(rows, session.samples, strict=True):
        assert row["level"] == str(sample.cell.level)
        assert row["outcome"] == "ok" and row["final"] == "True"
        assert float(row["ttft_ms"]) <= float(row["e2e_ms"])
        assert abs(float(row["ttft_ms"]) - sample.timing.ttft_ns / 1e6) < 0.001  # type: ignore[operator]
        assert row["text"] == sample.text
        assert int(row["words"]) == len(sample.text.split())


def test_csv_defuses_formulas_in_model_output() -> None:
    sample = Sample(
        session="s", id=0, cell=CellKey(endpoint="e", model="m"), repetition=0, outcome="ok",
        timing=Timing(send_wall=0.0, send_mono_ns=0), text='=HYPERLINK("http://evil","x")',
    )
    (row,) = csv.DictReader(io.StringIO(samples_csv([sample]).decode()))
    assert row["text"] == "'" + sample.text


async def test_json_export_spells_out_every_field(sim_url: str, tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    await journalled_run(sim_url, path, repetitions=2)
    session = load_session(path)
    document = json.loads(session_json(session))
    assert document["format"] == "prompt-stress-workbench-export"
    assert document["session"]["plan"]["user"] == "Explain TCP slow start"
    first = document["samples"][0]
    # Defaults omitted from the journal are present in the export.
    assert first["retry_of"] is None and first["attempt"] == 0
    assert set(first["timing"]) >= {"ttft_ns", "e2e_ns", "content_offsets_ns", "ttfr_ns"}
    # And it converts back to the same records.
    again = [msgspec.convert(s, Sample) for s in document["samples"]]
    assert again == session.samples
