"""What an installed (non-editable) copy ships."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_in_the_tree_is_listed_for_the_wheel() -> None:
    # pyproject lists packages by hand (resources/ is mapped into the package); a package
    # added to the tree but not to the list would be missing from every install.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    in_tree = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "workbench").rglob("__init__.py")
    }
    assert set(config["packages"]) == in_tree | {"workbench.resources"}
    assert config["package-dir"]["workbench.resources"] == "resources"
    for pattern in config["package-data"]["workbench.resources"]:
        assert list((ROOT / "resources").glob(pattern)), pattern


PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons" / "hicolor"


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_the_icon_ships_at_every_size_from_16_to_512() -> None:
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = ICONS / f"{size}x{size}" / "apps" / "prompt-stress-workbench.png"
        assert _png_size(png) == (size, size)


def _validator(name: str) -> str:
    # Installed by packaging/install-system-deps.sh, which tests/run.sh runs first.
    path = shutil.which(name)
    assert path is not None, f"{name} is missing: run packaging/install-system-deps.sh"
    return path


def test_the_desktop_entry_passes_desktop_file_validate() -> None:
    tool = _validator("desktop-file-validate")
    done = subprocess.run(
        [tool, str(PACKAGING / "prompt-stress-workbench.desktop")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_the_metainfo_passes_appstream_validation_with_screenshots_and_releases() -> None:
    tool = _validator("appstreamcli")
    metainfo = PACKAGING / "io.github.prompt_stress_workbench.metainfo.xml"
    done = subprocess.run(
        [tool, "validate", "--no-net", "--pedantic", str(metainfo)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    root = ElementTree.parse(metainfo).getroot()
    images = [i.text or "" for i in root.iter("image")]
    assert images, "AppStream stores show screenshots: the metainfo must list some"
    for url in images:  # each names a screenshot kept in docs/
        assert (ROOT / "docs" / url.rsplit("/", 1)[-1]).is_file(), url
    assert root.find("releases/release") is not None


def test_the_desktop_installer_makes_a_session_file_open_in_the_program(
    isolated_user_dirs: Path, tmp_path: Path
) -> None:
    program = tmp_path / "bin" / "workbench"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    done = subprocess.run(
        ["bash", str(PACKAGING / "install-desktop-entry.sh"), str(program)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = Path(os.environ["XDG_DATA_HOME"])
    entry = (data / "applications" / "prompt-stress-workbench.desktop").read_text()
    assert f"Exec={program} %f" in entry.splitlines()
    for size in (16, 48, 256, 512):
        assert (
            data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "prompt-stress-workbench.png"
        ).is_file()
    # What a file manager asks: the file's type, and the program that opens that type.
    session = tmp_path / "run.jsonl"
    session.write_text('{"type":"header","format":"prompt-stress-workbench-session","version":1}\n')
    gio = _validator("gio")
    info = subprocess.run(
        [gio, "info", "-a", "standard::content-type", str(session)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "application/x-prompt-stress-session" in info.stdout, info.stdout + info.stderr
    default = subprocess.run(
        [gio, "mime", "application/x-prompt-stress-session"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Default application" in default.stdout
    assert "prompt-stress-workbench.desktop" in default.stdout.splitlines()[0]
