"""The bundled corpus (workbench/sim/data/corpus.md, CC0): parsed into topics and sections,
indexed by keyword, and asked which topic and section answer a message.

Format: `# Title` starts a topic, `## ` lines start its sections, blank lines separate blocks,
`- ` / `1. ` lines form lists, and a block fenced by three backticks is a code block (no blank
lines inside it). HTML comments are ignored.

Choosing (see `Corpus.focus`): the topic sharing most keywords with the message
(workbench/sim/topics.py), or the one a `topic` knob pins; within it, the best matching section.
Temperature widens both: now and then a related topic (one scoring near the best) or another
matching section. When nothing matches, the topic is fixed by a hash of the message, so one
prompt always gets the same topic, and excursions may go anywhere.
"""

from __future__ import annotations

import functools
import hashlib
import re
import textwrap
from dataclasses import dataclass, field
from importlib import resources
from random import Random

from workbench.sim.tokens import count_tokens
from workbench.sim.topics import (
    RELATED_MAX,
    RELATED_SHARE,
    Ranking,
    SectionText,
    TopicIndex,
    TopicText,
)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_LIST_ITEM = re.compile(r"^(?:[-*]|\d+\.)\s+")
_FENCE = "```"


class UnknownTopic(ValueError):
    """A `topic` knob that names no corpus topic (the message lists the titles)."""


@dataclass(frozen=True)
class Section:
    heading: str  # "" for text before a topic's first "##"
    first: int  # its sentences are topic.sentences[first:end]
    end: int
    lists: tuple[int, ...]  # indices into Topic.lists
    code: tuple[int, ...]  # indices into Topic.code


@dataclass(frozen=True)
class Topic:
    title: str
    headings: tuple[str, ...]
    sentences: tuple[str, ...]
    # Each list is (numbered?, items).
    lists: tuple[tuple[bool, tuple[str, ...]], ...]
    code: tuple[str, ...]  # fenced blocks, fences included
    sections: tuple[Section, ...]
    section_of: tuple[int, ...]  # the section of each sentence


@dataclass(frozen=True)
class Focus:
    """Where an answer starts (a topic and a section of it) and where it may wander: the
    topic's sections that match the message (none: anywhere in it), and related topics, each with
    its best section (None: anywhere in it)."""

    topic: Topic
    section: int = 0
    matching: tuple[int, ...] = field(default=())
    related: tuple[tuple[Topic, int | None], ...] = field(default=())


class Corpus:
    def __init__(self, topics: list[Topic]) -> None:
        if not topics:
            raise ValueError("corpus has no topics (no '# Title' sections)")
        self.topics = topics
        self.index = TopicIndex([_index_text(t) for t in topics])
        self._tokens: dict[str, int] = {}

    @classmethod
    def load(cls, text: str | None = None) -> Corpus:
        """The bundled corpus (parsed and indexed once per process), or one parsed from `text`."""
        return _bundled() if text is None else cls(_parse(text))

    def tokens(self, unit: str) -> int:
        count = self._tokens.get(unit)
        if count is None:
            count = self._tokens[unit] = count_tokens(unit)
        return count

    def resolve_topic(self, name: str) -> int:
        """The topic a `topic` knob means: a title (any case), else the best match for its words."""
        pinned = self.index.title_index(name)
        if pinned is None:
            ranking = self.index.rank(name)
            if not ranking.topics:
                titles = "; ".join(self.index.titles)
                raise UnknownTopic(
                    f"topic {name!r} shares no word with any corpus topic; titles: {titles}"
                )
            pinned = ranking.topics[0][0]
        return pinned

    def focus(
        self, message: str, rng: Random, temperature: float, pinned: int | None = None
    ) -> Focus:
        """Topic and section for `message` (see the module docstring); `pinned`: that topic."""
        heat = min(max(temperature, 0.0), 2.0)
        ranking = self.index.rank(message, pinned)
        widen = rng.random() < 0.3 * heat
        if not ranking.topics:
            digest = hashlib.blake2b(message.encode(errors="surrogatepass"), digest_size=8).digest()
            chosen = int.from_bytes(digest, "big") % len(self.topics)
            if widen:
                chosen = rng.randrange(len(self.topics))
            topic = self.topics[chosen]
            anywhere = tuple((t, None) for t in self.topics if t is not topic)
            return Focus(topic, rng.randrange(len(topic.sections)), related=anywhere)
        leaders = ranking.topics[: 1 + RELATED_MAX]
        best = leaders[0][1]
        tied = [k for k, (_, score) in enumerate(leaders) if score == best]
        place = rng.choice(tied) if len(tied) > 1 else 0
        near = [k for k, (_, score) in enumerate(leaders) if score >= RELATED_SHARE * best]
        if widen and len(near) > 1:
            place = rng.choice([k for k in near if k != place])
        topic = self.topics[leaders[place][0]]
        scored = ranking.sections(leaders[place][0])
        floor = RELATED_SHARE * scored[0][1] if scored else 0.0
        matching = tuple(j for j, score in scored if score >= floor)
        if not matching:
            section = rng.randrange(len(topic.sections))
        elif len(matching) > 1 and rng.random() < 0.5 * heat:
            section = rng.choice(matching[1:])
        else:
            section = matching[0]
        related = tuple(
            (self.topics[leaders[k][0]], _best_section(ranking, leaders[k][0]))
            for k in near
            if k != place
        )
        return Focus(topic, section, matching, related)


