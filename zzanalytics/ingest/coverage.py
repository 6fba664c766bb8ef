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

DATE_COLUMNS = {"incidents": "occurred_at", "petitions": "received_on", "disputes": "found_on"}
"""The column whose days a table's coverage is about."""


def _day(col: str, dtype: str, tz: str) -> str:
    """SQL: the store-zone calendar day of a staged date or timestamp column."""
    if dtype == "timestamp":
        return f"CAST(timezone({literal(tz)}, {ident(col)}) AS DATE)"
    return f"CAST({ident(col)} AS DATE)"


def slack_days(records: int, days: int) -> int:
    """Days a span taken from records may fall short of the export's real span at either end.

    The longest run of days without a record that the source's own rate (``records / days``)
    leaves 5 % likely: ``floor(3 / rate)`` (``exp(-3) ≈ 0.05``), at most 31.

    Examples
    --------
    >>> slack_days(20_000, 365), slack_days(300, 365), slack_days(5, 365)
    (0, 3, 31)
    """
    if records <= 0 or days <= 0:
        return 0
    return int(min(31, 3.0 * days / records))


def write_coverage(
    con: Any,
    m: Any,
    source_file: str,
    source_path: str,
    tz: str,
    dtype: str,
    now: dt.datetime,
    notes: list[str],
) -> None:
    """Replace the coverage rows of the file at ``source_path`` from the staged table ``_zz_stg``.

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
        f"SELECT {cat} AS c, min({day}), max({day}), count(*) FROM _zz_stg "
        f"WHERE _rc = 0 AND {ident(col)} IS NOT NULL GROUP BY 1 ORDER BY 1"
    ).fetchall()
    if not rows:
        return
    data_first = min(r[1] for r in rows)
    data_last = max(r[2] for r in rows)
    declared = m.coverage or ("", "")
    first = dt.date.fromisoformat(declared[0]) if declared[0] else data_first
    last = dt.date.fromisoformat(declared[1]) if declared[1] else data_last
    total = sum(int(r[3]) for r in rows)
    slack = 0 if (declared[0] and declared[1]) else slack_days(total, (data_last - data_first).days + 1)
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
    if m.coverage:
        outside = con.execute(
            f"SELECT count(*), min({day}), max({day}) FROM _zz_stg WHERE _rc = 0 "
            f"AND ({day} < CAST(? AS DATE) OR {day} > CAST(? AS DATE))",
            [first, last],
        ).fetchall()[0]
        if outside[0]:
            notes.append(
                f"{outside[0]:,} records ({outside[1]} to {outside[2]}) lie outside the declared coverage "
                f"{first} to {last}; they are stored, but periods outside the coverage count as no data"
            )


def clock_notes(con: Any, m: Any, store_tz: str, gap: bool) -> list[str]:
    """Notes on the file's clock: times in a spring-forward gap, a zone other than the store's."""
    notes = []
    if gap:
        sql = "SELECT count(*), min(rowid) + 1 FROM _zz_stg WHERE _gap AND _rc = 0"
        n, first = con.execute(sql).fetchall()[0]
        if n:
            notes.append(
                f"{n:,} times (first in data row {first}) fall in the spring-forward gap of {m.timezone}, "
                "when clocks skip an hour; they were read with the offset before the change (02:30 as "
                "03:30 daylight time, the same day) and kept; check the source system's clock"
            )
    if m.timezone != store_tz:
        notes.append(f"times read in {m.timezone} and converted to the store's clock, {store_tz}")
    return notes
