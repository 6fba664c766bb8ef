"""Selections and comparisons the sections share: the briefing's rows of a frame, a category's
records, the days of a period, and a comparison with the same period last year that knows what
the data cover.

Examples
--------
>>> frame = pd.DataFrame({"category": ["theft.burglary", "traffic", "fraud.telecom"]})
>>> criminal(frame)["category"].tolist(), with_prefix(frame, "traffic")["category"].tolist()
(['theft.burglary', 'fraud.telecom'], ['traffic'])
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.clock import wall_time
from zzanalytics.report import text as tx
from zzanalytics.report.briefing.context import Context
from zzanalytics.report.phrases import COMMON
from zzanalytics.schema import is_criminal, matches

# ------------------------------------------------------------------ selections


def local(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the briefing's area (all rows for the district, those without a township included).

    Examples
    --------
    >>> ctx = Context.empty()
    >>> ctx.area = "a"
    >>> len(local(ctx, pd.DataFrame({"area_code": ["a", "b", "a"]})))
    2
    """
    if ctx.area is None or "area_code" not in frame.columns:
        return frame
    return frame[frame["area_code"].astype(str) == ctx.area]


def criminal(frame: pd.DataFrame) -> pd.DataFrame:
    """Criminal cases (刑事案件) of an incidents frame.

    Examples
    --------
    >>> frame = pd.DataFrame({"category": ["theft.burglary", "traffic", "fraud.telecom"]})
    >>> criminal(frame)["category"].tolist()
    ['theft.burglary', 'fraud.telecom']
    """
    return _keep(frame, is_criminal)


def with_prefix(frame: pd.DataFrame, prefix: str | tuple[str, ...]) -> pd.DataFrame:
    """Incidents whose category is ``prefix`` (or one of several) or below it.

    Examples
    --------
    >>> frame = pd.DataFrame({"category": ["theft.burglary", "theft", "traffic"]})
    >>> with_prefix(frame, "theft")["category"].tolist(), len(with_prefix(frame, ("theft", "traffic")))
    (['theft.burglary', 'theft'], 3)
    """
    wanted = (prefix,) if isinstance(prefix, str) else tuple(prefix)
    return _keep(frame, lambda code: any(matches(code, p) for p in wanted))


def _keep(frame: pd.DataFrame, test: Any) -> pd.DataFrame:
    if "category" not in frame.columns:
        return frame.iloc[0:0]
    codes, uniques = pd.factorize(frame["category"])
    keep = np.array([test(str(u)) for u in uniques] + [False])[codes]
    return frame[keep]


def within(frame: pd.DataFrame, col: str, start: Any, end: Any) -> pd.DataFrame:
    """Rows whose ``col`` (wall time) falls on a day from ``start`` to ``end`` inclusive.

    Examples
    --------
    >>> d = pd.DataFrame({"on": pd.to_datetime(["2025-12-31 23:00", "2026-01-01 08:00", "2026-06-30 23:59"])})
    >>> len(within(d, "on", "2026-01-01", "2026-06-30"))
    2
    """
    if col not in frame.columns:
        return frame.iloc[0:0]
    d = wall_time(frame[col], what=col)
    return frame[(d >= pd.Timestamp(start)) & (d < pd.Timestamp(end) + pd.Timedelta(days=1))]


def area_polygons(ctx: Context) -> Any:
    """The briefing area's polygons (every township for the district; None without polygons).

    Examples
    --------
    >>> area_polygons(Context.empty()) is None
    True
    """
    if ctx.areas is None or len(ctx.areas) == 0:
        return None
    if ctx.area is None:
        return ctx.areas
    return ctx.areas[ctx.areas["area_code"].astype(str) == ctx.area]


