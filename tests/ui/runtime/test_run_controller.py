"""The real window, built by the composition root, running against the simulated endpoint."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QPlainTextEdit, QProgressBar, QPushButton, QTableWidget

from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, find, wait_finished
from workbench.core.journal import load_session
from workbench.ui.responses.card import ResponseCard

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

PROMPT = "Explain how a load balancer decides where to send a request."


def test_run_streams_16_cards_fills_plots_and_summary(main_window, qtbot):
    window = main_window
    fill_plan(qtbot, window, PROMPT, "8", 16)
    # Ctrl+Enter from the prompt editor runs the plan.
    prompt = find(window, QPlainTextEdit, "promptEdit")
    qtbot.keyClick(prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.controller.busy or window.bridge.run.finished, timeout=5000)
    wait_finished(qtbot, window)

    run = window.bridge.run
    assert run.done == 16 and run.errors == 0
    assert window.responses.grid.count() == 16
    # The prompt did not end up in the editor as a newline: Ctrl+Enter is the shortcut.
    assert "\n" not in prompt.toPlainText()

    # With the diff switched off, every card the user can see is a responseCard showing its
    # response's full text.
    diff_toggle = find(window, QCheckBox, "diffToggle")
    assert diff_toggle.isChecked()
    diff_toggle.click()
    cards = window.responses.findChildren(ResponseCard, "responseCard")
    visible = [c for c in cards if c.isVisible()]
    assert visible
    for card in visible:
        item = run.responses[card.item_id]
        assert item.state == "ok"
        assert card.body.toPlainText().strip() == item.text.strip()
        assert "TTFT" in card.metrics.text() and "E2E" in card.metrics.text()
        assert "c=8" in card.title.text()
    # Scrolling to the end shows the last responses.
    window.responses.grid.verticalScrollBar().setValue(
        window.responses.grid.verticalScrollBar().maximum()
    )
    last = run.order[-1]
    qtbot.waitUntil(lambda: window.responses.grid.card_for(last) is not None)

    # Plots: every finished response is a point; the histograms count all of them.
    window.tabs.setCurrentWidget(window.plots)
    qtbot.waitUntil(lambda: window.plots.point_counts()["latency"] == 16, timeout=5000)
    counts = window.plots.point_counts()
    assert counts["ttft_hist"] == counts["e2e_hist"] == counts["length_hist"] == 16
    assert counts["length_by_level"] == counts["e2e_by_level"] == 16
    assert counts["inflight"] >= 32  # a point per start and per finish

    # Summary: one row for the one cell, with the counts.
    window.tabs.setCurrentWidget(window.summary)
    table = find(window, QTableWidget, "summaryTable")
    qtbot.waitUntil(lambda: table.rowCount() == 1 and table.item(0, 1) is not None, timeout=10_000)
    assert table.item(0, 0).text() == "c=8"
    assert table.item(0, 1).text() == "16" and table.item(0, 2).text() == "0"
    assert table.item(0, 3).text().endswith("ms")

    # The bottom bar: progress complete, counts, and the simulator's status.
    progress = find(window, QProgressBar, "progressBar")
    assert progress.value() == progress.maximum() == 16
    assert "16 done" in window.run_bar.counts.text()
    assert "running on port" in window.run_bar.simulator.text()

    # The run was journalled: the session file holds the 16 responses.
    session = load_session(window.services.session_path(run.session))
    assert len(session.samples) == 16
    assert {s.text for s in session.samples} == {r.text for r in run.responses.values()}


def test_cancel_mid_run_keeps_finished_cards(window_factory, sim_factory, qtbot):
    slow = sim_factory("--decode-ms", "15", "--mean-tokens", "60", "--seed", "3")
    window = window_factory(simulator_root=slow)
    fill_plan(qtbot, window, PROMPT, "2", 40)
    click_run(qtbot, window)
    qtbot.waitUntil(lambda: window.bridge.run.done >= 3, timeout=30_000)
    cancel = find(window, QPushButton, "cancelButton")
    assert cancel.isEnabled()
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    wait_finished(qtbot, window)

    run = window.bridge.run
    assert run.cancelled
    finished_ok = [r for r in run.responses.values() if r.state == "ok"]
    assert 3 <= len(finished_ok) < 40
    ids = set(window.responses.grid.ids())
    for item in finished_ok:
        assert item.id in ids and item.text
    assert "Cancelled" in window.run_bar.counts.text()
    assert not cancel.isEnabled()
    assert find(window, QPushButton, "runButton").isEnabled()


def test_run_while_running_cancels_the_previous_run(window_factory, sim_factory, qtbot):
    slow = sim_factory("--decode-ms", "15", "--mean-tokens", "80", "--seed", "4")
    window = window_factory(simulator_root=slow)
    fill_plan(qtbot, window, PROMPT, "2", 30)
    click_run(qtbot, window)
    qtbot.waitUntil(lambda: window.bridge.run.done >= 1, timeout=30_000)
    first = window.bridge.run
    window.params.repetitions_spin.setValue(2)
    click_run(qtbot, window)  # the button reads "Restart" now
    qtbot.waitUntil(lambda: window.bridge.run is not first, timeout=30_000)
    wait_finished(qtbot, window)
    assert first.finished and first.cancelled
    assert window.bridge.run.done == 2 and not window.bridge.run.cancelled
    assert window.responses.grid.count() == 2


def test_failed_responses_show_an_error_badge(window_factory, sim_factory, qtbot):
    failing = sim_factory("--fault", "500=1", "--zero-delay")
    window = window_factory(simulator_root=failing)
    fill_plan(qtbot, window, PROMPT, "2", 4)
    click_run(qtbot, window)
    wait_finished(qtbot, window)
    assert window.bridge.run.errors == 4
    cards = [c for c in window.responses.grid.visible_cards() if c.item_id is not None]
    assert len(cards) == 4
    for card in cards:
        assert card.error_badge.isVisible()
        assert "HTTP 500" in card.error_badge.text()
        assert card.state_badge.text() == "error"
    assert "4 errors" in window.run_bar.counts.text()
