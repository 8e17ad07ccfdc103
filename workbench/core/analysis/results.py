"""The typed results of an analysis. All are msgspec Structs, so `msgspec.json.encode`
turns a whole `AnalysisReport` into the `workbench analyze --json` document
(docs/analysis.md lists every field). Times are milliseconds; shares are 0..1.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from workbench.core.records import CellKey

Factor = Literal["level", "variant", "step", "session"]
# Factors whose levels are names in the order given, not numbers to sort.
UNORDERED_FACTORS: tuple[Factor, ...] = ("variant", "session")
Scale = Literal["relative", "absolute"]


class Distribution(msgspec.Struct, kw_only=True):
    """Summary of per-request values: numpy percentiles (method "linear"); jitter = IQR."""

    n: int = 0
    mean: float | None = None
    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    p99: float | None = None
    iqr: float | None = None


class Spread(msgspec.Struct, kw_only=True):
    """Mean, sample standard deviation and coefficient of variation (sd / mean)."""

    n: int = 0
    mean: float | None = None
    sd: float | None = None
    cv: float | None = None


class Outcomes(msgspec.Struct, kw_only=True):
    """Counts over final attempts (an attempt followed by a retry is not final)."""

    requests: int = 0
    ok: int = 0
    error: int = 0
    cancelled: int = 0
    error_classes: dict[str, int] = {}
    attempts: int = 0
    retries: int = 0
    error_rate: float | None = None  # error / (ok + error)


class Timings(msgspec.Struct, kw_only=True):
    ttft_ms: Distribution
    ttfr_ms: Distribution
    tpot_ms: Distribution
    itl_ms: Distribution  # gaps between content chunks, pooled over the cell
    e2e_ms: Distribution
    tokens_per_s: Distribution  # per request: output_tokens / (e2e - ttft)
    # All output tokens of the cell over the wall time from its first send to its last byte.
    cell_tokens_per_s: float | None = None
    requests_per_s: float | None = None


class Goodput(msgspec.Struct, kw_only=True):
    """Share of final, non-cancelled requests that succeeded and met every SLO."""

    slos: dict[str, float]
    met: int
    requests: int
    share: float | None


class QueueSignal(msgspec.Struct, kw_only=True):
    """Keep-alive comments / blank lines the server sent before the first data event."""

    share: float | None = None  # of requests with at least one
    span_mean_ms: float | None = None
    span_p95_ms: float | None = None


class Lengths(msgspec.Struct, kw_only=True):
    chars: Spread
    words: Spread
    tokens: Spread
    length_cut_share: float | None = None  # finish_reason "length" (or "max_tokens")
    estimated_tokens: int = 0  # responses whose token count is an estimate


class Depth(msgspec.Struct, kw_only=True):
    sentences: Spread
    list_items: Spread
    headings: Spread
    distinct_bigrams: Spread


class PassK(msgspec.Struct, kw_only=True):
    """Against the expected answer: pass^k, the chance that all of k repeats are correct, and
    pass@k, that at least one is (unbiased estimators from c correct of n)."""

    k: int
    pass_hat: float
    pass_at: float


class Agreement(msgspec.Struct, kw_only=True):
    """TARr: all raw outputs identical (1.0) or not (0.0); TARa: the same on parsed answers,
    where an unparsable answer never agrees. None with fewer than 2 responses.

    flip_rate: the chance that two repeats give different parsed answers (an unparsable one
    differs from every answer), with a 95% percentile-bootstrap CI over responses. correct
    and pass_k: only with an expected answer (`--expect`)."""

    distinct_outputs: int = 0
    distinct_share: float | None = None  # distinct_outputs / responses
    tar_raw: float | None = None
    tar_answer: float | None = None
    distinct_answers: int | None = None
    unparsable_answers: int | None = None
    flip_rate: float | None = None
    flip_rate_ci_low: float | None = None
    flip_rate_ci_high: float | None = None
    correct: int | None = None
    pass_k: list[PassK] = []


class Similarity(msgspec.Struct, kw_only=True):
    """Pairwise similarity of the responses (1 = identical): Indel similarity of word
    sequences by default, or the cosine of an embedding model (the report's
    similarity_measure). The divergence fields are on words under either."""

    n: int = 0  # responses compared (a seeded subsample above the cap)
    mean: float | None = None
    min: float | None = None
    medoid_index: int | None = None  # index among the cell's ok responses
    medoid_sample_id: int | None = None
    # Word index where responses first differ from the medoid (those not identical to it).
    divergence_mean: float | None = None
    divergence_min: int | None = None
    identical_to_medoid: int = 0
    # Their median and quartiles, and every such index (sorted): the distribution plot.
    divergence_p50: float | None = None
    divergence_q1: float | None = None
    divergence_q3: float | None = None
    divergence_words: list[int] = []


class Diversity(msgspec.Struct, kw_only=True):
    """How many genuinely different answers, on the similarity matrix's responses.

    vendi: the Vendi score, an effective number of distinct answers (1..n). clusters: groups
    of responses by average-linkage at `threshold`; semantic_entropy: entropy of the cluster
    shares in nats (0 = one cluster); modal_agreement: the largest cluster's share."""

    n: int = 0  # responses in the similarity matrix (a seeded subsample above the cap)
    vendi: float | None = None
    clusters: int | None = None
    semantic_entropy: float | None = None
    modal_agreement: float | None = None
    threshold: float | None = None


