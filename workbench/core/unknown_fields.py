"""Every input file rejects unknown keys by name: the one message all core loaders give.

The structs read from files are declared with ``forbid_unknown_fields=True``, so msgspec fails
with "Object contains unknown field `repetitons` - at `$.run`". `find_unknown_field` turns that
into the field's path and the nearest valid name, which each loader prefixes with its file:
``plan.toml: run.repetitons: unknown field; did you mean repetitions?``. A misspelt key that
was silently ignored would run something other than what the user wrote.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
import msgspec.inspect as mi

_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<name>[^`]*)`(?: - at `\$(?P<at>.*)`)?$")
_SEGMENT = re.compile(r"\.(?P<field>[^.\[]+)|\[(?P<index>\d+|\.\.\.)\]")


def unknown_field_message(name: str, valid: Iterable[str]) -> str:
    """"unknown field; did you mean X?" with the nearest valid name, else the valid names."""
    choices = sorted(set(valid))
    nearest = difflib.get_close_matches(name, choices, n=1)
    if nearest:
        return f"unknown field; did you mean {nearest[0]}?"
    return "unknown field; expected one of " + ", ".join(choices)


@dataclass(frozen=True, slots=True)
class UnknownField:
    """An unknown key: its dotted path in the file (``run.repetitons``) and the message."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def find_unknown_field(
    exc: msgspec.ValidationError, root: Any, data: object = None
) -> UnknownField | None:
    """The unknown field `exc` reports, or None if `exc` is about something else.

    `root` is the type that was being decoded; `data` the raw document (dicts and lists),
    when at hand, names the key of a dict entry (msgspec only says ``[...]``) and picks the
    member of a tagged union."""
    match = _UNKNOWN.match(str(exc))
    if match is None:
        return None
    name = match["name"]
    kind: mi.Type = mi.type_info(root)
    path: list[str] = []
    for segment in _SEGMENT.finditer(match["at"] or ""):
        if segment["field"] is not None:
            fields = struct.fields if (struct := _struct(kind, data)) is not None else ()
            field = next((f for f in fields if f.encode_name == segment["field"]), None)
            if field is None:
                break  # msgspec's path and our types disagree: say what we know
            kind = field.type
            data = data.get(field.encode_name) if isinstance(data, dict) else None
            path.append(field.encode_name)
        elif segment["index"] == "...":
            kind = _container(kind, mi.DictType)
            key, data = _entry_with(data, name)
            path.append(key)
        else:
            kind = _container(kind, mi.ListType)
            index = int(segment["index"])
            data = data[index] if isinstance(data, list) and index < len(data) else None
            if path:
                path[-1] += f"[{index}]"
            else:
                path.append(f"[{index}]")
    struct = _struct(kind, data)
    valid = [f.encode_name for f in struct.fields] if struct is not None else []
    return UnknownField(".".join([*path, name]), unknown_field_message(name, valid))


def _members(kind: mi.Type) -> list[mi.Type]:
    if isinstance(kind, mi.Metadata):
        return _members(kind.type)
    if isinstance(kind, mi.UnionType):
        return [m for t in kind.types for m in _members(t)]
    return [kind]


def _struct(kind: mi.Type, data: object) -> mi.StructType | None:
    structs = [m for m in _members(kind) if isinstance(m, mi.StructType)]
    if len(structs) > 1 and isinstance(data, dict):
        for struct in structs:
            if struct.tag_field is not None and data.get(struct.tag_field) == struct.tag:
                return struct
    return structs[0] if structs else None


def _container(kind: mi.Type, container: type[mi.ListType] | type[mi.DictType]) -> mi.Type:
    """The item type of the list (or value type of the dict) that `kind` is or may be."""
    for member in _members(kind):
        if container is mi.DictType and isinstance(member, mi.DictType):
            return member.value_type
        item = getattr(member, "item_type", None)  # lists, sets, variable-length tuples
        if container is mi.ListType and isinstance(item, mi.Type):
            return item
    return mi.AnyType()


def _entry_with(data: object, name: str) -> tuple[str, object]:
    """The key and value of the dict entry holding the unknown field `name`."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict) and name in value:
                return str(key), value
    return "[...]", None
