"""Shared fixtures: the one helpers place for the whole test suite."""

from __future__ import annotations

import os

# Before any Qt or pyqtgraph import anywhere in the test session.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test gets its own config, data, cache and state folders (platformdirs honours
    the XDG variables), so no test reads or writes the real user's files, and leak scans
    can search everything the program wrote."""
    root = tmp_path_factory.mktemp("userdirs")
    saved = {k: os.environ.get(k) for k in _XDG}
    for key in _XDG:
        path = root / key.lower()
        path.mkdir()
        os.environ[key] = str(path)
    yield root
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


_XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")

# --- simulated endpoint fixtures (workbench.sim) -------------------------------------------

from collections.abc import Callable  # noqa: E402


@pytest.fixture(scope="session")
def sim_url() -> Iterator[str]:
    """Base URL of one fast simulated endpoint (`--zero-delay --seed 1`) shared by the session."""
    from workbench.sim.process import SimProcess

    with SimProcess(["--zero-delay", "--seed", "1"]) as sim:
        yield sim.base_url


@pytest.fixture
def sim_factory() -> Iterator[Callable[..., str]]:
    """Start simulated endpoints with extra CLI args: `url = sim_factory("--capacity", "2")`.
    Each returns its base URL; all are stopped when the test ends."""
    from workbench.sim.process import SimProcess

    started: list[SimProcess] = []

    def start(*extra_args: str) -> str:
        sim = SimProcess(extra_args)
        started.append(sim)
        return sim.start()

    yield start
    for sim in started:
        sim.stop()


# --- keyring fixtures ---
# No test may touch the real user's keyring: by default every test sees keyring's "fail"
# backend (no keyring). Tests that need one ask for `memory_keyring` or `secret_service`.

import select  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from typing import TypeVar  # noqa: E402

import keyring  # noqa: E402
import keyring.core  # noqa: E402
import keyring.errors  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.backends import fail as keyring_fail  # noqa: E402
from keyring.compat import properties as keyring_properties  # noqa: E402

from workbench.core import redact as _redact  # noqa: E402

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


@pytest.fixture
def log_redaction() -> Iterator[None]:
    """workbench's log redaction installed for one test, removed afterwards."""
    _redact.install_log_redaction()
    try:
        yield
    finally:
        _redact.uninstall_log_redaction()
        _redact.clear_known_secrets()



@pytest.fixture
def files_containing(
    isolated_user_dirs: Path, tmp_path: Path
) -> Callable[[str], list[Path]]:
    """Leak scan: `files_containing(secret)` lists every file under this test's XDG folders
    (config, data, cache, state) and tmp_path whose bytes contain `secret`."""

    def scan(secret: str) -> list[Path]:
        needle = secret.encode()
        return [
            path
            for root in (isolated_user_dirs, tmp_path)
            for path in sorted(root.rglob("*"))
            if path.is_file() and needle in path.read_bytes()
        ]

    return scan


# --- Qt / window fixtures ---
# The window's coroutines run on qasync's QEventLoop. Under pytest-qt the Qt event loop is
# spun by qtbot.waitUntil / qtbot.wait, not by loop.run_forever, so the fixture marks the
# loop as asyncio's running loop for the test: every Qt event processed while a test waits
# also runs the asyncio callbacks (tasks, sockets, to_thread results). Tests stay plain
# sync functions (no task is current while they block in waitUntil, so no "cannot enter
# into task" re-entrancy), and async tests elsewhere keep pytest-asyncio's own loops.

import asyncio  # noqa: E402
from typing import Any  # noqa: E402


@pytest.fixture(scope="session")
def _qasync_session_loop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """One QEventLoop for the whole session: loops created and closed per test left socket
    notifiers behind that stalled the next test's connections."""
    from workbench.ui.runtime.event_loop import WorkbenchEventLoop

    loop = WorkbenchEventLoop(qapp)
    yield loop
    loop.close()


@pytest.fixture
def qasync_loop(
    qapp: Any, _qasync_session_loop: asyncio.AbstractEventLoop
) -> Iterator[asyncio.AbstractEventLoop]:
    """qasync's loop, seen by asyncio as running for the duration of one test."""
    loop = _qasync_session_loop
    asyncio.events._set_running_loop(loop)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        deadline = time.monotonic() + 10
        while any(not t.done() for t in pending) and time.monotonic() < deadline:
            qapp.processEvents()
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


@pytest.fixture
def window_factory(
    qtbot: Any, qasync_loop: asyncio.AbstractEventLoop, sim_url: str, tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    """Build the REAL main window through the composition root, pointed at the session's
    simulated endpoint (or `simulator_root=`), with settings and session files in tmp_path.
    `window_factory()` returns it shown; call it again for a second window on the same
    settings (persistence tests)."""
    from PySide6.QtCore import QSettings

    from workbench import app

    app.ensure_application()
    built: list[Any] = []

    def build(
        size: tuple[int, int] | None = (1280, 800), simulator_root: str | None = None
    ) -> Any:
        settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
        services = app.build_services(simulator_root=simulator_root or sim_url, settings=settings)
        services.session_path = lambda session: tmp_path / "sessions" / f"{session}.jsonl"
        window = app.build_window(services)
        # Not qtbot.addWidget: pytest-qt would close and delete the window before this
        # fixture's teardown, while a cancelled run may still be winding down.
        if size is not None:  # None: keep the geometry restored from the settings
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        built.append(window)
        return window

    yield build
    for window in built:
        window.controller.cancel()
        qtbot.waitUntil(lambda w=window: not w.controller.busy, timeout=10_000)
        window.close()
        window.deleteLater()
    qtbot.wait(1)  # deliver the deferred deletes


@pytest.fixture
def main_window(window_factory: Callable[..., Any]) -> Any:
    return window_factory()
