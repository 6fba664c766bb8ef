"""Coverage spans of a store (what each source covers) and the clock migration of older stores.

Kept apart from :mod:`.core`, which holds the store itself; see
:meth:`zzanalytics.store.Store.coverage` for what coverage means.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from zzanalytics import clock
from zzanalytics.schema import TABLES
from zzanalytics.sql import ident, literal

__all__ = [
    "claim_timezone",
    "clip_spans",
    "coverage_lines",
    "merge_spans",
    "migrate_timestamps",
    "read_coverage",
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
    with ``source_file``, ``declared``, ``data_first``, ``data_last``, ``rows`` and ``slack``.

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
    cols += ["rows", "slack", "source_path"]
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'coverage' "
            "AND database_name = current_database() AND schema_name = 'main'"
        ).fetchall()
    }
    if have:
        select = ", ".join(ident(c) if c in have else f"0 AS {ident(c)}" for c in cols)
        raw = con.execute(
            f'SELECT {select} FROM coverage {where} ORDER BY "table", category, "first", source_file',
            params,
        ).df()
    else:  # a store of format 4 or older, opened read-only: nothing recorded
        raw = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    for c in ("first", "last", "data_first", "data_last"):
        raw[c] = pd.to_datetime(raw[c]).astype("datetime64[ns]")
    raw["category"] = raw["category"].astype(object).where(raw["category"].notna(), None)
    raw["slack"] = pd.to_numeric(raw["slack"]).fillna(0).astype(int)
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
