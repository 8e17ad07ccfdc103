"""The `templates` knob: every answer to a prompt is one of K fixed texts, lightly reworded.

This is the ground truth of the diversity measures (the Vendi score and the answer clusters of
docs/analysis.md): K genuinely different answers, each response a few words away from its
template, so the strings differ but the number of ideas is known. Template 0 is the prompt's
own answer at temperature 0; the others are answers from other corpus topics (a seeded order
per prompt), so two templates share no sentence. Which template a response uses and which
words it rewords come from the request's RNG, so a request seed makes it repeatable.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from random import Random

from workbench.sim.corpus import Corpus, Focus
from workbench.sim.textgen import compose_answer

# A reworded response differs from its template in this many words: enough that no two
# responses are likely to be byte-identical, few enough that the cluster is unmistakable.
REWORDED_WORDS = 3
_SYNONYMS = {
    "that": "which", "with": "using", "from": "out of", "each": "every", "every": "each",
    "when": "whenever", "more": "further", "most": "nearly all", "only": "just",
    "first": "initial", "makes": "renders", "before": "prior to", "into": "inside",
    "much": "far", "once": "after", "often": "frequently", "many": "numerous",
    "because": "since", "rather": "instead", "about": "around", "long": "lengthy",
    "single": "one", "slow": "sluggish", "keep": "retain", "gives": "provides",
    "should": "ought to", "keeps": "retains", "after": "following", "runs": "executes",
    "short": "brief", "must": "has to", "needs": "requires", "small": "little",
    "start": "begin", "usually": "typically",
}
_FALLBACK = ("really", "simply", "mostly", "generally")
_WORD = re.compile(r"\b[a-z]{4,}\b")


def _digest(*parts: object) -> int:
    text = "\0".join(str(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@lru_cache(maxsize=256)
def template_texts(
    corpus: Corpus, model: str, message: str, count: int, target_tokens: int,
    pinned: int | None,
) -> tuple[str, ...]:
    """The `count` fixed answers of one prompt (cached: every request of a run asks again)."""
    texts: list[str] = []
    own = corpus.focus(message, Random(_digest("focus", model, message)), 0.0, pinned)
    others = [t for t in corpus.topics if t is not own.topic]
    Random(_digest("order", model, message)).shuffle(others)
    for j in range(count):
        rng = Random(_digest("template", model, message, j))
        if j == 0:
            focus = own
        else:
            # More templates than topics: the same topics again, from another section.
            topic = others[(j - 1) % len(others)]
            focus = Focus(topic, rng.randrange(len(topic.sections)))
        texts.append(compose_answer(corpus, rng, focus, target_tokens, 0.0))
    return tuple(texts)


def reword(text: str, rng: Random) -> str:
    """`text` with REWORDED_WORDS of its words (4+ letters) replaced by another word."""
    spots = [m.span() for m in _WORD.finditer(text)]
    if not spots:
        return text
    chosen = sorted(rng.sample(spots, min(REWORDED_WORDS, len(spots))), reverse=True)
    for start, end in chosen:  # from the end, so earlier offsets stay valid
        word = text[start:end]
        text = text[:start] + _SYNONYMS.get(word, rng.choice(_FALLBACK)) + text[end:]
    return text
