"""The main window itself: persistence, names, menus and the unexpected-error dialog."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QSpinBox,
    QTableWidget,
    QWidget,
)

from tests.helpers.ui import OFFSCREEN_NOISE, find, type_into
from workbench import __version__

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


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


def test_sequential_against_parallel_runs_levels_1_and_c_and_reports_the_change(
    main_window, qtbot
):
    from tests.helpers.ui import fill_plan, wait_finished

    window = main_window
    fill_plan(qtbot, window, "Explain how DNS caching works.", "6", 4)
    assert window.run_action.isEnabled()
    window.menus.seq_vs_par_action.trigger()  # Run > Sequential against parallel
    wait_finished(qtbot, window)
    run = window.bridge.run
    assert run.levels == [1, 6] and run.done == 8 and run.errors == 0
    assert window.params.concurrency_edit.text() == "6"  # the panel is left as it was
    # The Summary compares the parallel level with the sequential one.
    qtbot.waitUntil(lambda: window.summary.analysis.latest is not None
                    and window.summary.analysis.latest.final, timeout=30_000)
    report = window.summary.analysis.latest.report
    assert {e.level for e in report.effects} == {6} and {e.baseline for e in report.effects} == {1}
