"""The collector setting of a run: set while a run is active, restored when the last ends;
what existed before the run stays frozen (the window relies on that)."""

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


def test_objects_from_before_the_run_stay_frozen_after_it() -> None:
    gc.freeze()  # as the window does once it is built
    frozen = gc.get_freeze_count()
    with run_gc():
        pass
    assert gc.get_freeze_count() >= frozen


def test_run_gc_restores_after_an_exception() -> None:
    before = gc.get_threshold()
    try:
        with run_gc():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
