"""Which corpus topic and section an answer is about: keyword overlap, precomputed at load.

Words are lowercased, stop words (function words, and instruction words such as "explain" or
"write") dropped, and lightly stemmed ("rows"/"row", "caching"/"cache") so a message and the
corpus meet on content words. At load every stem is mapped to the topics, and to the sections
within each topic, that contain it, with a weight: rarer stems weigh more (idf), repeats a little
more (1 + log tf), and a stem in the title or heading counts again. Ranking a message then costs
one dictionary look-up per distinct word, and is memoised per message text (load tests repeat one
prompt thousands of times).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

_WORD = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")
# Function words, and the words of instructions rather than of subjects.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each even every
    few for from further had has have having he her here hers him his how however i if in into is
    it its itself just let like made make makes many may me might more most much must my no nor
    not now of off often on once one only or other our ours out over own per quite rather really
    same she should so some such than that the their theirs them then there these they this those
    through thus to too two under until up upon us very was way ways we well were what when where
    whether which while who whom whose why will with within without would yet you your yours
    explain explained explaining explanation describe description write writing tell give show
    summarise summarize summary summarising summarizing please help want need know find using use
    used work works working example examples simple simply brief briefly short detail detailed
    overview introduction thing things good best better new get gets got go going say says said
    mean means meaning question answer discuss discussion outline compare think
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# A doubled final consonant left by -ing/-ed ("stopp" -> "stop"); not l, s or z ("fall" stays).
_DOUBLED = re.compile(r"([bcdfghjkmnpqrtvwxy])\1$")

RELATED_SHARE = 0.4  # a topic scoring at least this share of the best is "related"
RELATED_MAX = 3
_MEMO_ENTRIES = 2048
_STEM_ENTRIES = 100_000


def stem(word: str) -> str:
    """A light suffix stripper: enough for plurals and -ing/-ed forms to meet their base word."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = _DOUBLED.sub(r"\1", word[: -len(suffix)])
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


_stems: dict[str, str] = {}  # word -> its stem, "" when it is not a keyword


def keywords(text: str) -> list[str]:
    """Stems of the content words of `text`, in order, with repeats."""
    found: list[str] = []
    for word in _WORD.findall(text.lower()):
        stemmed = _stems.get(word)
        if stemmed is None:
            stemmed = "" if len(word) < 2 or word in _STOPWORDS else stem(word)
            if len(_stems) >= _STEM_ENTRIES:
                _stems.clear()
            _stems[word] = stemmed
        if stemmed:
            found.append(stemmed)
    return found


@dataclass(frozen=True)
class SectionText:
    """What the index needs to know of one section: its heading and all its words."""

    heading: str
    text: str


@dataclass(frozen=True)
class TopicText:
    title: str
    sections: tuple[SectionText, ...]


class Ranking:
    """Topics sharing stems with a message, best first, and on request the sections of one.

    Only topics with a positive score appear; an empty ranking means nothing overlapped.
    Sections are ranked when first asked for (most requests need one topic's), best first;
    sections with no overlap are left out, so a topic's list may be empty.
    """

    def __init__(
        self,
        topics: tuple[tuple[int, float], ...],
        stems: tuple[str, ...],
        section_postings: list[dict[str, tuple[tuple[int, float], ...]]],
    ) -> None:
        self.topics = topics  # (topic, score)
        self._stems = stems
        self._postings = section_postings
        self._sections: dict[int, tuple[tuple[int, float], ...]] = {}

    def sections(self, topic: int) -> tuple[tuple[int, float], ...]:
        """(section, score) of `topic`, best first."""
        ranked = self._sections.get(topic)
        if ranked is None:
            table = self._postings[topic]
            scores: dict[int, float] = {}
            for s in self._stems:
                for section, weight in table.get(s, ()):
                    scores[section] = scores.get(section, 0.0) + weight
            ranked = self._sections[topic] = _best_first(scores)
        return ranked


def _best_first(scores: dict[int, float]) -> tuple[tuple[int, float], ...]:
    # Ties go to the earlier one (the second sort is stable), so a ranking never depends on
    # dictionary order.
    items = sorted(scores.items())
    items.sort(key=itemgetter(1), reverse=True)
    return tuple(items)


def _idf(total: int, containing: int) -> float:
    return math.log((total + 1) / containing)


class TopicIndex:
    def __init__(self, topics: Sequence[TopicText]) -> None:
        self.titles = tuple(t.title for t in topics)
        self._by_title = {t.title.casefold(): i for i, t in enumerate(topics)}
        counts = [Counter(keywords(_whole(t))) for t in topics]
        topic_df = Counter(s for c in counts for s in c)
        postings: dict[str, list[tuple[int, float]]] = {}
        for i, (topic, count) in enumerate(zip(topics, counts, strict=True)):
            title = set(keywords(topic.title))
            for s, tf in count.items():
                idf = _idf(len(topics), topic_df[s])
                weight = idf * (1 + math.log(tf)) + (idf if s in title else 0.0)
                postings.setdefault(s, []).append((i, weight))
        self._topic_postings = {s: tuple(p) for s, p in postings.items()}
        # Per topic: stem -> ((section, weight), ...), idf taken among the topic's sections.
        self._section_postings: list[dict[str, tuple[tuple[int, float], ...]]] = []
        for topic in topics:
            per_section = [Counter(keywords(f"{s.heading}\n{s.text}")) for s in topic.sections]
            df = Counter(s for c in per_section for s in c)
            table: dict[str, list[tuple[int, float]]] = {}
            for j, (section, count) in enumerate(zip(topic.sections, per_section, strict=True)):
                heading = set(keywords(section.heading))
                for s, tf in count.items():
                    idf = _idf(len(topic.sections), df[s])
                    weight = idf * (1 + math.log(tf)) + (idf if s in heading else 0.0)
                    table.setdefault(s, []).append((j, weight))
            self._section_postings.append({s: tuple(p) for s, p in table.items()})
        self._memo: dict[tuple[int | None, str], Ranking] = {}

    def title_index(self, text: str) -> int | None:
        """The topic whose title is `text` (case-insensitive), if any."""
        return self._by_title.get(text.strip().casefold())

    def rank(self, message: str, pinned: int | None = None) -> Ranking:
        """Topics and sections of `message`; with `pinned`, that topic alone (sections still
        follow the message)."""
        key = (pinned, message)
        ranking = self._memo.get(key)
        if ranking is None:
            if len(self._memo) >= _MEMO_ENTRIES:
                self._memo.clear()
            # Sorted stems: the same summation order in every process, so equal scores stay equal.
            stems = tuple(sorted(set(keywords(message))))
            ranking = self._memo[key] = Ranking(
                self._rank(stems, pinned), stems, self._section_postings
            )
        return ranking

    def _rank(self, stems: tuple[str, ...], pinned: int | None) -> tuple[tuple[int, float], ...]:
        if pinned is not None:
            return ((pinned, 1.0),)
        scores: dict[int, float] = {}
        for s in stems:
            for topic, weight in self._topic_postings.get(s, ()):
                scores[topic] = scores.get(topic, 0.0) + weight
        return _best_first(scores)


def _whole(topic: TopicText) -> str:
    return "\n".join([topic.title, *(f"{s.heading}\n{s.text}" for s in topic.sections)])
