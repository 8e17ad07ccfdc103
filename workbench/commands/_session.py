"""Opening a session file from a command: the loader's warnings go to stderr."""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.core.journal import LoadedSession, load_session


def open_session(path: Path) -> LoadedSession:
    """`load_session`, saying what it noticed (a skipped truncated line, a migration).
    Raises SessionFileError."""
    session = load_session(path)
    for warning in session.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return session
