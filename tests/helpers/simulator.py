"""The simulated endpoint (workbench.sim) as fixtures: real HTTP over loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest


@pytest.fixture(scope="session")
def sim_url() -> Iterator[str]:
    """Base URL of one fast simulated endpoint (`--zero-delay --seed 1`) shared by the session."""
    from workbench.sim.process import SimProcess

    with SimProcess(["--zero-delay", "--seed", "1"]) as sim:
        yield sim.base_url


@pytest.fixture
def sim_factory() -> Iterator[Callable[..., str]]:
    """Start simulated endpoints with extra CLI args: `url = sim_factory("--capacity", "2")`.
    Each returns its base URL; all are stopped when the test ends."""
    from workbench.sim.process import SimProcess

    started: list[SimProcess] = []

    def start(*extra_args: str) -> str:
        sim = SimProcess(extra_args)
        started.append(sim)
        return sim.start()

    yield start
    for sim in started:
        sim.stop()
