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
