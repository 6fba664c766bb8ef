"""One dispatcher for every fan-out: forecasts, backtests, batch briefings.

:func:`run_tasks` maps a picklable function over items. Locally it uses a
process pool (or runs inline for one worker); given a Dask scheduler address
(``--scheduler`` / ``ZZ_SCHEDULER``) or a ``distributed.Client`` it submits to
that cluster instead. Dask is imported only in :mod:`zzanalytics._dask`.
Results always come back in the order of ``items``.

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

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """Number of local worker processes: ``ZZ_WORKERS`` or the CPU count."""
    env = os.environ.get("ZZ_WORKERS")
    if env:
        return max(1, int(env))
    return max(1, os.cpu_count() or 1)


def _progress(it: Iterable[Any], total: int, desc: str, enabled: bool) -> Iterable[Any]:
    if not enabled:
        return it
    from tqdm.auto import tqdm

    return tqdm(it, total=total, desc=desc, leave=False)


def run_tasks(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    scheduler: Any = None,
    progress: bool = True,
    desc: str = "",
    chunksize: int | None = None,
) -> list[R]:
    """Apply ``fn`` to every item, locally or on Dask, keeping the input order.

    Parameters
    ----------
    fn : callable
        A module-level (picklable) function of one argument.
    items : sequence
        The work items.
    workers : int, optional
        Local processes; default :func:`default_workers`. ``1`` runs inline.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address or client; default ``ZZ_SCHEDULER`` if set, else local.
    progress : bool
        Show a progress bar.
    desc : str
        Label of the progress bar.
    chunksize : int, optional
        Items per local task; default splits the items into about 4 chunks per worker.

    Returns
    -------
    list
        ``[fn(x) for x in items]``.

    Examples
    --------
    >>> run_tasks(len, ["ab", "c"], workers=1, progress=False)
    [2, 1]
    """
    items = list(items)
    if scheduler is None:
        scheduler = scheduler_address()
    if scheduler is not None:
        from zzanalytics import _dask

        return _dask.run_tasks(fn, items, scheduler=scheduler, progress=progress, desc=desc)
    n = workers or default_workers()
    if n <= 1 or len(items) <= 1:
        return [fn(x) for x in _progress(items, len(items), desc, progress)]
    if chunksize is None:
        chunksize = max(1, len(items) // (n * 4))
    with ProcessPoolExecutor(max_workers=n) as pool:
        return list(_progress(pool.map(fn, items, chunksize=chunksize), len(items), desc, progress))
