"""Diff and similarity for the Responses tab: a thin adapter over workbench.core.analysis.

Computed once per (baseline, response) pair after the response finished, then cached; the
HTML is rendered from the cached ops.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.core.analysis import (
    DiffOp,
    encode_all,
    medoid,
    similarity_matrix,
    word_diff,
    words,
)

MEDOID_CAP = 300  # responses in the medoid's similarity matrix (it grows with n²)
CONTEXT_CHARS = 40  # equal text kept around a change in "differences only" mode


@dataclass(frozen=True, slots=True)
class DiffColors:
    insert_bg: str
    insert_fg: str
    delete_bg: str
    delete_fg: str
    muted: str

    @staticmethod
    def for_theme(dark: bool) -> DiffColors:
        # Chosen for contrast >= 4.5:1 of text on its highlight in each theme.
        if dark:
            return DiffColors("#1d4d2b", "#d7f7de", "#5c1f24", "#ffd9dc", "#8a919a")
        return DiffColors("#ccf2d6", "#0b3d1a", "#fbd3d6", "#6b0f17", "#6a717a")


@dataclass(frozen=True, slots=True)
class PairDiff:
    ops: tuple[DiffOp, ...]
    similarity: float  # 1 = same words

    @property
    def identical(self) -> bool:
        return all(op.tag == "equal" for op in self.ops)


def similarity(a: str, b: str) -> float:
    """Word-level similarity (the Summary's pairwise measure) of two texts."""
    return float(similarity_matrix(encode_all([words(a), words(b)]))[0, 1])


def diff_pair(base: str, text: str) -> PairDiff:
    return PairDiff(tuple(word_diff(base, text)), similarity(base, text))


def medoid_index(texts: Sequence[str]) -> int | None:
    """Index of the most typical text (highest mean similarity to the others)."""
    if not texts:
        return None
    chosen = list(range(len(texts)))
    if len(chosen) > MEDOID_CAP:
        chosen = sorted(np.random.default_rng(0).choice(len(texts), MEDOID_CAP, replace=False))
    matrix = similarity_matrix(encode_all([words(texts[i]) for i in chosen]))
    centre = medoid(matrix)
    return None if centre is None else int(chosen[centre])


def _span(text: str, bg: str, fg: str, strike: bool = False) -> str:
    decoration = "text-decoration: line-through;" if strike else ""
    return (
        f'<span style="background-color:{bg}; color:{fg}; {decoration}">'
        f"{_escape(text)}</span>"
    )


def _escape(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _trim_equal(text: str, first: bool, last: bool) -> str:
    """In differences-only mode: keep a little context either side of a change."""
    if len(text) <= 2 * CONTEXT_CHARS + 5:
        return _escape(text)
    head = "" if first else _escape(text[:CONTEXT_CHARS])
    tail = "" if last else _escape(text[-CONTEXT_CHARS:])
    return f'{head}<span style="color:#888"> … </span>{tail}'


def render_html(
    base: str,
    text: str,
    diff: PairDiff,
    colors: DiffColors,
    *,
    side: str = "b",
    only_changes: bool = False,
) -> str:
    """`text` (side "b") or `base` (side "a") with the differences highlighted.

    Side b shows insertions and, struck through, the deleted words of the baseline; side a
    (the left pane of the two-pane diff) shows the baseline with its deleted words marked.
    """
    parts: list[str] = []
    last_index = len(diff.ops) - 1
    for index, op in enumerate(diff.ops):
        a_part = base[op.a_start : op.a_end]
        b_part = text[op.b_start : op.b_end]
        if op.tag == "equal":
            shown = b_part if side == "b" else a_part
            parts.append(
                _trim_equal(shown, index == 0, index == last_index)
                if only_changes else _escape(shown)
            )
            continue
        if side == "a":
            if a_part:
                parts.append(_span(a_part, colors.delete_bg, colors.delete_fg, strike=True))
            continue
        if a_part:
            parts.append(_span(a_part, colors.delete_bg, colors.delete_fg, strike=True))
        if b_part:
            parts.append(_span(b_part, colors.insert_bg, colors.insert_fg))
    return "".join(parts)


def changed_words(base: str, text: str, diff: PairDiff) -> tuple[list[str], list[str]]:
    """(deleted words of base, inserted words of text): what the highlighting marks."""
    deleted: list[str] = []
    inserted: list[str] = []
    for op in diff.ops:
        if op.tag in ("delete", "replace"):
            deleted.extend(words(base[op.a_start : op.a_end]))
        if op.tag in ("insert", "replace"):
            inserted.extend(words(text[op.b_start : op.b_end]))
    return deleted, inserted
