"""Variability analysis of a session (Qt-free): per-cell metrics, effects of concurrency /
variant / step with bootstrap CIs, findings as sentences, and a word-level diff.

    report = analyze(samples, AnalysisOptions(slos={"ttft_ms": 500}))
    msgspec.json.encode(report)   # the `workbench analyze --json` document
    word_diff(medoid_text, other_text)
"""

from workbench.core.analysis.answers import AnswerExtractor, AnswerSpecError, parse_json_path
from workbench.core.analysis.cells import final_samples, group_by_cell, measure_cell
from workbench.core.analysis.diff import DiffOp, word_diff
from workbench.core.analysis.effects import EffectsError, estimate_effects
from workbench.core.analysis.pipeline import AnalysisOptions, analyze
from workbench.core.analysis.results import (
    Agreement,
    AnalysisReport,
    CellMetrics,
    Change,
    Depth,
    Distribution,
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
from workbench.core.analysis.similarity import medoid, similarity_matrix
from workbench.core.analysis.slo import SloError, parse_slos
from workbench.core.analysis.specs import EFFECT_METRICS, MetricSpec
from workbench.core.analysis.summary import format_report
from workbench.core.analysis.text import TextFeatures, text_features

__all__ = [
    "EFFECT_METRICS",
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
    "estimate_effects",
    "final_samples",
    "format_report",
    "group_by_cell",
    "measure_cell",
    "medoid",
    "parse_json_path",
    "parse_slos",
    "similarity_matrix",
    "text_features",
    "word_diff",
]
