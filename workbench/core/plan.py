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

from workbench.core.plan_migration import migrate_plan_data
from workbench.core.plan_text import (
    CHAIN_VARIABLES,
    PlanError,
    chain_variables,
    parse_concurrency,
    render_template,
    template_variables,
)
from workbench.core.plan_variants import Variant, expand_variants, validate_matrix, variant_values
from workbench.core.records import ApiStyle, CellKey
from workbench.core.slo import SLO_METRICS
from workbench.core.unknown_fields import find_unknown_field

LOCAL_SIM = "local-sim"
"""Name of the built-in endpoint: the simulated server started on demand on loopback."""

Mode = Literal["sweep", "chain", "retry", "soak"]
Arrival = Literal["closed", "open"]
# The modes this version runs; the others are part of the format but refused by name.
RUNNABLE_MODES: tuple[Mode, ...] = ("sweep", "chain")
class EndpointSpec(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """Where requests go. `base_url` None means the local simulated endpoint."""

    name: str = LOCAL_SIM
    api: ApiStyle = "openai"
    base_url: str | None = None
    model: str = "sim-chat"
    # Extra non-secret headers (e.g. OpenRouter's HTTP-Referer). Never the key.
    headers: dict[str, str] = {}


class Step(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """One prompt of a chain. `{{previous}}`, `{{input}}` and `{{history}}` are filled in
    at run time from the chain (see `chain_variables`)."""

    user: str
    system: str | None = None


class ChainSettings(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    # What `{{input}}` is for each chain; `run.repetitions` chains run per input and level.
    inputs: list[str] = []


class Params(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    temperature: float | None = None
    max_tokens: int = 512
    seed: int | None = None
    top_p: float | None = None
    stream: bool = True


class RunSettings(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    concurrency: list[int] = msgspec.field(default_factory=lambda: [1])
    repetitions: int = 10
    # What the run varies: sweep (concurrency levels), chain (ordered steps), retry, soak.
    mode: Mode = "sweep"
    # closed: exactly C in flight; open: Poisson arrivals at `rate` per second (for a chain
    # the rate is of chain starts, and C caps the chains in flight).
    arrival: Arrival = "closed"
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
    # A list of values makes a matrix: every variant with every combination of the lists.
    variables: dict[str, str | list[str]] = {}
    variants: list[Variant] = []
    # A chain plan (run.mode = "chain"): the ordered prompts and the chains' inputs.
    steps: list[Step] = []
    chain: ChainSettings | None = None
    params: Params = msgspec.field(default_factory=Params)
    run: RunSettings = msgspec.field(default_factory=RunSettings)

    def phrasings(self) -> list[Variant]:
        """The base prompt first, then any named variants, as written in the plan."""
        return [Variant(name="base", user=self.user, system=self.system), *self.variants]

    def all_variants(self) -> list[Variant]:
        """The prompts sent: every phrasing x list-value combination (plan_variants.py)."""
        return expand_variants(self.phrasings(), self.variables)

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
        """Cells in execution order: each concurrency level is one sweep step; in a chain
        plan each step of each level is a cell (steps numbered from 1)."""
        for level in self.levels():
            if self.run.mode == "chain":
                for step in range(1, len(self.steps) + 1):
                    yield CellKey(
                        endpoint=self.endpoint.name,
                        model=self.endpoint.model,
                        level=level,
                        step=step,
                    )
                continue
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
        if self.run.mode == "chain":
            return len(self.run.concurrency) * self.chains_per_level() * len(self.steps)
        if self.run.search != "knee":
            return len(self.run.concurrency) * len(self.all_variants()) * self.run.repetitions
        return sum(self.level_requests(level) for level in self.levels())

    def chain_inputs(self) -> list[str]:
        """What `{{input}}` is, one entry per distinct chain (one empty input by default)."""
        return list(self.chain.inputs) if self.chain and self.chain.inputs else [""]

    def chains_per_level(self) -> int:
        return self.run.repetitions * len(self.chain_inputs())

    def chain_input(self, chain_in_level: int) -> str:
        """The input of the level's chain number `chain_in_level` (inputs take turns)."""
        inputs = self.chain_inputs()
        return inputs[chain_in_level % len(inputs)]

    def step_messages(
        self, step: int, chain_input: str, outputs: list[str]
    ) -> tuple[str | None, str]:
        """System and user text of chain step `step` (from 1), given the outputs so far."""
        spec = self.steps[step - 1]
        values = variant_values(None, self.variables) | chain_variables(chain_input, outputs)
        system = spec.system if spec.system is not None else self.system
        return (
            render_template(system, values) if system is not None else None,
            render_template(spec.user, values),
        )

    def messages(self, variant: Variant) -> tuple[str | None, str]:
        """System and user text of a variant with `{{variables}}` filled in."""
        system = variant.system if variant.system is not None else self.system
        values = variant_values(variant, self.variables)
        return (
            render_template(system, values) if system is not None else None,
            render_template(variant.user, values),
        )


def default_plan() -> Plan:
    """The plan a new window or File > New plan starts from, and what `workbench run` fills
    in: every field at its default (see the module docstring). A new object each call."""
    return Plan()


def _validate_chain(plan: Plan) -> None:
    if plan.run.mode != "chain":
        if plan.steps:
            raise PlanError('only a chain plan ([run] mode = "chain") has steps', where="steps")
        if plan.chain is not None:
            raise PlanError(
                'only a chain plan ([run] mode = "chain") has a [chain] table', where="chain"
            )
        if not plan.user.strip():
            raise PlanError("the prompt is empty", where="user")
        return
    if not plan.steps:
        raise PlanError("a chain plan needs at least one [[steps]] prompt", where="steps")
    if plan.user.strip():
        raise PlanError(
            "a chain plan sends its [[steps]]: move this prompt into the first"
            " step (its {{input}} can come from [chain] inputs)",
            where="user",
        )
    if plan.variants:
        raise PlanError(
            "a chain plan has no variants (its steps are the prompts)", where="variants"
        )
    for name in CHAIN_VARIABLES:
        if name in plan.variables:
            raise PlanError(
                f"{{{{{name}}}}} is filled in by the chain; pick another name",
                where=f"variables.{name}",
            )
    uses_input = False
    for index, step in enumerate(plan.steps):
        if not step.user.strip():
            raise PlanError("the prompt is empty", where=f"steps[{index}].user")
        used = template_variables(step.user + "\n" + (step.system or ""))
        # At step 1, {{previous}} is the input too.
        uses_input |= "input" in used or (index == 0 and "previous" in used)
        try:
            plan.step_messages(index + 1, "", [])
        except PlanError as exc:
            raise PlanError(exc.message, where=f"steps[{index}]") from None
    if plan.chain is not None and any(not text.strip() for text in plan.chain.inputs):
        raise PlanError("an input is empty", where="chain.inputs")
    if uses_input and not plan.chain_inputs()[0]:
        raise PlanError(
            "a step uses {{input}} (or {{previous}} at step 1): list the chains' inputs here",
            where="chain.inputs",
        )


def validate(plan: Plan) -> Plan:
    """Check what msgspec's types cannot; raise PlanError naming the field."""
    if plan.run.mode not in RUNNABLE_MODES:
        raise PlanError(
            f"mode {plan.run.mode!r} is not available in this version"
            f" (use {' or '.join(RUNNABLE_MODES)})",
            where="run.mode",
        )
    _validate_chain(plan)
    if not plan.run.concurrency:
        raise PlanError("at least one level is needed", where="run.concurrency")
    for level in plan.run.concurrency:
        if not 1 <= level <= 4096:
            raise PlanError(f"{level} is out of range 1-4096", where="run.concurrency")
    if not 1 <= plan.run.repetitions <= 1_000_000:
        raise PlanError("must be between 1 and 1000000", where="run.repetitions")
    if plan.run.arrival == "open" and not (plan.run.rate and plan.run.rate > 0):
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
    names = [v.name for v in plan.phrasings()]
    if len(set(names)) != len(names):
        raise PlanError("variant names must be unique", where="variants")
    validate_matrix(plan.phrasings(), plan.variables, plan.system, chain=plan.run.mode == "chain")
    if plan.run.mode != "chain":
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
    if run.search == "knee" and run.mode != "sweep":
        raise PlanError(
            f"a knee search is a sweep of doubling levels; it cannot run a {run.mode} plan",
            where="run.search",
        )
    if run.search == "knee" and run.arrival == "open":
        raise PlanError(
            "a knee search raises the number in flight, so it needs closed-loop mode"
            " (leave out rate)",
            where="run.search",
        )
def plan_from_dict(data: dict[str, Any], source: str = "") -> Plan:
    try:
        data = migrate_plan_data(data)
    except PlanError as exc:
        raise PlanError(str(exc).split(": ", 1)[-1], where=exc.where, source=source) from None
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


__all__ = [  # the plan's text helpers live in plan_text; importers may take them from here
    "CHAIN_VARIABLES", "PlanError", "Variant", "chain_variables", "migrate_plan_data",
    "parse_concurrency", "render_template", "template_variables",
]


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
