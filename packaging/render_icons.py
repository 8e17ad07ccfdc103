"""Render the application icon's PNG sizes from its SVG source (resources/icons/workbench.svg)
into resources/icons/hicolor/NxN/apps/, where desktops and the installer take them, and the
Windows and macOS icon files (workbench.ico, workbench.icns) the frozen builds embed. Run after changing the SVG: `python packaging/render_icons.py`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons" / "workbench.svg"
TARGET = ROOT / "resources" / "icons" / "hicolor"
NAME = "prompt-stress-workbench.png"


def render(size: int) -> QImage:
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    for size in SIZES:
        folder = TARGET / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(folder / NAME)):
            raise SystemExit(f"could not write {folder / NAME}")
        print(f"{folder / NAME}")
    for name, size in (("workbench.ico", 256), ("workbench.icns", 512)):
        if not render(size).save(str(SOURCE.parent / name)):
            raise SystemExit(f"could not write {SOURCE.parent / name}")
        print(SOURCE.parent / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
