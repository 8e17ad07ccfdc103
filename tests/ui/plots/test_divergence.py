"""First divergence in the window: the Summary column and the Variation plot, from a real
run against a simulator whose temperature-0 output depends on the batch."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableWidget

from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, find, wait_finished
from workbench.ui.summary.summary_view import COLUMNS

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
DIVERGES_AT = [title for title, _ in COLUMNS].index("Diverges at")


def test_batch_nondeterminism_at_temperature_zero_shows_where_responses_depart(
    window_factory, sim_factory, qtbot, tmp_path
):
    # Batch variance 1: alone (c=1) never perturbed; in a batch of k, with P = 1 - 1/k.
    root = sim_factory(
        "--decode-ms", "1", "--mean-tokens", "60", "--batch-variance", "1", "--seed", "3"
    )
    window = window_factory(size=(1440, 900), simulator_root=root)
    window.tabs.setCurrentWidget(window.summary)
    fill_plan(qtbot, window, "Explain how a load balancer spreads requests.", "1,8", 16)
    window.params.temperature_spin.setValue(0.0)
    click_run(qtbot, window)
    wait_finished(qtbot, window)

    table = find(window, QTableWidget, "summaryTable")
    qtbot.waitUntil(
        lambda: table.rowCount() == 2 and table.item(1, DIVERGES_AT).text() not in ("", "–"),
        timeout=20_000,
    )
    assert table.item(0, DIVERGES_AT).text() == "none"  # alone: all identical
    departure = float(table.item(1, DIVERGES_AT).text().replace(",", ""))
    assert departure >= 0
    assert "differed from the most typical one" in window.summary.findings.text()

    window.tabs.setCurrentWidget(window.plots)
    window.plots.variation_button.click()
    divergence = window.plots.analysis_plots.divergence
    qtbot.waitUntil(lambda: divergence.shown_cells == 2, timeout=10_000)
    report = window.summary.analysis.latest.report
    differing = len(next(c for c in report.cells if c.level == 8).similarity.divergence_words)
    assert divergence.point_count() == differing > 0
    ticks = divergence.plot.getAxis("bottom")._tickLevels[0]
    assert ticks[0][1] == "c=1\nnone" and ticks[1][1] == f"c=8\n{differing}/15"
    png = window.plots.export("divergence", tmp_path / "divergence.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
