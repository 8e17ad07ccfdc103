"""Fetch models / Test connection for the Endpoints dialog: the two buttons, the result line,
and the probe itself (the profile as the form shows it, with the key typed or the saved one,
sent by core.probe on the qasync loop).

One probe at a time, in the window's "endpoints.probe" task slot: a new probe cancels the
one still running, and so do another profile and closing the dialog. The local simulator
profile (base_url None) is probed on the window's running simulator, resolved the way a run
resolves it. A network problem is never an exception (core.probe turns it into a
ProbeResult); what belongs at a field (the key, the model) is marked there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from workbench.core.endpoints import EndpointProfile
from workbench.core.secrets import InvalidKey, check_key
from workbench.ui.endpoints.form import ProfileForm
from workbench.ui.endpoints.key_row import KeyRow
from workbench.ui.endpoints.style import plain_button, set_state
from workbench.ui.runtime.services import EndpointUnavailable, Services

if TYPE_CHECKING:
    # The HTTP stack loads with the first probe, not with the window.
    from workbench.core.probe import ProbeResult

ProbeAction = Literal["models", "test"]
PROBE_SLOT = "endpoints.probe"

# Failures whose message does not already start with what went wrong.
_KIND_TITLES = {
    "dns": "DNS", "tls": "TLS", "timeout": "Timeout", "refused": "Connection refused",
    "connection": "Cannot connect", "protocol": "Not an API",
}  # fmt: skip
_MARKS = {"ok": "✓", "error": "✕", "running": "…", "info": "ⓘ"}
_RUNNING = {"models": "Fetching the model list…", "test": "Testing the connection…"}


class NoModel(ValueError):
    """Test connection needs a model and the profile names none."""


class ProbePanel:
    """The Fetch models and Test connection buttons (`row`), the result line (`result`),
    and the probe they start. `saved()` says whether the profile shown exists (so its saved
    key may be used when none is typed)."""

    def __init__(
        self, services: Services, form: ProfileForm, key_row: KeyRow, saved: Callable[[], bool]
    ) -> None:
        self.services = services
        self.form = form
        self.key_row = key_row
        self._saved = saved
        self._slot = services.tasks.slot(PROBE_SLOT)
        self.fetch_button = plain_button(
            "&Fetch models", "fetchModelsButton", "Ask the server for its model list (GET /models)"
        )
        self.test_button = plain_button(
            "&Test connection",
            "testConnectionButton",
            "Send a one-token request with the default model and key",
        )
        self.row = QWidget()
        buttons = QHBoxLayout(self.row)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.fetch_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        self.result = QLabel()
        self.result.setObjectName("probeResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setVisible(False)
        # Only as tall as its text (a wrapped label otherwise takes spare height).
        self.result.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    @property
    def busy(self) -> bool:
        return self._slot.running

    @property
    def task(self) -> asyncio.Task[Any] | None:
        return self._slot.task

    def enable(self, usable: bool) -> None:
        """The buttons are off while a probe runs and when no profile is shown."""
        for button in (self.fetch_button, self.test_button):
            button.setEnabled(usable and not self.busy)

    def start(self, action: ProbeAction) -> asyncio.Task[Any]:
        """Start a probe (cancelling the one running); its task, to watch it end."""
        return self._slot.bind(self._run(action))

    def cancel(self) -> None:
        self._slot.stop()

    def clear(self) -> None:
        self.show("info", "")

    def show(self, state: str, text: str) -> None:
        """Fill the result line; `state` (ok/error/running/info) picks its colours."""
        label = self.result
        label.setText(f"{_MARKS.get(state, '')}  {text}" if text else "")
        label.setVisible(bool(text))
        label.setAccessibleDescription(text)
        set_state(label, state)

    async def _run(self, action: ProbeAction) -> None:
        self.show("running", _RUNNING[action])
        profile, problems = self.form.read()
        if profile is None:
            self.form.show_errors(problems)
            self.show("error", "Fix the marked fields first.")
            return
        try:
            result = await probe_endpoint(self.services, profile, self.key_row.edit.text(),
                                          saved=self._saved(), action=action)  # fmt: skip
        except InvalidKey as exc:
            self.key_row.show_error(str(exc))
            self.show("error", "Fix the key first.")
            return
        except NoModel as exc:
            self.form.mark("default_model", str(exc))
            self.show("error", "No model to test with.")
            return
        except EndpointUnavailable as exc:
            self.show("error", str(exc))
            return
        if action == "models" and result.ok:
            self.form.set_models(result.models)
        self.show("ok" if result.ok else "error", result_text(result))


def result_text(result: ProbeResult) -> str:
    """A probe's outcome in one line, saying what kind of failure it was."""
    if result.kind == "key_rejected":
        # core's hint points at this dialog; here the key field is right above.
        return result.message.split(" — ", 1)[0] + " — check the API key above."
    if result.ok or result.kind not in _KIND_TITLES:
        return result.message
    return f"{_KIND_TITLES[result.kind]}: {result.message}"


async def probe_endpoint(
    services: Services,
    profile: EndpointProfile,
    typed_key: str,
    *,
    saved: bool,
    action: ProbeAction,
) -> ProbeResult:
    """List the models or send one token. `saved`: the profile exists, so its saved key is
    used when none is typed. Raises InvalidKey, NoModel or EndpointUnavailable."""
    model = profile.default_model or next(iter(profile.models), "")
    if action == "test" and not model:
        raise NoModel("choose a model to test with (or Fetch models)")
    key: str | None = None
    if profile.base_url is None:
        base_url = await services.simulator.api_base(profile.api)
    else:
        base_url = profile.base_url
        if typed_key:
            key = check_key(typed_key)
        elif saved:  # the keyring may block on an unlock prompt: not on the Qt thread
            key = (await asyncio.to_thread(services.keys.get, profile)).key
    if action == "models":
        from workbench.core.probe import fetch_models

        return await fetch_models(profile.api, base_url, key, headers=profile.headers)
    from workbench.core.probe import check_connection

    return await check_connection(profile.api, base_url, model, key, headers=profile.headers)
