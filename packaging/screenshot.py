"""Take the README screenshots of the real window after a real run.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python packaging/screenshot.py

Starts its own simulated endpoint (mild load-sensitive depth and a few 500s so every part of
the window has something to show), runs a 1,4,8 sweep of 8 repetitions (24 responses) and
saves docs/screenshot.png (1920x1080), docs/screenshot-1280x800.png and one image per tab.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python packaging/screenshot.py --present

runs a 1,4,16 sweep instead (stronger depth decay, so there is a finding), opens View >
Present full screen and saves docs/screenshot-present.png.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncio  # noqa: E402
import tempfile  # noqa: E402

from PySide6.QtCore import QSettings  # noqa: E402

from workbench import app  # noqa: E402
from workbench.sim.process import SimProcess  # noqa: E402
from workbench.ui.runtime.event_loop import WorkbenchEventLoop  # noqa: E402

PROMPT = (
    "Explain {{topic}} to a new engineer: how it works, and what goes wrong when the "
    "network is congested."
)
SIM_ARGS = ["--seed", "7", "--decode-ms", "3", "--depth-decay", "0.15", "--batch-variance",
            "0.6", "--fault", "500=0.05", "--capacity", "8"]
PRESENT_LEVELS = "1,4,16"
PRESENT_SIM_ARGS = ["--seed", "7", "--decode-ms", "3", "--depth-decay", "0.25",
                    "--batch-variance", "0.6", "--fault", "500=0.03", "--capacity", "16"]


async def wait_for(predicate: object) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120
    while not predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            raise TimeoutError("the run did not finish in time")
        await asyncio.sleep(0.05)


def fill_panel(window: object, concurrency: str, repetitions: int) -> None:
    panel = window.params  # type: ignore[attr-defined]
    panel.prompt_edit.setPlainText(PROMPT)
    panel.variables.set_all_values({"topic": "TCP slow start"})
    panel.system_edit.setPlainText("Answer as a senior network engineer.")
    panel.concurrency_edit.setText(concurrency)
    panel.repetitions_spin.setValue(repetitions)
    panel.temperature_spin.setValue(0.0)
    panel.seed_spin.setValue(42)
    panel.max_tokens_spin.setValue(400)


async def shoot_present(out: Path, root: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "window.ini"), QSettings.Format.IniFormat)
        services = app.build_services(simulator_root=root, settings=settings)
        window = app.build_window(services)
        fill_panel(window, PRESENT_LEVELS, 8)
        window.resize(1920, 1080)
        window.show()
        await asyncio.sleep(0.5)
        window.toggle_presentation()  # as View > Present (F11)
        window.start_run()
        await wait_for(lambda: window.bridge.run.finished and not window.controller.busy)
        view = window.presentation
        await wait_for(lambda: view.findings.text().startswith("•"))
        await asyncio.sleep(1.0)  # the last redraw
        target = out / "screenshot-present.png"
        view.grab().save(str(target))
        print(f"saved {target} ({view.width()}x{view.height()})")
        view.leave()
        window.close()


async def shoot(out: Path, sizes: dict[str, tuple[int, int]], root: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "window.ini"), QSettings.Format.IniFormat)
        services = app.build_services(simulator_root=root, settings=settings)
        window = app.build_window(services)
        fill_panel(window, "1,4,8", 8)
        window.resize(*sizes["screenshot.png"])
        window.show()
        window.start_run()
        await wait_for(lambda: window.bridge.run.finished and not window.controller.busy)
        await asyncio.sleep(3.0)  # the medoid, the final summary and a redraw
        for name, size in sizes.items():
            window.resize(*size)
            for tab, suffix in ((window.plots, "-plots"), (window.summary, "-summary"),
                                (window.responses, "")):
                window.tabs.setCurrentWidget(tab)
                await asyncio.sleep(0.6)
                target = out / name.replace(".png", f"{suffix}.png")
                if suffix and name != "screenshot.png":
                    continue
                window.grab().save(str(target))
                print(f"saved {target} ({size[0]}x{size[1]})")
        window.close()


def main() -> int:
    out = ROOT / "docs"
    out.mkdir(exist_ok=True)
    sizes = {"screenshot.png": (1920, 1080), "screenshot-1280x800.png": (1280, 800)}
    present = "--present" in sys.argv[1:]
    application = app.ensure_application()
    with (SimProcess(PRESENT_SIM_ARGS if present else SIM_ARGS) as sim,
          asyncio.Runner(loop_factory=WorkbenchEventLoop) as runner):
        runner.run(shoot_present(out, sim.base_url) if present else shoot(out, sizes, sim.base_url))
    del application
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
