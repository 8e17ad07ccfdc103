"""A scrolling grid of response cards that only builds the cards it shows.

With hundreds of responses a widget per response makes every layout pass and every tick
cost O(n). Here a pool of about (visible rows + 1) x columns cards is bound to whichever
responses are in view; scrolling rebinds them. The pool grows only with the window size.

The cards come in sections (`set_sections`): the flat view is one section without a header;
grouped by answer cluster, each cluster is a section under a header row, its medoid first.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QWidget

from workbench.ui.responses.card import ResponseCard
from workbench.viewmodel.grouping import CardSection

CARD_MIN_WIDTH = 330
CARD_HEIGHT = 250
GAP = 10
HEADER_HEIGHT = 30


@dataclass(frozen=True, slots=True)
class _Placed:
    """Where one section sits: its header (if any) at `top`, then rows of cards."""

    top: int
    header: int  # height of the header row, 0 without one
    first: int  # index of the section's first card in the flat id list
    count: int
    section: CardSection


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
        self._sections: list[CardSection] = [CardSection("", [])]
        self._placed: list[_Placed] = []
        self._placed_columns = 0
        self._medoids: set[int] = set()
        self._pool: list[ResponseCard] = []
        self._bound: dict[int, ResponseCard] = {}
        self._headers: list[QLabel] = []
        self._shown_headers: dict[int, QLabel] = {}  # section index -> its header
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
        """One flat section: no headers."""
        self.set_sections([CardSection("", list(ids))])

    def set_sections(self, sections: list[CardSection]) -> None:
        ids = [i for section in sections for i in section.ids]
        if ids == self._ids and sections == self._sections:
            return
        self._ids = ids
        self._sections = list(sections) or [CardSection("", [])]
        self._medoids = {s.medoid_id for s in self._sections if s.medoid_id is not None}
        self._placed_columns = 0
        self._relayout(force=True)

    def append_ids(self, ids: list[int]) -> None:
        """More cards at the end of the last section (the flat view while a run streams)."""
        if ids:
            self._ids.extend(ids)
            self._sections[-1].ids.extend(ids)
            self._placed_columns = 0
            self._relayout()

    def sections(self) -> list[CardSection]:
        return list(self._sections)

    def headers(self) -> list[QLabel]:
        """The section headers in view, top to bottom."""
        return [self._shown_headers[i] for i in sorted(self._shown_headers)]

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
            index = self._ids.index(item_id)
            placed = self._place(columns, pitch)
            at = max(0, bisect_right([p.first for p in placed], index) - 1)
            part = placed[at]
            row = (index - part.first) // columns
            self.verticalScrollBar().setValue(part.top + part.header + row * pitch)

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

    def _place(self, columns: int, pitch: int) -> list[_Placed]:
        """The sections' positions (cached until the sections or the columns change)."""
        if self._placed_columns == columns and self._placed:
            return self._placed
        placed: list[_Placed] = []
        top = first = 0
        for section in self._sections:
            header = HEADER_HEIGHT if section.title else 0
            placed.append(_Placed(top, header, first, len(section.ids), section))
            top += header + (len(section.ids) + columns - 1) // columns * pitch
            first += len(section.ids)
        self._placed, self._placed_columns = placed, columns
        return placed

    def _visible(
        self, columns: int, pitch: int, top: int, height: int
    ) -> tuple[list[tuple[int, int, int, int]], list[tuple[int, int]]]:
        """(card index, id, x column, y) and (section index, y) of what is in view."""
        cards: list[tuple[int, int, int, int]] = []
        headers: list[tuple[int, int]] = []
        placed = self._place(columns, pitch)
        start = max(0, bisect_right([p.top for p in placed], top) - 1)
        for index in range(start, len(placed)):
            part = placed[index]
            if part.top > top + height:
                break
            if part.header:
                headers.append((index, part.top))
            body = part.top + part.header
            first_row = max(0, (top - body) // pitch)
            rows = (part.count + columns - 1) // columns
            last_row = min(rows, (top + height - body) // pitch + 1)
            for row in range(first_row, last_row):
                for column in range(columns):
                    offset = row * columns + column
                    if offset < part.count:
                        flat = part.first + offset
                        cards.append((flat, self._ids[flat], column, body + row * pitch))
        return cards, headers

    def _relayout(self, *_: object, force: bool = False) -> None:
        columns, card_width, pitch = self._geometry()
        placed = self._place(columns, pitch)
        last = placed[-1]
        end = last.top + last.header + (last.count + columns - 1) // columns * pitch
        height = self.viewport().height()
        bar = self.verticalScrollBar()
        bar.setPageStep(max(1, height))
        bar.setRange(0, max(0, end + GAP - height))
        top = bar.value()
        visible, headers = self._visible(columns, pitch, top, height)
        self._place_headers(headers, top)
        wanted = [item_id for _, item_id, _, _ in visible]
        if not force and list(self._bound) == wanted:
            return
        while len(self._pool) < len(wanted):
            new_card = self._make_card(self.viewport())
            new_card.set_tint_enabled(self.similarity_tint)
            self._pool.append(new_card)
        previous = self._bound
        self._bound = {}
        free = [card for card in self._pool if card.item_id not in wanted]
        for _index, item_id, column, y in visible:
            card = previous.get(item_id)
            if card is None:
                card = free.pop()
            self._bound[item_id] = card
            card.setGeometry(
                GAP + column * (card_width + GAP), GAP + y - top, card_width, CARD_HEIGHT
            )
            if card.item_id != item_id or force:
                self._binder(card, item_id)
                card.set_medoid(item_id in self._medoids)
            card.show()
        for card in free:
            if card.item_id is not None or card.isVisible():
                card.unbind()

    def _place_headers(self, headers: list[tuple[int, int]], top: int) -> None:
        while len(self._headers) < len(headers):
            label = QLabel(self.viewport())
            label.setObjectName("sectionHeader")
            self._headers.append(label)
        self._shown_headers = {}
        width = self.viewport().width() - 2 * GAP
        for label, (index, y) in zip(self._headers, headers, strict=False):
            section = self._sections[index]
            label.setText(section.title)
            label.setToolTip(section.tip)
            label.setProperty("kind", section.kind)
            label.style().unpolish(label)
            label.style().polish(label)
            label.setGeometry(GAP, GAP + y - top, width, HEADER_HEIGHT - 4)
            label.show()
            self._shown_headers[index] = label
        for label in self._headers[len(headers) :]:
            label.hide()
