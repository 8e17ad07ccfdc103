"""The cheap per-cell statistics agree with the full analysis on everything they compute."""

from __future__ import annotations

import numpy as np

from tests.core.analysis.synth import random_text, sample
from workbench.core.analysis import AnalysisOptions, analyze, quick_cells
from workbench.core.records import Sample


def _session() -> list[Sample]:
    rng = np.random.default_rng(3)
    samples: list[Sample] = []
    for level in (1, 4):
        for rep in range(12):
            samples.append(sample(
                level=level,
                text=random_text(rng, int(rng.integers(20, 60))) if rep % 3 else "same answer.",
                ttft_ms=float(rng.uniform(50, 400)) * level,
                e2e_ms=float(rng.uniform(800, 1600)) * level,
                finish_reason="length" if rep == 5 else "stop",
                queue_signals=1 if rep % 4 == 0 else 0,
                queue_span_ms=30.0 if rep % 4 == 0 else None,
            ))
    # A failed attempt retried successfully, and one that failed for good.
    failed = sample(level=4, outcome="error", error_class="http_429")
    samples += [failed, sample(level=4, retry_of=failed.id, text="same answer."),
                sample(level=1, outcome="error")]
    return samples


def test_quick_cells_match_the_full_analysis_on_what_they_compute() -> None:
    samples = _session()
    full = analyze(samples, AnalysisOptions(resamples=20)).cells
    quick = quick_cells(samples)

    assert [c.label for c in quick] == [c.label for c in full]
    for q, f in zip(quick, full, strict=True):
        assert q.outcomes == f.outcomes
        assert q.timings.ttft_ms == f.timings.ttft_ms
        assert q.timings.e2e_ms == f.timings.e2e_ms
        assert q.timings.tokens_per_s == f.timings.tokens_per_s
        assert q.queue_signal == f.queue_signal
        assert q.lengths.chars == f.lengths.chars
        assert q.lengths.tokens == f.lengths.tokens
        assert q.lengths.length_cut_share == f.lengths.length_cut_share
        assert q.agreement == f.agreement
    assert quick[1].outcomes.retries == 1 and quick[0].outcomes.error == 1


def test_quick_cells_leave_the_costly_metrics_empty() -> None:
    cell = quick_cells(_session())[0]
    assert cell.similarity.n == 0 and cell.similarity.mean is None
    assert cell.lengths.words.n == 0 and cell.depth.sentences.n == 0
    assert cell.timings.itl_ms.n == 0
    assert cell.lengths.chars.n == cell.outcomes.ok > 0
