"""`workbench gui [FILE] [--plan PLAN.toml [--run]]` (also `workbench` alone): open the window."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.core.plan import PlanError, load_plan


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "gui",
        help="open the window (the default command)",
        description="Open the Prompt Stress Workbench window, optionally showing a saved "
        "session file read-only, or with a plan file loaded (and, with --run, running).",
    )
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="a session file (.jsonl)")
    p.add_argument(
        "--plan", type=Path, metavar="PLAN.toml",
        help="fill the parameters panel from this plan file (format: README, plan file format)",
    )
    p.add_argument(
        "--run", action="store_true",
        help="start the --plan at once, exactly as written (variants and timeouts included)",
    )
    p.set_defaults(func=run)


def _error(message: str) -> int:
    print(f"workbench gui: error: {message}", flush=True)
    return 2


def run(args: argparse.Namespace) -> int:
    if args.file is not None and not args.file.exists():
        return _error(f"{args.file}: no such file")
    if args.file is not None and args.plan is not None:
        return _error("--plan: give a session FILE or --plan, not both")
    if args.run and args.plan is None:
        return _error("--run: needs --plan PLAN.toml (the plan to run)")
    plan = None
    if args.plan is not None:
        try:
            plan = load_plan(args.plan)
        except PlanError as exc:
            return _error(str(exc))
    # Imported here: the other commands must not pay for (or need) Qt.
    from workbench.app import Opening, main

    return main(Opening(file=args.file, plan=plan, plan_path=args.plan, run_plan=args.run))
