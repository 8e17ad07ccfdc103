"""The stakeholder report: one self-contained, offline HTML file.

Model output is untrusted. Every value reaches the page through jinja2's autoescape, never
`|safe`; and a Content-Security-Policy that allows no script and no remote resource stands
behind it, so a response holding `<script>` is shown as text and could run nothing anyway.
Plots arrive as PNG bytes, drawn by the window's own plotting code (rendered offscreen).
"""

from __future__ import annotations

import base64
import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jinja2

from workbench import __version__
from workbench.core.analysis import (
    AnalysisReport,
    CellMetrics,
    PhrasingEffect,
    StepRetention,
    divergence_cell,
    final_samples,
    word_diff,
)
from workbench.core.cost import ProfileLookup, cell_costs
from workbench.core.format import DASH, NO_PRICES, count, duration_ms, fixed, percent, usd
from workbench.core.journal import LoadedSession
from workbench.core.records import CellKey, Sample


@dataclass(frozen=True, slots=True)
class ReportPlot:
    title: str
    png: bytes
    description: str = ""
    wide: bool = False  # spans two columns (a timeline, say)

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str  # "same", "added" (in this response, not the baseline), "removed"
    text: str


def diff_segments(baseline: str, text: str) -> list[Segment]:
    """`text` as segments against `baseline`: what it adds, and what of the baseline it lacks."""
    segments: list[Segment] = []
    for op in word_diff(baseline, text):
        removed = baseline[op.a_start : op.a_end]
        added = text[op.b_start : op.b_end]
        if op.tag == "equal":
            segments.append(Segment("same", added))
            continue
        if removed:
            segments.append(Segment("removed", removed))
        if added:
            segments.append(Segment("added", added))
    return segments




def _ms(value: float | None) -> str:
    return fixed(value)


def cost_text(samples: Sequence[Sample], prices: ProfileLookup) -> str:
    """"cost $0.0123" over every attempt with usage (retries are paid too), or the note that
    no prices are set; never "$0.0000" for an endpoint without prices."""
    total = cell_costs(samples, prices).usd
    return NO_PRICES if total is None else f"cost {usd(total)}"


def _retention_row(row: StepRetention) -> dict[str, object]:
    interval = DASH
    if row.ci_low is not None and row.ci_high is not None:
        interval = f"{percent(row.ci_low)} to {percent(row.ci_high)}"
    return {"level": row.level, "step": row.step, "chains": row.chains,
            "mean": percent(row.mean), "ci": interval}


def _cell_row(cell: CellMetrics) -> dict[str, str]:
    t, words = cell.timings, cell.lengths.words
    return {
        "cell": cell.label,
        "ok": f"{cell.outcomes.ok}",
        "errors": f"{cell.outcomes.error}",
        "ttft": f"{_ms(t.ttft_ms.p50)} / {_ms(t.ttft_ms.p95)}",
        "e2e": f"{_ms(t.e2e_ms.p50)} / {_ms(t.e2e_ms.p95)}",
        "tps": _ms(t.tokens_per_s.p50),
        "words": fixed(words.mean),
        "cv": percent(words.cv),
        "distinct": f"{cell.agreement.distinct_outputs}",
        "effective": fixed(cell.diversity.vendi, 1),
        "modal": percent(cell.diversity.modal_agreement),
        "similarity": fixed(cell.similarity.mean, 2),
        "diverges": divergence_cell(cell.similarity),
    }


def _responses(
    cell: CellMetrics, samples: list[Sample], limit: int
) -> tuple[list[dict[str, Any]], int]:
    ok = [s for s in samples if s.outcome == "ok"]
    baseline = next((s for s in ok if s.id == cell.similarity.medoid_sample_id), None)
    if baseline is None and ok:
        baseline = ok[0]
    shown = ([baseline] if baseline else []) + [s for s in ok if s is not baseline]
    failed = [s for s in samples if s.outcome != "ok"]
    cards: list[dict[str, Any]] = []
    for sample in (shown + failed)[:limit]:
        t = sample.timing
        is_base = sample is baseline
        cards.append(
            {
                "title": f"#{sample.repetition + 1}"
                + (" · baseline (most typical)" if is_base else ""),
                "meta": " · ".join(
                    part
                    for part in (
                        f"TTFT {duration_ms(None if t.ttft_ns is None else t.ttft_ns / 1e6)}",
                        f"E2E {duration_ms(None if t.e2e_ns is None else t.e2e_ns / 1e6)}",
                        f"{len(sample.text.split())} words",
                        sample.finish_reason or "",
                    )
                    if part
                ),
                "error": None
                if sample.error is None
                else f"{sample.error.error_class}: {sample.error.message}",
                "baseline": is_base,
                "segments": (
                    [Segment("same", sample.text)]
                    if is_base or baseline is None or sample.outcome != "ok"
                    else diff_segments(baseline.text, sample.text)
                ),
            }
        )
    return cards, max(0, len(shown) + len(failed) - limit)


def _report_asset(name: str) -> str:
    """A file of resources/report/ (the template and its style sheet), found the same way
    from a checkout, a wheel and a frozen build."""
    folder = importlib.resources.files("workbench.resources").joinpath("report")
    return folder.joinpath(name).read_text(encoding="utf-8")


def _phrasing_text(effect: PhrasingEffect | None) -> str | None:
    """The phrasing decomposition in words (docs/analysis.md, "Phrasing matrix")."""
    if effect is None:
        return None
    return (
        f"{effect.summary} Mean dissimilarity (1 − similarity) between responses to "
        f"different variants {fixed(effect.between_mean, 3)}, to the same variant "
        f"{fixed(effect.within_mean, 3)}; {count(effect.responses)} responses to "
        f"{len(effect.variants)} variants, {count(effect.strata)} group(s) of cells compared "
        f"separately, {count(effect.permutations)} permutations."
    )


def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_report_asset),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("report.html.j2")


def render_html_report(
    session: LoadedSession,
    report: AnalysisReport,
    plots: Sequence[ReportPlot] = (),
    *,
    responses_per_cell: int = 12,
    prices: ProfileLookup | None = None,
) -> bytes:
    """The report; with `prices` (an endpoint's profile by name) it states the cost, or that
    no prices are set. Without it the report says nothing about cost."""
    plan = session.header.plan
    by_cell: dict[CellKey, list[Sample]] = {}
    for sample in final_samples(session.samples):
        by_cell.setdefault(sample.cell, []).append(sample)
    cells = []
    for cell in report.cells:
        cards, hidden = _responses(cell, by_cell.get(cell.key, []), responses_per_cell)
        cells.append({"label": cell.label, "cards": cards, "hidden": hidden})
    counts = session.end.counts if session.end else None
    html = _template().render(
        title=plan.name,
        plan=plan,
        variants=plan.phrasings(),
        header=session.header,
        counts=counts,
        attempts=len(session.samples),
        findings=report.findings,
        phrasing=_phrasing_text(report.phrasing),
        warnings=[*session.warnings, *report.warnings],
        rows=[_cell_row(c) for c in report.cells],
        retention=[_retention_row(r) for r in report.chain_steps],
        comparisons=report.comparisons,
        resamples=report.bootstrap_resamples,
        plots=plots,
        cells=cells,
        cost=None if prices is None else cost_text(session.samples, prices),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
    )
    return html.encode("utf-8")
