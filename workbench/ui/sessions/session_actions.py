"""The File menu's session commands and Run > Re-run: New, Open, Recent sessions, Save As,
Export (HTML report, CSV, JSON), Compare sessions, and drag and drop of a session file.

Every run is journalled by the RunController; "the current session" is that journal file, or
the file last opened. File I/O and analysis run in worker threads; only the report's plots are
drawn on the Qt thread (Qt widgets live there). Errors are shown in non-modal dialogs and
leave the window as it was.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from workbench.core.endpoints import EndpointProfile
from workbench.core.files import write_atomically
from workbench.core.journal import LoadedSession, SessionFileError, load_session
from workbench.core.plan import Plan, default_plan
from workbench.ui.common.errors import show_error
from workbench.ui.sessions.compare_dialog import CompareDialog
from workbench.ui.sessions.exporting import EXPORT_LABELS, EXPORTS, ExportKind, export_bytes
from workbench.ui.sessions.file_dialogs import ask_file
from workbench.ui.sessions.host import SessionHost
from workbench.ui.sessions.opening import read_session_async, show_opened
from workbench.ui.sessions.recent import RecentSessions


def _same_file(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


class SessionActions(QObject):
    """Owns the session commands of one window (built by it, after its menus). The window
    tells it when a run starts and ends (`on_run_started`, `on_run_finished`)."""

    def __init__(self, host: SessionHost) -> None:
        parent = host.parent_widget()
        super().__init__(parent)
        self.host = host
        self.parent_widget = parent
        self.recent = RecentSessions(host.services.settings)
        self.current_path: Path | None = None
        self._session: LoadedSession | None = None  # the current file, once read
        self.compare_dialogs: list[CompareDialog] = []
        self.loading = False
        self._build_menus()

    # --- menus ---------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], object], shortcut: str | None = None,
                name: str = "") -> QAction:
        action = QAction(text, self.parent_widget)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        action.setObjectName(name)
        self.parent_widget.addAction(action)  # shortcuts work with the menu bar hidden
        return action

    def _build_menus(self) -> None:
        file_menu = self.host.menu_named("File")
        first = file_menu.actions()[0] if file_menu.actions() else None
        self.new_action = self._action("&New plan", self.new_plan, "Ctrl+N", "newAction")
        self.open_action = self._action("&Open session…", self.ask_open, "Ctrl+O", "openAction")
        self.recent_menu = QMenu("Open &recent", self.parent_widget)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.save_as_action = self._action(
            "Save session &as…", self.ask_save_as, "Ctrl+Shift+S", "saveAsAction"
        )
        self.export_menu = QMenu("E&xport session", self.parent_widget)
        self.export_actions = {
            kind: self._action(text, partial(self.ask_export, kind), name=f"export_{kind}")
            for kind, (text, _, _) in EXPORTS.items()
        }
        for action in self.export_actions.values():
            self.export_menu.addAction(action)
        self.compare_action = self._action(
            "Co&mpare sessions…", self.open_compare, name="compareAction"
        )
        for item in (self.new_action, self.open_action, self.recent_menu, None,
                     self.save_as_action, self.export_menu, self.compare_action, None):
            if item is None:
                file_menu.insertSeparator(first) if first else file_menu.addSeparator()
            elif isinstance(item, QMenu):
                file_menu.insertMenu(first, item) if first else file_menu.addMenu(item)
            else:
                file_menu.insertAction(first, item) if first else file_menu.addAction(item)
        run_menu = self.host.menu_named("Run")
        run_menu.addSeparator()
        self.rerun_action = self._action(
            "Re-run this &session's plan", self.rerun, "Ctrl+Shift+R", "rerunAction"
        )
        run_menu.addAction(self.rerun_action)
        self._fill_recent()

    def _fill_recent(self) -> None:
        missing = self.recent.prune()
        if missing:
            names = ", ".join(p.name for p in missing)
            self._status(f"Removed from the recent sessions (file no longer there): {names}")
        self.recent_menu.clear()
        paths = self.recent.paths()
        for index, path in enumerate(paths, start=1):
            action = self.recent_menu.addAction(f"&{index % 10}  {path.name}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open(p))
        if not paths:
            self.recent_menu.addAction("No recent sessions").setEnabled(False)

    # --- helpers -------------------------------------------------------------------------

    def _status(self, text: str) -> None:
        self.host.show_status(text)

    def _job(self, slot: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coro` in the window's task slot `slot`: a newer job of the same kind replaces
        one still going, failures are shown, and the program's exit waits for it."""
        return self.host.services.tasks.slot(slot).bind(coro)

    def _folder(self) -> str:
        if self.current_path is not None:
            return str(self.current_path.parent)
        recent = self.recent.paths()
        return str(recent[0].parent) if recent else ""

    def _refuse_while_running(self, what: str) -> bool:
        if self.host.busy:
            self._status(f"A run is going: cancel it (Esc) or let it finish before {what}")
            return True
        return False

    async def current_session(self) -> LoadedSession | None:
        """The current session as saved (read in a thread the first time)."""
        path = self.current_path
        if path is None:
            return None
        if self._session is None or self._session.path != path:
            self._session = await asyncio.to_thread(load_session, path)
        return self._session

    def _set_current(self, path: Path | None) -> None:
        self.current_path = path
        self.host.show_file(path)

    def on_run_started(self, session_id: str) -> None:
        """A run started: its journal is now the current session."""
        self._session = None
        self._set_current(self.host.services.session_path(session_id))

    def on_run_finished(self, _result: object = None) -> None:
        # A finished run's journal is a session like any other: offer it under Recent.
        path = self.current_path
        if path is not None and path.is_file():
            self.recent.add(path)
            self._fill_recent()

    # --- New -----------------------------------------------------------------------------

    def new_plan(self) -> bool:
        """Clear the window to a fresh plan (refused while a run is going)."""
        if self._refuse_while_running("starting a new plan"):
            return False
        host = self.host
        fresh = default_plan()  # the one default, shared with the CLI and a new window
        fresh.endpoint = host.current_endpoint()  # keep the chosen endpoint and model
        host.clear()
        host.set_plan(fresh)
        self._session = None
        self._set_current(None)
        return True

    # --- Open ----------------------------------------------------------------------------

    def ask_open(self) -> QFileDialog:
        return ask_file(self.parent_widget, "Open a session",
                        ["Sessions (*.jsonl)", "All files (*)"], save=False,
                        name=self._folder(), done=self.open)

    def open(self, path: Path) -> asyncio.Task[bool]:
        return self._job("open session", self.open_path(path))

    async def open_path(self, path: Path) -> bool:
        """Open a session file in the window (File > Open, Recent, drop, `workbench FILE`).
        On any error the window is left as it was and the reason is shown."""
        if self.loading:
            self._status("Still opening the previous file…")
            return False
        if self._refuse_while_running("opening a session"):
            return False
        self.loading = True
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.host.show_activity(f"Opening {path.name}…")
        try:
            opened = await read_session_async(path)
        except SessionFileError as exc:
            self.host.show_activity(None)
            show_error("Open session", str(exc), parent=self.parent_widget)
            self._status(f"Not opened: {path.name} (see the message)")
            return False
        finally:
            self.loading = False
            QGuiApplication.restoreOverrideCursor()
        notes = show_opened(self.host, opened)
        self._session = opened.session
        self._set_current(path)
        self.recent.add(path)
        self._fill_recent()
        attempts = len(opened.session.samples)
        self._status(" · ".join(notes) if notes else f"Opened {path} ({attempts:,} attempts)")
        return True

    # --- drag and drop -------------------------------------------------------------------

    @staticmethod
    def _one_local_file(event: QDropEvent) -> Path | None:  # a drag-enter event is one too
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()
            return Path(urls[0].toLocalFile())
        event.ignore()
        return None

    def drag_enter(self, event: QDragEnterEvent) -> None:
        self._one_local_file(event)

    def drop(self, event: QDropEvent) -> None:
        if (path := self._one_local_file(event)) is not None:
            self.open(path)

    # --- Save As -------------------------------------------------------------------------

    def _can_write_current(self, what: str) -> bool:
        if self.current_path is None:
            self._status(f"Nothing to {what} yet: run a plan or open a session first")
            return False
        return not self._refuse_while_running(what)

    def ask_save_as(self) -> QFileDialog | None:
        if not self._can_write_current("save"):
            return None
        assert self.current_path is not None
        return ask_file(self.parent_widget, "Save the session as", ["Sessions (*.jsonl)"],
                        save=True, name=str(Path(self._folder()) / self.current_path.name),
                        done=self.save_as, suffix=".jsonl")

    def save_as(self, target: Path) -> asyncio.Task[bool]:
        return self._job("save session", self.save_as_path(target))

    async def save_as_path(self, target: Path) -> bool:
        """Copy the current session file to `target` (atomically, in a thread); the window
        then shows that file."""
        if not self._can_write_current("save"):
            return False
        source = self.current_path
        assert source is not None
        if _same_file(target, source):
            self._status(f"Already saved as {target}")
            return True
        self._status(f"Saving {target.name}…")

        def copy() -> int:
            data = source.read_bytes()
            write_atomically(target, data)
            return len(data)

        try:
            size = await asyncio.to_thread(copy)
        except OSError as exc:
            show_error("Save session", f"{target}: cannot save ({exc.strerror or exc})",
                       parent=self.parent_widget)
            self._status(f"Not saved: {target.name}")
            return False
        session, self._session = self._session, None
        self._set_current(target)
        if session is not None:
            session.path = target
            self._session = session
        self.recent.add(target)
        self._fill_recent()
        self._status(f"Saved {target} ({size:,} bytes)")
        return True

    # --- Export --------------------------------------------------------------------------

    def ask_export(self, kind: ExportKind) -> QFileDialog | None:
        if not self._can_write_current("export"):
            return None
        assert self.current_path is not None
        _, name_filter, suffix = EXPORTS[kind]
        name = Path(self._folder()) / (self.current_path.stem + suffix)
        return ask_file(self.parent_widget, "Export the session", [name_filter], save=True,
                        name=str(name), done=lambda path: self.export(kind, path),
                        suffix=suffix)

    def export(self, kind: ExportKind, target: Path) -> asyncio.Task[bool]:
        return self._job(f"export {kind}", self.export_to(kind, target))

    async def export_to(self, kind: ExportKind, target: Path) -> bool:
        """Write the current session as `kind` to `target`. Shows progress and the path."""
        if not self._can_write_current("export"):
            return False
        if self.current_path is not None and _same_file(target, self.current_path):
            show_error("Export", f"{target}: that is the session file itself; choose another "
                       "name", parent=self.parent_widget)
            return False
        label = EXPORT_LABELS[kind]
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        try:
            self._status(f"Exporting the {label}: reading the session…")
            try:
                session = await self.current_session()
            except SessionFileError as exc:
                show_error("Export", str(exc), parent=self.parent_widget)
                return False
            assert session is not None
            data = await export_bytes(kind, session, self._status, self.host.similarity())
            try:
                await asyncio.to_thread(write_atomically, target, data)
            except OSError as exc:
                show_error("Export", f"{target}: cannot write ({exc.strerror or exc})",
                           parent=self.parent_widget)
                self._status(f"Not exported: {target.name}")
                return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._status(f"Exported the {label} to {target} ({len(data):,} bytes)")
        return True

    # --- Compare and Re-run --------------------------------------------------------------

    def open_compare(self) -> CompareDialog:
        dialog = CompareDialog(self.host.services.tasks, self.current_path, self.parent_widget,
                               similarity=self.host.similarity())
        dialog.finished.connect(lambda _=0: self.compare_dialogs.remove(dialog))
        self.compare_dialogs.append(dialog)
        dialog.show()
        return dialog

    def rerun(self) -> asyncio.Task[bool] | None:
        if self.current_path is None:
            self._status("Nothing to re-run yet: run a plan or open a session first")
            return None
        if self._refuse_while_running("re-running"):
            return None
        return self._job("rerun", self.rerun_current())

    async def rerun_current(self) -> bool:
        """Run the current session's plan again, exactly as saved, into a new session."""
        try:
            session = await self.current_session()
        except SessionFileError as exc:
            show_error("Re-run", str(exc), parent=self.parent_widget)
            return False
        if session is None or self.host.busy:
            return False
        plan = session.header.plan
        profile = await self._profile_for(plan)
        if profile is None:
            show_error(
                "Re-run",
                f"The session ran on the endpoint profile {plan.endpoint.name!r}, which is not "
                "set up here. Add it with `workbench endpoints`, then re-run.",
                parent=self.parent_widget,
            )
            return False
        self.host.set_plan(plan)
        self.host.run_plan(plan, profile)
        self._status(f"Re-running the plan of {session.path.name} into a new session")
        return True

    async def _profile_for(self, plan: Plan) -> EndpointProfile | None:
        try:
            profiles = await asyncio.to_thread(self.host.services.profiles.profiles)
        except Exception:  # a damaged endpoints file: the built-in presets still work
            from workbench.core.endpoints import PRESETS

            profiles = list(PRESETS)
        return next((p for p in profiles if p.name == plan.endpoint.name), None)

