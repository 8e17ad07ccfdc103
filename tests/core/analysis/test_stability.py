"""Flip rate, pass^k / pass@k and first divergence on hand-made cells whose answers are known."""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np
import pytest

from tests.core.analysis.synth import sample
from workbench.core.analysis import AnalysisOptions, AnswerSpecError, CellMetrics, analyze
from workbench.core.analysis.answers import AnswerExtractor
from workbench.core.analysis.stability import answer_codes, flip_rate, pass_k

REGEX = r"Answer: (\w+)"


def _cell(answers: list[str | None], **options: object) -> tuple[CellMetrics, list[str]]:
    texts = [f"Some reasoning here. Answer: {a}" if a else "no answer at all" for a in answers]
    report = analyze(
        [sample(text=t, level=2) for t in texts], AnalysisOptions(answer_regex=REGEX, **options)
    )  # type: ignore[arg-type]
    (cell,) = report.cells
    return cell, report.findings


def test_flip_rate_is_the_share_of_disagreeing_pairs_of_repeats() -> None:
    answers = ["A", "A", "A", "B", "B", "C"]
    pairs = list(combinations(answers, 2))
    by_hand = sum(a != b for a, b in pairs) / len(pairs)  # 11 of 15
    assert flip_rate(answer_codes(answers)) == pytest.approx(by_hand)
    cell, findings = _cell(answers)
    a = cell.agreement
    assert a.flip_rate == pytest.approx(11 / 15)
    assert a.flip_rate_ci_low < a.flip_rate < a.flip_rate_ci_high
    opening = f"In {cell.label}, repeats gave different parsed answers 73% of the time (95% CI "
    assert any(f.startswith(opening) for f in findings)


def test_identical_answers_flip_never_and_give_no_finding() -> None:
    cell, findings = _cell(["42"] * 8)
    a = cell.agreement
    assert (a.flip_rate, a.flip_rate_ci_low, a.flip_rate_ci_high) == (0.0, 0.0, 0.0)
    assert not any("parsed answers" in f for f in findings)


def test_an_unparsable_answer_agrees_with_nothing_not_even_another() -> None:
    assert flip_rate(answer_codes([None, None])) == 1.0
    assert flip_rate(answer_codes(["A", "A", None])) == pytest.approx(1 - 2 / 6)
    cell, findings = _cell(["A", "A", None, None])
    assert cell.agreement.flip_rate == pytest.approx(1 - 2 / 12)
    assert any("counting the 2 unparsable answers as different" in f for f in findings)


def test_flip_rate_needs_two_responses_and_a_parser() -> None:
    assert flip_rate(answer_codes(["A"])) is None
    report = analyze([sample(text="Answer: A"), sample(text="Answer: B")])
    assert report.cells[0].agreement.flip_rate is None  # no --regex / --json-path


def test_flip_rate_interval_is_seeded_and_covers_the_estimate() -> None:
    answers = ["A"] * 12 + ["B"] * 6 + ["C"] * 2
    first, _ = _cell(answers, seed=3)
    again, _ = _cell(answers, seed=3)
    other, _ = _cell(answers, seed=4)
    a, b, c = (x.agreement for x in (first, again, other))
    assert (a.flip_rate_ci_low, a.flip_rate_ci_high) == (b.flip_rate_ci_low, b.flip_rate_ci_high)
    assert (a.flip_rate_ci_low, a.flip_rate_ci_high) != (c.flip_rate_ci_low, c.flip_rate_ci_high)
    assert 0 < a.flip_rate_ci_low < a.flip_rate < a.flip_rate_ci_high < 1


def test_pass_hat_k_and_pass_at_k_are_the_unbiased_estimators() -> None:
    # 6 of 10 correct: pass^2 = C(6,2)/C(10,2) = 1/3; pass@2 = 1 - C(4,2)/C(10,2) = 13/15.
    rows = {p.k: p for p in pass_k(6, 10)}
    assert sorted(rows) == [1, 2, 4, 8]
    assert rows[1].pass_hat == rows[1].pass_at == pytest.approx(0.6)
    assert rows[2].pass_hat == pytest.approx(1 / 3)
    assert rows[2].pass_at == pytest.approx(13 / 15)
    assert rows[8].pass_hat == pytest.approx(comb(6, 8) / comb(10, 8))  # 0: only 6 correct
    assert [p.k for p in pass_k(3, 3)] == [1, 2]  # no k above the repeats
    # Unbiased: the mean over every draw of k of the n repeats.
    outcomes = [1] * 6 + [0] * 4
    subsets = list(combinations(outcomes, 4))
    assert rows[4].pass_hat == pytest.approx(np.mean([all(s) for s in subsets]))
    assert rows[4].pass_at == pytest.approx(np.mean([any(s) for s in subsets]))


def test_expect_counts_correct_answers_after_the_parsers_normalisation() -> None:
    cell, _ = _cell(["B", "B", "A", None], expected_answer="  B ")
    a = cell.agreement
    assert a.correct == 2
    assert a.pass_k[0].pass_hat == pytest.approx(0.5)
    json_path = AnswerExtractor(json_path="$.answer")
    assert json_path.normalise_expected("B") == '"B"'
    assert json_path.normalise_expected('{"b": 1, "a": 2}') == '{"a":2,"b":1}'
    assert json_path.normalise_expected("42") == json_path.extract('{"answer": 42}')


def test_expect_without_a_parser_is_refused_by_name() -> None:
    with pytest.raises(AnswerSpecError, match="expected answer needs a regex or a JSON path"):
        analyze([sample(text="x")], AnalysisOptions(expected_answer="A"))


def test_first_divergence_median_and_quartiles_exclude_the_medoid_and_its_copies() -> None:
    base = "one two three four five six seven eight nine ten"
    words = base.split()
    texts = [base, base, base]
    for at in (2, 4, 6, 8):
        texts.append(" ".join([*words[:at], "changed", *words[at + 1 :]]))
    report = analyze([sample(text=t) for t in texts])
    sim = report.cells[0].similarity
    assert sim.medoid_sample_id is not None
    assert sim.identical_to_medoid == 2
    assert sim.divergence_words == [2, 4, 6, 8]
    assert (sim.divergence_q1, sim.divergence_p50, sim.divergence_q3) == (3.5, 5.0, 6.5)


def test_identical_responses_have_no_divergence() -> None:
    report = analyze([sample(text="same words every time") for _ in range(5)])
    sim = report.cells[0].similarity
    assert sim.divergence_words == [] and sim.divergence_p50 is None
    assert sim.identical_to_medoid == 4
