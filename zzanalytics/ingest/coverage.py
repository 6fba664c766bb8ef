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
from zzanalytics.store.spans import DENSE_SHARE, TAIL_SHARE, dense_span, month_end, slack_days

__all__ = [
    "DATE_COLUMNS",
    "DENSE_SHARE",
    "TAIL_SHARE",
    "clock_notes",
    "covered_run",
    "dense_span",
    "full_month",
    "plausible",
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


def full_month(counts: list[int]) -> float:
    """A source's records in a full month: the count of the month its median record falls in (the
    months of half its records hold at least this many). A thin tail of late reports, however many
    months it spans, holds few records and does not pull it down.

    Examples
    --------
    >>> full_month([3] * 36 + [9000] * 12), full_month([500] + [1] * 8), full_month([12, 9, 11, 2, 10])
    (9000.0, 500.0, 11.0)
    """
    have = sorted(c for c in counts if c > 0)
    half, seen = sum(have) / 2.0, 0
    for c in have:
        seen += c
        if seen >= half:
            return float(c)
    return 0.0


PLAUSIBLE = 1e-6
"""A month with records is a covered month unless so few records are this unlikely: the Poisson
probability of at most its count at half the source's full-month rate (real months vary: seasons,
holidays), scaled to the days the data reach into an edge month."""


def plausible(count: int, rate: float, share: float = 1.0) -> bool:
    """Whether a month holding ``count`` records can be a covered month of a source whose full month
    holds ``rate`` (``share``: the part of the month the data reach).

    Examples
    --------
    >>> plausible(1, 9000), plausible(4, 10), plausible(0, 10), plausible(30, 9000)
    (False, True, True, False)
    """
    return poisson_cdf(count, max(0.5 * rate * share, 1e-9)) >= PLAUSIBLE


def poisson_cdf(count: int, mu: float) -> float:
    """``P(X <= count)`` for ``X ~ Poisson(mu)``, summed in log space (scipy.stats' import alone would
    add a second to every ingest). Equal to ``scipy.stats.poisson.cdf`` to 1e-9 relative (tested).

    Examples
    --------
    >>> round(poisson_cdf(4, 5.0), 6), poisson_cdf(1, 4500.0) < 1e-300
    (0.440493, True)
    """
    import math

    def log_pmf(k: int) -> float:
        return k * math.log(mu) - mu - math.lgamma(k + 1)

    c = int(count)
    if c < 0:
        return 0.0
    # sum from the largest term outwards until the terms vanish: below the mean the terms fall going
    # down from ``count``; above it the upper tail's terms fall going up from ``count + 1``
    k, step, top, total = (c, -1, log_pmf(c), 0.0) if c < mu else (c + 1, 1, log_pmf(c + 1), 0.0)
    while k >= 0:
        t = math.exp(log_pmf(k) - top)
        total += t
        if t < 1e-17 * total:
            break
        k += step
    mass = math.exp(top) * total
    return min(1.0, mass) if c < mu else max(0.0, 1.0 - mass)


def covered_run(
    months: list[tuple[dt.date, int]], rate: float, first: dt.date, last: dt.date
) -> tuple[int, int]:
    """First and last month (indices into ``months``: every month from the first to the last with
    records, counts 0 included) of a file's covered span: from its first to its last month with
    records that the source's own rate makes plausible (:func:`plausible`).

    Months at either end that the rate makes implausible (a few late reports against thousands a
    month) start no span and end none; months inside stay covered, quiet or empty (a small series'
    quiet months; a gap longer than chance explains is the analysis' to find, from the records).

    Examples
    --------
    >>> ms = [(dt.date(2014 + k // 12, 1 + k % 12, 1), 30) for k in range(36)]
    >>> ms += [(dt.date(2017, k, 1), 9000) for k in range(1, 13)]
    >>> covered_run(ms, 9000.0, dt.date(2014, 1, 3), dt.date(2017, 12, 30))
    (36, 47)
    >>> covered_run([(dt.date(2020, k, 1), c) for k, c in [(1, 11), (2, 4), (3, 0), (4, 2)]],
    ...             10.0, dt.date(2020, 1, 1), dt.date(2020, 4, 29))
    (0, 3)
    """
    n = len(months)
    good = [i for i, (_, c) in enumerate(months) if c > 0 and plausible(int(c), rate)]
    if not good:
        return 0, n - 1
    lo, hi = good[0], good[-1]
    # the month before the first full one may be the export's partial first month (and the month
    # after the last, its partial last month): plausible for the days the data reach into it
    if lo == 1 and months[0][1] > 0:
        dim = (month_end(months[0][0]) - months[0][0]).days + 1
        lo = 0 if plausible(months[0][1], rate, (dim - first.day + 1) / dim) else lo
    if hi == n - 2 and months[-1][1] > 0:
        dim = (month_end(months[-1][0]) - months[-1][0]).days + 1
        hi = n - 1 if plausible(months[-1][1], rate, last.day / dim) else hi
    return lo, hi


def _every_month(rows: list[tuple[dt.date, int]]) -> list[tuple[dt.date, int]]:
    """Months from the first to the last of ``rows``, those without records counted 0."""
    if not rows:
        return []
    have = dict(rows)
    out, mo = [], rows[0][0]
    while mo <= rows[-1][0]:
        out.append((mo, int(have.get(mo, 0))))
        mo = month_end(mo) + dt.timedelta(days=1)
    return out


def write_coverage(
    con: Any, m: Any, source_path: str, tz: str, dtype: str, now: dt.datetime, notes: list[str]
) -> None:
    """Write what each file of the mapping's source covers, from the store's records of the source.

    Runs inside the caller's transaction, after the file's records are stored. The file at
    ``source_path`` covers what its mapping declares (``[source] coverage``, which always wins);
    every other file of the source whose coverage is not declared is worked out again, because a
    source's rate is known from all its files: a file covers the run of its months that the source's
    own rate, or the file's own when lower (a rarer kind in the same source), makes plausible
    (:func:`covered_run`); records outside it (late reports, stray years)
    are stored and counted in ``outside``, and make no month covered. ``notes`` receives what ingest
    says about the file at ``source_path``.
    """
    col = DATE_COLUMNS.get(m.table)
    if col is None:
        return
    target, src = ident(m.table), m.source_name
    day = _day(col, dtype, tz)
    cat = "category" if m.table == "incidents" else "CAST(NULL AS VARCHAR)"
    mine = f"_source = {literal(src)} AND {ident(col)} IS NOT NULL"
    month = f"CAST(date_trunc('month', {day}) AS DATE)"
    counts = [
        int(r[0])
        for r in con.execute(f"SELECT count(*) FROM {target} WHERE {mine} GROUP BY {month}").fetchall()
    ]
    rate = full_month(counts)
    declared = {
        p: (a, b)
        for p, a, b in con.execute(
            'SELECT source_path, min("first"), max("last") FROM coverage WHERE "table" = ? AND source = ? '
            "AND declared AND source_path <> ? GROUP BY 1",
            [m.table, src, source_path],
        ).fetchall()
    }
    con.execute(
        'DELETE FROM coverage WHERE "table" = ? AND (source_path = ? OR (source = ? AND NOT declared))',
        [m.table, source_path, src],
    )
    name = "any_value(source_file)" if "source_file" in _columns(con, m.table) else "any_value(_path)"
    files = con.execute(
        f"SELECT _path, {name} FROM {target} WHERE {mine} AND _path IS NOT NULL GROUP BY 1 ORDER BY 1"
    ).fetchall()
    for path, name in files:
        if path in declared:
            continue
        fixed = (m.coverage or None) if path == source_path else None
        rows = _file_rows(con, m, target, mine, path, day, month, cat, rate, fixed, name, now)
        if path == source_path:
            _say(rows, rate, fixed, notes)


def _columns(con: Any, table: str) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE {ident(table)}").fetchall()}


def _file_rows(
    con: Any,
    m: Any,
    target: str,
    mine: str,
    path: str,
    day: str,
    month: str,
    cat: str,
    rate: float,
    fixed: tuple[str, str] | None,
    name: str,
    now: dt.datetime,
) -> list[tuple]:
    """Insert the coverage rows of one file of the source (one per category); return them."""
    where = f"{mine} AND _path = {literal(path)}"
    months = [
        (r[0], int(r[1]))
        for r in con.execute(
            f"SELECT {month}, count(*) FROM {target} WHERE {where} GROUP BY 1 ORDER BY 1"
        ).fetchall()
    ]
    first_day, last_day = con.execute(
        f"SELECT min({day}), max({day}) FROM {target} WHERE {where}"
    ).fetchall()[0]
    every = _every_month(months)
    # a file of a rarer kind than the source's others (car thefts beside motorcycle thefts under one
    # mapping) is judged at its own rate when that is lower: its quiet months are its usual ones
    rate = min(rate, full_month([c for _, c in months])) or rate
    lo, hi = covered_run(every, rate, first_day, last_day)
    span_first = first_day if lo == 0 else every[lo][0]
    span_last = last_day if hi == len(every) - 1 else month_end(every[hi][0])
    first = dt.date.fromisoformat(fixed[0]) if fixed and fixed[0] else span_first
    last = dt.date.fromisoformat(fixed[1]) if fixed and fixed[1] else span_last
    held = sum(c for _, c in every[lo : hi + 1])
    slack = 0 if (fixed and fixed[0] and fixed[1]) else slack_days(held, (span_last - span_first).days + 1)
    rows = con.execute(
        f"SELECT {cat} AS c, min({day}), max({day}), count(*), "
        f"count(*) FILTER (WHERE {day} < CAST(? AS DATE) OR {day} > CAST(? AS DATE)), "
        f"min({day}) FILTER (WHERE {day} < CAST(? AS DATE) OR {day} > CAST(? AS DATE)), "
        f"max({day}) FILTER (WHERE {day} < CAST(? AS DATE) OR {day} > CAST(? AS DATE)) "
        f"FROM {target} WHERE {where} GROUP BY 1 ORDER BY 1",
        [first, last] * 3,
    ).fetchall()
    out = sum(r[4] for r in rows)
    if fixed:
        basis = "declared in the mapping ([source] coverage)"
    else:
        basis = (
            f"from its records: the months {first:%Y-%m} to {last:%Y-%m} that its rate "
            f"(about {rate:,.0f} records in a full month: its source's, or its own when lower) "
            "makes plausible"
        )
    if out:
        a = min(r[5] for r in rows if r[5] is not None)
        b = max(r[6] for r in rows if r[6] is not None)
        basis += f"; {out:,} records of {a:%Y-%m} to {b:%Y-%m} left outside (too few for covered months)"
    con.executemany(
        'INSERT INTO coverage (source_file, "table", category, "first", "last", declared, data_first, '
        'data_last, "rows", "at", source_path, slack, source, outside, basis) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                name,
                m.table,
                c,
                first,
                last,
                bool(fixed),
                a,
                b,
                int(n),
                now,
                path,
                slack,
                m.source_name,
                int(o),
                basis,
            ]
            for c, a, b, n, o, _, _ in rows
        ],
    )
    return [(first, last, out, basis)]


def _say(rows: list[tuple], rate: float, fixed: Any, notes: list[str]) -> None:
    first, last, out, basis = rows[0]
    notes.append(f"covers {first} to {last} ({basis})")
    if out:
        notes.append(
            f"{out:,} records lie outside the span (late reports or stray years): they are stored and "
            "count where some span covers them; their months count as no data, not as the few records "
            "they hold"
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
