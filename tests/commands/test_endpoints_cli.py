"""`workbench endpoints list|add|remove`, through workbench.cli.main."""

from __future__ import annotations

import json

import pytest
from keyring.backend import KeyringBackend

from tests.helpers.keyrings import MemoryKeyring
from workbench.cli import main
from workbench.core.endpoints import ProfileStore
from workbench.core.secrets import SERVICE

KEY = "fake-list-test-1f2e3d4c5b6a7988"


def _rows(out: str) -> dict[str, list[str]]:
    """Table rows keyed by profile name (columns split on runs of 2+ spaces)."""
    import re

    lines = [line for line in out.splitlines() if line.strip()]
    return {row[0]: row for row in (re.split(r"\s{2,}", line) for line in lines[1:])}


def test_list_shows_presets_with_key_status_and_never_a_key(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for var in ("DEEPSEEK_API_KEY", "OPENAI_API_KEY", "GROQ_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    memory_keyring.set_password(SERVICE, "deepseek", KEY)
    monkeypatch.setenv("GROQ_API_KEY", "gsk_environmentvalue0123456789")

    assert main(["endpoints", "list"]) == 0

    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header[:4] == ["NAME", "API", "BASE", "URL"] and "KEY" in header
    rows = _rows(out)
    assert rows["deepseek"][:5] == [
        "deepseek", "openai", "https://api.deepseek.com", "deepseek-chat", "keyring",
    ]
    assert rows["groq"][4] == "env GROQ_API_KEY"
    assert rows["openai"][4] == "missing"
    assert rows["local-sim"][2:5] == ["(built-in simulator)", "sim-chat", "not needed"]
    assert rows["anthropic"][1] == "anthropic"
    assert KEY not in out and "gsk_environmentvalue" not in out


def test_list_without_keyring_says_so(
    no_keyring: KeyringBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["endpoints", "list"]) == 0
    assert "No system keyring is available" in capsys.readouterr().out


def test_add_then_list_then_remove(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([
        "endpoints", "add", "gpu-box", "--api", "openai",
        "--base-url", "http://gpu-box.lan:8000/v1", "--model", "qwen2.5-7b",
        "--price-in", "0.1", "--price-out", "0.3", "--header", "X-Route=blue",
        "--key-env", "GPU_BOX_KEY",
    ])
    assert code == 0, capsys.readouterr().err
    assert "workbench keys set gpu-box" in capsys.readouterr().out

    saved = ProfileStore().get("gpu-box")
    assert (saved.base_url, saved.default_model, saved.headers) == (
        "http://gpu-box.lan:8000/v1", "qwen2.5-7b", {"X-Route": "blue"},
    )
    assert (saved.price_in_per_mtok, saved.price_out_per_mtok) == (0.1, 0.3)
    stored = json.loads(ProfileStore().path.read_text(encoding="utf-8"))
    assert stored["profiles"][0]["name"] == "gpu-box"

    assert main(["endpoints", "list"]) == 0
    row = _rows(capsys.readouterr().out)["gpu-box"]
    assert row == ["gpu-box", "openai", "http://gpu-box.lan:8000/v1", "qwen2.5-7b",
                   "missing", "user"]

    assert main(["endpoints", "remove", "gpu-box"]) == 0
    assert "Removed endpoint profile 'gpu-box'" in capsys.readouterr().out
    assert "gpu-box" not in ProfileStore().names()


def test_add_an_existing_name_needs_replace(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["endpoints", "add", "deepseek", "--api", "openai",
            "--base-url", "https://proxy.example/deepseek/v1", "--model", "deepseek-chat"]

    assert main(args) == 2
    err = capsys.readouterr().err
    assert "NAME:" in err and "built-in preset" in err and "--replace" in err

    assert main([*args, "--replace"]) == 0
    assert ProfileStore().get("deepseek").base_url == "https://proxy.example/deepseek/v1"
    assert ProfileStore().origin("deepseek") == "override"
    assert main(["endpoints", "remove", "deepseek"]) == 0
    assert "built-in preset is back" in capsys.readouterr().out
    assert ProfileStore().get("deepseek").base_url == "https://api.deepseek.com"


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--base-url", "ftp://host/v1"], "--base-url"),
        (["--base-url", "http://h/v1", "--header", "Authorization=Bearer x"], "--header"),
        (["--base-url", "http://h/v1", "--key-env", "MY-KEY"], "--key-env"),
        (["--base-url", "http://h/v1", "--price-in", "0.5"], "--price-out"),
    ],
)
def test_add_with_a_bad_value_names_the_argument(
    capsys: pytest.CaptureFixture[str], extra: list[str], named: str
) -> None:
    code = main(["endpoints", "add", "mine", "--api", "openai", "--model", "m", *extra])

    assert code == 2
    assert f"error: {named}:" in capsys.readouterr().err
    assert not ProfileStore().path.exists()


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--price-in", "-1", "--price-out", "1"], "--price-in"),
        (["--header", "no-equals-sign"], "--header"),
        (["--api", "gemini"], "--api"),
    ],
)
def test_add_rejects_malformed_arguments_at_parse_time(
    capsys: pytest.CaptureFixture[str], extra: list[str], named: str
) -> None:
    argv = ["endpoints", "add", "mine", "--base-url", "http://h/v1", "--model", "m"]
    if "--api" not in extra:
        argv += ["--api", "openai"]
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, *extra])

    assert exit_info.value.code == 2
    assert named in capsys.readouterr().err


def test_add_with_a_bad_name_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["endpoints", "add", "My Box", "--api", "openai",
                 "--base-url", "http://h/v1", "--model", "m"])

    assert code == 2
    assert "error: NAME: 'My Box' is not a short name" in capsys.readouterr().err


def test_presets_cannot_be_removed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["endpoints", "remove", "openai"]) == 1
    assert "built-in preset and cannot be removed" in capsys.readouterr().err


def test_remove_unknown_lists_known_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["endpoints", "remove", "nope"]) == 2
    err = capsys.readouterr().err
    assert "'nope'" in err and "deepseek" in err and "llamacpp" in err


def test_a_malformed_profiles_file_is_reported_and_left_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = ProfileStore().path
    path.parent.mkdir(parents=True)
    path.write_text('{"profiles": [{"name": "x", "api": "grpc"}]}', encoding="utf-8")
    before = path.read_bytes()

    assert main(["endpoints", "list"]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "$.profiles[0].api" in err
    assert main(["endpoints", "add", "mine", "--api", "openai", "--base-url", "http://h/v1",
                 "--model", "m"]) == 1
    assert path.read_bytes() == before
