"""The whole analysis of a session: cells, effects across a factor, findings."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import msgspec

from workbench.core.analysis.answers import AnswerExtractor, AnswerSpecError
from workbench.core.analysis.bootstrap import flip_rate_interval
from workbench.core.analysis.cells import CellData, final_samples, group_by_cell, measure_cell
from workbench.core.analysis.diversity import DEFAULT_CLUSTER_THRESHOLD
from workbench.core.analysis.effects import FAMILY_ALPHA, estimate_effects, expansion
from workbench.core.analysis.findings import divergence_sentence, flip_sentence
from workbench.core.analysis.knee import knee_report
from workbench.core.analysis.phrasing import phrasing_effect
from workbench.core.analysis.results import AnalysisReport, CellMetrics, Factor
from workbench.core.analysis.retention import chain_retention
from workbench.core.analysis.similarity import WORD_SIMILARITY, SimilarityMeasure
from workbench.core.plan import Plan, RunSettings
from workbench.core.records import CellKey, Sample


class AnalysisOptions(msgspec.Struct, kw_only=True):
    # None: the factor the session varies (`default_factor`).
    factor: Factor | None = None
    baseline: int | str | None = None  # default: the lowest level / first variant
    slos: dict[str, float] = {}  # e.g. {"ttft_ms": 500, "e2e_ms": 5000}
    answer_regex: str | None = None
    answer_json_path: str | None = None
    # The correct answer, for pass^k / pass@k (needs answer_regex or answer_json_path).
    expected_answer: str | None = None
    resamples: int = 2000
    # Of the phrasing test (docs/analysis.md, "Phrasing matrix"); p can be no less than 1/(n+1).
    permutations: int = 999
    seed: int = 0
    # Responses per cell in the similarity matrix (a seeded subsample above it): the matrix
    # and its bootstrap grow with n², and 200 responses pin the mean down to ~0.01.
    similarity_cap: int = 200
    # Mean similarity at which two groups of responses are one answer (docs/analysis.md,
    # "Answer clusters").
    cluster_threshold: float = DEFAULT_CLUSTER_THRESHOLD
    # A knee search's run settings (core.knee.knee_settings(plan)): its knee is reported.
    knee: RunSettings | None = None
    # The pairwise similarity behind similarity, clusters and Vendi: None = word level; a
    # loaded `load_embedding_similarity(folder)` for the semantic one (docs/analysis.md,
    # "Semantic similarity (optional)"). Loaded once by the caller: never encoded.
    similarity: SimilarityMeasure | None = None


def default_factor(plan: Plan | None, samples: Sequence[Sample] = ()) -> Factor:
    """The factor a plan varies: the step for a chain; the variant for one level and several
    variants (a phrasing matrix among them); else the concurrency level. Without the plan,
    what the `samples` vary."""
    if plan is not None:
        if plan.run.mode == "chain":
            return "step"
        several = len(plan.levels()) == 1 and len(plan.all_variants()) > 1
        return "variant" if several else "level"
    if len({s.cell.level for s in samples}) > 1:
        return "level"
    if len({s.cell.variant for s in samples}) > 1:
        return "variant"
    return "step" if len({s.cell.step for s in samples}) > 1 else "level"


def _share(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _at_temperature_zero(attempts: Sequence[Sample]) -> bool:
    """Every request of the cell was sent with temperature 0 (greedy decoding)."""
    return bool(attempts) and all(s.request.get("temperature") == 0 for s in attempts)


def analyze(
    samples: Sequence[Sample], options: AnalysisOptions | None = None, *, plan: Plan | None = None
) -> AnalysisReport:
    """Analyse the attempts of a session (all of them, retries included). With the session's
    `plan`, a chain session also gets its retention per step.

    Raises AnswerSpecError (bad regex / JSON path) and EffectsError (unknown baseline).
    """
    return analyze_cells(samples, options, plan=plan)[0]


def analyze_cells(
    samples: Sequence[Sample], options: AnalysisOptions | None = None, *, plan: Plan | None = None
) -> tuple[AnalysisReport, list[CellData]]:
    """`analyze`, and each cell's similarity matrix with the ids of its rows: what the
    window re-clusters at another threshold without measuring the cells again."""
    opts = options or AnalysisOptions()
    measure = opts.similarity or WORD_SIMILARITY
    extractor = (
        AnswerExtractor(opts.answer_regex, opts.answer_json_path)
        if opts.answer_regex is not None or opts.answer_json_path is not None
        else None
    )
    factor = opts.factor or default_factor(plan, samples)
    expected: str | None = None
    if opts.expected_answer is not None:
        if extractor is None:
            raise AnswerSpecError("an expected answer needs a regex or a JSON path to parse "
                                  "answers with")
        expected = extractor.normalise_expected(opts.expected_answer)
    metrics: list[CellMetrics] = []
    data: list[CellData] = []
    ok_texts: dict[CellKey, list[str]] = {}
    stability_findings: list[str] = []
    for key, attempts in group_by_cell(samples).items():
        if factor == "variant":
            ok_texts[key] = [s.text for s in final_samples(attempts) if s.outcome == "ok"]
        cell_seed = zlib.crc32(key.label().encode()) ^ opts.seed
        cell_metrics, cell_data = measure_cell(
            key, attempts, slos=opts.slos or None, extractor=extractor,
            similarity_cap=opts.similarity_cap, seed=cell_seed,
            cluster_threshold=opts.cluster_threshold, similarity_measure=measure,
            expected=expected,
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
    # The phrasing test takes half the family's error rate, the effects share the rest
    # (a weighted Bonferroni split): a clean run still yields a finding < 5% of the time.
    phrasing = (
        phrasing_effect(ok_texts, alpha=FAMILY_ALPHA / 2, resamples=opts.resamples,
                        permutations=opts.permutations, seed=opts.seed, measure=measure)
        if ok_texts else None
    )
    result = estimate_effects(
        data, factor, baseline=opts.baseline, resamples=opts.resamples, seed=opts.seed,
        family_alpha=FAMILY_ALPHA / 2 if phrasing is not None else FAMILY_ALPHA,
    )
    if phrasing is not None and phrasing.significant:
        result.findings.insert(0, phrasing.summary)
    warnings: list[str] = []
    if measure is not WORD_SIMILARITY:  # said wherever the notes are shown (CLI, HTML)
        warnings.append(f"similarity, answer clusters and the effective number of answers "
                        f"computed on {measure.label}")
    capped = [m.label for m in metrics if m.similarity.n < m.outcomes.ok]
    if capped:
        warnings.append(
            f"similarity computed on a seeded subsample of {opts.similarity_cap} responses "
            f"in {len(capped)} cell(s)"
        )
    knee = knee_report(samples, opts.knee, opts.slos) if opts.knee is not None else None
    report = AnalysisReport(
        cells=metrics,
        effects=result.effects,
        trends=result.trends,
        findings=([knee.sentence] if knee else []) + result.findings + stability_findings,
        knee=knee,
        factor=factor,
        comparisons=result.comparisons,
        tar_raw_share=_share([m.agreement.tar_raw for m in metrics]),
        tar_answer_share=_share([m.agreement.tar_answer for m in metrics]),
        bootstrap_resamples=opts.resamples,
        seed=opts.seed,
        chain_steps=(
            chain_retention(plan, samples, resamples=opts.resamples, seed=opts.seed)
            if plan is not None else []
        ),
        warnings=warnings,
        similarity_measure=measure.label,
        phrasing=phrasing,
        expected_answer=expected,
    )
    return report, data
