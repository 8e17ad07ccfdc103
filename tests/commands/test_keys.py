"""`workbench keys set|status|delete`: through workbench.cli.main, as a user runs them."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from tests.helpers.keyrings import MemoryKeyring
from workbench.cli import main
from workbench.core.secrets import SERVICE

KEY = "fake-cli-test-9a8b7c6d5e4f3a2b1c0d"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str, *, tty: bool = False) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal(text) if tty else io.StringIO(text))


def test_set_reads_the_key_from_piped_stdin(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    _stdin(monkeypatch, KEY + "\n")

    code = main(["keys", "set", "deepseek"])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert memory_keyring.entries == {(SERVICE, "deepseek"): KEY}
    assert "Saved the key for 'deepseek' in the system keyring" in out
    assert KEY not in out + err


def test_set_prompts_without_echo_on_a_terminal(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return KEY

    _stdin(monkeypatch, "", tty=True)
    monkeypatch.setattr("getpass.getpass", fake_getpass)

    assert main(["keys", "set", "openai"]) == 0
    assert prompts == ["API key for OpenAI (openai): "]
    assert memory_keyring.entries[(SERVICE, "openai")] == KEY
    assert KEY not in "".join(capsys.readouterr())


def test_set_refuses_a_key_given_as_an_argument_without_echoing_it(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["keys", "set", "deepseek", KEY], ["keys", "set", "deepseek", "--key", KEY]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2
        assert "takes no key argument" in err
        assert KEY not in out + err
    assert memory_keyring.entries == {}


def test_set_with_empty_input_fails(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, "\n")

    assert main(["keys", "set", "deepseek"]) == 1
    assert "the key is empty" in capsys.readouterr().err
    assert memory_keyring.entries == {}


def test_set_without_keyring_saves_nothing_and_says_what_to_do(
    no_keyring: KeyringBackend, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], files_containing: Callable[[str], list[Path]],
) -> None:
    _stdin(monkeypatch, KEY)

    code = main(["keys", "set", "deepseek"])

    err = capsys.readouterr().err
    assert code == 1
    assert "No system keyring is available" in err
    assert "DEEPSEEK_API_KEY" in err
    assert KEY not in err
    assert files_containing(KEY) == []


def test_status_says_where_the_key_comes_from_without_printing_it(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    assert main(["keys", "status", "deepseek"]) == 1
    assert "deepseek: no key" in capsys.readouterr().out

    memory_keyring.set_password(SERVICE, "deepseek", KEY)
    assert main(["keys", "status", "deepseek"]) == 0
    out = capsys.readouterr().out
    assert "from the system keyring" in out

    monkeypatch.setenv("DEEPSEEK_API_KEY", "fake-env-override-123456")
    assert main(["keys", "status", "deepseek"]) == 0
    out = capsys.readouterr().out
    assert "environment variable DEEPSEEK_API_KEY" in out
    assert "a keyring entry also exists" in out
    assert KEY not in out and "fake-env-override-123456" not in out


def test_status_of_a_local_endpoint_needs_no_key(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "status", "ollama"]) == 0
    assert "does not need one" in capsys.readouterr().out


def test_delete_removes_the_keyring_entry(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    memory_keyring.set_password(SERVICE, "deepseek", KEY)

    assert main(["keys", "delete", "deepseek"]) == 0
    assert "Deleted the key for 'deepseek'" in capsys.readouterr().out
    assert memory_keyring.entries == {}
    assert main(["keys", "delete", "deepseek"]) == 0
    assert "nothing to delete" in capsys.readouterr().out


def test_delete_warns_that_the_environment_still_supplies_a_key(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    memory_keyring.set_password(SERVICE, "deepseek", KEY)
    monkeypatch.setenv("DEEPSEEK_API_KEY", "fake-env-override-123456")

    assert main(["keys", "delete", "deepseek"]) == 0
    assert "DEEPSEEK_API_KEY is set in this environment" in capsys.readouterr().out


@pytest.mark.parametrize("action", ["set", "status", "delete"])
def test_unknown_profile_lists_the_known_names(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    code = main(["keys", action, "deepsek"])

    err = capsys.readouterr().err
    assert code == 2
    assert "PROFILE" in err and "'deepsek'" in err
    assert "deepseek" in err and "local-sim" in err


def test_missing_profile_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["keys", "status"])

    assert exit_info.value.code == 2
    assert "PROFILE" in capsys.readouterr().err


@pytest.mark.keyring
def test_keys_commands_against_a_real_secret_service(
    secret_service: KeyringBackend, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    _stdin(monkeypatch, KEY + "\n")

    assert main(["keys", "set", "deepseek"]) == 0
    assert secret_service.get_password(SERVICE, "deepseek") == KEY
    assert main(["keys", "status", "deepseek"]) == 0
    assert "from the system keyring (SecretService" in capsys.readouterr().out
    assert main(["keys", "delete", "deepseek"]) == 0
    assert secret_service.get_password(SERVICE, "deepseek") is None
    assert KEY not in "".join(capsys.readouterr())
