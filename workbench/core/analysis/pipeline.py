"""The whole analysis of a session: cells, effects across a factor, findings."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import msgspec

from workbench.core.analysis.answers import AnswerExtractor, AnswerSpecError
from workbench.core.analysis.bootstrap import flip_rate_interval
from workbench.core.analysis.cells import CellData, group_by_cell, measure_cell
from workbench.core.analysis.diversity import DEFAULT_CLUSTER_THRESHOLD
from workbench.core.analysis.effects import FAMILY_ALPHA, estimate_effects, expansion
from workbench.core.analysis.findings import divergence_sentence, flip_sentence
from workbench.core.analysis.results import AnalysisReport, CellMetrics, Factor
from workbench.core.records import Sample


class AnalysisOptions(msgspec.Struct, kw_only=True):
    factor: Factor = "level"
    baseline: int | str | None = None  # default: the lowest level / first variant
    slos: dict[str, float] = {}  # e.g. {"ttft_ms": 500, "e2e_ms": 5000}
    answer_regex: str | None = None
    answer_json_path: str | None = None
    # The correct answer, for pass^k / pass@k (needs answer_regex or answer_json_path).
    expected_answer: str | None = None
    resamples: int = 2000
    seed: int = 0
    # Responses per cell in the similarity matrix (a seeded subsample above it): the matrix
    # and its bootstrap grow with n², and 200 responses pin the mean down to ~0.01.
    similarity_cap: int = 200
    # Mean similarity at which two groups of responses are one answer (docs/analysis.md,
    # "Answer clusters").
    cluster_threshold: float = DEFAULT_CLUSTER_THRESHOLD


def _share(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _at_temperature_zero(attempts: Sequence[Sample]) -> bool:
    """Every request of the cell was sent with temperature 0 (greedy decoding)."""
    return bool(attempts) and all(s.request.get("temperature") == 0 for s in attempts)


def analyze(samples: Sequence[Sample], options: AnalysisOptions | None = None) -> AnalysisReport:
    """Analyse the attempts of a session (all of them, retries included).

    Raises AnswerSpecError (bad regex / JSON path) and EffectsError (unknown baseline).
    """
    opts = options or AnalysisOptions()
    extractor = (
        AnswerExtractor(opts.answer_regex, opts.answer_json_path)
        if opts.answer_regex is not None or opts.answer_json_path is not None
        else None
    )
    expected: str | None = None
    if opts.expected_answer is not None:
        if extractor is None:
            raise AnswerSpecError("an expected answer needs a regex or a JSON path to parse "
                                  "answers with")
        expected = extractor.normalise_expected(opts.expected_answer)
    metrics: list[CellMetrics] = []
    data: list[CellData] = []
    stability_findings: list[str] = []
    for key, attempts in group_by_cell(samples).items():
        cell_seed = zlib.crc32(key.label().encode()) ^ opts.seed
        cell_metrics, cell_data = measure_cell(
            key, attempts, slos=opts.slos or None, extractor=extractor,
            similarity_cap=opts.similarity_cap, seed=cell_seed,
            cluster_threshold=opts.cluster_threshold, expected=expected,
        )
        agreement = cell_metrics.agreement
        n = int(cell_data.answer_codes.size)
        widen = expansion(n, FAMILY_ALPHA) if n >= 2 else 1.0
        interval = flip_rate_interval(cell_data, opts.resamples, opts.seed, widen=widen)
        if interval is not None:
            agreement.flip_rate_ci_low, agreement.flip_rate_ci_high = interval
        sentences = [flip_sentence(cell_metrics)]
        if _at_temperature_zero(attempts):
            sentences.append(divergence_sentence(cell_metrics))
        stability_findings += [s for s in sentences if s is not None]
        metrics.append(cell_metrics)
        data.append(cell_data)
    result = estimate_effects(
        data, opts.factor, baseline=opts.baseline, resamples=opts.resamples, seed=opts.seed
    )
    warnings: list[str] = []
    capped = [m.label for m in metrics if m.similarity.n < m.outcomes.ok]
    if capped:
        warnings.append(
            f"similarity computed on a seeded subsample of {opts.similarity_cap} responses "
            f"in {len(capped)} cell(s)"
        )
    return AnalysisReport(
        cells=metrics,
        effects=result.effects,
        trends=result.trends,
        findings=[*result.findings, *stability_findings],
        factor=opts.factor,
        comparisons=result.comparisons,
        tar_raw_share=_share([m.agreement.tar_raw for m in metrics]),
        tar_answer_share=_share([m.agreement.tar_answer for m in metrics]),
        bootstrap_resamples=opts.resamples,
        seed=opts.seed,
        warnings=warnings,
        expected_answer=expected,
    )
