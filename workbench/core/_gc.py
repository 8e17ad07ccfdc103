"""The garbage collector during a run: frequent small young collections, no full ones.

At 2,000 concurrent streams a run holds about 135 tracked objects per stream (coroutines,
futures, timer handles, header maps): 270,000 objects, which every full collection walks.
With CPython's default thresholds that was about a third of the client's CPU and pauses of
up to 0.3 s at the worst moment, with every stream's next chunk waiting behind it
(docs/performance.md). While a run is active, objects that existed before it are frozen (never
walked), young collections run less often but still run, the middle generation is collected
every ten of them, and the oldest generation waits for the run to end. Garbage cycles that
survive two collections wait until then too; the defaults come back when the last run ends.

What was frozen stays frozen: those objects are the program itself, which the window freezes
on purpose too (workbench.app, RunController.start) so that no full collection walks Qt,
pyqtgraph and numpy on the Qt thread; unfreezing them after a run brought that pause back.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

RUN_THRESHOLDS = (10_000, 10, 1_000)

_active = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def run_gc() -> Iterator[None]:
    """The collector settings of a run; nested or overlapping runs share one setting."""
    global _active, _saved
    if _active == 0:
        _saved = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(*RUN_THRESHOLDS)
    _active += 1
    try:
        yield
    finally:
        _active -= 1
        if _active == 0 and _saved is not None:
            gc.set_threshold(*_saved)
            _saved = None
