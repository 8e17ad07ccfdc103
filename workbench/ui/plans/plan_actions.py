"""File > Open plan, Save plan and Sample plans: the window reads and writes the same plan
files as `workbench run PLAN.toml`.

Files are read and written in a worker thread (never on the Qt thread); a bad file is
refused with the message `load_plan` gives (file, field, what is wrong) and the window is
left as it was. A plan the panel cannot build yet (an empty prompt, a bad level) is not
saved: the panel's own message says why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from workbench.core.files import write_atomically
from workbench.core.plan import Plan, PlanError, load_plan
from workbench.core.plan_toml import plan_to_toml
from workbench.core.samples import sample_names, sample_plan
from workbench.ui.common.errors import show_error
from workbench.ui.runtime.tasks import TaskManager
from workbench.ui.sessions.file_dialogs import ask_file

PLAN_FILTERS = ["Plans (*.toml)", "All files (*)"]


def panel_cannot_show(plan: Plan) -> tuple[str, str] | None:
    """(field, what) of a plan the panel would change by showing it, or None. The panel edits
    one prompt swept over levels; it has no fields yet for chain steps, extra phrasings or
    lists of values, and showing such a plan there would drop them without a word."""
    if plan.run.mode != "sweep":
        return "run.mode", f"a {plan.run.mode} plan"
    if plan.variants:
        return "variants", f"{len(plan.variants)} extra phrasing(s)"
    lists = [name for name, value in plan.variables.items() if isinstance(value, list)]
    if lists:
        return f"variables.{lists[0]}", "a list of values (a phrasing matrix)"
    return None


class PlanHost(Protocol):
    """What the plan commands need from the window."""

    @property
    def busy(self) -> bool: ...

    def parent_widget(self) -> QWidget: ...

    def show_status(self, text: str) -> None: ...

    def current_plan(self) -> Plan | None:
        """The plan as the panel shows it, or None (its problems are shown) if invalid."""
        ...

    def show_plan(self, plan: Plan, source: Path | str) -> None:
        """Put `plan` in the panel (not run)."""
        ...


class PlanActions(QObject):
    def __init__(
        self, host: PlanHost, tasks: TaskManager, file_menu: QMenu, before: QAction | None
    ) -> None:
        super().__init__(host.parent_widget())
        self.host = host
        self.tasks = tasks
        self.plan_path: Path | None = None  # the last plan file opened or saved
        widget = host.parent_widget()
        self.open_action = self._action(
            widget, "Open &plan…", self.ask_open, "Ctrl+Shift+O", "openPlanAction"
        )
        self.save_action = self._action(
            widget, "Save p&lan…", self.ask_save, "Ctrl+S", "savePlanAction"
        )
        self.samples_menu = QMenu("Sample p&lans", widget)
        self.samples_menu.setObjectName("samplesMenu")
        for name in self._panel_samples():
            self.samples_menu.addAction(
                self._action(widget, name, partial(self.open_sample, name), name=f"sample_{name}")
            )
        for action in (self.open_action, self.save_action, self.samples_menu.menuAction()):
            file_menu.insertAction(before, action) if before else file_menu.addAction(action)

    @staticmethod
    def _action(
        widget: QWidget,
        text: str,
        slot: Callable[[], object],
        shortcut: str | None = None,
        name: str = "",
    ) -> QAction:
        action = QAction(text, widget)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        action.setObjectName(name)
        widget.addAction(action)  # shortcuts work with the menu bar hidden
        return action

    @staticmethod
    def _panel_samples() -> list[str]:
        """The sample plans the panel can show as they are (the others run from the CLI)."""
        return [name for name in sample_names() if panel_cannot_show(sample_plan(name)) is None]

    def _refused(self, plan: Plan, source: str) -> bool:
        """Say why a plan cannot go into the panel, and how to run it as written."""
        limit = panel_cannot_show(plan)
        if limit is None:
            return False
        field, what = limit
        show_error(
            "Open plan",
            f"{source}: {field}: the panel cannot show {what} yet, and would drop it. Run the "
            f"plan as written with `workbench run {source}` or `workbench gui --plan {source} "
            "--run`.",
            parent=self.host.parent_widget(),
        )
        return True

    def _job(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        return self.tasks.slot("plan file").bind(coro)

    def _folder(self) -> str:
        return str(self.plan_path.parent) if self.plan_path else ""

    # --- open ------------------------------------------------------------------------------

    def ask_open(self) -> QFileDialog:
        return ask_file(
            self.host.parent_widget(),
            "Open a plan",
            PLAN_FILTERS,
            save=False,
            name=self._folder(),
            done=self.open,
        )

    def open(self, path: Path) -> asyncio.Task[bool]:
        return self._job(self.open_path(path))

    async def open_path(self, path: Path) -> bool:
        opened = await self._open(partial(load_plan, path), str(path), "Open plan")
        if opened:
            self.plan_path = path
            self.host.show_status(f"Opened the plan {path.name}")
        return opened

    def open_sample(self, name: str) -> asyncio.Task[bool]:
        return self._job(self.open_sample_plan(name))

    async def open_sample_plan(self, name: str) -> bool:
        opened = await self._open(partial(sample_plan, name), f"{name}.toml", "Sample plan")
        if opened:
            self.host.show_status(f"Opened the sample plan {name!r}: press Ctrl+Enter to run it")
        return opened

    async def _open(self, read: Callable[[], Plan], source: str, title: str) -> bool:
        """Read a plan in a worker thread and show it, or say why not (the panel unchanged)."""
        if self.host.busy:
            self.host.show_status("Stop the run before opening a plan")
            return False
        try:
            plan = await asyncio.to_thread(read)
        except PlanError as exc:
            show_error(title, str(exc), parent=self.host.parent_widget())
            return False
        if self._refused(plan, source):
            return False
        self.host.show_plan(plan, source)
        return True

    # --- save ------------------------------------------------------------------------------

    def ask_save(self) -> QFileDialog | None:
        plan = self.host.current_plan()
        if plan is None:
            self.host.show_status("The plan has problems (marked in the panel): not saved")
            return None
        name = self.plan_path.name if self.plan_path else f"{_file_stem(plan.name)}.toml"
        return ask_file(
            self.host.parent_widget(),
            "Save the plan",
            PLAN_FILTERS,
            save=True,
            name=str(Path(self._folder()) / name),
            suffix=".toml",
            done=partial(self.save, plan),
        )

    def save(self, plan: Plan, path: Path) -> asyncio.Task[bool]:
        return self._job(self.save_path(plan, path))

    async def save_path(self, plan: Plan, path: Path) -> bool:
        text = plan_to_toml(plan)
        try:
            await asyncio.to_thread(write_atomically, path, text.encode("utf-8"))
        except OSError as exc:
            show_error(
                "Save plan",
                f"{path}: cannot write ({exc.strerror or exc})",
                parent=self.host.parent_widget(),
            )
            return False
        self.plan_path = path
        self.host.show_status(f"Saved the plan as {path}")
        return True


def _file_stem(name: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower()).strip("-")
    return "-".join(part for part in stem.split("-") if part)[:40] or "plan"
