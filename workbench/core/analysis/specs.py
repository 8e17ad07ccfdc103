"""The metrics compared across levels, and how each one reads in a sentence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.core.analysis.results import Scale
from workbench.core.format import MS, SHARE

# mean / median of per-response values; error share over requests; mean pairwise similarity
# and distinct-output share over the cell's responses (cell-level statistics).
Statistic = Literal["mean", "median", "errors", "similarity", "distinct"]


@dataclass(frozen=True, slots=True)
class MetricSpec:
    key: str
    label: str  # for tables
    statistic: Statistic
    scale: Scale  # relative change (x / base - 1) or absolute difference (shares)
    # Sentence templates; {mag} is e.g. "18%" and {ci} "95% CI 11–25%".
    up: str
    down: str
    trend_up: str
    trend_down: str
    # The unit of an absolute change (the metric's own; "share": percentage points), and
    # templates for it where the relative ones would misread ("12 longer in words").
    unit: str = ""
    up_abs: str | None = None
    down_abs: str | None = None


def _rel(key: str, label: str, stat: Statistic, up: str, down: str, t_up: str,
         t_down: str, unit: str, abs_up: str | None = None,
         abs_down: str | None = None) -> MetricSpec:
    return MetricSpec(key, label, stat, "relative", up, down, t_up, t_down, unit, abs_up,
                      abs_down)


def _abs(key: str, label: str, stat: Statistic, up: str, down: str, t_up: str,
         t_down: str) -> MetricSpec:
    return MetricSpec(key, label, stat, "absolute", up, down, t_up, t_down, SHARE)


EFFECT_METRICS: tuple[MetricSpec, ...] = (
    _rel("length_words", "length (words, mean)", "mean",
         "responses were {mag} longer in words ({ci})",
         "responses were {mag} shorter in words ({ci})",
         "responses got longer in words", "responses got shorter in words", "words",
         "responses were {mag} words longer ({ci})",
         "responses were {mag} words shorter ({ci})"),
    _rel("length_tokens", "length (tokens, mean)", "mean",
         "responses were {mag} longer in tokens ({ci})",
         "responses were {mag} shorter in tokens ({ci})",
         "responses got longer in tokens", "responses got shorter in tokens", "tokens",
         "responses were {mag} tokens longer ({ci})",
         "responses were {mag} tokens shorter ({ci})"),
    _rel("sentences", "sentences (mean)", "mean",
         "responses had {mag} more sentences ({ci})",
         "responses had {mag} fewer sentences ({ci})",
         "responses had more sentences", "responses had fewer sentences", "sentences"),
    _rel("list_items", "list items (mean)", "mean",
         "responses had {mag} more list items ({ci})",
         "responses had {mag} fewer list items ({ci})",
         "responses had more list items", "responses had fewer list items", "list items"),
    _rel("distinct_bigrams", "distinct word 2-grams (mean)", "mean",
         "responses had {mag} more distinct word pairs ({ci})",
         "responses had {mag} fewer distinct word pairs ({ci})",
         "responses used more distinct word pairs", "responses used fewer distinct word pairs",
         "word pairs"),
    _rel("ttft_p50", "TTFT p50 (ms)", "median",
         "responses started {mag} slower (median time to first token, {ci})",
         "responses started {mag} faster (median time to first token, {ci})",
         "responses started more slowly", "responses started faster", MS),
    _rel("e2e_p50", "E2E p50 (ms)", "median",
         "responses finished {mag} slower (median end-to-end time, {ci})",
         "responses finished {mag} faster (median end-to-end time, {ci})",
         "responses took longer end to end", "responses finished faster", MS),
    _rel("tpot_mean", "TPOT mean (ms)", "mean",
         "tokens streamed {mag} slower (mean time per output token, {ci})",
         "tokens streamed {mag} faster (mean time per output token, {ci})",
         "tokens streamed more slowly", "tokens streamed faster", MS),
    _abs("error_rate", "error rate", "errors",
         "the error rate was {mag} higher ({ci})",
         "the error rate was {mag} lower ({ci})",
         "the error rate rose", "the error rate fell"),
    _abs("length_cut_share", "cut at token limit (share)", "mean",
         "the share of responses cut off at the token limit was {mag} higher ({ci})",
         "the share of responses cut off at the token limit was {mag} lower ({ci})",
         "more responses were cut off at the token limit",
         "fewer responses were cut off at the token limit"),
    _rel("similarity_mean", "pairwise similarity (mean)", "similarity",
         "responses were {mag} more similar to each other ({ci})",
         "responses were {mag} less similar to each other ({ci})",
         "responses became more similar to each other",
         "responses became less similar to each other", ""),
    _abs("distinct_share", "distinct outputs (share)", "distinct",
         "the share of distinct outputs was {mag} higher ({ci})",
         "the share of distinct outputs was {mag} lower ({ci})",
         "the share of distinct outputs rose", "the share of distinct outputs fell"),
)

METRICS_BY_KEY = {spec.key: spec for spec in EFFECT_METRICS}