def _best_section(ranking: Ranking, topic: int) -> int | None:
    sections = ranking.sections(topic)
    return sections[0][0] if sections else None


@functools.cache
def _bundled() -> Corpus:
    ref = resources.files("workbench.sim") / "data" / "corpus.md"
    return Corpus(_parse(ref.read_text(encoding="utf-8")))


def _index_text(topic: Topic) -> TopicText:
    def words(section: Section) -> str:
        items = [item for i in section.lists for item in topic.lists[i][1]]
        blocks = [topic.code[i] for i in section.code]
        return "\n".join([*topic.sentences[section.first : section.end], *items, *blocks])

    return TopicText(topic.title, tuple(SectionText(s.heading, words(s)) for s in topic.sections))


class _TopicDraft:
    """A topic being parsed; sections are (heading, first sentence, lists, code)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.sentences: list[str] = []
        self.lists: list[tuple[bool, tuple[str, ...]]] = []
        self.code: list[str] = []
        self.sections: list[tuple[str, int, list[int], list[int]]] = [("", 0, [], [])]

    def heading(self, text: str) -> None:
        _, first, lists, code = self.sections[-1]
        if first == len(self.sentences) and not lists and not code:  # nothing under it yet
            self.sections[-1] = (text, first, lists, code)
        else:
            self.sections.append((text, len(self.sentences), [], []))

    def add_list(self, numbered: bool, items: tuple[str, ...]) -> None:
        self.sections[-1][2].append(len(self.lists))
        self.lists.append((numbered, items))

    def add_code(self, block: str) -> None:
        self.sections[-1][3].append(len(self.code))
        self.code.append(block)

    def finish(self) -> Topic | None:
        if not self.sentences:
            return None
        ends = [first for _, first, _, _ in self.sections[1:]] + [len(self.sentences)]
        sections = tuple(
            Section(heading, first, end, tuple(lists), tuple(code))
            for (heading, first, lists, code), end in zip(self.sections, ends, strict=True)
        )
        section_of = tuple(j for j, s in enumerate(sections) for _ in range(s.first, s.end))
        headings = tuple(s.heading for s in sections if s.heading)
        return Topic(
            self.title,
            headings,
            tuple(self.sentences),
            tuple(self.lists),
            tuple(self.code),
            sections,
            section_of,
        )


def _parse(text: str) -> list[Topic]:
    topics: list[Topic] = []
    draft: _TopicDraft | None = None

    def flush() -> None:
        topic = draft.finish() if draft is not None else None
        if topic is not None:
            topics.append(topic)

    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    for block in re.split(r"\n\s*\n", text):
        raw = [line.rstrip() for line in block.splitlines() if line.strip()]
        lines = [line.strip() for line in raw]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("# "):
            flush()
            draft = _TopicDraft(first[2:].strip())
            raw, lines = raw[1:], lines[1:]
            if not lines:
                continue
            first = lines[0]
        if draft is None:
            continue
        if first.startswith(_FENCE):
            if len(lines) < 2 or lines[-1] != _FENCE:
                raise ValueError(
                    f"corpus topic {draft.title!r}: code block not closed by {_FENCE} "
                    "(code blocks may not contain blank lines)"
                )
            draft.add_code(textwrap.dedent("\n".join(raw)))
        elif first.startswith("## "):
            draft.heading(first[3:].strip())
        elif _LIST_ITEM.match(first):
            numbered = first[0].isdigit()
            draft.add_list(numbered, tuple(_LIST_ITEM.sub("", line) for line in lines))
        else:
            draft.sentences.extend(_SENTENCE_END.split(" ".join(lines)))
    flush()
    return topics
