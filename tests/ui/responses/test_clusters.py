"""The Responses tab grouped by answer cluster, on the simulator's `--templates 3` (three
fixed answers, each response a few words reworded)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, wait_finished

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
REPETITIONS = 20


@pytest.fixture
def templated_window(window_factory, sim_factory):
    return window_factory(
        simulator_root=sim_factory("--zero-delay", "--templates", "3", "--seed", "4")
    )


def _headers(view) -> list[str]:
    return [s.title for s in view.grid.sections() if s.kind == "cluster"]


def _wait_clustered(qtbot, view) -> None:
    qtbot.waitUntil(
        lambda: bool(view.grouping.clusters) and not view.grouping.waiting, timeout=30_000
    )


def test_cards_grouped_by_cluster_largest_first_medoid_first(templated_window, qtbot):
    window = templated_window
    fill_plan(qtbot, window, "Explain how a load balancer spreads requests.", "4", REPETITIONS)
    window.params.temperature_spin.setValue(0.7)
    click_run(qtbot, window)
    wait_finished(qtbot, window)
    view = window.responses
    assert not view.toolbar.cluster_controls.isVisible()
    view.toolbar.group_combo.setCurrentIndex(view.toolbar.group_combo.findData("cluster"))
    assert view.toolbar.cluster_controls.isVisible()
    _wait_clustered(qtbot, view)

    sections = [s for s in view.grid.sections() if s.kind == "cluster"]
    assert len(sections) == 3, _headers(view)
    sizes = [len(s.ids) for s in sections]
    assert sum(sizes) == REPETITIONS and sizes == sorted(sizes, reverse=True)
    for number, section in enumerate(sections, start=1):
        share = round(100 * len(section.ids) / REPETITIONS)
        assert section.title == (
            f"Cluster {number} · {len(section.ids)} of {REPETITIONS} responses ({share}%)"
        )
        assert section.ids[0] == section.medoid_id
    # What the user sees: the headers drawn above the cards, the medoid card marked.
    shown = [label.text() for label in view.grid.headers()]
    assert shown and shown[0] == sections[0].title
    medoid_card = view.grid.card_for(sections[0].medoid_id)
    assert medoid_card is not None and medoid_card.is_medoid
    assert medoid_card.medoid_badge.isVisible()
    other = view.grid.card_for(sections[0].ids[1])
    assert other is not None and not other.is_medoid
    # Grouped, each card is diffed against its own cluster's medoid: a few words differ.
    assert view.toolbar.baseline_label.text() == "Diffs: each cluster's medoid"
    for section in sections:
        for item_id in section.ids[1:]:
            assert view.base_for(item_id) == section.medoid_id
            assert view.diff_for(item_id).similarity >= 0.8
    assert "sim 0.9" in other.metrics.text()
    assert medoid_card.state_badge.text() == "ok"  # marked "medoid", not "baseline"
    # Choosing a baseline diffs every card against it again.
    view.make_baseline(sections[1].ids[0])
    assert view.base_for(sections[0].ids[1]) == sections[1].ids[0]
    assert view.toolbar.baseline_label.text().startswith("Baseline #")
    view.use_medoid()
    assert view.base_for(sections[0].ids[1]) == sections[0].medoid_id
    # Each cluster is one answer: its members read alike, the clusters do not.
    run = window.bridge.run
    heads = [run.responses[s.medoid_id].text.split("\n")[0] for s in sections]
    assert len(set(heads)) == 3
    # The Summary counted the same clusters.
    (cell,) = window.summary.analysis.latest.report.cells
    assert cell.diversity.clusters == 3
    assert view.toolbar.group_status.text().startswith("3 answer clusters of 20 responses")

    # A strict threshold splits the reworded answers: more clusters, without a new run.
    runs_before = window.bridge.run
    view.toolbar.threshold_spin.setValue(0.99)
    qtbot.waitUntil(lambda: len(_headers(view)) > 3, timeout=30_000)
    assert window.bridge.run is runs_before
    sections = [s for s in view.grid.sections() if s.kind == "cluster"]
    assert sum(len(s.ids) for s in sections) == REPETITIONS
    qtbot.waitUntil(
        lambda: window.summary.analysis.latest.report.cells[0].diversity.clusters == len(sections),
        timeout=10_000,
    )

    # Ungrouped again: one flat list, no headers.
    view.toolbar.group_combo.setCurrentIndex(view.toolbar.group_combo.findData("none"))
    assert view.grid.headers() == [] and view.grid.count() == REPETITIONS


def test_grouping_and_threshold_are_remembered(window_factory, qtbot):
    window = window_factory()
    toolbar = window.responses.toolbar
    assert toolbar.cluster_threshold() == 0.8  # the default, docs/analysis.md
    toolbar.set_grouped(True)
    toolbar.threshold_spin.setValue(0.9)
    window.save_state()
    again = window_factory()
    assert again.responses.toolbar.grouped()
    assert again.responses.toolbar.cluster_threshold() == 0.9
    assert again.summary.analysis.cluster_threshold == 0.9


def _clustered(view) -> int:
    return sum(len(s.ids) for s in view.grid.sections() if s.kind == "cluster")


def test_live_run_clusters_on_demand_only(window_factory, sim_factory, qtbot):
    # Paced: a response takes about a second, so the run is still going when we look.
    url = sim_factory("--templates", "3", "--seed", "4", "--decode-ms", "2")
    window = window_factory(simulator_root=url)
    view = window.responses
    view.toolbar.set_grouped(True)
    fill_plan(qtbot, window, "Explain how a load balancer spreads requests.", "2", 12)
    window.params.temperature_spin.setValue(0.7)
    click_run(qtbot, window)

    def run_ok() -> int:
        return sum(1 for r in window.bridge.run.responses.values() if r.state == "ok")

    qtbot.waitUntil(lambda: run_ok() >= 2, timeout=30_000)
    assert not window.bridge.run.finished
    assert view.grouping.source is None  # nothing clustered by itself mid-run
    qtbot.waitUntil(view.toolbar.recluster_button.isVisible, timeout=5_000)
    qtbot.mouseClick(view.toolbar.recluster_button, Qt.MouseButton.LeftButton)
    _wait_clustered(qtbot, view)
    source = view.grouping.source
    first = _clustered(view)
    assert 2 <= first < 12
    # Responses finishing later wait in "Not clustered" until asked again or the run ends.
    qtbot.waitUntil(lambda: run_ok() >= first + 2, timeout=30_000)
    if not window.bridge.run.finished:
        assert view.grouping.source is source
        qtbot.waitUntil(
            lambda: any(s.kind == "unclustered" for s in view.grid.sections()), timeout=5_000
        )
    wait_finished(qtbot, window)
    qtbot.waitUntil(lambda: _clustered(view) == 12, timeout=30_000)
    assert not view.toolbar.recluster_button.isVisible()
