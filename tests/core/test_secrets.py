"""KeyStore: keys in the keyring (or, with no keyring, in memory only), env override, repr."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from tests.helpers.keyrings import BrokenKeyring, MemoryKeyring
from workbench.core.redact import redact_text
from workbench.core.secrets import SERVICE, InvalidKey, KeyLookup, KeyStore

KEY = "fake-test-4f1c2b9e8d7a6b5c4d3e2f1a"


class _Profile:
    """The two attributes KeyStore needs (EndpointProfile has them too)."""

    def __init__(self, name: str, key_env: str | None) -> None:
        self.name = name
        self.key_env = key_env


def test_memory_backend_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore(backend=memory_keyring)

    assert store.set("deepseek", f"  {KEY}\n") == "keyring"
    lookup = store.get("deepseek")
    assert (lookup.key, lookup.source) == (KEY, "keyring")
    # One entry per profile, under the fixed service name, username = profile name.
    assert memory_keyring.entries == {(SERVICE, "deepseek"): KEY}
    assert store.delete("deepseek") is True
    assert store.get("deepseek") == KeyLookup(None, "none")
    assert store.delete("deepseek") is False


def test_default_backend_is_keyrings_current_one(memory_keyring: MemoryKeyring) -> None:
    KeyStore().set("openai", KEY)

    assert memory_keyring.entries[(SERVICE, "openai")] == KEY
    assert KeyStore().backend_status().usable


def test_key_lookup_repr_and_str_never_show_the_key(memory_keyring: MemoryKeyring) -> None:
    store = KeyStore()
    store.set("deepseek", KEY)
    lookup = store.get("deepseek")

    env_store = KeyStore(allow_env=True, environ={"DEEPSEEK_API_KEY": KEY})
    env_lookup = env_store.get("deepseek", env_var="DEEPSEEK_API_KEY")
    for text in (repr(lookup), str(lookup), f"{lookup}", repr([lookup]), repr(store),
                 repr(env_store), repr(env_lookup)):
        assert KEY not in text
    assert "keyring" in repr(lookup)


def test_a_key_handed_out_is_scrubbed_from_later_text(memory_keyring: MemoryKeyring) -> None:
    # An opaque key with no recognisable shape: only the registry can catch it.
    opaque = "opaque0credential0value"
    memory_keyring.set_password(SERVICE, "custom", opaque)

    KeyStore().get("custom")

    assert redact_text(f"401 for key {opaque}") == "401 for key [redacted]"


def test_environment_overrides_keyring_only_when_allowed(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(SERVICE, "deepseek", KEY)
    profile = _Profile("deepseek", "DEEPSEEK_API_KEY")
    environ = {"DEEPSEEK_API_KEY": "fake-from-environment-0001"}

    cli = KeyStore(allow_env=True, environ=environ).get(profile)
    gui = KeyStore(allow_env=False, environ=environ).get(profile)

    assert (cli.key, cli.source, cli.env_var) == (
        "fake-from-environment-0001",
        "environment",
        "DEEPSEEK_API_KEY",
    )
    assert (gui.key, gui.source) == (KEY, "keyring")


def test_a_default_store_never_reads_the_environment(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safe default: only the command line, asking by name, honours key variables."""
    monkeypatch.setenv("DEEPSEEK_API_KEY", "fake-from-environment-0002")
    profile = _Profile("deepseek", "DEEPSEEK_API_KEY")

    assert KeyStore().get(profile) == KeyLookup(None, "none")
    memory_keyring.set_password(SERVICE, "deepseek", KEY)
    assert KeyStore().get(profile).source == "keyring"
    assert KeyStore(allow_env=True).get(profile).source == "environment"


