"""File > Compare sessions…: two real sessions from the window, compared in the window."""

from __future__ import annotations

import pytest

from tests.helpers.ui import OFFSCREEN_NOISE, click_run, fill_plan, wait_finished
from workbench.ui.sessions.compare_dialog import CompareDialog

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def run(qtbot, window, prompt: str, concurrency: str, repetitions: int):
    fill_plan(qtbot, window, prompt, concurrency, repetitions)
    click_run(qtbot, window)
    qtbot.waitUntil(lambda: window.controller.busy or window.bridge.run.finished, timeout=5000)
    wait_finished(qtbot, window)
    return window.session_actions.current_path


def test_compare_this_session_with_a_file_shows_findings_and_tables(window_factory, qtbot):
    window = window_factory()
    # Same cell (c=2), very different answers: `echo` repeats the prompt, so B's responses
    # are far longer than A's: a finding the comparison must state.
    short = run(qtbot, window, "Hi.", "2", 6)
    window.params.model_combo.setCurrentText("echo")
    long_prompt = "Please repeat this sentence about load balancing back to me verbatim. " * 8
    longer = run(qtbot, window, long_prompt, "2", 6)
    window.params.model_combo.setCurrentText("echo")
    first = run(qtbot, window, "Hi.", "2", 6)
    assert short and longer and first

    dialog = window.session_actions.open_compare()
    assert isinstance(dialog, CompareDialog) and dialog.isVisible() and not dialog.isModal()
    # "This session vs a file": A is the window's current session.
    assert dialog.first_edit.text() == str(first)
    dialog.second_edit.setText(str(longer))
    task = dialog.start()
    assert task is not None
    assert "Comparing" in dialog.status.text()
    qtbot.waitUntil(task.done, timeout=60_000)

    report = dialog.report
    assert report is not None and report.factor == "session"
    assert report.findings
    assert "longer" in dialog.findings.text()
    assert dialog.effects.rowCount() == len(report.effects) > 0
    top = [dialog.effects.item(0, c).text() for c in range(dialog.effects.columnCount())]
    assert top[-1] == "changed" and top[3].startswith("+")
    sessions = {dialog.cells.item(r, 0).text() for r in range(dialog.cells.rowCount())}
    assert sessions == {"A", "B"}
    assert window.isEnabled()  # non-modal: the window stayed usable
    dialog.close()


def test_compare_names_a_broken_file(window_factory, qtbot, tmp_path):
    window = window_factory()
    good = run(qtbot, window, "Hi.", "1", 2)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not a session\n")
    dialog = window.session_actions.open_compare()
    dialog.second_edit.setText(str(bad))
    task = dialog.start()
    qtbot.waitUntil(task.done, timeout=30_000)
    assert "Cannot compare" in dialog.status.text()
    assert "bad.jsonl, line 1" in dialog.status.text()
    assert dialog.report is None and dialog.compare_button.isEnabled()
    assert good.is_file()
    dialog.close()


def test_compare_shows_both_sessions_diversity(window_factory, sim_factory, qtbot, tmp_path):
    import subprocess
    import sys

    from workbench.core.format import fixed

    # A: three answers, reworded (the simulator's templates); B: every answer its own. Run
    # by the CLI in a child process: the window's event loop owns this one.
    paths = []
    for name, extra in (("three", ("--templates", "3")), ("free", ())):
        url = sim_factory("--zero-delay", "--seed", "2", *extra)
        path = tmp_path / f"{name}.jsonl"
        args = [
            sys.executable,
            "-m",
            "workbench",
            "run",
            "--base-url",
            url + "/v1",
            "--model",
            "sim-chat",
            "--prompt",
            "Explain how a load balancer spreads requests.",
            "--temperature",
            "0.7",
            "--concurrency",
            "4",
            "--repetitions",
            "20",
            "--out",
            str(path),
            "--quiet",
        ]
        subprocess.run(args, check=True, timeout=120)
        paths.append(path)
    window = window_factory()
    dialog = window.session_actions.open_compare()
    dialog.first_edit.setText(str(paths[0]))
    dialog.second_edit.setText(str(paths[1]))
    task = dialog.start()
    qtbot.waitUntil(task.done, timeout=60_000)
    a, b = (next(c for c in dialog.report.cells if c.source == s) for s in ("A", "B"))
    assert a.diversity.clusters == 3 and b.diversity.vendi > a.diversity.vendi
    table = dialog.diversity
    assert table.rowCount() == 1
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[1] == "Effective answers (Vendi) A → B"
    row = [table.item(0, c).text() for c in range(table.columnCount())]
    assert row[0] == "c=4"
    assert row[1].startswith(f"{fixed(a.diversity.vendi, 1)} → {fixed(b.diversity.vendi, 1)}")
    assert row[2].startswith(f"3 → {b.diversity.clusters}")
    assert "pp" in row[4]
    dialog.close()
