"""The optional semantic similarity: a static embedding model the tests write themselves."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.core.analysis.synth import sample
from tests.helpers.embedding_model import synonym_model, synonym_vectors, write_model
from workbench.core.analysis import (
    AnalysisOptions,
    EmbeddingModelError,
    analyze,
    load_embedding_similarity,
)
from workbench.core.analysis import embeddings as embeddings_module
from workbench.core.analysis.embeddings import EmbeddingSimilarity

A = "The big car is fast and the road is old."
A_SYNONYMS = "The large automobile is rapid and the street is old."
B = "The happy dog sleeps in the warm house."
B_SYNONYMS = "The glad dog sleeps in the warm house."


@pytest.fixture
def model(tmp_path: Path) -> EmbeddingSimilarity:
    measure = load_embedding_similarity(synonym_model(tmp_path / "tiny"))
    assert isinstance(measure, EmbeddingSimilarity)
    return measure


def _cell(texts: list[str]) -> list:  # type: ignore[type-arg]
    return [sample(text=t, level=1) for t in texts]


def test_synonyms_are_one_answer_by_meaning_but_two_by_words(
    model: EmbeddingSimilarity,
) -> None:
    samples = _cell([A, A_SYNONYMS])
    by_words = analyze(samples).cells[0]
    by_meaning = analyze(samples, AnalysisOptions(similarity=model)).cells[0]
    assert by_words.diversity.clusters == 2
    assert by_meaning.diversity.clusters == 1
    assert by_meaning.similarity.mean == pytest.approx(1.0, abs=1e-4)
    assert by_words.similarity.mean is not None and by_words.similarity.mean < 0.8


def test_every_diversity_measure_is_computed_on_either_similarity(
    model: EmbeddingSimilarity,
) -> None:
    # Two answers, A four times in two wordings, B twice: meaning sees two groups.
    samples = _cell([A, A_SYNONYMS, A, A_SYNONYMS, B, B_SYNONYMS])
    words = analyze(samples)
    meaning = analyze(samples, AnalysisOptions(similarity=model))
    assert words.similarity_measure == "words"
    assert meaning.similarity_measure == "embeddings: tiny (55 tokens x 8)"
    d = meaning.cells[0].diversity
    assert (d.n, d.clusters) == (6, 2)
    assert d.modal_agreement == pytest.approx(2 / 3)
    assert d.semantic_entropy == pytest.approx(-(2 / 3) * math.log(2 / 3) - math.log(1 / 3) / 3)
    assert d.vendi is not None and 1.5 < d.vendi < 2.5
    w = words.cells[0].diversity  # A's two wordings are two answers by words
    assert (w.n, w.clusters) == (6, 3)
    assert w.modal_agreement == pytest.approx(1 / 3)
    assert w.vendi is not None and w.vendi > d.vendi
    assert w.semantic_entropy is not None and w.semantic_entropy > d.semantic_entropy
    assert w.modal_agreement is not None and w.modal_agreement < d.modal_agreement
    # The medoid and the word divergence from it exist on both.
    for report in (words, meaning):
        sim = report.cells[0].similarity
        assert sim.medoid_sample_id is not None and sim.divergence_min is not None


def test_the_cluster_threshold_applies_to_the_embedding_similarity(
    model: EmbeddingSimilarity,
) -> None:
    samples = _cell([A, A_SYNONYMS, B, B_SYNONYMS])
    loose = analyze(samples, AnalysisOptions(similarity=model, cluster_threshold=0.01))
    strict = analyze(samples, AnalysisOptions(similarity=model, cluster_threshold=0.95))
    assert loose.cells[0].diversity.clusters == 1
    assert strict.cells[0].diversity.clusters == 2  # A's two wordings, B's two


def test_similarity_effects_bootstrap_on_embeddings(model: EmbeddingSimilarity) -> None:
    alike = _cell([A, A_SYNONYMS] * 10)
    varied = [sample(text=t, level=8) for t in [A, B, "the moon is dark", "a cat eats"] * 5]
    report = analyze(alike + varied, AnalysisOptions(similarity=model, resamples=300))
    effect = next(e for e in report.effects if e.metric == "similarity_mean")
    assert effect.significant and effect.change is not None and effect.change < 0
    assert "effective number of answers computed on embeddings: tiny" in _summary(report)


def _summary(report: object) -> str:
    from workbench.core.analysis import format_report

    return format_report(report)  # type: ignore[arg-type]


def test_responses_with_no_known_word_are_alike_and_unlike_the_rest(
    model: EmbeddingSimilarity,
) -> None:
    texts = ["", "zzz qqq", A, A_SYNONYMS]
    m = model.matrix(texts, [[] for _ in texts])
    assert m[0, 1] == 1.0 and m[0, 2] == 0.0 and m[1, 3] == 0.0
    assert np.allclose(np.diag(m), 1.0) and (m >= 0).all() and (m <= 1).all()


def test_batches_bound_memory_without_changing_the_vectors(
    model: EmbeddingSimilarity, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [A, "", B, B_SYNONYMS * 3, "qqq", A_SYNONYMS] * 7
    whole = model.encode(texts)
    monkeypatch.setattr(embeddings_module, "BATCH_TOKENS", 5)
    assert np.allclose(model.encode(texts), whole, atol=1e-6)
    norms = np.linalg.norm(whole, axis=1)
    assert np.allclose(norms[[0, 2, 3, 5]], 1.0) and norms[1] == 0 and norms[4] == 0


def test_wordpiece_splits_an_unknown_word_into_known_pieces(tmp_path: Path) -> None:
    vectors = {
        "cat": np.array([1.0, 0.0]),
        "##s": np.array([0.0, 1.0]),
        "dog": np.array([-1.0, 0.0]),
    }
    measure = load_embedding_similarity(write_model(tmp_path / "wp", vectors))
    assert isinstance(measure, EmbeddingSimilarity)
    assert measure.tokenizer.ids("Cats, dogs!") == [4, 5, 6, 5]  # cat ##s dog ##s
    assert measure.tokenizer.ids("catz") == []  # no piece for "z": the unknown token, dropped
    # "cat" against "dog": opposite vectors, a negative cosine, read as unrelated (0).
    assert measure.matrix(["cat", "dog"], [[], []])[0, 1] == 0.0


def test_model2vec_mapping_and_per_token_weights_are_applied(tmp_path: Path) -> None:
    vectors = synonym_vectors()
    rows = np.stack([np.zeros(8), np.zeros(8), np.zeros(8), np.zeros(8), *vectors.values()])
    tokens = 4 + len(vectors)
    dog, cat = 4 + list(vectors).index("dog"), 4 + list(vectors).index("cat")
    mapping = np.arange(tokens, dtype=np.int64)
    mapping[cat] = dog  # "cat" now reads "dog"'s row
    weights = np.ones(tokens, np.float32)
    weights[dog] = 5.0  # scales "dog" only: its direction, hence "dog" alone, is unchanged
    folder = write_model(
        tmp_path / "q",
        vectors,
        tensors={"embeddings": rows.astype(np.float16), "mapping": mapping, "weights": weights},
    )
    measure = load_embedding_similarity(folder)
    m = measure.matrix(["dog", "cat", "dog moon", "cat moon"], [[]] * 4)
    assert m[0, 1] == pytest.approx(1.0, abs=1e-3)
    # With "dog" weighted 5x its pair with "moon" points nearer "dog" than "cat moon" does.
    assert m[0, 2] > m[0, 3]


def test_a_sentence_transformers_static_embedding_folder_loads(tmp_path: Path) -> None:
    inner = synonym_model(tmp_path / "st" / "0_StaticEmbedding")
    st = tmp_path / "st"
    (st / "modules.json").write_text(
        json.dumps(
            [
                {
                    "idx": 0,
                    "name": "0",
                    "path": "0_StaticEmbedding",
                    "type": "sentence_transformers.models.StaticEmbedding",
                }
            ]
        )
    )
    table = load_embedding_similarity(inner)
    assert isinstance(table, EmbeddingSimilarity)
    from workbench.core.analysis.safetensors import write_safetensors

    write_safetensors(inner / "model.safetensors", {"embedding.weight": table.table})
    measure = load_embedding_similarity(st)
    assert measure.matrix([A, A_SYNONYMS], [[], []])[0, 1] == pytest.approx(1.0, abs=1e-4)


def _broken(tmp_path: Path, name: str) -> Path:
    return synonym_model(tmp_path / name)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda f: (f / "tokenizer.json").unlink(), "no tokenizer.json (the vocabulary)"),
        (lambda f: (f / "model.safetensors").unlink(), "no model.safetensors"),
        (
            lambda f: (f / "model.safetensors").write_bytes(
                b"\x04\x00\x00\x00\x00\x00\x00\x00{no]"
            ),
            "header is not JSON",
        ),
        (
            lambda f: (f / "model.safetensors").write_bytes(b"PK\x03\x04" * 20),
            "not a safetensors file",
        ),
        (
            lambda f: (f / "model.safetensors").write_bytes(
                (f / "model.safetensors").read_bytes()[:-40]
            ),
            "truncated",
        ),
        (lambda f: (f / "tokenizer.json").write_text("{]"), "not JSON"),
        (
            lambda f: (f / "tokenizer.json").write_text(
                json.dumps({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})
            ),
            "model type 'BPE' is not supported",
        ),
        (
            lambda f: (f / "tokenizer.json").write_text(
                json.dumps(
                    {
                        "model": {"type": "WordLevel", "vocab": {"a": 0}},
                        "pre_tokenizer": {"type": "ByteLevel"},
                    }
                )
            ),
            "pre_tokenizer type 'ByteLevel' is not supported",
        ),
        (
            lambda f: (f / "modules.json").write_text(
                json.dumps(
                    [{"idx": 0, "path": "", "type": "sentence_transformers.models.Transformer"}]
                )
            ),
            "'sentence_transformers.models.Transformer' (modules.json), which needs PyTorch",
        ),
    ],
)
def test_a_bad_model_folder_is_refused_naming_the_path_and_the_fault(
    tmp_path: Path, spoil: object, message: str
) -> None:
    folder = _broken(tmp_path, "bad")
    spoil(folder)  # type: ignore[operator]
    with pytest.raises(EmbeddingModelError) as caught:
        load_embedding_similarity(folder)
    assert message in str(caught.value)
    assert str(folder) in str(caught.value)


@pytest.mark.parametrize(
    ("tensors", "message"),
    [
        ({"embeddings": np.zeros(55, np.float32)}, "has shape [55], not (tokens, dimensions)"),
        (
            {"embeddings": np.zeros((20, 8), np.float32)},
            "has 20 rows but the tokenizer has 55 tokens",
        ),
        (
            {"encoder.layer.0.weight": np.zeros((4, 4), np.float32)},
            "no tensor named 'embeddings' or 'embedding.weight'",
        ),
        (
            {"embeddings": np.ones((55, 8), np.float32), "weights": np.ones(3, np.float32)},
            "tensor 'weights' has shape [3], expected [55]",
        ),
        ({"embeddings": np.full((55, 8), np.nan, np.float32)}, "NaN or infinite"),
    ],
)
def test_wrong_shapes_are_refused_naming_the_file(
    tmp_path: Path, tensors: dict[str, np.ndarray], message: str
) -> None:
    folder = write_model(tmp_path / "shapes", synonym_vectors(), tensors=tensors)
    with pytest.raises(EmbeddingModelError) as caught:
        load_embedding_similarity(folder)
    assert message in str(caught.value)
    assert str(folder / "model.safetensors") in str(caught.value)


def test_a_missing_folder_or_a_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="no such folder"):
        load_embedding_similarity(tmp_path / "nowhere")
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"")
    with pytest.raises(EmbeddingModelError, match="a file, not a folder"):
        load_embedding_similarity(file)


def test_the_default_analysis_imports_nothing_of_the_embedding_backend() -> None:
    code = (
        "import sys\n"
        "from tests.core.analysis.synth import sample\n"
        "from workbench.core.analysis import analyze\n"
        "analyze([sample(text='a b c'), sample(text='a b d')])\n"
        "names = ('embeddings', 'static_tokenizer', 'safetensors')\n"
        "print([n for n in names if 'workbench.core.analysis.' + n in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert out.stdout.strip() == "[]"
