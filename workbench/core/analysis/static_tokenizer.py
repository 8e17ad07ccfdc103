"""A small reader of a Hugging Face tokenizer.json, for static embedding models.

Only what model2vec-style static models use is supported: a WordLevel or WordPiece model,
BERT-style normalisation (lower case, accents stripped, Unicode NFx) and pre-tokenisation
(whitespace and punctuation). Anything else (BPE, Unigram, ByteLevel, Metaspace, ...) is
refused with the file and the field named, rather than tokenised wrongly. Special tokens
are not added and the unknown token is dropped, as model2vec's own encode() does.

Differences from the `tokenizers` package, on purpose or as simplification: punctuation is
Unicode's non-word, non-space characters; added tokens written in the text ("[CLS]") are not
matched as one token; CJK ideographs are split one per token only under BertNormalizer.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

Normalizer = Callable[[str], str]
WORD_CACHE_LIMIT = 500_000  # distinct words remembered with their token ids
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
# What a pre-tokenizer keeps: BERT's splits each punctuation character off on its own.
_SPLITS = {
    "BertPreTokenizer": re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]"),
    "Whitespace": re.compile(r"\w+|[^\w\s]+"),
    "WhitespaceSplit": re.compile(r"\S+"),
    "Punctuation": re.compile(r"[^\W]+|[^\w\s]"),
}
MODELS = ("WordLevel", "WordPiece")


class TokenizerError(ValueError):
    """tokenizer.json cannot be used; the message names the file and the field."""


def _strip_accents(text: str) -> str:
    if text.isascii():  # the common case, and a per-character loop is slow
        return text
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    )


def _normalizers(path: Path, spec: Any) -> list[Normalizer]:
    if spec is None:
        return []
    if not isinstance(spec, dict):
        raise TokenizerError(f"{path}: normalizer is not an object")
    kind = spec.get("type")
    if kind == "Sequence":
        return [n for part in spec.get("normalizers") or [] for n in _normalizers(path, part)]
    if kind == "BertNormalizer":
        lower = bool(spec.get("lowercase", True))
        strip = spec.get("strip_accents")
        out: list[Normalizer] = [lambda t: t.lower()] if lower else []
        if strip or (strip is None and lower):  # BERT strips accents when it lowercases
            out.append(_strip_accents)
        return out
    simple: dict[str, Normalizer] = {
        "Lowercase": str.lower,
        "StripAccents": _strip_accents,
        "Strip": str.strip,
        "NFD": lambda t: unicodedata.normalize("NFD", t),
        "NFKD": lambda t: unicodedata.normalize("NFKD", t),
        "NFC": lambda t: unicodedata.normalize("NFC", t),
        "NFKC": lambda t: unicodedata.normalize("NFKC", t),
    }
    if kind in simple:
        return [simple[kind]]
    raise TokenizerError(
        f"{path}: normalizer type {kind!r} is not supported (supported: BertNormalizer, "
        f"Sequence, {', '.join(simple)})"
    )


def _splitter(path: Path, spec: Any) -> re.Pattern[str]:
    if spec is None:
        return _SPLITS["WhitespaceSplit"]
    if not isinstance(spec, dict):
        raise TokenizerError(f"{path}: pre_tokenizer is not an object")
    kind = spec.get("type")
    if kind == "Sequence":
        # A chain of splits keeps the finest one: each of ours refines WhitespaceSplit.
        parts = [_splitter(path, p) for p in spec.get("pretokenizers") or []]
        order = list(_SPLITS.values())
        return max(parts, key=order.index, default=_SPLITS["WhitespaceSplit"])
    if kind in _SPLITS:
        return _SPLITS[kind]
    raise TokenizerError(
        f"{path}: pre_tokenizer type {kind!r} is not supported (supported: "
        f"{', '.join(_SPLITS)}, Sequence)"
    )


class StaticTokenizer:
    """Text -> token ids of a WordLevel / WordPiece vocabulary (unknown words dropped)."""

    def __init__(self, path: Path, document: Any) -> None:
        if not isinstance(document, dict) or not isinstance(document.get("model"), dict):
            raise TokenizerError(f'{path}: no "model" object (not a tokenizer.json?)')
        model: dict[str, Any] = document["model"]
        kind = model.get("type") or (
            "WordPiece"
            if "continuing_subword_prefix" in model
            else "BPE"
            if "merges" in model
            else None
        )
        if kind not in MODELS:
            raise TokenizerError(
                f"{path}: model type {kind!r} is not supported: static embedding models with "
                f"a {' or '.join(MODELS)} vocabulary only"
            )
        vocab = model.get("vocab")
        if not (
            isinstance(vocab, dict)
            and vocab
            and all(isinstance(i, int) and i >= 0 for i in vocab.values())
        ):
            raise TokenizerError(f"{path}: model.vocab is not a map of tokens to ids")
        self.kind: str = kind
        self.vocab: dict[str, int] = vocab
        self.size = max(vocab.values()) + 1
        self.unk: str | None = model.get("unk_token")
        self.prefix: str = model.get("continuing_subword_prefix") or "##"
        self.max_chars: int = int(model.get("max_input_chars_per_word") or 100)
        self.normalizers = _normalizers(path, document.get("normalizer"))
        self.split = _splitter(path, document.get("pre_tokenizer"))
        self._cache: dict[str, tuple[int, ...]] = {}

    @classmethod
    def load(cls, path: Path) -> StaticTokenizer:
        try:
            document = json.loads(path.read_bytes())
        except OSError as exc:
            raise TokenizerError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TokenizerError(f"{path}: not JSON ({exc})") from exc
        return cls(path, document)

    def _word_ids(self, word: str) -> tuple[int, ...]:
        vocab = self.vocab
        if self.kind == "WordLevel":
            found = vocab.get(word)
            return () if found is None else (found,)
        if len(word) > self.max_chars:
            return ()
        # WordPiece: the longest vocabulary piece first; a word with an unknown part is
        # the unknown token as a whole (dropped).
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            piece_id = None
            while end > start:
                piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                piece_id = vocab.get(piece)
                if piece_id is not None:
                    break
                end -= 1
            if piece_id is None:
                return ()
            ids.append(piece_id)
            start = end
        return tuple(ids)

    def ids(self, text: str) -> list[int]:
        for normalize in self.normalizers:
            text = normalize(text)
        cache = self._cache
        out: list[int] = []
        for word in self.split.findall(text):
            found = cache.get(word)
            if found is None:
                if len(cache) >= WORD_CACHE_LIMIT:
                    cache.clear()
                found = cache[word] = self._word_ids(word)
            out.extend(found)
        return out
