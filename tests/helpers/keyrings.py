"""Keyring backends for tests.

No test may touch the real user's keyring: by default every test sees keyring's "fail"
backend (no keyring). Tests that need one ask for `memory_keyring`, `broken_keyring` or
`secret_service` (a real gnome-keyring on a private D-Bus bus).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import TypeVar

import keyring
import keyring.core
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail as keyring_fail
from keyring.compat import properties as keyring_properties

from workbench.core import redact as _redact

_Backend = TypeVar("_Backend", bound=KeyringBackend)


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict, for tests. Never chosen by keyring itself (not viable)."""

    @keyring_properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend: used only when a test installs it")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such password")


class BrokenKeyring(MemoryKeyring):
    """A keyring whose daemon stopped answering: every call raises."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the keyring daemon did not answer")


def _install_keyring(backend: _Backend) -> Iterator[_Backend]:
    saved = keyring.core._keyring_backend
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.core._keyring_backend = saved
        _redact.clear_known_secrets()


@pytest.fixture(autouse=True)
def keyring_isolated() -> Iterator[KeyringBackend]:
    """keyring's fail backend unless a test installs another: under dbus-run-session keyring
    would otherwise D-Bus-activate a gnome-keyring in the real HOME."""
    yield from _install_keyring(keyring_fail.Keyring())


@pytest.fixture
def no_keyring(keyring_isolated: KeyringBackend) -> KeyringBackend:
    """Explicitly: no usable keyring (keyring's fail backend)."""
    return keyring_isolated


@pytest.fixture
def memory_keyring(keyring_isolated: KeyringBackend) -> Iterator[MemoryKeyring]:
    """An in-memory keyring installed as keyring's backend (the CLI picks it up)."""
    yield from _install_keyring(MemoryKeyring())


@pytest.fixture
def broken_keyring(keyring_isolated: KeyringBackend) -> Iterator[BrokenKeyring]:
    """A keyring installed as keyring's backend that fails every call (a dead daemon)."""
    yield from _install_keyring(BrokenKeyring())


_SECRETS_BUS_NAME = "org.freedesktop.secrets"


def _secret_service_owned(address: str) -> bool:
    """Whether a daemon owns the Secret Service name (asked without D-Bus activation)."""
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=address) as connection:
        reply = connection.send_and_get_reply(message_bus.NameHasOwner(_SECRETS_BUS_NAME))
    return bool(reply.body[0])


def _stop(process: subprocess.Popen[bytes]) -> str:
    """Terminate a child we started (by its own handle), reap it, return its stderr."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    return stderr.strip()


@pytest.fixture
def secret_service(
    tmp_path_factory: pytest.TempPathFactory, keyring_isolated: KeyringBackend
) -> Iterator[KeyringBackend]:
    """A real Secret Service: gnome-keyring-daemon, unlocked with a test password, on a
    private D-Bus session bus, with HOME and XDG folders in a temp dir. Yields keyring's
    SecretService backend bound to it (also installed as keyring's backend).

    Always a private bus, even when DBUS_SESSION_BUS_ADDRESS is set: on a developer's
    desktop that variable points at the real session, whose keyring must stay untouched.
    Fails (never skips) when the daemon cannot start: this is required coverage."""
    from keyring.backends import SecretService

    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(
                f"{tool} is not installed; run `bash packaging/install-system-deps.sh` "
                "(Debian packages dbus, gnome-keyring)",
                pytrace=False,
            )
    home = tmp_path_factory.mktemp("keyring-home")
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_RUNTIME_DIR=str(runtime),
    )
    # --nofork (not --fork): the bus stays our child, so we can stop and reap it.
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
    )
    daemon: subprocess.Popen[bytes] | None = None
    saved_address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    try:
        assert bus.stdout is not None
        ready, _, _ = select.select([bus.stdout], [], [], 10)
        address = bus.stdout.readline().decode().strip() if ready else ""
        if not address:
            pytest.fail(f"dbus-daemon did not start: {_stop(bus) or 'no address printed'}",
                        pytrace=False)
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        )
        assert daemon.stdin is not None
        daemon.stdin.write(b"workbench-test-password")  # --unlock reads it from stdin
        daemon.stdin.close()
        deadline = time.monotonic() + 15
        while not _secret_service_owned(address):
            if daemon.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "gnome-keyring-daemon did not provide the Secret Service on the test bus: "
                    f"{_stop(daemon) or 'no error output'}",
                    pytrace=False,
                )
            time.sleep(0.05)  # polling for readiness, not timing anything
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        backend = SecretService.Keyring()
        try:
            backend.get_password("workbench-fixture-probe", "probe")
        except Exception as exc:
            pytest.fail(f"the test Secret Service does not answer: {exc!r}", pytrace=False)
        yield from _install_keyring(backend)
    finally:
        if saved_address is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = saved_address
        if daemon is not None:
            _stop(daemon)
        _stop(bus)
