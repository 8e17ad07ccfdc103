"""The entry to the optional semantic similarity, kept apart so that importing the analysis
never imports the embedding backend (embeddings.py, safetensors.py, static_tokenizer.py)."""

from __future__ import annotations

from pathlib import Path

from workbench.core.analysis.similarity import SimilarityMeasure


def load_embedding_similarity(folder: Path) -> SimilarityMeasure:
    """The semantic measure of the static embedding model in `folder` (model2vec layout,
    or sentence-transformers with a StaticEmbedding module). Raises EmbeddingModelError
    naming the path and what is wrong; reads the files, downloads nothing."""
    from workbench.core.analysis.embeddings import EmbeddingSimilarity  # only when asked

    return EmbeddingSimilarity.load(folder)