class CellMetrics(msgspec.Struct, kw_only=True):
    # The cell's keys spelled out (CellKey omits defaults when encoded; JSON readers should
    # not have to know them).
    endpoint: str
    model: str
    variant: str
    level: int
    step: int
    label: str
    outcomes: Outcomes
    timings: Timings
    goodput: Goodput | None
    queue_signal: QueueSignal
    lengths: Lengths
    depth: Depth
    agreement: Agreement
    similarity: Similarity
    diversity: Diversity = msgspec.field(default_factory=Diversity)
    source: str = ""  # the session's label when sessions are compared

    @property
    def key(self) -> CellKey:
        return CellKey(endpoint=self.endpoint, model=self.model, variant=self.variant,
                       level=self.level, step=self.step, source=self.source)


class Change(msgspec.Struct, kw_only=True):
    """A change and its interval; `null` ends mean unbounded (never inf or NaN in JSON)."""

    change: float
    ci_low: float | None
    ci_high: float | None


class Effect(msgspec.Struct, kw_only=True):
    """Change of a metric at `level` against `baseline`, with a percentile-bootstrap CI at
    `ci_level` = 1 - 0.05 / comparisons (Bonferroni), i.e. simultaneous 95%.

    `change`, `ci_low`, `ci_high` are the reported change, on `scale`: relative (0.18 = +18%)
    when the baseline is non-zero and the relative interval bounded; otherwise absolute, in
    `unit` (a difference of means in words, ms, ...; for shares 0.12 = +12 percentage
    points). `relative` and `absolute` carry both views; `relative` is null where it is
    undefined (a baseline of 0), unbounded, or the metric is a share."""

    metric: str
    factor: Factor
    group: str  # the other cell keys held fixed, as a label
    baseline: int | str
    level: int | str
    scale: Scale
    unit: str = ""  # of absolute changes: "words", "ms", ..., "share" (in percentage points)
    baseline_value: float | None
    level_value: float | None
    change: float | None
    ci_low: float | None
    ci_high: float | None
    relative: Change | None = None
    absolute: Change | None = None
    ci_level: float
    significant: bool
    summary: str  # the finding sentence, or "no detectable change" / why not estimable


class Trend(msgspec.Struct, kw_only=True):
    """Monotonic trend over all levels: Spearman's rho, two-sided permutation p-value
    (normal approximation above 5,000 values); significant at p < 0.05 / comparisons."""

    metric: str
    factor: Factor
    group: str
    levels: list[int]
    n: int
    rho: float | None
    p_value: float | None
    method: str
    significant: bool


class KneeLevel(msgspec.Struct, kw_only=True):
    """One level of a knee search (docs/analysis.md, "Load knee"): throughput and goodput
    in output tokens/s over the level's steady window, goodput_share of its requests."""

    level: int
    requests: int
    ok: int
    met: int
    goodput_share: float | None
    throughput_tokens_per_s: float | None
    goodput_tokens_per_s: float | None
    requests_per_s: float | None
    ttft_p95_ms: float | None
    gain: float | None  # throughput change from the level before


class KneeReport(msgspec.Struct, kw_only=True):
    """The knee of a knee search, reproduced from the session file alone."""

    knee: int | None
    # throughput / goodput (what stopped the search at 2 x knee), goodput_at_1, limit,
    # unfinished (cancelled before the rule could decide)
    reason: str
    min_gain: float
    goodput_floor: float
    slos: dict[str, float]
    max_concurrency: int
    levels: list[KneeLevel]
    sentence: str


class StepRetention(msgspec.Struct, kw_only=True):
    """Retention of a chain step (docs/analysis.md, "Chains"): the mean share of the key
    terms of the step's input that its output keeps, over chains, with a bootstrap CI."""

    level: int
    step: int
    chains: int
    mean: float
    ci_low: float | None
    ci_high: float | None
    ci_level: float


class PhrasingEffect(msgspec.Struct, kw_only=True):
    """How much more the output moved between phrasings than between repeats of one
    (docs/analysis.md, "Phrasing matrix"): mean pairwise dissimilarity (1 - similarity)
    of responses to different variants, over that of responses to the same variant, pairs
    taken only within a stratum (the same value combination, level, step and endpoint).

    `ratio` 1 = rephrasing moved the output no more than asking again; the CI is a 95%
    percentile bootstrap over responses within each variant; `p_value` a one-sided
    permutation test of the variant labels within strata, significant at `alpha`."""

    variants: list[str]  # the phrasings compared
    strata: int  # groups of cells compared separately
    responses: int  # used (a seeded subsample per cell above the cap)
    between_mean: float | None
    within_mean: float | None
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    permutations: int
    alpha: float
    significant: bool
    summary: str


class AnalysisReport(msgspec.Struct, kw_only=True):
    cells: list[CellMetrics]
    effects: list[Effect]
    trends: list[Trend]
    findings: list[str]
    factor: Factor
    comparisons: int  # the Bonferroni family size
    tar_raw_share: float | None  # share of cells (with >= 2 responses) whose TARr is 1
    tar_answer_share: float | None
    bootstrap_resamples: int
    seed: int
    # Chain sessions: retention per level and step (empty otherwise).
    chain_steps: list[StepRetention] = []
    warnings: list[str] = []
    knee: KneeReport | None = None  # only for a knee search
    # What the similarity, cluster and Vendi figures were computed on: "words" (the
    # default), or "embeddings: FOLDER (TOKENS tokens x DIMENSIONS)".
    similarity_measure: str = "words"
    # Between- vs within-variant dissimilarity, when the factor is the variant.
    phrasing: PhrasingEffect | None = None
    # The expected answer (`--expect`) as compared, after the answer parser's normalisation.
    expected_answer: str | None = None
