"""Synthetic sessions with known effects, for the pure analysis tests."""

from __future__ import annotations

import itertools

import numpy as np

from workbench.core.records import CellKey, ErrorInfo, Sample, Timing

VOCAB = [
    "the", "a", "model", "answer", "server", "load", "token", "time", "under", "list", "of",
    "and", "is", "to", "in", "that", "it", "with", "for", "as", "on", "shorter", "longer",
    "request", "response", "latency", "batch", "queue", "prompt", "detail", "depth", "value",
    "result", "engineer", "measure", "spread", "level", "concurrency", "stream", "chunk",
]

_ids = itertools.count()


def sample(
    *,
    text: str = "hello world.",
    level: int = 1,
    variant: str = "base",
    step: int = 0,
    ttft_ms: float | None = 100.0,
    e2e_ms: float | None = 1000.0,
    output_tokens: int | None = None,
    outcome: str = "ok",
    error_class: str = "http_5xx",
    finish_reason: str | None = "stop",
    retry_of: int | None = None,
    sample_id: int | None = None,
    queue_signals: int = 0,
    queue_span_ms: float | None = None,
    chunk_offsets_ms: list[float] | None = None,
    send_wall: float = 1_700_000_000.0,
) -> Sample:
    sid = next(_ids) if sample_id is None else sample_id
    words = len(text.split())
    tokens = output_tokens if output_tokens is not None else max(words, 1)
    offsets = chunk_offsets_ms
    if offsets is None and ttft_ms is not None and e2e_ms is not None and outcome == "ok":
        offsets = list(np.linspace(ttft_ms, e2e_ms, max(tokens, 1)))
    return Sample(
        session="synthetic",
        id=sid,
        cell=CellKey(
            endpoint="local-sim", model="sim-chat", variant=variant, level=level, step=step
        ),
        repetition=sid,
        attempt=0 if retry_of is None else 1,
        retry_of=retry_of,
        outcome=outcome,  # type: ignore[arg-type]
        error=ErrorInfo(error_class=error_class, message="boom")  # type: ignore[arg-type]
        if outcome == "error"
        else None,
        timing=Timing(
            send_wall=send_wall,
            send_mono_ns=0,
            ttft_ns=None if ttft_ms is None else int(ttft_ms * 1e6),
            e2e_ns=None if e2e_ms is None else int(e2e_ms * 1e6),
            content_offsets_ns=[int(o * 1e6) for o in (offsets or [])],
            queue_signal_count=queue_signals,
            queue_signal_span_ns=None if queue_span_ms is None else int(queue_span_ms * 1e6),
        ),
        text=text if outcome == "ok" else "",
        finish_reason=finish_reason if outcome == "ok" else None,
        output_tokens=tokens if outcome == "ok" else None,
    )


def random_text(rng: np.random.Generator, n_words: int) -> str:
    """Sentences of 6-14 words; sometimes a short list, so depth proxies have something."""
    out: list[str] = []
    left = max(n_words, 1)
    while left > 0:
        size = min(left, int(rng.integers(6, 15)))
        words = [VOCAB[int(i)] for i in rng.integers(0, len(VOCAB), size)]
        if rng.random() < 0.15:
            out.append("\n- " + " ".join(words) + "\n")
        else:
            out.append(" ".join(words).capitalize() + ".")
        left -= size
    return " ".join(out).strip()


def cell_samples(
    rng: np.random.Generator,
    *,
    level: int,
    n: int,
    mean_words: float,
    sd_words: float | None = None,
    ttft_ms: float = 100.0,
    ms_per_token: float = 10.0,
    variant: str = "base",
) -> list[Sample]:
    """n ok responses whose word counts are normal around mean_words (sd 25% by default)."""
    sd = mean_words * 0.25 if sd_words is None else sd_words
    out: list[Sample] = []
    for _ in range(n):
        words = max(3, round(float(rng.normal(mean_words, sd))))
        text = random_text(rng, words)
        ttft = float(rng.gamma(8.0, ttft_ms / 8.0))
        tokens = len(text.split())
        out.append(
            sample(
                text=text,
                level=level,
                variant=variant,
                ttft_ms=ttft,
                e2e_ms=ttft + tokens * ms_per_token,
                output_tokens=tokens,
            )
        )
    return out
