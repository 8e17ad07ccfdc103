"""Two sessions side by side (sequential vs parallel, before vs after a prompt change) with the
same effect statistics as a concurrency sweep: the session is the factor."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from workbench.core.analysis import AnalysisOptions, AnalysisReport, analyze
from workbench.core.journal import LoadedSession
from workbench.core.records import Sample


def session_labels(a: LoadedSession, b: LoadedSession) -> tuple[str, str]:
    """The plans' names when they tell the sessions apart, else A and B."""
    names = (a.header.plan.name, b.header.plan.name)
    if names[0] != names[1] and all(n and n != "untitled" for n in names):
        return names
    return ("A", "B")


def _cell_keys(samples: Sequence[Sample]) -> set[tuple[str, int, int]]:
    return {(s.cell.variant, s.cell.level, s.cell.step) for s in samples}


def combined_samples(
    sessions: Sequence[LoadedSession], labels: Sequence[str]
) -> tuple[list[Sample], list[str]]:
    """All attempts of the sessions, each cell tagged with its session's label. Ids are
    shifted so they stay unique (retry links follow). When the sessions share no cell (say,
    concurrency 1 against 8) each session is pooled whole, and a warning says so."""
    keys = [_cell_keys(s.samples) for s in sessions]
    pool = not set.intersection(*keys) if keys else False
    warnings = []
    if pool:
        warnings.append(
            "the sessions share no (variant, level, step) cell; each session is compared whole"
        )
    combined: list[Sample] = []
    offset = 0
    for session, label in zip(sessions, labels, strict=True):
        top = -1
        for s in session.samples:
            cell = msgspec.structs.replace(s.cell, source=label)
            if pool:
                cell = msgspec.structs.replace(cell, variant="base", level=1, step=0)
            combined.append(
                msgspec.structs.replace(
                    s,
                    cell=cell,
                    id=s.id + offset,
                    retry_of=None if s.retry_of is None else s.retry_of + offset,
                )
            )
            top = max(top, s.id)
        offset += top + 1
    return combined, warnings


def compare_sessions(
    a: LoadedSession,
    b: LoadedSession,
    *,
    labels: tuple[str, str] | None = None,
    options: AnalysisOptions | None = None,
) -> AnalysisReport:
    """Effects of B against A (the baseline) on every metric, per shared cell."""
    chosen = labels or session_labels(a, b)
    if chosen[0] == chosen[1]:
        raise ValueError(f"the two labels must differ (both are {chosen[0]!r})")
    samples, warnings = combined_samples([a, b], chosen)
    opts = msgspec.structs.replace(
        options or AnalysisOptions(), factor="session", baseline=chosen[0]
    )
    report = analyze(samples, opts)
    report.warnings[:0] = warnings
    return report
