"""The main window's menu bar: File, Edit, View, Run and Help, and the actions behind them.

Every action is also added to the window itself, so its shortcut works with the menu bar
hidden. The window passes in what each action does; feature packages add their own items
to these menus afterwards (sessions and plans to File, similarity to Edit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from workbench import __version__

APP_TITLE = "Prompt Stress Workbench"
TABS = ("&Responses", "&Plots", "&Summary")

Shortcut = str | QKeySequence | QKeySequence.StandardKey | list[QKeySequence] | None


@dataclass(frozen=True)
class MenuCommands:
    """What the window's own menu items do."""

    export_hint: Callable[[], object]
    copy_baseline: Callable[[], object]
    endpoints: Callable[[], object]
    switch_tab: Callable[[int], object]
    toggle_panel: Callable[[], object]
    present: Callable[[], object]
    run: Callable[[], object]
    sequential_vs_parallel: Callable[[], object]
    cancel: Callable[[], object]


class WindowMenus:
    def __init__(self, window: QMainWindow, commands: MenuCommands) -> None:
        self.window = window
        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self._action("E&xport current plot…", commands.export_hint))
        file_menu.addSeparator()
        self.quit_action = self._action(
            "&Quit", window.close, QKeySequence.StandardKey.Quit, "quitAction"
        )
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(
            self._action("Copy &baseline response", commands.copy_baseline, "Ctrl+Shift+C")
        )
        edit_menu.addAction(
            self._action(
                "&Endpoints and Keys…", commands.endpoints, "Ctrl+Shift+E", "endpointsAction"
            )
        )
        view_menu = bar.addMenu("&View")
        for index, name in enumerate(TABS):
            view_menu.addAction(
                self._action(name, _bind(commands.switch_tab, index), f"Ctrl+{index + 1}")
            )
        view_menu.addSeparator()
        view_menu.addAction(
            self._action("Show/hide the &parameters panel", commands.toggle_panel, "Ctrl+L")
        )
        self.present_action = self._action(
            "&Present (full screen)", commands.present, "F11", "presentAction"
        )
        view_menu.addAction(self.present_action)
        run_menu = bar.addMenu("&Run")
        self.run_action = self._action(
            "&Run", commands.run, [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")],
            "runAction",
        )
        self.seq_vs_par_action = self._action(
            "Sequential against &parallel", commands.sequential_vs_parallel,
            "Ctrl+Shift+Return", "seqVsParAction",
        )
        self.cancel_action = self._action("&Cancel", commands.cancel, "Esc", "cancelAction")
        self.cancel_action.setEnabled(False)
        run_menu.addAction(self.run_action)
        run_menu.addAction(self.seq_vs_par_action)
        run_menu.addAction(self.cancel_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About Prompt Stress Workbench", self.show_about))

    def _action(
        self, text: str, slot: Callable[[], object], shortcut: Shortcut = None, name: str = ""
    ) -> QAction:
        action = QAction(text, self.window)
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _=False: slot())
        if name:
            action.setObjectName(name)
        self.window.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def show_about(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "About Prompt Stress Workbench",
            f"<b>{APP_TITLE}</b> {__version__}<br><br>Fire the same prompt many times, at "
            "chosen concurrency, and see how much the answers and their timings vary.",
            parent=self.window,
        )
        box.setObjectName("aboutDialog")
        box.setModal(False)
        box.show()  # never exec(): see workbench.ui.common.errors
        return box


def _bind(command: Callable[[int], object], index: int) -> Callable[[], object]:
    return lambda: command(index)
