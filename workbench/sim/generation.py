"""What a request gets back: seeding, expected length under load, text, truncation, usage.

Expected length (tokens) = mean_tokens x (1 - depth_decay)^log2(active) x (1 - drift x uptime
hours) x keep, where `active` is the number of active sequences when the request starts decoding
(after prefill: that is the batch it decodes in) and keep = (1 - context_compression)^
log2(max(1, prompt_tokens / 64)). With context compression an answer also leaves the prompt's
topic (answers from another corpus topic) with probability 1 - keep, so it keeps fewer of the
prompt's terms: as a chain's prompts grow, its answers get shorter and forget their input. At
temperature 0 the length is that expectation; above it, a normal draw with a spread that grows
with temperature.

Seeding: a request `seed` makes the output repeatable at any temperature; at temperature 0 with
no seed the prompt itself is the seed; otherwise the server's own random source is used. With
batch variance, a temperature-0 request is perturbed with probability
batch_variance x (1 - 1/active), by mixing the active count, admission order and the server's
seed into its seed.

A perturbed response is the unperturbed one with one content token, at a position drawn
uniformly, replaced by another word: it departs from the usual output part-way through, as
batch-dependent numerics do (a near-tie between two tokens resolved the other way).

With `answer_choices` K, every answer ends "Answer: X", X one of the first K letters drawn
uniformly from the request's RNG: repeats of one prompt disagree with probability 1 - 1/K
(at temperature > 0, or at 0 when batch variance perturbs the seed).
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from workbench.sim.corpus import Corpus
from workbench.sim.settings import SimSettings
from workbench.sim.templates import reword, template_texts
from workbench.sim.textgen import compose_answer, compose_reasoning
from workbench.sim.tokens import count_tokens, split_tokens
from workbench.sim.wire import Usage
from workbench.sim.wording import Wording

MODELS = ("sim-chat", "sim-reasoner", "echo")
_REASONING_SHARE = 0.6
_CACHE_ENTRIES = 50_000
# Prompts up to this many tokens are not compressed (the context-compression knob).
CONTEXT_REFERENCE_TOKENS = 64


@dataclass
class ChatRequest:
    """A request in protocol-neutral form."""

    model: str
    prompt: str  # system and all messages, for seeding and token counts
    last_user: str  # chooses the topic (the whole prompt when there is no user message)
    message_count: int
    stream: bool
    include_usage: bool
    max_tokens: int | None
    temperature: float
    seed: int | None


@dataclass
class Completion:
    reasoning: list[str]
    content: list[str]
    finish_reason: str  # "stop" or "length"
    usage: Usage
    # The pieces grouped into streamed chunks: (text, tokens in it).
    reasoning_chunks: list[tuple[str, int]] = field(default_factory=list)
    content_chunks: list[tuple[str, int]] = field(default_factory=list)

    @property
    def reasoning_text(self) -> str:
        return "".join(self.reasoning)

    @property
    def content_text(self) -> str:
        return "".join(self.content)


_FLIP_WORDS = ("notably", "indeed", "also", "still", "then")


def _flipped(token: str, rng: random.Random) -> str:
    """Another word in the place of `token`, keeping the whitespace before it."""
    word = token.lstrip()
    choices = [w for w in _FLIP_WORDS if w != word]
    return token[: len(token) - len(word)] + rng.choice(choices)


def _seeded(material: str) -> random.Random:
    digest = hashlib.blake2b(material.encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


class Generator:
    def __init__(self, settings: SimSettings, corpus: Corpus | None = None) -> None:
        self.settings = settings
        self.corpus = corpus or Corpus.load()
        # A `topic` knob pins every answer to one corpus topic (UnknownTopic if none matches).
        self.pinned_topic = (
            None if settings.topic is None else self.corpus.resolve_topic(settings.topic)
        )
        self.random = random.Random(settings.seed)
        # Which way a batch perturbs an answer differs between servers (seeds), as numerics do
        # between deployments; the same server, batch and order perturb it the same way.
        self._batch_salt = settings.seed if settings.seed is not None else random.getrandbits(64)
        self.started = time.monotonic()
        self._seen_prompts: OrderedDict[bytes, None] = OrderedDict()

    def prompt_tokens(self, request: ChatRequest) -> int:
        # A few tokens of framing per message, as chat templates add.
        return count_tokens(request.prompt) + 3 * request.message_count

    def cache_hit_tokens(self, request: ChatRequest, prompt_tokens: int) -> int:
        """The first request with a given prompt misses the cache; repeats hit it entirely."""
        key = hashlib.blake2b(
            f"{request.model}\0{request.prompt}".encode(), digest_size=16
        ).digest()
        if key in self._seen_prompts:
            self._seen_prompts.move_to_end(key)
            return prompt_tokens
        self._seen_prompts[key] = None
        if len(self._seen_prompts) > _CACHE_ENTRIES:
            self._seen_prompts.popitem(last=False)
        return 0

    def context_keep(self, prompt_tokens: int) -> float:
        """The share of length (and the chance of staying on topic) a prompt this long keeps."""
        doublings = math.log2(max(1.0, prompt_tokens / CONTEXT_REFERENCE_TOKENS))
        keep: float = (1.0 - self.settings.context_compression) ** doublings
        return keep

    def expected_tokens(self, active: int, prompt_tokens: int = 0) -> float:
        s = self.settings
        uptime_hours = (time.monotonic() - self.started) / 3600.0
        load: float = (1.0 - s.depth_decay) ** math.log2(max(active, 1))
        drift = max(0.0, 1.0 - s.drift * uptime_hours)
        return max(1.0, s.mean_tokens * load * drift * self.context_keep(prompt_tokens))

    def request_rngs(
        self, request: ChatRequest, active: int, order: int
    ) -> tuple[random.Random, random.Random | None]:
        """The request's RNG, and the unperturbed one when batch variance perturbed it."""
        if request.seed is not None:
            material = f"seed\0{request.seed}\0{request.model}\0{request.prompt}"
        elif request.temperature == 0:
            material = f"prompt\0{request.model}\0{request.prompt}"
        else:
            return random.Random(self.random.getrandbits(64)), None
        variance = self.settings.batch_variance
        if (
            request.temperature == 0
            and variance > 0
            and active > 1
            and self.random.random() < variance * (1.0 - 1.0 / active)
        ):
            perturbed = f"{material}\0batch\0{active}\0{order}\0{self._batch_salt}"
            return _seeded(perturbed), _seeded(material)
        return _seeded(material), None

    def complete(
        self, request: ChatRequest, active: int, order: int, prompt_tokens: int, cache_hit: int
    ) -> Completion:
        rng, unperturbed = self.request_rngs(request, active, order)
        if unperturbed is None:
            reasoning, content = self._pieces(request, active, rng, prompt_tokens)
        else:
            # Batch nondeterminism flips one token: the output is the unperturbed one with
            # the token at a position drawn uniformly over its content replaced.
            reasoning, content = self._pieces(request, active, unperturbed, prompt_tokens)
            if content:
                at = rng.randrange(len(content))
                content[at] = _flipped(content[at], rng)
        if self.settings.answer_choices and request.model != "echo":
            letter = chr(ord("A") + rng.randrange(self.settings.answer_choices))
            content += split_tokens(f"\n\nAnswer: {letter}")
        finish = "stop"
        limit = request.max_tokens
        if limit is not None and len(reasoning) + len(content) > limit:
            finish = "length"
            if len(reasoning) >= limit:
                reasoning, content = reasoning[:limit], []
            else:
                content = content[: limit - len(reasoning)]
        usage = Usage(
            prompt_tokens=prompt_tokens,
            cache_hit_tokens=cache_hit,
            reasoning_tokens=len(reasoning),
            content_tokens=len(content),
        )
        completion = Completion(reasoning, content, finish, usage)
        completion.reasoning_chunks = self._chunks(rng, reasoning)
        completion.content_chunks = self._chunks(rng, content)
        return completion

    def _pieces(
        self, request: ChatRequest, active: int, rng: random.Random, prompt_tokens: int
    ) -> tuple[list[str], list[str]]:
        """Reasoning and content tokens of one draw."""
        reasoning: list[str] = []
        if request.model == "echo":
            content = split_tokens(request.last_user)
        else:
            heat = min(max(request.temperature, 0.0), 2.0)
            message = request.last_user or request.prompt
            pinned = self.pinned_topic
            keep = self.context_keep(prompt_tokens)
            if keep < 1.0 and rng.random() >= keep:
                pinned = rng.randrange(len(self.corpus.topics))  # lost the thread
            focus = self.corpus.focus(message, rng, heat, pinned)
            expected = self.expected_tokens(active, prompt_tokens)
            wording = None
            if self.settings.variant_sensitivity > 0:
                wording = Wording(self.settings.variant_sensitivity, request.model, request.prompt)
                focus = wording.focus(focus, rng)
                expected = max(1.0, expected * wording.length_factor)
            target = expected if heat == 0 else rng.gauss(expected, 0.35 * heat * expected)
            target_tokens = max(1, round(target))
            if request.model == "sim-reasoner":
                thinking = compose_reasoning(
                    self.corpus, rng, focus, max(1, round(target_tokens * _REASONING_SHARE)), heat
                )
                reasoning = split_tokens(thinking)
            if self.settings.templates:
                answer = self._templated(request, message, rng, wording)
            else:
                answer = compose_answer(self.corpus, rng, focus, target_tokens, heat)
            content = split_tokens(answer)
        return reasoning, content

    def _templated(
        self, request: ChatRequest, message: str, rng: random.Random, wording: Wording | None
    ) -> str:
        """One of the prompt's fixed answers (the `templates` knob), reworded; with
        `variant_sensitivity`, the wording's own template with that probability."""
        texts = template_texts(
            self.corpus,
            request.model,
            message,
            self.settings.templates,
            max(1, round(self.settings.mean_tokens)),
            self.pinned_topic,
        )
        index = rng.randrange(len(texts))
        if wording is not None and wording.applies(rng):
            index = wording.choice(len(texts))
        return reword(texts[index], rng)

    def _chunks(self, rng: random.Random, pieces: list[str]) -> list[tuple[str, int]]:
        """Group pieces into chunks of 1..chunk_tokens tokens ("chunks are not tokens")."""
        most = self.settings.chunk_tokens
        if most == 1:
            return [(piece, 1) for piece in pieces]
        chunks: list[tuple[str, int]] = []
        i = 0
        while i < len(pieces):
            size = min(len(pieces) - i, rng.randint(1, most))
            chunks.append(("".join(pieces[i : i + size]), size))
            i += size
        return chunks
