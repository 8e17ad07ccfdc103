"""Plan modes: one format for every mode, the old arrival `mode` still read, and a mistake in
a chain plan named by file and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.core.plan import PlanError, load_plan, plan_from_dict, plan_to_dict
from workbench.core.records import CellKey

PLANS = Path(__file__).resolve().parents[2] / "resources" / "plans"

CHAIN = """
[run]
mode = "chain"
repetitions = 3
concurrency = [2]

[chain]
inputs = ["TCP slow start", "DNS caching"]

[[steps]]
user = "Explain {{input}}."

[[steps]]
user = "Shorten this: {{previous}}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("arrival", ["closed", "open"])
def test_the_old_arrival_mode_is_read_as_a_sweep_with_that_arrival(
    tmp_path: Path, arrival: str
) -> None:
    path = write(tmp_path, f'user = "x"\n[run]\nmode = "{arrival}"\nrate = 2.0\n')
    plan = load_plan(path)
    assert (plan.run.mode, plan.run.arrival) == ("sweep", arrival)
    # Saved again, it is in today's form: no arrival left in `mode`.
    assert plan_to_dict(plan)["run"].get("mode", "sweep") == "sweep"


def test_an_old_mode_contradicting_the_arrival_names_file_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, 'user = "x"\n[run]\nmode = "open"\narrival = "closed"\n')
    with pytest.raises(PlanError, match=re.escape(f"{path}: run.mode: 'open' is an arrival")):
        load_plan(path)


def test_a_chain_plan_has_one_cell_per_step_and_level(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, CHAIN))
    assert plan.run.mode == "chain"
    assert plan.chains_per_level() == 6  # 3 per input
    assert plan.total_requests() == 12
    assert list(plan.cells()) == [
        CellKey(endpoint="local-sim", model="sim-chat", level=2, step=1),
        CellKey(endpoint="local-sim", model="sim-chat", level=2, step=2),
    ]
    assert plan.chain_input(0) == "TCP slow start" and plan.chain_input(3) == "DNS caching"
    assert plan.step_messages(1, "DNS", []) == (None, "Explain DNS.")
    assert plan.step_messages(2, "DNS", ["first"]) == (None, "Shorten this: first")


def test_previous_at_the_first_step_is_the_input_and_history_is_empty() -> None:
    plan = plan_from_dict(
        {
            "run": {"mode": "chain"},
            "chain": {"inputs": ["seed"]},
            "steps": [{"user": "[{{previous}}|{{history}}]"}],
        }
    )
    assert plan.step_messages(1, "seed", []) == (None, "[seed|]")
    assert plan.step_messages(1, "seed", ["a", "b"]) == (None, "[b|a\n\nb]")


@pytest.mark.parametrize(
    ("toml", "field", "message"),
    [
        ('[run]\nmode = "chain"\n', "steps", "a chain plan needs at least one [[steps]]"),
        (
            'user = "x"\n[run]\nmode = "chain"\n[[steps]]\nuser = "a"\n',
            "user",
            "a chain plan sends its [[steps]]",
        ),
        (
            '[run]\nmode = "chain"\n[[steps]]\nuser = "a"\n[[steps]]\nuser = " "\n',
            "steps[1].user",
            "the prompt is empty",
        ),
        (
            '[run]\nmode = "chain"\n[[steps]]\nuser = "{{input}}"\n',
            "chain.inputs",
            "a step uses {{input}}",
        ),
        (
            '[run]\nmode = "chain"\n[[steps]]\nuser = "Improve: {{previous}}"\n',
            "chain.inputs",
            "a step uses {{input}} (or {{previous}} at step 1)",
        ),
        (
            '[run]\nmode = "chain"\n[[steps]]\nuser = "{{topic}}"\n',
            "steps[0]",
            "variable {{topic}} is used but not defined",
        ),
        (
            '[run]\nmode = "chain"\n[variables]\nprevious = "p"\n[[steps]]\nuser = "a"\n',
            "variables.previous",
            "{{previous}} is filled in by the chain",
        ),
        (
            '[run]\nmode = "chain"\n[[steps]]\nusr = "a"\n',
            "steps[0].usr",
            "unknown field; did you mean user?",
        ),
        (
            '[run]\nmode = "chain"\n[chain]\ninput = ["a"]\n[[steps]]\nuser = "a"\n',
            "chain.input",
            "unknown field; did you mean inputs?",
        ),
        ('user = "x"\n[[steps]]\nuser = "a"\n', "steps", "only a chain plan"),
        ('user = "x"\n[chain]\ninputs = ["a"]\n', "chain", "only a chain plan"),
        ('user = "x"\n[run]\nmode = "chian"\n', "run.mode", ""),
        (
            'user = "x"\n[run]\nmode = "soak"\n',
            "run.mode",
            "mode 'soak' is not available in this version",
        ),
    ],
    ids=[
        "no steps",
        "top-level prompt",
        "empty step",
        "input without inputs",
        "previous at step 1 without inputs",
        "undefined variable",
        "reserved variable",
        "misspelt step key",
        "misspelt chain key",
        "steps in a sweep",
        "chain table in a sweep",
        "unknown mode",
        "mode not runnable",
    ],
)
def test_a_bad_chain_plan_names_file_and_field(
    tmp_path: Path, toml: str, field: str, message: str
) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(PlanError) as raised:
        load_plan(path)
    assert raised.value.source == str(path)
    assert raised.value.where == field
    assert str(raised.value).startswith(f"{path}: {field}: {message}")


@pytest.mark.parametrize("path", sorted(PLANS.glob("*.toml")), ids=lambda p: p.name)
def test_every_sample_plan_loads(path: Path) -> None:
    plan = load_plan(path)
    assert plan.run.mode in path.stem or "seq-vs-par" in path.stem or "variants" in path.stem


def test_there_is_a_sample_plan_for_each_runnable_mode() -> None:
    names = [p.name for p in PLANS.glob("*.toml")]
    for mode in ("sweep", "chain"):
        assert any(mode in name for name in names), mode
