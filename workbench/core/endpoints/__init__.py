"""Endpoint profiles: built-in presets plus the user's own, saved as JSON in the config folder.

The window's Endpoints dialog and the `workbench endpoints` command both use `ProfileStore`;
`to_endpoint_spec` turns a profile into the plan's EndpointSpec and `cost_usd` prices usage.
Keys are not here: see workbench.core.secrets.
"""

from workbench.core.endpoints.presets import PRESET_NAMES, PRESETS, preset
from workbench.core.endpoints.profile import (
    API_STYLES,
    EndpointProfile,
    ModelPrice,
    Origin,
    ProfileError,
    cost_usd,
    simulator_api_base,
    to_endpoint_spec,
    validate_profile,
)
from workbench.core.endpoints.store import (
    EndpointsFileError,
    ListedProfile,
    ProfileStore,
    UnknownProfile,
    profiles_path,
)

__all__ = [
    "API_STYLES",
    "PRESETS",
    "PRESET_NAMES",
    "EndpointProfile",
    "EndpointsFileError",
    "ListedProfile",
    "ModelPrice",
    "Origin",
    "ProfileError",
    "ProfileStore",
    "UnknownProfile",
    "cost_usd",
    "preset",
    "profiles_path",
    "simulator_api_base",
    "to_endpoint_spec",
    "validate_profile",
]
