"""The `templates` knob: K fixed answers per prompt, each response a few words reworded."""

from __future__ import annotations

import difflib

import pytest

from workbench.sim.generation import ChatRequest, Generator
from workbench.sim.settings import SettingsError, SimSettings, build_settings
from workbench.sim.templates import REWORDED_WORDS

PROMPT = "Explain how a load balancer spreads requests."


def _answers(templates: int, n: int = 40, temperature: float = 0.7,
             seed: int | None = None) -> list[str]:
    generator = Generator(SimSettings(templates=templates, seed=3))
    request = ChatRequest(model="sim-chat", prompt=PROMPT, last_user=PROMPT, message_count=1,
                          stream=True, include_usage=False, max_tokens=None,
                          temperature=temperature, seed=seed)
    return [generator.complete(request, 1, i, 10, 0).content_text for i in range(n)]


def _families(texts: list[str]) -> list[list[str]]:
    """Group texts whose words differ in at most a handful of places."""
    families: list[list[str]] = []
    for text in texts:
        for family in families:
            ratio = difflib.SequenceMatcher(None, family[0].split(), text.split()).ratio()
            if ratio > 0.9:
                family.append(text)
                break
        else:
            families.append([text])
    return families


def test_three_templates_give_three_families_of_distinct_strings() -> None:
    answers = _answers(3)
    assert len(set(answers)) >= 35  # reworded: the strings differ...
    families = _families(answers)
    assert len(families) == 3  # ...but there are three answers
    assert all(len(f) >= 5 for f in families)


def test_a_reworded_answer_differs_from_its_template_in_a_few_words() -> None:
    first, *rest = _answers(1, n=10)
    for other in rest:
        a, b = first.split(), other.split()
        changed = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2
                      in difflib.SequenceMatcher(None, a, b).get_opcodes() if op != "equal")
        assert 0 < changed <= 4 * REWORDED_WORDS


def test_a_request_seed_repeats_the_answer() -> None:
    assert len(set(_answers(3, n=5, seed=11))) == 1


def test_off_by_default_and_validated() -> None:
    assert SimSettings().templates == 0
    assert build_settings({"templates": 2}).templates == 2
    with pytest.raises(SettingsError, match="templates"):
        build_settings({"templates": -1})


def test_a_profile_sets_the_knob(tmp_path: object) -> None:
    from pathlib import Path

    from workbench.sim.settings import load_profile

    profile = Path(str(tmp_path)) / "sim.toml"
    profile.write_text("templates = 4\n", encoding="utf-8")
    assert build_settings(load_profile(profile)).templates == 4
