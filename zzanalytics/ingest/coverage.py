"""What a file covers, and the clock notes of its ingest (private to ingest).

Coverage: each ingested file of a dated table (incidents, petitions, disputes) covers a span of
days — the ``[source] coverage`` its mapping declares, else the span of its records — for every
category it holds. Ingest records it in the store's ``coverage`` table (one row per file and
category, replaced when the file is ingested again), in the same transaction as the records.
Outside its coverage a category has no data, which is not zero
(:meth:`zzanalytics.store.Store.coverage`, :func:`zzanalytics.counts`).

Clock notes: times that fell in a spring-forward gap (kept, read shifted forward, see
:mod:`zzanalytics.ingest.dates`), and a file read in another zone than the store's.

Examples
--------
>>> DATE_COLUMNS["incidents"], DATE_COLUMNS["petitions"]
('occurred_at', 'received_on')
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from zzanalytics.sql import ident, literal
from zzanalytics.store.spans import DENSE_SHARE, TAIL_SHARE, dense_span, slack_days
from zzanalytics.store.spans import month_end as _month_end

__all__ = [
    "DATE_COLUMNS",
    "DENSE_SHARE",
    "TAIL_SHARE",
    "clock_notes",
    "dense_span",
    "slack_days",
    "write_coverage",
]

DATE_COLUMNS = {"incidents": "occurred_at", "petitions": "received_on", "disputes": "found_on"}
"""The column whose days a table's coverage is about."""


def _day(col: str, dtype: str, tz: str) -> str:
    """SQL: the store-zone calendar day of a staged date or timestamp column."""
    if dtype == "timestamp":
        return f"CAST(timezone({literal(tz)}, {ident(col)}) AS DATE)"
    return f"CAST({ident(col)} AS DATE)"


def write_coverage(
    con: Any,
    staged: str,
    m: Any,
    source_file: str,
    source_path: str,
    tz: str,
    dtype: str,
    now: dt.datetime,
    notes: list[str],
) -> None:
    """Replace the coverage rows of the file at ``source_path`` from the staged table ``staged``.

    Runs inside the caller's transaction. ``dtype`` is the logical type of the table's date
    column; ``notes`` receives the sentences ingest shows about coverage.
    """
    col = DATE_COLUMNS.get(m.table)
    if col is None:
        return
    con.execute('DELETE FROM coverage WHERE source_path = ? AND "table" = ?', [source_path, m.table])
    day = _day(col, dtype, tz)
    cat = "category" if m.table == "incidents" else "CAST(NULL AS VARCHAR)"
    rows = con.execute(
        f"SELECT {cat} AS c, min({day}), max({day}), count(*) FROM {staged} "
        f"WHERE _rc = 0 AND {ident(col)} IS NOT NULL GROUP BY 1 ORDER BY 1"
    ).fetchall()
    if not rows:
        return
    data_first = min(r[1] for r in rows)
    data_last = max(r[2] for r in rows)
    declared = m.coverage or ("", "")
    months = con.execute(
        f"SELECT CAST(date_trunc('month', {day}) AS DATE) AS mo, count(*) FROM {staged} "
        f"WHERE _rc = 0 AND {ident(col)} IS NOT NULL GROUP BY 1 ORDER BY 1"
    ).fetchall()
    lo, hi = dense_span(months)
    span_first = data_first if lo == 0 else months[lo][0]
    span_last = data_last if hi == len(months) - 1 else _month_end(months[hi][0])
    first = dt.date.fromisoformat(declared[0]) if declared[0] else span_first
    last = dt.date.fromisoformat(declared[1]) if declared[1] else span_last
    total = sum(int(c) for _, c in months[lo : hi + 1])
    slack = 0 if (declared[0] and declared[1]) else slack_days(total, (span_last - span_first).days + 1)
    tails = [
        (sum(c for _, c in part), part[0][0], _month_end(part[-1][0]))
        for part, side in ((months[:lo], 0), (months[hi + 1 :], 1))
        if part and not declared[side]
    ]
    con.executemany(
        'INSERT INTO coverage (source_file, "table", category, "first", "last", declared, data_first, '
        'data_last, "rows", "at", source_path, slack) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
            [source_file, m.table, c, first, last, bool(m.coverage), lo, hi, int(n), now, source_path, slack]
            for c, lo, hi, n in rows
        ],
    )
    how = "as declared in the mapping" if m.coverage else "from its records; declare [source] coverage"
    notes.append(f"covers {first} to {last} ({how})")
    for n, a, b in tails:
        notes.append(
            f"{n:,} records from {a} to {b} lie in months with under a quarter of a full month's count "
            "(a sparse tail, as in an export by report date); they are stored, but those periods count "
            "as no data, not as the small numbers they hold"
        )
    if m.coverage:
        outside = con.execute(
            f"SELECT count(*), min({day}), max({day}) FROM {staged} WHERE _rc = 0 "
            f"AND ({day} < CAST(? AS DATE) OR {day} > CAST(? AS DATE))",
            [first, last],
        ).fetchall()[0]
        if outside[0]:
            notes.append(
                f"{outside[0]:,} records ({outside[1]} to {outside[2]}) lie outside the declared coverage "
                f"{first} to {last}; they are stored, but periods outside the coverage count as no data"
            )


def clock_notes(con: Any, staged: str, m: Any, store_tz: str, gap: bool, todless: bool) -> list[str]:
    """Notes on the file's clock: times in a spring-forward gap, a zone other than the store's."""
    notes = []
    if gap:
        sql = f"SELECT count(*), min(_line) FROM {staged} WHERE _gap AND _rc = 0"
        n, first = con.execute(sql).fetchall()[0]
        if n:
            notes.append(
                f"{n:,} times (first on line {first}) fall in the spring-forward gap of {m.timezone}, "
                "when clocks skip an hour; they were read with the offset before the change (02:30 as "
                "03:30 daylight time, the same day) and kept; check the source system's clock"
            )
    if todless and m.table == "incidents":
        n, first = con.execute(
            f"SELECT count(*), min(_line) FROM {staged} WHERE _todless AND _rc = 0"
        ).fetchall()[0]
        if n:
            notes.append(
                f"{n:,} rows (first on line {first}) have no readable time of day in "
                f"{m.time_column!r}; their date is kept, read as a date without its hour"
            )
    if m.timezone != store_tz:
        notes.append(f"times read in {m.timezone} and converted to the store's clock, {store_tz}")
    return notes
