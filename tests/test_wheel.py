"""The release artefacts (issue 14): the wheel and sdist build with `python -m build`, the
wheel installs into a fresh virtual environment, and `workbench --self-check` passes there:
resources, templates and the simulator's corpus are found from an installed copy, not from
this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What an installed copy cannot work without (the self-check reaches each of them too).
SHIPPED = (
    "workbench/resources/styles/workbench.qss",
    "workbench/resources/icons/workbench.svg",
    "workbench/resources/icons/hicolor/512x512/apps/prompt-stress-workbench.png",
    "workbench/resources/report/report.html.j2",
    "workbench/resources/report/report.css",
    "workbench/sim/data/corpus.md",
)


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


def test_the_wheel_and_sdist_hold_every_resource(artefacts: tuple[Path, Path]) -> None:
    wheel, sdist = artefacts
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [path for path in SHIPPED if path not in names] == []
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "resources/styles/workbench.qss"} <= members


def test_the_installed_wheel_passes_its_self_check(
    artefacts: tuple[Path, Path], tmp_path: Path
) -> None:
    wheel, _ = artefacts
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    # Run from elsewhere, with no path into this checkout: only the installed copy is seen.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    workbench = str(venv / "bin" / "workbench")
    version = subprocess.run(
        [workbench, "--version"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert version.stdout.startswith("workbench "), version.stderr
    check = subprocess.run(
        [workbench, "--self-check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert str(venv) in check.stdout  # it ran the installed interpreter
    assert check.stdout.splitlines()[-1].startswith("self-check passed")
