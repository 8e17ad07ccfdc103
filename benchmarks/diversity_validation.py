"""Ground truth of the diversity measures (not a test; CI does not run it).

    .venv/bin/python benchmarks/diversity_validation.py [--seeds 20] [--repetitions 30]
        [--embedding-model DIR | --synthetic-embeddings]

For K = 1, 2, 3, 5 the simulator answers from K templates (`--templates K`, each response a
few words reworded), one cell of 30 responses per seed; printed: the median and range of the
Vendi score and of the cluster count, how often the cluster count equals K, and the word
similarity of pairs within one template against pairs across templates (what the default
cluster threshold is chosen from). The last row is the simulator without templates at
temperature 0.7: the spread of ordinary different answers to one prompt.

With `--embedding-model DIR` the Vendi score and clusters are computed on that static
embedding model's similarity (docs/analysis.md, "Semantic similarity (optional)");
`--synthetic-embeddings` writes one to a temporary folder: an independent random 64-dim
vector for every word of the simulator's corpus and of the templates' rewordings (a bag of
words by direction, no synonyms known), to check the embedding path against the same ground
truth. The pair similarities printed stay word-level.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._sim import run_on_simulator
from workbench.core.analysis import (
    AnalysisOptions,
    SimilarityMeasure,
    analyze,
    load_embedding_similarity,
)
from workbench.core.analysis.cells import final_samples
from workbench.core.analysis.diversity import cluster_labels
from workbench.core.analysis.safetensors import write_safetensors
from workbench.core.analysis.similarity import encode_all, pair_values, similarity_matrix
from workbench.core.analysis.text import words
from workbench.core.plan import Params, Plan, RunSettings
from workbench.sim.templates import _FALLBACK, _SYNONYMS

PROMPT = "Explain how a load balancer spreads requests."


async def _session(templates: int, seed: int, repetitions: int) -> list:  # type: ignore[type-arg]
    args = ["--zero-delay", "--seed", str(seed)]
    if templates:
        args += ["--templates", str(templates)]
    plan = Plan(name="diversity", user=PROMPT, params=Params(temperature=0.7, max_tokens=400),
                run=RunSettings(concurrency=[4], repetitions=repetitions))
    return (await run_on_simulator(plan, args)).samples


def _pairs(samples: list, same: bool) -> np.ndarray:  # type: ignore[type-arg]
    """Word similarity of pairs in one cluster (same) or across clusters."""
    ok = [s for s in final_samples(samples) if s.outcome == "ok"]
    matrix = similarity_matrix(encode_all([words(s.text) for s in ok]))
    labels = cluster_labels(matrix, 0.5)  # the template families, far apart on the sim
    mask = (labels[:, None] == labels[None, :]) == same
    upper = np.triu(np.ones_like(mask, dtype=bool), k=1)
    values: np.ndarray = matrix[mask & upper]
    return values


def synthetic_embeddings(folder: Path) -> Path:
    """A WordLevel model2vec folder: a random unit direction per word the simulator says."""
    corpus = (Path(__file__).resolve().parents[1] / "workbench/sim/data/corpus.md").read_text()
    extra = " ".join([*_SYNONYMS, *_SYNONYMS.values(), *_FALLBACK])
    vocab = ["[UNK]", *sorted({w.lower() for w in words(corpus + " " + extra)})]
    rng = np.random.default_rng(0)
    write_safetensors(folder / "model.safetensors",
                      {"embeddings": rng.normal(size=(len(vocab), 64)).astype(np.float32)})
    (folder / "tokenizer.json").write_text(json.dumps({
        "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "Whitespace"},
        "model": {"type": "WordLevel", "unk_token": "[UNK]",
                  "vocab": {w: i for i, w in enumerate(vocab)}},
    }))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--repetitions", type=int, default=30)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--embedding-model", type=Path, metavar="DIR")
    which.add_argument("--synthetic-embeddings", action="store_true")
    args = parser.parse_args()
    similarity: SimilarityMeasure | None = None
    if args.embedding_model or args.synthetic_embeddings:
        folder = args.embedding_model or synthetic_embeddings(Path(tempfile.mkdtemp()))
        similarity = load_embedding_similarity(folder)
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    print(f"{args.seeds} seeds x {args.repetitions} responses, temperature 0.7, "
          f"default cluster threshold {AnalysisOptions().cluster_threshold:g}, "
          f"similarity: {similarity.label if similarity else 'words'}")
    print(f"{'K':>4} {'Vendi median [range]':>24} {'clusters median [range]':>26} "
          f"{'clusters == K':>14}")
    within: list[float] = []
    across: list[float] = []
    for k in (1, 2, 3, 5, 0):
        vendi: list[float] = []
        clusters: list[int] = []
        plain: list[float] = []
        for seed in range(args.seeds):
            samples = asyncio.run(_session(k, seed, args.repetitions))
            (cell,) = analyze(
                samples, AnalysisOptions(seed=seed, resamples=100, similarity=similarity)
            ).cells
            vendi.append(cell.diversity.vendi or 0.0)
            clusters.append(cell.diversity.clusters or 0)
            if k:
                within.extend(_pairs(samples, True))
                across.extend(_pairs(samples, False))
            else:
                plain.extend(_all_pairs(samples))
        hits = f"{sum(c == k for c in clusters)}/{args.seeds}" if k else "-"
        print(f"{k or 'off':>4} {np.median(vendi):>9.2f} [{min(vendi):.2f}-{max(vendi):.2f}]"
              f"{'':>3} {np.median(clusters):>11.0f} [{min(clusters)}-{max(clusters)}]"
              f"{'':>7} {hits:>14}")
        if not k:
            _quantiles("different answers, templates off", plain)
    _quantiles("pairs within one template", within)
    _quantiles("pairs across templates", across)


def _all_pairs(samples: list) -> list[float]:  # type: ignore[type-arg]
    ok = [s for s in final_samples(samples) if s.outcome == "ok"]
    return list(pair_values(similarity_matrix(encode_all([words(s.text) for s in ok]))))


def _quantiles(name: str, values: list[float]) -> None:
    q = np.percentile(values, [0, 5, 50, 95, 100])
    print(f"similarity of {name}: min {q[0]:.2f}, 5% {q[1]:.2f}, median {q[2]:.2f}, "
          f"95% {q[3]:.2f}, max {q[4]:.2f} ({len(values):,} pairs)")


if __name__ == "__main__":
    main()
