"""What an installed (non-editable) copy ships."""

from __future__ import annotations

import tomllib
from pathlib import Path

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
