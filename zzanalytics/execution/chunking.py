"""Pieces shared by the local and the Dask backends: chunking items and calling a chunk in a worker.

Examples
--------
>>> chunks([1, 2, 3, 4, 5], 2)
[[1, 2], [3, 4], [5]]
>>> call_chunk(abs, [-1, 2])
[1, 2]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["NO_SHARED", "auto_chunksize", "call_chunk", "chunks", "set_shared"]

T = TypeVar("T")

NO_SHARED = object()
"""Sentinel: no object is shared by every call."""

_SHARED: Any = NO_SHARED  # the shared object inside a local worker process


def chunks(items: Sequence[T], size: int) -> list[list[T]]:
    """Split ``items`` into consecutive lists of at most ``size`` items.

    Examples
    --------
    >>> chunks([1, 2, 3, 4, 5], 2)
    [[1, 2], [3, 4], [5]]
    """
    size = max(1, int(size))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def auto_chunksize(n_items: int, n_slots: int, per_slot: int = 4) -> int:
    """Items per task so that every slot (process or thread) gets about ``per_slot`` tasks.

    Examples
    --------
    >>> auto_chunksize(20_000, 2)
    2500
    >>> auto_chunksize(3, 8)
    1
    """
    return max(1, math.ceil(n_items / (max(1, n_slots) * per_slot)))


def set_shared(shared: Any) -> None:
    """Pool initializer: keep ``shared`` for every call of this worker process."""
    global _SHARED
    _SHARED = shared


def call_chunk(fn: Callable[..., Any], batch: list[Any], shared: Any = NO_SHARED) -> list[Any]:
    """Run ``fn`` over one chunk (in a worker); ``shared`` is the broadcast object, if any."""
    if shared is NO_SHARED and _SHARED is not NO_SHARED:
        shared = _SHARED
    if shared is NO_SHARED:
        return [fn(x) for x in batch]
    return [fn(x, shared) for x in batch]
