"""Dask distributed backend of :func:`zzanalytics.execution.run_tasks` (imported lazily)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from zzanalytics.errors import DependencyMissingError


def run_tasks(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    scheduler: Any,
    progress: bool = True,
    desc: str = "",
) -> list[Any]:
    """Submit ``fn`` over ``items`` to a Dask cluster and gather results in order."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a hard dependency
        raise DependencyMissingError(
            "Dask distributed is needed for --scheduler; install it with `pip install 'dask[distributed]'`"
        ) from exc
    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        futures = client.map(fn, list(items), pure=False)
        return client.gather(futures)
    finally:
        if own:
            client.close()
