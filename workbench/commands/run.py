"""`workbench run`: fire a plan from the command line, journal it, print a table per level.

Only the plan is imported up front: the engine (aiohttp, the runner) when the run starts and
the analysis behind the final table (numpy) when it ends, so `workbench run --help` and a bad
flag answer at once and the first request leaves sooner.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core.plan import (
    Plan,
    PlanError,
    default_plan,
    load_plan,
    parse_concurrency,
    plan_from_dict,
    plan_to_dict,
)

if TYPE_CHECKING:
    from workbench.commands._endpoint import EndpointChoice
    from workbench.core.journal import SessionJournal
    from workbench.core.runner import RunResult

# Plan fields as the user typed them on the command line, for error messages.
_FLAG_OF = {
    "user": "--prompt",
    "system": "--system",
    "run.concurrency": "--concurrency",
    "concurrency": "--concurrency",
    "prompt_file": "--prompt-file",
    "run.repetitions": "--repetitions",
    "run.rate": "--rate",
    "run.retries": "--retries",
    "run.search": "--search",
    "run.max_concurrency": "--max-concurrency",
    "run.knee_min_gain": "--knee-min-gain",
    "run.knee_goodput_floor": "--knee-goodput-floor",
    "run.slo": "--slo",
    "run.total_timeout": "--timeout",
    "run.first_token_timeout": "--first-token-timeout",
    "params.temperature": "--temperature",
    "params.max_tokens": "--max-tokens",
    "endpoint.base_url": "--base-url",
    "variables": "--var",
}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run",
        help="fire a prompt N times at concurrency C and record every timing",
        description="Fire a prompt (or a PLAN.toml) at an endpoint and journal every attempt. "
        "With no endpoint, the built-in simulated endpoint is started on loopback.",
    )
    p.add_argument("plan", nargs="?", type=Path, help="a plan file (TOML); flags override it")
    where = p.add_argument_group("endpoint")
    where.add_argument("--endpoint", metavar="NAME", help="an endpoint profile (default local-sim)")
    where.add_argument("--base-url", metavar="URL", help="API base URL, e.g. https://api.x.com/v1")
    where.add_argument("--api", choices=("openai", "anthropic"), help="wire format for --base-url")
    where.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="environment variable holding the key for --base-url (never the key itself)",
    )
    where.add_argument("--model", help="model name (default: the endpoint's default)")
    what = p.add_argument_group("prompt")
    what.add_argument("--prompt", metavar="TEXT", help="the user message")
    what.add_argument("--prompt-file", metavar="FILE", type=Path, help="read the user message")
    what.add_argument("--system", metavar="TEXT", help="the system message")
    what.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fill {{NAME}} in the prompts (repeatable)",
    )
    how = p.add_argument_group("parameters")
    params = default_plan().params
    temperature = "the server's own" if params.temperature is None else params.temperature
    how.add_argument("--temperature", type=float, help=f"0-2 (default: {temperature})")
    how.add_argument("--max-tokens", type=int, help=f"({params.max_tokens})")
    how.add_argument("--seed", type=int)
    how.add_argument("--no-stream", action="store_true", help="ask for whole responses")
    load = p.add_argument_group("load")
    defaults = default_plan().run  # the one set of defaults (core.plan), as the window's
    levels = ",".join(str(level) for level in defaults.concurrency)
    load.add_argument(
        "--concurrency", metavar="LEVELS", help=f"a level or a sweep, e.g. 1,8,32 ({levels})"
    )
    load.add_argument(
        "--repetitions", type=int, metavar="N", help=f"requests per level ({defaults.repetitions})"
    )
    load.add_argument(
        "--rate",
        type=float,
        metavar="RPS",
        help="open loop: Poisson arrivals at RPS requests/s, or chains/s for a chain plan "
        "(C caps in-flight)",
    )
    load.add_argument(
        "--search",
        choices=("knee",),
        help="find the load knee: concurrency 1, 2, 4, ... until throughput stops rising or"
        " goodput under --slo falls (replaces --concurrency)",
    )
    load.add_argument(
        "--max-concurrency",
        type=int,
        metavar="C",
        help=f"the knee search's highest level ({defaults.max_concurrency})",
    )
    load.add_argument(
        "--knee-min-gain",
        type=float,
        metavar="SHARE",
        help=f"a doubling raising throughput less than this ends the search"
        f" ({defaults.knee_min_gain:g})",
    )
    load.add_argument(
        "--knee-goodput-floor",
        type=float,
        metavar="SHARE",
        help=f"a level where fewer requests meet --slo ends the search"
        f" ({defaults.knee_goodput_floor:g})",
    )
    load.add_argument(
        "--slo",
        metavar="NAME=MS",
        action="append",
        default=[],
        help="goodput objective for the knee search, repeatable: ttft_ms, ttfr_ms, tpot_ms,"
        " e2e_ms (e.g. --slo ttft_ms=500)",
    )
    load.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help=f"total time per attempt ({defaults.total_timeout:g})",
    )
    load.add_argument(
        "--first-token-timeout", type=float, metavar="S", help=f"({defaults.first_token_timeout:g})"
    )
    load.add_argument(
        "--connect-timeout", type=float, metavar="S", help=f"({defaults.connect_timeout:g})"
    )
    load.add_argument(
        "--retries",
        type=int,
        metavar="N",
        help=f"retries for 429, 5xx and connection errors ({defaults.retries})",
    )
    load.add_argument(
        "--workers",
        type=_workers,
        default=None,
        metavar="N",
        help="engine processes, each with its own event loop and connections; 'auto' (the"
        " default) is 1 up to 500 concurrent streams, then one per 500 up to the CPU count",
    )
    p.add_argument("--out", type=Path, metavar="FILE", help="session file (default: data folder)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=run)


def _workers(text: str) -> int | None:
    """`--workers`: 'auto' (None) or a count from 1."""
    if text.strip().lower() == "auto":
        return None
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not 'auto' or a whole number from 1")
    return count


def _fail(flag: str, message: str) -> int:
    print(f"workbench run: error: {flag}: {message}", file=sys.stderr)
    return 2


def build_plan(args: argparse.Namespace) -> Plan:
    """The plan file (if any) with the flags applied over it. Raises PlanError."""
    data: dict[str, Any] = plan_to_dict(load_plan(args.plan)) if args.plan else {}
    run = data.setdefault("run", {})
    params = data.setdefault("params", {})
    endpoint = data.setdefault("endpoint", {})
    if args.prompt is not None and args.prompt_file is not None:
        raise PlanError("give --prompt or --prompt-file, not both", where="user")
    if args.prompt is not None:
        data["user"] = args.prompt
    if args.prompt_file is not None:
        try:
            data["user"] = args.prompt_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PlanError(f"cannot read {args.prompt_file}: {exc}", where="prompt_file") from None
    if args.system is not None:
        data["system"] = args.system
    for item in args.var:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise PlanError(f"{item!r} is not NAME=VALUE", where="variables")
        data.setdefault("variables", {})[name] = value
    if args.concurrency is not None and args.search == "knee":
        raise PlanError(
            "a knee search picks its own levels (1, 2, 4, ... up to --max-concurrency)",
            where="concurrency",
        )
    if args.concurrency is not None:
        run["concurrency"] = parse_concurrency(args.concurrency)
    for flag, key in (
        ("repetitions", "repetitions"),
        ("retries", "retries"),
        ("timeout", "total_timeout"),
        ("first_token_timeout", "first_token_timeout"),
        ("connect_timeout", "connect_timeout"),
    ):
        if getattr(args, flag) is not None:
            run[key] = getattr(args, flag)
    for flag in ("search", "max_concurrency", "knee_min_gain", "knee_goodput_floor"):
        if getattr(args, flag) is not None:
            run[flag] = getattr(args, flag)
    if args.slo:
        from workbench.core.slo import SloError, parse_slos

        try:
            run["slo"] = parse_slos(args.slo)
        except SloError as exc:
            raise PlanError(str(exc), where="run.slo") from None
    if args.rate is not None:
        run["arrival"], run["rate"] = "open", args.rate
    for flag in ("temperature", "max_tokens", "seed"):
        if getattr(args, flag) is not None:
            params[flag] = getattr(args, flag)
    if args.no_stream:
        params["stream"] = False
    if args.model is not None:
        endpoint["model"] = args.model
    if not data.get("name"):
        steps = data.get("steps") or [{}]
        prompt = data.get("user") or steps[0].get("user") or ""
        first_line = next(iter(prompt.strip().splitlines()), "")
        data["name"] = first_line[:60] or "untitled"
    return plan_from_dict(data)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from workbench.commands._endpoint import EndpointResolveError, resolve_endpoint
    from workbench.core.journal import default_session_path
    from workbench.core.runner import new_session_id

    try:
        plan = build_plan(args)
    except PlanError as exc:
        if exc.source:
            print(f"workbench run: error: {exc}", file=sys.stderr)
            return 2
        flag = _FLAG_OF.get(exc.where) or _FLAG_OF.get(exc.where.rpartition(".")[0])
        return _fail(flag or exc.where or "plan", str(exc).split(": ", 1)[-1])
    try:
        choice = resolve_endpoint(plan, args)
    except EndpointResolveError as exc:
        return _fail(exc.flag, str(exc))
    session_id = new_session_id()
    out: Path = args.out or default_session_path(session_id)
    if out.exists():
        return _fail("--out", f"{out} exists; choose a new file (sessions are never overwritten)")
    from workbench.core.sharded import WorkersFailed

    try:
        result, journal = asyncio.run(
            _run(choice, session_id, out, quiet=args.quiet, workers=args.workers)
        )
    except WorkersFailed as exc:
        print(f"workbench run: error: {exc}; finished attempts are in {out}", file=sys.stderr)
        return 1
    finally:
        choice.close()
    from workbench.commands._table import level_table, total_cost

    print(level_table(result.samples, choice.plan, choice.profile))
    if choice.plan.run.search == "knee":
        from workbench.core.analysis import knee_lines, knee_report

        knee = knee_report(result.samples, choice.plan.run)
        print("\n" + "\n".join(knee_lines(knee)))
        print(knee.sentence)
    counts = result.counts
    cost = total_cost(result.samples, choice.plan, choice.profile)
    print(
        f"\n{counts['ok']} ok, {counts['error']} failed, {counts['cancelled']} cancelled"
        f" of {result.planned} planned"
        + (" (run cancelled)" if result.cancelled else "")
        + (f"; cost {cost}" if cost else "")
    )
    for note in result.notes:
        print(f"warning: {note}", file=sys.stderr)
    if journal.error is not None:
        print(
            f"warning: the session file could not be fully written: {journal.error}",
            file=sys.stderr,
        )
    print(f"session: {out}")
    return 0 if counts["ok"] == result.planned else 1


async def _run(
    choice: EndpointChoice, session_id: str, out: Path, *, quiet: bool, workers: int | None
) -> tuple[RunResult, SessionJournal]:
    import asyncio
    import signal

    from workbench.commands._progress import ProgressLine
    from workbench.core.events import EventBus
    from workbench.core.journal import SessionJournal
    from workbench.core.sharded import make_engine

    bus = EventBus()
    journal = SessionJournal(out)
    bus.subscribe(journal.on_event)
    progress = None if quiet else ProgressLine()
    if progress is not None:
        bus.subscribe(progress.on_event)
    base_url = await choice.base_url()
    runner = make_engine(
        choice.plan,
        workers=workers,
        base_url=base_url,
        api_key=choice.api_key,
        bus=bus,
        session_id=session_id,
    )
    loop = asyncio.get_running_loop()
    # Ctrl+C cancels the run cleanly: finished attempts stay in the journal.
    loop.add_signal_handler(signal.SIGINT, runner.cancel)
    try:
        result = await runner.run()
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        journal.close()
        if progress is not None:
            progress.close()
    return result, journal
