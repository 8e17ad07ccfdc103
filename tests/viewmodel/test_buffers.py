"""The plots' growing buffers keep every value as they grow."""

from __future__ import annotations

import numpy as np

from workbench.viewmodel.buffers import GrowingArray


def test_a_buffer_growing_past_its_capacity_keeps_its_data_in_order() -> None:
    buffer = GrowingArray(capacity=4)
    for value in range(1000):
        buffer.append(value * 0.5)
    assert len(buffer) == 1000
    np.testing.assert_array_equal(buffer.view(), np.arange(1000) * 0.5)


def test_a_view_taken_before_growing_still_holds_what_it_showed() -> None:
    buffer = GrowingArray(capacity=2)
    buffer.append(1.0)
    buffer.append(2.0)
    before = buffer.view()
    buffer.append(3.0)  # reallocates
    assert list(before) == [1.0, 2.0] and list(buffer.view()) == [1.0, 2.0, 3.0]


def test_clear_empties_and_the_buffer_fills_again() -> None:
    buffer = GrowingArray(capacity=1)
    buffer.append(7.0)
    buffer.clear()
    assert len(buffer) == 0 and buffer.view().size == 0
    buffer.append(8.0)
    assert list(buffer.view()) == [8.0]
