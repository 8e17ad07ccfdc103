"""Plan files: every key is checked by name, and there is one default plan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.core.plan import (
    LOCAL_SIM,
    Params,
    Plan,
    PlanError,
    RunSettings,
    default_plan,
    load_plan,
    plan_from_dict,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def write_plan(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text('user = "Explain DNS"\n' + text, encoding="utf-8")
    return path


def test_the_issue_example_names_file_field_and_nearest_name(tmp_path: Path) -> None:
    path = write_plan(tmp_path, "[run]\nrepetitons = 3\n")
    with pytest.raises(PlanError) as raised:
        load_plan(path)
    assert str(raised.value) == f"{path}: run.repetitons: unknown field; did you mean repetitions?"
    assert raised.value.where == "run.repetitons"
    assert raised.value.source == str(path)


@pytest.mark.parametrize(
    ("toml", "field", "nearest"),
    [
        ('sytem = "Be brief."\n', "sytem", "system"),
        ('[endpoint]\nmodle = "echo"\n', "endpoint.modle", "model"),
        ("[params]\ntemprature = 0.5\n", "params.temprature", "temperature"),
        ("[params]\nmax_token = 64\n", "params.max_token", "max_tokens"),
        ("[run]\nconcurency = [1, 8]\n", "run.concurency", "concurrency"),
        (
            '[[variants]]\nname = "a"\nuser = "A"\n[[variants]]\nname = "b"\nusr = "B"\n',
            "variants[1].usr",
            "user",
        ),
    ],
    ids=["top level", "endpoint", "params", "params (plural)", "run", "variants"],
)
def test_a_misspelt_key_in_any_table_is_an_error(
    tmp_path: Path, toml: str, field: str, nearest: str
) -> None:
    path = write_plan(tmp_path, toml)
    with pytest.raises(PlanError) as raised:
        load_plan(path)
    assert str(raised.value) == f"{path}: {field}: unknown field; did you mean {nearest}?"


def test_an_unknown_table_is_an_error(tmp_path: Path) -> None:
    path = write_plan(tmp_path, "[runs]\nrepetitions = 3\n")
    with pytest.raises(PlanError, match=re.escape("runs: unknown field; did you mean run?")):
        load_plan(path)


def test_a_key_like_no_valid_one_lists_the_valid_ones(tmp_path: Path) -> None:
    path = write_plan(tmp_path, "[run]\nxyzzy = 1\n")
    with pytest.raises(PlanError) as raised:
        load_plan(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: run.xyzzy: unknown field; expected one of ")
    assert "repetitions" in message and "concurrency" in message


def test_variable_names_are_the_users_own(tmp_path: Path) -> None:
    path = write_plan(tmp_path, '[variables]\nanything_at_all = "x"\n')
    assert load_plan(path).variables == {"anything_at_all": "x"}


def test_every_key_of_the_documented_plan_is_accepted(tmp_path: Path) -> None:
    """The README's full plan example spells out every field: none may be refused."""
    block = re.search(r"## Plan file format.*?```toml\n(.*?)```", README.read_text(), re.S)
    assert block is not None
    path = tmp_path / "documented.toml"
    path.write_text(block.group(1), encoding="utf-8")
    plan = load_plan(path)
    assert plan.run.repetitions == 10 and [v.name for v in plan.variants] == ["terse"]


def test_arguments_without_a_file_name_the_field_only() -> None:
    with pytest.raises(PlanError) as raised:
        plan_from_dict({"user": "x", "params": {"seeed": 1}})
    assert str(raised.value) == "params.seeed: unknown field; did you mean seed?"


def test_the_default_plan_is_the_plan_of_all_defaults() -> None:
    plan = default_plan()
    assert plan == Plan()
    assert (plan.endpoint.name, plan.endpoint.model) == (LOCAL_SIM, "sim-chat")
    assert plan.params == Params(temperature=None, max_tokens=512, seed=None, stream=True)
    assert plan.run == RunSettings(concurrency=[1], repetitions=10)
    # What a plan file that leaves everything out gets, so the CLI and the window agree.
    assert plan_from_dict({"user": "x"}).run == plan.run
    assert plan_from_dict({"user": "x"}).params == plan.params


def test_each_default_plan_is_a_new_object() -> None:
    first = default_plan()
    first.run.concurrency.append(64)
    assert default_plan().run.concurrency == [1]


