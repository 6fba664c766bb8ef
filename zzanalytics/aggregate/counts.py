"""Counts per period x keys (:func:`counts`), rates per resident (:func:`rates`) and the worker task
over partition exports (:func:`partition_counts`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.aggregate.coverage import apply_coverage, category_groups
from zzanalytics.aggregate.engine import _aggregate, area_codes
from zzanalytics.aggregate.periods import _DAY, _as_day, _code_start, _period_code
from zzanalytics.clock import wall_time
from zzanalytics.errors import SchemaError
from zzanalytics.schema import TABLES, check_columns, rollup
from zzanalytics.store.coverage import coverage_for

VALUES: tuple[str, ...] = ("count", "deaths", "injuries", "loss_yuan")
"""Supported ``value`` columns of :func:`counts`."""

__all__ = ["VALUES", "complete_until", "counts", "key_columns", "model_counts", "partition_counts", "rates"]


def key_columns(frame: pd.DataFrame, by: list[str], level: int | None) -> pd.DataFrame:
    """The ``by`` columns of ``frame``, with ``category`` rolled up to ``level`` dotted parts.

    Examples
    --------
    >>> df = pd.DataFrame({"category": ["theft.burglary", "fraud.telecom"], "area_code": ["a", "b"]})
    >>> key_columns(df, ["category", "area_code"], 1)["category"].tolist()
    ['theft', 'fraud']
    """
    out = pd.DataFrame(index=frame.index)
    for name in by:
        col = frame[name]
        if name == "category" and level is not None:
            codes, uniques = pd.factorize(col)
            rolled = np.array([rollup(str(u), level) for u in uniques] + [None], dtype=object)
            col = pd.Series(rolled[codes], index=frame.index)
        out[name] = col
    return out


def counts(
    incidents: pd.DataFrame,
    freq: str = "month",
    by: Iterable[str] = ("category",),
    level: int | None = None,
    start: Any = None,
    end: Any = None,
    value: str = "count",
    areas: Any = None,
    categories: Iterable[str] | None = None,
    tz: str | None = None,
    coverage: Any = None,
    partial: bool = True,
) -> pd.DataFrame:
    """Incidents (or their deaths, injuries, losses) per period × keys, complete grid with zeros
    inside each category's coverage; periods outside it are absent (no data is not zero).

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents: ``occurred_at`` (tz-aware, or naive wall time), ``category``,
        ``area_code`` and, for ``value`` other than ``count``, that column.
    freq : {"day", "week", "month", "quarter", "year"}
        Period length. ``period`` is the first day (weeks: ISO, Monday).
    by : iterable of str
        Key columns, e.g. ``("category", "area_code")``; ``()`` gives one district series.
    level : int, optional
        Roll ``category`` up to this many dotted parts (``1``: ``theft.burglary`` → ``theft``).
    start, end : date-like, optional
        Inclusive first and last dates. Records outside are dropped and the period grid runs
        from the period containing ``start`` to the one containing ``end`` (default: the data's span).
    value : {"count", "deaths", "injuries", "loss_yuan"}
        ``count`` counts records; the others sum that column (missing values count as 0).
    areas : DataFrame with ``area_code``, or iterable of codes, optional
        Township codes that must appear in the grid (with zeros) when ``area_code`` is a key.
        Observed codes not listed are kept too, so no record is silently lost.
    categories : iterable of str, optional
        Category codes (after ``level`` roll-up) making up the grid; records of other categories
        are dropped (also when ``category`` is not a key). Default: every observed category.
    tz : str, optional
        Time zone whose wall clock cuts days and periods; default: the zone ``occurred_at``
        carries (a store's incidents carry the district's zone).
    coverage : Coverage, Store or None
        What the sources cover: ``st.coverage()`` or the store ``st`` itself
        (:class:`zzanalytics.Coverage`). A period a category's coverage does not reach is left
        out of its series; a rolled-up category, or the total when ``category`` is not a key, is
        covered where all the categories it is made of are; a category no source holds has no
        rows. ``None``: inferred from the records (:meth:`Coverage.infer
        <zzanalytics.Coverage.infer>`) with a :class:`zzanalytics.CoverageWarning`;
        ``Coverage.complete()``: absence is zero everywhere (the complete grid). The coverage
        is cut to the runs of days the records hold, so a frame cut in time has no zeros where
        it was cut.
    partial : bool
        ``True`` (default) keeps a period the coverage reaches in part (its count covers only
        part of it); ``False`` leaves it out too, as forecasts and backtests need.

    Returns
    -------
    DataFrame
        ``[*by, period, <value>]``, sorted by keys (natural order) then period. ``count``,
        ``deaths`` and ``injuries`` are int64, ``loss_yuan`` float64.

    Examples
    --------
    >>> import pandas as pd
    >>> inc = pd.DataFrame({"occurred_at": pd.to_datetime(["2025-12-31 23:30", "2026-01-05 08:00"]),
    ...                     "category": ["fire", "fire"], "area_code": ["a", "a"]})
    >>> from zzanalytics import Coverage
    >>> counts(inc, freq="week", by=(), coverage=Coverage.complete())
          period  count
    0 2025-12-29      1
    1 2026-01-05      1
    """
    by = list(by)
    if value not in VALUES:
        raise SchemaError(f"value was {value!r} but is expected to be one of {list(VALUES)}")
    needed = ["occurred_at", *by] + ([value] if value != "count" else [])
    check_columns(incidents.columns, needed, "counts(incidents)")
    cov = coverage_for(coverage, incidents, table="incidents", call="counts()", tz=tz)
    data = incidents
    if categories is not None and "category" not in by:
        check_columns(incidents.columns, ["category"], "counts(categories=...)")
        wanted = set(categories)
        codes, uniques = pd.factorize(incidents["category"])
        keep = np.array([rollup(str(u), level) in wanted for u in uniques] + [False])[codes]
        data = incidents[keep]
    times = wall_time(data["occurred_at"], tz, what="occurred_at").to_numpy()
    keys: dict[str, pd.Series] = dict(key_columns(data, list(by), level).items())
    grids: dict[str, tuple[Sequence[Any] | None, bool]] = {}
    if categories is not None and "category" in by:
        grids["category"] = (list(categories), True)
    if areas is not None and "area_code" in by:
        grids["area_code"] = (area_codes(areas), False)
    weights = None if value == "count" else data[value].to_numpy(dtype=float, na_value=np.nan)
    frame = _aggregate(keys, times, {value: weights}, freq, start, end, grids)
    if value in ("deaths", "injuries"):
        frame[value] = np.round(frame[value]).astype(np.int64)
    if cov.basis != "complete":
        observed = pd.unique(data["category"].dropna()) if "category" in data.columns else []
        grid = frame["category"].unique() if "category" in by else None
        groups = category_groups(observed, cov, grid, level, "category" in by)
        frame = apply_coverage(frame, cov, freq, partial, groups)
    return frame


def model_counts(
    incidents: pd.DataFrame,
    freq: str = "month",
    by: Iterable[str] = ("category",),
    level: int | None = None,
    coverage: Any = None,
) -> pd.DataFrame:
    """Counts of incidents for forecasts and backtests: complete periods inside the coverage only.

    Each series runs over the whole periods its sources cover (ragged series; inside coverage
    zeros are real, outside there is no row). ``coverage`` as in :func:`counts`
    (``Coverage.complete()``: the span of the records, less a last period they do not reach
    the end of).

    Examples
    --------
    >>> inc = pd.DataFrame({"occurred_at": pd.to_datetime(["2026-01-05", "2026-02-10", "2026-03-02"]),
    ...                     "category": "fire"})
    >>> from zzanalytics import Coverage
    >>> model_counts(inc, coverage=Coverage.complete())["period"].dt.month.tolist()  # March: 2 days
    [1, 2]
    """
    cov = coverage_for(coverage, incidents, table="incidents", call="model_counts()")
    if cov.basis != "complete":
        spans = cov.table("incidents").spans
        lo, hi = (spans["start"].min(), spans["end"].max()) if len(spans) else (None, None)
        kw = {"start": lo, "end": hi} if len(spans) else {}
        return counts(incidents, freq=freq, by=by, level=level, partial=False, coverage=cov, **kw)
    frame = counts(incidents, freq=freq, by=by, level=level, coverage=cov)
    if len(incidents):
        frame = complete_until(frame, wall_time(incidents["occurred_at"]).max(), freq, empty_ok=True)
    return frame


def complete_until(
    frame: pd.DataFrame, until: Any, freq: str = "month", empty_ok: bool = False
) -> pd.DataFrame:
    """The rows of a counts frame whose period ends on or before the day ``until``.

    Examples
    --------
    >>> c = pd.DataFrame({"period": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]), "count": 1})
    >>> complete_until(c, "2026-02-28")["period"].dt.month.tolist(), len(complete_until(c, "2026-02-27"))
    ([1, 2], 1)
    """
    day = _as_day(until, "until")
    code = _period_code(np.array([day]), freq)[0]
    first = _code_start(np.array([code]), freq)[0]
    whole = day >= _code_start(np.array([code + 1]), freq)[0] - _DAY
    periods = pd.to_datetime(frame["period"]).to_numpy(dtype="datetime64[ns]")
    out = frame[periods <= first] if whole else frame[periods < first]
    if out.empty and not empty_ok:
        raise SchemaError(
            f"until {str(day)[:10]}: no complete {freq} of counts up to that day; choose a later date"
        )
    return out


def rates(frame: pd.DataFrame, areas: Any, per: float = 10_000, value: str = "count") -> pd.DataFrame:
    """Add ``population`` and ``rate`` (``value`` per ``per`` residents).

    Parameters
    ----------
    frame : DataFrame
        A counts frame. With an ``area_code`` column each row gets its township's population;
        without it, the district's total population (sum over ``areas``).
    areas : DataFrame
        The areas table (``area_code``, ``population``); a GeoDataFrame is fine.
    per : float
        Rate base, 10,000 residents by default (每万人).
    value : str
        Column to divide.

    Returns
    -------
    DataFrame
        A copy with ``population`` (float, NaN when unknown) and ``rate``. ``rate`` is NaN only
        where the population is unknown or zero — never inf.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"area_code": ["a", "b"], "period": pd.to_datetime(["2026-01-01"] * 2),
    ...                   "count": [5, 3]})
    >>> rates(c, pd.DataFrame({"area_code": ["a"], "population": [25_000]}))[["area_code", "rate"]]
      area_code  rate
    0         a   2.0
    1         b   NaN
    """
    check_columns(frame.columns, [value], "rates(frame)")
    check_columns(areas.columns, ["area_code", "population"], "rates(areas)")
    pop = pd.to_numeric(areas["population"], errors="coerce").astype(float)
    pop = pop.where(pop > 0)
    out = frame.copy()
    if "area_code" in frame.columns:
        lookup = pd.Series(pop.to_numpy(), index=areas["area_code"].astype(str)).groupby(level=0).first()
        out["population"] = out["area_code"].astype(str).map(lookup).astype(float)
    else:
        total = float(pop.sum()) if pop.notna().any() else np.nan
        out["population"] = total
    out["rate"] = out[value].astype(float) / out["population"] * per
    return out


def partition_counts(task: dict[str, Any]) -> pd.DataFrame:
    """Worker task: read one filter's incidents from a partition export and count them.

    ``task`` holds ``root`` and optionally ``area_codes``, ``years``, ``freq`` (default
    month), ``by`` (default ``("category", "area_code")``), ``start``, ``end`` and
    ``categories`` and ``coverage`` (a :class:`zzanalytics.Coverage`, e.g. the store's; see
    :func:`counts`; ``area_codes`` also fixes the
    township grid). A task is a path and a filter: a few hundred bytes, whatever the data.

    Examples
    --------
    >>> from zzanalytics.execution import run_tasks  # doctest: +SKIP
    >>> tasks = [{"root": "/shared/zz/parts", "area_codes": codes} for codes in counties]  # doctest: +SKIP
    >>> parts = run_tasks(partition_counts, tasks, scheduler="tcp://10.0.0.5:8786")  # doctest: +SKIP
    """
    from zzanalytics.store.partitions import read_partitions

    by = tuple(task.get("by", ("category", "area_code")))
    cols = sorted({"occurred_at", *[b for b in by if b in TABLES["incidents"].names]})
    codes = task.get("area_codes")
    inc = read_partitions(task["root"], area_codes=codes, years=task.get("years"), columns=cols)
    return counts(
        inc,
        freq=task.get("freq", "month"),
        by=by,
        start=task.get("start"),
        end=task.get("end"),
        areas=list(codes) if codes is not None and "area_code" in by else None,
        categories=task.get("categories"),
        coverage=task.get("coverage"),
    )
