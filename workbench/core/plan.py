"""A plan: what to send, where, how often and how hard. Expanded into cells.

A plan never holds a key: the endpoint is named, and the key is looked up at run time.

The defaults below are the only ones: a plan file or `workbench run` leaves a field out and
gets them, and the window starts (and File > New plan resets) to `default_plan()`, which is
built from them: the local simulator's `sim-chat`, the server's own temperature (none sent,
as most applications do), 512 max tokens, no seed, streaming, concurrency 1, 10 repetitions.

Every struct here forbids unknown fields: a misspelt key (`[run] repetitons = 3`) is an error
naming it and the nearest valid name, never silently ignored.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import msgspec

from workbench.core.records import ApiStyle, CellKey
from workbench.core.slo import SLO_METRICS
from workbench.core.unknown_fields import find_unknown_field

LOCAL_SIM = "local-sim"
"""Name of the built-in endpoint: the simulated server started on demand on loopback."""

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class PlanError(ValueError):
    """A plan (file or arguments) is invalid. `where` names the field, `line` the file line."""

    def __init__(self, message: str, *, where: str = "", source: str = "") -> None:
        self.where = where
        self.source = source
        prefix = f"{source}: " if source else ""
        field = f"{where}: " if where else ""
        super().__init__(f"{prefix}{field}{message}")


class EndpointSpec(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """Where requests go. `base_url` None means the local simulated endpoint."""

    name: str = LOCAL_SIM
    api: ApiStyle = "openai"
    base_url: str | None = None
    model: str = "sim-chat"
    # Extra non-secret headers (e.g. OpenRouter's HTTP-Referer). Never the key.
    headers: dict[str, str] = {}


class Variant(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """One phrasing of the prompt. The base variant is the plan's own prompt."""

    name: str
    user: str
    system: str | None = None


