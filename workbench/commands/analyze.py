"""`workbench analyze SESSION`: per-cell metrics, effects across levels, findings.

A readable report on stdout, or with `--json` the AnalysisReport as JSON (fields documented
in docs/analysis.md, "workbench analyze --json fields"). Exit 2 when the session file or an
option cannot be used, with a message naming what is wrong.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import msgspec

from workbench.commands._session import open_session
from workbench.commands._similarity import add_embedding_option, similarity_measure
from workbench.core.analysis import (
    DEFAULT_CLUSTER_THRESHOLD,
    AnalysisOptions,
    AnswerSpecError,
    EffectsError,
    EmbeddingModelError,
    SloError,
    analyze,
    default_factor,
    format_report,
    parse_slos,
)
from workbench.core.journal import SessionFileError
from workbench.core.knee import knee_settings


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="how much answers varied: per-cell metrics, effects of concurrency, findings",
        description="Analyse a session file: outcomes, latency percentiles, length and depth, "
        "agreement and similarity per cell; the change of each metric against the baseline "
        "level with a bootstrap CI (Bonferroni-corrected); findings as sentences.",
    )
    p.add_argument("session", type=Path, help="a session file (.jsonl) written by a run")
    p.add_argument("--json", action="store_true", help="print the analysis as JSON")
    p.add_argument(
        "--factor", choices=("level", "variant", "step"), default=None,
        help="the cell key whose effect is estimated (default: what the plan varies: step "
        "for a chain, the variant for one level and several variants or a phrasing matrix "
        "(adding the phrasing decomposition), else level, i.e. concurrency)",
    )
    p.add_argument(
        "--baseline", metavar="LEVEL",
        help="the level (or variant name) the others are compared with "
        "(default: the lowest level / the first variant)",
    )
    answers = p.add_mutually_exclusive_group()
    answers.add_argument(
        "--regex", metavar="R",
        help="parse the answer with this regex (group 1, or the whole match) for TARa",
    )
    answers.add_argument(
        "--json-path", metavar="P",
        help="parse the answer as JSON and take this path (e.g. $.answer or $.items[0]) for TARa",
    )
    p.add_argument(
        "--expect", metavar="VALUE",
        help="the correct answer, compared with each parsed answer (after the same "
        "normalisation) for pass^k and pass@k; needs --regex or --json-path",
    )
    p.add_argument(
        "--slo", metavar="NAME=MS", action="append", default=[],
        help="goodput objective, repeatable: ttft_ms, ttfr_ms, tpot_ms, e2e_ms "
        "(e.g. --slo ttft_ms=500 --slo e2e_ms=5000)",
    )
    p.add_argument(
        "--cluster-threshold", type=float, default=DEFAULT_CLUSTER_THRESHOLD, metavar="X",
        help="mean similarity (0-1; word-level, or the embedding model's) at which responses "
        f"are one answer, for the answer clusters (default {DEFAULT_CLUSTER_THRESHOLD:g})",
    )
    add_embedding_option(p)
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument(
        "--resamples", type=int, default=2000, help="bootstrap resamples (default 2000)"
    )
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"workbench analyze: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    if args.resamples < 100:
        return _fail(f"--resamples {args.resamples}: use at least 100")
    if args.expect is not None and args.regex is None and args.json_path is None:
        return _fail("--expect needs --regex or --json-path to parse each answer with")
    if not 0 < args.cluster_threshold <= 1:
        return _fail(f"--cluster-threshold {args.cluster_threshold:g}: use a value in (0, 1]")
    try:
        slos = parse_slos(args.slo)
    except SloError as exc:
        return _fail(f"--slo: {exc}")
    try:
        measure = similarity_measure(args)  # before any analysis work: a bad folder fails fast
    except EmbeddingModelError as exc:
        return _fail(f"--embedding-model: {exc}")
    if not args.session.exists():
        return _fail(f"{args.session}: no such file")
    try:
        session = open_session(args.session)
    except SessionFileError as exc:
        return _fail(str(exc))
    factor = args.factor or default_factor(session.header.plan)
    baseline: int | str | None = args.baseline
    if baseline is not None and factor != "variant":
        try:
            baseline = int(baseline)
        except ValueError:
            return _fail(f"--baseline {args.baseline!r}: a {factor} is a whole number")
    options = AnalysisOptions(
        factor=factor, baseline=baseline, slos=slos, answer_regex=args.regex,
        answer_json_path=args.json_path, expected_answer=args.expect,
        resamples=args.resamples, seed=args.seed,
        cluster_threshold=args.cluster_threshold, similarity=measure,
        knee=knee_settings(session.header.plan),
    )
    try:
        report = analyze(session.samples, options, plan=session.header.plan)
    except AnswerSpecError as exc:
        return _fail(str(exc))
    except EffectsError as exc:
        return _fail(f"--baseline: {exc}")
    if args.json:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(report), indent=2))
        sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
    else:
        print(f"Session {session.header.session} ({args.session}), "
              f"{len(session.samples)} attempts, plan {session.header.plan.name!r}")
        if not session.samples:
            print("No attempts recorded: nothing to analyse.")
            return 0
        print(format_report(report), end="")
    return 0
