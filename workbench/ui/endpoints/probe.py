"""Fetch models / Test connection for the Endpoints dialog: the profile as the form shows it,
with the key typed (or the saved one), sent by core.probe on the qasync loop.

The local simulator profile (base_url None) is probed on the window's running simulator,
resolved the way a run resolves it. Never raises for a network problem (core.probe turns
those into a ProbeResult); raises InvalidKey, NoModel or EndpointUnavailable for what the
dialog shows at a field or in the result line.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from workbench.core.endpoints import EndpointProfile
from workbench.core.probe import ProbeResult, check_connection, fetch_models
from workbench.core.secrets import check_key
from workbench.ui.runtime.services import Services

ProbeAction = Literal["models", "test"]


class NoModel(ValueError):
    """Test connection needs a model and the profile names none."""


async def probe_endpoint(
    services: Services,
    profile: EndpointProfile,
    typed_key: str,
    *,
    saved: bool,
    action: ProbeAction,
) -> ProbeResult:
    """List the models or send one token. `saved`: the profile exists, so its saved key is
    used when none is typed."""
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
        return await fetch_models(profile.api, base_url, key, headers=profile.headers)
    return await check_connection(profile.api, base_url, model, key, headers=profile.headers)
