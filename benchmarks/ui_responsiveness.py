"""How responsive the real window stays while 500 responses stream in at once.

Runs the real main window (offscreen unless a display is set) against the simulated
endpoint with 500 concurrent streams, and measures the lateness of a 5 ms QTimer probe on
the Qt thread: how much later than due each tick fires. The window shows one tab during the
run (--tab); hidden tabs do no repaint work, so measure each tab separately.

    python benchmarks/ui_responsiveness.py [--streams 500] [--tab responses|plots|summary]
        [--present]   (View > Present full screen over the window; under Xvfb at 1920x1080:
                       QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1920x1080x24" ...)

Target: p99 <= 16 ms (a frame at 60 Hz), max <= 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cProfile
import pstats
import tempfile

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer

from benchmarks._machine import describe
from workbench import app
from workbench.sim.process import SimProcess
from workbench.ui.runtime.event_loop import WorkbenchEventLoop

PROBE_MS = 5


class Probe:
    """A 5 ms precise timer; records how late each tick is against its due time."""

    def __init__(self) -> None:
        self.lateness_ms: list[float] = []
        self.at_s: list[float] = []
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(PROBE_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lateness_ms.append(max(0.0, (now - self._last) * 1000 - PROBE_MS))
        self.at_s.append(now)
        self._last = now


async def measure(args: argparse.Namespace, root: str) -> tuple[Probe, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "window.ini"), QSettings.Format.IniFormat)
        services = app.build_services(simulator_root=root, settings=settings)
        services.session_path = lambda session: Path(tmp) / f"{session}.jsonl"
        window = app.build_window(services)
        window.resize(1600, 1000)
        window.show()
        # As workbench.app does once the window is up (in a worker thread there): the engine
        # is loaded before the first Ctrl+Enter, not by it.
        app.prewarm_imports()
        tab = {"responses": window.responses, "plots": window.plots,
               "summary": window.summary}[args.tab]
        window.tabs.setCurrentWidget(tab)
        if args.present:
            window.toggle_presentation()  # View > Present, over the window and its tab
        panel = window.params
        panel.prompt_edit.setPlainText("Explain how a load balancer picks a server.")
        panel.concurrency_edit.setText(str(args.streams))
        panel.repetitions_spin.setValue(args.streams)
        panel.max_tokens_spin.setValue(args.max_tokens)
        # Pinned, not the window's default: the workload (text variety, so when responses
        # finish and how often plots redraw) must not move when the default plan does.
        panel.temperature_spin.setValue(0.7)
        await asyncio.sleep(0.5)
        probe = Probe()
        probe.start()
        started = time.perf_counter()
        window.start_run()
        while not (window.bridge.run.finished and not window.controller.busy):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        probe.stop()
        run = window.bridge.run
        chunks = sum(
            len(r.sample.timing.content_offsets_ns) for r in run.responses.values() if r.sample
        )
        info = {"elapsed_s": elapsed, "started": started, "done": run.done, "errors": run.errors,
                "chunks": chunks, "plot_redraws": window.plots.redraws}
        window.close()
        return probe, info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--tab", choices=("responses", "plots", "summary"), default="responses")
    parser.add_argument("--present", action="store_true", help="run under View > Present")
    parser.add_argument("--decode-ms", default="8", help="simulator decode time per token")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the run")
    args = parser.parse_args()
    application = app.ensure_application()
    sim_args = ["--capacity", str(args.streams), "--decode-ms", args.decode_ms, "--seed", "1"]
    profiler = cProfile.Profile() if args.profile else None
    with SimProcess(sim_args) as sim, asyncio.Runner(loop_factory=WorkbenchEventLoop) as runner:
        if profiler is not None:
            profiler.enable()
        probe, info = runner.run(measure(args, sim.base_url))
        if profiler is not None:
            profiler.disable()
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    del application
    late = np.array(probe.lateness_ms)
    at = np.array(probe.at_s) - info["started"]
    worst = np.argsort(late)[-5:][::-1]
    worst_text = ", ".join(f"{late[i]:.0f} ms at {at[i]:.1f} s" for i in worst)
    print(describe())
    shown = f"tab {args.tab}" + (", under View > Present" if args.present else "")
    print(f"simulator: {' '.join(sim_args)}; window 1600x1000, {shown}")
    print(
        f"{info['done']:.0f} responses ({info['errors']:.0f} errors), {info['chunks']:.0f} "
        f"content chunks in {info['elapsed_s']:.1f} s "
        f"({info['chunks'] / info['elapsed_s']:.0f} chunks/s); "
        f"{info['plot_redraws']:.0f} plot redraws"
    )
    print(
        f"5 ms probe lateness over {late.size} ticks: p50 {np.percentile(late, 50):.1f} ms, "
        f"p99 {np.percentile(late, 99):.1f} ms, max {late.max():.1f} ms "
        "(target p99 <= 16 ms, max <= 100 ms)"
    )
    print(f"worst ticks (from Run): {worst_text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
