"""Per-cell metrics: outcomes, timings, goodput, lengths, depth, agreement, similarity,
diversity.

`measure_cell` also returns the per-response arrays the effect estimation resamples, so the
text of each response is tokenised once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from workbench.core.analysis.answers import AnswerExtractor, total_agreement
from workbench.core.analysis.diversity import DEFAULT_CLUSTER_THRESHOLD, diversity
from workbench.core.analysis.results import (
    Agreement,
    CellMetrics,
    Depth,
    Distribution,
    Goodput,
    Lengths,
    Outcomes,
    QueueSignal,
    Similarity,
    Spread,
    Timings,
)
from workbench.core.analysis.similarity import (
    WORD_SIMILARITY,
    FloatMatrix,
    SimilarityMeasure,
    encode_all,
    first_divergence,
    medoid,
    pair_values,
)
from workbench.core.analysis.stability import answer_codes, flip_rate, pass_k, quartiles
from workbench.core.analysis.stats import FloatArray, as_array, distribution, share, spread
from workbench.core.analysis.text import text_features, words
from workbench.core.records import CellKey, Sample
from workbench.core.slo import meets_slos

LENGTH_CUT_REASONS = frozenset({"length", "max_tokens"})
NS_PER_MS = 1e6


def final_samples(samples: Iterable[Sample]) -> list[Sample]:
    """Attempts not followed by a retry (no other sample has retry_of == their id)."""
    all_samples = list(samples)
    retried = {s.retry_of for s in all_samples if s.retry_of is not None}
    return [s for s in all_samples if s.id not in retried]


def group_by_cell(samples: Iterable[Sample]) -> dict[CellKey, list[Sample]]:
    """Samples per cell, cells in order of first appearance, samples in id order."""
    cells: dict[CellKey, list[Sample]] = {}
    for sample in sorted(samples, key=lambda s: s.id):
        cells.setdefault(sample.cell, []).append(sample)
    return cells


@dataclass(slots=True)
class CellData:
    """Per-response values of one cell, the input of the effect bootstrap."""

    key: CellKey
    # Per ok response (NaN where a value does not exist, e.g. TPOT of a 1-token answer).
    per_response: dict[str, FloatArray] = field(default_factory=dict)
    # Per final, non-cancelled request: 1.0 error, 0.0 ok.
    errors: FloatArray = field(default_factory=lambda: np.zeros(0))
    # Similarity matrix of the (possibly subsampled) responses and their exact-text classes.
    similarity: FloatMatrix = field(default_factory=lambda: np.zeros((0, 0)))
    text_class: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    # Sample id of each row of `similarity` (the answer clusters name their members by it).
    sample_ids: list[int] = field(default_factory=list)
    # Parsed-answer group of every ok response (-1: unparsable); empty without a parser.
    answer_codes: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))


def _ms(values: Iterable[int | float | None]) -> FloatArray:
    return as_array([v / NS_PER_MS for v in values if v is not None])


def _nan_ms(values: Iterable[int | float | None]) -> FloatArray:
    return as_array([np.nan if v is None else v / NS_PER_MS for v in values])


def _timings(ok: Sequence[Sample], attempts: Sequence[Sample]) -> Timings:
    tpots = [s.timing.tpot_ns(s.output_tokens) for s in ok]
    itl: list[int] = []
    rates: list[float] = []
    for s in ok:
        itl.extend(s.timing.itl_ns())
        t = s.timing
        if s.output_tokens and t.e2e_ns is not None and t.ttft_ns is not None:
            decode_s = (t.e2e_ns - t.ttft_ns) / 1e9
            if decode_s > 0:
                rates.append(s.output_tokens / decode_s)
    starts = [s.timing.send_wall for s in attempts]
    ends = [s.timing.send_wall + s.timing.e2e_ns / 1e9 for s in attempts if s.timing.e2e_ns]
    wall = (max(ends) - min(starts)) if starts and ends else 0.0
    tokens = sum(s.output_tokens or 0 for s in ok)
    return Timings(
        ttft_ms=distribution(_ms(s.timing.ttft_ns for s in ok)),
        ttfr_ms=distribution(_ms(s.timing.ttfr_ns for s in ok)),
        tpot_ms=distribution(_ms(tpots)),
        itl_ms=distribution(_ms(itl)),
        e2e_ms=distribution(_ms(s.timing.e2e_ns for s in ok)),
        tokens_per_s=distribution(rates),
        cell_tokens_per_s=tokens / wall if wall > 0 and tokens else None,
        requests_per_s=len(ok) / wall if wall > 0 else None,
    )


def _outcomes(attempts: Sequence[Sample], final: Sequence[Sample]) -> Outcomes:
    counts = Counter(s.outcome for s in final)
    classes = Counter(s.error.error_class for s in final if s.outcome == "error" and s.error)
    decided = counts["ok"] + counts["error"]
    return Outcomes(
        requests=len(final),
        ok=counts["ok"],
        error=counts["error"],
        cancelled=counts["cancelled"],
        error_classes=dict(sorted(classes.items())),
        attempts=len(attempts),
        retries=sum(1 for s in attempts if s.retry_of is not None),
        error_rate=counts["error"] / decided if decided else None,
    )


def _queue_signal(decided: Sequence[Sample]) -> QueueSignal:
    spans = _ms(s.timing.queue_signal_span_ns for s in decided if s.timing.queue_signal_count)
    return QueueSignal(
        share=share([s.timing.queue_signal_count > 0 for s in decided]),
        span_mean_ms=float(spans.mean()) if spans.size else None,
        span_p95_ms=float(np.percentile(spans, 95, method="linear")) if spans.size else None,
    )


def _similarity(
    ok: Sequence[Sample], cap: int, seed: int, measure: SimilarityMeasure
) -> tuple[Similarity, FloatMatrix, list[int]]:
    chosen = list(range(len(ok)))
    if len(chosen) > cap:
        rng = np.random.default_rng(seed)
        chosen = sorted(int(i) for i in rng.choice(len(ok), size=cap, replace=False))
    # Only the (sub)sample is tokenised here: word lists of a 100k-response session would
    # hold hundreds of MB at once.
    codes = encode_all([words(ok[i].text) for i in chosen])
    matrix = measure.matrix([ok[i].text for i in chosen], codes)
    n = len(chosen)
    if n < 2:
        return Similarity(n=n, medoid_index=0 if n else None,
                          medoid_sample_id=ok[0].id if n else None), matrix, chosen
    pairs = pair_values(matrix)
    centre = medoid(matrix)
    assert centre is not None
    divergences = sorted(
        d for i in range(n) if i != centre
        if (d := first_divergence(codes[centre], codes[i])) is not None
    )
    q1, p50, q3 = quartiles(divergences) or (None, None, None)
    return (
        Similarity(
            n=n,
            mean=float(pairs.mean()),
            min=float(pairs.min()),
            medoid_index=chosen[centre],
            medoid_sample_id=ok[chosen[centre]].id,
            divergence_mean=float(np.mean(divergences)) if divergences else None,
            divergence_min=min(divergences) if divergences else None,
            identical_to_medoid=n - 1 - len(divergences),
            divergence_p50=p50,
            divergence_q1=q1,
            divergence_q3=q3,
            divergence_words=divergences,
        ),
        matrix,
        chosen,
    )


def measure_cell(
    key: CellKey,
    attempts: Sequence[Sample],
    *,
    slos: dict[str, float] | None = None,
    extractor: AnswerExtractor | None = None,
    similarity_cap: int = 200,
    seed: int = 0,
    cluster_threshold: float = DEFAULT_CLUSTER_THRESHOLD,
    similarity_measure: SimilarityMeasure = WORD_SIMILARITY,
    expected: str | None = None,
) -> tuple[CellMetrics, CellData]:
    """Metrics of one cell from all its attempts (retries included). `expected`: the
    expected answer, already normalised by `extractor` (for pass^k)."""
    final = final_samples(attempts)
    decided = [s for s in final if s.outcome != "cancelled"]
    ok = [s for s in final if s.outcome == "ok"]
    # One response's word list at a time: never all of them in memory together.
    feats = [text_features(s.text, words(s.text)) for s in ok]

    texts = [s.text for s in ok]
    classes: dict[str, int] = {}
    text_class = np.array([classes.setdefault(t, len(classes)) for t in texts], np.int64)
    agreement = Agreement(
        distinct_outputs=len(classes),
        distinct_share=len(classes) / len(ok) if ok else None,
        tar_raw=total_agreement(texts),
    )
    parsed_codes = np.zeros(0, np.int64)
    if extractor is not None:
        answers = [extractor.extract(t) for t in texts]
        agreement.tar_answer = total_agreement(answers)
        agreement.distinct_answers = len({a for a in answers if a is not None})
        agreement.unparsable_answers = sum(1 for a in answers if a is None)
        parsed_codes = answer_codes(answers)
        agreement.flip_rate = flip_rate(parsed_codes)
        if expected is not None:
            agreement.correct = sum(1 for a in answers if a == expected)
            agreement.pass_k = pass_k(agreement.correct, len(answers))

    similarity, matrix, chosen = _similarity(ok, similarity_cap, seed, similarity_measure)
    cut = [s.finish_reason in LENGTH_CUT_REASONS for s in ok]
    output_tokens = [s.output_tokens for s in ok]
    metrics = CellMetrics(
        endpoint=key.endpoint,
        model=key.model,
        variant=key.variant,
        level=key.level,
        step=key.step,
        source=key.source,
        label=key.label(),
        outcomes=_outcomes(attempts, final),
        timings=_timings(ok, attempts),
        goodput=(
            Goodput(
                slos=dict(slos),
                met=(met := sum(1 for s in decided if meets_slos(s, slos))),
                requests=len(decided),
                share=met / len(decided) if decided else None,
            )
            if slos
            else None
        ),
        queue_signal=_queue_signal(decided),
        lengths=Lengths(
            chars=spread([f.chars for f in feats]),
            words=spread([f.words for f in feats]),
            tokens=spread([t for t in output_tokens if t is not None]),
            length_cut_share=share(cut),
            estimated_tokens=sum(1 for s in ok if s.token_source == "estimate"),
        ),
        depth=Depth(
            sentences=spread([f.sentences for f in feats]),
            list_items=spread([f.list_items for f in feats]),
            headings=spread([f.headings for f in feats]),
            distinct_bigrams=spread([f.distinct_bigrams for f in feats]),
        ),
        agreement=agreement,
        similarity=similarity,
        diversity=diversity(matrix, cluster_threshold),
    )
    data = CellData(
        key=key,
        per_response={
            "length_words": as_array([f.words for f in feats]),
            "length_tokens": as_array([np.nan if t is None else t for t in output_tokens]),
            "sentences": as_array([f.sentences for f in feats]),
            "list_items": as_array([f.list_items for f in feats]),
            "distinct_bigrams": as_array([f.distinct_bigrams for f in feats]),
            "ttft_p50": _nan_ms(s.timing.ttft_ns for s in ok),
            "e2e_p50": _nan_ms(s.timing.e2e_ns for s in ok),
            "tpot_mean": _nan_ms(s.timing.tpot_ns(s.output_tokens) for s in ok),
            "length_cut_share": as_array([float(c) for c in cut]),
        },
        errors=as_array([float(s.outcome == "error") for s in decided]),
        similarity=matrix,
        text_class=text_class[chosen] if len(chosen) else np.zeros(0, np.int64),
        sample_ids=[ok[i].id for i in chosen],
        answer_codes=parsed_codes,
    )
    return metrics, data


# --- the cheap statistics only ---------------------------------------------------------------


def _quick_timings(ok: Sequence[Sample]) -> Timings:
    # One loop over the responses, not one per value: a large session waits for this
    # before its first look.
    ttft: list[float] = []
    e2e: list[float] = []
    rates: list[float] = []
    for s in ok:
        t = s.timing
        if t.ttft_ns is not None:
            ttft.append(t.ttft_ns / NS_PER_MS)
            if t.e2e_ns is not None and s.output_tokens and t.e2e_ns > t.ttft_ns:
                rates.append(s.output_tokens / ((t.e2e_ns - t.ttft_ns) / 1e9))
        if t.e2e_ns is not None:
            e2e.append(t.e2e_ns / NS_PER_MS)
    return Timings(ttft_ms=distribution(ttft), ttfr_ms=Distribution(), tpot_ms=Distribution(),
                   itl_ms=Distribution(), e2e_ms=distribution(e2e),
                   tokens_per_s=distribution(rates))


def measure_cell_quick(key: CellKey, attempts: Sequence[Sample]) -> CellMetrics:
    """The metrics of `measure_cell` that take one cheap pass over the cell's samples:
    outcomes, TTFT, E2E and tokens/s, queue signal, lengths in characters and tokens,
    cut-off share, distinct outputs and TARr. The rest is left empty (n = 0 / None): text
    features (words, depth) and similarity tokenise every response, and the other timings
    are not in the Summary table this first look fills."""
    final = final_samples(attempts)
    decided = [s for s in final if s.outcome != "cancelled"]
    ok = [s for s in final if s.outcome == "ok"]
    texts = [s.text for s in ok]
    distinct = len(set(texts))
    return CellMetrics(
        endpoint=key.endpoint,
        model=key.model,
        variant=key.variant,
        level=key.level,
        step=key.step,
        source=key.source,
        label=key.label(),
        outcomes=_outcomes(attempts, final),
        timings=_quick_timings(ok),
        goodput=None,
        queue_signal=_queue_signal(decided),
        lengths=Lengths(
            chars=spread([len(t) for t in texts]),
            words=Spread(),
            tokens=spread([s.output_tokens for s in ok if s.output_tokens is not None]),
            length_cut_share=share([s.finish_reason in LENGTH_CUT_REASONS for s in ok]),
            estimated_tokens=sum(1 for s in ok if s.token_source == "estimate"),
        ),
        depth=Depth(sentences=Spread(), list_items=Spread(), headings=Spread(),
                    distinct_bigrams=Spread()),
        agreement=Agreement(
            distinct_outputs=distinct,
            distinct_share=distinct / len(ok) if ok else None,
            tar_raw=total_agreement(texts),
        ),
        similarity=Similarity(),
    )


def quick_cells(samples: Iterable[Sample]) -> list[CellMetrics]:
    """`measure_cell_quick` of every cell, in the order `analyze` reports them: the cheap
    first look at a large session while its full analysis runs."""
    return [measure_cell_quick(key, attempts) for key, attempts in group_by_cell(samples).items()]
