"""`workbench run --endpoint NAME`: profiles, keys from the keyring or the environment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core.journal import load_session

KEY = "fake-profile-test-0000000000000000"


@pytest.fixture
def keyed_sim(sim_factory: Callable[..., str]) -> str:
    root = sim_factory("--zero-delay", "--require-key", KEY)
    assert main(["endpoints", "add", "mysim", "--api", "openai", "--base-url", root + "/v1",
                 "--model", "sim-chat", "--price-in", "1", "--price-out", "2",
                 "--key-env", "WORKBENCH_TEST_KEY"]) == 0
    return root


def test_key_from_the_environment_reaches_the_server(
    keyed_sim: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WORKBENCH_TEST_KEY", KEY)
    out = tmp_path / "s.jsonl"
    assert main(["run", "--endpoint", "mysim", "--prompt", "hi", "--repetitions", "2",
                 "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    # Prices from the profile: a cost column and a total.
    assert "cost $" in text and "; cost $" in text and "no prices set" not in text
    assert load_session(out).header.plan.endpoint.name == "mysim"


def test_missing_key_exits_2_and_says_how_to_set_it(
    keyed_sim: str, no_keyring: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--endpoint", "mysim", "--prompt", "hi", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--endpoint" in err and "workbench keys set mysim" in err


def test_unknown_profile_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--endpoint", "nosuch", "--prompt", "hi"]) == 2
    err = capsys.readouterr().err
    assert "nosuch" in err and "deepseek" in err
