"""Registers the shared fixtures, which live in tests/helpers/ (one module per family)."""

from __future__ import annotations

import os
from typing import Any

# Before any Qt or pyqtgraph import anywhere in the test session.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

pytest_plugins = [
    "tests.helpers.dirs",  # isolated_user_dirs (autouse)
    "tests.helpers.keyrings",  # keyring_isolated (autouse), memory/broken/no keyring, secret_service
    "tests.helpers.leaks",  # log_redaction, files_containing
    "tests.helpers.simulator",  # sim_url, sim_factory
    "tests.helpers.qt",  # qasync_loop, window_factory, main_window
]


def __getattr__(name: str) -> Any:
    """Older tests import the test keyrings from here; new ones use tests.helpers.keyrings.
    Looked up lazily: importing the plugin here first would stop pytest rewriting its asserts."""
    if name in ("MemoryKeyring", "BrokenKeyring"):
        from tests.helpers import keyrings

        return getattr(keyrings, name)
    raise AttributeError(name)
