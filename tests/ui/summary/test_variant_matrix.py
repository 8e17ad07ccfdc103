"""A phrasing matrix in the window: the Responses tab shows a row of cards per variant,
the Summary states the phrasing effect and lets the user pick the baseline variant, which
re-runs the effects. Real window, real simulator with its wording knob on."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QTableWidget

from tests.helpers.ui import OFFSCREEN_NOISE, find, wait_finished
from workbench.core.plan import load_plan

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

SAMPLE_PLAN = Path(__file__).resolve().parents[3] / "resources/plans/variants.toml"


def _run_matrix(qtbot, window_factory, sim_factory, tmp_path):
    root = sim_factory("--zero-delay", "--seed", "3", "--variant-sensitivity", "1")
    window = window_factory(size=(1440, 900), simulator_root=root)
    path = tmp_path / "matrix.toml"
    path.write_text(
        SAMPLE_PLAN.read_text(encoding="utf-8").replace("repetitions = 12", "repetitions = 6"),
        encoding="utf-8",
    )
    assert window.open_plan(load_plan(path), path, start=True)
    wait_finished(qtbot, window)
    assert window.bridge.run.done == 36
    return window


def test_matrix_rows_phrasing_finding_and_baseline_choice(
    window_factory, sim_factory, qtbot, tmp_path
):
    window = _run_matrix(qtbot, window_factory, sim_factory, tmp_path)

    # Responses: one row of cards per prompt of the matrix, in plan order, each under its name.
    window.tabs.setCurrentWidget(window.responses)
    grid = window.responses.grid
    expected = [
        f"{phrasing} · topic={topic} · 6 responses"
        for phrasing in ("base", "polite", "curt")
        for topic in ("TCP handshakes", "DNS lookups")
    ]

    def titles() -> list[str]:
        return [section.title for section in grid.sections()]

    qtbot.waitUntil(lambda: titles() == expected, timeout=10_000)
    headers = [label.text() for label in grid.headers()]
    assert headers and headers[0] == expected[0]
    first_row = [card for card in grid.visible_cards() if card.geometry().top() < 200]
    assert first_row and all(
        window.bridge.run.responses[c.item_id].cell.variant == "base · topic=TCP handshakes"
        for c in first_row
    )
    group = find(window, QComboBox, "groupCombo")
    assert group.currentText() == "By variant"  # chosen for a run with several variants
    group.setCurrentIndex(group.findText("Ungrouped"))
    assert titles() == [""] and grid.count() == 36
    group.setCurrentIndex(group.findText("By variant"))
    assert titles() == expected

    # Summary: the phrasing finding, and effects against the first variant by default.
    window.tabs.setCurrentWidget(window.summary)
    summary = window.summary
    qtbot.waitUntil(
        lambda: "Rephrasing moved the output" in summary.findings.text(), timeout=30_000
    )
    combo = find(window, QComboBox, "baselineVariantCombo")
    assert combo.isVisible()
    assert [combo.itemText(i) for i in range(combo.count())] == ["base", "polite", "curt"]
    assert summary.effects_title.text() == "Effects against the baseline variant"
    effects = find(window, QTableWidget, "effectsTable")

    def levels() -> set[str]:
        return {effects.item(r, 1).text() for r in range(effects.rowCount())}

    assert levels() == {"polite vs base", "curt vs base"}

    # The user picks another baseline: the effects are measured against it.
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "curt"
    qtbot.waitUntil(lambda: levels() == {"base vs curt", "polite vs curt"}, timeout=30_000)
    assert combo.currentText() == "curt"
    assert "Rephrasing moved the output" in summary.findings.text()
