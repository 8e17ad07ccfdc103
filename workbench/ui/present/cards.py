"""The presentation's wall of live cards: the most recent responses of the run in large type.

Each card is painted (no child widgets, no style sheet re-polish): a header with the level,
variant and state, the text elided to the lines that fit, and a metrics line. A card keeps
its slot on the wall until a newer response needs it, so from the back of a room a card does
not jump about while it streams.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QTextLayout
from PySide6.QtWidgets import QGridLayout, QWidget

from workbench.core.format import duration_ms
from workbench.viewmodel.live import LiveResponse, LiveRun

BODY_PT = 20.0
HEADER_PT = 22.0
METRICS_PT = 18.0
CARD_MIN_WIDTH = 440  # px: about 30 characters of 20 pt text a line
CARD_MIN_HEIGHT = 250
MAX_CARDS = 12
PADDING = 16
# A card shows a few hundred characters: laying out more would only cost time.
BODY_CHARS = 1200
STATE_LABEL = {"running": "streaming", "ok": "done", "error": "error", "cancelled": "cancelled"}


@dataclass(frozen=True, slots=True)
class CardColors:
    card: str
    border: str
    text: str
    muted: str
    badge: dict[str, tuple[str, str]]  # state -> (background, text)


@dataclass(frozen=True, slots=True)
class CardContent:
    """What one card shows; equal contents need no repaint."""

    title: str
    state: str
    text: str
    metrics: str


def card_content(item: LiveResponse) -> CardContent:
    variant = item.cell.variant
    title = f"c={item.level}" + (f" · {variant}" if variant != "base" else "")
    title += f" · #{item.repetition + 1}"
    sample = item.sample
    # One paragraph: line breaks waste big lines.
    text = " ".join(item.text[:BODY_CHARS].split())
    if sample is not None and sample.error is not None:
        error = sample.error
        text = f"{error.error_class}" + (f" (HTTP {error.status})" if error.status else "")
    if item.state == "running":
        metrics = f"{len(item.text):,} chars so far"
    else:
        # Latency and length first: the parts that do not fit are left off from the end.
        metrics = (
            f"E2E {duration_ms(item.ms('e2e'))} · {len(item.text):,} chars"
            f" · TTFT {duration_ms(item.ms('ttft'))}"
        )
    return CardContent(title, item.state, text, metrics)


class BigCard(QWidget):
    def __init__(self, colors: CardColors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presentCard")
        self.setAccessibleName("Response")
        self.colors = colors
        self.item_id: int | None = None
        self.content: CardContent | None = None
        self.setMinimumSize(200, 120)
        self.header_font = self._font(HEADER_PT, bold=True)
        self.badge_font = self._font(METRICS_PT, bold=True)
        self.body_font = self._font(BODY_PT)
        self.metrics_font = self._font(METRICS_PT)

    def _font(self, points: float, *, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(points)
        font.setBold(bold)
        return font

    def show_content(self, item_id: int | None, content: CardContent | None) -> None:
        if item_id == self.item_id and content == self.content:
            return
        self.item_id = item_id
        self.content = content
        self.setAccessibleDescription(
            "" if content is None else f"{content.title}, {content.state}, {content.metrics}"
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        content = self.content
        if content is None:
            return
        c = self.colors
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.setPen(QColor(c.border))
        painter.setBrush(QColor(c.card))
        painter.drawRoundedRect(frame, 10, 10)
        inner = frame.adjusted(PADDING, PADDING * 0.7, -PADDING, -PADDING * 0.7)
        top = self._header(painter, inner, content)
        metrics = QFontMetricsF(self.metrics_font)
        bottom = inner.bottom() - metrics.height()
        painter.setFont(self.metrics_font)
        painter.setPen(QColor(c.muted))
        painter.drawText(
            QRectF(inner.left(), bottom, inner.width(), metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fitting_parts(content.metrics, metrics, inner.width()),
        )
        body = QRectF(inner.left(), top + 6, inner.width(), bottom - top - 12)
        painter.setPen(QColor(c.badge["error"][1] if content.state == "error" else c.text))
        draw_elided(painter, self.body_font, content.text, body)
        painter.end()

    def _header(self, painter: QPainter, inner: QRectF, content: CardContent) -> float:
        c = self.colors
        badge_text = STATE_LABEL.get(content.state, content.state)
        badge_metrics = QFontMetricsF(self.badge_font)
        badge_w = badge_metrics.horizontalAdvance(badge_text) + 24
        header_h = QFontMetricsF(self.header_font).height()
        badge = QRectF(
            inner.right() - badge_w,
            inner.top() + (header_h - badge_metrics.height() - 6) / 2,
            badge_w,
            badge_metrics.height() + 6,
        )
        background, foreground = c.badge.get(content.state, c.badge["running"])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        painter.setFont(self.badge_font)
        painter.setPen(QColor(foreground))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, badge_text)
        painter.setFont(self.header_font)
        painter.setPen(QColor(c.text))
        title_w = inner.width() - badge_w - 12
        title = QFontMetricsF(self.header_font).elidedText(
            content.title, Qt.TextElideMode.ElideRight, title_w
        )
        painter.drawText(
            QRectF(inner.left(), inner.top(), title_w, header_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title,
        )
        return inner.top() + header_h


def fitting_parts(text: str, metrics: QFontMetricsF, width: float) -> str:
    """The leading " · "-separated parts of `text` that fit in `width` (at least one)."""
    parts = text.split(" · ")
    while len(parts) > 1 and metrics.horizontalAdvance(" · ".join(parts)) > width:
        parts.pop()
    return metrics.elidedText(" · ".join(parts), Qt.TextElideMode.ElideRight, width)


def draw_elided(painter: QPainter, font: QFont, text: str, rect: QRectF) -> None:
    """`text` word-wrapped into `rect`, the last line that fits ending in an ellipsis when
    the text goes on."""
    metrics = QFontMetricsF(font)
    painter.setFont(font)
    layout = QTextLayout(text, font)
    layout.beginLayout()
    y = rect.top()
    lines: list[tuple[str, float]] = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(rect.width())
        start, length = line.textStart(), line.textLength()
        last_fits = y + 2 * metrics.lineSpacing() > rect.bottom() + metrics.leading()
        if last_fits and start + length < len(text):
            # The last line that fits, and the text goes on: its rest, elided.
            rest = text[start:]
            lines.append((metrics.elidedText(rest, Qt.TextElideMode.ElideRight, rect.width()), y))
            break
        lines.append((text[start : start + length].rstrip(), y))
        y += metrics.lineSpacing()
        if last_fits:
            break
    layout.endLayout()
    for piece, top in lines:
        if top + metrics.height() <= rect.bottom() + 1:
            painter.drawText(QPointF(rect.left(), top + metrics.ascent()), piece)


class CardWall(QWidget):
    """As many BigCards as fit (up to MAX_CARDS), bound to the run's newest responses."""

    def __init__(self, colors: CardColors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presentCards")
        self.setAccessibleName("Live responses")
        self.colors = colors
        self.cards: list[BigCard] = []
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(14)
        self._shape = (0, 0)

    def shape_for(self, width: int, height: int) -> tuple[int, int]:
        columns = max(1, min(3, (width + 14) // (CARD_MIN_WIDTH + 14)))
        rows = max(1, (height + 14) // (CARD_MIN_HEIGHT + 14))
        while columns * rows > MAX_CARDS:
            rows -= 1
        return columns, rows

    def _reshape(self) -> bool:
        shape = self.shape_for(self.width(), self.height())
        if shape == self._shape:
            return False
        self._shape = shape
        columns, rows = shape
        while len(self.cards) < columns * rows:
            self.cards.append(BigCard(self.colors, self))
        for card in self.cards:
            self.grid.removeWidget(card)
            card.hide()
            card.show_content(None, None)
        for index in range(columns * rows):
            card = self.cards[index]
            self.grid.addWidget(card, index // columns, index % columns)
            card.show()
        return True

    def shown(self) -> list[BigCard]:
        return [card for card in self.cards if card.isVisible()]

    def update_cards(self, run: LiveRun, *, rebind: bool) -> None:
        """Refresh what the cards show; with `rebind` (or a new shape), give the slots of
        responses that are no longer among the newest to the newer ones."""
        rebind = self._reshape() or rebind
        cards = self.shown()
        if rebind:
            wanted = run.order[-len(cards) :] if cards else []
            keep = set(wanted)
            free = [card for card in cards if card.item_id not in keep]
            bound = {card.item_id for card in cards if card.item_id in keep}
            for item_id in wanted:
                if item_id not in bound and free:
                    card = free.pop(0)
                    card.item_id, card.content = item_id, None  # painted below
            for card in free:
                card.show_content(None, None)
        for card in cards:
            item = run.responses.get(card.item_id) if card.item_id is not None else None
            if item is None:
                card.show_content(None, None)
            else:
                card.show_content(item.id, card_content(item))
