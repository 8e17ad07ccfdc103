"""Ground truth: sessions run against the real simulated endpoint with known load effects,
over loopback HTTP, through the real runner, must be analysed into the right findings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from workbench.core.analysis import AnalysisOptions, AnalysisReport, analyze
from workbench.core.plan import Params, Plan, RunSettings
from workbench.core.records import Sample
from workbench.core.runner import Runner

SEEDS = range(20)
# Responses of ~60 tokens decoded at 0.5 ms per token: a level-16 burst really has ~16
# sequences active at once, and a seed costs well under a second.
FAST_SIM = ("--mean-tokens", "60", "--decode-ms", "0.5")
LENGTH_METRICS = {"length_words", "length_tokens", "sentences", "list_items", "distinct_bigrams"}


def _plan(temperature: float, repetitions: int = 20) -> Plan:
    return Plan(
        name="validation",
        user="Explain how a load balancer spreads requests.",
        params=Params(temperature=temperature, max_tokens=400),
        run=RunSettings(concurrency=[1, 16], repetitions=repetitions),
    )


async def _sessions(
    sim_factory: Callable[..., str], sim_args: Sequence[str], seeds: Sequence[int], plan: Plan
) -> list[list[Sample]]:
    """One simulated endpoint per seed (its --seed drives the sampling); a few at a time."""
    gate = asyncio.Semaphore(4)

    async def one(seed: int) -> list[Sample]:
        async with gate:
            root = await asyncio.to_thread(sim_factory, *sim_args, "--seed", str(seed))
            result = await Runner(plan, base_url=root + "/v1").run()
        assert result.counts == {"ok": plan.total_requests(), "error": 0, "cancelled": 0}
        return result.samples

    return list(await asyncio.gather(*(one(s) for s in seeds)))


def _reports(sessions: list[list[Sample]]) -> list[AnalysisReport]:
    return [analyze(s, AnalysisOptions(seed=i)) for i, s in enumerate(sessions)]


def _effect(report: AnalysisReport, metric: str, level: int = 16) -> tuple[bool, float | None]:
    (effect,) = [e for e in report.effects if e.metric == metric and e.level == level]
    return effect.significant, effect.change


async def test_depth_decay_is_found_shorter_in_nearly_every_seed(
    sim_factory: Callable[..., str],
) -> None:
    sessions = await _sessions(sim_factory, [*FAST_SIM, "--depth-decay", "0.2"], SEEDS,
                               _plan(0.5))
    reports = _reports(sessions)
    flagged = [
        r for r in reports
        if (effect := _effect(r, "length_words"))[0] and (effect[1] or 0) < 0
    ]
    assert len(flagged) >= 19, [_effect(r, "length_words") for r in reports]
    sentence = next(f for f in flagged[0].findings if "in words" in f)
    assert sentence.startswith("At concurrency 16, responses were ")
    assert "shorter in words (95% CI " in sentence and sentence.endswith("than at 1.")


async def test_without_decay_length_findings_stay_rare(sim_factory: Callable[..., str]) -> None:
    sessions = await _sessions(sim_factory, FAST_SIM, SEEDS, _plan(0.5))
    reports = _reports(sessions)
    with_length_finding = [
        r for r in reports
        if any(e.significant and e.metric in LENGTH_METRICS for e in r.effects)
    ]
    assert len(with_length_finding) < 2, [r.findings for r in with_length_finding]
    # Not vacuous: the same sessions do show the (real) wait for the first token under load.
    assert sum(_effect(r, "ttft_p50")[0] for r in reports) >= 19


async def test_batch_variance_makes_temperature_zero_outputs_diverge_under_load(
    sim_factory: Callable[..., str],
) -> None:
    plan = _plan(0.0)
    (varied,) = await _sessions(sim_factory, [*FAST_SIM, "--batch-variance", "1"], [1], plan)
    (steady,) = await _sessions(sim_factory, FAST_SIM, [1], plan)

    varied_report, steady_report = analyze(varied), analyze(steady)
    by_level = {c.level: c.agreement for c in varied_report.cells}
    assert by_level[1].distinct_outputs == 1 and by_level[1].tar_raw == 1.0
    assert by_level[16].distinct_outputs > 4 and by_level[16].tar_raw == 0.0
    assert varied_report.tar_raw_share == 0.5
    rose, change = _effect(varied_report, "distinct_share")
    assert rose and change is not None and change > 0
    assert any("share of distinct outputs was" in f and "higher" in f
               for f in varied_report.findings)

    for cell in steady_report.cells:
        assert cell.agreement.distinct_outputs == 1 and cell.agreement.tar_raw == 1.0
        assert cell.similarity.mean == 1.0
    assert steady_report.tar_raw_share == 1.0
    assert not _effect(steady_report, "distinct_share")[0]
    assert not _effect(steady_report, "similarity_mean")[0]


# --- diversity: the sim's --templates K sets how many different answers there are -----------

DIVERSITY_SEEDS = range(4)  # all 20 in benchmarks/diversity_validation.py
TEMPLATE_SIM = ("--zero-delay",)


def _one_cell_plan(temperature: float, repetitions: int = 30) -> Plan:
    return Plan(
        name="diversity",
        user="Explain how a load balancer spreads requests.",
        params=Params(temperature=temperature, max_tokens=400),
        run=RunSettings(concurrency=[4], repetitions=repetitions),
    )


async def test_three_templates_are_found_as_three_answers(
    sim_factory: Callable[..., str],
) -> None:
    sessions = await _sessions(sim_factory, [*TEMPLATE_SIM, "--templates", "3"],
                               DIVERSITY_SEEDS, _one_cell_plan(0.7))
    cells = [cell for report in _reports(sessions) for cell in report.cells]
    assert all(c.agreement.distinct_outputs >= 25 for c in cells)  # reworded: strings differ
    assert [c.diversity.clusters for c in cells] == [3] * len(cells)
    assert all(2.2 <= (c.diversity.vendi or 0) <= 4.0 for c in cells), [
        c.diversity.vendi for c in cells]


async def test_one_repeated_answer_scores_one(sim_factory: Callable[..., str]) -> None:
    (session,) = await _sessions(sim_factory, TEMPLATE_SIM, [0], _one_cell_plan(0.0))
    (cell,) = analyze(session).cells
    assert cell.agreement.distinct_outputs == 1
    assert cell.diversity.vendi is not None and abs(cell.diversity.vendi - 1.0) < 1e-6
    assert (cell.diversity.clusters, cell.diversity.modal_agreement) == (1, 1.0)


# --- answer stability: the sim's --answer-choices K sets the true flip rate, 1 - 1/K --------

STABILITY_SEEDS = range(4)  # all 20 in benchmarks/answer_stability_validation.py


def _stability(sessions: list[list[Sample]]) -> list[AnalysisReport]:
    options = [AnalysisOptions(answer_regex=r"Answer: ([A-Z])", expected_answer="A", seed=i)
               for i, _ in enumerate(sessions)]
    return [analyze(s, o) for s, o in zip(sessions, options, strict=True)]


async def test_the_flip_rate_interval_holds_the_true_rate(
    sim_factory: Callable[..., str],
) -> None:
    sessions = await _sessions(sim_factory, [*TEMPLATE_SIM, "--answer-choices", "3"],
                               STABILITY_SEEDS, _one_cell_plan(0.8, repetitions=40))
    cells = [cell for report in _stability(sessions) for cell in report.cells]
    for cell in cells:
        a = cell.agreement
        assert a.flip_rate_ci_low is not None and a.flip_rate_ci_high is not None
        assert a.flip_rate_ci_low <= 2 / 3 <= a.flip_rate_ci_high, a
        assert a.unparsable_answers == 0
        # pass^1 is the share correct; pass^2 below it, pass@2 above (answers vary).
        assert a.pass_k[0].pass_hat == (a.correct or 0) / 40
        assert a.pass_k[1].pass_hat < a.pass_k[0].pass_hat < a.pass_k[1].pass_at


async def test_with_one_choice_nothing_flips_and_nothing_is_reported(
    sim_factory: Callable[..., str],
) -> None:
    sessions = await _sessions(sim_factory, [*TEMPLATE_SIM, "--answer-choices", "1"],
                               STABILITY_SEEDS, _one_cell_plan(0.8, repetitions=40))
    for report in _stability(sessions):
        (cell,) = report.cells
        a = cell.agreement
        assert (a.flip_rate, a.flip_rate_ci_low, a.flip_rate_ci_high) == (0.0, 0.0, 0.0)
        assert [p.pass_hat for p in a.pass_k] == [1.0, 1.0, 1.0, 1.0]
        assert not any("parsed answers" in f for f in report.findings)