class Params(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    temperature: float | None = None
    max_tokens: int = 512
    seed: int | None = None
    top_p: float | None = None
    stream: bool = True


class RunSettings(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    concurrency: list[int] = msgspec.field(default_factory=lambda: [1])
    repetitions: int = 10
    # closed: exactly C in flight; open: Poisson arrivals at `rate` requests per second.
    mode: Literal["closed", "open"] = "closed"
    rate: float | None = None
    connect_timeout: float = 10.0
    first_token_timeout: float = 60.0
    total_timeout: float = 300.0
    retries: int = 0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    arrival_seed: int = 0
    # "knee": ignore `concurrency` and double from 1 (1, 2, 4, ...) up to `max_concurrency`
    # until throughput stops rising or goodput under `slo` falls (docs/analysis.md, "Load knee").
    search: Literal["none", "knee"] = "none"
    knee_min_gain: float = 0.10  # a doubling that raises throughput by less than this: knee
    knee_goodput_floor: float = 0.9  # a level where fewer requests than this meet `slo`: knee
    max_concurrency: int = 256
    slo: dict[str, float] = {}  # e.g. {ttft_ms = 500}: judges goodput during the search


KNEE_ROUNDS = 4
"""In a knee search each level sends at least this many requests per slot (4 x level), so the
start and the drain of a level (fewer than `level` in flight) are a small part of its time."""


class Plan(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    name: str = "untitled"
    endpoint: EndpointSpec = msgspec.field(default_factory=EndpointSpec)
    system: str | None = None
    user: str = ""
    variables: dict[str, str] = {}
    variants: list[Variant] = []
    params: Params = msgspec.field(default_factory=Params)
    run: RunSettings = msgspec.field(default_factory=RunSettings)

    def all_variants(self) -> list[Variant]:
        """The base prompt first, then any named variants."""
        return [Variant(name="base", user=self.user, system=self.system), *self.variants]

    def levels(self) -> list[int]:
        """The levels a run may visit, in order: the sweep, or a knee search's doublings (the
        search usually stops before the last)."""
        if self.run.search != "knee":
            return self.run.concurrency
        levels = [1]
        while levels[-1] * 2 <= self.run.max_concurrency:
            levels.append(levels[-1] * 2)
        return levels

    def repetitions_at(self, level: int) -> int:
        """Requests per variant at a level: `repetitions`, and in a knee search at least
        KNEE_ROUNDS x level."""
        if self.run.search != "knee":
            return self.run.repetitions
        return max(self.run.repetitions, KNEE_ROUNDS * level)

    def level_requests(self, level: int) -> int:
        return len(self.all_variants()) * self.repetitions_at(level)

    def cells(self) -> Iterator[CellKey]:
        """Cells in execution order: each concurrency level is one sweep step."""
        for level in self.levels():
            for variant in self.all_variants():
                yield CellKey(
                    endpoint=self.endpoint.name,
                    model=self.endpoint.model,
                    variant=variant.name,
                    level=level,
                )

    def total_requests(self) -> int:
        """Requests of the whole sweep; of a knee search, the most it could send (it adds
        each level's requests to the planned count only when that level starts)."""
        if self.run.search != "knee":
            return len(self.run.concurrency) * len(self.all_variants()) * self.run.repetitions
        return sum(self.level_requests(level) for level in self.levels())

    def messages(self, variant: Variant) -> tuple[str | None, str]:
        """System and user text of a variant with `{{variables}}` filled in."""
        system = variant.system if variant.system is not None else self.system
        return (
            render_template(system, self.variables) if system is not None else None,
            render_template(variant.user, self.variables),
        )


def default_plan() -> Plan:
    """The plan a new window or File > New plan starts from, and what `workbench run` fills
    in: every field at its default (see the module docstring). A new object each call."""
    return Plan()


def template_variables(text: str) -> list[str]:
    """Names of the `{{variables}}` in a template, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in _VARIABLE.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def render_template(text: str, variables: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise PlanError(f"variable {{{{{name}}}}} is used but not defined", where="variables")
        return variables[name]

    return _VARIABLE.sub(fill, text)


def parse_concurrency(text: str) -> list[int]:
    """Parse a level or a sweep such as ``1,8,32``. Raises PlanError naming the bad part."""
    levels: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            raise PlanError("empty level in list (expected e.g. 1,8,32)", where="concurrency")
        if not part.isdigit():
            raise PlanError(f"{part!r} is not a whole number", where="concurrency")
        level = int(part)
        if not 1 <= level <= 4096:
            raise PlanError(f"{level} is out of range 1-4096", where="concurrency")
        levels.append(level)
    return levels


def validate(plan: Plan) -> Plan:
    """Check what msgspec's types cannot; raise PlanError naming the field."""
    if not plan.user.strip():
        raise PlanError("the prompt is empty", where="user")
    if not plan.run.concurrency:
        raise PlanError("at least one level is needed", where="run.concurrency")
    for level in plan.run.concurrency:
        if not 1 <= level <= 4096:
            raise PlanError(f"{level} is out of range 1-4096", where="run.concurrency")
    if not 1 <= plan.run.repetitions <= 1_000_000:
        raise PlanError("must be between 1 and 1000000", where="run.repetitions")
    if plan.run.mode == "open" and not (plan.run.rate and plan.run.rate > 0):
        raise PlanError("open-loop mode needs a rate above 0", where="run.rate")
    _validate_knee(plan.run)
    if plan.run.retries < 0:
        raise PlanError("cannot be negative", where="run.retries")
    for name in ("connect_timeout", "first_token_timeout", "total_timeout"):
        if getattr(plan.run, name) <= 0:
            raise PlanError("must be above 0 seconds", where=f"run.{name}")
    if plan.params.max_tokens < 1:
        raise PlanError("must be at least 1", where="params.max_tokens")
    if plan.params.temperature is not None and not 0 <= plan.params.temperature <= 2:
        raise PlanError("must be between 0 and 2", where="params.temperature")
    base = plan.endpoint.base_url
    if base is not None and not re.match(r"^https?://[^/\s]+", base):
        raise PlanError(f"{base!r} is not an http(s) URL", where="endpoint.base_url")
    names = [v.name for v in plan.all_variants()]
    if len(set(names)) != len(names):
        raise PlanError("variant names must be unique", where="variants")
    for variant in plan.all_variants():
        plan.messages(variant)  # raises on an undefined variable
    return plan


def _validate_knee(run: RunSettings) -> None:
    """The knee search's fields are checked even when the search is off: a plan file that
    sets them means something by them."""
    if not 0 < run.knee_min_gain < 1:
        raise PlanError(
            f"{run.knee_min_gain:g} is not a share between 0 and 1 (e.g. 0.1 for 10%)",
            where="run.knee_min_gain",
        )
    if not 0 <= run.knee_goodput_floor <= 1:
        raise PlanError(
            f"{run.knee_goodput_floor:g} is not a share between 0 and 1 (e.g. 0.9)",
            where="run.knee_goodput_floor",
        )
    if not 2 <= run.max_concurrency <= 4096:
        raise PlanError(
            f"{run.max_concurrency} is out of range 2-4096", where="run.max_concurrency"
        )
    for name, limit in run.slo.items():
        if name not in SLO_METRICS:
            raise PlanError(
                f"unknown metric {name!r} (use {', '.join(SLO_METRICS)})", where=f"run.slo.{name}"
            )
        if not limit > 0:
            raise PlanError("the limit must be above 0 ms", where=f"run.slo.{name}")
    if run.search == "knee" and run.mode == "open":
        raise PlanError(
            "a knee search raises the number in flight, so it needs closed-loop mode"
            " (leave out rate)",
            where="run.search",
        )


def plan_from_dict(data: dict[str, Any], source: str = "") -> Plan:
    try:
        plan = msgspec.convert(data, Plan, strict=True)
    except msgspec.ValidationError as exc:
        unknown = find_unknown_field(exc, Plan, data)
        if unknown is not None:
            raise PlanError(unknown.message, where=unknown.path, source=source) from None
        # msgspec says e.g. "Expected `int`, got `str` - at `$.run.repetitions`".
        text = str(exc)
        where = ""
        if " - at `$." in text:
            text, _, where = text.partition(" - at `$.")
            where = where.rstrip("`")
        raise PlanError(text, where=where, source=source) from None
    try:
        return validate(plan)
    except PlanError as exc:
        raise PlanError(str(exc).split(": ", 1)[-1], where=exc.where, source=source) from None


def load_plan(path: Path) -> Plan:
    """Read a plan TOML file (format in README.md)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanError(f"cannot read: {exc.strerror}", source=str(path)) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PlanError("not UTF-8 text", source=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"not valid TOML ({exc})", source=str(path)) from None
    return plan_from_dict(data, source=str(path))


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    result: dict[str, Any] = msgspec.to_builtins(plan)
    return result
