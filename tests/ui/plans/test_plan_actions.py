"""File > Open plan, Save plan, Sample plans, and the first run's sample, in the real window."""

from __future__ import annotations

import pytest

from tests.helpers.sessions import finish
from tests.helpers.ui import OFFSCREEN_NOISE, fill_plan, wait_finished
from workbench.core.plan import load_plan
from workbench.core.samples import sample_names
from workbench.ui.common import errors

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def error_text():
    def text() -> str:
        dialog = errors._dialog
        return dialog.text() if dialog is not None and dialog.isVisible() else ""

    yield text
    if errors._dialog is not None:
        errors._dialog.close()
        errors._dialog = None


def test_a_saved_plan_loads_in_the_cli_format_and_reopens_in_the_window(
    main_window, qtbot, tmp_path
):
    window = main_window
    fill_plan(qtbot, window, "Compare {{a}} with UDP.", "1,4", 3)
    window.params.prompt_edit.setPlainText("Compare {{a}} with UDP.\nBe brief.")
    window.params.system_edit.setPlainText('Say "why", not only "what".')
    window.params.variables.set_all_values({"a": "TCP"})
    window.params.temperature_spin.setValue(0.3)
    path = tmp_path / "compare.toml"
    assert finish(qtbot, window.plan_actions.save(window.current_plan(), path))

    plan = load_plan(path)  # what `workbench run compare.toml` reads
    assert plan.user == "Compare {{a}} with UDP.\nBe brief."
    assert plan.system == 'Say "why", not only "what".'
    assert plan.variables == {"a": "TCP"}
    assert (plan.run.concurrency, plan.run.repetitions) == ([1, 4], 3)
    assert plan.params.temperature == pytest.approx(0.3)

    assert window.session_actions.new_plan()
    assert window.params.prompt_edit.toPlainText() == ""
    assert finish(qtbot, window.plan_actions.open(path))
    assert window.params.prompt_edit.toPlainText() == "Compare {{a}} with UDP.\nBe brief."
    assert window.params.concurrency_edit.text() == "1,4"
    assert window.params.repetitions_spin.value() == 3


def test_a_bad_plan_file_is_refused_by_name_and_field_and_nothing_changes(
    main_window, qtbot, tmp_path, error_text
):
    window = main_window
    fill_plan(qtbot, window, "Keep me", "2", 4)
    path = tmp_path / "typo.toml"
    path.write_text('user = "x"\n[run]\nrepetitons = 3\n', encoding="utf-8")
    assert not finish(qtbot, window.plan_actions.open(path))
    message = error_text()
    assert str(path) in message and "run.repetitons" in message and "repetitions" in message
    assert window.params.prompt_edit.toPlainText() == "Keep me"
    assert window.params.concurrency_edit.text() == "2"


def test_an_invalid_panel_is_not_saved(main_window, qtbot):
    window = main_window
    window.params.prompt_edit.setPlainText("")  # an empty prompt cannot be run or saved
    assert window.plan_actions.ask_save() is None
    assert "not saved" in window.statusBar().currentMessage()


def test_the_first_run_opens_the_sample_sweep_and_ctrl_enter_runs_it(window_factory, qtbot):
    window = window_factory(first_run_sample=True)
    assert "{{topic}}" in window.params.prompt_edit.toPlainText()
    assert window.params.concurrency_edit.text() == "1,4,16"
    assert window.params.problems == {}  # ready to run as it stands
    window.run_action.trigger()  # Run > Run (Ctrl+Enter)
    wait_finished(qtbot, window)
    run = window.bridge.run
    assert run.done == run.planned == 18


def test_every_sample_plan_is_in_the_menu_and_opens(main_window, qtbot):
    window = main_window
    names = [a.text() for a in window.plan_actions.samples_menu.actions()]
    assert names and set(names) <= set(sample_names()) and "sweep" in names
    window.plan_actions.samples_menu.actions()[names.index("sweep")].trigger()
    qtbot.waitUntil(lambda: window.params.concurrency_edit.text() == "1,4,16")  # read off-thread
    assert window.params.concurrency_edit.text() == "1,4,16"


def test_a_plan_the_panel_cannot_show_is_refused_with_how_to_run_it(
    main_window, qtbot, tmp_path, error_text
):
    # A chain's steps have no field in the panel yet: opening it there would drop them.
    window = main_window
    fill_plan(qtbot, window, "Keep me", "2", 4)
    path = tmp_path / "loop.toml"
    path.write_text('[run]\nmode = "chain"\n[chain]\ninputs = ["DNS"]\n'
                    '[[steps]]\nuser = "Explain {{input}}."\n'
                    '[[steps]]\nuser = "Shorten: {{previous}}"\n', encoding="utf-8")
    assert not finish(qtbot, window.plan_actions.open(path))
    message = error_text()
    assert f"{path}: run.mode:" in message and f"workbench run {path}" in message
    assert window.params.prompt_edit.toPlainText() == "Keep me"
    # The sample menu offers only what the panel shows as written.
    names = [a.text() for a in window.plan_actions.samples_menu.actions()]
    assert "chain" not in names and "variants" not in names and "seq-vs-par" in names


def test_fields_the_panel_has_no_input_for_survive_open_and_save(main_window, qtbot, tmp_path):
    # Timeouts, retries, the knee's thresholds and SLOs have no field in the panel: a plan
    # file that sets them must keep them through the window, not fall back to defaults.
    window = main_window
    source = tmp_path / "tuned.toml"
    source.write_text(
        'user = "Explain DNS."\n[params]\ntop_p = 0.9\n'
        '[run]\nconcurrency = [2]\nrepetitions = 3\nretries = 2\ntotal_timeout = 45.0\n'
        'knee_min_gain = 0.2\nslo = { ttft_ms = 800.0 }\n', encoding="utf-8")
    assert finish(qtbot, window.plan_actions.open(source))
    window.params.repetitions_spin.setValue(5)  # an edit in the panel
    saved = tmp_path / "saved.toml"
    assert finish(qtbot, window.plan_actions.save(window.current_plan(), saved))
    plan = load_plan(saved)
    assert plan.run.repetitions == 5
    assert (plan.run.retries, plan.run.total_timeout) == (2, 45.0)
    assert (plan.run.knee_min_gain, plan.run.slo) == (0.2, {"ttft_ms": 800.0})
    assert plan.params.top_p == 0.9
