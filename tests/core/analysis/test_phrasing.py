"""The phrasing decomposition: between- vs within-variant dissimilarity, on synthetic
sessions whose structure is known."""

from __future__ import annotations

import numpy as np

from tests.core.analysis.synth import VOCAB, sample
from workbench.core.analysis import AnalysisOptions, analyze, default_factor
from workbench.core.records import Sample


def _text(rng: np.random.Generator, core: list[str], own: float) -> str:
    """40 words: each from the variant's own `core` with probability `own`, else random."""
    return " ".join(
        core[i] if rng.random() < own else str(rng.choice(VOCAB)) for i in range(len(core))
    )


def _session(
    *,
    variants: int = 4,
    per_variant: int = 15,
    own: float,
    seed: int,
    names: list[str] | None = None,
) -> list[Sample]:
    rng = np.random.default_rng(seed)
    names = names or ["base", *(f"v{i}" for i in range(1, variants))]
    out = []
    for name in names:
        core = [str(w) for w in rng.choice(VOCAB, size=40)]
        out += [sample(text=_text(rng, core, own), variant=name) for _ in range(per_variant)]
    return out


def test_variants_with_their_own_wording_are_found_to_move_the_output() -> None:
    report = analyze(_session(own=0.5, seed=1), AnalysisOptions(seed=1, resamples=500))
    effect = report.phrasing
    assert effect is not None and effect.significant
    assert effect.ratio is not None and effect.ratio > 1.1
    assert effect.ci_low is not None and effect.ci_high is not None
    assert 1.0 < effect.ci_low <= effect.ratio <= effect.ci_high
    assert effect.variants == ["base", "v1", "v2", "v3"] and effect.responses == 60
    assert report.findings[0] == effect.summary
    assert effect.summary.startswith(
        f"Rephrasing moved the output {effect.ratio:.2f}× more than repeating the same "
        "prompt did (95% CI "
    )


def test_variants_answered_alike_read_no_more_than_chance() -> None:
    # Every variant draws from one distribution: the labels carry nothing.
    rng = np.random.default_rng(7)
    core = [str(w) for w in rng.choice(VOCAB, size=40)]
    samples = [
        sample(text=_text(rng, core, 0.5), variant=name)
        for name in ("base", "a", "b", "c")
        for _ in range(15)
    ]
    report = analyze(samples, AnalysisOptions(seed=2, resamples=500))
    effect = report.phrasing
    assert effect is not None and not effect.significant
    assert effect.ratio is not None and 0.9 < effect.ratio < 1.1
    assert effect.summary.startswith("Rephrasing moved the output no more than chance: ")
    assert effect.summary not in report.findings


def test_a_matrix_compares_phrasings_only_within_one_value_of_the_variables() -> None:
    # Two topics with nothing in common, two phrasings answered alike within each topic:
    # the topics must not count as rephrasing.
    rng = np.random.default_rng(3)
    samples = []
    for topic in ("TCP", "DNS"):
        core = [str(w) for w in rng.choice(VOCAB, size=40)]
        for phrasing in ("base", "polite"):
            samples += [
                sample(text=_text(rng, core, 0.6), variant=f"{phrasing} · topic={topic}")
                for _ in range(12)
            ]
    report = analyze(samples, AnalysisOptions(seed=0, resamples=500))
    assert report.factor == "variant"
    effect = report.phrasing
    assert effect is not None and effect.strata == 2 and effect.variants == ["base", "polite"]
    assert not effect.significant, effect.summary


def test_the_false_positive_rate_without_an_effect_stays_near_its_level() -> None:
    flagged = 0
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        core = [str(w) for w in rng.choice(VOCAB, size=40)]
        samples = [
            sample(text=_text(rng, core, 0.4), variant=name)
            for name in ("base", "a", "b")
            for _ in range(8)
        ]
        effect = analyze(samples, AnalysisOptions(seed=seed, resamples=200)).phrasing
        assert effect is not None
        flagged += effect.significant
    assert flagged <= 2


def test_the_factor_follows_what_the_session_varies() -> None:
    variants = _session(own=0.5, seed=4, per_variant=3)
    assert default_factor(None, variants) == "variant"
    levels = [sample(level=lv) for lv in (1, 8) for _ in range(3)]
    assert default_factor(None, levels) == "level"
    assert analyze(levels, AnalysisOptions(resamples=200)).phrasing is None


def test_a_variant_with_one_response_is_left_out() -> None:
    samples = _session(own=0.5, seed=5, per_variant=6, names=["base", "a"])
    samples.append(sample(text="lonely answer", variant="b"))
    effect = analyze(samples, AnalysisOptions(resamples=200)).phrasing
    assert effect is not None and effect.variants == ["base", "a"]


class _FirstWordMeasure:
    """Two responses are alike when they open with the same word (a stand-in for a semantic
    measure that sees through wording)."""

    label = "first words"

    def matrix(self, texts, codes):
        first = [t.split()[0] for t in texts]
        return np.array([[1.0 if a == b else 0.0 for b in first] for a in first])


def test_the_decomposition_uses_the_similarity_the_analysis_is_given() -> None:
    # Word-level the variants differ (their own vocabulary); by the measure given, every
    # response says the same, so rephrasing moved nothing.
    samples = _session(own=0.5, seed=1)
    for s in samples:
        s.text = "same " + s.text
    options = AnalysisOptions(seed=1, resamples=300, similarity=_FirstWordMeasure())
    effect = analyze(samples, options).phrasing
    assert effect is not None and effect.within_mean == 0 and effect.between_mean == 0
    assert not effect.significant
