"""Where things live: the per-user data folder, the sample district, the default store, the reports.

Every path can be overridden by an environment variable so that a batch run or a test can point
zzanalytics elsewhere without touching code:

``ZZ_HOME``         per-user data folder (default: the platform's user data folder, e.g.
                    ``~/.local/share/zzanalytics`` on Linux); the sample district is generated
                    into ``$ZZ_HOME/sample`` on first use when no other sample is found
``ZZ_SAMPLE_DIR``   folder of the sample district's exports; default, the first that holds a
                    ``sources.toml`` of: ``./data/sample`` (the current folder, e.g. after
                    ``zz sample``), the source checkout's ``data/sample``, ``$ZZ_HOME/sample``
``ZZ_STORE``        DuckDB store used when a command gets no ``--store``
                    (default ``<sample folder>/store/zz.duckdb``, built from the sample on first use)
``ZZ_REPORTS``      output folder of briefings (default ``./reports``)
``ZZ_SCHEDULER``    address of a Dask scheduler; unset means local processes

This module only names paths; :mod:`zzanalytics.workspace` creates what is missing.

Examples
--------
>>> import os
>>> from zzanalytics.config import home_dir
>>> os.environ["ZZ_HOME"] = "/tmp/zz-home-example"
>>> str(home_dir())
'/tmp/zz-home-example'
>>> del os.environ["ZZ_HOME"]
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent
"""Parent of the package: the source checkout when running from one (holds ``pyproject.toml``)."""


def home_dir() -> Path:
    """Per-user data folder: ``ZZ_HOME``, else the platform's user data folder for zzanalytics."""
    env = os.environ.get("ZZ_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("zzanalytics", appauthor=False))


def checkout_sample_dir() -> Path | None:
    """``data/sample`` of the source checkout this package runs from, or None when installed."""
    if (CHECKOUT_DIR / "pyproject.toml").exists() and (CHECKOUT_DIR / "data" / "sample").is_dir():
        return CHECKOUT_DIR / "data" / "sample"
    return None


def sample_dir() -> Path:
    """Folder of the sample district (see the module docstring for the order of search)."""
    env = os.environ.get("ZZ_SAMPLE_DIR")
    if env:
        return Path(env).expanduser()
    candidates = [Path.cwd() / "data" / "sample", checkout_sample_dir()]
    for c in candidates:
        if c is not None and (c / "sources.toml").exists():
            return c
    return home_dir() / "sample"


def default_store_path() -> Path:
    """DuckDB file used when no store is given (``ZZ_STORE`` or the sample store)."""
    env = os.environ.get("ZZ_STORE")
    if env:
        return Path(env).expanduser()
    return sample_dir() / "store" / "zz.duckdb"


def reports_dir() -> Path:
    """Default output folder of briefings (``ZZ_REPORTS`` or ``./reports``)."""
    return Path(os.environ.get("ZZ_REPORTS", "reports")).expanduser()


def scheduler_address() -> str | None:
    """Dask scheduler address from ``ZZ_SCHEDULER``; ``None`` runs locally."""
    return os.environ.get("ZZ_SCHEDULER") or None
