"""Plain-text rendering of an AnalysisReport for `workbench analyze`."""

from __future__ import annotations

from workbench.core.analysis.findings import level_phrase
from workbench.core.analysis.results import (
    AnalysisReport,
    CellMetrics,
    Effect,
    KneeReport,
    PhrasingEffect,
)
from workbench.core.analysis.specs import METRICS_BY_KEY
from workbench.core.analysis.stability_text import stability_lines
from workbench.core.format import (
    effect_change,
    effect_interval,
    fixed,
    p_value,
    percent,
    signed,
    times,
)

_pct = percent


def _num(value: float | None, digits: int = 0) -> str:
    # No thousands separator: the columns are narrow and "times in ms" says the unit.
    return fixed(value, digits).replace(",", "")


_CELL_COLUMNS = (
    ("cell", 28), ("req", 5), ("ok", 5), ("err", 4), ("retry", 5), ("ttft50", 7),
    ("ttft95", 7), ("e2e50", 7), ("e2e95", 7), ("tpot", 6), ("tok/s", 7), ("words", 11),
    ("cut", 4), ("distinct", 8), ("eff", 4), ("clus", 4), ("modal", 5), ("TARr", 4),
    ("sim", 5),
)


def _cell_row(cell: CellMetrics) -> list[str]:
    t, o = cell.timings, cell.outcomes
    words = cell.lengths.words
    d = cell.diversity
    return [
        cell.label, str(o.requests), str(o.ok), str(o.error), str(o.retries),
        _num(t.ttft_ms.p50), _num(t.ttft_ms.p95), _num(t.e2e_ms.p50), _num(t.e2e_ms.p95),
        _num(t.tpot_ms.mean, 1), _num(t.cell_tokens_per_s),
        f"{_num(words.mean)}±{_num(words.sd)}", _pct(cell.lengths.length_cut_share),
        f"{cell.agreement.distinct_outputs}/{o.ok}", _num(d.vendi, 1),
        "-" if d.clusters is None else str(d.clusters), _pct(d.modal_agreement),
        _num(cell.agreement.tar_raw),
        _num(cell.similarity.mean, 2),
    ]


