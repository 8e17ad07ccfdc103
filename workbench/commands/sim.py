"""`workbench sim`: serve the simulated LLM endpoint (flags: workbench.sim.command)."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.sim import command as sim_cli


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sim", help="serve the simulated LLM endpoint", description=sim_cli.DESCRIPTION
    )
    sim_cli.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return sim_cli.run(args)
