"""Knobs: defaults in code, TOML profiles, flags overriding them, clear errors."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from workbench.sim.command import add_arguments, settings_from_args
from workbench.sim.settings import SettingsError, SimSettings


def parse(*argv: str) -> SimSettings:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return settings_from_args(parser.parse_args(argv))


def test_defaults_match_the_documented_values() -> None:
    s = parse()
    assert (s.host, s.port, s.capacity, s.chunk_tokens) == ("127.0.0.1", 0, 16, 1)
    assert (s.prefill_us_per_token, s.decode_ms, s.batch_slowdown) == (50, 8, 0.02)
    assert (s.depth_decay, s.batch_variance, s.drift, s.fault) == (0, 0, 0, {})
    assert (s.keepalive_interval, s.stall_seconds, s.mean_tokens) == (1.0, 30, 180)
    assert s == SimSettings()


def test_flags_override_the_profile(tmp_path: Path) -> None:
    profile = tmp_path / "busy.toml"
    profile.write_text(
        'capacity = 4\ndecode-ms = 20\nzero_delay = true\nfault = ["429=0.1", "reset=0.2"]\n'
    )
    s = parse("--profile", str(profile), "--capacity", "8", "--fault", "reset=0.05")
    assert s.capacity == 8  # flag wins
    assert s.decode_ms == 20 and s.zero_delay  # from the profile
    assert s.effective_decode_ms() == 0
    assert s.fault == {"429": 0.1, "reset": 0.05}  # merged per kind


def test_fault_table_in_profile(tmp_path: Path) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text('[fault]\n"503" = 0.5\nstall = 0.25\n')
    assert parse("--profile", str(profile)).fault == {"503": 0.5, "stall": 0.25}


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--fault", "teapot=0.1"], "fault kind"),
        (["--fault", "429"], "KIND=RATE"),
        (["--fault", "429=1.5"], "429"),
        (["--fault", "429=0.6", "--fault", "500=0.6"], "sum of fault rates"),
        (["--capacity", "0"], "capacity"),
        (["--depth-decay", "1"], "depth-decay"),
        (["--batch-variance", "2"], "batch-variance"),
        (["--answer-choices", "27"], "answer-choices must be in 0..26"),
    ],
)
def test_bad_values_name_the_knob(argv: list[str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        parse(*argv)


def test_profile_errors_name_the_file_and_knob(tmp_path: Path) -> None:
    profile = tmp_path / "bad.toml"
    profile.write_text("capacityy = 3\n")
    with pytest.raises(SettingsError, match=r"bad\.toml.*capacityy"):
        parse("--profile", str(profile))
    profile.write_text('require-key = "sk-test"\n')
    with pytest.raises(SettingsError, match="no keys in files"):
        parse("--profile", str(profile))


def test_required_key_never_shown() -> None:
    s = parse("--require-key", "sk-very-secret")
    assert s.require_key == "sk-very-secret"
    assert "sk-very-secret" not in repr(s)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("decode-mss = 3\n", "decode-mss: unknown field; did you mean decode-ms?"),
        ("mean_tokenz = 3\n", "mean_tokenz: unknown field; did you mean mean_tokens?"),
        ("[faults]\n429 = 0.1\n", "faults: unknown field; did you mean fault?"),
    ],
)
def test_an_unknown_profile_key_names_the_nearest_knob(
    tmp_path: Path, line: str, message: str
) -> None:
    profile = tmp_path / "typo.toml"
    profile.write_text(line)
    with pytest.raises(SettingsError) as raised:
        parse("--profile", str(profile))
    assert str(raised.value) == f"{profile}: {message}"
