"""Speed of the variability analysis (not a test; CI does not run it).

    .venv/bin/python benchmarks/analysis_speed.py [--repeat 3]

Targets (issue #6): similarity matrix of 1,000 responses x 300 words <= 2 s; full analysis
of a 20,000-attempt session <= 5 s; word diff of two 10,000-word responses <= 100 ms.
The optional semantic similarity (issue #13) is timed on a synthetic static embedding model
of 30,000 tokens x 256 dimensions written to a temporary folder: loading it, embedding
20,000 responses, and the full analysis with it.
Texts use a Zipf-distributed vocabulary (like natural text: a few words very common); the
similarity matrix is also timed on a uniform vocabulary, its worst case.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import rapidfuzz

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.core.analysis import (
    AnalysisOptions,
    analyze,
    encode_all,
    load_embedding_similarity,
    similarity_matrix,
    word_diff,
    words,
)
from workbench.core.analysis.embeddings import EmbeddingSimilarity
from workbench.core.analysis.safetensors import write_safetensors
from workbench.core.records import CellKey, ErrorInfo, Sample, Timing

VOCAB_SIZE = 5000
MODEL_TOKENS, MODEL_DIM = 30_000, 256


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class Words:
    def __init__(self, rng: np.random.Generator, zipf: bool = True) -> None:
        self.rng = rng
        self.vocab = [f"w{i}" for i in range(VOCAB_SIZE)]
        weights = 1.0 / np.arange(1, VOCAB_SIZE + 1) ** 1.1 if zipf else np.ones(VOCAB_SIZE)
        self.p = weights / weights.sum()

    def text(self, n: int) -> str:
        picks = self.rng.choice(VOCAB_SIZE, size=n, p=self.p)
        out: list[str] = []
        for i, k in enumerate(picks):
            out.append(self.vocab[k] + ("." if i % 12 == 11 else ""))
        return " ".join(out)


def _matrix(token_lists: list[list[str]]) -> object:
    return similarity_matrix(encode_all(token_lists))


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def synthetic_session(n_attempts: int, rng: np.random.Generator) -> list[Sample]:
    """10 levels x 2 variants; ~2% errors with a retry each; 50-300 words per response."""
    gen = Words(rng)
    levels = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    variants = ["base", "terse"]
    per_cell = n_attempts // (len(levels) * len(variants))
    samples: list[Sample] = []
    next_id = 0
    for level in levels:
        for variant in variants:
            cell = CellKey(endpoint="bench", model="m", variant=variant, level=level)
            for rep in range(per_cell):
                failed = rng.random() < 0.02 and len(samples) < n_attempts - 1
                n_words = int(rng.integers(50, 300))
                ttft = float(rng.gamma(4.0, 50.0)) * (1 + level / 64)
                e2e = ttft + n_words * 8.0
                timing = Timing(
                    send_wall=1.7e9 + next_id * 0.01, send_mono_ns=0,
                    ttft_ns=int(ttft * 1e6), e2e_ns=int(e2e * 1e6),
                    content_offsets_ns=[int(x * 1e6) for x in np.linspace(ttft, e2e, 20)],
                )
                if failed:
                    samples.append(Sample(
                        session="bench", id=next_id, cell=cell, repetition=rep,
                        outcome="error", timing=timing,
                        error=ErrorInfo(error_class="http_5xx", message="boom"),
                    ))
                    next_id += 1
                samples.append(Sample(
                    session="bench", id=next_id, cell=cell, repetition=rep,
                    attempt=1 if failed else 0, retry_of=next_id - 1 if failed else None,
                    outcome="ok", timing=timing, text=gen.text(n_words),
                    finish_reason="stop", output_tokens=int(n_words * 1.3),
                ))
                next_id += 1
    return samples[:n_attempts]


def synthetic_model(folder: Path, rng: np.random.Generator) -> Path:
    """A model2vec-layout folder: WordPiece vocabulary of the benchmark's words (w0, w1, ...)
    and their pieces, random float32 vectors."""
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    pieces = [f"##{d}" for d in range(10)] + ["w", "."]
    tokens = special + pieces + [f"w{i}" for i in range(MODEL_TOKENS - 16)]
    vectors = rng.normal(size=(len(tokens), MODEL_DIM)).astype(np.float32)
    write_safetensors(folder / "model.safetensors", {"embeddings": vectors})
    tokenizer = {
        "normalizer": {"type": "BertNormalizer", "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "vocab": {t: i for i, t in enumerate(tokens)}},
    }
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer))
    (folder / "config.json").write_text(json.dumps({"model_type": "model2vec"}))
    return folder


def embeddings_figures(repeat: int, samples: list[Sample], rng: np.random.Generator) -> None:
    texts = [s.text for s in samples if s.outcome == "ok"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = synthetic_model(Path(tmp), rng)
        seconds = best_of(repeat, partial(load_embedding_similarity, folder))
        print(f"embedding model load ({MODEL_TOKENS:,} tokens x {MODEL_DIM}): {seconds:.3f} s")
        model = load_embedding_similarity(folder)
    assert isinstance(model, EmbeddingSimilarity)
    # A fresh model per run would re-learn its word cache: time the first (cold) pass too.
    start = time.perf_counter()
    model.encode(texts)
    cold = time.perf_counter() - start
    warm = best_of(repeat, partial(model.encode, texts))
    print(f"embed {len(texts):,} responses (50-300 words): {cold:.3f} s cold, {warm:.3f} s warm")
    seconds = best_of(repeat, lambda: analyze(samples, AnalysisOptions(similarity=model)))
    print(f"full analysis with embeddings, {len(samples)} attempts, 2000 resamples: "
          f"{seconds:.3f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best is shown)")
    parser.add_argument("--embeddings-only", action="store_true",
                        help="only the semantic similarity figures")
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"rapidfuzz {rapidfuzz.__version__}")
    print()
    if args.embeddings_only:
        embeddings_figures(args.repeat, synthetic_session(20_000, rng), rng)
        return 0

    for label, zipf in (("zipf vocabulary", True), ("uniform vocabulary, worst case", False)):
        gen = Words(rng, zipf=zipf)
        token_lists = [words(gen.text(300)) for _ in range(1000)]
        seconds = best_of(args.repeat, partial(_matrix, token_lists))
        print(f"similarity matrix 1000 x 300 words ({label}): {seconds:.3f} s  (target <= 2 s)")

    samples = synthetic_session(20_000, rng)
    cells = len({s.cell for s in samples})
    seconds = best_of(args.repeat, lambda: analyze(samples, AnalysisOptions()))
    print(f"full analysis, {len(samples)} attempts in {cells} cells, 2000 resamples: "
          f"{seconds:.3f} s  (target <= 5 s)")
    # Every measure on: an answer parser (flip rate and its bootstrap) and an expected answer
    # (pass^k); the synthetic words "w0".."w9" stand in for answers.
    every = AnalysisOptions(answer_regex=r"\bw(\d)\b", expected_answer="1")
    seconds = best_of(args.repeat, lambda: analyze(samples, every))
    print(f"full analysis with --regex and --expect, same session: {seconds:.3f} s  "
          "(target <= 5 s)")

    gen = Words(rng)
    a = gen.text(10_000)
    edited = a.split(" ")
    for i in rng.choice(len(edited), 500, replace=False):
        edited[i] = "changed"
    b = " ".join(edited)
    unrelated = gen.text(10_000)
    for label, other in (("5% of words changed", b), ("unrelated texts", unrelated)):
        ms = best_of(args.repeat, partial(word_diff, a, other)) * 1000
        print(f"word diff 10,000 vs 10,000 words ({label}): {ms:.1f} ms  (target <= 100 ms)")
    embeddings_figures(args.repeat, samples, rng)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
