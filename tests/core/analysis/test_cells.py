"""Per-cell metrics from hand-made samples whose answers are known."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest

from tests.core.analysis.synth import sample
from workbench.core.analysis import AnalysisOptions, CellMetrics, analyze
from workbench.core.analysis.answers import AnswerExtractor
from workbench.core.analysis.cells import final_samples, measure_cell
from workbench.core.records import CellKey, Sample

KEY = CellKey(endpoint="local-sim", model="sim-chat", level=4)


def _measure(samples: list[Sample], **kwargs: object) -> CellMetrics:
    metrics, _ = measure_cell(KEY, samples, **kwargs)  # type: ignore[arg-type]
    return metrics


def test_outcomes_count_final_attempts_and_retries() -> None:
    failed = sample(sample_id=1, outcome="error", error_class="http_429")
    retried_ok = sample(sample_id=2, retry_of=1)
    gave_up_first = sample(sample_id=3, outcome="error", error_class="http_5xx")
    gave_up = sample(sample_id=4, outcome="error", error_class="http_5xx", retry_of=3)
    cancelled = sample(sample_id=5, outcome="cancelled")
    attempts = [failed, retried_ok, gave_up_first, gave_up, cancelled]
    assert [s.id for s in final_samples(attempts)] == [2, 4, 5]

    o = _measure(attempts).outcomes
    assert (o.requests, o.ok, o.error, o.cancelled) == (3, 1, 1, 1)
    assert o.error_classes == {"http_5xx": 1}  # the 429 was retried: not a final outcome
    assert (o.attempts, o.retries) == (5, 2)
    assert o.error_rate == 0.5


def test_timing_percentiles_are_numpy_linear_over_ok_requests() -> None:
    ttfts = [100.0, 200.0, 300.0, 400.0, 1000.0]
    samples = [sample(ttft_ms=t, e2e_ms=t + 900, output_tokens=10) for t in ttfts]
    samples.append(sample(outcome="error", ttft_ms=5.0, e2e_ms=6.0))
    t = _measure(samples).timings
    assert t.ttft_ms.n == 5
    assert t.ttft_ms.p50 == 300.0
    assert t.ttft_ms.p90 == pytest.approx(np.percentile(ttfts, 90))  # 760
    assert t.ttft_ms.p99 == pytest.approx(np.percentile(ttfts, 99))
    assert t.ttft_ms.iqr == pytest.approx(400.0 - 200.0)
    assert t.tpot_ms.mean == pytest.approx(900 / 9)
    assert t.tokens_per_s.p50 == pytest.approx(10 / 0.9)
    assert t.e2e_ms.p50 == 1200.0


def test_itl_pools_the_gaps_of_every_response() -> None:
    samples = [
        sample(ttft_ms=10, e2e_ms=40, chunk_offsets_ms=[10, 20, 40]),  # gaps 10, 20
        sample(ttft_ms=10, e2e_ms=100, chunk_offsets_ms=[10, 100]),  # gap 90
    ]
    itl = _measure(samples).timings.itl_ms
    assert itl.n == 3
    assert itl.p50 == pytest.approx(20.0) and itl.mean == pytest.approx(40.0)


def test_goodput_counts_requests_meeting_every_slo() -> None:
    samples = [
        sample(ttft_ms=100, e2e_ms=900),  # meets both
        sample(ttft_ms=600, e2e_ms=900),  # TTFT too slow
        sample(ttft_ms=100, e2e_ms=6000),  # too long overall
        sample(outcome="error"),  # an error never meets an SLO
        sample(outcome="cancelled"),  # not counted at all
    ]
    goodput = _measure(samples, slos={"ttft_ms": 500, "e2e_ms": 5000}).goodput
    assert goodput is not None
    assert (goodput.met, goodput.requests, goodput.share) == (1, 4, 0.25)
    assert _measure(samples).goodput is None


def test_queue_signal_share_and_span() -> None:
    samples = [
        sample(queue_signals=3, queue_span_ms=200),
        sample(queue_signals=1, queue_span_ms=400),
        sample(),
        sample(),
    ]
    q = _measure(samples).queue_signal
    assert q.share == 0.5
    assert q.span_mean_ms == 300.0
    assert q.span_p95_ms == pytest.approx(390.0)


def test_lengths_cut_share_agreement_and_medoid() -> None:
    texts = [
        "Answer: 4. The sum is four.",
        "Answer: 4. The sum is four.",
        "Answer: 4. The total is four.",
        "Answer: five, I think",
    ]
    samples = [sample(text=t) for t in texts]
    samples[3] = sample(text=texts[3], finish_reason="length")
    m = _measure(samples, extractor=AnswerExtractor(regex=r"Answer: (\w+)"))
    assert m.lengths.words.mean == np.mean([len(t.split()) for t in texts])
    assert m.lengths.length_cut_share == 0.25
    assert m.agreement.distinct_outputs == 3
    assert m.agreement.distinct_share == 0.75
    assert m.agreement.tar_raw == 0.0
    assert m.agreement.tar_answer == 0.0  # "five" disagrees with "4"
    assert (m.agreement.distinct_answers, m.agreement.unparsable_answers) == (2, 0)
    assert m.similarity.medoid_sample_id == samples[0].id
    assert m.similarity.identical_to_medoid == 1
    # Words: "Answer 4 The sum" vs "Answer five" (word 1) and "Answer 4 The total" (word 3).
    assert (m.similarity.divergence_min, m.similarity.divergence_mean) == (1, 2.0)
    assert m.similarity.min is not None and m.similarity.mean is not None
    assert m.similarity.min < m.similarity.mean < 1.0


def test_identical_outputs_agree_fully() -> None:
    m = _measure([sample(text="Paris.") for _ in range(5)])
    assert m.agreement.tar_raw == 1.0 and m.agreement.distinct_outputs == 1
    assert m.similarity.mean == 1.0 and m.similarity.divergence_mean is None


def test_session_report_encodes_to_json_with_cell_keys_spelled_out() -> None:
    samples = [sample(level=lv, text=f"word {i}") for lv in (1, 8) for i in range(4)]
    report = analyze(samples, AnalysisOptions(resamples=200))
    data = msgspec.json.decode(msgspec.json.encode(report))
    assert [c["level"] for c in data["cells"]] == [1, 8]
    assert data["cells"][0]["variant"] == "base" and data["cells"][0]["step"] == 0
    assert report.cells[1].key == CellKey(endpoint="local-sim", model="sim-chat", level=8)
    assert report.tar_raw_share == 0.0


def test_similarity_is_subsampled_above_the_cap() -> None:
    samples = [sample(text=f"response number {i}") for i in range(12)]
    report = analyze(samples, AnalysisOptions(similarity_cap=5, resamples=200))
    assert report.cells[0].similarity.n == 5
    assert report.cells[0].agreement.distinct_outputs == 12
    assert any("subsample of 5" in w for w in report.warnings)
