"""A plan's prompts: the phrasings (the base prompt and its `[[variants]]`) and, when
`[variables]` hold lists, the matrix of every phrasing with every combination of the values.

A matrix cell's variant is named by its phrasing and values, ``polite · topic=TCP``
(`matrix_name`); a plan without lists names its cells by the phrasing alone, as it always did.
The analysis reads the phrasing back with `split_matrix_name`.
"""

from __future__ import annotations

import itertools

import msgspec

from workbench.core.format import count
from workbench.core.plan_text import PlanError, template_variables

MATRIX_SEPARATOR = " · "
"""Between the phrasing and the variable values in a matrix cell's variant name."""
MAX_MATRIX_PROMPTS = 1000
_SHORT_VALUE = 24  # a longer variable value is cut to this in a cell name

Variables = dict[str, str | list[str]]


class Variant(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """One phrasing of the prompt. The base variant is the plan's own prompt."""

    name: str
    user: str
    system: str | None = None


class MatrixVariant(Variant, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """One prompt of the plan's matrix: a phrasing with one value of each list variable.
    `name` is the cell's variant name; `values` fills every `{{variable}}`."""

    phrasing: str
    values: dict[str, str] = {}


def matrix_name(phrasing: str, values: list[tuple[str, str]]) -> str:
    """``formal · topic=TCP · tone=dry``; the phrasing alone without list variables."""
    return MATRIX_SEPARATOR.join([phrasing, *(f"{k}={v}" for k, v in values)])


def split_matrix_name(name: str) -> tuple[str, str]:
    """A cell's variant name as (phrasing, the variable values): ``("formal", "topic=TCP")``;
    ``(name, "")`` for a cell of a plan without list variables."""
    phrasing, _, values = name.partition(MATRIX_SEPARATOR)
    return phrasing, values


def value_labels(values: list[str]) -> list[str]:
    """Readable names of a list variable's values for cell names: the value itself, cut at a
    word when long; numbered (#1, #2, ...) when two would read alike."""
    labels = []
    for value in values:
        flat = " ".join(value.split())
        if len(flat) > _SHORT_VALUE:
            cut = flat[: _SHORT_VALUE - 1]
            flat = (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"
        labels.append(flat)
    if len(set(labels)) < len(labels) or any(not label for label in labels):
        return [f"#{i + 1}" for i in range(len(values))]
    return labels


def value_combinations(variables: Variables) -> list[dict[str, str]]:
    """Every combination of the list variables' values (one empty one when none is a list),
    the first variable varying slowest."""
    lists = {k: v for k, v in variables.items() if isinstance(v, list)}
    return [dict(zip(lists, combo, strict=True)) for combo in itertools.product(*lists.values())]


def expand_variants(phrasings: list[Variant], variables: Variables) -> list[Variant]:
    """Every phrasing x value combination, phrasing-major."""
    scalars = {k: v for k, v in variables.items() if isinstance(v, str)}
    labels = {k: value_labels(v) for k, v in variables.items() if isinstance(v, list)}
    cells: list[Variant] = []
    for phrasing in phrasings:
        for combo in value_combinations(variables):
            named = [(k, labels[k][list(variables[k]).index(v)]) for k, v in combo.items()]
            cells.append(
                MatrixVariant(
                    name=matrix_name(phrasing.name, named),
                    user=phrasing.user,
                    system=phrasing.system,
                    phrasing=phrasing.name,
                    values=scalars | combo,
                )
            )
    return cells


def variant_values(variant: Variant | None, variables: Variables) -> dict[str, str]:
    """What fills a prompt's `{{variables}}`: a matrix prompt's own values; for a phrasing
    as written (or a chain step), each list's first value."""
    if isinstance(variant, MatrixVariant):
        return variant.values
    return {k: v if isinstance(v, str) else v[0] for k, v in variables.items() if v}


def validate_matrix(
    phrasings: list[Variant], variables: Variables, system: str | None, *, chain: bool
) -> None:
    """Lists in `[variables]`: each non-empty, without repeats, used by a prompt; phrasing
    names free of the separator; a matrix of at most MAX_MATRIX_PROMPTS prompts."""
    lists = {k: v for k, v in variables.items() if isinstance(v, list)}
    if not lists:
        return
    if chain:
        first = next(iter(lists))
        raise PlanError("a chain plan takes one value per variable", where=f"variables.{first}")
    used = {
        name
        for v in phrasings
        for text in (v.user, v.system or system or "")
        for name in template_variables(text)
    }
    for name, values in lists.items():
        where = f"variables.{name}"
        if not values:
            raise PlanError("a list must not be empty", where=where)
        repeated = next((v for i, v in enumerate(values) if v in values[:i]), None)
        if repeated is not None:
            raise PlanError(f"the value {repeated!r} is listed twice", where=where)
        if name not in used:
            raise PlanError(f"a list of values, but no prompt uses {{{{{name}}}}}", where=where)
    for index, variant in enumerate(phrasings[1:]):
        if MATRIX_SEPARATOR in variant.name:
            raise PlanError(
                f"{MATRIX_SEPARATOR.strip()!r} separates a phrasing from the variable values "
                "in a matrix cell's name: use another character",
                where=f"variants[{index}].name",
            )
    prompts = len(phrasings) * len(value_combinations(variables))
    if prompts > MAX_MATRIX_PROMPTS:
        raise PlanError(
            f"the matrix has {count(prompts)} prompts (variants x value combinations); "
            f"at most {count(MAX_MATRIX_PROMPTS)}",
            where="variables",
        )
