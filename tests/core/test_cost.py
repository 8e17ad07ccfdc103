"""Tokens and cost per cell, from the usage the simulated endpoint reports."""

from __future__ import annotations

import pytest

from tests.core.test_runner import make_plan, run
from workbench.core.cost import cell_costs
from workbench.core.endpoints import EndpointProfile
from workbench.core.format import usd


async def test_cost_follows_the_reported_usage_and_the_profiles_prices(sim_url: str) -> None:
    result = await run(make_plan(concurrency=[1, 2], repetitions=2), sim_url)
    priced = EndpointProfile(name="sim", price_in_per_mtok=1.0, price_out_per_mtok=4.0)
    cost = cell_costs(result.samples, lambda name: priced)
    prompt = sum(s.usage.prompt_tokens or 0 for s in result.samples)
    completion = sum(s.usage.completion_tokens or 0 for s in result.samples)
    assert (cost.requests, cost.prompt_tokens, cost.completion_tokens) == (4, prompt, completion)
    assert cost.unknown == 0 and len(cost.cells) == 2
    assert cost.usd == pytest.approx((prompt * 1.0 + completion * 4.0) / 1e6)

    unpriced = cell_costs(result.samples, lambda name: EndpointProfile(name="sim"))
    assert unpriced.usd is None and unpriced.prompt_tokens == prompt
    assert usd(unpriced.usd) == "–"

