"""The Plots tab while a run streams into it, and its export."""

from __future__ import annotations

import pytest

from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, wait_finished

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_live_plots_repaint_many_times_and_export(main_window, qtbot, tmp_path):
    window = main_window
    window.tabs.setCurrentWidget(window.plots)
    fill_plan(qtbot, window, "Explain retries.", "4,8", 40)
    click_run(qtbot, window)
    plots = window.plots
    # Count from the run's start (a frame is a few ms now, faster than the run starts).
    qtbot.waitUntil(lambda: plots.live.run is window.bridge.run, timeout=10_000)
    frames = 0
    # Repaint while the run streams (the PySide6 6.12 + pyqtgraph crash was in AxisItem
    # paint); then keep repainting the finished plots.
    while frames < 150:
        plots.mark_dirty()
        plots.redraw()
        plots.repaint()
        qtbot.wait(1)
        frames += 1
    wait_finished(qtbot, window)
    plots.redraw()
    assert plots.redraws >= 150
    assert plots.point_counts()["latency"] == 80
    for name in plots.plots:
        png = plots.export(name, tmp_path / f"{name}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = plots.export("latency", tmp_path / "latency.svg").read_text()
    assert "<svg" in svg and "c=8" in svg
    menu_texts = [a.text() for a in plots.plots["latency"].getViewBox().menu.actions()]
    assert "Export this plot as PNG…" in menu_texts and "Export this plot as SVG…" in menu_texts
