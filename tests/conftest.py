"""Registers the shared fixtures, which live in tests/helpers/ (one module per family)."""

from __future__ import annotations

import os

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

