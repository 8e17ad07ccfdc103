"""The sample plans shipped in resources/plans/ (File > Sample plans, the first run's plan),
read through importlib.resources: the same from a checkout, a wheel and a frozen build."""

from __future__ import annotations

import importlib.resources
import tomllib

from workbench.core.plan import Plan, PlanError, plan_from_dict

FIRST_RUN = "sweep"
"""The plan a new window starts with: a sweep on the local simulator, ready for Ctrl+Enter."""


def _folder() -> importlib.resources.abc.Traversable:
    return importlib.resources.files("workbench.resources").joinpath("plans")


def sample_names() -> list[str]:
    """Names of the sample plans (file names without `.toml`), sorted."""
    return sorted(f.name[:-5] for f in _folder().iterdir() if f.name.endswith(".toml"))


def sample_plan(name: str) -> Plan:
    """A sample plan by name. Raises PlanError naming the file if it is missing or invalid."""
    source = f"resources/plans/{name}.toml"
    entry = _folder().joinpath(f"{name}.toml")
    if not entry.is_file():
        raise PlanError("no such sample plan", source=source)
    try:
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"not valid TOML ({exc})", source=source) from None
    return plan_from_dict(data, source=source)
