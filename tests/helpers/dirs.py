"""Isolated user folders: no test reads or writes the real user's files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

_XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test gets its own config, data, cache and state folders (platformdirs honours
    the XDG variables), so no test reads or writes the real user's files, and leak scans
    can search everything the program wrote."""
    root = tmp_path_factory.mktemp("userdirs")
    saved = {k: os.environ.get(k) for k in _XDG}
    for key in _XDG:
        path = root / key.lower()
        path.mkdir()
        os.environ[key] = str(path)
    yield root
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
