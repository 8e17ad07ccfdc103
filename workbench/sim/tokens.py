"""The simulator's tokenizer: runs of up to six letters, up to three digits, or one other symbol,
each carrying the whitespace before it. About 1.3 tokens per English word; concatenating the
pieces gives back the text exactly, so streamed chunks and usage counts always agree.
"""

from __future__ import annotations

import re

_PIECE = re.compile(r"\s*(?:[^\W\d_]{1,6}|\d{1,3}|[^\w\s]|_)|\s+\Z")


def split_tokens(text: str) -> list[str]:
    """Pieces whose concatenation is `text`; trailing whitespace joins the last piece."""
    pieces = _PIECE.findall(text)
    if len(pieces) > 1 and pieces[-1].isspace():
        tail = pieces.pop()
        pieces[-1] += tail
    return pieces


def count_tokens(text: str) -> int:
    """Number of tokens in `text`, as the simulator reports them in usage."""
    pieces = _PIECE.findall(text)
    return len(pieces) - (1 if pieces and pieces[-1].isspace() else 0)
