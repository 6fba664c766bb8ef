"""Coverage spans of a store (what each source covers) and the clock migration of older stores.

Kept apart from :mod:`.core`, which holds the store itself; see
:meth:`zzanalytics.store.Store.coverage` for what coverage means.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics import clock
from zzanalytics.errors import SchemaError
from zzanalytics.schema import TABLES
from zzanalytics.sql import ident, literal

__all__ = [
    "DATE_COLUMNS",
    "DENSE_SHARE",
    "TAIL_SHARE",
    "claim_timezone",
    "clip_spans",
    "coverage_lines",
    "covered",
    "dense_span",
    "hole_days",
    "merge_spans",
    "migrate_timestamps",
    "month_end",
    "own_category_lines",
    "read_coverage",
    "record_runs",
    "slack_days",
    "span_records",
]


def read_coverage(con: Any, table: str | None = None, by_file: bool = False) -> pd.DataFrame:
    """The ``coverage`` table of a store connection, merged per table and category unless ``by_file``
    (see :meth:`zzanalytics.store.Store.coverage`).

    Each ingested file covers the span declared in its mapping (``[source] coverage``) or, without
    one, the span of its records, for every category it holds (tables other than incidents have
    ``category`` None). Spans of several files of a table and category are merged where they
    touch or overlap; a gap between them stays uncovered. ``table`` keeps one table
    (``incidents``, ``petitions``, ``disputes``); ``by_file`` gives one row per file and category
    with ``source_file``, ``declared``, ``data_first``, ``data_last``, ``rows``, ``slack`` and, None
    or 0 in a store that predates them, ``source``, ``outside`` and ``basis``.

    ``slack`` (days) is how far a span taken from the records may fall short of what the export
    really covers: a sparse source's first and last records lie a few days inside it by chance.
    It is the longest run of days without a record that the source's own rate makes likely
    (probability 5 %, ``3 / records per day``, at most 31; 0 when declared). A period or range
    counts as wholly covered when it lies within the span widened by its slack; records are
    still only where the span is.
    """
    where, params = "", []
    if table is not None:
        where, params = 'WHERE "table" = ?', [table]
    cols = ["source_file", "table", "category", "first", "last", "declared", "data_first", "data_last"]
    cols += ["rows", "slack", "source_path", "source", "outside", "basis"]
    text = {"source_file", "table", "category", "source_path", "source", "basis"}
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'coverage' "
            "AND database_name = current_database() AND schema_name = 'main'"
        ).fetchall()
    }
    if have:
        select = ", ".join(
            ident(c) if c in have else (f"NULL::VARCHAR AS {ident(c)}" if c in text else f"0 AS {ident(c)}")
            for c in cols
        )
        raw = con.execute(
            f'SELECT {select} FROM coverage {where} ORDER BY "table", category, "first", source_file',
            params,
        ).df()
    else:  # a store of format 4 or older, opened read-only: nothing recorded
        raw = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    for c in ("first", "last", "data_first", "data_last"):
        raw[c] = pd.to_datetime(raw[c]).astype("datetime64[ns]")
    raw["category"] = raw["category"].astype(object).where(raw["category"].notna(), None)
    for c in ("slack", "outside", "rows"):
        raw[c] = pd.to_numeric(raw[c]).fillna(0).astype(int)
    for c in ("source", "basis"):  # an older store records neither (issue 21 adds them)
        raw[c] = raw[c].astype(object).where(raw[c].notna(), None)
    if by_file:
        return raw
    return merge_spans(raw.rename(columns={"first": "start", "last": "end"}))


def claim_timezone(store: Any, tz: str | None, source: str) -> str:
    """Fix a store's zone on first use; return it.

    A store without a recorded zone takes ``tz`` (or :data:`~zzanalytics.clock.DEFAULT_TZ` when
    ``tz`` is None). A store that has one keeps it; asking for another one explicitly (``source``
    ``"--timezone"``) is an error, since every stored day is cut on it.
    """
    from zzanalytics.errors import StoreError

    rows = store.con.execute("SELECT value FROM _meta WHERE key = 'timezone'").fetchall()
    if rows:
        have = rows[0][0]
        if tz is not None and source == "--timezone" and clock.check_tz(tz) != have:
            raise StoreError(
                f"--timezone {tz}: the store {store.path} keeps its days in {have}, recorded when it was "
                "created; a store has one clock. Drop --timezone (the mapping's timezone says how to "
                "read the file's times), or build a new store"
            )
        return have
    zone = clock.check_tz(tz) if tz else clock.DEFAULT_TZ
    store.set_meta(timezone=zone)
    return zone


def coverage_lines(cov: pd.DataFrame) -> list[str]:
    """Lines of :meth:`~zzanalytics.store.Store.summary` on coverage: one per span, with its categories.

    Examples
    --------
    >>> day = pd.to_datetime
    >>> cov = pd.DataFrame({"table": "incidents", "category": ["assault", "theft.other"],
    ...                     "start": day(["2014-01-01"] * 2), "end": day(["2021-12-31"] * 2)})
    >>> coverage_lines(cov)[1]
    '    incidents  2014-01-01 to 2021-12-31: assault, theft.other'
    """
    if len(cov) == 0:
        return []
    out = ["  coverage (outside it a category has no data, which is not zero):"]
    groups: dict[tuple[str, str], list[str]] = {}
    for (table, cat), g in cov.groupby(["table", cov["category"].fillna("")], sort=True):
        pairs = zip(g["start"], g["end"], strict=True)
        spans = ", ".join(f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in pairs)
        groups.setdefault((table, spans), []).append(cat or "(all)")
    for (table, spans), cats in groups.items():  # categories of one source share a line
        out.append(f"    {table:<10} {spans}: {', '.join(cats)}")
    return out


def merge_spans(spans: pd.DataFrame) -> pd.DataFrame:
    """Merge ``start``/``end`` day spans per ``table`` and ``category`` where they touch or overlap
    (``slack``, when present, is the largest of the merged spans').

    Examples
    --------
    >>> s = pd.DataFrame({"table": "incidents", "category": "fire",
    ...                   "start": pd.to_datetime(["2020-01-01", "2021-01-01", "2023-01-01"]),
    ...                   "end": pd.to_datetime(["2020-12-31", "2021-06-30", "2023-12-31"])})
    >>> merge_spans(s)[["start", "end"]].astype(str).values.tolist()
    [['2020-01-01', '2021-06-30'], ['2023-01-01', '2023-12-31']]
    """
    out = []
    day = pd.Timedelta(days=1)
    keys = spans[["table", "category"]].astype(object).where(spans[["table", "category"]].notna(), None)
    spans = spans.assign(table=keys["table"], category=keys["category"])
    if "slack" not in spans.columns:
        spans = spans.assign(slack=0)
    for (table, cat), g in spans.groupby(["table", "category"], dropna=False, sort=True):
        cur = None
        for a, b, k in g.sort_values("start")[["start", "end", "slack"]].itertuples(index=False):
            if pd.isna(a) or pd.isna(b):
                continue
            if cur is not None and a <= cur[1] + day:
                cur[1], cur[2] = max(cur[1], b), max(cur[2], int(k))
                continue
            if cur is not None:
                out.append((table, cat, *cur))
            cur = [a, b, int(k)]
        if cur is not None:
            out.append((table, cat, *cur))
    frame = pd.DataFrame(out, columns=["table", "category", "start", "end", "slack"])
    frame["category"] = frame["category"].astype(object).where(frame["category"].notna(), None)
    for c in ("start", "end"):
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
    return frame


def span_records(spans: pd.DataFrame) -> tuple[tuple[Any, ...], ...]:
    """Coverage spans as a tuple of ``(table, category, start, end, slack)`` records.

    The form a frame carries in ``attrs["coverage"]``: pandas compares attrs when it
    concatenates frames, which a DataFrame cannot be.

    Examples
    --------
    >>> s = pd.DataFrame({"table": ["incidents"], "category": ["fire"],
    ...                   "start": pd.to_datetime(["2020-01-01"]), "end": pd.to_datetime(["2020-12-31"])})
    >>> span_records(s)[0][:2]
    ('incidents', 'fire')
    """
    slack = spans["slack"] if "slack" in spans.columns else pd.Series(0, index=spans.index)
    cols = (spans["table"], spans["category"], spans["start"], spans["end"], slack)
    return tuple(
        (t, c, pd.Timestamp(a), pd.Timestamp(b), int(k)) for t, c, a, b, k in zip(*cols, strict=True)
    )


def clip_spans(spans: pd.DataFrame, start: Any = None, end: Any = None) -> pd.DataFrame:
    """Coverage spans cut to the days ``start``..``end`` (what a frame loaded for them covers).

    Examples
    --------
    >>> s = pd.DataFrame({"table": "incidents", "category": "fire",
    ...                   "start": pd.to_datetime(["2020-01-01"]), "end": pd.to_datetime(["2020-12-31"])})
    >>> clip_spans(s, end="2020-06-30")["end"].astype(str).tolist()
    ['2020-06-30']
    """
    out = spans.copy()
    if start is not None:
        out["start"] = out["start"].clip(lower=clock.wall_day(start, what="start"))
    if end is not None:
        out["end"] = out["end"].clip(upper=clock.wall_day(end, what="end"))
    return out[out["start"] <= out["end"]].reset_index(drop=True)


def _naive_timestamps(con: Any) -> list[tuple[str, str]]:
    """(table, column) of timestamp columns a store of format 4 or older keeps as naive wall time."""
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND data_type = 'TIMESTAMP'"
    ).fetchall()
    wanted = {(t.name, c.name) for t in TABLES.values() for c in t.columns if c.dtype == "timestamp"}
    return [(t, c) for t, c in rows if (t, c) in wanted]


def migrate_timestamps(con: Any) -> None:
    """Upgrade an older store in place: naive wall-time timestamps become instants of its zone."""
    old = _naive_timestamps(con)
    if not old:
        return
    rows = con.execute("SELECT value FROM _meta WHERE key = 'timezone'").fetchall()
    tz = rows[0][0] if rows else clock.DEFAULT_TZ
    con.execute("BEGIN TRANSACTION")
    try:
        for table, col in old:
            con.execute(
                f"ALTER TABLE {ident(table)} ALTER {ident(col)} TYPE TIMESTAMPTZ "
                f"USING timezone({literal(tz)}, {ident(col)})"
            )
        if not rows:
            con.execute("INSERT INTO _meta VALUES ('timezone', ?)", [tz])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


# ------------------------------------------------------------------ the rules of a span from records

DENSE_SHARE = 0.25
"""A month at an edge of a file's records belongs to its span when it holds at least this share of
a full month (the file's 90th percentile of monthly counts)."""

TAIL_SHARE = 0.05
"""At most this share of a file's records is left outside its span as a sparse tail."""


def slack_days(records: int, days: int) -> int:
    """Days a span taken from records may fall short of the export's real span at either end.

    The longest run of days without a record that the source's own rate (``records / days``)
    leaves 5 % likely: ``floor(3 / rate)`` (``exp(-3) ≈ 0.05``), at most 31. Shared by ingest
    (what a file covers) and :meth:`zzanalytics.store.coverage.Coverage.infer` (what a frame does).

    Examples
    --------
    >>> slack_days(20_000, 365), slack_days(300, 365), slack_days(5, 365)
    (0, 3, 31)
    """
    if records <= 0 or days <= 0:
        return 0
    return int(min(31, 3.0 * days / records))


def hole_days(records: int, days: int) -> int:
    """Days without a record that make a hole in records rather than a quiet spell (at least 7).

    Among ``records`` gaps at the records' own rate the longest is about ``ln(records) / rate``
    days; a run twice as long as ``(ln(records) + 3) / rate`` is left for chance well under 5 % of
    the time even for overdispersed counts. A frame cut in time, or two frames concatenated
    around a missing year, show such a hole.

    Examples
    --------
    >>> hole_days(50_000, 3_650), hole_days(2_000, 3_650), hole_days(3, 3_650) > 3_650
    (7, 39, True)
    """
    if records <= 0 or days <= 0:
        return 7
    return max(7, math.ceil(2.0 * (math.log(records) + 3.0) * days / records))


def dense_span(months: list[tuple[dt.date, int]]) -> tuple[int, int]:
    """Indices of the first and last month of the span a file's records cover, sparse tails cut.

    An export by *report* date carries a thin tail of events that happened years earlier (a few a
    month against thousands): taken at face value, the span would start in the tail and every
    period there would show a count far too small. Leading and trailing months holding under
    :data:`DENSE_SHARE` of a full month are left out, as long as they hold at most
    :data:`TAIL_SHARE` of the records; a sparse source (every month thin) keeps its whole span.

    Parameters
    ----------
    months : list of (date, int)
        Months with records, in order, and their counts.

    Examples
    --------
    >>> tail = [(dt.date(2013, k, 1), 3) for k in range(1, 13)]
    >>> dense_span(tail + [(dt.date(2014, k, 1), 900) for k in range(1, 13)])
    (12, 23)
    >>> dense_span([(dt.date(2014, k, 1), n) for k, n in enumerate([1, 0, 2, 1, 3, 1], start=1)])
    (0, 5)
    """
    n = len(months)
    if n < 3:
        return 0, n - 1
    counts = [c for _, c in months]
    full = sorted(counts)[int(0.9 * (n - 1))]
    total = sum(counts)
    dense = [i for i, c in enumerate(counts) if c >= DENSE_SHARE * full]
    lo, hi = dense[0], dense[-1]
    if sum(counts[:lo]) + sum(counts[hi + 1 :]) > TAIL_SHARE * total:
        return 0, n - 1
    return lo, hi


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``'s month.

    Examples
    --------
    >>> month_end(dt.date(2024, 2, 1))
    datetime.date(2024, 2, 29)
    """
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def record_runs(days: np.ndarray, hole: int | None = None) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Runs of days with records, split where more than ``hole`` days lie between two records.

    ``days``: the records' days (naive ``datetime64``, any order, NaT ignored); each run is the
    (first, last) day of its records. ``hole`` defaults to :func:`hole_days` of the records over
    their own extent.

    Examples
    --------
    >>> d = pd.to_datetime(["2024-01-01"] * 50 + ["2024-12-31"] * 50).to_numpy()
    >>> [(str(a.date()), str(b.date())) for a, b in record_runs(d)]
    [('2024-01-01', '2024-01-01'), ('2024-12-31', '2024-12-31')]
    """
    d = np.asarray(days, dtype="datetime64[D]")
    d = d[~np.isnat(d)]
    if d.size == 0:
        return []
    lo = d.min()
    idx = (d - lo).astype(np.int64)
    seen = np.flatnonzero(np.bincount(idx))
    hole = hole_days(int(d.size), int(seen[-1]) + 1) if hole is None else hole
    cuts = np.flatnonzero(np.diff(seen) > hole)
    starts = np.concatenate([[seen[0]], seen[cuts + 1]])
    ends = np.concatenate([seen[cuts], [seen[-1]]])
    base = pd.Timestamp(lo)
    return [
        (base + pd.Timedelta(days=int(a)), base + pd.Timedelta(days=int(b)))
        for a, b in zip(starts, ends, strict=True)
    ]


# ------------------------------------------------------------------ spans of Coverage (store.coverage)

_DAY = pd.Timedelta(days=1)
_FREQ_END = {
    "day": lambda p: p,
    "week": lambda p: p + pd.Timedelta(days=6),
    "month": lambda p: p + pd.offsets.MonthEnd(0),
    "quarter": lambda p: p + pd.offsets.QuarterEnd(0),
    "year": lambda p: p + pd.offsets.YearEnd(0),
}

DATE_COLUMNS = {"incidents": "occurred_at", "petitions": "received_on", "disputes": "found_on"}
"""The column whose days a table's coverage is about."""


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
        short of the real one.
    partial : bool
        ``True``: a period that overlaps a span is covered; ``False``: only a period that lies
        wholly inside one span widened by its slack (an incomplete first or last period is
        left out).

    Examples
    --------
    >>> months = pd.to_datetime(["2021-11-01", "2021-12-01", "2022-01-01"])
    >>> covered(months, "month", [("2014-01-01", "2021-12-15")]).tolist()
    [True, True, False]
    >>> covered(months, "month", [("2014-01-01", "2021-12-15")], partial=False).tolist()
    [True, False, False]
    """
    if freq not in _FREQ_END:
        raise SchemaError(f"freq was {freq!r} but is expected to be one of {list(_FREQ_END)}")
    p = pd.DatetimeIndex(pd.to_datetime(np.asarray(periods, dtype="datetime64[ns]")))
    ends = np.asarray(_FREQ_END[freq](p), dtype="datetime64[ns]") if len(p) else p.to_numpy()
    p = p.to_numpy()
    out = np.zeros(p.shape, dtype=bool)
    for a, b, k in _triples(spans):
        lo = np.datetime64(pd.Timestamp(a).normalize().to_datetime64(), "ns")
        hi = np.datetime64(pd.Timestamp(b).normalize().to_datetime64(), "ns")
        if partial:
            out |= (p <= hi) & (ends >= lo)
        else:
            pad = np.timedelta64(int(k), "D")
            out |= (p >= lo - pad) & (ends <= hi + pad)
    return out


def _triples(spans: Any) -> list[tuple[Any, Any, int]]:
    """(start, end, slack) of each span of a frame or an iterable of pairs / triples."""
    if isinstance(spans, pd.DataFrame):
        slack = spans["slack"] if "slack" in spans.columns else pd.Series(0, index=spans.index)
        return list(zip(spans["start"], spans["end"], slack.fillna(0).astype(int), strict=True))
    return [(s[0], s[1], int(s[2]) if len(s) > 2 else 0) for s in spans]


def _merge(intervals: Iterable[tuple[Any, Any, int]]) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """Intervals (start, end, slack) merged where they touch or overlap (largest slack kept)."""
    out: list[list[Any]] = []
    for a, b, k in sorted((pd.Timestamp(a), pd.Timestamp(b), int(k)) for a, b, k in intervals):
        if out and a <= out[-1][1] + _DAY:
            out[-1][1], out[-1][2] = max(out[-1][1], b), max(out[-1][2], k)
        else:
            out.append([a, b, k])
    return [(a, b, k) for a, b, k in out]


def _intersect(a: list[tuple[Any, Any, int]], b: list[tuple[Any, Any, int]]) -> list[tuple[Any, Any, int]]:
    """Days both interval lists cover (slack: the smaller of the two)."""
    out = []
    for s1, e1, k1 in a:
        for s2, e2, k2 in b:
            lo, hi = max(s1, s2), min(e1, e2)
            if lo <= hi:
                out.append((lo, hi, min(k1, k2)))
    return _merge(out)


def _spans_from_days(
    days: pd.Series, table: str, category: Any, source: Any, what: str
) -> list[dict[str, Any]]:
    """Spans of one category's record days: the dense span (sparse tails cut, as ingest does),
    split at holes, each with the slack of its records."""
    d = days.dropna()
    if d.empty:
        return []
    months = d.dt.to_period("M").value_counts().sort_index()
    pairs = [(p.start_time.date(), int(n)) for p, n in months.items()]
    lo, hi = dense_span(pairs)
    first = d.min() if lo == 0 else pd.Timestamp(pairs[lo][0])
    last = d.max() if hi == len(pairs) - 1 else pd.Timestamp(month_end(pairs[hi][0]))
    kept = d[(d >= first) & (d <= last)]
    out = []
    runs = record_runs(kept.to_numpy())
    tail = len(d) - len(kept)
    for a, b in runs:
        n = int(((kept >= a) & (kept <= b)).sum())
        note = f"inferred from {what} (dense span of {n:,} records"
        note += f"; {tail:,} outside it as a sparse tail)" if tail else ")"
        if len(runs) > 1:
            note += "; runs without records that chance does not explain are gaps"
        row = {"table": table, "category": category, "source": source, "start": a, "end": b}
        row |= {"slack": slack_days(n, (b - a).days + 1), "declared": False, "rows": n, "outside": 0}
        out.append(row | {"basis": note})
    if out:
        out[0]["outside"] = tail
    return out


def _unrecorded(store: Any, con: Any, files: pd.DataFrame, table: str | None) -> list[dict[str, Any]]:
    """Inferred spans of the categories a store holds records of but records no coverage for."""
    tz = literal(getattr(store, "timezone", "UTC"))
    types = dict(
        con.execute(
            "SELECT table_name || '.' || column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND database_name = current_database()"
        ).fetchall()
    )
    rows: list[dict[str, Any]] = []
    for t, col in DATE_COLUMNS.items():
        kind = types.get(f"{t}.{col}")
        if kind is None or (table is not None and t != table):
            continue
        day = (
            f"CAST(timezone({tz}, {ident(col)}) AS DATE)"
            if "TIME ZONE" in kind
            else f"CAST({ident(col)} AS DATE)"
        )
        cat = "category" if t == "incidents" else "CAST(NULL AS VARCHAR)"
        have = files.loc[files["table"] == t, "category"]
        known = {str(c) for c in have.dropna()} | ({None} if have.isna().any() else set())
        if t != "incidents" and len(have):
            continue
        got = con.execute(
            f"SELECT {cat} AS c, {day} AS d, count(*) AS n FROM {ident(t)} WHERE {ident(col)} IS NOT NULL "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ).df()
        for c, g in got.groupby(got["c"].astype(object).fillna(""), sort=True):
            c = c or None
            if (t == "incidents" and c in known) or (t == "incidents" and c is None):
                continue
            days = pd.Series(np.repeat(pd.to_datetime(g["d"]).to_numpy(dtype="datetime64[ns]"), g["n"]))
            rows += _spans_from_days(days, t, c, None, "the store's records: it records no coverage for them")
    return rows


def own_category_lines(con: Any) -> list[str]:
    """Lines of :meth:`Store.summary` on the sources' own categories (``traffic.serious``, ``other.x``):
    each with its parent, in whose totals it counts, and its records."""
    from zzanalytics.schema import is_own, parent

    rows = con.execute("SELECT category, count(*) FROM incidents GROUP BY 1 ORDER BY 1").fetchall()
    own = [(c, n) for c, n in rows if c is not None and is_own(c)]
    if not own:
        return []
    out = ["  categories of the sources' own (each counts in every total of its parent):"]
    out += [f"    {c:<32} under {parent(c):<16} {n:>10,}" for c, n in own]
    return out
