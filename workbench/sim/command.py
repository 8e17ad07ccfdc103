"""Flags of `workbench sim` (also `python -m workbench.sim`): one flag per SimSettings knob.

Lives in workbench.sim (not workbench.commands) so the child process can start with only the
simulator imported: faster start, and immune to import problems elsewhere in the program.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.sim.settings import (
    FAULT_KINDS,
    SettingsError,
    SimSettings,
    build_settings,
    load_profile,
)

KEY_ENV = "WORKBENCH_SIM_REQUIRE_KEY"
_D = SimSettings()

# (flag, type, help); each flag's dest is the knob name.
_KNOBS: tuple[tuple[str, Any, str], ...] = (
    ("--host", str, f"address to bind (default {_D.host}; anything else is reachable by others)"),
    ("--port", int, "port; 0 picks a free one (default 0)"),
    ("--seed", int, "seed for the server's own randomness (faults, unseeded sampling)"),
    (
        "--capacity",
        int,
        f"concurrent sequences (slots) before requests queue (default {_D.capacity})",
    ),
    (
        "--prefill-us-per-token",
        float,
        f"prefill time per prompt token, µs (default {_D.prefill_us_per_token:g})",
    ),
    (
        "--decode-ms",
        float,
        f"decode time per token with one active sequence (default {_D.decode_ms:g})",
    ),
    (
        "--batch-slowdown",
        float,
        f"added fraction of decode time per extra active sequence (default {_D.batch_slowdown:g})",
    ),
    (
        "--depth-decay",
        float,
        "fraction of expected length lost per doubling of active sequences (default 0)",
    ),
    (
        "--batch-variance",
        float,
        "0..1: temperature-0 output depends on batch composition (default 0)",
    ),
    ("--drift", float, "fraction of expected length lost per hour of uptime (default 0)"),
    (
        "--context-compression",
        float,
        "0..1: fraction of expected length lost, and share of answers leaving the prompt's "
        "topic, per doubling of prompt tokens above 64 (default 0)",
    ),
    ("--retry-after", float, f"Retry-After seconds on a 429 fault (default {_D.retry_after:g})"),
    (
        "--keepalive-interval",
        float,
        f"seconds between keep-alives while queued (default {_D.keepalive_interval:g})",
    ),
    (
        "--stall-seconds",
        float,
        f"how long a stall lasts before the server closes (default {_D.stall_seconds:g})",
    ),
    ("--stall-after", int, "content tokens sent before a stall (default 0)"),
    (
        "--mean-tokens",
        float,
        f"expected response length in tokens at one active sequence (default {_D.mean_tokens:g})",
    ),
    (
        "--topic",
        str,
        "answer every prompt from this corpus topic: a title or words on it (default: the "
        "topic of each prompt's user message)",
    ),
    (
        "--templates",
        int,
        "answer each prompt with one of K fixed texts, a few words reworded per response "
        "(default 0: off)",
    ),
    (
        "--variant-sensitivity",
        float,
        "0..1: how much an answer depends on the prompt's exact wording, so rephrasings "
        "answer systematically differently (default 0: only the content words count)",
    ),
    (
        "--answer-choices",
        int,
        "end each answer with 'Answer: X', X one of K letters drawn uniformly per response "
        "(default 0: off)",
    ),
    ("--chunk-tokens", int, "each streamed chunk carries 1..MAX tokens (default 1)"),
    (
        "--hold-until-active",
        int,
        "test aid: start decoding only once N sequences are active (default 0: off)",
    ),
)
_SWITCHES = (
    ("--reject-stream-options", "answer 400 naming stream_options when a request carries it"),
    ("--zero-delay", "no prefill or decode delays (tests, benchmarks)"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for flag, kind, text in _KNOBS:
        parser.add_argument(flag, type=kind, default=None, help=text)
    for flag, text in _SWITCHES:
        parser.add_argument(flag, action="store_true", default=None, help=text)
    parser.add_argument(
        "--fault",
        action="append",
        default=None,
        metavar="KIND=RATE",
        help=f"inject a fault at a rate 0..1 (repeatable); kinds: {', '.join(FAULT_KINDS)}",
    )
    parser.add_argument(
        "--require-key",
        default=None,
        metavar="KEY",
        help=f"answer 401 unless this key is offered (or set {KEY_ENV})",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="FILE.toml",
        help="knobs from a TOML profile (same names as the flags)",
    )
    parser.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="exit when stdin closes (used by a parent process that owns us)",
    )


def settings_from_args(args: argparse.Namespace) -> SimSettings:
    from workbench.sim.settings import parse_fault

    profile = load_profile(args.profile) if args.profile is not None else {}
    flags: dict[str, Any] = {}
    for name in (*(f for f, _, _ in _KNOBS), *(f for f, _ in _SWITCHES)):
        dest = name[2:].replace("-", "_")
        value = getattr(args, dest)
        if value is not None:
            flags[dest] = value
    if args.fault:
        flags["fault"] = dict(parse_fault(text) for text in args.fault)
    key = args.require_key or os.environ.get(KEY_ENV) or None
    if key is not None:
        flags["require_key"] = key
    settings = build_settings(profile, flags, source=str(args.profile or "flags"))
    if settings.topic is not None:
        _check_topic(settings.topic, "--topic" if "topic" in flags else str(args.profile))
    return settings


def _check_topic(topic: str, where: str) -> None:
    """Refuse a topic the corpus has nothing on now, rather than at the first request."""
    from workbench.sim.textgen import Corpus, UnknownTopic

    try:
        Corpus.load().resolve_topic(topic)
    except UnknownTopic as exc:
        raise SettingsError(f"{where}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from_args(args)
    except SettingsError as exc:
        print(f"workbench sim: {exc}", file=sys.stderr)
        return 2

    def ready(base_url: str) -> None:
        # First stdout line: the URL, for a parent process to read.
        sys.stdout.write(base_url + "\n")
        sys.stdout.flush()
        if not args.exit_on_stdin_eof:  # a parent that owns us already knows
            print(f"simulated endpoint serving on {base_url}", file=sys.stderr, flush=True)

    from workbench.sim.server import serve

    try:
        asyncio.run(serve(settings, exit_on_stdin_eof=args.exit_on_stdin_eof, ready=ready))
    except OSError as exc:
        print(
            f"workbench sim: cannot serve on {settings.host}:{settings.port}: {exc}",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workbench sim", description=DESCRIPTION)
    add_arguments(parser)
    return run(parser.parse_args(argv))


DESCRIPTION = (
    "Serve a simulated LLM API (OpenAI /v1/chat/completions, Anthropic /v1/messages, "
    "/v1/models) modelling a continuous-batching server, on loopback."
)
