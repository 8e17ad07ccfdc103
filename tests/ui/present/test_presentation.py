"""View > Present (F11): the run full screen in large type, live cards, the headline plot and
the findings; Esc or F11 back to the main window as it was. Real window, real simulator."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.helpers.sessions import finish, run_small_session
from tests.helpers.ui import OFFSCREEN_NOISE, fill_plan, wait_finished
from workbench.ui.present.cards import BODY_CHARS

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

PROMPT = "Explain how a load balancer decides where to send a request."
CTRL = Qt.KeyboardModifier.ControlModifier
ANALYSIS_TIMEOUT_MS = 30_000


def shown_cards(view):
    return [card for card in view.cards.shown() if card.content is not None]


def one_paragraph(text: str) -> str:
    return " ".join(text.split())


def test_present_follows_a_run_live_then_esc_returns_to_the_window_as_it_was(
    window_factory, sim_factory, qtbot
):
    # Depth decay 0.5 per doubling: the level-8 answers are much shorter, a finding.
    root = sim_factory(
        "--decode-ms", "1", "--mean-tokens", "60", "--depth-decay", "0.5", "--seed", "7"
    )
    window = window_factory(size=(1280, 800), simulator_root=root)
    window.tabs.setCurrentWidget(window.plots)
    fill_plan(qtbot, window, PROMPT, "1,8", 16)
    geometry = window.geometry()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # keyboard shortcuts go to the active window

    qtbot.keyClick(window, Qt.Key.Key_F11)
    view = window.presentation
    assert view is not None
    qtbot.waitUntil(lambda: view.isVisible() and view.isFullScreen())
    assert view.isWindow() and view.geometry() == view.screen().geometry()
    assert "Ctrl+Enter" in view.hints.text()
    # The run starts from the presentation, with the main window's shortcut.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    qtbot.keyClick(view, Qt.Key.Key_Return, CTRL)
    wait_finished(qtbot, window)
    run = window.bridge.run
    assert run.done == 32 and run.errors == 0

    # The newest responses as cards: level, state, their text and their metrics.
    # (As many as fit: the offscreen platform's screen is 800x800, a real one holds more.)
    slots = len(view.cards.shown())
    assert slots >= 1
    qtbot.waitUntil(
        lambda: (
            len(shown_cards(view)) == slots
            and all(card.content.state == "ok" for card in shown_cards(view))
        )
    )
    cards = shown_cards(view)
    assert {card.item_id for card in cards} == set(run.order[-slots:])
    for card in cards:
        response = run.responses[card.item_id]
        assert card.content.text == one_paragraph(response.text[:BODY_CHARS])
        assert card.content.text
        assert card.content.title.startswith(f"c={response.level} ·")
        e2e, length, ttft = card.content.metrics.split(" · ")
        assert e2e.startswith("E2E ") and e2e.endswith(" ms") and ttft.startswith("TTFT ")
        assert length == f"{len(response.text):,} chars"
    assert card.content.title == card.accessibleDescription().split(", ")[0]
    # Top line and plot: the run's name, progress, elapsed time; a point per response.
    assert view.title.toolTip() == PROMPT
    assert view.progress_label.text() == "32 / 32 done · finished"
    assert view.elapsed_label.text().endswith(" s elapsed")
    qtbot.waitUntil(lambda: view.plot.point_count() == 32)
    # The findings of the run's final analysis, the plainest first.
    qtbot.waitUntil(
        lambda: window.summary.analysis.latest is not None and window.summary.analysis.latest.final,
        timeout=ANALYSIS_TIMEOUT_MS,
    )
    findings = view.findings.text()
    assert findings.startswith("• At concurrency 8, responses were"), findings
    assert "shorter" in findings
    assert view.font().pointSizeF() < view.findings.font().pointSizeF() >= 24

    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.isVisible())
    assert window.isVisible() and not window.isFullScreen()
    assert window.geometry() == geometry
    assert window.tabs.currentWidget() is window.plots
    assert not run.cancelled  # Esc left the presentation; it did not cancel anything

    # F11 toggles: in the window it presents again, in the presentation it leaves.
    qtbot.waitUntil(window.isActiveWindow)  # the window is active again
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: view.isVisible() and view.isFullScreen())
    assert len(shown_cards(view)) == len(cards)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    qtbot.keyClick(view, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not view.isVisible())


def test_cards_stream_in_the_presentation_and_its_stop_key_cancels_the_run(
    window_factory, sim_factory, qtbot
):
    root = sim_factory("--decode-ms", "40", "--mean-tokens", "400", "--seed", "3")
    window = window_factory(simulator_root=root)
    fill_plan(qtbot, window, PROMPT, "2", 20)
    view = window.toggle_presentation()
    qtbot.waitUntil(lambda: view.isFullScreen())
    assert view.empty.isVisible() and "Ctrl+Enter" in view.empty.text()
    window.start_run()

    def streaming() -> bool:
        # Checked together, on one card: a card seen running can finish a moment later.
        return any(
            card.content.state == "running"
            and len(card.content.text) > 20
            and card.content.metrics.endswith("chars so far")
            for card in shown_cards(view)
        )

    qtbot.waitUntil(streaming, timeout=20_000)
    assert "stop" in view.hints.text() and "run again" not in view.hints.text()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    qtbot.keyClick(view, Qt.Key.Key_Period, CTRL)
    qtbot.waitUntil(
        lambda: window.bridge.run.finished and not window.controller.busy, timeout=20_000
    )
    assert window.bridge.run.cancelled
    assert view.isVisible()  # stopping the run keeps the room's view up
    qtbot.waitUntil(lambda: view.progress_label.text().endswith("cancelled"))
    assert "run again" in view.hints.text()
    view.leave()


def test_present_shows_an_opened_session(window_factory, qtbot):
    path = run_small_session(qtbot, window_factory())
    window = window_factory()
    assert finish(qtbot, asyncio.ensure_future(window.session_actions.open_path(path)))
    view = window.toggle_presentation()
    qtbot.waitUntil(lambda: view.isFullScreen() and len(shown_cards(view)) > 0)
    assert view.geometry() == view.screen().geometry()
    run = window.bridge.run
    slots = len(view.cards.shown())
    assert {card.item_id for card in shown_cards(view)} == set(run.order[-slots:])
    assert view.progress_label.text() == "6 / 6 done · finished"
    qtbot.waitUntil(
        lambda: view.findings.text() != "Findings appear here as the responses come in.",
        timeout=ANALYSIS_TIMEOUT_MS,
    )
    assert not view.findings.text().startswith("So far")
    elapsed = view.elapsed_label.text()
    qtbot.wait(1100)
    assert view.elapsed_label.text() == elapsed  # a finished run's duration stands still
    view.leave()
