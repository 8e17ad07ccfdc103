"""`--embedding-model DIR`, shared by analyze, export and compare: the optional semantic
similarity behind the similarity, cluster and Vendi figures (docs/analysis.md, "Semantic
similarity (optional)")."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.core.analysis import SimilarityMeasure, load_embedding_similarity


def add_embedding_option(parser: Any) -> None:
    parser.add_argument(
        "--embedding-model",
        type=Path,
        metavar="DIR",
        help="compare responses by meaning: a static embedding model folder on disk "
        "(model2vec, or sentence-transformers StaticEmbedding: model.safetensors + "
        "tokenizer.json; nothing is downloaded). Default: word-level similarity",
    )


def similarity_measure(args: argparse.Namespace) -> SimilarityMeasure | None:
    """The loaded model, or None for word similarity. Raises EmbeddingModelError."""
    folder: Path | None = args.embedding_model
    return None if folder is None else load_embedding_similarity(folder)
