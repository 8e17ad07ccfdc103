"""Answers assembled from the bundled corpus (workbench/sim/data/corpus.md, CC0).

The corpus is a set of topics (`# Title`), each with subheadings, paragraphs and lists. An
answer picks a topic (the one sharing most words with the prompt, at temperature 0), then walks
its sentences in order from a seeded start, forming paragraphs and now and then a list, until the
token target is reached; it stops at the unit boundary nearest the target so lengths are
unbiased. Temperature widens every choice: random jumps within the topic, excursions into other
topics, list sizes, headings. Everything is drawn from the `random.Random` the caller passes, so
a fixed seed gives byte-identical text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from random import Random

from workbench.sim.tokens import count_tokens

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_WORD = re.compile(r"[a-z]{4,}")
_LIST_ITEM = re.compile(r"^(?:[-*]|\d+\.)\s+")
_STOPWORDS = frozenset(
    [
        "that",
        "this",
        "with",
        "from",
        "what",
        "which",
        "when",
        "where",
        "there",
        "their",
        "they",
        "them",
        "then",
        "than",
        "have",
        "has",
        "been",
        "were",
        "will",
        "would",
        "could",
        "should",
        "about",
        "into",
        "over",
        "under",
        "more",
        "most",
        "much",
        "many",
        "some",
        "such",
        "only",
        "also",
        "very",
        "just",
        "your",
        "does",
        "make",
        "makes",
        "made",
        "each",
        "other",
        "like",
        "well",
        "even",
        "because",
        "while",
        "these",
        "those",
        "being",
        "after",
        "before",
        "between",
        "through",
    ]
)

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


@dataclass(frozen=True)
class Topic:
    title: str
    headings: tuple[str, ...]
    sentences: tuple[str, ...]
    # Each list is (numbered?, items).
    lists: tuple[tuple[bool, tuple[str, ...]], ...]
    keywords: frozenset[str]


class Corpus:
    def __init__(self, topics: list[Topic]) -> None:
        if not topics:
            raise ValueError("corpus has no topics (no '# Title' sections)")
        self.topics = topics
        self._tokens: dict[str, int] = {}

    @classmethod
    def load(cls, text: str | None = None) -> Corpus:
        if text is None:
            ref = resources.files("workbench.sim") / "data" / "corpus.md"
            text = ref.read_text(encoding="utf-8")
        return cls(_parse(text))

    def tokens(self, unit: str) -> int:
        count = self._tokens.get(unit)
        if count is None:
            count = self._tokens[unit] = count_tokens(unit)
        return count

    def pick_topic(self, prompt: str, rng: Random, temperature: float) -> Topic:
        """The topic sharing most words with the prompt; at higher temperature sometimes any."""
        if rng.random() < 0.3 * min(temperature, 2.0):
            return rng.choice(self.topics)
        words = set(_WORD.findall(prompt.lower())) - _STOPWORDS
        scores = [len(words & topic.keywords) for topic in self.topics]
        best = max(scores)
        if best == 0:
            return rng.choice(self.topics)
        return rng.choice([t for t, s in zip(self.topics, scores, strict=False) if s == best])


def _parse(text: str) -> list[Topic]:
    topics: list[Topic] = []
    title: str | None = None
    headings: list[str] = []
    sentences: list[str] = []
    lists: list[tuple[bool, tuple[str, ...]]] = []

    def flush() -> None:
        if title is not None and sentences:
            body = " ".join([title, *headings, *sentences]).lower()
            keywords = frozenset(_WORD.findall(body)) - _STOPWORDS
            topics.append(Topic(title, tuple(headings), tuple(sentences), tuple(lists), keywords))

    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("# "):
            flush()
            title, headings, sentences, lists = first[2:].strip(), [], [], []
            lines = lines[1:]
            if not lines:
                continue
            first = lines[0]
        if title is None:
            continue
        if first.startswith("## "):
            headings.append(first[3:].strip())
        elif _LIST_ITEM.match(first):
            numbered = first[0].isdigit()
            lists.append((numbered, tuple(_LIST_ITEM.sub("", line) for line in lines)))
        else:
            sentences.extend(_SENTENCE_END.split(" ".join(lines)))
    flush()
    return topics


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
        parts: list[str] = []
        for kind, units in self.blocks:
            if not units:
                continue
            if kind == "para":
                parts.append(" ".join(units))
            else:
                parts.append("\n".join(units))
        return "\n\n".join(parts)


def compose_answer(
    corpus: Corpus, rng: Random, topic: Topic, target_tokens: int, temperature: float
) -> str:
    """An answer of about `target_tokens` tokens on `topic` (see the module docstring)."""
    heat = min(max(temperature, 0.0), 2.0)
    draft = _Draft()
    if rng.random() < 0.5 and topic.headings:
        heading = "## " + rng.choice((topic.title, *topic.headings))
        draft.open("heading")
        draft.add(heading, corpus.tokens(heading))
    current = topic
    pos = rng.randrange(len(current.sentences))
    while draft.total < target_tokens:
        if current.lists and draft.units and rng.random() < 0.25:
            numbered, items = rng.choice(current.lists)
            low = min(3, len(items))
            count = rng.randint(low, len(items)) if heat > 0 else low
            draft.open("list")
            for i, item in enumerate(items[:count]):
                line = f"{i + 1}. {item}" if numbered else f"- {item}"
                draft.add(line, corpus.tokens(line))
                if draft.total >= target_tokens:
                    break
            continue
        draft.open("para")
        for _ in range(rng.randint(2, 4)):
            if rng.random() < 0.1 * heat:
                current = rng.choice(corpus.topics)
                pos = rng.randrange(len(current.sentences))
            elif rng.random() < 0.5 * heat:
                pos = rng.randrange(len(current.sentences))
            sentence = current.sentences[pos % len(current.sentences)]
            pos += 1
            draft.add(sentence, corpus.tokens(sentence))
            if draft.total >= target_tokens:
                break
    draft.trim_to_nearest(target_tokens)
    return draft.render()


def compose_reasoning(
    corpus: Corpus, rng: Random, topic: Topic, target_tokens: int, temperature: float
) -> str:
    """Thinking-style text on `topic`: an opener, then its sentences with short asides."""
    heat = min(max(temperature, 0.0), 2.0)
    draft = _Draft()
    draft.open("para")
    opener = rng.choice(_REASONING_OPENERS).format(topic=topic.title.lower())
    draft.add(opener, corpus.tokens(opener))
    pos = rng.randrange(len(topic.sentences))
    while draft.total < target_tokens:
        if rng.random() < 0.2:
            aside = rng.choice(_REASONING_FILLERS)
            draft.add(aside, corpus.tokens(aside))
            continue
        if rng.random() < 0.5 * heat:
            pos = rng.randrange(len(topic.sentences))
        sentence = topic.sentences[pos % len(topic.sentences)]
        pos += 1
        draft.add(sentence, corpus.tokens(sentence))
    draft.trim_to_nearest(target_tokens)
    return draft.render()
