"""The session as one JSON document (format documented in docs/session-format.md).

Unlike the journal, which omits default values to stay small, the export spells out every
field of every record, so a consumer never has to know the defaults.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from workbench.core.journal import LoadedSession

EXPORT_FORMAT: Final = "prompt-stress-workbench-export"
EXPORT_VERSION: Final = 1


def _complete(value: Any) -> Any:
    if isinstance(value, msgspec.Struct):
        return {
            f.encode_name: _complete(getattr(value, f.name)) for f in msgspec.structs.fields(value)
        }
    if isinstance(value, list | tuple):
        return [_complete(v) for v in value]
    if isinstance(value, dict):
        return {k: _complete(v) for k, v in value.items()}
    return value


def session_document(session: LoadedSession) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "session": _complete(session.header),
        "samples": [_complete(s) for s in session.samples],
        "end": None if session.end is None else _complete(session.end),
        "warnings": list(session.warnings),
    }


def session_json(session: LoadedSession) -> bytes:
    return msgspec.json.format(msgspec.json.encode(session_document(session)), indent=1)
