"""Answers assembled from the corpus (workbench/sim/corpus.py).

An answer starts at a seeded sentence in the section the corpus chose for the message and walks
the sentences in order, forming paragraphs, adding the section's list or code block now and
then, until the token target is reached; it stops at the unit boundary nearest the target so
lengths are unbiased. Temperature widens every choice: random jumps among the matching sections,
excursions into related topics, list sizes, headings. Everything is drawn from the
`random.Random` the caller passes, so a fixed seed gives byte-identical text.
"""

from __future__ import annotations

from random import Random

from workbench.sim.corpus import Corpus, Focus, Section, Topic, UnknownTopic

__all__ = ["Corpus", "Focus", "Topic", "UnknownTopic", "compose_answer", "compose_reasoning"]

_REASONING_OPENERS = (
    "The question is about {topic}.",
    "Let me think about {topic} first.",
    "So this is really a question on {topic}.",
)
_REASONING_FILLERS = (
    "Let me check that.",
    "That matters here.",
    "Wait, I should be careful with this.",
    "Next point.",
    "Is that right? I think so.",
    "Okay.",
)


def _start(topic: Topic, section: int, rng: Random) -> int:
    """A seeded sentence position inside `section` (its next sentence if it has none)."""
    s = topic.sections[section]
    if s.end > s.first:
        return rng.randrange(s.first, s.end)
    return s.first % len(topic.sentences)


def _jump(topic: Topic, focus: Focus, rng: Random) -> int:
    """A random position: in one of the matching sections while in the focus topic."""
    if topic is focus.topic and focus.matching:
        return _start(topic, rng.choice(focus.matching), rng)
    return rng.randrange(len(topic.sentences))


def _wander(focus: Focus, rng: Random) -> tuple[Topic, int]:
    """An excursion: into a related topic if there is one, else elsewhere in the focus topic."""
    if not focus.related:
        return focus.topic, _jump(focus.topic, focus, rng)
    topic, section = rng.choice(focus.related)
    if section is None:
        return topic, rng.randrange(len(topic.sentences))
    return topic, _start(topic, section, rng)


class _Draft:
    """Blocks of an answer being assembled, with a running token count per unit."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, list[str]]] = []  # (kind, units)
        self.units: list[tuple[int, int]] = []  # (block index, tokens)
        self.total = 0

    def open(self, kind: str) -> None:
        self.blocks.append((kind, []))

    def add(self, unit: str, tokens: int) -> None:
        self.blocks[-1][1].append(unit)
        self.units.append((len(self.blocks) - 1, tokens))
        self.total += tokens

    def trim_to_nearest(self, target: int) -> None:
        """Drop the last unit when that lands closer to the target (keeps lengths unbiased)."""
        if len(self.units) < 2:
            return
        block, tokens = self.units[-1]
        if abs(self.total - tokens - target) < abs(self.total - target):
            self.units.pop()
            self.total -= tokens
            self.blocks[block][1].pop()

    def render(self) -> str:
        blocks = [(kind, units) for kind, units in self.blocks if units]
        parts: list[str] = []
        for i, (kind, units) in enumerate(blocks):
            if kind != "para":
                parts.append("\n".join(units))
                continue
            text = " ".join(units)
            if text.endswith(":") and (i + 1 == len(blocks) or blocks[i + 1][0] != "list"):
                text = text[:-1] + "."  # its list was cut off by the length target
            parts.append(text)
        return "\n\n".join(parts)


def compose_answer(
    corpus: Corpus, rng: Random, focus: Focus, target_tokens: int, temperature: float
) -> str:
    """An answer of about `target_tokens` tokens from `focus` (see the module docstring)."""
    heat = min(max(temperature, 0.0), 2.0)
    topic = focus.topic
    draft = _Draft()
    if rng.random() < 0.5 and topic.headings:
        heading = "## " + rng.choice(
            (topic.title, topic.sections[focus.section].heading or topic.title)
        )
        draft.open("heading")
        draft.add(heading, corpus.tokens(heading))
    current, pos = topic, _start(topic, focus.section, rng)
    said: set[tuple[str, int]] = set()  # sentences in this answer: jumps avoid repeating them
    shown: set[tuple[str, int]] = set()  # code blocks in this answer
    lead_in: Section | None = None  # a sentence ending in ":" was said; its list comes next
    while draft.total < target_tokens:
        here = lead_in or current.sections[current.section_of[pos % len(current.sentences)]]
        fresh = [c for c in here.code if (current.title, c) not in shown] if here.code else []
        if fresh and draft.units and lead_in is None and rng.random() < 0.5:
            shown.add((current.title, fresh[0]))
            block = current.code[fresh[0]]
            draft.open("code")
            draft.add(block, corpus.tokens(block))
            continue
        if lead_in is not None or (current.lists and draft.units and rng.random() < 0.25):
            lead_in = None
            # Prefer the list of the section being discussed.
            if here.lists:
                numbered, items = current.lists[rng.choice(here.lists)]
            else:
                numbered, items = rng.choice(current.lists)
            _add_list(draft, corpus, numbered, items, heat, rng, target_tokens)
            continue
        draft.open("para")
        for _ in range(rng.randint(2, 4)):
            if rng.random() < 0.1 * heat:
                current, pos = _wander(focus, rng)
            elif rng.random() < 0.5 * heat:
                jumped = _jump(current, focus, rng)
                if (current.title, jumped % len(current.sentences)) not in said:
                    pos = jumped
            index = pos % len(current.sentences)
            pos += 1
            sentence = current.sentences[index]
            owner = current.sections[current.section_of[index]]
            introduces = sentence.endswith(":")
            if introduces and not owner.lists:
                sentence, introduces = sentence[:-1] + ".", False  # no list to introduce
            said.add((current.title, index))
            draft.add(sentence, corpus.tokens(sentence))
            if draft.total >= target_tokens:
                break
            if introduces:
                lead_in = owner
                break
    draft.trim_to_nearest(target_tokens)
    return draft.render()


def _add_list(
    draft: _Draft,
    corpus: Corpus,
    numbered: bool,
    items: tuple[str, ...],
    heat: float,
    rng: Random,
    target_tokens: int,
) -> None:
    low = min(3, len(items))
    count = rng.randint(low, len(items)) if heat > 0 else low
    draft.open("list")
    for i, item in enumerate(items[:count]):
        line = f"{i + 1}. {item}" if numbered else f"- {item}"
        draft.add(line, corpus.tokens(line))
        if draft.total >= target_tokens:
            break


def compose_reasoning(
    corpus: Corpus, rng: Random, focus: Focus, target_tokens: int, temperature: float
) -> str:
    """Thinking-style text from `focus`: an opener, then its sentences with short asides."""
    heat = min(max(temperature, 0.0), 2.0)
    topic = focus.topic
    draft = _Draft()
    draft.open("para")
    opener = rng.choice(_REASONING_OPENERS).format(topic=topic.title.lower())
    draft.add(opener, corpus.tokens(opener))
    pos = _start(topic, focus.section, rng)
    while draft.total < target_tokens:
        if rng.random() < 0.2:
            aside = rng.choice(_REASONING_FILLERS)
            draft.add(aside, corpus.tokens(aside))
            continue
        if rng.random() < 0.5 * heat:
            pos = _jump(topic, focus, rng)
        sentence = topic.sentences[pos % len(topic.sentences)]
        pos += 1
        if sentence.endswith(":"):  # a list's lead-in; thinking shows no list
            sentence = sentence[:-1] + "."
        draft.add(sentence, corpus.tokens(sentence))
    draft.trim_to_nearest(target_tokens)
    return draft.render()
