"""File > Save Plan writes TOML that `load_plan` reads back as the same plan."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core.plan import Params, Plan, Variant, load_plan, plan_to_dict
from workbench.core.plan_toml import dict_to_toml, plan_to_toml

# Any text a user can type, tabs, newlines, quotes and backslashes included.
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(
    user=texts.filter(str.strip),
    system=st.none() | texts,
    variables=st.dictionaries(
        st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True), texts, max_size=3
    ),
    variants=st.lists(texts, max_size=3, unique=True),
    temperature=st.none() | st.floats(0, 2),
)
def test_any_typed_plan_survives_save_and_load(
    user: str,
    system: str | None,
    variables: dict[str, str],
    variants: list[str],
    temperature: float | None,
) -> None:
    plan = Plan(
        user=user,
        system=system,
        variables=variables,
        variants=[Variant(name=f"v{i}", user=text) for i, text in enumerate(variants)],
        params=Params(temperature=temperature),
    )
    data = plan_to_dict(plan)
    assert tomllib.loads(plan_to_toml(plan)) == data


def test_a_saved_plan_reads_like_the_prompt_and_loads(tmp_path: Path) -> None:
    plan = Plan(
        name="support",
        user="Summarise this ticket:\n{{ticket}}\n",
        variables={"ticket": 'Printer says "PC LOAD LETTER"'},
    )
    text = plan_to_toml(plan)
    assert "'''\nSummarise this ticket:\n{{ticket}}\n'''" in text  # the prompt as typed
    path = tmp_path / "support.toml"
    path.write_text(text, encoding="utf-8")
    assert load_plan(path) == plan


def test_nested_tables_and_arrays_of_tables() -> None:
    data = {
        "name": "x",
        "endpoint": {"name": "p", "headers": {"HTTP-Referer": "https://e"}},
        "variants": [{"name": "a", "user": "A"}, {"name": "b", "user": "B"}],
        "run": {"concurrency": [1, 8]},
    }
    assert tomllib.loads(dict_to_toml(data)) == data
