"""One response card: header (level, repetition, state), the text, metrics, error badge.

Cards are pooled by the grid and rebound to other responses as the view scrolls, so a card
holds no state of its own beyond what it shows.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QContextMenuEvent, QIcon, QPainter, QPaintEvent, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.format import duration_ms
from workbench.ui.common.theme import icon_path
from workbench.viewmodel.live import LiveResponse

TINT_WIDTH = 5  # px of the card's left edge coloured by similarity


def similarity_tint(similarity: float, dark: bool) -> QColor:
    """Warm (orange-red) for responses unlike the baseline, through green, to cool (blue)
    for near-identical ones; muted enough to sit beside text in either theme."""
    value = min(1.0, max(0.0, similarity))
    hue = 15 + value * (210 - 15)
    return QColor.fromHsvF(hue / 360, 0.55 if dark else 0.68, 0.92 if dark else 0.86)


class ResponseCard(QFrame):
    """Signals carry the id of the response the card shows."""

    make_baseline = Signal(int)
    compare_baseline = Signal(int)
    mark_compare = Signal(int)
    compare_marked = Signal(int)
    copy_text = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("responseCard")
        self.setAccessibleName("Response")
        self.item_id: int | None = None
        self._shown_text = ""
        self._mode = "plain"  # or "html"
        self.tint_enabled = False
        self.tint: QColor | None = None  # the left edge's colour when tinted
        self._similarity: float | None = None
        self.title = QLabel()
        self.title.setObjectName("cardTitle")
        self.state_badge = QLabel()
        self.state_badge.setObjectName("stateBadge")
        self.medoid_badge = QLabel("medoid")
        self.medoid_badge.setObjectName("medoidBadge")
        self.medoid_badge.setToolTip("The most typical response of its answer cluster")
        self.medoid_badge.hide()
        self.is_medoid = False
        self.baseline_button = self._tool(
            "star.svg", "★", "Make this response the baseline for the diff"
        )
        self.compare_button = self._tool(
            "compare.svg", "⇆", "Compare side by side with the baseline"
        )
        self.copy_button = self._tool("copy.svg", "Copy", "Copy the text")
        self.body = QTextBrowser()
        self.body.setObjectName("cardBody")
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setOpenLinks(False)
        self.body.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.error_badge = QLabel()
        self.error_badge.setObjectName("errorBadge")
        self.error_badge.setWordWrap(True)
        self.error_badge.hide()
        self.metrics = QLabel()
        self.metrics.setObjectName("cardMetrics")
        self.metrics.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        header = QHBoxLayout()
        header.setSpacing(4)
        header.addWidget(self.title, 1)
        header.addWidget(self.medoid_badge)
        header.addWidget(self.state_badge)
        for button in (self.baseline_button, self.compare_button, self.copy_button):
            header.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.error_badge)
        layout.addWidget(self.metrics)
        self.baseline_button.clicked.connect(lambda: self._emit(self.make_baseline))
        self.compare_button.clicked.connect(lambda: self._emit(self.compare_baseline))
        self.copy_button.clicked.connect(lambda: self._emit(self.copy_text))

    def _tool(self, icon: str, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        path = icon_path(icon)
        if path is not None:
            button.setIcon(QIcon(str(path)))
            button.setIconSize(QSize(15, 15))
        else:
            button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(True)
        button.setObjectName("cardButton")
        return button

    def _emit(self, signal: SignalInstance) -> None:
        if self.item_id is not None:
            signal.emit(self.item_id)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if self.item_id is None:
            return
        menu = QMenu(self)
        menu.addAction("Copy text", lambda: self._emit(self.copy_text))
        menu.addAction("Make baseline", lambda: self._emit(self.make_baseline))
        menu.addAction("Compare with baseline…", lambda: self._emit(self.compare_baseline))
        menu.addSeparator()
        menu.addAction("Mark for comparison", lambda: self._emit(self.mark_compare))
        menu.addAction("Compare with marked…", lambda: self._emit(self.compare_marked))
        menu.popup(event.globalPos())  # never exec(): no nested loop under qasync

    # --- showing a response ------------------------------------------------------------

    def show_response(
        self, item: LiveResponse, *, baseline: bool, similarity: float | None
    ) -> None:
        """Header, badges and metrics (the text is set by show_plain / show_html)."""
        rebound = item.id != self.item_id
        self.item_id = item.id
        retry = f" · retry {item.attempt}" if item.attempt else ""
        self.title.setText(f"c={item.level} · rep {item.repetition + 1}{retry}  #{item.id}")
        label = "baseline" if baseline else item.state
        if self.state_badge.text() != label or rebound:
            self.state_badge.setText(label)
            self.state_badge.setProperty("state", label)
            self.state_badge.style().unpolish(self.state_badge)
            self.state_badge.style().polish(self.state_badge)
        sample = item.sample
        error = sample.error if sample is not None else None
        if error is not None:
            status = f" (HTTP {error.status})" if error.status else ""
            self.error_badge.setText(f"{error.error_class}{status}: {error.message}")
            self.error_badge.show()
        else:
            self.error_badge.hide()
        parts = [f"TTFT {duration_ms(item.ms('ttft'))}", f"E2E {duration_ms(item.ms('e2e'))}"]
        parts.append(f"{len(item.text)} chars")
        if sample is not None and sample.finish_reason:
            parts.append(sample.finish_reason)
        if similarity is not None and not baseline:
            parts.append(f"sim {similarity:.2f}")
        self.metrics.setText(" · ".join(parts))
        self._similarity = 1.0 if baseline else similarity
        self._update_tint()
        self.setAccessibleDescription(self.title.text() + ", " + self.metrics.text())

    def show_plain(self, text: str) -> None:
        """Streaming text: appends only the new tail when the text grew."""
        if self._mode == "plain" and text.startswith(self._shown_text) and self._shown_text:
            tail = text[len(self._shown_text) :]
            if tail:
                cursor = QTextCursor(self.body.document())
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.insertText(tail)
        elif text != self._shown_text or self._mode != "plain":
            self.body.setPlainText(text)
        self._mode = "plain"
        self._shown_text = text

    def show_html(self, html: str, key: str) -> None:
        if self._mode == "html" and self._shown_text == key:
            return
        self.body.setHtml(html)
        self._mode = "html"
        self._shown_text = key

    def set_medoid(self, medoid: bool) -> None:
        """Highlight the card as its answer cluster's medoid (the grid's cluster view)."""
        if medoid == self.is_medoid:
            return
        self.is_medoid = medoid
        self.medoid_badge.setVisible(medoid)
        self.setProperty("medoid", medoid)
        self.style().unpolish(self)
        self.style().polish(self)

    # --- colouring by similarity to the baseline ---------------------------------------

    def set_tint_enabled(self, enabled: bool) -> None:
        if enabled != self.tint_enabled:
            self.tint_enabled = enabled
            self._update_tint()

    def _update_tint(self) -> None:
        tint = None
        if self.tint_enabled and self._similarity is not None:
            tint = similarity_tint(self._similarity, self.palette().window().color().lightness()
                                   < 128)
        if tint != self.tint:
            self.tint = tint
            self.setProperty("similarityTint", tint.name() if tint is not None else "")
            self.update(0, 0, TINT_WIDTH + 2, self.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.tint is None:
            return
        # A strip inside the rounded border: painted, not styled, because a per-card style
        # sheet would re-polish the card and its children on every rebind.
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(0, 0, TINT_WIDTH + 1, self.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.tint)
        painter.drawRoundedRect(QRectF(1, 1, TINT_WIDTH * 3, self.height() - 2), 5, 5)
        painter.end()

    def unbind(self) -> None:
        self._similarity = None
        self._update_tint()
        self.item_id = None
        self._shown_text = ""
        self.body.clear()
        self.set_medoid(False)
        self.hide()
