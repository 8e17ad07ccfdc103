"""A scrolling grid of response cards that only builds the cards it shows.

With hundreds of responses a widget per response makes every layout pass and every tick
cost O(n). Here a pool of about (visible rows + 1) x columns cards is bound to whichever
responses are in view; scrolling rebinds them. The pool grows only with the window size.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from workbench.ui.responses.card import ResponseCard

CARD_MIN_WIDTH = 330
CARD_HEIGHT = 250
GAP = 10

Binder = Callable[[ResponseCard, int], None]


class CardGrid(QAbstractScrollArea):
    def __init__(
        self,
        binder: Binder,
        make_card: Callable[[QWidget], ResponseCard],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._binder = binder
        self._make_card = make_card
        self._ids: list[int] = []
        self._pool: list[ResponseCard] = []
        self._bound: dict[int, ResponseCard] = {}
        self.similarity_tint = False
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.verticalScrollBar().valueChanged.connect(self._relayout)
        self.verticalScrollBar().setSingleStep(40)
        self.viewport().installEventFilter(self)

    # --- contents ------------------------------------------------------------------------

    def ids(self) -> list[int]:
        return list(self._ids)

    def count(self) -> int:
        return len(self._ids)

    def set_ids(self, ids: list[int]) -> None:
        if ids != self._ids:
            self._ids = list(ids)
            self._relayout(force=True)

    def append_ids(self, ids: list[int]) -> None:
        if ids:
            self._ids.extend(ids)
            self._relayout()

    def refresh(self, ids: Collection[int] | None = None) -> None:
        """Rebind the visible cards showing `ids` (all visible cards when None)."""
        for item_id, card in self._bound.items():
            if ids is None or item_id in ids:
                self._binder(card, item_id)

    def visible_cards(self) -> list[ResponseCard]:
        return [card for card in self._bound.values() if card.isVisible()]

    def card_for(self, item_id: int) -> ResponseCard | None:
        return self._bound.get(item_id)

    def scroll_to(self, item_id: int) -> None:
        if item_id in self._ids:
            columns, _, pitch = self._geometry()
            row = self._ids.index(item_id) // columns
            self.verticalScrollBar().setValue(row * pitch)

    def set_similarity_tint(self, enabled: bool) -> None:
        """Colour each card's left edge by its similarity to the baseline."""
        self.similarity_tint = enabled
        for card in self._pool:
            card.set_tint_enabled(enabled)

    # --- layout --------------------------------------------------------------------------

    def _geometry(self) -> tuple[int, int, int]:
        width = self.viewport().width()
        columns = max(1, (width - GAP) // (CARD_MIN_WIDTH + GAP))
        card_width = max(120, (width - GAP * (columns + 1)) // columns)
        return columns, card_width, CARD_HEIGHT + GAP

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.viewport() and event.type() == QEvent.Type.Resize:
            self._relayout(force=True)
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout(force=True)

    def _relayout(self, *_: object, force: bool = False) -> None:
        columns, card_width, pitch = self._geometry()
        rows = (len(self._ids) + columns - 1) // columns
        height = self.viewport().height()
        bar = self.verticalScrollBar()
        bar.setPageStep(max(1, height))
        bar.setRange(0, max(0, rows * pitch + GAP - height))
        top = bar.value()
        first_row = top // pitch
        visible_rows = height // pitch + 2
        first = first_row * columns
        wanted = self._ids[first : first + visible_rows * columns]
        if not force and list(self._bound) == wanted:
            return
        while len(self._pool) < len(wanted):
            new_card = self._make_card(self.viewport())
            new_card.set_tint_enabled(self.similarity_tint)
            self._pool.append(new_card)
        previous = self._bound
        self._bound = {}
        free = [card for card in self._pool if card.item_id not in wanted]
        for index, item_id in enumerate(wanted):
            card = previous.get(item_id)
            if card is None:
                card = free.pop()
            self._bound[item_id] = card
            row, column = divmod(first + index, columns)
            card.setGeometry(
                GAP + column * (card_width + GAP), GAP + row * pitch - top, card_width, CARD_HEIGHT
            )
            if card.item_id != item_id or force:
                self._binder(card, item_id)
            card.show()
        for card in free:
            if card.item_id is not None or card.isVisible():
                card.unbind()
