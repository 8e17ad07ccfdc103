"""No key anywhere: a whole session, a rejected key, logs at DEBUG, every file written."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core.endpoints import profiles_path
from workbench.core.journal import load_session

GOOD_KEY = "fake-leakscan-good-0123456789abcdefABCDEF"
WRONG_KEY = "fake-leakscan-wrong-0123456789abcdefABCDEF"


def _set_key(monkeypatch: pytest.MonkeyPatch, profile: str, key: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(key + "\n"))
    assert main(["keys", "set", profile]) == 0


def test_no_key_in_any_file_log_or_output(
    sim_factory: Callable[..., str],
    memory_keyring: object,
    files_containing: Callable[[str], list[Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    isolated_user_dirs: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    root = sim_factory("--zero-delay", "--require-key", GOOD_KEY)
    for name in ("good", "wrong"):
        assert main([
            "endpoints", "add", name, "--api", "openai", "--base-url", root + "/v1",
            "--model", "sim-chat",
        ]) == 0
    _set_key(monkeypatch, "good", GOOD_KEY)
    _set_key(monkeypatch, "wrong", WRONG_KEY)

    good = tmp_path / "good.jsonl"
    assert main(["run", "--endpoint", "good", "--prompt", "Explain DNS", "--concurrency", "1,2",
                 "--repetitions", "2", "--out", str(good), "--quiet"]) == 0
    wrong = tmp_path / "wrong.jsonl"
    assert main(["run", "--endpoint", "wrong", "--prompt", "Explain DNS", "--repetitions", "2",
                 "--retries", "1", "--out", str(wrong), "--quiet"]) == 1
    failed = load_session(wrong).samples
    assert failed and all(s.error is not None and s.error.status == 401 for s in failed)
    exports = tmp_path / "exports"
    assert main(["export", str(good), "--html", str(exports / "r.html"), "--csv",
                 str(exports / "r.csv"), "--json", str(exports / "r.json"), "--no-plots"]) == 0
    assert main(["export", str(wrong), "--json", str(exports / "w.json")]) == 0
    assert main(["keys", "status", "good"]) == 0
    assert main(["endpoints", "list"]) == 0

    out = capsys.readouterr()
    for key in (GOOD_KEY, WRONG_KEY):
        assert files_containing(key) == []
        assert key not in caplog.text
        assert key not in out.out and key not in out.err
    # The scan did cover what was written: sessions, exports and the profiles file.
    assert good.exists() and wrong.exists()
    assert len(list(exports.iterdir())) == 4
    assert profiles_path().exists()
    assert str(profiles_path()).startswith(str(isolated_user_dirs))
