"""Validation, diff, plots, persistence, menus and names of the real window."""

from __future__ import annotations

import msgspec
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QWidget,
)

from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, find, type_into, wait_finished
from workbench import __version__
from workbench.core.journal import load_session
from workbench.core.plan import Variant
from workbench.viewmodel.diffing import DiffColors

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_invalid_concurrency_marks_the_field_and_disables_run(main_window, qtbot):
    window = main_window
    run = find(window, QPushButton, "runButton")
    edit = find(window, QLineEdit, "concurrencyEdit")
    type_into(qtbot, find(window, QPlainTextEdit, "promptEdit"), "Hello")
    type_into(qtbot, edit, "8,x")
    assert not run.isEnabled()
    assert edit.property("invalid") is True
    assert "'x' is not a whole number" in edit.toolTip()
    assert "Concurrency" in window.params.problem_label.text()
    type_into(qtbot, edit, "1,8,,32")
    assert not run.isEnabled() and "empty level" in edit.toolTip()
    type_into(qtbot, edit, "1,8,32")
    assert run.isEnabled()
    assert not edit.property("invalid")
    assert "requests" in window.params.total_label.text()  # 3 levels x 8 repetitions
    # An empty prompt is refused too, at the prompt.
    type_into(qtbot, find(window, QPlainTextEdit, "promptEdit"), "")
    assert not run.isEnabled()
    assert "empty" in find(window, QPlainTextEdit, "promptEdit").toolTip()


def test_variables_get_a_value_table_and_are_filled(main_window, qtbot):
    window = main_window
    type_into(qtbot, find(window, QPlainTextEdit, "promptEdit"), "Describe {{city}} in {{year}}")
    table = window.params.variables
    assert table.isVisible() and table.names() == ["city", "year"]
    table.item(0, 1).setText("Lisbon")
    table.item(1, 1).setText("1755")
    plan = window.params.build_plan()
    assert plan is not None and plan.messages(plan.all_variants()[0])[1] == "Describe Lisbon in 1755"


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
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == run.responses[view.grid.ids()[0]].text


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


def test_settings_and_layout_persist(window_factory, qtbot):
    first = window_factory(size=(1300, 820))
    assert first.size().width() == 1300  # the window fits a 1280-wide screen and more
    type_into(qtbot, find(first, QPlainTextEdit, "systemEdit"), "Be terse.")
    type_into(qtbot, find(first, QPlainTextEdit, "promptEdit"), "Name a {{thing}}.")
    first.params.variables.item(0, 1).setText("river")
    type_into(qtbot, find(first, QLineEdit, "concurrencyEdit"), "2,16")
    find(first, QSpinBox, "repetitionsSpin").setValue(12)
    find(first, QDoubleSpinBox, "temperatureSpin").setValue(1.3)
    find(first, QSpinBox, "maxTokensSpin").setValue(300)
    find(first, QComboBox, "modelCombo").setCurrentText("echo")
    first.splitter.setSizes([420, 880])
    first.tabs.setCurrentIndex(2)
    sizes = first.splitter.sizes()
    first.close()

    second = window_factory(size=None)
    # The geometry was restored rather than the first-start default (1440x900); the exact
    # size is clamped to the offscreen platform's small virtual screen, so not compared.
    assert second.services.settings.value("window/geometry")
    assert (second.width(), second.height()) != (1440, 900)
    # The splitter state is saved; at the first window's width it gives the same sizes (the
    # second window itself is narrower: see above).
    second.resize(1300, 820)
    assert second.splitter.restoreState(second.services.settings.value("window/splitter"))
    if second.width() == 1300:
        assert second.splitter.sizes() == sizes
    assert second.tabs.currentIndex() == 2
    assert find(second, QPlainTextEdit, "systemEdit").toPlainText() == "Be terse."
    assert find(second, QPlainTextEdit, "promptEdit").toPlainText() == "Name a {{thing}}."
    assert second.params.variables.values() == {"thing": "river"}
    assert find(second, QLineEdit, "concurrencyEdit").text() == "2,16"
    assert find(second, QSpinBox, "repetitionsSpin").value() == 12
    assert find(second, QDoubleSpinBox, "temperatureSpin").value() == pytest.approx(1.3)
    assert find(second, QSpinBox, "maxTokensSpin").value() == 300
    assert find(second, QComboBox, "modelCombo").currentText() == "echo"


NAMED = (
    "endpointCombo", "modelCombo", "systemEdit", "promptEdit", "temperatureSpin",
    "maxTokensSpin", "concurrencyEdit", "repetitionsSpin", "runButton", "cancelButton",
    "progressBar", "responsesView", "plotsView", "summaryTable",
)


def test_widgets_have_object_and_accessible_names(main_window):
    for name in NAMED:
        widget = main_window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    endpoint = find(main_window, QComboBox, "endpointCombo")
    assert endpoint.currentText() == "Local simulator"
    models = find(main_window, QComboBox, "modelCombo")
    assert [models.itemText(i) for i in range(models.count())] == ["sim-chat", "sim-reasoner", "echo"]
    assert find(main_window, QTableWidget, "summaryTable").columnCount() >= 10
    assert find(main_window, QProgressBar, "progressBar").value() == 0


def test_menus_shortcuts_and_about(main_window):
    menus = [a.text().replace("&", "") for a in main_window.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Run", "Help"]
    assert main_window.run_action.shortcut().toString() == "Ctrl+Return"
    assert main_window.cancel_action.shortcut().toString() == "Esc"
    view_menu = main_window.menuBar().actions()[2].menu()
    plots_action = next(a for a in view_menu.actions() if a.text() == "&Plots")
    assert plots_action.shortcut().toString() == "Ctrl+2"
    plots_action.trigger()
    assert main_window.tabs.currentWidget() is main_window.plots
    box = main_window.show_about()
    assert __version__ in box.text() and not box.isModal()
    box.close()


def test_saved_session_opens_read_only(window_factory, qtbot):
    first = window_factory()
    fill_plan(qtbot, first, "Summarise TCP slow start.", "3", 6)
    click_run(qtbot, first)
    wait_finished(qtbot, first)
    path = first.services.session_path(first.bridge.run.session)
    second = window_factory()
    second.show_session(load_session(path))
    assert second.responses.grid.count() == 6
    assert "read-only" in second.windowTitle()
    texts = {r.text for r in second.bridge.run.responses.values()}
    assert texts == {r.text for r in first.bridge.run.responses.values()}


def test_unexpected_errors_show_a_non_modal_dialog(main_window, qtbot, caplog):
    from PySide6.QtWidgets import QApplication, QMessageBox

    from workbench.ui.common import errors

    try:
        raise ValueError("boom in a slot")
    except ValueError as exc:
        errors.excepthook(type(exc), exc, exc.__traceback__)
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.objectName() == "errorDialog"]
    assert dialogs and dialogs[0].isVisible() and not dialogs[0].isModal()
    assert "boom in a slot" in dialogs[0].text()
    assert "boom in a slot" in caplog.text
    dialogs[0].close()
    assert main_window.isVisible()