# --- the phrasing matrix: list values in [variables] -----------------------------------------

MATRIX = """user = "Explain {{topic}} to a {{reader}}"
[variables]
topic = ["TCP", "DNS"]
reader = "student"
[[variants]]
name = "formal"
user = "Please give a formal account of {{topic}} for a {{reader}}."
"""


def test_list_variables_expand_variants_times_values_with_readable_names(
    tmp_path: Path,
) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(MATRIX, encoding="utf-8")
    plan = load_plan(path)
    prompts = plan.all_variants()
    assert [v.name for v in prompts] == [
        "base · topic=TCP",
        "base · topic=DNS",
        "formal · topic=TCP",
        "formal · topic=DNS",
    ]
    assert [plan.messages(v)[1] for v in prompts] == [
        "Explain TCP to a student",
        "Explain DNS to a student",
        "Please give a formal account of TCP for a student.",
        "Please give a formal account of DNS for a student.",
    ]
    assert plan.total_requests() == 4 * plan.run.repetitions
    assert (
        next(c.label() for c in plan.cells()) == "local-sim/sim-chat variant=base · topic=TCP c=1"
    )


def test_a_plan_without_lists_names_its_cells_as_before() -> None:
    plan = plan_from_dict(
        {
            "user": "Explain {{x}}",
            "variables": {"x": "DNS"},
            "variants": [{"name": "terse", "user": "{{x}}?"}],
        }
    )
    assert [c.variant for c in plan.cells()] == ["base", "terse"]
    assert plan.messages(plan.all_variants()[1]) == (None, "DNS?")


def test_long_or_alike_values_get_short_distinct_names() -> None:
    long = "the transmission control protocol and its congestion window"
    plan = plan_from_dict({"user": "{{t}}", "variables": {"t": [long, "UDP"]}})
    assert [v.name for v in plan.all_variants()] == [
        "base · t=the transmission…",
        "base · t=UDP",
    ]
    alike = plan_from_dict({"user": "{{t}}", "variables": {"t": [long + " a", long + " b"]}})
    assert [v.name for v in alike.all_variants()] == ["base · t=#1", "base · t=#2"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"topic": []}, "variables.topic: a list must not be empty"),
        ({"topic": ["a", "a"]}, "variables.topic: the value 'a' is listed twice"),
        (
            {"topic": ["a"], "unused": ["x", "y"]},
            "variables.unused: a list of values, but no prompt uses {{unused}}",
        ),
        ({"topic": ["a", 3]}, "Expected `str`, got `int`"),
    ],
    ids=["empty", "repeated", "unused", "not text"],
)
def test_a_bad_list_variable_is_an_error_naming_it(
    variables: dict[str, object], message: str
) -> None:
    with pytest.raises(PlanError, match=re.escape(message)):
        plan_from_dict({"user": "About {{topic}}", "variables": variables}, source="p.toml")


def test_a_variant_name_may_not_hold_the_matrix_separator() -> None:
    with pytest.raises(PlanError, match=re.escape("variants[0].name: '·' separates")):
        plan_from_dict(
            {
                "user": "{{t}}",
                "variables": {"t": ["a", "b"]},
                "variants": [{"name": "a · b", "user": "{{t}}!"}],
            }
        )


def test_a_matrix_too_large_to_run_is_refused() -> None:
    values = {f"v{i}": [str(j) for j in range(10)] for i in range(4)}
    user = " ".join(f"{{{{v{i}}}}}" for i in range(4))
    with pytest.raises(PlanError, match="variables: the matrix has 10,000 prompts"):
        plan_from_dict({"user": user, "variables": values})


def test_the_sample_variants_plan_loads() -> None:
    plan = load_plan(Path(__file__).resolve().parents[2] / "resources/plans/variants.toml")
    assert len(plan.phrasings()) >= 3 and len(plan.all_variants()) > len(plan.phrasings())


def test_a_chain_plan_takes_one_value_per_variable() -> None:
    with pytest.raises(PlanError, match=re.escape("variables.topic: a chain plan takes one")):
        plan_from_dict({"run": {"mode": "chain"}, "steps": [{"user": "About {{topic}}"}],
                        "variables": {"topic": ["a", "b"]}})
