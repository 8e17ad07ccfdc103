"""Retention of chain steps: key terms of what a step was given, kept in what it answered."""

from __future__ import annotations

from workbench.core.analysis import key_terms, retention
from workbench.core.analysis.retention import chain_retention
from workbench.core.plan import plan_from_dict
from workbench.core.records import CellKey, Sample, Timing


def test_key_terms_are_frequent_content_words_without_stopwords() -> None:
    text = "The window grows. The window halves on loss; slow start doubles the window."
    assert key_terms(text, limit=3) == ["window", "grows", "halves"]  # ties: first seen
    assert "the" not in key_terms(text) and "on" not in key_terms(text)
    assert key_terms("a 42 of to") == []


def test_retention_is_the_share_of_key_terms_the_output_keeps() -> None:
    assert retention("TCP slow start", "Slow start is part of tcp.") == 1.0
    assert retention("TCP slow start", "Slow start doubles the window") == 2 / 3
    assert retention("TCP slow start", "DNS caches answers") == 0.0
    assert retention("the of and", "anything") is None


PLAN = plan_from_dict(
    {
        "run": {"mode": "chain", "concurrency": [1]},
        "chain": {"inputs": ["alpha beta gamma"]},
        "steps": [
            {"user": "Discuss {{input}}"},
            {"user": "Shorten: {{previous}}"},
            {"user": "A question with no chain value"},
        ],
    }
)


def _step(chain: int, step: int, text: str, outcome: str = "ok") -> Sample:
    return Sample(
        session="s",
        id=chain * 10 + step,
        chain=chain,
        repetition=chain,
        cell=CellKey(endpoint="e", model="m", level=1, step=step),
        outcome=outcome,  # type: ignore[arg-type]
        timing=Timing(send_wall=0.0, send_mono_ns=0),
        text=text,
    )


def test_chain_retention_rebuilds_each_steps_input_from_the_chain() -> None:
    samples = [
        _step(0, 1, "alpha beta and more delta"),  # keeps 2 of alpha, beta, gamma
        _step(0, 2, "delta alpha"),  # step 1's output: alpha, beta, delta
        _step(0, 3, "whatever"),
        _step(1, 1, "alpha beta gamma"),
        _step(1, 2, "", outcome="error"),  # failed: no retention, and the chain ends here
        _step(1, 3, "", outcome="cancelled"),
    ]
    rows = chain_retention(PLAN, samples, resamples=200)
    by_step = {row.step: row for row in rows}
    assert sorted(by_step) == [1, 2]  # step 3 uses no chain value: no retention
    assert by_step[1].chains == 2 and by_step[1].mean == (2 / 3 + 1) / 2
    assert by_step[2].chains == 1 and by_step[2].mean == 2 / 3
    assert by_step[1].ci_low is None  # fewer than 3 chains: no interval


def test_a_plan_that_is_not_a_chain_has_no_retention() -> None:
    sweep = plan_from_dict({"user": "x"})
    assert chain_retention(sweep, [_step(0, 1, "x")]) == []
