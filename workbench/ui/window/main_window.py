"""The main window: parameters on the left, Responses / Plots / Summary tabs, the run bar.

Built by workbench/app.py, which hands it its services; the window itself starts no
process and speaks no HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QSplitter, QTabWidget, QWidget

from workbench.core.analysis import CellMetrics, SimilarityMeasure
from workbench.core.endpoints import EndpointProfile
from workbench.core.plan import EndpointSpec, Plan
from workbench.ui.common.errors import show_error
from workbench.ui.endpoints.dialog import EndpointsDialog
from workbench.ui.params.params_panel import ParamsPanel
from workbench.ui.plans.plan_actions import PlanActions
from workbench.ui.plots.plots_view import PlotsView
from workbench.ui.present.presentation import PresentationView
from workbench.ui.responses.responses_view import ResponsesView
from workbench.ui.runtime.bridge import EventBridge, Tick
from workbench.ui.runtime.controller import RunController
from workbench.ui.runtime.services import Services
from workbench.ui.sessions.session_actions import SessionActions
from workbench.ui.summary.semantic_setting import SemanticSimilaritySetting
from workbench.ui.summary.summary_view import SummaryView
from workbench.ui.window.menus import APP_TITLE, MenuCommands, WindowMenus
from workbench.ui.window.status_bar import RunStatusBar
from workbench.viewmodel.live import LiveRun

if TYPE_CHECKING:
    from workbench.core.runner import RunResult

STATUS_MS = 10_000  # how long a session command's status message stays
PARALLEL_DEFAULT = 16  # Sequential against parallel, when the panel's only level is 1


class MainWindow(QMainWindow):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.services = services
        self.bridge = EventBridge(self)
        self.controller = RunController(services, self.bridge, self)
        try:
            profiles = services.profiles.profiles()
        except Exception as exc:  # a damaged endpoints file must not keep the window shut
            from workbench.core.endpoints import PRESETS

            profiles = list(PRESETS)
            show_error("Endpoints", f"Your endpoint profiles could not be read: {exc}")
        self.params = ParamsPanel(profiles)
        self.responses = ResponsesView(services.tasks)
        self.plots = PlotsView(services.tasks)
        self.summary = SummaryView(services.tasks)
        # One throttled analysis feeds the Summary tab and the Plots tab's Variation page.
        self.summary.set_profiles(services.profiles.get)
        self.plots.follow(self.summary.analysis)
        self.responses.follow(self.summary.analysis)  # its answer clusters
        self.responses.toolbar.similarity_tint_toggled.connect(
            self.responses.grid.set_similarity_tint
        )
        self.tabs = QTabWidget()
        self.tabs.setObjectName("centreTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.responses, "Responses")
        self.tabs.addTab(self.plots, "Plots")
        self.tabs.addTab(self.summary, "Summary")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.params)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 1000])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.run_bar = RunStatusBar()
        self.statusBar().addPermanentWidget(self.run_bar, 1)
        self.statusBar().messageChanged.connect(self.run_bar.show_note)
        self.statusBar().setSizeGripEnabled(False)
        self.menus = WindowMenus(  # File, Edit, View, Run, Help; their actions
            self,
            MenuCommands(
                export_hint=self._export_hint,
                copy_baseline=self._copy_baseline,
                endpoints=self.show_endpoints,
                switch_tab=self.tabs.setCurrentIndex,
                toggle_panel=self._toggle_panel,
                present=self.toggle_presentation,
                run=self.start_run,
                sequential_vs_parallel=self.start_sequential_vs_parallel,
                cancel=self.controller.cancel,
            ),
        )
        self.quit_action = self.menus.quit_action
        self.present_action = self.menus.present_action
        self.run_action = self.menus.run_action
        self.cancel_action = self.menus.cancel_action
        self.session_actions = SessionActions(self)  # File menu: sessions, exports
        self.plan_actions = PlanActions(  # File menu: plan files and the sample plans
            self, services.tasks, self.menu_named("File"), self.session_actions.open_action
        )
        # Edit menu: the optional embedding model behind similarity, clusters and Vendi.
        self.semantic = SemanticSimilaritySetting(
            services.settings, services.tasks, self.menu_named("Edit"), self
        )
        self.semantic.changed.connect(self.summary.analysis.set_similarity)
        self.semantic.status.connect(self.show_status)
        self.controller.started.connect(self.session_actions.on_run_started)
        self.controller.finished.connect(self.session_actions.on_run_finished)
        self.setAcceptDrops(True)  # a session file dropped on the window opens it

        self.bridge.tick.connect(self._on_tick)
        self.controller.busy_changed.connect(self._on_busy)
        self.controller.failed.connect(self._on_failed)
        self.controller.finished.connect(self._on_finished)
        self.params.run_requested.connect(self.start_run)
        self.params.cancel_requested.connect(self.controller.cancel)
        self.endpoints_dialog: EndpointsDialog | None = None
        self.presentation: PresentationView | None = None  # built on first View > Present
        # Set by workbench.app: asked on every close request (File > Quit, the title bar,
        # QApplication.quit()); False keeps the window open while the program winds down,
        # and the shutdown closes it when done. Unset (tests), a close just cancels the run.
        self.close_guard: Callable[[], bool] | None = None
        self.params.endpoints_requested.connect(self.show_endpoints)
        self.tabs.currentChanged.connect(self._on_tab)
        services.simulator.status_changed.connect(self.run_bar.show_simulator)
        self.run_bar.show_simulator(services.simulator.status)
        self.restore_state()
        QTimer.singleShot(0, self.semantic.restore)  # loads in a task: the loop runs then

    def show_about(self) -> QMessageBox:
        return self.menus.show_about()

    def _export_hint(self) -> None:
        self.tabs.setCurrentWidget(self.plots)
        self.statusBar().showMessage(
            "Right-click a plot and choose “Export this plot as PNG/SVG”", 6000
        )

    def _copy_baseline(self) -> None:
        if self.responses.baseline_id is not None:
            self.responses.copy_text(self.responses.baseline_id)

    def _toggle_panel(self) -> None:
        self.params.setVisible(not self.params.isVisible())

    def toggle_presentation(self) -> PresentationView:
        """View > Present (F11): the run full screen; again (or Esc) back to this window."""
        view = self.presentation
        if view is None:
            view = self.presentation = PresentationView(self.bridge, self.summary.analysis, self)
            view.add_window_actions(self.run_action, self.present_action)
            view.set_busy(self.controller.busy)
            view.stop_requested.connect(self.controller.cancel)
            view.left.connect(self.activateWindow)
            self.controller.busy_changed.connect(view.set_busy)
        if view.isVisible():
            view.leave()
        else:
            view.present()
        return view

    def show_endpoints(self) -> EndpointsDialog:
        """The Endpoints dialog, non-modal, on the endpoint chosen in the panel."""
        if self.endpoints_dialog is None:
            self.endpoints_dialog = EndpointsDialog(self.services, self)
            self.endpoints_dialog.profiles_changed.connect(self._endpoints_saved)
        self.endpoints_dialog.open_on(self.params.endpoint_combo.currentData())
        return self.endpoints_dialog

    def _endpoints_saved(self) -> None:
        try:
            self.params.reload_profiles(self.services.profiles.profiles())
        except Exception as exc:  # the dialog already says what is wrong with the file
            self.statusBar().showMessage(f"Endpoint profiles not reloaded: {exc}", 8000)

    # --- running -------------------------------------------------------------------------

    def start_run(self) -> None:
        plan = self.params.build_plan()
        if plan is None:
            self.statusBar().showMessage("Fix the marked fields first", 4000)
            return
        self.params.save_state(self.services.settings)
        self.controller.start(plan, self.params.profile(), workers=self.params.workers())

    def start_sequential_vs_parallel(self) -> None:
        """Run > Sequential against parallel: the panel's plan at concurrency 1 and at its
        highest level (16 if that is 1), as one sweep, so the Summary compares the two with
        the effect statistics and says what changed. The panel's fields stay as they were."""
        plan = self.params.build_plan()
        if plan is None:
            self.statusBar().showMessage("Fix the marked fields first", 4000)
            return
        parallel = max(plan.run.concurrency)
        parallel = parallel if parallel > 1 else PARALLEL_DEFAULT
        run = msgspec.structs.replace(plan.run, concurrency=[1, parallel], search="none")
        self.controller.start(
            msgspec.structs.replace(plan, run=run), self.params.profile(),
            workers=self.params.workers(),
        )
        self.statusBar().showMessage(f"Sequential (1) against parallel ({parallel})", 6000)

    def current_plan(self) -> Plan | None:
        return self.params.build_plan()

    def show_plan(self, plan: Plan, source: Path | str) -> None:
        self.open_plan(plan, Path(source), start=False)

    def open_plan(self, plan: Plan, source: Path, *, start: bool) -> bool:
        """Show `plan` (read from `source`) in the panel; with `start`, run it as written,
        variants and timeouts included, like Re-run (`workbench gui --plan FILE --run`)."""
        notes = self.params.load_plan(plan)
        if notes:
            self.statusBar().showMessage(f"{source.name}: " + "; ".join(notes), 10_000)
        if not start:
            return True
        if self.params.endpoint_combo.currentData() != plan.endpoint.name:
            show_error(
                "Run",
                f"{source}: endpoint.name: the endpoint profile {plan.endpoint.name!r} is not "
                "set up here. Add it in Edit > Endpoints and Keys, then press Run.",
                parent=self,
            )
            return False
        self.controller.start(plan, self.params.profile(), workers=self.params.workers())
        return True

    def _on_busy(self, busy: bool) -> None:
        self.params.set_busy(busy)
        self.cancel_action.setEnabled(busy)

    def _on_failed(self, message: str) -> None:
        self.run_bar.show_message(message)
        show_error("Run", message, parent=self)

    def _on_tick(self, tick: Tick) -> None:
        if tick.run_started:
            self.plots.set_run(tick.run)
            self.summary.set_run(tick.run)
        self.responses.on_tick(tick)
        if tick.finished or tick.run_finished:
            self.plots.mark_dirty()
            self.summary.mark_dirty()
        if tick.started or tick.finished or tick.run_finished:
            self.plots.mark_dirty()  # the in-flight curve
        self.run_bar.show_run(tick.run)
        if tick.run_finished:
            self.summary.run_finished()

    def _on_finished(self, result: RunResult) -> None:
        self.bridge.flush()

    def _on_tab(self, index: int) -> None:
        # Hidden tabs skip their redraws; catch up when shown.
        widget = self.tabs.widget(index)
        if widget is self.plots:
            self.plots.redraw()

    # --- SessionHost: what the session commands see of the window ------------------------

    @property
    def busy(self) -> bool:
        return self.controller.busy

    def parent_widget(self) -> QWidget:
        return self

    def menu_named(self, title: str) -> QMenu:
        for action in self.menuBar().actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and action.text().replace("&", "") == title:
                return menu
        return self.menuBar().addMenu(f"&{title}")

    def similarity(self) -> SimilarityMeasure | None:
        return self.semantic.measure

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MS)

    def show_activity(self, text: str | None) -> None:
        if text is None:
            self.run_bar.show_run(self.bridge.run)
        else:
            self.run_bar.show_message(text)

    def show_file(self, path: Path | None) -> None:
        self.setWindowTitle(f"{path.name} — {APP_TITLE}" if path else APP_TITLE)

    def current_endpoint(self) -> EndpointSpec:
        profile = self.params.profile()
        return EndpointSpec(
            name=profile.name, api=profile.api, model=self.params.model_combo.currentText()
        )

    def set_plan(self, plan: Plan) -> list[str]:
        return self.params.load_plan(plan)

    def clear(self) -> None:
        self.bridge.load(LiveRun())
        self.responses.stack.setCurrentWidget(self.responses.empty)
        self.run_bar.show_message("Ready")
        self.params.prompt_edit.setFocus()

    def show_run(self, run: LiveRun, quick_cells: Sequence[CellMetrics]) -> None:
        self.bridge.load(run)
        self.summary.show_quick(quick_cells)
        if self.tabs.currentWidget() is self.plots:
            self.plots.redraw()

    def run_plan(self, plan: Plan, profile: EndpointProfile) -> None:
        self.controller.start(plan, profile, workers=self.params.workers())

    # --- state ---------------------------------------------------------------------------

    def restore_state(self) -> None:
        settings = self.services.settings
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        splitter = settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        tab = settings.value("window/tab", 0)
        self.tabs.setCurrentIndex(int(tab) if str(tab).isdigit() else 0)  # type: ignore[call-overload]
        first_run = not settings.contains("window/geometry")
        self.params.restore_state(settings)
        self.responses.restore_state(settings)
        if first_run and self.services.first_run_plan is not None:
            self.show_plan(self.services.first_run_plan(), "first run")

    def save_state(self) -> None:
        settings = self.services.settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("window/tab", self.tabs.currentIndex())
        self.params.save_state(settings)
        self.responses.save_state(settings)
        settings.sync()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.session_actions.drag_enter(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.session_actions.drop(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_guard is not None:
            if not self.close_guard():
                event.ignore()  # the shutdown saves the state, ends the run, then closes us
                return
        else:
            self.save_state()
            self.controller.cancel()
        if self.presentation is not None:
            self.presentation.hide()
        event.accept()
