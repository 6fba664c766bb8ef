"""Coverage in :mod:`zzanalytics.spatial` (private): a map or a model of a period needs the
period inside what the sources cover, or its cells' counts take the missing days as zeros."""

from __future__ import annotations

from typing import Any

import pandas as pd

from zzanalytics.errors import SpatialError
from zzanalytics.store.coverage import Coverage

__all__ = ["check_covered"]


def check_covered(cov: Coverage, incidents: pd.DataFrame, start: Any, end: Any, call: str) -> None:
    """Raise a one-line :class:`SpatialError` unless ``cov`` holds ``start..end`` for every
    category of ``incidents`` (the table as a whole when it has no ``category``)."""
    cats = None
    if "category" in incidents.columns:
        cats = sorted({str(c) for c in incidents["category"].dropna().unique()}) or None
    if cov.covers(start, end, cats, exact=True):
        return
    held = ", ".join(f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in cov.span(cats)) or "nothing"
    what = ", ".join(cats) if cats and len(cats) <= 4 else "these records"
    raise SpatialError(
        f"{call}: the data of {what} do not cover {pd.Timestamp(start):%Y-%m-%d} to "
        f"{pd.Timestamp(end):%Y-%m-%d} (covered: {held} ({cov.basis})); counts there would take "
        "the missing days as zeros: pick a period inside the coverage"
    )
