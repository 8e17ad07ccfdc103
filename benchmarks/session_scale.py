"""A 100,000-attempt session: how long it takes to open and how much memory it holds.

Writes a synthetic session (realistic texts from the simulator's generator, ~60 content chunks
per attempt), then measures, each in a fresh process: (1) `load_session` alone, (2) opening it
in the real window offscreen until every view is filled (when the window is available).

    python benchmarks/session_scale.py [--attempts 100000] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._machine import describe


def write_session(path: Path, attempts: int) -> None:
    import msgspec

    from workbench.core.journal import FORMAT, VERSION, RunEnd, SessionHeader
    from workbench.core.plan import Plan, RunSettings
    from workbench.core.records import CellKey, Sample, Timing, Usage

    rng = random.Random(1)
    words = [
        "the",
        "window",
        "grows",
        "as",
        "each",
        "acknowledgement",
        "arrives",
        "and",
        "the",
        "sender",
        "doubles",
        "its",
        "congestion",
        "window",
        "every",
        "round",
        "trip",
        "until",
        "loss",
        "appears",
    ]
    levels = [1, 8, 32, 64]
    plan = Plan(
        user="Explain TCP slow start",
        run=RunSettings(concurrency=levels, repetitions=attempts // 4),
    )
    header = SessionHeader(
        format=FORMAT,
        version=VERSION,
        app_version="bench",
        created="2026-01-01T00:00:00+00:00",
        session="bench",
        plan=plan,
    )
    enc = msgspec.json.Encoder()
    with path.open("wb") as f:
        f.write(enc.encode(header) + b"\n")
        for i in range(attempts):
            n = rng.randint(80, 220)
            text = " ".join(rng.choice(words) for _ in range(n))
            ttft = rng.randint(5_000_000, 400_000_000)
            offsets = [ttft + k * rng.randint(5_000_000, 30_000_000) for k in range(60)]
            offsets.sort()
            sample = Sample(
                session="bench",
                id=i,
                repetition=i // 4,
                cell=CellKey(endpoint="local-sim", model="sim-chat", level=levels[i % 4]),
                outcome="ok",
                timing=Timing(
                    send_wall=1.7e9 + i * 0.01,
                    send_mono_ns=i,
                    ttft_ns=ttft,
                    e2e_ns=offsets[-1] + 1000,
                    headers_ns=ttft // 2,
                    content_offsets_ns=offsets,
                ),
                text=text,
                finish_reason="stop",
                usage=Usage(prompt_tokens=9, completion_tokens=n),
                output_tokens=n,
                token_source="server",
            )
            f.write(enc.encode(sample) + b"\n")
        f.write(enc.encode(RunEnd(counts={"ok": attempts, "error": 0, "cancelled": 0})) + b"\n")


def child_load(path: str) -> None:
    from workbench.core.journal import load_session

    t0 = time.perf_counter()
    session = load_session(Path(path))
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "n": len(session.samples)}))


def _summary_analysed(window: object) -> bool:
    """Whether the full (final) analysis of the shown run has reached the Summary tab."""
    latest = window.summary.analysis.latest  # type: ignore[attr-defined]
    return latest is not None and latest.final and latest.run is window.bridge.run  # type: ignore[attr-defined]


def measure_open_in_window(path: Path) -> float:
    """Seconds from File > Open's start until the Responses grid holds every attempt, the
    Plots hold every successful one and the Summary table has its rows, in the real window
    built offscreen by the composition root. The full analysis may still be running."""
    import asyncio

    from PySide6.QtCore import QSettings

    from workbench import app
    from workbench.ui.runtime.event_loop import WorkbenchEventLoop

    qt_app = app.ensure_application()
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "window.ini"), QSettings.Format.IniFormat)
        # A fixed root: the local simulator is never started for a measurement.
        services = app.build_services(simulator_root="http://127.0.0.1:9", settings=settings)
        window = app.build_window(services)
        window.resize(1440, 900)
        window.show()
        qt_app.processEvents()

        async def open_and_wait() -> float:
            started = time.perf_counter()
            await window.session_actions.open_path(path)
            run = window.bridge.run
            ok = sum(1 for r in run.responses.values() if r.state == "ok")
            # What a user sees next: the Plots tab (its switch redraws), then the Summary.
            window.tabs.setCurrentWidget(window.plots)
            while not (  # noqa: ASYNC110 - the views signal no "filled"; poll them
                window.responses.grid.count() == len(run.order)
                # Histograms count every point (the scatter plots show a decimated view).
                and window.plots.point_counts()["e2e_hist"] == ok
                and window.summary.table.rowCount() > 0
            ):
                await asyncio.sleep(0.005)
            window.tabs.setCurrentWidget(window.summary)
            await asyncio.sleep(0)  # one pass of the loop: the tab is painted
            filled = time.perf_counter() - started
            # Let the background analysis finish before the loop closes (its thread would
            # otherwise report to a closed loop), and say how long it took.
            while not _summary_analysed(window):  # noqa: ASYNC110 - no signal to wait on
                await asyncio.sleep(0.05)
            print(f"full analysis shown after {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
            return filled

        with asyncio.Runner(loop_factory=WorkbenchEventLoop) as runner:
            seconds = runner.run(open_and_wait())
        window.close()
        window.deleteLater()
        qt_app.processEvents()
    return seconds


def child_window(path: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    seconds = measure_open_in_window(Path(path))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the session here and keep it")
    parser.add_argument("--child", choices=("load", "window"), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "load":
        child_load(args.path)
        return
    if args.child == "window":
        child_window(args.path)
        return
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "big.jsonl"
        t0 = time.perf_counter()
        write_session(path, args.attempts)
        size = path.stat().st_size / 1e6
        print(
            f"wrote {args.attempts:,} attempts, {size:,.0f} MB, in {time.perf_counter() - t0:.1f} s"
        )
        for child, what in (("load", "load_session"), ("window", "open in the window")):
            out = subprocess.run(
                [sys.executable, __file__, "--child", child, "--path", str(path)],
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                print(f"{what}: not measured ({out.stderr.strip().splitlines()[-1:]})")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{what}: {r['seconds']:.2f} s, peak memory {r['peak_mb']:,.0f} MB "
                f"(targets for the window: 3 s, 1,024 MB)"
            )


if __name__ == "__main__":
    main()
