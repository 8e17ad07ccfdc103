"""Command line: `workbench [gui] [FILE]`, `run`, `sim`, `analyze`, `export`, `compare`,
`keys`, `endpoints`. Each subcommand lives in `workbench.commands.<name>` and exposes
`register(subparsers)`, which adds its parser with `func` set to a `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from workbench import __version__

COMMANDS = ("gui", "run", "sim", "analyze", "export", "compare", "endpoints", "keys")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that subcommand's (the others' modules are then never
    imported: `workbench run --help` need not load the window or the analysis)."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Prompt Stress Workbench: fire a prompt many times and see how answers vary.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="start the local simulator, run a small sweep, render the window offscreen, "
        "export a report, and say what worked (exit 0) or which step failed (exit 1)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f"workbench.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:
        print(f"workbench {__version__}")  # what argparse would print, without building it
        return 0
    if args_list == ["--self-check"]:
        check: int = importlib.import_module("workbench.commands.self_check").run_self_check()
        return check
    if args_list[:1] == ["_engine-worker"]:  # core.workers.WORKER_COMMAND (frozen builds)
        from workbench.core._worker import main as worker_main

        worker_main()  # exits with the worker's status
    # `workbench` alone and `workbench FILE` open the window.
    if not args_list or (args_list[0] not in COMMANDS and not args_list[0].startswith("-")):
        args_list = ["gui", *args_list]
    # Before anything can log: keys and key-like URL parameters never reach a log line.
    from workbench.core.redact import install_log_redaction

    install_log_redaction()
    parser = build_parser(args_list[0] if args_list[0] in COMMANDS else None)
    args = parser.parse_args(args_list)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    result: int = func(args)
    return result
