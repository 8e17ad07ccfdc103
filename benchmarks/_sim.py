"""Simulator flags shared by the timing benchmarks."""

from __future__ import annotations


def paced_stream_args(streams: int, chunks_per_second: float) -> list[str]:
    """Every stream admitted at once (capacity to spare), paced at `chunks_per_second` with
    no slowdown from batch size or prompt length: the server's own timing stays exact, so
    any lateness measured is the client's."""
    return [
        "--capacity", str(streams * 2),
        "--decode-ms", f"{1000.0 / chunks_per_second}",
        "--batch-slowdown", "0",
        "--prefill-us-per-token", "0",
        "--mean-tokens", "400",
    ]
