"""SQL expressions that parse the date forms real exports write (private to ingest).

Recognised without a ``date_format`` (tried in this order):

* ``2026-05-06 21:30:00``, ``2026-05-06 21:30``, ``2026-05-06``, ``2026-5-6 9:05`` (ISO, unpadded too),
  ``2026-05-06T21:30:00``, fractional seconds;
* ``2026/5/6 21:30``, ``2026/05/06 21:30:00``, ``2026/5/6``, ``2026.5.6``;
* ``20260506``, ``20260506213000``, ``202605062130``;
* ``2026年5月6日``, ``2026年5月6日 21:30``, ``2026年5月6日 21时30分``, ``2026年5月6日21时30分``;
* with a UTC offset: ``2026-05-06T21:30:00+08:00``, ``...Z``, ``...+0800``, ``...+08``
  (the offset fixes the instant; the source's time zone is not used);
* Excel serial day numbers (``46148.89``; 1900 date system, values 10000–100000).

With a ``date_format`` the pattern is used instead of the forms above; ISO forms
with dashes (what XLSX date cells become), ISO with an offset and Excel serials
still parse, since none of them can be confused with another date.

Speed: rather than trying every pattern on every value, one cheap test (does the
text contain 年, /, an offset, a dash, or only digits?) picks the one or two
patterns that can match, so parsing costs about one ``strptime`` or cast per value.

Naive times (no offset) are wall-clock times of the source's time zone (``[source] timezone``).
:func:`timestamp_sql` turns them into instants (``TIMESTAMPTZ``); the store keeps instants and
hands them out in its own zone, so a source from another zone is converted, and the autumn
repeat of a daylight-saving zone stays two distinct hours. Two wall times need a rule:

* **autumn repeat** (``01:30`` twice on fall-back night): read as the *first* occurrence
  (daylight time), the rule of Python's ``zoneinfo`` (PEP 495, ``fold=0``);
* **spring gap** (``02:30`` on spring-forward day does not exist): read with the offset in force
  before the change, i.e. shifted forward by the gap (``02:30`` becomes ``03:30`` daylight time,
  the same day), also PEP 495's rule. The row is kept (its day and month are right) and ingest
  reports it as a data-quality note (:func:`gap_sql` finds such rows).

Examples
--------
>>> import duckdb
>>> con = duckdb.connect()
>>> _ = con.execute("SET TimeZone = 'UTC'")
>>> sql = timestamp_sql("x", source_tz="America/Toronto")
>>> [str(v) for (v,) in con.execute(
...     f"SELECT {sql} FROM (VALUES ('2021-11-07 01:30'), ('2021-03-14 02:30'), ('2021/7/1 12:00')) t(x)"
... ).fetchall()]
['2021-11-07 05:30:00+00:00', '2021-03-14 07:30:00+00:00', '2021-07-01 16:00:00+00:00']
>>> date_sql("x", source_tz="Asia/Shanghai", store_tz="Asia/Shanghai").startswith("CASE")
True
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from zzanalytics.sql import literal

CN_FORMATS: tuple[str, ...] = (
    "%Y年%m月%d日",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H时%M分",
    "%Y年%m月%d日%H时%M分",
    "%Y年%m月%d日 %H时%M分%S秒",
    "%Y年%m月%d日%H时%M分%S秒",
    "%Y年%m月%d日 %H时",
    "%Y年%m月%d日%H时",
)
SLASH_FORMATS: tuple[str, ...] = ("%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S.%f")
DOT_FORMATS: tuple[str, ...] = ("%Y.%m.%d", "%Y.%m.%d %H:%M", "%Y.%m.%d %H:%M:%S")
DIGIT_FORMATS: dict[int, str] = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
_OFFSET_RE = r"\d:\d\d(:\d\d(\.\d+)?)?\s*([+-]\d\d(:?\d\d)?|Z)$"
_SERIAL_RE = r"\d{5}(\.\d+)?"


def _list(formats: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(literal(f) for f in formats) + "]"


def naive_sql(col: str, date_format: str = "") -> str:
    """SQL giving the naive ``TIMESTAMP`` written in varchar expression ``col`` (offsets ignored).

    NULL when no recognised form (or ``date_format``) matches; values with a UTC offset are
    handled by :func:`timestamp_sql` before this is used.
    """
    x = col
    serial = f"TIMESTAMP '1899-12-30' + to_seconds(CAST(round(TRY_CAST({x} AS DOUBLE) * 86400) AS BIGINT))"
    branches = [f"WHEN regexp_full_match({x}, {literal(_SERIAL_RE)}) THEN {serial}"]
    if not date_format:
        branches = [
            f"WHEN contains({x}, '年') THEN try_strptime({x}, {_list(CN_FORMATS)})",
            f"WHEN contains({x}, '/') THEN try_strptime({x}, {_list(SLASH_FORMATS)})",
            f"WHEN contains({x}, '-') THEN TRY_CAST({x} AS TIMESTAMP)",
            *(
                f"WHEN length({x}) = {n} AND regexp_full_match({x}, '\\d+') "
                f"THEN try_strptime({x}, {literal(f)})"
                for n, f in DIGIT_FORMATS.items()
            ),
            *branches,
            f"WHEN contains({x}, '.') THEN try_strptime({x}, {_list(DOT_FORMATS)})",
        ]
        return "CASE " + " ".join(branches) + " END"
    dashed = f"WHEN contains({x}, '-') THEN TRY_CAST({x} AS TIMESTAMP)"
    naive = "CASE " + " ".join([dashed, *branches]) + " END"
    if "%z" in date_format:
        return naive
    return f"COALESCE(try_strptime({x}, {literal(date_format)}), {naive})"


@lru_cache(maxsize=64)
def zone_shift(tz: str, first_year: int = 1970, last_year: int | None = None) -> tuple[int, int]:
    """(standard UTC offset in seconds, largest daylight-saving shift in seconds) of ``tz``.

    A shift of 0 means the zone kept one offset from ``first_year`` to ``last_year`` (default:
    next year), so its times convert with plain arithmetic.

    Examples
    --------
    >>> zone_shift("Asia/Shanghai", 2000), zone_shift("America/Toronto", 2000)
    ((28800, 0), (-18000, 3600))
    """
    z = ZoneInfo(tz)
    last = last_year or dt.date.today().year + 1
    offsets: set[int] = set()
    day = dt.datetime(first_year, 1, 1)
    end = dt.datetime(last + 1, 1, 1)
    while day < end:  # one probe a week finds every offset a zone has used (changes last months)
        off = z.utcoffset(day)
        offsets.add(int(off.total_seconds()) if off is not None else 0)
        day += dt.timedelta(days=7)
    return min(offsets), max(offsets) - min(offsets)


def _localize(naive: str, tz: str, floor_year: int) -> str:
    """Instant (TIMESTAMPTZ) of naive wall time ``naive`` in ``tz``; autumn repeat: first occurrence."""
    base, shift = zone_shift(tz, floor_year)
    if shift == 0:  # one offset: arithmetic, no time zone library per value
        return f"make_timestamptz(epoch_us({naive}) - {base * 1_000_000})"
    inst = f"timezone({literal(tz)}, {naive})"  # DuckDB: repeat -> second occurrence, gap -> shifted
    earlier = f"({inst} - INTERVAL {shift} SECOND)"
    return f"CASE WHEN timezone({literal(tz)}, {earlier}) = {naive} THEN {earlier} ELSE {inst} END"


def _has_offset(x: str) -> str:
    # the offset pattern needs a ':' and a sign or a final 'Z': two cheap tests spare most values the regex
    maybe = f"contains({x}, ':') AND (contains({x}, '+') OR contains({x}, '-') OR suffix({x}, 'Z'))"
    return f"{maybe} AND regexp_matches({x}, {literal(_OFFSET_RE)})"


def timestamp_sql(col: str, *, source_tz: str, date_format: str = "", floor_year: int = 1970) -> str:
    """SQL giving the instant (``TIMESTAMPTZ``) of varchar expression ``col`` (NULL when unparseable).

    Naive values are wall times of ``source_tz`` (see the module docstring for the autumn repeat
    and the spring gap); values with a UTC offset are read with their offset. ``floor_year``: no
    earlier dates are kept, so a zone whose offset has not changed since then converts with
    arithmetic.
    """
    x = col
    naive = naive_sql(x, date_format)
    local = _localize(naive, source_tz, floor_year)
    offset = f"TRY_CAST({x} AS TIMESTAMPTZ)"
    if "%z" in date_format:
        offset = f"COALESCE(try_strptime({x}, {literal(date_format)}), {offset})"
        given = f"try_strptime({x}, {literal(date_format)}) IS NOT NULL"
        return f"CASE WHEN {_has_offset(x)} OR {given} THEN {offset} ELSE {local} END"
    return f"CASE WHEN {_has_offset(x)} THEN {offset} ELSE {local} END"


def date_sql(col: str, *, source_tz: str, store_tz: str, date_format: str = "") -> str:
    """SQL giving the calendar ``DATE`` of varchar expression ``col``.

    A naive value keeps its calendar date; a value with a UTC offset gets the date it has in the
    store's zone ``store_tz``. (``source_tz`` is accepted for symmetry; a date has no zone.)
    """
    x = col
    naive = naive_sql(x, date_format)
    offset = f"CAST(timezone({literal(store_tz)}, TRY_CAST({x} AS TIMESTAMPTZ)) AS DATE)"
    return f"CASE WHEN {_has_offset(x)} THEN {offset} ELSE CAST({naive} AS DATE) END"


def gap_sql(col: str, *, source_tz: str, date_format: str = "", floor_year: int = 1970) -> str | None:
    """SQL condition: the naive time in ``col`` falls in a spring-forward gap of ``source_tz``.

    None when the zone has no daylight saving since ``floor_year`` (no gap can occur).
    """
    if zone_shift(source_tz, floor_year)[1] == 0:
        return None
    naive = naive_sql(col, date_format)
    if "%z" in date_format:
        return None
    return (
        f"(NOT ({_has_offset(col)}) AND timezone({literal(source_tz)}, "
        f"timezone({literal(source_tz)}, {naive})) <> {naive})"
    )


def minutes_of_day_sql(col: str) -> str:
    """SQL: minutes since midnight of a time-of-day text in ``col``, NULL when it is not one.

    Forms: ``21:30``, ``21:30:00`` (``21:30:00.5``), ``2130`` and ``130`` (HHMM, the leading zero
    dropped as numeric exports do), ``8`` or ``08`` (an hour), and an Excel fraction of a day
    (``0.8958``). Hours 0–23, minutes 0–59.

    Examples
    --------
    >>> import duckdb
    >>> sql = minutes_of_day_sql("x")
    >>> [v for (v,) in duckdb.sql(
    ...     f"SELECT {sql} FROM (VALUES ('21:30'), ('130'), ('2130'), ('8'), ('0.5'), ('2400'), ('x')) t(x)"
    ... ).fetchall()]
    [1290, 90, 1290, 480, 720, None, None]
    """
    t = f"trim(CAST({col} AS VARCHAR))"
    hm = (
        f"CASE WHEN regexp_full_match({t}, '\\d{{1,2}}:\\d{{2}}(:\\d{{2}}(\\.\\d+)?)?') "
        f"THEN [TRY_CAST(split_part({t}, ':', 1) AS INTEGER), TRY_CAST(split_part({t}, ':', 2) AS INTEGER)] "
        f"WHEN regexp_full_match({t}, '\\d{{3,4}}') "
        f"THEN [TRY_CAST(left(lpad({t}, 4, '0'), 2) AS INTEGER), TRY_CAST(right({t}, 2) AS INTEGER)] "
        f"WHEN regexp_full_match({t}, '\\d{{1,2}}') THEN [TRY_CAST({t} AS INTEGER), 0] "
        f"WHEN regexp_full_match({t}, '0?\\.\\d+') "
        f"THEN [CAST(round(TRY_CAST({t} AS DOUBLE) * 1440) AS INTEGER) // 60, "
        f"CAST(round(TRY_CAST({t} AS DOUBLE) * 1440) AS INTEGER) % 60] END"
    )
    return (
        f"(SELECT CASE WHEN p[1] BETWEEN 0 AND 23 AND p[2] BETWEEN 0 AND 59 THEN p[1] * 60 + p[2] END "
        f"FROM (SELECT {hm} AS p))"
    )


def with_time_of_day_sql(instant: str, minutes: str, *, source_tz: str, floor_year: int = 1970) -> str:
    """SQL: the instant of ``instant``'s calendar date in ``source_tz`` at ``minutes`` past midnight
    (an export that writes the date and the time of day in two columns); ``instant`` itself where
    ``minutes`` is NULL. Wall times in a daylight-saving change follow :func:`timestamp_sql`'s rules.
    """
    day = f"CAST(CAST(timezone({literal(source_tz)}, {instant}) AS DATE) AS TIMESTAMP)"
    wall = f"({day} + to_minutes(CAST({minutes} AS BIGINT)))"
    return f"CASE WHEN {minutes} IS NULL THEN {instant} ELSE {_localize(wall, source_tz, floor_year)} END"
