"""Light and dark styling: Fusion plus resources/styles/workbench.qss with the palette's
colours filled in. The dark variant follows the system palette's window colour."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

LIGHT = {
    "window": "#f6f7f9", "panel": "#eef0f3", "base": "#ffffff", "text": "#1f2329",
    "muted": "#667085", "border": "#d5d9e0", "accent": "#2f6fd0", "accent_hover": "#2559a8",
    "disabled": "#a9b4c6", "chip": "#eceff3", "error": "#d0313d", "error_bg": "#fde8ea",
    "error_text": "#8f1520", "ok_bg": "#e3f4e8", "ok_text": "#1c6b34", "run_bg": "#e5eefc",
    "run_text": "#234f94",
}
DARK = {
    "window": "#1b1e23", "panel": "#22262c", "base": "#262a31", "text": "#e3e6ea",
    "muted": "#98a1ad", "border": "#3a404a", "accent": "#4a8ae8", "accent_hover": "#6aa0ef",
    "disabled": "#3f4855", "chip": "#313742", "error": "#ff6b73", "error_bg": "#4a1f24",
    "error_text": "#ffc9cd", "ok_bg": "#1f3d2a", "ok_text": "#b6eac4", "run_bg": "#1f3150",
    "run_text": "#bcd3fb",
}


def _resource(*parts: str) -> Path | None:
    """A file of the top-level resources/ folder, shipped as the package workbench.resources:
    found the same way from a checkout, a wheel or a frozen build."""
    path = Path(str(resources.files("workbench.resources").joinpath(*parts)))
    return path if path.is_file() else None


def stylesheet_path() -> Path | None:
    return _resource("styles", "workbench.qss")


def icon_path(name: str) -> Path | None:
    return _resource("icons", name)


def icons_dir() -> Path:
    return Path(str(resources.files("workbench.resources").joinpath("icons")))


def is_dark(app: QApplication) -> bool:
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


def apply_theme(app: QApplication) -> None:
    dark = is_dark(app)
    app.setStyle("Fusion")
    if dark:
        app.setPalette(dark_palette())
    path = stylesheet_path()
    if path is None:
        return
    sheet = path.read_text(encoding="utf-8")
    # Longest names first, so @accent_hover@ is not eaten by @accent@.
    for name, value in sorted((DARK if dark else LIGHT).items(), key=lambda kv: -len(kv[0])):
        sheet = sheet.replace(f"@{name}@", value)
    sheet = sheet.replace("@icons@", icons_dir().as_posix())
    app.setStyleSheet(sheet)


def dark_palette() -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    for r, colour in (
        (role.Window, DARK["window"]), (role.WindowText, DARK["text"]),
        (role.Base, DARK["base"]), (role.AlternateBase, DARK["panel"]),
        (role.Text, DARK["text"]), (role.Button, DARK["panel"]),
        (role.ButtonText, DARK["text"]), (role.Highlight, DARK["accent"]),
        (role.HighlightedText, "#ffffff"), (role.ToolTipBase, DARK["panel"]),
        (role.ToolTipText, DARK["text"]), (role.PlaceholderText, DARK["muted"]),
    ):
        palette.setColor(r, QColor(colour))
    return palette
