"""View > Present (F11): the current run full screen, in type that reads from the back of a
room. Left, the newest responses as large cards; right, the headline plot and the findings;
on top, the run's name, progress and elapsed time.

It reads the same view model as the main window: the bridge's ticks (30 Hz, never per chunk)
refresh the cards' text; a 4 Hz timer, running only while it is shown, redraws the header and
the plot and moves newer responses onto the wall at most once a second. The findings come
from the window's shared analysis, which runs while this view is visible. Esc or F11 leave it;
the main window underneath is never touched, so it is as it was.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.core.analysis import AnalysisReport
from workbench.core.format import duration_s
from workbench.ui.common.theme import DARK, LIGHT, is_dark
from workbench.ui.present.cards import CardColors, CardWall
from workbench.ui.present.headline import HeadlinePlot
from workbench.ui.runtime.analysis_feed import AnalysisFeed, AnalysisUpdate
from workbench.ui.runtime.bridge import EventBridge, Tick
from workbench.viewmodel.live import LiveRun

REDRAW_MS = 250
CARDS_S = 0.1  # streaming text repaints the cards at most 10 times a second
REBIND_S = 1.0  # newer responses replace cards at most this often: readable, not flicker
MAX_FINDINGS = 3  # what fits at 28 pt beside the plot; the Summary tab has them all
# A finding that says again what another says (same cell, same change in other units).
RESTATES = {"length_tokens": "length_words"}
STOP_SHORTCUT = "Ctrl+."  # Esc leaves the presentation, so stopping needs another key
NO_RUN = "No run yet.\n\nCtrl+Enter runs the prompt of the main window."
WAITING = "Findings appear here as the responses come in."
NO_FINDINGS = "No detectable change between the levels."


def elapsed_s(run: LiveRun) -> float:
    """Time since the run started; for a finished run (live or read from its file), its
    duration, which stops counting."""
    if run.finished:
        times = run.series.flight_t.view()
        return float(times[-1]) if times.size else 0.0
    return run.elapsed_s()


def progress_text(run: LiveRun) -> str:
    parts = [f"{run.done:,} / {run.planned:,} done"]
    if run.errors:
        parts.append(f"{run.errors:,} errors")
    if run.finished:
        parts.append("cancelled" if run.cancelled else "finished")
    elif run.in_flight:
        parts.append(f"{run.in_flight} in flight")
    return " · ".join(parts)


def headline_findings(report: AnalysisReport) -> list[str]:
    """The findings worth a slide, first: the changes at the level furthest from the
    baseline (the plainest sentence: "At concurrency 16, responses were 48% shorter..."),
    then the trends over all levels, then the other levels; restatements left out."""
    significant = [e for e in report.effects if e.significant]
    said = {(e.group, e.level, e.metric) for e in significant}
    sentences = {e.summary for e in significant}
    trend_sentences = [f for f in report.findings if f not in sentences]
    trends = [t for t in report.trends if t.significant]
    if len(trends) == len(trend_sentences):  # the findings list them in this order
        trended = {(t.group, t.metric) for t in trends}
        trend_sentences = [
            sentence
            for trend, sentence in zip(trends, trend_sentences, strict=True)
            if (trend.group, RESTATES.get(trend.metric, "")) not in trended
        ]
    levels = list(dict.fromkeys(e.level for e in significant))
    kept = [e for e in significant if (e.group, e.level, RESTATES.get(e.metric, "")) not in said]
    kept.sort(key=lambda e: -levels.index(e.level))  # stable: metric order within a level
    furthest = [e.summary for e in kept if e.level == levels[-1]]
    others = [e.summary for e in kept if e.level != levels[-1]]
    return furthest + trend_sentences + others


def findings_text(findings: Sequence[str], *, final: bool) -> str:
    if not findings:
        return NO_FINDINGS if final else WAITING
    shown = [f"• {sentence}" for sentence in findings[:MAX_FINDINGS]]
    if len(findings) > MAX_FINDINGS:
        shown.append(f"+ {len(findings) - MAX_FINDINGS} more in the Summary tab")
    return ("" if final else "So far:\n") + "\n".join(shown)


def _colors() -> tuple[CardColors, dict[str, str]]:
    app = QApplication.instance()
    theme = DARK if isinstance(app, QApplication) and is_dark(app) else LIGHT
    badges = {
        "running": (theme["run_bg"], theme["run_text"]),
        "ok": (theme["ok_bg"], theme["ok_text"]),
        "error": (theme["error_bg"], theme["error_text"]),
        "cancelled": (theme["chip"], theme["muted"]),
    }
    colors = CardColors(theme["base"], theme["border"], theme["text"], theme["muted"], badges)
    return colors, theme


def _label(name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    return label


class PresentationView(QWidget):
    """A top-level window of the main window's; `present()` shows it full screen."""

    stop_requested = Signal()
    left = Signal()  # the user left the presentation (Esc, F11, or closing it)

    def __init__(
        self, bridge: EventBridge, feed: AnalysisFeed, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("presentView")
        self.setAccessibleName("Presentation")
        self.setWindowTitle("Prompt Stress Workbench — presentation")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.feed = feed
        self.run = bridge.run
        self.busy = False
        colors, theme = _colors()
        self.title = _label("presentTitle")
        self.title.setAccessibleName("Run")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress_label = _label("presentProgress")
        self.elapsed_label = _label("presentElapsed")
        self.progress = QProgressBar()
        self.progress.setObjectName("presentProgressBar")
        self.progress.setTextVisible(False)
        self.cards = CardWall(colors)
        self.empty = _label("presentEmpty", NO_RUN)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        # No label may ask for more than the screen: a window wider than its screen
        # loses its full-screen state.
        self.empty.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.left_stack = QStackedWidget()
        self.left_stack.addWidget(self.empty)
        self.left_stack.addWidget(self.cards)
        self.plot = HeadlinePlot(theme["text"], theme["base"])
        self.findings_title = _label("presentSection", "Findings")
        self.findings = _label("presentFindings", WAITING)
        self.findings.setAccessibleName("Findings")
        self.findings.setWordWrap(True)
        self.findings.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Clipped rather than growing: the plot keeps its half of the column.
        self.findings.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.hints = _label("presentHints")
        self._build_layout()

        self.stop_action = QAction("Stop the run", self)
        self.stop_action.setShortcut(QKeySequence(STOP_SHORTCUT))
        self.stop_action.triggered.connect(self.stop_requested)
        self.leave_action = QAction("Leave the presentation", self)
        self.leave_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.leave_action.triggered.connect(self.leave)
        self.addAction(self.stop_action)
        self.addAction(self.leave_action)

        self._plot_dirty = True
        self._rebind_due = True
        self._rebound_at = 0.0
        self._cards_at = 0.0
        self._cards_pending = False
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._on_timer)
        bridge.tick.connect(self.on_tick)
        feed.watch(self)
        feed.updated.connect(self._on_analysis)
        self._show_hints()

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.setSpacing(36)
        header.addWidget(self.title, 1)
        header.addWidget(self.progress_label)
        header.addWidget(self.elapsed_label)
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(self.plot, 5)
        right.addWidget(self.findings_title)
        right.addWidget(self.findings, 4)
        body = QHBoxLayout()
        body.setSpacing(28)
        body.addWidget(self.left_stack, 11)
        body.addLayout(right, 9)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 24, 36, 16)
        layout.setSpacing(14)
        layout.addLayout(header)
        layout.addWidget(self.progress)
        layout.addLayout(body, 1)
        layout.addWidget(self.hints)

    def add_window_actions(self, *actions: QAction) -> None:
        """The main window's actions whose shortcuts also work here (Run, Present)."""
        for action in actions:
            self.addAction(action)
        self._show_hints()

    # --- entering and leaving -----------------------------------------------------------

    def present(self) -> None:
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else self.screen()
        if screen is not None:
            self.setScreen(screen)  # the screen the main window is on
            # Without a window manager (a bare X server, a kiosk) nobody honours the
            # full-screen request: take the screen's geometry ourselves.
            self.setGeometry(screen.geometry())
        self._refresh(rebind=True)
        self.showFullScreen()
        self.activateWindow()

    def leave(self) -> None:
        if self.isVisible():
            self.hide()
            self.left.emit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._timer.start()
        latest = self.feed.latest
        if latest is not None and latest.run is self.run:
            self._on_analysis(latest)
        self.feed.request()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closed by the window manager (Alt+F4): the same as Esc.
        self._timer.stop()
        event.accept()
        self.left.emit()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._timer.stop()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._show_hints()

    def _show_hints(self) -> None:
        keys = []
        run_keys = [a for a in self.actions() if a.objectName() == "runAction"]
        if run_keys and not self.busy:
            keys.append("Ctrl+Enter  run again")
        if self.busy:
            keys.append(f"{STOP_SHORTCUT}  stop")
        keys.append("Esc / F11  leave")
        self.hints.setText("        ".join(keys))

    # --- following the run --------------------------------------------------------------

    def on_tick(self, tick: Tick) -> None:
        if tick.run is not self.run:
            self.set_run(tick.run)
        if tick.finished or tick.run_finished:
            self._plot_dirty = True
        if tick.started:
            self._rebind_due = True
        if not self.isVisible():
            return
        if tick.run_started or tick.run_finished:
            self._refresh(rebind=True)
        elif tick.streamed or tick.finished or tick.started:
            self._cards_pending = True
            if time.monotonic() - self._cards_at >= CARDS_S:
                self._update_cards(rebind=self._slots_empty())

    def set_run(self, run: LiveRun) -> None:
        self.run = run
        self.plot.set_run(run)
        self.findings.setText(WAITING)
        self._plot_dirty = self._rebind_due = True

    def _slots_empty(self) -> bool:
        """A card is empty while the run has a response not on the wall: fill it now."""
        shown = self.cards.shown()
        empty = sum(1 for card in shown if card.item_id is None)
        return empty > 0 and len(self.run.order) > len(shown) - empty

    def _on_timer(self) -> None:
        due = self._rebind_due and time.monotonic() - self._rebound_at >= REBIND_S
        self._refresh(rebind=due)

    def _refresh(self, *, rebind: bool) -> None:
        run = self.run
        name = run.name or "Prompt Stress Workbench"
        self.title.setToolTip(name)
        self.title.setText(
            self.title.fontMetrics().elidedText(
                name, Qt.TextElideMode.ElideRight, max(100, self.title.width())
            )
        )
        started = bool(run.planned or run.order)
        self.progress_label.setText(progress_text(run) if started else "Ready")
        self.elapsed_label.setText(f"{duration_s(elapsed_s(run))} elapsed" if started else "")
        self.progress.setRange(0, max(1, run.planned))
        self.progress.setValue(min(run.done, run.planned))
        self.left_stack.setCurrentWidget(self.cards if run.order else self.empty)
        if rebind:
            self._rebind_due = False
            self._rebound_at = time.monotonic()
        if rebind or self._cards_pending or self._slots_empty():
            self._update_cards(rebind=rebind or self._slots_empty())
        if self._plot_dirty:
            self._plot_dirty = False
            self.plot.redraw()

    def _update_cards(self, *, rebind: bool) -> None:
        self._cards_pending = False
        self._cards_at = time.monotonic()
        self.cards.update_cards(self.run, rebind=rebind)

    def _on_analysis(self, update: AnalysisUpdate) -> None:
        if update.run is self.run:
            self.findings.setText(
                findings_text(headline_findings(update.report), final=update.final)
            )
