"""Growing numpy buffers: plots call setData on views of these, never on rebuilt lists."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


class GrowingArray:
    """A float64 array that doubles its capacity when full; `view()` is the filled part."""

    def __init__(self, capacity: int = 1024) -> None:
        self._data = np.empty(max(1, capacity), dtype=np.float64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, value: float) -> None:
        if self._size == self._data.shape[0]:
            grown = np.empty(self._data.shape[0] * 2, dtype=np.float64)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size] = value
        self._size += 1

    def view(self) -> npt.NDArray[np.float64]:
        return self._data[: self._size]

    def clear(self) -> None:
        self._size = 0
