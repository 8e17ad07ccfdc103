"""A plan with list variables (a phrasing matrix) opened in the panel, which edits one value
per variable: the first value is shown, and the status bar says the rest run as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.ui import OFFSCREEN_NOISE
from workbench.core.plan import load_plan

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

SAMPLE_PLAN = Path(__file__).resolve().parents[3] / "resources/plans/variants.toml"


def test_opening_a_matrix_plan_fills_one_value_and_says_the_lists_run_as_written(
    main_window, qtbot
):
    assert main_window.open_plan(load_plan(SAMPLE_PLAN), SAMPLE_PLAN, start=False)
    assert main_window.params.variables.values() == {"topic": "TCP handshakes"}
    message = main_window.statusBar().currentMessage()
    assert "2 prompt variant(s) are kept only by Re-run" in message
    assert "the lists of values of topic are kept only by Re-run" in message
