"""What the session commands need from the window they serve, and nothing more.

The main window implements `SessionHost`; SessionActions and the opening code depend on
this protocol only, so they never import the window (which builds them) and never reach
into its widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QMenu, QWidget

from workbench.core.analysis import CellMetrics, SimilarityMeasure
from workbench.core.endpoints import EndpointProfile
from workbench.core.plan import EndpointSpec, Plan
from workbench.ui.runtime.services import Services
from workbench.viewmodel.live import LiveRun


class SessionHost(Protocol):
    @property
    def services(self) -> Services: ...

    @property
    def busy(self) -> bool:
        """A run is going."""
        ...

    def parent_widget(self) -> QWidget:
        """Parent of the session dialogs and owner of the actions (their shortcuts work
        while it has focus, menu bar shown or not)."""
        ...

    def menu_named(self, title: str) -> QMenu:
        """The menu bar's menu of that title (without the "&"), added when missing."""
        ...

    def show_status(self, text: str) -> None:
        """A passing message in the status bar."""
        ...

    def similarity(self) -> SimilarityMeasure | None:
        """The similarity the window's analysis uses (None = words): exports and
        comparisons use it too."""
        ...

    def show_activity(self, text: str | None) -> None:
        """What a long session command is doing, in the run bar; None shows the run's
        progress again."""
        ...

    def show_file(self, path: Path | None) -> None:
        """The session file the window shows (in its title); None for a fresh plan."""
        ...

    def current_endpoint(self) -> EndpointSpec:
        """The endpoint profile and model chosen in the parameters panel."""
        ...

    def set_plan(self, plan: Plan) -> list[str]:
        """Fill the parameters panel from `plan`. Returns notes for the status bar about
        what it cannot show (e.g. a profile not set up here)."""
        ...

    def clear(self) -> None:
        """No run shown, the prompt field focused: the start of a fresh plan."""
        ...

    def show_run(self, run: LiveRun, quick_cells: Sequence[CellMetrics]) -> None:
        """Show a finished run (responses, plots, summary). `quick_cells` fill the Summary
        table until its own analysis of the run arrives."""
        ...

    def run_plan(self, plan: Plan, profile: EndpointProfile) -> None:
        """Start running `plan` on `profile` into a new session."""
        ...
