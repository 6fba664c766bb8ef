"""Where things live: the sample district, the default store, the reports folder.

Every path can be overridden by an environment variable so that a batch run or a
test can point zzanalytics elsewhere without touching code:

``ZZ_SAMPLE_DIR``   folder of the sample district's exports (default ``data/sample``)
``ZZ_STORE``        DuckDB store used when a command gets no ``--store``
                    (default ``data/sample/store/zz.duckdb``, built from the sample on first use)
``ZZ_REPORTS``      output folder of briefings (default ``reports``)
``ZZ_SCHEDULER``    address of a Dask scheduler; unset means local processes

Examples
--------
>>> from zzanalytics.config import sample_dir
>>> sample_dir().name
'sample'
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def sample_dir() -> Path:
    """Folder of the committed sample district (``data/sample``)."""
    return Path(os.environ.get("ZZ_SAMPLE_DIR", REPO_DIR / "data" / "sample"))


def default_store_path() -> Path:
    """DuckDB file used when no store is given (``ZZ_STORE`` or the sample store)."""
    env = os.environ.get("ZZ_STORE")
    if env:
        return Path(env)
    return sample_dir() / "store" / "zz.duckdb"


def reports_dir() -> Path:
    """Default output folder of briefings (``ZZ_REPORTS`` or ``reports``)."""
    return Path(os.environ.get("ZZ_REPORTS", REPO_DIR / "reports"))


def scheduler_address() -> str | None:
    """Dask scheduler address from ``ZZ_SCHEDULER``; ``None`` runs locally."""
    return os.environ.get("ZZ_SCHEDULER") or None
