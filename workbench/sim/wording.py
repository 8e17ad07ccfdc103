"""The `variant_sensitivity` knob: how much an answer depends on the prompt's exact wording.

A real model answers "Explain TCP." and "Could you explain TCP?" differently in a systematic
way; the rest of the simulator reads only a prompt's content words, so rephrasings that keep
them are answered alike. With sensitivity X > 0, a hash of the exact prompt text (system and
messages, every character) seeds a per-wording shift: the expected length is scaled by a
factor in [1 - 0.6X, 1 + 0.6X], and each response, with probability X, starts from a section
of its topic that the wording picks (with the `templates` knob: uses the wording's template).
Repeats of one wording share the shift and vary only by the usual sampling, so the
between-variant part of the output dissimilarity grows with X while the within-variant part
does not: the ground truth of the phrasing decomposition (docs/analysis.md, "Phrasing matrix").
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from random import Random

from workbench.sim.corpus import Focus

LENGTH_SHIFT = 0.6  # at X = 1 a wording's expected length moves by up to this fraction


class Wording:
    """The shift one exact prompt text gets at sensitivity `x` (0: none)."""

    def __init__(self, x: float, model: str, prompt: str) -> None:
        self.x = x
        digest = hashlib.blake2b(f"wording\0{model}\0{prompt}".encode(), digest_size=8).digest()
        seed = int.from_bytes(digest, "big")
        draws = Random(seed)
        self.length_factor = 1.0 + x * LENGTH_SHIFT * (2.0 * draws.random() - 1.0)
        self._pick = draws.random()  # where in a topic, or which template, this wording leans

    def choice(self, count: int) -> int:
        return min(count - 1, int(self._pick * count))

    def applies(self, rng: Random) -> bool:
        """Whether this response follows the wording's lean (probability x)."""
        return self.x > 0 and rng.random() < self.x

    def focus(self, focus: Focus, rng: Random) -> Focus:
        if not self.applies(rng):
            return focus
        section = self.choice(len(focus.topic.sections))
        return replace(focus, section=section, matching=(section,))