def _table(header: list[str], rows: list[list[str]], widths: list[int]) -> list[str]:
    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = " ".join(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return f"{first} {rest}".rstrip()

    return [line(header)] + [line(r) for r in rows]


def _effect_row(effect: Effect) -> list[str]:
    spec = METRICS_BY_KEY[effect.metric]
    verdict = "FINDING" if effect.significant else effect.summary
    return [spec.label, str(effect.level), effect_change(effect), effect_interval(effect),
            verdict]


def knee_lines(knee: KneeReport) -> list[str]:
    """The knee search's levels as a table, the knee marked, and its rule."""
    slos = ", ".join(f"{k} <= {v:g}" for k, v in knee.slos.items()) or "none"
    lines = [
        f"Load knee: {'none found' if knee.knee is None else f'concurrency {knee.knee}'}"
        f" (a doubling adding under {_pct(knee.min_gain)} throughput, or goodput under"
        f" {_pct(knee.goodput_floor)}; SLOs: {slos}); throughput and goodput in output tok/s"
    ]
    header = ["level", "req", "ok", "tok/s", "gain", "good tok/s", "met", "req/s", "ttft95", ""]
    rows = [
        [
            str(k.level),
            str(k.requests),
            str(k.ok),
            _num(k.throughput_tokens_per_s),
            "-" if k.gain is None else f"{signed(k.gain * 100)}%",
            _num(k.goodput_tokens_per_s),
            _pct(k.goodput_share),
            _num(k.requests_per_s, 1),
            _num(k.ttft_p95_ms),
            "<- knee" if k.level == knee.knee else "",
        ]
        for k in knee.levels
    ]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    return lines + ["  " + row for row in _table(header, rows, widths)]


def _phrasing_lines(effect: PhrasingEffect, measure: str) -> list[str]:
    interval = (f" (95% CI {times(effect.ci_low)}–{times(effect.ci_high)})"
                if effect.ci_low is not None and effect.ci_high is not None else "")
    return [
        f"Phrasing ({len(effect.variants)} variants, {effect.responses} responses, "
        f"{effect.strata} strata; mean dissimilarity = 1 - similarity on {measure}):",
        f"  between variants {fixed(effect.between_mean, 3)}, within a variant "
        f"{fixed(effect.within_mean, 3)}: ratio {times(effect.ratio)}{interval}, "
        f"permutation {p_value(effect.p_value)} ({effect.permutations} permutations, "
        f"significant at p < {effect.alpha:g})",
        f"  {effect.summary}",
    ]


def format_report(report: AnalysisReport) -> str:
    lines: list[str] = []
    if report.knee is not None:
        lines += [*knee_lines(report.knee), ""]
    lines.append(f"Cells ({len(report.cells)}); times in ms, words mean±sd, "
                 "sim = mean pairwise similarity,\n"
                 "eff = effective number of distinct answers (Vendi score), clus = answer "
                 "clusters, modal = the largest cluster's share")
    header = [name for name, _ in _CELL_COLUMNS]
    rows = [_cell_row(c) for c in report.cells]
    widths = [max(w, *(len(r[i]) for r in rows)) if rows else w
              for i, (_, w) in enumerate(_CELL_COLUMNS)]
    lines += ["  " + row for row in _table(header, rows, widths)]
    for cell in report.cells:
        if cell.outcomes.error_classes:
            classes = ", ".join(f"{k} {v}" for k, v in cell.outcomes.error_classes.items())
            lines.append(f"  {cell.label}: errors: {classes}")
        if cell.goodput is not None and cell.goodput.share is not None:
            lines.append(f"  {cell.label}: goodput {_pct(cell.goodput.share)} "
                         f"({cell.goodput.met}/{cell.goodput.requests} met all SLOs)")
    if report.tar_raw_share is not None:
        lines.append(f"TARr@N: {_pct(report.tar_raw_share)} of cells had identical outputs")
    if report.tar_answer_share is not None:
        lines.append(f"TARa@N: {_pct(report.tar_answer_share)} of cells agreed on the answer")
    lines += stability_lines(report)
    lines.append("")
    lines.append("Findings:")
    lines += [f"  - {f}" for f in report.findings] or ["  none: no detectable change"]
    if report.phrasing is not None:
        lines += ["", *_phrasing_lines(report.phrasing, report.similarity_measure)]
    if report.effects:
        lines.append("")
        level = report.effects[0].ci_level
        lines.append(
            f"Effects vs baseline ({report.comparisons} comparisons, Bonferroni: each CI at "
            f"{level * 100:.2f}%, i.e. 95% simultaneous; {report.bootstrap_resamples} "
            f"bootstrap resamples, seed {report.seed}):"
        )
        groups = sorted({e.group for e in report.effects})
        for group in groups:
            effects = [e for e in report.effects if e.group == group]
            base = level_phrase(report.factor, effects[0].baseline)
            lines.append(f"  {group}, baseline {base}:")
            rows = [_effect_row(e) for e in effects]
            head = ["metric", report.factor, "change", "CI", "verdict"]
            widths = [max(len(head[i]), *(len(r[i]) for r in rows)) for i in range(4)] + [0]
            lines += ["    " + row for row in _table(head, rows, widths)]
    shown = [t for t in report.trends if t.rho is not None]
    if shown:
        lines.append("")
        lines.append("Trends over all levels (Spearman's rho; significant at p < "
                     f"{0.05 / max(report.comparisons, 1):.2g}):")
        for trend in shown:
            label = METRICS_BY_KEY[trend.metric].label
            mark = "  TREND" if trend.significant else ""
            lines.append(f"  {trend.group}: {label}: rho {trend.rho:+.2f}, "
                         f"p {trend.p_value:.3g} ({trend.method}){mark}")
    if report.chain_steps:
        lines.append("")
        lines.append("Retention per step (share of the key terms of the step's input that its "
                     "output keeps; mean over chains, 95% bootstrap CI):")
        for row in report.chain_steps:
            interval = (f"[{_pct(row.ci_low)}, {_pct(row.ci_high)}]"
                        if row.ci_low is not None and row.ci_high is not None else "")
            lines.append(f"  c={row.level} step {row.step}: {_pct(row.mean)} {interval} "
                         f"({row.chains} chains)".rstrip())
    for warning in report.warnings:
        lines.append(f"note: {warning}")
    return "\n".join(lines) + "\n"
