"""The Responses tab: diff against a baseline, sorting, filtering, copying."""

from __future__ import annotations

import msgspec
import pytest
from PySide6.QtGui import QColor, QGuiApplication

from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, wait_finished
from workbench.core.plan import Variant
from workbench.ui.responses.card import similarity_tint
from workbench.viewmodel.diffing import DiffColors

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _highlighted_words(card, colour: str) -> list[str]:
    """Words the user sees on a background of `colour` in a card."""
    found: list[str] = []
    block = card.body.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().background().color() == QColor(colour):
                found.extend(fragment.text().split())
            it += 1
        block = block.next()
    return found


def test_diff_marks_exactly_the_words_that_differ(main_window, qtbot):
    window = main_window
    base_text = "The quick brown fox jumps over the lazy dog near the river bank."
    other_text = "The quick red fox leaps over the lazy dog near the river bank."
    fill_plan(qtbot, window, base_text, "1", 1, model="echo")
    plan = window.params.build_plan()
    assert plan is not None
    plan = msgspec.structs.replace(plan, variants=[Variant(name="reworded", user=other_text)])
    window.controller.start(plan, window.params.profile())
    wait_finished(qtbot, window)
    run = window.bridge.run
    by_text = {r.text: r.id for r in run.responses.values()}
    assert set(by_text) == {base_text, other_text}  # echo returns the prompt verbatim
    view = window.responses
    view.make_baseline(by_text[base_text])
    card = view.grid.card_for(by_text[other_text])
    assert card is not None
    colors = DiffColors.for_theme(dark=False)
    assert sorted(_highlighted_words(card, colors.insert_bg)) == ["leaps", "red"]
    assert sorted(_highlighted_words(card, colors.delete_bg)) == ["brown", "jumps"]
    baseline_card = view.grid.card_for(by_text[base_text])
    assert baseline_card.state_badge.text() == "baseline"
    assert _highlighted_words(baseline_card, colors.insert_bg) == []
    # "Differences only" keeps the changes; the two-pane diff shows both sides.
    view.toolbar.only_check.setChecked(True)
    assert sorted(_highlighted_words(card, colors.insert_bg)) == ["leaps", "red"]
    dialog = view.compare(by_text[base_text], by_text[other_text])
    assert dialog is not None and dialog.isVisible()
    assert "brown" in dialog.left.toPlainText() and "red" in dialog.right.toPlainText()
    dialog.close()
    # Filtering by similarity hides the identical baseline, keeps the reworded one.
    view.toolbar.similarity_spin.setValue(0.95)
    assert view.grid.ids() == [by_text[other_text]]


def test_sort_and_filter_cards(main_window, qtbot):
    window = main_window
    fill_plan(qtbot, window, "Tell me about caching.", "1,2", 3)
    click_run(qtbot, window)
    wait_finished(qtbot, window)
    view, run = window.responses, window.bridge.run
    assert view.grid.count() == 6
    view.toolbar.level_combo.setCurrentIndex(view.toolbar.level_combo.findData(2))
    assert len(view.grid.ids()) == 3
    assert all(run.responses[i].level == 2 for i in view.grid.ids())
    view.toolbar.level_combo.setCurrentIndex(0)
    view.toolbar.sort_combo.setCurrentIndex(view.toolbar.sort_combo.findData("length_desc"))
    lengths = [len(run.responses[i].text) for i in view.grid.ids()]
    assert lengths == sorted(lengths, reverse=True)
    view.toolbar.length_spin.setValue(lengths[2] + 1)
    assert len(view.grid.ids()) == len([n for n in lengths if n > lengths[2]])
    view.copy_text(view.grid.ids()[0])
    assert QGuiApplication.clipboard().text() == run.responses[view.grid.ids()[0]].text


def test_tint_runs_from_warm_for_different_to_cool_for_alike():
    hues = [similarity_tint(s, dark).hueF() for dark in (False, True) for s in (0.0, 0.5, 1.0)]
    assert hues[0] < hues[1] < hues[2] and hues[3] < hues[4] < hues[5]
    assert similarity_tint(0.0, False).hue() < 40  # orange-red
    assert 180 < similarity_tint(1.0, False).hue() < 240  # blue
