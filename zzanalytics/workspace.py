"""The default store, ready on first use: the sample district found or generated, its store built.

``zz.open_store()`` (:func:`zzanalytics.store.open_store`, the one opener) with no path opens the
default store (``ZZ_STORE``, else the sample district's store, see :mod:`zzanalytics.config`).
This module registers :func:`prepare_sample` with it, so when that is the sample store it is
made ready first:

1. the sample district's exports are found (``./data/sample``, the source checkout's ``data/sample``)
   or, when zzanalytics runs installed from a wheel, generated once into the per-user data folder
   (``$ZZ_HOME/sample``; deterministic, a few seconds);
2. its store is (re)built from ``sources.toml`` when missing, older than a source file or mapping,
   or built by an older version of the ingest rules.

Both steps run under a file lock, so parallel processes (batch briefings) wait for one builder.

Examples
--------
>>> import zzanalytics as zz
>>> with zz.open_store() as st:  # doctest: +SKIP
...     print(st.summary())
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from zzanalytics import config
from zzanalytics.errors import StoreError
from zzanalytics.store import STORE_FORMAT, before_open, open_store, store_format

__all__ = ["analyst_notebooks", "ensure_sample", "open_store", "prepare_sample", "sample_store_path"]


def sample_store_path() -> Path:
    """Where the sample district's store lives (``<sample folder>/store/zz.duckdb``)."""
    return config.sample_dir() / "store" / "zz.duckdb"


@contextmanager
def _locked(lock_path: Path) -> Any:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_sample() -> Path:
    """Make the sample district's store ready (generate the exports if needed, build if stale).

    Returns the store's path.
    """
    from zzanalytics.ingest.sources import build_store, newest_source

    folder = config.sample_dir()
    sources_toml = folder / "sources.toml"
    path = sample_store_path()
    if not sources_toml.exists():
        home_sample = config.home_dir() / "sample"
        if os.path.abspath(folder) != os.path.abspath(home_sample):
            if path.exists():
                return path
            raise StoreError(
                f"no store at {path} and no {sources_toml} to build it from; run `zz sample --out {folder}`, "
                "or pass --store PATH of a store made with `zz ingest ... --store PATH`"
            )
        with _locked(folder.parent / ".sample.lock"):
            if not sources_toml.exists():
                from zzanalytics.sample import generate_sample

                generate_sample(out=folder)

    def stale() -> bool:
        if not path.exists() or path.stat().st_mtime < newest_source(sources_toml):
            return True
        return store_format(path) != STORE_FORMAT

    if stale():
        with _locked(path.with_name(path.name + ".lock")):
            if stale():
                build_store(sources_toml, path)
    return path


@before_open
def prepare_sample(path: Path) -> None:
    """Before a store is opened: make it ready when it is the sample district's store.

    Registered with :func:`zzanalytics.store.before_open`; any other store is left alone.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> prepare_sample(pathlib.Path(tempfile.mkdtemp()) / "other.duckdb")  # not the sample: nothing
    """
    if os.path.abspath(path) == os.path.abspath(sample_store_path()):
        ensure_sample()


def analyst_notebooks() -> list[Path]:
    """The analyst notebooks shipped with the package (``01_…`` to ``03_…``), in order.

    Examples
    --------
    >>> [p.name for p in analyst_notebooks()][:1]
    ['01_ingest_quality.ipynb']
    """
    from importlib.resources import files

    folder = Path(str(files("zzanalytics") / "notebooks"))
    found = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise StoreError(
            f"no analyst notebooks in {folder}; the installation is incomplete, reinstall zzanalytics"
        )
    return found
