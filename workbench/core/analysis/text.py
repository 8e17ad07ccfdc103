"""Cheap text measurements: words, sentences, list items, headings, distinct 2-grams.

These are proxies for "depth", not a judgement of quality: they are meant to move when a
model starts answering in fewer, flatter words under load.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

# A word: letters/digits/underscore, with inner apostrophes or hyphens ("don't", "well-known").
WORD = re.compile(r"\w+(?:['’\-]\w+)*")
# A sentence: from a word character to terminal punctuation (and closing quotes) followed by
# whitespace or the end, or to the end of the line. One findall per text (this runs on
# every response of a session).
_SENTENCE = re.compile(r"\w[^\n]*?(?:[.!?]+[\"'’”)\]]*(?=\s|$)|$)", re.MULTILINE)
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+][ \t]|\d{1,3}[.)][ \t])", re.MULTILINE)
_HEADING = re.compile(r"^[ \t]*#", re.MULTILINE)
_HEADING_LINE = re.compile(r"^[ \t]*#.*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class TextFeatures:
    chars: int
    words: int
    sentences: int
    list_items: int
    headings: int
    distinct_bigrams: int


def words(text: str) -> list[str]:
    return WORD.findall(text)


def count_sentences(text: str) -> int:
    """Sentence-like units outside headings. A list item without a full stop counts as one.

    A heuristic: abbreviations ("e.g. x") over-count; it is compared between cells of the
    same prompt, where such bias cancels out.
    """
    body = _HEADING_LINE.sub("", text) if "#" in text else text
    body = _LIST_ITEM.sub("", body)  # "1. " is a marker, not a sentence end
    return len(_SENTENCE.findall(body))



def text_features(text: str, tokens: Sequence[str] | None = None) -> TextFeatures:
    toks = words(text) if tokens is None else tokens
    return TextFeatures(
        chars=len(text),
        words=len(toks),
        sentences=count_sentences(text),
        list_items=len(_LIST_ITEM.findall(text)),
        headings=len(_HEADING.findall(text)),
        distinct_bigrams=len(set(pairwise(toks))),
    )


class TokenCoder:
    """Maps each distinct word to a small int code, most frequent words first.

    rapidfuzz compares sequences of hashables; its bit-parallel matcher uses a flat table for
    codes below 256 and a hash map above, so giving the commonest words the smallest codes
    makes the similarity matrix about 3x faster on natural text (measured: 0.7 s vs 2.0 s
    for 1,000 x 300 words).
    """

    def __init__(self, token_lists: Sequence[Sequence[str]]) -> None:
        counts: Counter[str] = Counter()
        for toks in token_lists:
            counts.update(toks)
        self.codes: dict[str, int] = {w: i for i, (w, _) in enumerate(counts.most_common())}

    def encode(self, tokens: Sequence[str]) -> list[int]:
        codes = self.codes
        next_code = len(codes)
        out: list[int] = []
        for tok in tokens:
            code = codes.get(tok)
            if code is None:  # a word not seen at construction: give it a fresh code
                code = codes[tok] = next_code
                next_code += 1
            out.append(code)
        return out
