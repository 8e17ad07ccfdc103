"""Plans as older versions wrote them, read into today's form (plan files and the plans
session files embed)."""

from __future__ import annotations

from typing import Any

from workbench.core.plan_text import PlanError


def migrate_plan_data(data: dict[str, Any]) -> dict[str, Any]:
    """A plan as older versions wrote it, in today's form (a new dict; `data` is kept).

    Before plans had modes, `[run] mode` was the arrival ("closed" / "open"): that value
    moves to `run.arrival` and the mode is "sweep", the only mode there was. Session
    files embed the plan, so their migration uses this too.
    """
    run = data.get("run")
    if not isinstance(run, dict) or run.get("mode") not in ("closed", "open"):
        return data
    if "arrival" in run and run["arrival"] != run["mode"]:
        raise PlanError(
            f"{run['mode']!r} is an arrival, and arrival says {run['arrival']!r}: write"
            ' mode = "sweep" (or another mode) and keep the arrival',
            where="run.mode",
        )
    return {**data, "run": {**run, "arrival": run["mode"], "mode": "sweep"}}
