"""Tiny static embedding models (model2vec layout) that the tests write themselves.

    folder = write_model(tmp_path / "m", {"big": v1, "large": v1 + 1e-3, ...})

A WordPiece tokenizer.json with BERT normalisation (lower case) and pre-tokenisation, the
vocabulary's vectors in model.safetensors under "embeddings", and model2vec's config.json.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from workbench.core.analysis.safetensors import write_safetensors

SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]")
DIM = 8

# Synonym groups: members share one vector (up to 1e-3), so texts differing only by them
# embed alike; other words get independent random directions.
SYNONYMS = (
    ("big", "large", "huge"),
    ("car", "automobile", "vehicle"),
    ("fast", "quick", "rapid"),
    ("road", "street"),
    ("happy", "glad", "cheerful"),
    ("begin", "start"),
    ("answer", "reply", "response"),
)
OTHER_WORDS = (
    "the",
    "a",
    "is",
    "and",
    "on",
    "it",
    "was",
    "very",
    "this",
    "that",
    "of",
    "to",
    "in",
    "dog",
    "cat",
    "house",
    "tree",
    "blue",
    "green",
    "red",
    "sky",
    "sea",
    "runs",
    "sleeps",
    "eats",
    "old",
    "new",
    "cold",
    "warm",
    "light",
    "dark",
    "moon",
)


def tokenizer_document(tokens: Sequence[str], model: str = "WordPiece") -> dict[str, object]:
    vocab = {token: i for i, token in enumerate(tokens)}
    body: dict[str, object] = {"type": model, "vocab": vocab, "unk_token": "[UNK]"}
    if model == "WordPiece":
        body |= {"continuing_subword_prefix": "##", "max_input_chars_per_word": 100}
    return {
        "version": "1.0",
        "added_tokens": [{"id": i, "content": t, "special": True} for i, t in enumerate(SPECIAL)],
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": True,
            "strip_accents": None,
            "lowercase": True,
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "model": body,
    }


def write_model(
    folder: Path,
    vectors: Mapping[str, npt.NDArray[np.float64]],
    *,
    tensors: Mapping[str, npt.NDArray[np.generic]] | None = None,
    model: str = "WordPiece",
) -> Path:
    """A model2vec folder whose vocabulary is the special tokens then `vectors`' words."""
    folder.mkdir(parents=True, exist_ok=True)
    dim = len(next(iter(vectors.values())))
    tokens = [*SPECIAL, *vectors]
    table = np.zeros((len(tokens), dim), np.float32)
    for i, word in enumerate(vectors, start=len(SPECIAL)):
        table[i] = vectors[word]
    write_safetensors(
        folder / "model.safetensors",
        dict(tensors) if tensors is not None else {"embeddings": table},
    )
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer_document(tokens, model)))
    (folder / "config.json").write_text(
        json.dumps({"model_type": "model2vec", "hidden_dim": dim, "normalize": True})
    )
    return folder


def synonym_vectors(seed: int = 0) -> dict[str, npt.NDArray[np.float64]]:
    """50 words in 8 dimensions: SYNONYMS groups near-identical, OTHER_WORDS random."""
    rng = np.random.default_rng(seed)
    out: dict[str, npt.NDArray[np.float64]] = {}
    for group in SYNONYMS:
        base = rng.normal(size=DIM)
        for word in group:
            out[word] = base + rng.normal(scale=1e-3, size=DIM)
    for word in OTHER_WORDS:
        out[word] = rng.normal(size=DIM)
    return out


def synonym_model(folder: Path) -> Path:
    return write_model(folder, synonym_vectors())
