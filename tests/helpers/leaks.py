"""Keys must not leak: log redaction for one test, and a scan of every file a test wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workbench.core import redact


@pytest.fixture
def log_redaction() -> Iterator[None]:
    """workbench's log redaction installed for one test, removed afterwards."""
    redact.install_log_redaction()
    try:
        yield
    finally:
        redact.uninstall_log_redaction()
        redact.clear_known_secrets()


@pytest.fixture
def files_containing(
    isolated_user_dirs: Path, tmp_path: Path
) -> Callable[[str], list[Path]]:
    """Leak scan: `files_containing(secret)` lists every file under this test's XDG folders
    (config, data, cache, state) and tmp_path whose bytes contain `secret`."""

    def scan(secret: str) -> list[Path]:
        needle = secret.encode()
        return [
            path
            for root in (isolated_user_dirs, tmp_path)
            for path in sorted(root.rglob("*"))
            if path.is_file() and needle in path.read_bytes()
        ]

    return scan
