"""`workbench compare A B`: two sessions with the same effect statistics as a sweep."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import msgspec

from workbench.commands._session import open_session
from workbench.commands._similarity import add_embedding_option, similarity_measure
from workbench.core.analysis import AnalysisOptions, EmbeddingModelError, format_report
from workbench.core.compare import compare_sessions, format_diversity, session_labels
from workbench.core.journal import SessionFileError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "compare",
        help="compare two sessions (e.g. sequential vs parallel, before vs after a change)",
        description="Compare session B against session A (the baseline): per shared cell, the "
        "change of every metric with a bootstrap CI (Bonferroni-corrected), and findings.",
    )
    p.add_argument("a", type=Path, metavar="A", help="the baseline session file")
    p.add_argument("b", type=Path, metavar="B", help="the session compared with it")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.add_argument("--labels", metavar="A,B", help="names for the two (default: plan names)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples (2000)")
    add_embedding_option(p)
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"workbench compare: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    if args.resamples < 100:
        return _fail(f"--resamples {args.resamples}: use at least 100")
    try:
        measure = similarity_measure(args)
    except EmbeddingModelError as exc:
        return _fail(f"--embedding-model: {exc}")
    try:
        a, b = open_session(args.a), open_session(args.b)
    except SessionFileError as exc:
        return _fail(str(exc))
    if args.labels:
        parts = [p.strip() for p in args.labels.split(",")]
        if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
            return _fail(f"--labels {args.labels!r}: give two different names, e.g. seq,par")
        labels = (parts[0], parts[1])
    else:
        labels = session_labels(a, b)
    report = compare_sessions(
        a, b, labels=labels, options=AnalysisOptions(resamples=args.resamples, seed=args.seed,
                                           similarity=measure),
    )
    if args.json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(report), indent=2))
        sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
        return 0
    print(f"{labels[0]} = {args.a} ({len(a.samples)} attempts, plan {a.header.plan.name!r})")
    print(f"{labels[1]} = {args.b} ({len(b.samples)} attempts, plan {b.header.plan.name!r})")
    print(format_report(report), end="")
    diversity = format_diversity(report, labels)
    if diversity:
        print()
        print(diversity, end="")
    return 0
