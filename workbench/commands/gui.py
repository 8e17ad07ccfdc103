"""`workbench gui [FILE]` (also `workbench` alone): open the window."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "gui",
        help="open the window (the default command)",
        description="Open the Prompt Stress Workbench window, optionally showing a saved "
        "session file read-only.",
    )
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help="a session file (.jsonl)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.file is not None and not args.file.exists():
        print(f"workbench gui: error: {args.file}: no such file", flush=True)
        return 2
    # Imported here: the other commands must not pay for (or need) Qt.
    from workbench.app import main

    return main(args.file)
