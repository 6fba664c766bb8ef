"""Petitions (batches and persons), disputes (found, resolved, backlog) and peer ranks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.aggregate.coverage import apply_coverage
from zzanalytics.aggregate.engine import _aggregate
from zzanalytics.aggregate.periods import _DAY, _as_day
from zzanalytics.clock import wall_time
from zzanalytics.errors import SchemaError
from zzanalytics.schema import PETITION_FORMS, PETITION_LEVELS, check_columns
from zzanalytics.store.coverage import coverage_for

__all__ = ["dispute_summary", "peer_rank", "petition_counts"]


def petition_counts(
    petitions: pd.DataFrame,
    freq: str = "month",
    by: Iterable[str] = ("level", "form"),
    start: Any = None,
    end: Any = None,
    irregular: bool | None = None,
    coverage: Any = None,
) -> pd.DataFrame:
    """Petition batches (批, records) and persons (人次, sum of ``persons``) per period × keys.

    Periods the petitions' coverage does not reach are left out (no data is not zero).

    Parameters
    ----------
    petitions : DataFrame
        Canonical petitions (``received_on``, ``level``, ``form``, ``persons``, ...).
    freq, start, end
        As in :func:`counts`.
    by : iterable of str
        Keys; ``level`` and ``form`` always carry all their canonical values
        (``capital, province, city, district`` / ``individual, collective``) in the grid.
    irregular : bool, optional
        ``True`` keeps only 非正常上访, ``False`` only regular ones, ``None`` all.
    coverage : Coverage, Store or None
        What the petitions' sources cover (``st.coverage()`` or ``st``); ``None``: inferred from
        the records with a :class:`zzanalytics.CoverageWarning` (see :func:`counts`).

    Returns
    -------
    DataFrame
        ``[*by, period, batches, persons]`` (int64), complete grid with zeros.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"received_on": pd.to_datetime(["2026-01-05", "2026-01-20"]),
    ...                   "level": ["capital", "capital"], "form": ["collective", "individual"],
    ...                   "persons": [12, 1], "irregular": [True, False]})
    >>> from zzanalytics import Coverage
    >>> c = petition_counts(p, by=("level",), irregular=True, coverage=Coverage.complete())
    >>> c.query("level == 'capital'")
         level     period  batches  persons
    0  capital 2026-01-01        1       12
    """
    by = list(by)
    check_columns(petitions.columns, ["received_on", "persons", *by], "petition_counts(petitions)")
    data = petitions
    if irregular is not None:
        check_columns(petitions.columns, ["irregular"], "petition_counts(irregular=...)")
        flag = petitions["irregular"].fillna(False).astype(bool)
        data = petitions[flag if irregular else ~flag]
    times = wall_time(data["received_on"], what="received_on").to_numpy()
    keys = {name: data[name] for name in by}
    grids: dict[str, tuple[Sequence[Any] | None, bool]] = {
        "level": (PETITION_LEVELS, False),
        "form": (PETITION_FORMS, False),
    }
    persons = data["persons"].to_numpy(dtype=float, na_value=np.nan)
    frame = _aggregate(keys, times, {"batches": None, "persons": persons}, freq, start, end, grids)
    frame["persons"] = np.round(frame["persons"]).astype(np.int64)
    cov = coverage_for(coverage, petitions, table="petitions", call="petition_counts()")
    return apply_coverage(frame, cov, freq, True, {None: None}, table="petitions")


def dispute_summary(
    disputes: pd.DataFrame,
    start: Any,
    end: Any,
    by: Iterable[str] = ("area_code",),
    as_of: Any = None,
    coverage: Any = None,
) -> pd.DataFrame:
    """Disputes found and resolved (矛盾纠纷排查化解), resolution rate and backlog per key.

    Where the disputes' coverage does not hold the whole window the figures are NaN (no data,
    not zero); ``covered`` says which, ``coverage`` where the coverage came from.

    Parameters
    ----------
    disputes : DataFrame
        Canonical disputes (``found_on``, ``resolved_on`` nullable, ``area_code``, ``kind``).
    start, end : date-like
        Inclusive window of ``found_on``.
    by : iterable of str
        Keys (``()`` for the district).
    as_of : date-like, optional
        Status date, default ``end``. A dispute counts as resolved when ``resolved_on <= as_of``.
    coverage : Coverage, Store or None
        What the disputes' sources cover (``st.coverage()`` or ``st``); ``None``: inferred from
        the records with a :class:`zzanalytics.CoverageWarning` (see :func:`counts`).

    Returns
    -------
    DataFrame
        ``[*by, found, resolved, resolution_rate, backlog, median_days_to_resolve]``:
        ``found`` = found in the window; ``resolved`` = of those, resolved by ``as_of``;
        ``resolution_rate`` = resolved / found (NaN when nothing was found);
        ``backlog`` = found on or before ``as_of`` (any time) and still open at ``as_of``;
        ``median_days_to_resolve`` over the window's resolved disputes (NaN when none);
        then ``covered`` and ``coverage``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"found_on": pd.to_datetime(["2026-01-02", "2026-01-10", "2025-12-01"]),
    ...                   "resolved_on": pd.to_datetime(["2026-01-05", None, None]),
    ...                   "area_code": ["a", "a", "a"], "kind": ["land"] * 3})
    >>> from zzanalytics import Coverage
    >>> dispute_summary(d, "2026-01-01", "2026-01-31", coverage=Coverage.complete()).iloc[:, :6]
      area_code  found  resolved  resolution_rate  backlog  median_days_to_resolve
    0         a      2         1              0.5        2                     3.0
    """
    by = list(by)
    check_columns(disputes.columns, ["found_on", "resolved_on", *by], "dispute_summary(disputes)")
    lo, hi = _as_day(start, "start"), _as_day(end, "end")
    if lo is None or hi is None:
        raise SchemaError("dispute_summary needs both start and end dates, e.g. '2026-01-01', '2026-06-30'")
    ref = _as_day(as_of, "as_of") if as_of is not None else hi
    found_on = wall_time(disputes["found_on"], what="found_on").to_numpy()
    resolved_on = wall_time(disputes["resolved_on"], what="resolved_on").to_numpy()
    in_window = (found_on >= lo) & (found_on < hi + _DAY)
    done = ~np.isnat(resolved_on) & (resolved_on < ref + _DAY)
    open_backlog = (found_on < ref + _DAY) & ~done
    days = (resolved_on - found_on) / _DAY
    work = pd.DataFrame(
        {
            "found": in_window.astype(np.int64),
            "resolved": (in_window & done).astype(np.int64),
            "backlog": open_backlog.astype(np.int64),
            "days": np.where(in_window & done, days, np.nan),
        }
    )
    for name in by:
        work[name] = disputes[name].to_numpy()
    if by:
        g = work.groupby(by, sort=True, dropna=False)
        out = g[["found", "resolved", "backlog"]].sum()
        out["median_days_to_resolve"] = g["days"].median()
        out = out.reset_index()
    else:
        out = pd.DataFrame(
            {
                "found": [int(work["found"].sum())],
                "resolved": [int(work["resolved"].sum())],
                "backlog": [int(work["backlog"].sum())],
                "median_days_to_resolve": [work["days"].median()],
            }
        )
    found = out["found"].to_numpy(dtype=float)
    out["resolution_rate"] = np.divide(
        out["resolved"].to_numpy(dtype=float), found, out=np.full_like(found, np.nan), where=found > 0
    )
    out = out[[*by, "found", "resolved", "resolution_rate", "backlog", "median_days_to_resolve"]]
    cov = coverage_for(coverage, disputes, table="disputes", call="dispute_summary()")
    ok = cov.covers(pd.Timestamp(lo), pd.Timestamp(hi), table="disputes")
    if not ok:  # no data for the window: nothing found is not zero found
        for c in ("found", "resolved", "resolution_rate", "backlog", "median_days_to_resolve"):
            out[c] = np.nan
    return out.assign(covered=ok, coverage=cov.basis)


def peer_rank(
    peers: pd.DataFrame,
    county: str,
    metric: str,
    period: str,
    scope: str | None = None,
    ascending: bool = False,
) -> dict[str, Any]:
    """Rank of ``county`` among its peers on one metric and period (在全省X个县市排第X位).

    Direction: with ``ascending=False`` (default) rank 1 is the county with the **largest**
    value — for a count of irregular petitions, rank 1 is the worst. Pass ``ascending=True``
    for metrics where less is worse (e.g. a resolution rate). Ties share the best rank
    (``method="min"``).

    Parameters
    ----------
    peers : DataFrame
        Canonical peers table (``county``, ``scope``, ``period``, ``metric``, ``value``).
    county, metric, period : str
        Which row to rank.
    scope : str, optional
        ``"province"`` or ``"city"``; ``None`` ranks all rows of the metric and period.
    ascending : bool
        See above.

    Returns
    -------
    dict
        ``county, metric, period, scope, rank, n, value``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"county": ["A", "B", "C"], "scope": "province", "period": "2026Q1",
    ...                   "metric": "petitions.irregular", "value": [5.0, 9.0, 5.0]})
    >>> r = peer_rank(p, "A", "petitions.irregular", "2026Q1")
    >>> r["rank"], r["n"], r["value"]
    (2, 3, 5.0)
    """
    check_columns(peers.columns, ["county", "period", "metric", "value"], "peer_rank(peers)")
    sel = (peers["metric"] == metric) & (peers["period"].astype(str) == str(period))
    if scope is not None:
        check_columns(peers.columns, ["scope"], "peer_rank(scope=...)")
        sel &= peers["scope"] == scope
    rows = peers[sel]
    if rows.empty:
        raise SchemaError(
            f"peers has no rows for metric={metric!r}, period={period!r}, scope={scope!r}; "
            f"metrics present: {sorted(peers['metric'].astype(str).unique())}, "
            f"periods: {sorted(peers['period'].astype(str).unique())}"
        )
    mine = rows[rows["county"] == county]
    if mine.empty:
        raise SchemaError(
            f"county {county!r} is not among the peers for {metric!r} {period!r}; "
            f"counties present: {sorted(rows['county'].astype(str).unique())}"
        )
    ranks = rows["value"].astype(float).rank(method="min", ascending=ascending)
    return {
        "county": county,
        "metric": metric,
        "period": str(period),
        "scope": scope,
        "rank": int(ranks.loc[mine.index[0]]),
        "n": len(rows),
        "value": float(mine["value"].iloc[0]),
    }
