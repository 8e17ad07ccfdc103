"""The "Find the knee" checkbox: the concurrency field gives way to the search's own levels,
and a run finds the knee of a simulator whose capacity is known."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QPushButton, QSpinBox

from tests.core.test_knee import CAPACITY_2
from tests.helpers.ui import OFFSCREEN_NOISE, click_run, find, type_into, wait_finished
from workbench.core.journal import load_session

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_ticking_find_the_knee_runs_a_knee_search(
    window_factory: Callable[..., Any], sim_factory: Callable[..., str], qtbot: Any
) -> None:
    window = window_factory(simulator_root=sim_factory(*CAPACITY_2))
    type_into(qtbot, find(window, QPlainTextEdit, "promptEdit"), "Explain TCP slow start")
    window.params.max_tokens_spin.setValue(64)
    concurrency = find(window, QLineEdit, "concurrencyEdit")
    type_into(qtbot, concurrency, "8,x")  # unusable, but a knee search does not read it
    check = find(window, QCheckBox, "kneeCheck")
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    assert check.isChecked() and not concurrency.isEnabled()
    find(window, QSpinBox, "kneeMaxSpin").setValue(64)
    assert "requests · concurrency 1, 2, 4 … 64" in window.params.total_label.text()
    assert find(window, QPushButton, "runButton").isEnabled(), window.params.problems
    window.params.repetitions_spin.setValue(1)

    click_run(qtbot, window)
    wait_finished(qtbot, window)

    run = window.bridge.run
    assert run.levels == [1, 2, 4]  # knee 2, stopped after one doubling beyond it
    plots = window.plots
    window.tabs.setCurrentWidget(plots)
    assert plots.knee_button.isVisible()
    qtbot.mouseClick(plots.knee_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: plots.knee_plot.shown is not None and len(plots.knee_plot.shown.levels) == 3
    )
    assert plots.knee_plot.shown.knee == 2
    assert plots.knee_plot.knee_line.isVisible()
    sessions = list(window.services.session_path("x").parent.glob("*.jsonl"))
    session = load_session(sessions[0])
    assert session.header.plan.run.search == "knee"
    assert session.end is not None and session.end.levels == [1, 2, 4]

    # Unticked, the concurrency field is back and judged again.
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    assert concurrency.isEnabled()
    assert not find(window, QPushButton, "runButton").isEnabled()
