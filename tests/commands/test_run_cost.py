"""`workbench run`: cost appears only where prices are known."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import main


def test_an_unpriced_endpoint_shows_no_cost_but_says_so_once(
    sim_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.jsonl"
    assert main(["run", "--base-url", sim_url + "/v1", "--model", "sim-chat", "--prompt",
                 "Explain DNS", "--concurrency", "1,2", "--repetitions", "2", "--out",
                 str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert text.count("no prices set") == 1
    assert "cost $" not in text and "$" not in text and "0.0000" not in text
