"""The simulated endpoint answers on the prompt's topic (or the one its `topic` knob pins)."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from tests.sim.wire_client import chat_body, post_stream
from workbench.sim.command import add_arguments, settings_from_args
from workbench.sim.generation import ChatRequest, Generator
from workbench.sim.settings import SettingsError, SimSettings
from workbench.sim.textgen import Corpus

# Demo prompts and, written by hand, the word stems an on-topic answer is bound to contain
# (a stem matches any word starting with it: "duplicat" matches "duplicates").
DEMO_PROMPTS = {
    "Explain TCP slow start": ("tcp", "slow", "start", "window"),
    "Write a SQL query to find duplicate rows": ("sql", "quer", "duplicat", "row"),
    "Summarise the causes of inflation": ("inflation", "caus", "price"),
    "What is overfitting in machine learning?": ("overfit", "model", "train"),
    "Write a polite email asking a colleague for a deadline extension": ("email", "deadline"),
}
WORD = re.compile(r"[a-z0-9]+")


def stem_share(stems: tuple[str, ...], text: str) -> float:
    """Share of `stems` that begin some word of `text`."""
    words = set(WORD.findall(text.lower()))
    return sum(any(w.startswith(s) for w in words) for s in stems) / len(stems)


async def answers(url: str, prompt: str, seeds: range, **extra: object) -> list[str]:
    texts = []
    async with aiohttp.ClientSession() as http:
        for seed in seeds:
            body = chat_body(prompt, seed=seed, **extra)
            reply = await post_stream(http, url + "/v1/chat/completions", body)
            texts.append(json.loads(reply.body)["choices"][0]["message"]["content"])
    return texts


async def test_demo_prompts_get_answers_on_their_topic(sim_url: str) -> None:
    """At the default temperature (1.0), each prompt's own words fill its answers far more than
    they fill the answers to the other prompts (the off-topic baseline)."""
    replies = {p: await answers(sim_url, p, range(8)) for p in DEMO_PROMPTS}
    for prompt, stems in DEMO_PROMPTS.items():
        own = [stem_share(stems, text) for text in replies[prompt]]
        others = [
            stem_share(stems, text)
            for other, texts in replies.items()
            if other != prompt
            for text in texts
        ]
        on_topic, baseline = sum(own) / len(own), sum(others) / len(others)
        assert on_topic >= 0.6 and on_topic >= 3 * baseline, (prompt, on_topic, baseline)
        assert min(own) > 0, (prompt, replies[prompt])  # not one answer wholly off topic
    # Asked for a query, the answers show one now and then.
    assert any("```sql\nSELECT" in t for t in replies["Write a SQL query to find duplicate rows"])


async def test_the_user_message_not_the_system_prompt_sets_the_topic(sim_url: str) -> None:
    system = "You are the friendly assistant of a bakery: bread, dough, ovens and flour."
    async with aiohttp.ClientSession() as http:
        for seed in range(4):
            body = chat_body("Explain TCP slow start", seed=seed)
            body["messages"].insert(0, {"role": "system", "content": system})
            reply = await post_stream(http, sim_url + "/v1/chat/completions", body)
            text = json.loads(reply.body)["choices"][0]["message"]["content"]
            assert stem_share(("tcp", "window"), text) > 0, text
            assert stem_share(("bread", "dough", "flour"), text) == 0, text


async def test_same_seed_same_answer_across_server_restarts(
    sim_factory: Callable[..., str],
) -> None:
    prompt = "Explain TCP slow start"
    first = sim_factory("--zero-delay", "--seed", "1")
    second = sim_factory("--zero-delay", "--seed", "2")  # another server seed: no matter
    once = await answers(first, prompt, range(3), temperature=1.0)
    again = await answers(first, prompt, range(3), temperature=1.0)
    elsewhere = await answers(second, prompt, range(3), temperature=1.0)
    assert once == again == elsewhere
    assert len(set(once)) == 3  # while each seed gives its own answer


def test_unmatched_prompt_keeps_one_topic_across_seeds() -> None:
    """A prompt sharing no word with the corpus still gets one fixed topic; seeds vary the text."""
    corpus = Corpus.load()
    generator = Generator(SimSettings(), corpus)
    prompt = "Write a haiku, please!"
    assert not corpus.index.rank(prompt).topics
    texts = [complete(generator, prompt, seed=s, temperature=0.0) for s in range(6)]
    assert len(set(texts)) > 1
    owners = {topic_of(corpus, text) for text in texts}
    assert len(owners) == 1, owners


async def test_topic_flag_pins_every_answer(sim_factory: Callable[..., str]) -> None:
    url = sim_factory("--zero-delay", "--seed", "1", "--topic", "Inflation and Prices")
    texts = await answers(url, "Explain TCP slow start", range(6))
    for text in texts:
        assert stem_share(("inflation", "price"), text) > 0, text
        assert stem_share(("tcp", "segment"), text) == 0, text


def parse(*argv: str) -> SimSettings:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return settings_from_args(parser.parse_args(argv))


def test_topic_from_profile_and_flag(tmp_path: Path) -> None:
    profile = tmp_path / "demo.toml"
    profile.write_text('topic = "sql queries"\n')
    assert parse("--profile", str(profile)).topic == "sql queries"
    assert parse("--profile", str(profile), "--topic", "Coffee Brewing").topic == "Coffee Brewing"
    assert parse().topic is None

    corpus = Corpus.load()
    # Words naming a topic pin it too; the message still picks the section within it.
    generator = Generator(SimSettings(topic="sql queries"), corpus)
    text = complete(generator, "Tell me about duplicate rows", seed=1, temperature=0.0)
    assert topic_of(corpus, text) == "Writing SQL Queries"
    assert "duplicat" in text.lower()


def test_topic_that_matches_nothing_is_refused_naming_where(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"--topic: topic 'zzqx'.*titles: .*Writing SQL"):
        parse("--topic", "zzqx")
    profile = tmp_path / "odd.toml"
    profile.write_text('topic = "qqqz"\n')
    with pytest.raises(SettingsError, match=r"odd\.toml: topic 'qqqz'"):
        parse("--profile", str(profile))


def test_list_lead_ins_are_followed_by_their_list() -> None:
    """A sentence ending in ':' always opens a list, never runs into another sentence."""
    generator = Generator(SimSettings(), Corpus.load())
    for i, prompt in enumerate([*DEMO_PROMPTS, "How do database indexes work?"]):
        for seed in range(40):
            text = complete(generator, prompt, seed=seed + 100 * i, temperature=1.0)
            blocks = text.split("\n\n")
            for block, after in zip(blocks, [*blocks[1:], ""], strict=True):
                if block.endswith(":") and not block.startswith(("- ", "1. ", "```")):
                    assert after.startswith(("- ", "1. ")), text
                assert not re.search(r"[a-z]: [A-Z][a-z]+ [a-z]", block.split("\n")[-1]), text


def test_unclosed_code_block_is_named() -> None:
    with pytest.raises(ValueError, match=r"'Broken'.*not closed"):
        Corpus.load("# Broken\n\n## Part\n\nSome text here.\n\n```sql\nSELECT 1;\n")


def complete(generator: Generator, prompt: str, *, seed: int, temperature: float) -> str:
    request = ChatRequest(
        model="sim-chat",
        prompt=prompt,
        last_user=prompt,
        message_count=1,
        stream=False,
        include_usage=False,
        max_tokens=None,
        temperature=temperature,
        seed=seed,
    )
    return generator.complete(
        request, active=1, order=0, prompt_tokens=10, cache_hit=0
    ).content_text


def topic_of(corpus: Corpus, text: str) -> str:
    """The topic most of the answer's sentences come from."""
    counts = {t.title: sum(s in text for s in t.sentences) for t in corpus.topics}
    return max(counts, key=lambda title: counts[title])
