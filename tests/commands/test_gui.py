"""`workbench gui` is registered and refuses a missing file without opening a window."""

from __future__ import annotations

from workbench.cli import build_parser, main


def test_gui_is_the_default_command_and_takes_a_file(tmp_path):
    args = build_parser().parse_args(["gui", str(tmp_path / "s.jsonl")])
    assert args.command == "gui" and args.file == tmp_path / "s.jsonl"


def test_gui_with_a_missing_file_says_so(tmp_path, capsys):
    assert main([str(tmp_path / "nope.jsonl")]) == 2
    assert "nope.jsonl: no such file" in capsys.readouterr().out
