"""Semantic similarity from a static embedding model on disk (model2vec-style), numpy only.

A response's vector is the sum of its tokens' vectors (each times the model's per-token
weight, if it has one), L2-normalised: the mean-pooled embedding, since scale does not
change a direction. Similarity is the cosine of two such vectors clipped to [0, 1]: opposed
directions (negative cosine) count as unrelated (0), like two responses sharing no word
under the word measure, so every measure built on the matrix (mean, clusters, Vendi) reads
the same scale on either backend. A response with no known token has no direction: it is
identical (1) to another such response and unrelated (0) to the rest.

Loaded only when the user names a model folder (`load_embedding_similarity`); nothing here
is imported by the default word-level analysis, and nothing is ever downloaded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from workbench.core.analysis.safetensors import SafetensorsError, read_header, read_tensor
from workbench.core.analysis.similarity import EmbeddingModelError, FloatMatrix
from workbench.core.analysis.static_tokenizer import StaticTokenizer, TokenizerError

# Tokens pooled at once: a response's token vectors are gathered in slices of this many, so
# the copy stays under 32 MB at 256 dimensions however long the response. One response at a
# time, a gather-and-sum per slice: measured 20-50x faster than np.add.reduceat over a
# batch's tokens, and faster than a (texts x tokens) count matrix times the table.
BATCH_TOKENS = 32_768
EMBEDDING_NAMES = ("embeddings", "embedding.weight")  # model2vec, sentence-transformers
STATIC_MODULE = "sentence_transformers.models.StaticEmbedding"
FORMAT_HINT = (
    "a static-embedding folder holds model.safetensors and tokenizer.json "
    "(model2vec, or sentence-transformers with a StaticEmbedding module)"
)


def _module_folder(folder: Path) -> Path:
    """Where the embedding table lives: the folder itself, or the StaticEmbedding module's
    subfolder named by a sentence-transformers modules.json."""
    modules_file = folder / "modules.json"
    if not modules_file.is_file():
        return folder
    try:
        modules: Any = json.loads(modules_file.read_bytes())
        first = modules[0] if isinstance(modules, list) and modules else {}
        kind, sub = first.get("type", ""), first.get("path", "")
    except (OSError, ValueError, AttributeError) as exc:
        raise EmbeddingModelError(f"{modules_file}: cannot read it ({exc})") from exc
    if kind != STATIC_MODULE:
        raise EmbeddingModelError(
            f"{folder}: its first sentence-transformers module is {kind!r} (modules.json), "
            "which needs PyTorch to run. Only static-embedding models are supported: "
            f"{FORMAT_HINT}."
        )
    return folder / sub if isinstance(sub, str) and sub else folder


def _require(path: Path, what: str) -> Path:
    if not path.is_file():
        raise EmbeddingModelError(f"{path.parent}: no {path.name} ({what}); {FORMAT_HINT}")
    return path


def _load_table(path: Path, vocab_size: int) -> npt.NDArray[np.float32]:
    """The (vocabulary x dimensions) float32 table, with model2vec's token mapping and
    per-token weights applied."""
    entries, start = read_header(path)
    name = next((n for n in EMBEDDING_NAMES if n in entries), None)
    if name is None:
        listed = ", ".join(list(entries)[:5]) or "none"
        raise EmbeddingModelError(
            f"{path}: no tensor named {' or '.join(map(repr, EMBEDDING_NAMES))} (tensors: "
            f"{listed}); a transformer's weights are not a static embedding table"
        )
    entry = entries[name]
    if len(entry.shape) != 2 or 0 in entry.shape:
        raise EmbeddingModelError(
            f"{path}: tensor {name!r} has shape {list(entry.shape)}, not (tokens, dimensions)"
        )
    table = read_tensor(path, entry, start).astype(np.float32, copy=False)
    if "mapping" in entries:  # model2vec's vocabulary quantisation: token -> table row
        mapping = read_tensor(path, entries["mapping"], start)
        if (
            mapping.ndim != 1
            or mapping.size < vocab_size
            or mapping.dtype.kind not in "iu"
            or (mapping.size and (mapping.min() < 0 or mapping.max() >= table.shape[0]))
        ):
            raise EmbeddingModelError(
                f"{path}: tensor 'mapping' (shape {list(mapping.shape)}) does not map the "
                f"{vocab_size:,} tokens to rows of the {table.shape[0]:,}-row table"
            )
        table = table[mapping.astype(np.int64)]
    elif table.shape[0] < vocab_size:
        raise EmbeddingModelError(
            f"{path}: tensor {name!r} has {table.shape[0]:,} rows but the tokenizer has "
            f"{vocab_size:,} tokens"
        )
    if "weights" in entries:
        weights = read_tensor(path, entries["weights"], start)
        if weights.shape != (table.shape[0],):
            raise EmbeddingModelError(
                f"{path}: tensor 'weights' has shape {list(weights.shape)}, expected "
                f"[{table.shape[0]}] (one weight per token)"
            )
        table = table * weights.astype(np.float32)[:, None]
    if not np.isfinite(table).all():
        raise EmbeddingModelError(f"{path}: tensor {name!r} holds NaN or infinite values")
    return np.ascontiguousarray(table, dtype=np.float32)


class EmbeddingSimilarity:
    """Cosine similarity of mean-pooled static token embeddings (see the module doc)."""

    def __init__(
        self, folder: Path, tokenizer: StaticTokenizer, table: npt.NDArray[np.float32]
    ) -> None:
        self.folder = folder
        self.tokenizer = tokenizer
        self.table = table
        self.label = f"embeddings: {folder.name} ({table.shape[0]:,} tokens x {table.shape[1]})"

    @classmethod
    def load(cls, folder: Path) -> EmbeddingSimilarity:
        """Read and check the model; raises EmbeddingModelError naming the path and fault."""
        folder = Path(folder).expanduser()
        if not folder.exists():
            raise EmbeddingModelError(f"{folder}: no such folder")
        if not folder.is_dir():
            raise EmbeddingModelError(f"{folder}: a file, not a folder; {FORMAT_HINT}")
        where = _module_folder(folder)
        weights_file = _require(where / "model.safetensors", "the embedding table")
        tokenizer_file = _require(where / "tokenizer.json", "the vocabulary")
        try:
            tokenizer = StaticTokenizer.load(tokenizer_file)
            table = _load_table(weights_file, tokenizer.size)
        except (SafetensorsError, TokenizerError) as exc:
            raise EmbeddingModelError(str(exc)) from exc
        return cls(folder.resolve(), tokenizer, table)

    @property
    def dimensions(self) -> int:
        return int(self.table.shape[1])

    def _pool(self, ids: list[int]) -> npt.NDArray[np.float32]:
        total = np.zeros(self.dimensions, np.float32)
        for start in range(0, len(ids), BATCH_TOKENS):
            total += self.table[ids[start : start + BATCH_TOKENS]].sum(axis=0)
        return total

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit vectors, one row per text (a zero row for a text with no known token)."""
        out = np.zeros((len(texts), self.dimensions), np.float32)
        for row, text in enumerate(texts):
            ids = self.tokenizer.ids(text)
            if ids:
                out[row] = self._pool(ids)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def matrix(self, texts: Sequence[str], codes: Sequence[Sequence[int]]) -> FloatMatrix:
        """n x n similarity of `texts` (the word codes are not used here)."""
        vectors = self.encode(texts)
        out: FloatMatrix = np.clip(vectors @ vectors.T, 0.0, 1.0).astype(np.float64)
        empty = np.flatnonzero(~vectors.any(axis=1))
        out[np.ix_(empty, empty)] = 1.0
        np.fill_diagonal(out, 1.0)
        return out
