"""The parameters panel: what the user types is checked where it is typed, and filled in."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton

from tests.helpers.ui import OFFSCREEN_NOISE, find, type_into

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
