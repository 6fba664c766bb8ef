"""Coverage in comparisons (private to :mod:`zzanalytics.models`): which groups of a comparison
the coverage holds over both ranges, and the rows that have no data.

A range a group's categories do not wholly cover has no data: its count is NaN, not zero, and
nothing is tested against it (``direction`` and ``method`` ``"no_data"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzanalytics.schema import rollup
from zzanalytics.store.coverage import Coverage

__all__ = ["TABLE_OF", "covered_groups", "no_data"]

TABLE_OF = {"occurred_at": "incidents", "received_on": "petitions", "found_on": "disputes"}


def covered_groups(
    frame: pd.DataFrame,
    col: str,
    group: np.ndarray,
    key_frame: pd.DataFrame,
    by: list[str],
    level: int | None,
    current: tuple[pd.Timestamp, pd.Timestamp],
    ranges: list[tuple[pd.Timestamp, pd.Timestamp]],
    cov: Coverage,
    fallback: list[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per group: does the coverage hold the whole current range, and every baseline range?

    A group's categories are those of its records (else, for a category key, the categories the
    coverage holds that roll up to it, else ``fallback``); see :meth:`zzanalytics.Coverage.covers`.
    """
    n = len(key_frame)
    table = TABLE_OF.get(col, "incidents")
    members: dict[int, list[str]] = {}
    if "category" in frame.columns and col == "occurred_at":
        pairs = pd.DataFrame({"g": group, "c": frame["category"].to_numpy()}).drop_duplicates()
        for g, c in zip(pairs["g"], pairs["c"], strict=True):
            if g >= 0 and isinstance(c, str):
                members.setdefault(int(g), []).append(c)
    held = cov.categories(table)
    cur_ok, base_ok = np.ones(n, dtype=bool), np.ones(n, dtype=bool)
    answers: dict[tuple, bool] = {}  # groups share their categories (a scorecard: every area's)

    def covers(a: pd.Timestamp, b: pd.Timestamp, cats: list[str] | None) -> bool:
        key = (a, b, None if cats is None else tuple(cats))
        if key not in answers:
            answers[key] = cov.covers(a, b, cats, table, exact=True)
        return answers[key]

    for g in range(n):
        cats: list[str] | None = members.get(g)
        if cats is None and "category" in by:
            value = key_frame["category"].iloc[g]
            cats = [c for c in held if rollup(c, level) == value]
        if cats is None:
            cats = fallback
        if col != "occurred_at":
            cats = None
        cur_ok[g] = covers(*current, cats)
        base_ok[g] = all(covers(a, b, cats) for a, b in ranges)
    return cur_ok, base_ok


def no_data(out: pd.DataFrame, cur_missing: np.ndarray, base_missing: np.ndarray) -> pd.DataFrame:
    """Rows whose current or baseline range lies (partly) outside the coverage: no data, no test."""
    out = out.copy()
    gone = cur_missing | base_missing
    for c in ("current", "current_batches"):
        if c in out.columns:
            out[c] = out[c].astype(float).where(~cur_missing)
    for c in ("baseline", "baseline_batches"):
        if c in out.columns:
            out[c] = out[c].astype(float).where(~base_missing)
    for c in ("change", "p_value", "rate_ratio", "ci_low", "ci_high", "wheeler_z"):
        out[c] = out[c].astype(float).where(~gone)
    out["pct_change"] = out["pct_change"].where(~gone, None)
    out["significant"] = out["significant"] & ~gone
    out["direction"] = out["direction"].where(~gone, "no_data")
    out["method"] = out["method"].where(~gone, "no_data")
    return out
