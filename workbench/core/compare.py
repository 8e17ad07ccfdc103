"""Two sessions side by side (sequential vs parallel, before vs after a prompt change) with the
same effect statistics as a concurrency sweep: the session is the factor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from workbench.core.analysis import AnalysisOptions, AnalysisReport, Diversity, analyze
from workbench.core.format import SHARE, change, fixed, percent
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


# --- diversity of the answers, side by side -------------------------------------------------

# (label, Diversity field, digits or "share"); the change is B - A in the measure's unit.
DIVERSITY_MEASURES: tuple[tuple[str, str, int | str], ...] = (
    ("Effective answers (Vendi)", "vendi", 1),
    ("Answer clusters", "clusters", 0),
    ("Semantic entropy (nats)", "semantic_entropy", 2),
    ("Modal agreement", "modal_agreement", SHARE),
)


@dataclass(frozen=True, slots=True)
class DiversityRow:
    cell: str  # the shared cell, e.g. "c=4" (the whole session when none is shared)
    measure: str
    a: str
    b: str
    change: str  # B - A: "+2.1", "+2", "-65 pp"


def _cell_name(variant: str, level: int, step: int) -> str:
    parts = [f"c={level}"] + ([variant] if variant != "base" else [])
    return " · ".join(parts + ([f"step {step}"] if step else []))


def _shown(value: float | None, digits: int | str) -> str:
    return percent(value) if digits == SHARE else fixed(value, int(digits))


def diversity_rows(report: AnalysisReport, labels: tuple[str, str]) -> list[DiversityRow]:
    """Per cell both sessions share: each diversity measure of A and of B and the change."""
    by_cell: dict[tuple[str, int, int], dict[str, Diversity]] = {}
    for cell in report.cells:
        by_cell.setdefault((cell.variant, cell.level, cell.step), {})[cell.source] = cell.diversity
    rows: list[DiversityRow] = []
    for (variant, level, step), pair in by_cell.items():
        if labels[0] not in pair or labels[1] not in pair:
            continue
        a, b = pair[labels[0]], pair[labels[1]]
        for label, field, digits in DIVERSITY_MEASURES:
            va, vb = getattr(a, field), getattr(b, field)
            delta = None if va is None or vb is None else vb - va
            unit = SHARE if digits == SHARE else ""
            rows.append(
                DiversityRow(
                    _cell_name(variant, level, step),
                    label,
                    _shown(va, digits),
                    _shown(vb, digits),
                    change(delta, "absolute", unit),
                )
            )
    return rows


def format_diversity(report: AnalysisReport, labels: tuple[str, str]) -> str:
    """The diversity rows as a plain-text table (`workbench compare`)."""
    rows = diversity_rows(report, labels)
    if not rows:
        return ""
    threshold = next(
        (c.diversity.threshold for c in report.cells if c.diversity.threshold is not None), None
    )
    head = ("cell", "measure", labels[0], labels[1], "change")
    # The cell named once, on its first measure.
    table = [
        head,
        *(
            (r.cell if i == 0 or rows[i - 1].cell != r.cell else "", r.measure, r.a, r.b, r.change)
            for i, r in enumerate(rows)
        ),
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    lines = [
        f"Diversity of the answers ({labels[1]} against {labels[0]}; clusters at mean "
        f"word similarity >= {fixed(threshold, 2)}):"
    ]
    for line in table:
        lines.append(
            "  "
            + "  ".join(
                [
                    line[0].ljust(widths[0]),
                    line[1].ljust(widths[1]),
                    *(v.rjust(w) for v, w in zip(line[2:], widths[2:], strict=True)),
                ]
            ).rstrip()
        )
    return "\n".join(lines) + "\n"
