"""One row per attempt with every timing, length, outcome and cell key."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from workbench.core.records import Sample

SAMPLE_COLUMNS = (
    "session", "id", "endpoint", "model", "variant", "level", "step", "chain", "repetition",
    "attempt",
    "retry_of", "final", "outcome", "error_class", "http_status", "error_message", "sent_at",
    "client_queue_ms", "headers_ms", "first_byte_ms", "queue_signal_count",
    "queue_signal_span_ms", "ttfr_ms", "ttft_ms", "tpot_ms", "itl_mean_ms", "itl_max_ms",
    "e2e_ms", "content_chunks", "output_tokens", "token_source", "prompt_tokens",
    "completion_tokens", "reasoning_tokens", "cache_hit_tokens", "cache_miss_tokens",
    "finish_reason", "chars", "words", "in_flight_at_start", "system_fingerprint", "text",
)  # fmt: skip

# A spreadsheet runs a cell that starts with one of these as a formula; model output is
# untrusted, so such cells get a leading apostrophe (OWASP's CSV-injection advice).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _ms(ns: float | None) -> float | None:
    return None if ns is None else round(ns / 1e6, 3)


def _safe(text: str | None) -> str | None:
    if text and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def sample_rows(samples: Sequence[Sample]) -> Iterator[dict[str, object]]:
    retried = {s.retry_of for s in samples if s.retry_of is not None}
    for s in samples:
        t = s.timing
        itl = t.itl_ns()
        error = s.error
        yield {
            "session": s.session,
            "id": s.id,
            "endpoint": s.cell.endpoint,
            "model": s.cell.model,
            "variant": s.cell.variant,
            "level": s.cell.level,
            "step": s.cell.step,
            "chain": s.chain,
            "repetition": s.repetition,
            "attempt": s.attempt,
            "retry_of": s.retry_of,
            "final": s.id not in retried,
            "outcome": s.outcome,
            "error_class": error.error_class if error else None,
            "http_status": error.status if error else None,
            "error_message": _safe(error.message) if error else None,
            "sent_at": datetime.fromtimestamp(t.send_wall, UTC).isoformat(timespec="milliseconds"),
            "client_queue_ms": _ms(t.client_queue_ns),
            "headers_ms": _ms(t.headers_ns),
            "first_byte_ms": _ms(t.first_byte_ns),
            "queue_signal_count": t.queue_signal_count,
            "queue_signal_span_ms": _ms(t.queue_signal_span_ns),
            "ttfr_ms": _ms(t.ttfr_ns),
            "ttft_ms": _ms(t.ttft_ns),
            "tpot_ms": _ms(t.tpot_ns(s.output_tokens)),
            "itl_mean_ms": _ms(sum(itl) / len(itl)) if itl else None,
            "itl_max_ms": _ms(max(itl)) if itl else None,
            "e2e_ms": _ms(t.e2e_ns),
            "content_chunks": len(t.content_offsets_ns),
            "output_tokens": s.output_tokens,
            "token_source": s.token_source,
            "prompt_tokens": s.usage.prompt_tokens,
            "completion_tokens": s.usage.completion_tokens,
            "reasoning_tokens": s.usage.reasoning_tokens,
            "cache_hit_tokens": s.usage.cache_hit_tokens,
            "cache_miss_tokens": s.usage.cache_miss_tokens,
            "finish_reason": s.finish_reason,
            "chars": len(s.text),
            "words": len(s.text.split()),
            "in_flight_at_start": s.in_flight_at_start,
            "system_fingerprint": s.system_fingerprint,
            "text": _safe(s.text),
        }


def samples_csv(samples: Sequence[Sample]) -> bytes:
    """UTF-8 CSV with a header row; empty cells for values that do not apply."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=SAMPLE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in sample_rows(samples):
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")
