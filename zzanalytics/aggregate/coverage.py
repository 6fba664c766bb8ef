"""Coverage in :mod:`zzanalytics.aggregate`: no data is not zero.

What the sources cover is one value, :class:`zzanalytics.Coverage` (``st.coverage()``), that
every function here takes as ``coverage=``. Inside a category's coverage a period without
records is a real zero; outside it the period is *absent* from counts, so a series starts and
ends where its data do (series of a panel may be ragged), and a comparison with a range outside
it says "no data".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.schema import rollup
from zzanalytics.store.coverage import Coverage, covered

__all__ = ["covered", "range_covered"]


def range_covered(
    coverage: pd.DataFrame | None, categories: Iterable[Any] | None, start: Any, end: Any
) -> bool:
    """True when every category (with recorded coverage) covers each day from ``start`` to ``end``.

    ``categories`` None (or tables without categories): any span of ``coverage`` must hold the
    whole range. Categories without recorded coverage do not count against it; no coverage at
    all covers everything (nothing is known to be missing). An empty list of categories (a key
    such as fraud that no ingested file holds, in a store that records coverage) covers nothing:
    no source reports it, so its count is unknown, not zero.

    Examples
    --------
    >>> cov = pd.DataFrame({"category": ["fire", "assault"],
    ...                     "start": pd.to_datetime(["2011-01-01", "2014-01-01"]),
    ...                     "end": pd.to_datetime(["2022-12-31", "2021-12-31"])})
    >>> range_covered(cov, ["fire"], "2012-01-01", "2012-06-30")
    True
    >>> range_covered(cov, None, "2013-01-01", "2013-06-30")
    True
    >>> range_covered(cov, ["fire", "assault"], "2013-01-01", "2013-06-30")
    False
    >>> range_covered(cov, [], "2015-01-01", "2015-06-30")
    False
    """
    if coverage is None or len(coverage) == 0:
        return True
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    slack = pd.to_timedelta(coverage["slack"] if "slack" in coverage.columns else 0, unit="D")
    holds = (coverage["start"] - slack <= lo) & (coverage["end"] + slack >= hi)
    if categories is not None and "category" in coverage.columns:
        wanted = {str(c) for c in categories if isinstance(c, str)}
        if not wanted:
            return False
        known = [c for c in wanted if (coverage["category"] == c).any()]
        if not known:
            return True
        return all(bool((holds & (coverage["category"] == c)).any()) for c in known)
    return bool(holds.any())


def apply_coverage(
    frame: pd.DataFrame,
    cov: Coverage,
    freq: str,
    partial: bool,
    groups: dict[Any, list[str] | None],
    table: str = "incidents",
) -> pd.DataFrame:
    """Drop the grid rows of periods the coverage does not cover.

    ``groups``: category key value → the leaf categories it is made of (a group is covered where
    every member is; ``[]``: a category no source holds, no data in any period; None: the table
    as a whole, covered where some source is).
    """
    if frame.empty or cov.basis == "complete":
        return frame
    uniq, inv = np.unique(frame["period"].to_numpy(), return_inverse=True)
    keep = np.ones(len(frame), dtype=bool)
    labels = frame["category"].to_numpy(dtype=object) if "category" in frame.columns else None
    for key, members in groups.items():
        ok = cov.covered_periods(uniq, freq, members, table, partial=partial, exact=True)
        rows = np.ones(len(frame), dtype=bool) if labels is None or key is None else (labels == key)
        keep &= ~rows | ok[inv]
    return frame[keep].reset_index(drop=True)


def category_groups(
    observed: Iterable[Any], cov: Coverage, grid: Iterable[Any] | None, level: int | None, by_category: bool
) -> dict[Any, list[str] | None]:
    """Category key value → leaf categories it stands for (observed, else those the coverage holds)."""
    observed = [str(c) for c in observed if isinstance(c, str)]
    held = cov.categories("incidents")
    if not by_category:
        return {None: observed or None}
    groups: dict[Any, list[str] | None] = {}
    for c in observed:
        groups.setdefault(rollup(c, level), []).append(c)  # type: ignore[union-attr]
    for g in [] if grid is None else list(grid):
        if g not in groups:
            groups[g] = [c for c in held if rollup(c, level) == g]
    return groups
