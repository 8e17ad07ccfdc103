"""`workbench --self-check`: prove that this install works, end to end, in a few seconds.

Each step is what a user's first minute does: the local simulated endpoint starts, a small
sweep runs through the engine into a session file, the file reads back and is analysed, the
window renders offscreen with that session open, and an HTML report is exported and read
back. Every step prints its result and time; the first failure stops the check, names the
step and exits 1. Everything is written to a temporary folder (window settings included),
so the check leaves the user's files as they were. It runs the same from a checkout, an
installed wheel and a frozen build.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import __version__

LEVELS = (1, 4)
REPETITIONS = 4


class CheckFailed(Exception):
    """A step's own verdict: what it found wrong, in a sentence."""


@dataclass
class SelfCheck:
    folder: Path
    out: Any = sys.stdout
    started: float = field(default_factory=time.perf_counter)
    # Filled as the steps go: each step uses what the previous ones made.
    fixed_root: str | None = None  # a running simulated endpoint instead of the local one
    base_url: str = ""
    session_path: Path | None = None
    session: Any = None

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def step(self, name: str, action: Callable[[], str]) -> None:
        began = time.perf_counter()
        try:
            detail = action()
        except CheckFailed as exc:
            raise StepFailed(name, str(exc)) from None
        except Exception as exc:  # a crash is a failure of the step, named as such
            raise StepFailed(name, f"{type(exc).__name__}: {exc}", traceback.format_exc()) from None
        self.say(f"  ok    {name:<10} {detail}  ({time.perf_counter() - began:.2f} s)")

    async def simulator(self) -> str:
        if self.fixed_root is not None:
            self.base_url = self.fixed_root
            return f"using the simulated endpoint at {self.base_url}"
        from workbench.sim.process import LocalSimulator

        self.base_url = await LocalSimulator.shared().abase_url()
        return f"the local simulated endpoint answers at {self.base_url}"

    async def sweep(self) -> str:
        from workbench.core.endpoints import simulator_api_base
        from workbench.core.events import EventBus
        from workbench.core.journal import SessionJournal
        from workbench.core.plan import plan_from_dict
        from workbench.core.runner import Runner, new_session_id

        plan = plan_from_dict(
            {
                "name": "self-check",
                "user": "Explain TCP slow start in two sentences.",
                "params": {"temperature": 0.7, "max_tokens": 24},
                "run": {"concurrency": list(LEVELS), "repetitions": REPETITIONS},
            }
        )
        session_id = new_session_id()
        self.session_path = self.folder / f"{session_id}.jsonl"
        bus = EventBus()
        journal = SessionJournal(self.session_path)
        bus.subscribe(journal.on_event)
        runner = Runner(
            plan,
            base_url=simulator_api_base(self.base_url, plan.endpoint.api),
            api_key=None,
            bus=bus,
            session_id=session_id,
        )
        try:
            result = await runner.run()
        finally:
            journal.close()
        ok = result.counts.get("ok", 0)
        if ok != result.planned:
            errors = {s.error.message for s in result.samples if s.error is not None}
            raise CheckFailed(f"{ok} of {result.planned} requests ok; errors: {sorted(errors)}")
        if journal.error is not None:
            raise CheckFailed(f"the session file was not fully written: {journal.error}")
        levels = ", ".join(str(level) for level in LEVELS)
        return f"{ok} of {result.planned} requests ok at concurrency {levels}"

    def session_file(self) -> str:
        from workbench.core.analysis import analyze
        from workbench.core.journal import load_session

        assert self.session_path is not None
        self.session = load_session(self.session_path)
        report = analyze(self.session.samples)
        if len(self.session.samples) != len(LEVELS) * REPETITIONS:
            raise CheckFailed(f"read {len(self.session.samples)} records back")
        if len(report.cells) != len(LEVELS):
            raise CheckFailed(f"analysis found {len(report.cells)} cells, not {len(LEVELS)}")
        size = self.session_path.stat().st_size
        return f"{len(self.session.samples)} records read back ({size:,} bytes), analysed"

    def window(self) -> str:
        from workbench.app import WindowFrame, render_session_window, run_on_window_loop

        assert self.session_path is not None
        shot = self.folder / "window.png"
        frame: WindowFrame = run_on_window_loop(
            render_session_window(
                self.session_path,
                settings_file=self.folder / "window.ini",
                simulator_root=self.base_url,
                screenshot=shot,
            )
        )
        if not frame.opened:
            raise CheckFailed("the window did not open the session file")
        if frame.width < 600:
            raise CheckFailed(f"the window rendered a {frame.width}x{frame.height} image")
        if frame.colours < 3:  # a blank frame is one colour; a drawn window has many
            raise CheckFailed("the window rendered a blank frame")
        return f"rendered {frame.width}x{frame.height} with the session open ({shot.name})"

    def report(self) -> str:
        from workbench.commands.export import html_report
        from workbench.core.files import write_atomically

        path = self.folder / "report.html"
        write_atomically(path, html_report(self.session, plots=True))
        text = path.read_text(encoding="utf-8")
        missing = [
            what
            for what, needle in (
                ("the title", "self-check"),
                ("a plot", "data:image/png;base64,"),
                ("the concurrency-4 cell", "c=4"),
            )
            if needle not in text
        ]
        if missing:
            raise CheckFailed(f"the report lacks {', '.join(missing)}")
        return f"HTML report written and read back ({len(text):,} characters)"


class StepFailed(Exception):
    def __init__(self, step: str, reason: str, details: str = "") -> None:
        super().__init__(f"{step}: {reason}")
        self.step, self.reason, self.details = step, reason, details


def run_self_check(out: Any = sys.stdout, *, simulator_root: str | None = None) -> int:
    """The check; 0 when every step passed, 1 naming the failed step otherwise.
    `simulator_root`: check against this running simulated endpoint (tests)."""
    # No screen needed: the window renders offscreen unless a platform was chosen.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    print(f"workbench {__version__} self-check ({sys.executable})", file=out, flush=True)
    with tempfile.TemporaryDirectory(prefix="workbench-self-check-") as tmp:
        check = SelfCheck(Path(tmp), out=out, fixed_root=simulator_root)
        try:
            check.step("simulator", lambda: asyncio.run(check.simulator()))
            check.step("sweep", lambda: asyncio.run(check.sweep()))
            check.step("session", check.session_file)
            check.step("window", check.window)
            check.step("report", check.report)
        except StepFailed as failure:
            print(f"  FAIL  {failure.step}: {failure.reason}", file=out, flush=True)
            if failure.details:
                print(failure.details, file=sys.stderr)
            print(f"self-check failed at step '{failure.step}'", file=out, flush=True)
            return 1
        finally:
            if simulator_root is None:
                from workbench.sim.process import LocalSimulator

                LocalSimulator.shared().stop()
    print(f"self-check passed in {time.perf_counter() - check.started:.1f} s", file=out)
    return 0
