"""Coverage in :mod:`zzanalytics.aggregate`: no data is not zero.

A store's frames carry what their sources cover (``attrs["coverage"]``, see
:meth:`zzanalytics.store.Store.coverage`). Inside a category's coverage a period without
records is a real zero; outside it the period is *absent* from counts, so a series starts and
ends where its data do (series of a panel may be ragged), and a comparison with a range outside
it says "no data".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.aggregate.periods import _DAY, _check_freq, _code_start, _period_code
from zzanalytics.schema import check_columns, rollup

__all__ = ["covered", "frame_coverage", "range_covered"]


def covered(periods: Any, freq: str, spans: Any, partial: bool = True) -> np.ndarray:
    """Which periods (given by their first day) the day spans cover.

    Parameters
    ----------
    periods : array-like of datetime64
        First days of periods of ``freq``.
    freq : {"day", "week", "month", "quarter", "year"}
    spans : iterable of (start, end) or (start, end, slack), or a frame with ``start``, ``end``
        (and ``slack``)
        Inclusive covered days; ``slack`` days by which a span taken from records may fall
        short of the real one (see :meth:`Store.coverage <zzanalytics.store.Store.coverage>`).
    partial : bool
        ``True``: a period that overlaps a span is covered; ``False``: only a period that lies
        wholly inside one span widened by its slack (an incomplete first or last period is
        left out).

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> months = pd.to_datetime(["2021-11-01", "2021-12-01", "2022-01-01"])
    >>> covered(months, "month", [("2014-01-01", "2021-12-15")]).tolist()
    [True, True, False]
    >>> covered(months, "month", [("2014-01-01", "2021-12-15")], partial=False).tolist()
    [True, False, False]
    """
    _check_freq(freq)
    p = np.asarray(pd.to_datetime(periods), dtype="datetime64[ns]")
    ends = _code_start(_period_code(p, freq) + 1, freq) - _DAY if p.size else p
    out = np.zeros(p.shape, dtype=bool)
    for a, b, k in _triples(spans):
        lo = np.datetime64(pd.Timestamp(a).normalize().to_datetime64(), "ns")
        hi = np.datetime64(pd.Timestamp(b).normalize().to_datetime64(), "ns")
        if partial:
            out |= (p <= hi) & (ends >= lo)
        else:
            out |= (p >= lo - k * _DAY) & (ends <= hi + k * _DAY)
    return out


def _triples(spans: Any) -> list[tuple[Any, Any, int]]:
    """(start, end, slack) of each span of a frame or an iterable of pairs / triples."""
    if isinstance(spans, pd.DataFrame):
        slack = spans["slack"] if "slack" in spans.columns else pd.Series(0, index=spans.index)
        return list(zip(spans["start"], spans["end"], slack.fillna(0).astype(int), strict=True))
    return [(s[0], s[1], int(s[2]) if len(s) > 2 else 0) for s in spans]


def frame_coverage(frame: pd.DataFrame, table: str = "incidents") -> pd.DataFrame | None:
    """The coverage a store's frame carries (``attrs["coverage"]``) as a frame, or None.

    Columns ``table``, ``category``, ``start``, ``end`` (see
    :meth:`Store.coverage <zzanalytics.store.Store.coverage>`), rows of ``table`` only.

    Examples
    --------
    >>> inc = pd.DataFrame({"occurred_at": []})
    >>> day = pd.Timestamp
    >>> inc.attrs["coverage"] = (("incidents", "fire", day("2020-01-01"), day("2020-12-31")),)
    >>> frame_coverage(inc)["end"].dt.year.tolist()
    [2020]
    """
    return coverage_of(frame.attrs.get("coverage"), table)


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


def coverage_of(coverage: Any, table: str) -> pd.DataFrame | None:
    """The ``table`` rows of a coverage frame or records (None when there is none to apply)."""
    if isinstance(coverage, tuple | list):
        cols = ["table", "category", "start", "end", "slack"]
        coverage = pd.DataFrame([tuple(r) + (0,) * (5 - len(r)) for r in coverage], columns=cols)
    if coverage is None or coverage is False or not isinstance(coverage, pd.DataFrame) or coverage.empty:
        return None
    check_columns(coverage.columns, ["start", "end"], "coverage")
    cov = coverage
    if "table" in cov.columns:
        cov = cov[cov["table"] == table]
    return cov if len(cov) else None


def apply_coverage(
    frame: pd.DataFrame,
    cov: pd.DataFrame,
    freq: str,
    partial: bool,
    groups: dict[Any, list[str]] | None,
) -> pd.DataFrame:
    """Drop the grid rows of periods the coverage does not cover.

    ``groups``: category key value → the leaf categories it is made of (a group is covered where
    every member that has coverage is); None: the table has no categories (one span list).
    """
    if frame.empty:
        return frame
    periods = frame["period"].to_numpy()
    if groups is None:
        keep = covered(periods, freq, cov, partial)
        return frame[keep].reset_index(drop=True)
    spans = {c: _triples(g) for c, g in cov.groupby("category")}
    everything = _triples(cov)
    uniq, inv = np.unique(periods, return_inverse=True)
    keep = np.ones(len(frame), dtype=bool)
    labels = frame["category"].to_numpy(dtype=object) if "category" in frame.columns else None
    for key, members in groups.items():
        known = [spans[m] for m in members if m in spans]
        if members and not known:
            continue  # no coverage recorded for these categories: the grid stands
        if not members and key is not None:  # a category no source holds: no data in any period
            keep &= labels != key if labels is not None else False
            continue
        ok = np.ones(uniq.shape, dtype=bool)
        for s in known or [everything]:  # no category key and nothing observed: what any source covers
            ok &= covered(uniq, freq, s, partial)
        rows = np.ones(len(frame), dtype=bool) if labels is None else (labels == key)
        keep &= ~rows | ok[inv]
    return frame[keep].reset_index(drop=True)


def category_groups(
    observed: Iterable[Any],
    cov: pd.DataFrame,
    grid: Iterable[Any] | None,
    level: int | None,
    by_category: bool,
) -> dict[Any, list[str]]:
    """Category key value → leaf categories it stands for (observed, else those with coverage)."""
    observed = [str(c) for c in observed if isinstance(c, str)]
    with_cov = [str(c) for c in cov["category"].dropna().unique()]
    if not by_category:
        return {None: observed}
    groups: dict[Any, list[str]] = {}
    for c in observed:
        groups.setdefault(rollup(c, level), []).append(c)
    for g in [] if grid is None else list(grid):
        if g not in groups:
            groups[g] = [c for c in with_cov if rollup(c, level) == g]
    return groups
