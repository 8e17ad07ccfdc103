"""The services the window is given by the composition root (workbench/app.py).

The window never builds these itself, so tests can hand it a simulator that is already
running and a temporary settings file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from workbench.core.endpoints import EndpointProfile, ProfileStore, simulator_api_base
from workbench.core.plan import Plan
from workbench.core.records import ApiStyle
from workbench.core.secrets import KeyStore
from workbench.ui.runtime.tasks import TaskManager

if TYPE_CHECKING:
    from workbench.core.workers import RunEngine

# (plan, base_url=, api_key=, bus=, session_id=, workers=) -> the engine of one run.
RunnerFactory = Callable[..., "RunEngine"]


class EndpointUnavailable(Exception):
    """A run cannot start on this endpoint (no key, simulator failed). Message says why."""


class SimulatorChild(Protocol):
    """The simulator's child process as the window needs it (sim.process.LocalSimulator,
    handed in by the composition root: the ui never imports the simulator itself)."""

    async def abase_url(self) -> str: ...
    def running(self) -> bool: ...
    def stop(self) -> None: ...


class SimulatorService(QObject):
    """The local simulated endpoint and its status line for the bottom bar.

    With `fixed_root` (tests, benchmarks) an already running simulator is used and never
    stopped here; otherwise `child` is started on first use.
    """

    status_changed = Signal(str)

    def __init__(
        self,
        child: SimulatorChild | None = None,
        fixed_root: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if child is None and fixed_root is None:
            raise ValueError("a simulator child or a fixed root is needed")
        self._fixed_root = fixed_root
        self._local = None if fixed_root else child
        self._status = "stopped"
        self._root: str | None = fixed_root
        if fixed_root:
            self._set_status(f"running on port {urlsplit(fixed_root).port}")
        # A crashed child is noticed within two seconds (a poll of a PID, no I/O).
        self._watch = QTimer(self)
        self._watch.setInterval(2000)
        self._watch.timeout.connect(self._check_alive)
        self._watch.start()

    @property
    def status(self) -> str:
        return self._status

    def _set_status(self, status: str) -> None:
        if status != self._status:
            self._status = status
            self.status_changed.emit(status)

    async def root_url(self) -> str:
        if self._fixed_root:
            return self._fixed_root
        assert self._local is not None
        if not self._local.running():
            self._set_status("starting…")
        try:
            root = await self._local.abase_url()
        except Exception as exc:
            self._set_status(f"failed: {exc}")
            raise EndpointUnavailable(f"The local simulator did not start: {exc}") from None
        self._root = root
        self._set_status(f"running on port {urlsplit(root).port}")
        return root

    def _check_alive(self) -> None:
        local = self._local
        if local is not None and self._status.startswith("running") and not local.running():
            self._set_status("stopped")

    async def api_base(self, api: ApiStyle) -> str:
        """The API base of the running simulator for `api` (started if need be)."""
        return simulator_api_base(await self.root_url(), api)

    def stop(self) -> None:
        """Stop the child we started (blocking up to a few seconds: call via to_thread)."""
        if self._local is not None:
            self._local.stop()

    def mark_stopped(self) -> None:
        self._watch.stop()
        if self._local is not None:
            self._set_status("stopped")

    async def shutdown(self) -> None:
        """At exit: stop watching, then stop the child in a worker thread (it may take a
        few seconds to end) while the event loop keeps running."""
        self.mark_stopped()
        await asyncio.to_thread(self.stop)


@dataclass
class Services:
    """Built by workbench.app; every field is required, so no unsafe default can slip in
    (the window takes keys from the keyring only: app passes KeyStore(allow_env=False))."""

    settings: QSettings
    simulator: SimulatorService
    keys: KeyStore
    profiles: ProfileStore
    runner_factory: RunnerFactory
    session_path: Callable[[str], Path]
    tasks: TaskManager  # every background task of the window, awaited on shutdown
    # The plan a window shows when it starts with no saved state (the program's first run):
    # a sample plan ready for Ctrl+Enter. None: the empty default plan (tests, benchmarks).
    first_run_plan: Callable[[], Plan] | None = None

    async def connection(self, profile: EndpointProfile) -> tuple[str, str | None]:
        """(API base URL, key) for a run on `profile`. Raises EndpointUnavailable."""
        if profile.base_url is None:
            return await self.simulator.api_base(profile.api), None
        # The keyring may talk D-Bus: never on the Qt thread's time.
        lookup = await asyncio.to_thread(self.keys.get, profile)
        if profile.needs_key and not lookup.found:
            raise EndpointUnavailable(
                f"No API key for {profile.label}: save one in Edit > Endpoints and Keys "
                f"(or `workbench keys set {profile.name}`)"
                + (f" or set {profile.key_env}" if profile.key_env else "")
            )
        return profile.base_url, lookup.key
