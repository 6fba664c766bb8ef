"""Dask distributed backend of :func:`zzanalytics.execution.run_tasks` (imported lazily).

Only this module imports ``distributed``. It connects to a scheduler given by
address (or uses a client passed in), groups items into chunks so that tens of
thousands of tiny series become a few hundred tasks, broadcasts a shared
read-only object once per worker, shows progress as chunks finish
(``distributed.as_completed``) and returns results in the order of the items.

Workers must be able to import zzanalytics (the same version as the client):
tasks refer to functions by module and name, and carry paths and filters
(see :mod:`zzanalytics.store.partitions`), not frames.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from zzanalytics.errors import DependencyMissingError, SchedulerError
from zzanalytics.execution.chunking import NO_SHARED, auto_chunksize, call_chunk, chunks

CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a scheduler (``ZZ_SCHEDULER_TIMEOUT`` overrides)."""

_HOW_TO_START = (
    "start one with `dask scheduler` on the scheduler machine and `dask worker tcp://HOST:8786` on each "
    "worker machine (every worker needs zzanalytics installed), or drop --scheduler / unset ZZ_SCHEDULER "
    "to run on local processes"
)


def _client_class() -> Any:
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a hard dependency
        raise DependencyMissingError(
            "Dask distributed is needed for --scheduler / ZZ_SCHEDULER; install it with "
            "`pip install 'dask[distributed]'`"
        ) from exc
    return Client


def _timeout() -> float:
    env = os.environ.get("ZZ_SCHEDULER_TIMEOUT")
    try:
        return float(env) if env else CONNECT_TIMEOUT
    except ValueError:
        return CONNECT_TIMEOUT


def connect(scheduler: Any) -> tuple[Any, bool]:
    """``(client, owned)`` for an address or a client; ``owned`` clients are closed by the caller.

    Raises :class:`~zzanalytics.execution.SchedulerError` naming the address when the
    scheduler does not answer within ``ZZ_SCHEDULER_TIMEOUT`` seconds (default 10).
    """

    Client = _client_class()
    if isinstance(scheduler, Client):
        if scheduler.status not in ("running", "connecting", "newly-created"):
            raise SchedulerError(
                f"the Dask client passed in is {scheduler.status!r}, not running; create a new one with "
                "distributed.Client('tcp://HOST:8786')"
            )
        return scheduler, False
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise SchedulerError(
            f"scheduler={scheduler!r}: give a Dask scheduler address such as 'tcp://10.0.0.5:8786' "
            "or a distributed.Client"
        )
    address = scheduler.strip()
    timeout = _timeout()
    try:
        client = Client(address, timeout=f"{timeout:g}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(
            f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s "
            f"({type(exc).__name__}: {exc}); {_HOW_TO_START}"
        ) from None
    return client, True


class _Box:
    """One opaque object around a chunk's items or results.

    Dask serialises a plain list element by element (thousands of tiny frames for a
    chunk of a few thousand items, seconds instead of milliseconds); a box is pickled
    in one piece.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __getstate__(self) -> Any:
        return self.value

    def __setstate__(self, state: Any) -> None:
        self.value = state


def _run_box(fn: Callable[..., Any], box: _Box, *shared: Any) -> _Box:
    """Worker side: run one boxed chunk through the local chunk runner, box the results."""

    return _Box(call_chunk(fn, box.value, *(b.value for b in shared)))


def _slots(client: Any) -> int:
    """Worker threads of the cluster (at least 1)."""
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:  # older distributed: no n_workers argument
        info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def run_tasks(
    fn: Callable[..., Any],
    items: Sequence[Any],
    *,
    scheduler: Any,
    progress: bool = True,
    desc: str = "",
    chunksize: int | None = None,
    shared: Any = NO_SHARED,
) -> list[Any]:
    """Submit ``fn`` over ``items`` to a Dask cluster in chunks; results in the order of ``items``.

    Chunks run through the same runner as the local pool
    (:func:`zzanalytics.execution.chunking.call_chunk`), boxed (:class:`_Box`); ``shared`` (unless it is the
    "nothing shared" sentinel of :mod:`zzanalytics.execution`) is scattered once to
    every worker and passed as the second argument of ``fn``.
    """
    from distributed import as_completed

    no_shared = NO_SHARED
    items = list(items)
    if not items:
        return []
    client, owned = connect(scheduler)
    futures: list[Any] = []
    try:
        size = chunksize or auto_chunksize(len(items), _slots(client))
        batches = chunks(items, size)
        extra: list[Any] = []
        if shared is not no_shared:
            # one copy per worker, referenced by every task (boxed: Dask would scatter a dict's or
            # a list's elements one by one)
            extra = [client.scatter(_Box(shared), broadcast=True, hash=False)]
        name = getattr(fn, "__name__", "task").strip("_") or "task"
        token = uuid.uuid4().hex[:12]  # unique per call: keys never meet a previous run's results
        futures = [
            client.submit(_run_box, fn, _Box(b), *extra, pure=False, key=f"zz-{name}-{token}-{i}")
            for i, b in enumerate(batches)
        ]
        where = {f.key: i for i, f in enumerate(futures)}
        parts: list[Any] = [None] * len(batches)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(items), desc=desc, leave=False)
        try:
            for fut, part in as_completed(futures, loop=client.loop, with_results=True):
                i = where[fut.key]
                parts[i] = part.value
                if bar is not None:
                    bar.update(len(batches[i]))
        finally:
            if bar is not None:
                bar.close()
        return [r for part in parts for r in part]
    except (ModuleNotFoundError, ImportError) as exc:
        raise SchedulerError(
            f"the Dask workers of {client.scheduler.address} cannot import what the task needs ({exc}); "
            "install the same zzanalytics (and its dependencies) on every worker, e.g. "
            "`pip install zzanalytics` in the workers' environment"
        ) from None
    finally:
        for f in futures:
            if not f.done():
                f.cancel()
        if owned:
            client.close()
