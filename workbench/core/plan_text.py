"""The text side of a plan: `{{variable}}` templates, chain variables, level lists, and the
error every plan mistake raises (naming its file and field)."""

from __future__ import annotations

import re

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

# What a chain step's prompt may use besides the plan's own variables.
CHAIN_VARIABLES = ("input", "previous", "history")
HISTORY_SEPARATOR = "\n\n"


class PlanError(ValueError):
    """A plan (file or arguments) is invalid. `where` names the field, `line` the file line."""

    def __init__(self, message: str, *, where: str = "", source: str = "") -> None:
        self.where = where
        self.source = source
        self.message = message
        prefix = f"{source}: " if source else ""
        field = f"{where}: " if where else ""
        super().__init__(f"{prefix}{field}{message}")


def chain_variables(chain_input: str, outputs: list[str]) -> dict[str, str]:
    """`{{input}}`, `{{previous}}` (the input again at step 1) and `{{history}}` (every
    earlier output, blank-line separated; empty at step 1)."""
    return {
        "input": chain_input,
        "previous": outputs[-1] if outputs else chain_input,
        "history": HISTORY_SEPARATOR.join(outputs),
    }


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
