"""Analysis in the window: summary metrics, findings, effects and cost; the similarity
heatmap and metric-by-level plots; cards tinted by similarity. Real window, real simulator."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QTableWidget

from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, find, wait_finished
from workbench.core.cost import cell_costs
from workbench.core.endpoints import EndpointProfile
from workbench.core.format import usd
from workbench.ui.summary.summary_view import COLUMNS, COST_COLUMN

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

PROMPT = "Explain how a load balancer decides where to send a request."


def _header(table: QTableWidget) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def test_a_sweep_with_load_sensitive_depth_shows_findings_heatmap_levels_and_tints(
    window_factory, sim_factory, qtbot, tmp_path
):
    # Every level-8 answer is decoded with 8 active sequences: depth decay 0.5 per doubling
    # makes it about 8x shorter than at level 1.
    root = sim_factory("--decode-ms", "1", "--mean-tokens", "60", "--depth-decay", "0.5",
                       "--seed", "7")
    window = window_factory(size=(1440, 900), simulator_root=root)
    window.tabs.setCurrentWidget(window.summary)
    fill_plan(qtbot, window, PROMPT, "1,8", 16)
    click_run(qtbot, window)
    wait_finished(qtbot, window)
    run = window.bridge.run
    assert run.done == 32 and run.errors == 0

    # Summary: a row per level with every metric column, the finding, the effects, the cost.
    table = find(window, QTableWidget, "summaryTable")
    qtbot.waitUntil(lambda: "shorter" in window.summary.findings.text(), timeout=20_000)
    assert _header(table) == [title for title, _ in COLUMNS]
    assert table.rowCount() == 2
    assert [table.item(r, 0).text() for r in range(2)] == ["c=1", "c=8"]
    assert _header(table)[COST_COLUMN] == "Cost"
    # The simulator has no prices: no cost column of zeros, one "no prices set" note.
    assert table.isColumnHidden(COST_COLUMN)
    total = window.summary.total_label.text()
    assert total.count("no prices set") == 1 and "$" not in total
    findings = window.summary.findings.text()
    assert "At concurrency 8, responses were" in findings and "shorter in words" in findings
    effects = find(window, QTableWidget, "effectsTable")
    rows = [[effects.item(r, c).text() for c in range(5)] for r in range(effects.rowCount())]
    words = next(r for r in rows if r[0] == "length (words, mean)")
    assert words[1] == "8 vs 1" and words[2].startswith("-") and words[4] == "finding"
    assert all(r[4] in ("finding", "no detectable change") or r[4].startswith("not ")
               for r in rows)

    # Costs with a priced profile: tokens times prices; none without prices.
    samples = window.summary.analysis.latest.samples
    priced = EndpointProfile(name="x", price_in_per_mtok=1.0, price_out_per_mtok=2.0)
    costs = cell_costs(samples, lambda _name: priced)
    expected = (costs.prompt_tokens * 1.0 + costs.completion_tokens * 2.0) / 1e6
    assert costs.completion_tokens > 0 and costs.usd == pytest.approx(expected)
    unpriced = cell_costs(samples, lambda _name: EndpointProfile(name="y"))
    assert unpriced.usd is None
    # With prices the Summary tab shows the cost column and the total in dollars.
    window.summary.set_profiles(lambda _name: priced)
    window.summary.mark_dirty()
    window.summary.run_finished()
    qtbot.waitUntil(lambda: not table.isColumnHidden(COST_COLUMN), timeout=20_000)
    assert table.item(0, COST_COLUMN).text().startswith("$")
    shown = cell_costs(window.summary.analysis.latest.samples, lambda _name: priced)
    assert f"cost {usd(shown.usd)}" in window.summary.total_label.text()

    # Plots, Variation page: the heatmap of all 32 responses, then of one cell.
    window.tabs.setCurrentWidget(window.plots)
    plots = window.plots
    plots.variation_button.click()
    variation = plots.analysis_plots
    qtbot.waitUntil(lambda: variation.heatmap is not None, timeout=10_000)
    assert variation.image.image.shape == (32, 32)
    assert [name for _, name in variation.heatmap.blocks] == ["c=1", "c=8"]
    plots.cell_combo.setCurrentIndex(plots.cell_combo.findText("c=8"))
    qtbot.waitUntil(lambda: variation.image.image.shape == (16, 16), timeout=10_000)
    # Metric by level: a point per level, a CI whisker for the level compared with the
    # baseline; the words whisker lies wholly below the baseline (the finding).
    for name in ("words_by_level", "ttft_by_level"):
        assert len(variation.points[name].data) == 2
        assert variation.bar_count(name) == 1
    bars = variation.error_bars["words_by_level"].opts
    baseline = variation.baseline_lines["words_by_level"].value()
    assert bars["y"][0] + bars["top"][0] < baseline
    for name in variation.plots:
        png = plots.export(name, tmp_path / f"{name}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Repaint the Variation page many times (pyqtgraph paint crash guard, with images).
    for _ in range(30):
        variation.repaint()
        qtbot.wait(1)

    # Cards tinted by similarity to the baseline: set, distinct, and cleared again.
    window.tabs.setCurrentWidget(window.responses)
    tint = find(window, QCheckBox, "similarityTintToggle")
    cards = window.responses.grid.visible_cards()
    assert cards and all(not c.property("similarityTint") for c in cards)
    tint.click()
    qtbot.waitUntil(lambda: all(c.property("similarityTint") for c in
                                window.responses.grid.visible_cards()), timeout=5000)
    colours = {c.property("similarityTint") for c in window.responses.grid.visible_cards()}
    assert len(colours) >= 2  # the baseline (cool) and responses unlike it
    tint.click()
    assert all(not c.property("similarityTint") for c in window.responses.grid.visible_cards())
