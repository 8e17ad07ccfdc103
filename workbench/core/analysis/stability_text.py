"""The answer-stability block of `workbench analyze`'s text report: flip rate, pass^k and
pass@k against the expected answer, and where responses first depart from the medoid."""

from __future__ import annotations

from workbench.core.analysis.results import AnalysisReport, CellMetrics, Similarity
from workbench.core.format import count, fixed, percent_of, percent_range


def divergence_cell(sim: Similarity) -> str:
    """A table cell: the median first-divergence word, "none" when every response equals
    the medoid, "–" when there is nothing to compare."""
    if sim.n >= 2 and not sim.divergence_words:
        return "none"
    return fixed(sim.divergence_p50)


def _flip_line(cell: CellMetrics) -> str | None:
    a = cell.agreement
    if a.flip_rate is None:
        return None
    ci = (
        ""
        if a.flip_rate_ci_low is None or a.flip_rate_ci_high is None
        else f" (95% CI {percent_range(a.flip_rate_ci_low, a.flip_rate_ci_high)})"
    )
    unparsed = f", {count(a.unparsable_answers)} unparsable" if a.unparsable_answers else ""
    return f"  {cell.label}: {percent_of(a.flip_rate)}{ci}{unparsed}"


def _pass_line(cell: CellMetrics) -> str | None:
    a = cell.agreement
    if a.correct is None:
        return None
    ks = ", ".join(f"k={p.k} {percent_of(p.pass_hat)} / {percent_of(p.pass_at)}" for p in a.pass_k)
    return f"  {cell.label}: {count(a.correct)}/{count(cell.outcomes.ok)} correct; {ks}"


def _divergence_line(cell: CellMetrics) -> str | None:
    sim = cell.similarity
    if sim.n < 2:
        return None
    others = sim.n - 1
    if not sim.divergence_words:
        return f"  {cell.label}: all {count(others)} identical to the medoid"
    return (
        f"  {cell.label}: {count(len(sim.divergence_words))} of {count(others)} differ, "
        f"median word {fixed(sim.divergence_p50)} "
        f"(IQR {fixed(sim.divergence_q1)}–{fixed(sim.divergence_q3)})"
    )


def stability_lines(report: AnalysisReport) -> list[str]:
    lines: list[str] = []
    flips = [line for c in report.cells if (line := _flip_line(c))]
    if flips:
        lines += ["Flip rate (chance that two repeats give different parsed answers):", *flips]
    passes = [line for c in report.cells if (line := _pass_line(c))]
    if passes:
        lines += [
            f"Expected answer {report.expected_answer}: pass^k (all of k repeats correct) / "
            "pass@k (at least one):",
            *passes,
        ]
    divergences = [line for c in report.cells if (line := _divergence_line(c))]
    if divergences:
        lines += [
            "First divergence from the medoid (word index where a response departs from the "
            "most typical one; copies of it excluded; words only, the record keeps no token "
            "boundaries):",
            *divergences,
        ]
    return lines
