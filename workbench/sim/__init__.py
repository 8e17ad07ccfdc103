"""The built-in simulated LLM endpoint. Qt-free; runs in its own process on loopback.

Start it with `workbench.sim.process.SimProcess` / `LocalSimulator`, or `workbench sim`.
"""

from workbench.sim.settings import SimSettings
from workbench.sim.tokens import count_tokens

__all__ = ["SimSettings", "count_tokens"]
