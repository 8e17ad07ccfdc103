"""`workbench export`: CSV, JSON and the HTML report with the window's plots."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from workbench.cli import main


@pytest.fixture
def session_file(sim_url: str, tmp_path: Path) -> Path:
    out = tmp_path / "s.jsonl"
    assert main(["run", "--base-url", sim_url + "/v1", "--model", "sim-chat", "--prompt",
                 "Explain DNS", "--concurrency", "1,3", "--repetitions", "3", "--out", str(out),
                 "--quiet"]) == 0
    return out


def test_every_format_in_one_call(
    session_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], qapp: object
) -> None:
    html, table, doc = tmp_path / "r.html", tmp_path / "r.csv", tmp_path / "r.json"
    html.write_text("an older report")  # replaced whole, atomically
    assert main(["export", str(session_file), "--html", str(html), "--csv", str(table),
                 "--json", str(doc)]) == 0
    assert len(list(csv.DictReader(table.open()))) == 6
    assert len(json.loads(doc.read_text())["samples"]) == 6
    page = html.read_text()
    # The window's seven live plots and the first-divergence plot drawn from the analysis.
    assert page.count('src="data:image/png;base64,') == 8
    assert "Latency by request start" in page and "Summary per cell" in page
    assert "First divergence from the most typical response" in page
    assert ">diverges at</th>" in page
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp leftovers
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to do"),
        (["--csv", "SAME", "--json", "SAME"], "its own file"),
        (["--csv", "SESSION"], "overwrite the session"),
    ],
)
def test_mistakes_exit_2_and_write_nothing(
    session_file: Path, tmp_path: Path, args: list[str], message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    same = str(tmp_path / "same.out")
    args = [same if a == "SAME" else str(session_file) if a == "SESSION" else a for a in args]
    before = session_file.read_bytes()
    assert main(["export", str(session_file), *args]) == 2
    assert message in capsys.readouterr().err
    assert session_file.read_bytes() == before
    assert not Path(same).exists()


def test_a_malformed_session_names_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type":"header","format":"prompt-stress-workbench-session","version":1}\n')
    assert main(["export", str(bad), "--csv", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl, line 1:" in err and "app_version" in err
    assert not (tmp_path / "x.csv").exists()


def test_the_command_exits_cleanly_after_drawing_plots(session_file: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "r.html"
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-m", "workbench", "export", str(session_file),
         "--html", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.exists()
