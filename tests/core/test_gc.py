"""The collector setting of a run: set while a run is active, restored when the last ends."""

from __future__ import annotations

import gc

from workbench.core._gc import RUN_THRESHOLDS, run_gc


def test_run_gc_sets_and_restores_thresholds_with_nesting() -> None:
    before = gc.get_threshold()
    with run_gc():
        assert gc.get_threshold() == RUN_THRESHOLDS
        assert gc.get_freeze_count() > 0
        with run_gc():
            assert gc.get_threshold() == RUN_THRESHOLDS
        assert gc.get_threshold() == RUN_THRESHOLDS  # an inner run ending restores nothing
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_run_gc_restores_after_an_exception() -> None:
    before = gc.get_threshold()
    try:
        with run_gc():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
