"""Writing a plan as TOML (File > Save Plan), the format `load_plan` reads.

The standard library reads TOML but does not write it. A plan's data is small and regular
(tables of scalars, lists of scalars, string-to-string tables, arrays of tables), so this
writer covers exactly that and refuses anything else, rather than guess. Prompts are written
as multi-line literal strings where their text allows, so a saved plan reads like the prompt.
"""

from __future__ import annotations

import math
import re
from typing import Any

from workbench.core.plan import Plan, plan_to_dict

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# Control characters a literal string cannot hold (tab and newline it can).
_LITERAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plan_to_toml(plan: Plan) -> str:
    """The plan as TOML text; `load_plan` of it gives the same plan back."""
    return dict_to_toml(plan_to_dict(plan))


def dict_to_toml(data: dict[str, Any]) -> str:
    lines: list[str] = []
    _table(lines, [], data)
    return "\n".join(lines).lstrip("\n") + "\n"


def _table(lines: list[str], path: list[str], data: dict[str, Any]) -> None:
    scalars = {k: v for k, v in data.items() if not _is_table(v) and not _is_table_array(v)}
    for key, value in scalars.items():
        if value is not None:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in data.items():
        if _is_table(value):
            lines.extend(["", f"[{'.'.join(_key(p) for p in [*path, key])}]"])
            _table(lines, [*path, key], value)
        elif _is_table_array(value):
            for item in value:
                lines.extend(["", f"[[{'.'.join(_key(p) for p in [*path, key])}]]"])
                _table(lines, [*path, key], item)


def _is_table(value: Any) -> bool:
    # Flat string tables (headers, variables) stay tables; so do the plan's sections.
    return isinstance(value, dict)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _basic(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be written to a plan file")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"a plan cannot hold {type(value).__name__} values")


def _string(text: str) -> str:
    if (
        "\n" in text
        and "'''" not in text
        and not text.endswith("'")
        and not (_LITERAL_UNSAFE.search(text) or "\r" in text)
    ):
        # The newline right after the opening quotes is not part of the string.
        return "'''\n" + text + "'''"
    return _basic(text)


def _basic(text: str) -> str:
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
