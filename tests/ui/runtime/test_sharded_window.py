"""The window's Workers setting: a run in worker processes looks and is journaled like any."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton

from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, find, wait_finished
from workbench.core.journal import load_session

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

PROMPT = "Explain how a load balancer decides where to send a request."


def choose_workers(window, text: str) -> None:
    combo = find(window, QComboBox, "workersCombo")
    combo.setCurrentIndex(combo.findText(text))


def test_two_workers_stream_cards_journal_the_run_and_are_remembered(
    window_factory, sim_factory, qtbot
):
    window = window_factory(simulator_root=sim_factory("--decode-ms", "5", "--seed", "2"))
    combo = find(window, QComboBox, "workersCombo")
    assert combo.currentText() == "Auto"
    fill_plan(qtbot, window, PROMPT, "1,4", 4)
    assert "worker processes" not in window.params.total_label.text()  # auto: one loop here
    choose_workers(window, "2")
    assert "8 requests · concurrency 1, 4 · 2 worker processes" in window.params.total_label.text()
    click_run(qtbot, window)
    wait_finished(qtbot, window)

    run = window.bridge.run
    assert run.done == 8 and run.errors == 0 and not run.cancelled
    assert window.responses.grid.count() == 8
    assert all(item.text for item in run.responses.values())
    session = load_session(window.services.session_path(run.session))
    assert session.header.environment["workers"] == "2"
    assert sorted(s.id for s in session.samples) == sorted(run.responses)
    # The choice is kept with the panel's other fields.
    again = window_factory()
    assert find(again, QComboBox, "workersCombo").currentText() == "2"


def test_stop_ends_a_sharded_run_and_keeps_what_finished(window_factory, sim_factory, qtbot):
    slow = sim_factory("--decode-ms", "15", "--mean-tokens", "60", "--seed", "3")
    window = window_factory(simulator_root=slow)
    fill_plan(qtbot, window, PROMPT, "4", 40)
    choose_workers(window, "2")
    click_run(qtbot, window)
    qtbot.waitUntil(lambda: window.bridge.run.done >= 3, timeout=60_000)
    qtbot.mouseClick(find(window, QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
    wait_finished(qtbot, window)

    run = window.bridge.run
    assert run.cancelled
    finished_ok = [r for r in run.responses.values() if r.state == "ok"]
    assert 3 <= len(finished_ok) < 40
    session = load_session(window.services.session_path(run.session))
    assert session.end is not None and session.end.cancelled
    assert sum(session.end.counts.values()) == 40
    assert session.end.counts["error"] == 0
