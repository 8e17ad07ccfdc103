"""The File > Recent sessions list: the last ten session files, kept in QSettings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

RECENT_KEY = "sessions/recent"
RECENT_LIMIT = 10


class RecentSessions:
    """Most recent first; paths stored absolute, without duplicates."""

    def __init__(self, settings: QSettings, limit: int = RECENT_LIMIT) -> None:
        self._settings = settings
        self._limit = limit

    def paths(self) -> list[Path]:
        raw = self._settings.value(RECENT_KEY, [])
        if isinstance(raw, str):  # QSettings returns a lone string for a one-item list
            raw = [raw]
        if not isinstance(raw, list):
            return []
        return [Path(str(p)) for p in raw if str(p)][: self._limit]

    def add(self, path: Path) -> list[Path]:
        path = path.absolute()
        paths = [path, *(p for p in self.paths() if p != path)][: self._limit]
        self._store(paths)
        return paths

    def remove(self, path: Path) -> None:
        self._store([p for p in self.paths() if p != path.absolute()])

    def prune(self) -> list[Path]:
        """Drop files that no longer exist; returns the ones dropped."""
        paths = self.paths()
        missing = [p for p in paths if not p.is_file()]
        if missing:
            self._store([p for p in paths if p not in missing])
        return missing

    def _store(self, paths: list[Path]) -> None:
        self._settings.setValue(RECENT_KEY, [str(p) for p in paths])
        self._settings.sync()