def located(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with a point (``lon`` and ``lat``).

    Examples
    --------
    >>> len(located(pd.DataFrame({"lon": [103.8, None], "lat": [36.0, 36.1]})))
    1
    """
    if "lon" not in frame.columns or "lat" not in frame.columns:
        return frame.iloc[0:0]
    return frame[frame["lon"].notna() & frame["lat"].notna()]


def total(frame: pd.DataFrame, col: str) -> float:
    """Sum of a numeric column (0 when the column is absent).

    Examples
    --------
    >>> total(pd.DataFrame({"deaths": [1, None, 2]}), "deaths"), total(pd.DataFrame(), "deaths")
    (3.0, 0.0)
    """
    return float(pd.to_numeric(frame[col], errors="coerce").fillna(0).sum()) if col in frame.columns else 0.0


def recorded(frame: pd.DataFrame, col: str) -> bool:
    """Whether a source records this column at all (any value in ``frame``): a traffic export
    without a deaths column has no data on deaths, not 0 deaths.

    Examples
    --------
    >>> recorded(pd.DataFrame({"deaths": [None, None]}), "deaths")
    False
    """
    return col in frame.columns and bool(frame[col].notna().any())


def unassigned(frame: pd.DataFrame) -> int:
    """Records without a township (they count in the district, in no township).

    Examples
    --------
    >>> unassigned(pd.DataFrame({"area_code": ["a", None, ""]}))
    2
    """
    if "area_code" not in frame.columns:
        return len(frame)
    codes = frame["area_code"]
    return int((codes.isna() | (codes.astype(str).str.strip() == "")).sum())


# ------------------------------------------------------------------ what the data cover


def compare(ctx: Context, frame: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """:func:`zzanalytics.compare_periods` of the briefing period with the same period last year,
    on the coverage the briefing trusts (a period it does not cover is no data, never zero).

    Examples
    --------
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> compare(ctx, criminal(ctx.incidents))[["current", "baseline", "significant"]]  # doctest: +SKIP
    """
    from zzanalytics.models.compare import compare_periods

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare_periods(frame, ctx.start, ctx.end, baseline="last_year", coverage=ctx.cov, **kwargs)


NO_DATA = {"current": np.nan, "baseline": np.nan, "significant": False, "direction": "no_data"}
"""The comparison of a category no source of the store holds: unknown, not zero."""


def row(ctx: Context, result: pd.DataFrame, table: str = "incidents", **match: Any) -> dict[str, Any]:
    """The comparison row matching ``match`` as a dict.

    An absent row (no record in either period) is a zero where the data cover the period, and no
    data where they do not; a category no source holds has no data in either period. A key the
    result has no column for (a comparison made without ``by``) only names what the row is about.

    Examples
    --------
    >>> result = pd.DataFrame({"category": ["theft"], "current": [5], "baseline": [4]})
    >>> row(Context.empty(), result, category="fraud")["current"]
    0
    >>> row(Context.empty(), result, category="theft")["current"]
    5
    """
    sel = result
    for k, v in match.items():
        if k in sel.columns:  # a key the comparison was not made by names what it is about
            sel = sel[sel[k] == v]
    if not sel.empty:
        return sel.iloc[0].to_dict()
    cat = match.get("category") if table == "incidents" else None
    if table == "incidents" and isinstance(cat, str) and not ctx.holds(cat):
        return dict(NO_DATA)
    cur = 0 if ctx.covers(cat, table) else np.nan
    base = 0 if ctx.covers_baseline(cat, table) else np.nan
    missing = tx.is_missing(cur) or tx.is_missing(base)
    return {
        "current": cur,
        "baseline": base,
        "significant": False,
        "direction": "no_data" if missing else "flat",
    }


def change_table(ctx: Context, rows: list[tuple[str, dict[str, Any]]], unit: str = "起") -> pd.DataFrame:
    """Worded comparison table: item, this period, same period last year, change, test.

    A hidden ``_flag`` column marks significant rises (printed in the alert colour).

    Examples
    --------
    >>> r = {"current": 12, "baseline": 10, "significant": False}
    >>> change_table(Context.empty(), [("盗窃", r)]).iloc[0, :5].tolist()
    ['盗窃', '12起', '10起', '+20.0%', '正常波动']
    """
    out = []
    for label, r in rows:
        p = tx.pct_change(r["current"], r["baseline"])
        sig = bool(r.get("significant"))
        if np.isfinite(p):
            word = ctx.pct(p, signed=True)
            verdict = ctx.say(COMMON["test.significant" if sig else "test.normal"])
        elif tx.is_missing(r["current"]):
            word, verdict = ctx.say(COMMON["change.no_data"]), tx.MISSING
        elif tx.is_missing(r["baseline"]):
            word, verdict = ctx.say(COMMON["test.no_data"]), tx.MISSING
        else:
            word = ctx.say(COMMON["test.new"]) if r["baseline"] == 0 and r["current"] else tx.MISSING
            verdict = tx.MISSING
        out.append(
            {
                ctx.say(COMMON["col.item"]): label,
                ctx.say(COMMON["col.current"]): ctx.count(r["current"], unit),
                ctx.say(COMMON["col.baseline"]): ctx.count(r["baseline"], unit),
                ctx.say(COMMON["col.change"]): word,
                ctx.say(COMMON["col.test"]): verdict,
                "_flag": sig and np.isfinite(p) and p > 0,
            }
        )
    return pd.DataFrame(out)


def monthly(ctx: Context, frame: pd.DataFrame, value: str = "count") -> pd.DataFrame:
    """Monthly counts from January of last year to the period's end (for year-on-year charts);
    months the data do not cover are absent, never zero.

    Examples
    --------
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> monthly(ctx, criminal(ctx.incidents))["period"].min()  # doctest: +SKIP
    Timestamp('2025-01-01 00:00:00')
    """
    from zzanalytics.aggregate import counts

    first = pd.Timestamp(ctx.end.year - 1, 1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return counts(frame, freq="month", by=(), start=first, end=ctx.end, value=value, coverage=ctx.cov)
