"""`workbench gui` is registered and refuses a missing file without opening a window."""

from __future__ import annotations

from workbench.cli import build_parser, main


def test_gui_is_the_default_command_and_takes_a_file(tmp_path):
    args = build_parser().parse_args(["gui", str(tmp_path / "s.jsonl")])
    assert args.command == "gui" and args.file == tmp_path / "s.jsonl"


def test_gui_with_a_missing_file_says_so(tmp_path, capsys):
    assert main([str(tmp_path / "nope.jsonl")]) == 2
    assert "nope.jsonl: no such file" in capsys.readouterr().out


def test_gui_run_needs_a_plan(capsys):
    assert main(["gui", "--run"]) == 2
    assert "--run: needs --plan PLAN.toml" in capsys.readouterr().out


def test_gui_takes_a_session_or_a_plan_not_both(tmp_path, capsys):
    session, plan = tmp_path / "s.jsonl", tmp_path / "p.toml"
    session.write_text("", encoding="utf-8")
    plan.write_text('user = "hi"\n', encoding="utf-8")
    assert main(["gui", str(session), "--plan", str(plan)]) == 2
    assert "give a session FILE or --plan, not both" in capsys.readouterr().out


def test_gui_names_the_file_and_field_of_a_bad_plan(tmp_path, capsys):
    plan = tmp_path / "p.toml"
    plan.write_text('user = "hi"\n[run]\nrepetitions = "many"\n', encoding="utf-8")
    assert main(["gui", "--plan", str(plan), "--run"]) == 2
    out = capsys.readouterr().out
    assert str(plan) in out and "run.repetitions" in out
