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
    final_samples,
    group_by_cell,
    measure_cell,
    measure_cell_quick,
    quick_cells,
)
from workbench.core.analysis.diff import DiffOp, word_diff
from workbench.core.analysis.diversity import DEFAULT_CLUSTER_THRESHOLD
from workbench.core.analysis.effects import EffectsError, estimate_effects
from workbench.core.analysis.pipeline import AnalysisOptions, analyze
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
    Lengths,
    Outcomes,
    QueueSignal,
    Similarity,
    Spread,
    Timings,
    Trend,
)
from workbench.core.analysis.similarity import encode_all, medoid, similarity_matrix
from workbench.core.analysis.slo import SloError, parse_slos
from workbench.core.analysis.specs import EFFECT_METRICS, METRICS_BY_KEY, MetricSpec
from workbench.core.analysis.stability_text import divergence_cell
from workbench.core.analysis.stats import distribution
from workbench.core.analysis.summary import format_report
from workbench.core.analysis.text import TextFeatures, text_features, words

__all__ = [
    "DEFAULT_CLUSTER_THRESHOLD",
    "EFFECT_METRICS",
    "METRICS_BY_KEY",
    "Agreement",
    "AnalysisOptions",
    "AnalysisReport",
    "AnswerExtractor",
    "AnswerSpecError",
    "CellMetrics",
    "Change",
    "Depth",
    "DiffOp",
    "Distribution",
    "Diversity",
    "Effect",
    "EffectsError",
    "Factor",
    "Goodput",
    "Lengths",
    "MetricSpec",
    "Outcomes",
    "QueueSignal",
    "Similarity",
    "SloError",
    "Spread",
    "TextFeatures",
    "Timings",
    "Trend",
    "analyze",
    "distribution",
    "divergence_cell",
    "encode_all",
    "estimate_effects",
    "final_samples",
    "format_report",
    "group_by_cell",
    "measure_cell",
    "measure_cell_quick",
    "medoid",
    "parse_json_path",
    "parse_slos",
    "quick_cells",
    "similarity_matrix",
    "text_features",
    "word_diff",
    "words",
]
