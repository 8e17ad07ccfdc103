"""The `variant_sensitivity` knob: rephrasings answer systematically differently."""

from __future__ import annotations

import statistics

import pytest

from workbench.sim.generation import ChatRequest, Generator
from workbench.sim.settings import SettingsError, SimSettings, build_settings

# Same content words (the rest are stop and instruction words): without the knob the
# simulator cannot tell these apart.
WORDINGS = (
    "Explain TCP congestion control.",
    "Could you please explain TCP congestion control?",
    "Describe TCP congestion control, please.",
    "Tell me about TCP congestion control.",
)


def _lengths(sensitivity: float, prompt: str, n: int = 60) -> list[int]:
    generator = Generator(SimSettings(variant_sensitivity=sensitivity, seed=5))
    request = ChatRequest(
        model="sim-chat",
        prompt=prompt,
        last_user=prompt,
        message_count=1,
        stream=True,
        include_usage=False,
        max_tokens=None,
        temperature=0.7,
        seed=None,
    )
    return [len(generator.complete(request, 1, i, 10, 0).content) for i in range(n)]


def test_with_the_knob_on_the_wordings_differ_in_mean_length() -> None:
    means = [statistics.mean(_lengths(1.0, w)) for w in WORDINGS]
    assert max(means) / min(means) > 1.3


def test_with_the_knob_off_the_wordings_are_answered_alike() -> None:
    means = [statistics.mean(_lengths(0.0, w)) for w in WORDINGS]
    assert max(means) / min(means) < 1.15


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_out_of_range_is_refused_by_name(value: float) -> None:
    with pytest.raises(SettingsError, match="variant-sensitivity must be in"):
        build_settings({"variant_sensitivity": value})
