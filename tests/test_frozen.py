"""The frozen one-folder build (issue 14): `packaging/check-frozen.sh` freezes the installed
wheel with PyInstaller and runs the result's `--version` and `--self-check` with no Python
on the path. About two minutes of the CI run (packaging/README.md)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from workbench import __version__

ROOT = Path(__file__).resolve().parent.parent


def test_the_frozen_build_starts_and_passes_its_self_check() -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "packaging" / "check-frozen.sh")],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    lines = done.stdout.splitlines()
    assert f"workbench {__version__}" in lines  # the frozen program's --version
    assert any(line.startswith("self-check passed") for line in lines), done.stdout
    assert (ROOT / "dist" / "workbench" / "workbench").is_file()
