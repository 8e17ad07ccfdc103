"""`workbench export SESSION --html F --csv F --json F`: files to share a session."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.commands._session import open_session
from workbench.commands._similarity import add_embedding_option, similarity_measure
from workbench.core.analysis import (
    AnalysisOptions,
    AnalysisReport,
    EmbeddingModelError,
    SimilarityMeasure,
    analyze,
    default_factor,
)
from workbench.core.endpoints import EndpointProfile, ProfileStore
from workbench.core.export import ReportPlot, render_html_report, samples_csv, session_json
from workbench.core.files import write_atomically
from workbench.core.journal import LoadedSession, SessionFileError
from workbench.core.knee import knee_settings


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export",
        help="write a session as CSV, JSON or a self-contained HTML report",
        description="Export a session file. HTML is one offline file for stakeholders: plan, "
        "summary, findings, plots and the responses side by side with differences marked.",
    )
    p.add_argument("session", type=Path, help="a session file (.jsonl)")
    p.add_argument("--html", type=Path, metavar="FILE", help="the stakeholder report")
    p.add_argument("--csv", type=Path, metavar="FILE", help="one row per attempt")
    p.add_argument("--json", type=Path, metavar="FILE", help="the session as one JSON document")
    p.add_argument("--no-plots", action="store_true", help="HTML without plots (no Qt needed)")
    add_embedding_option(p)
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"workbench export: {message}", file=sys.stderr)
    return 2


def report_plots(
    session: LoadedSession, report: AnalysisReport | None = None
) -> list[ReportPlot]:
    """The window's plots of this session, rendered offscreen (Qt is loaded only here)."""
    from workbench.app import render_report_plots

    return render_report_plots(session, report)


def _profile(name: str) -> EndpointProfile | None:
    """The endpoint's profile for its prices; none when it cannot be read (no cost shown)."""
    try:
        return ProfileStore().get(name)
    except Exception:  # an unknown or unreadable profile only means no prices
        return None


def html_report(
    session: LoadedSession, *, plots: bool = True, similarity: SimilarityMeasure | None = None
) -> bytes:
    plan = session.header.plan
    options = AnalysisOptions(
        factor=default_factor(plan), knee=knee_settings(plan), similarity=similarity
    )
    analysis = analyze(session.samples, options, plan=plan)
    images = report_plots(session, analysis) if plots else []
    return render_html_report(session, analysis, images, prices=_profile)


def run(args: argparse.Namespace) -> int:
    targets = [t for t in (args.html, args.csv, args.json) if t is not None]
    if not targets:
        return _fail("nothing to do: give --html FILE, --csv FILE and/or --json FILE")
    if len(set(targets)) != len(targets):
        return _fail("each export needs its own file")
    if args.session.resolve() in {t.resolve() for t in targets}:
        return _fail("an export would overwrite the session file itself")
    try:
        measure = similarity_measure(args)
    except EmbeddingModelError as exc:
        return _fail(f"--embedding-model: {exc}")
    try:
        session = open_session(args.session)
    except SessionFileError as exc:
        return _fail(str(exc))
    outputs: list[tuple[Path, bytes]] = []
    if args.csv:
        outputs.append((args.csv, samples_csv(session.samples)))
    if args.json:
        outputs.append((args.json, session_json(session)))
    if args.html:
        outputs.append((args.html, html_report(session, plots=not args.no_plots,
                                                       similarity=measure)))
    for path, data in outputs:
        try:
            write_atomically(path, data)
        except OSError as exc:
            return _fail(f"{path}: cannot write ({exc.strerror or exc})")
        print(f"wrote {path} ({len(data):,} bytes)")
    return 0