def test_empty_environment_variable_does_not_override(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(SERVICE, "deepseek", KEY)
    store = KeyStore(allow_env=True, environ={"DEEPSEEK_API_KEY": "  "})

    assert store.get("deepseek", env_var="DEEPSEEK_API_KEY").source == "keyring"


def test_env_override_reads_the_process_environment(
    no_keyring: KeyringBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_GATEWAY_KEY", "gw-key-123456")

    lookup = KeyStore(allow_env=True).get(_Profile("gateway", "MY_GATEWAY_KEY"))

    assert (lookup.key, lookup.source) == ("gw-key-123456", "environment")


def _files_containing(root: Path, needle: str) -> list[Path]:
    return [
        path for path in root.rglob("*") if path.is_file() and needle.encode() in path.read_bytes()
    ]


def test_no_keyring_keeps_the_key_in_memory_only_and_says_so(
    no_keyring: KeyringBackend, files_containing: Callable[[str], list[Path]]
) -> None:
    store = KeyStore()

    status = store.backend_status()
    where = store.set("deepseek", KEY)
    lookup = store.get("deepseek")

    assert not status.usable
    assert status.message.startswith("No system keyring is available (")
    assert "kept in memory for this run only" in status.message
    assert where == "memory"
    assert (lookup.key, lookup.source) == (KEY, "memory")
    # Memory means this store only: a new process (a new store) has no key.
    assert KeyStore().get("deepseek").source == "none"
    # Nothing was written anywhere: not the config/data/cache/state folders, not the temp dir.
    assert files_containing(KEY) == []


def test_plaintext_backends_are_refused() -> None:
    # keyrings.alt's PlaintextKeyring, as keyring would load it from a config file.
    plaintext_type = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})
    plaintext = plaintext_type()
    store = KeyStore(backend=plaintext)

    where = store.set("deepseek", KEY)
    status = store.backend_status()

    assert where == "memory"
    assert plaintext.entries == {}
    assert not status.usable
    assert "keyrings.alt.file.PlaintextKeyring" in status.message
    assert "refuses" in status.message


def test_a_failing_keyring_falls_back_to_memory_with_a_plain_message(
    broken_keyring: BrokenKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    store = KeyStore()

    assert store.get("deepseek").source == "none"
    status = store.backend_status()
    where = store.set("deepseek", KEY)

    assert not status.usable
    assert "BrokenKeyring failed to read a key" in status.message
    assert "KeyringLocked" in status.message
    assert "kept in memory for this run only" in status.message
    assert where == "memory"
    assert store.get("deepseek").source == "memory"
    assert KEY not in status.message and KEY not in caplog.text


@pytest.mark.parametrize("bad", ["", "   \n", "fake-abc def", "line1\nline2", "fake-\x07bell"])
def test_malformed_keys_are_rejected_without_echoing_them(
    memory_keyring: MemoryKeyring, bad: str
) -> None:
    with pytest.raises(InvalidKey) as caught:
        KeyStore().set("deepseek", bad)

    assert memory_keyring.entries == {}
    if bad.strip():
        assert bad.strip() not in str(caught.value)


@pytest.mark.keyring
def test_secret_service_round_trip(secret_service: KeyringBackend) -> None:
    """set, get, status, delete through a real gnome-keyring over D-Bus."""
    import secretstorage

    store = KeyStore(backend=secret_service)
    assert store.backend_status().usable
    assert "SecretService" in store.backend_status().backend

    assert store.set("deepseek", KEY) == "keyring"
    # A fresh store and a fresh backend object: the key really is in the daemon.
    from keyring.backends import SecretService

    fresh = KeyStore(backend=SecretService.Keyring())
    lookup = fresh.get("deepseek")
    assert (lookup.key, lookup.source) == (KEY, "keyring")
    assert fresh.stored_in_keyring("deepseek")
    # Stored as one item: service + username attributes, as other keyring tools expect.
    with secretstorage.dbus_init() as connection:
        items = list(
            secretstorage.search_items(connection, {"service": SERVICE, "username": "deepseek"})
        )
        assert len(items) == 1
        assert items[0].get_secret().decode() == KEY

    assert fresh.delete("deepseek") is True
    assert KeyStore(backend=SecretService.Keyring()).get("deepseek").source == "none"
    assert fresh.delete("deepseek") is False


def test_keystore_logs_nothing_containing_the_key(
    memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = KeyStore()
    store.set("deepseek", KEY)
    store.get("deepseek")
    store.delete("deepseek")

    assert KEY not in caplog.text
