"""How fast the program starts: CPU of `workbench --version` and `workbench run --help`, how
long after the process starts `workbench run` sends its first request, and how long the
window takes to paint its first frame.

    python benchmarks/start_time.py [--repeat 5]

Each command runs in a fresh process (the `workbench` entry point of this interpreter's
environment); CPU is the child's user + system time. The first request is timed against a
simulated endpoint started beforehand, so its own start-up is not counted: from just before
the process is spawned to the `send_wall` stamp of the session's first attempt.
The first frame is timed in a fresh interpreter that builds the window the way the program
does (workbench.app: services, theme, main window) offscreen, from just before the process is
spawned to the first paint event of the main window.
Targets (issue 15): 0.3 s of CPU for the first two, 0.5 s for the first request, 1.5 s for
the first frame.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._machine import describe


def _entry_point() -> list[str]:
    script = Path(sys.executable).with_name("workbench")
    return [str(script)] if script.exists() else [sys.executable, "-m", "workbench"]


def _child_cpu(command: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _first_request_s(command: list[str], base_url: str, folder: Path, index: int) -> float:
    out = folder / f"first-{index}.jsonl"
    started = time.time()
    subprocess.run(
        [*command, "run", "--base-url", base_url, "--api", "openai", "--model", "sim-chat",
         "--prompt", "Explain TCP slow start", "--repetitions", "1", "--quiet",
         "--out", str(out)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    with out.open("rb") as lines:
        lines.readline()  # the header
        first = json.loads(lines.readline())
    return float(first["timing"]["send_wall"]) - started


FIRST_FRAME = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from workbench import app
from PySide6.QtCore import QEvent, QObject, QSettings

qt = app.ensure_application()
settings = QSettings(sys.argv[1], QSettings.Format.IniFormat)
window = app.build_window(app.build_services(settings=settings))


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(time.time(), flush=True)
            os._exit(0)
        return False


watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
qt.exec()
"""


def _first_frame_s(folder: Path) -> float:
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(folder / "window.ini")],
        check=True, capture_output=True, text=True, timeout=60,
    )
    return float(done.stdout.split()[-1]) - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from workbench.sim.process import SimProcess

    command = _entry_point()
    print(describe())
    for words, target in ((["--version"], 0.3), (["run", "--help"], 0.3)):
        cpu = [_child_cpu([*command, *words]) for _ in range(args.repeat)]
        print(f"workbench {' '.join(words)}: CPU median {statistics.median(cpu):.3f} s, "
              f"max {max(cpu):.3f} s over {args.repeat} runs (target <= {target} s)")
    with SimProcess(["--zero-delay"]) as sim, tempfile.TemporaryDirectory() as tmp:
        base_url = sim.base_url + "/v1"
        delays = [_first_request_s(command, base_url, Path(tmp), i) for i in range(args.repeat)]
        print(f"workbench run: first request sent {statistics.median(delays):.3f} s after the "
              f"process started (median; max {max(delays):.3f} s; target <= 0.5 s)")
        frames = [_first_frame_s(Path(tmp)) for _ in range(args.repeat)]
        print(f"window: first frame painted {statistics.median(frames):.3f} s after the process "
              f"started (median; max {max(frames):.3f} s; target <= 1.5 s)")


if __name__ == "__main__":
    main()
