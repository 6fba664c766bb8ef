"""Shared fixtures: a fresh empty store, and the default sample store (built once, read-only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zzanalytics.store import Store
from zzanalytics.workspace import open_store

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def tmp_store(tmp_path: Path) -> Iterator[Store]:
    """An empty read-write store in a temporary folder."""
    st = open_store(tmp_path / "zz.duckdb", read_only=False)
    try:
        yield st
    finally:
        st.close()


@pytest.fixture(scope="session")
def sample_store() -> Iterator[Store]:
    """The sample district's store (``open_store()``), built from data/sample on first use; read-only."""
    st = open_store()
    try:
        yield st
    finally:
        st.close()


CITY = Path(__file__).resolve().parents[1] / "data" / "city"


@pytest.fixture(scope="session")
def city_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The foreign sample city's store (Lakeport, America/Toronto), built once from data/city; read-only."""
    from zzanalytics.ingest.sources import build_store

    path = tmp_path_factory.mktemp("city") / "zz.duckdb"
    build_store(CITY / "sources.toml", path)
    st = open_store(path)
    try:
        yield st
    finally:
        st.close()
