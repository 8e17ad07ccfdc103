"""Tokenizer and answer composition (pure functions, no server)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.sim.textgen import Corpus, Focus, compose_answer
from workbench.sim.tokens import count_tokens, split_tokens

CORPUS_FILE = Path(__file__).parents[2] / "workbench" / "sim" / "data" / "corpus.md"


@given(st.text())
def test_pieces_rebuild_the_text_and_match_the_count(text: str) -> None:
    pieces = split_tokens(text)
    assert "".join(pieces) == text
    assert count_tokens(text) == sum(1 for p in pieces if not p.isspace())


def test_about_one_point_three_tokens_per_word() -> None:
    corpus = Corpus.load()
    prose = " ".join(s for t in corpus.topics for s in t.sentences)
    ratio = count_tokens(prose) / len(prose.split())
    assert 1.15 < ratio < 1.5


def test_corpus_is_marked_public_domain_and_sized() -> None:
    text = CORPUS_FILE.read_text(encoding="utf-8")
    assert "CC0" in text.split("-->")[0]
    assert 30_000 <= len(text.encode()) <= 200_000
    corpus = Corpus.load(text)
    assert len(corpus.topics) >= 30
    assert all(t.lists and t.headings for t in corpus.topics)
    assert sum(len(t.code) for t in corpus.topics) >= 3


def test_same_seed_same_answer_and_length_hits_the_target() -> None:
    corpus = Corpus.load()
    focus = Focus(corpus.topics[0])
    first = compose_answer(corpus, random.Random(5), focus, 150, 0.0)
    again = compose_answer(corpus, random.Random(5), focus, 150, 0.0)
    assert first == again
    lengths = [
        count_tokens(compose_answer(corpus, random.Random(s), focus, 150, 0.0)) for s in range(50)
    ]
    mean = sum(lengths) / len(lengths)
    assert abs(mean - 150) / 150 < 0.05  # unit-boundary rounding is unbiased


def test_prompt_words_choose_the_topic() -> None:
    corpus = Corpus.load()
    for title in ("Database Indexes", "Growing Tomatoes", "Baking Bread at Home"):
        words = " ".join(re.findall(r"[a-z]+", title.lower()))
        focus = corpus.focus(f"Tell me about {words}", random.Random(0), 0.0)
        assert focus.topic.title == title


def test_expected_length_follows_load_and_drift() -> None:
    from workbench.sim.generation import Generator
    from workbench.sim.settings import SimSettings

    gen = Generator(SimSettings(mean_tokens=200, depth_decay=0.5, drift=0.25))
    gen.started -= 3600.0  # one hour of uptime
    assert gen.expected_tokens(1) == pytest.approx(200 * 0.75, rel=1e-3)
    assert gen.expected_tokens(4) == pytest.approx(200 * 0.25 * 0.75, rel=1e-3)


def test_context_compression_shortens_answers_to_long_prompts_only() -> None:
    from workbench.sim.generation import Generator
    from workbench.sim.settings import SimSettings

    gen = Generator(SimSettings(mean_tokens=200, context_compression=0.5))
    assert gen.expected_tokens(1, prompt_tokens=64) == pytest.approx(200)
    assert gen.expected_tokens(1, prompt_tokens=256) == pytest.approx(50)  # two doublings
    off = Generator(SimSettings(mean_tokens=200))
    assert off.expected_tokens(1, prompt_tokens=10_000) == pytest.approx(200)


def test_context_compression_makes_answers_to_long_prompts_leave_their_topic() -> None:
    import random

    from workbench.sim.generation import ChatRequest, Generator
    from workbench.sim.settings import SimSettings
    from workbench.sim.tokens import count_tokens

    prompt = "Explain TCP slow start and congestion windows. " * 40
    tokens = count_tokens(prompt)

    def on_topic(compression: float) -> int:
        gen = Generator(SimSettings(context_compression=compression, seed=3))
        gen.random = random.Random(3)
        hits = 0
        for seed in range(40):
            request = ChatRequest("sim-chat", prompt, prompt, 1, True, True, None, 0.7, seed)
            text = gen.complete(request, 1, seed, tokens, 0).content_text.lower()
            hits += "tcp" in text or "congestion" in text or "window" in text
        return hits

    assert on_topic(0.0) >= 36
    assert on_topic(0.5) <= 30
