"""Variability analysis of a session (Qt-free): per-cell metrics, effects of concurrency /
variant / step with bootstrap CIs, findings as sentences, and a word-level diff.

    report = analyze(samples, AnalysisOptions(slos={"ttft_ms": 500}))
    msgspec.json.encode(report)   # the `workbench analyze --json` document
    word_diff(medoid_text, other_text)

Everything outside this package imports from here, not from its modules (an import-linter
contract in pyproject.toml keeps the ui, view models and commands to it).
"""

from workbench.core.analysis.answers import AnswerExtractor, AnswerSpecError, parse_json_path
from workbench.core.analysis.cells import (
    CellData,
    final_samples,
    group_by_cell,
    measure_cell,
    measure_cell_quick,
    quick_cells,
)
from workbench.core.analysis.clusters import (
    AnswerCluster,
    CellClusters,
    cluster_cell,
    with_threshold,
)
from workbench.core.analysis.diff import DiffOp, word_diff
from workbench.core.analysis.diversity import DEFAULT_CLUSTER_THRESHOLD
from workbench.core.analysis.effects import EffectsError, estimate_effects
from workbench.core.analysis.knee import knee_report
from workbench.core.analysis.pipeline import AnalysisOptions, analyze, analyze_cells, default_factor
from workbench.core.analysis.results import (
    Agreement,
    AnalysisReport,
    CellMetrics,
    Change,
    Depth,
    Distribution,
    Diversity,
    Effect,
    Factor,
    Goodput,
    KneeLevel,
    KneeReport,
    Lengths,
    Outcomes,
    PhrasingEffect,
    QueueSignal,
    Similarity,
    Spread,
    StepRetention,
    Timings,
    Trend,
)
from workbench.core.analysis.retention import key_terms, retention
from workbench.core.analysis.semantic import load_embedding_similarity
from workbench.core.analysis.similarity import (
    WORD_SIMILARITY,
    EmbeddingModelError,
    SimilarityMeasure,
    encode_all,
    medoid,
    similarity_matrix,
)
from workbench.core.analysis.specs import EFFECT_METRICS, METRICS_BY_KEY, MetricSpec
from workbench.core.analysis.stability_text import divergence_cell
from workbench.core.analysis.stats import distribution
from workbench.core.analysis.summary import format_report, knee_lines
from workbench.core.analysis.text import TextFeatures, text_features, words
from workbench.core.slo import SloError, parse_slos

__all__ = [
    "DEFAULT_CLUSTER_THRESHOLD",
    "EFFECT_METRICS",
    "METRICS_BY_KEY",
    "WORD_SIMILARITY",
    "Agreement",
    "AnalysisOptions",
    "AnalysisReport",
    "AnswerCluster",
    "AnswerExtractor",
    "AnswerSpecError",
    "CellClusters",
    "CellData",
    "CellMetrics",
    "Change",
    "Depth",
    "DiffOp",
    "Distribution",
    "Diversity",
    "Effect",
    "EffectsError",
    "EmbeddingModelError",
    "Factor",
    "Goodput",
    "KneeLevel",
    "KneeReport",
    "Lengths",
    "MetricSpec",
    "Outcomes",
    "PhrasingEffect",
    "QueueSignal",
    "Similarity",
    "SimilarityMeasure",
    "SloError",
    "Spread",
    "StepRetention",
    "TextFeatures",
    "Timings",
    "Trend",
    "analyze",
    "analyze_cells",
    "cluster_cell",
    "default_factor",
    "distribution",
    "divergence_cell",
    "encode_all",
    "estimate_effects",
    "final_samples",
    "format_report",
    "group_by_cell",
    "key_terms",
    "knee_lines",
    "knee_report",
    "load_embedding_similarity",
    "measure_cell",
    "measure_cell_quick",
    "medoid",
    "parse_json_path",
    "parse_slos",
    "quick_cells",
    "retention",
    "similarity_matrix",
    "text_features",
    "with_threshold",
    "word_diff",
    "words",
]
