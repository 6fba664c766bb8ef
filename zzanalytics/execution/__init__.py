"""One dispatcher for every fan-out: forecasts, backtests, batch briefings.

:func:`run_tasks` maps a picklable function over items. Locally it uses a
process pool (or runs inline for one worker); given a Dask scheduler address
(``--scheduler`` / ``ZZ_SCHEDULER``) or a ``distributed.Client`` it submits to
that cluster instead. Dask is imported only in :mod:`zzanalytics.execution.dask`, so the
core never needs it. Results always come back in the order of ``items`` and do
not depend on where an item ran: a task must get everything it needs (data,
seeds) from its item, never from worker state.

Both backends group items into chunks (many tiny series are a few hundred
tasks, not twenty thousand) and can send a read-only ``shared`` object once per
worker instead of once per task (Dask: ``client.scatter(..., broadcast=True)``;
local: the pool's initializer).

Examples
--------
>>> from zzanalytics.execution import run_tasks
>>> run_tasks(abs, [-1, 2, -3], workers=1, progress=False)
[1, 2, 3]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from zzanalytics.config import scheduler_address
from zzanalytics.errors import SchedulerError, ZZError
from zzanalytics.execution.chunking import NO_SHARED, auto_chunksize, call_chunk, chunks, set_shared

__all__ = ["SchedulerError", "auto_chunksize", "chunks", "default_workers", "run_tasks"]

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """Number of local worker processes: ``ZZ_WORKERS`` or the CPU count.

    Examples
    --------
    >>> default_workers() >= 1
    True
    """
    env = os.environ.get("ZZ_WORKERS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ZZError(f"ZZ_WORKERS={env!r} is not a whole number; set it to e.g. 4 or unset it") from None
    return max(1, os.cpu_count() or 1)


def _progress(it: Iterable[Any], total: int, desc: str, enabled: bool) -> Iterable[Any]:
    if not enabled:
        return it
    from tqdm.auto import tqdm

    return tqdm(it, total=total, desc=desc, leave=False)


def run_tasks(
    fn: Callable[..., R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    desc: str = "",
    chunksize: int | None = None,
    shared: Any = NO_SHARED,
) -> list[R]:
    """Apply ``fn`` to every item, locally or on Dask, keeping the input order.

    Parameters
    ----------
    fn : callable
        A module-level (picklable) function of one argument, or of two (``item, shared``)
        when ``shared`` is given. On Dask, workers import it by name: they need the same
        zzanalytics installed.
    items : sequence
        The work items. Keep them small (a path and a filter, a chunk of arrays), not
        whole frames or stores.
    workers : int, optional
        Local processes; default :func:`default_workers`. ``1`` runs inline. Ignored on Dask.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``tcp://host:8786``) or a connected client; default
        ``ZZ_SCHEDULER`` if set, else local processes.
    progress : bool
        Show a progress bar (items done).
    desc : str
        Label of the progress bar.
    chunksize : int, optional
        Items per task. Default: about 4 tasks per local process or Dask worker thread.
    shared : object, optional
        A read-only object every call needs (a plan, an exogenous matrix, a lookup table).
        It is sent once per worker, not once per task, and passed as ``fn(item, shared)``.

    Returns
    -------
    list
        ``[fn(x) for x in items]`` (or ``[fn(x, shared) ...]``), in the order of ``items``.

    Raises
    ------
    SchedulerError
        The scheduler cannot be reached, or its workers cannot import the task function.
        An exception raised by ``fn`` itself is re-raised unchanged.

    Examples
    --------
    >>> run_tasks(len, ["ab", "c"], workers=1, progress=False)
    [2, 1]
    >>> run_tasks(divmod, [7, 9], workers=1, progress=False, shared=4)
    [(1, 3), (2, 1)]
    """
    items = list(items)
    if scheduler is None:
        scheduler = scheduler_address()
    if scheduler is not None:
        from zzanalytics.execution import dask

        return dask.run_tasks(
            fn, items, scheduler=scheduler, progress=progress, desc=desc, chunksize=chunksize, shared=shared
        )
    n = workers or default_workers()
    if n <= 1 or len(items) <= 1:
        if shared is NO_SHARED:
            return [fn(x) for x in _progress(items, len(items), desc, progress)]
        return [fn(x, shared) for x in _progress(items, len(items), desc, progress)]
    size = chunksize or auto_chunksize(len(items), n)
    batches = chunks(items, size)
    n = min(n, len(batches))
    init: dict[str, Any] = {}
    if shared is not NO_SHARED:
        init = {"initializer": set_shared, "initargs": (shared,)}
    out: list[R] = []
    with ProcessPoolExecutor(max_workers=n, **init) as pool:
        done = pool.map(call_chunk, [fn] * len(batches), batches)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(items), desc=desc, leave=False)
        try:
            for part in done:
                out.extend(part)
                if bar is not None:
                    bar.update(len(part))
        finally:
            if bar is not None:
                bar.close()
    return out
