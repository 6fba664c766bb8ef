"""SQL expressions that parse the date forms real exports write (private to ingest).

Recognised without a ``date_format`` (tried in this order):

* ``2026-05-06 21:30:00``, ``2026-05-06 21:30``, ``2026-05-06``, ``2026-5-6 9:05`` (ISO, unpadded too),
  ``2026-05-06T21:30:00``, fractional seconds;
* ``2026/5/6 21:30``, ``2026/05/06 21:30:00``, ``2026/5/6``, ``2026.5.6``;
* ``20260506``, ``20260506213000``, ``202605062130``;
* ``2026年5月6日``, ``2026年5月6日 21:30``, ``2026年5月6日 21时30分``, ``2026年5月6日21时30分``;
* with a UTC offset: ``2026-05-06T21:30:00+08:00``, ``...Z``, ``...+0800``, ``...+08``
  (the offset fixes the instant; the source's time zone is not used);
* Excel serial day numbers (``46148.89``; 1900 date system, values 10000–100000);
* ``24:00`` (``2026-05-06 24:00``, ``2026年5月6日24时``): midnight at the end of that day, i.e. the next
  day's 00:00 — never "no time";
* with ``[source] calendar = "roc"``, 民國 years in every written form (``108年01月02日``,
  ``108/01/02``, ``1080102``, ``107年01月01日 05時12分00秒``; :func:`zzanalytics.ingest.forms.roc_sql`),
  while four-digit years still read as Gregorian.

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
from typing import Any
from zoneinfo import ZoneInfo

from zzanalytics.ingest.forms import clock_sql, roc_like_sql, roc_timestamp_sql, slot_sql
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


def _fmt(date_format: str | list[str]) -> str:
    """SQL of a ``date_format``: a pattern, or a list tried in order (``["%m/%d/%Y %H:%M", "%m/%d/%Y"]``)."""
    return literal(date_format) if isinstance(date_format, str) else _list(date_format)


def _zoned(date_format: str | list[str]) -> bool:
    """True when a pattern of ``date_format`` reads a UTC offset (``%z``)."""
    return any("%z" in f for f in ([date_format] if isinstance(date_format, str) else date_format))


CALENDARS = ("gregorian", "roc")
"""``[source] calendar``: how years are counted (``roc``: 民國, year 1 = 1912)."""

# a time of 24:00 after a date (or after 8 digits): read as 00:00 of the next day
_H24 = r"(^\d{8}|[\sT日])24((:00){0,2}|[時时点點](00分)?(00秒)?)\s*$"


def naive_sql(col: str, date_format: str | list[str] = "", calendar: str = "gregorian") -> str:
    """SQL giving the naive ``TIMESTAMP`` written in varchar expression ``col`` (offsets ignored).

    NULL when no recognised form (or ``date_format``) matches; values with a UTC offset are
    handled by :func:`timestamp_sql` before this is used. ``24:00`` is the next day's midnight;
    ``calendar = "roc"`` reads 民國 years.

    Examples
    --------
    >>> import duckdb
    >>> sql = naive_sql("x", calendar="roc")
    >>> [str(r[0]) for r in duckdb.sql(f"SELECT {sql} FROM (VALUES ('108/02/28 24:00'), ('108/02/29'),"
    ...     " ('2019/3/1')) t(x)").fetchall()]
    ['2019-03-01 00:00:00', 'None', '2019-03-01 00:00:00']
    """
    x = col
    first = []
    if calendar == "roc":  # 民國 forms first; a four-digit year still reads as Gregorian below
        first.append(f"WHEN {roc_like_sql(x)} THEN {roc_timestamp_sql(x)}")
    # 24:00, the next day's 00:00: tried only where the forms give nothing (COALESCE is lazy), so
    # the common case pays nothing (ISO text with 24:00 is read so by DuckDB's cast already)
    shifted = f"regexp_replace({x}, {literal(_H24.split('24')[0] + '24')}, '\\100')"
    h24 = (
        f"CASE WHEN regexp_matches({x}, {literal(_H24)}) "
        f"THEN {_naive(shifted, date_format)} + INTERVAL 1 DAY END"
    )
    return f"COALESCE({_naive(x, date_format, first)}, {h24})"


def _naive(col: str, date_format: str | list[str], first: list[str] | None = None) -> str:
    """The CASE reading the forms of the module docstring; ``first``: branches tried before them."""
    x = col
    first = first or []
    serial = f"TIMESTAMP '1899-12-30' + to_seconds(CAST(round(TRY_CAST({x} AS DOUBLE) * 86400) AS BIGINT))"
    branches = [f"WHEN regexp_full_match({x}, {literal(_SERIAL_RE)}) THEN {serial}"]
    if not date_format:
        branches = [
            *first,
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
    naive = "CASE " + " ".join([*first, dashed, *branches]) + " END"
    if _zoned(date_format):
        return naive
    return f"COALESCE(try_strptime({x}, {_fmt(date_format)}), {naive})"


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


def timestamp_sql(
    col: str,
    *,
    source_tz: str,
    date_format: str | list[str] = "",
    floor_year: int = 1970,
    calendar: str = "gregorian",
    window: str = "",
) -> str:
    """SQL giving the instant (``TIMESTAMPTZ``) of varchar expression ``col`` (NULL when unparseable).

    Naive values are wall times of ``source_tz`` (see the module docstring for the autumn repeat
    and the spring gap); values with a UTC offset are read with their offset. ``floor_year``: no
    earlier dates are kept, so a zone whose offset has not changed since then converts with
    arithmetic. ``calendar``: :data:`CALENDARS`. ``window`` (``start`` or ``end``, then ``:`` and the
    ``time_format``): ``col`` is a date without its time of day, or a date and a time slot after a
    ``chr(31)``; the instant is the start or the end of that day or slot.
    """
    x = col
    if window:
        return _window(x, window, source_tz, date_format, floor_year, calendar)
    naive = naive_sql(x, date_format, calendar)
    local = _localize(naive, source_tz, floor_year)
    offset = f"TRY_CAST({x} AS TIMESTAMPTZ)"
    if _zoned(date_format):
        offset = f"COALESCE(try_strptime({x}, {_fmt(date_format)}), {offset})"
        given = f"try_strptime({x}, {_fmt(date_format)}) IS NOT NULL"
        return f"CASE WHEN {_has_offset(x)} OR {given} THEN {offset} ELSE {local} END"
    return f"CASE WHEN {_has_offset(x)} THEN {offset} ELSE {local} END"


def _window(x: str, window: str, tz: str, date_format: Any, floor_year: int, calendar: str) -> str:
    """The start or end (``window``) of the day or slot written in ``x`` (see :func:`timestamp_sql`)."""
    end = window.startswith("end")
    d = f"split_part({x}, chr(31), 1)"
    slot = slot_sql(f"split_part({x}, chr(31), 2)")
    secs = f"COALESCE({slot}[{2 if end else 1}], {86400 if end else 0})"
    day = f"CAST(CAST({naive_sql(d, date_format, calendar)} AS DATE) AS TIMESTAMP)"
    return _localize(f"({day} + to_seconds(CAST({secs} AS BIGINT)))", tz, floor_year)


def date_sql(
    col: str, *, source_tz: str, store_tz: str, date_format: str | list[str] = "", calendar: str = "gregorian"
) -> str:
    """SQL giving the calendar ``DATE`` of varchar expression ``col``.

    A naive value keeps its calendar date; a value with a UTC offset gets the date it has in the
    store's zone ``store_tz``. (``source_tz`` is accepted for symmetry; a date has no zone.)
    """
    x = col
    naive = naive_sql(x, date_format, calendar)
    offset = f"CAST(timezone({literal(store_tz)}, TRY_CAST({x} AS TIMESTAMPTZ)) AS DATE)"
    return f"CASE WHEN {_has_offset(x)} THEN {offset} ELSE CAST({naive} AS DATE) END"


def gap_sql(
    col: str,
    *,
    source_tz: str,
    date_format: str | list[str] = "",
    floor_year: int = 1970,
    calendar: str = "gregorian",
) -> str | None:
    """SQL condition: the naive time in ``col`` falls in a spring-forward gap of ``source_tz``.

    None when the zone has no daylight saving since ``floor_year`` (no gap can occur).
    """
    if zone_shift(source_tz, floor_year)[1] == 0:
        return None
    naive = naive_sql(col, date_format, calendar)
    if _zoned(date_format):
        return None
    return (
        f"(NOT ({_has_offset(col)}) AND timezone({literal(source_tz)}, "
        f"timezone({literal(source_tz)}, {naive})) <> {naive})"
    )


def minutes_of_day_sql(col: str) -> str:
    """SQL: whole minutes since midnight of a time-of-day text in ``col``, NULL when it is not one
    (:func:`zzanalytics.ingest.forms.clock_sql` reads the forms; ``24:00`` is 1440, the day's end).

    Examples
    --------
    >>> import duckdb
    >>> sql = minutes_of_day_sql("x")
    >>> [v for (v,) in duckdb.sql(
    ...     f"SELECT {sql} FROM (VALUES ('21:30'), ('130'), ('2130'), ('8'), ('0.5'), ('2400'), ('x')) t(x)"
    ... ).fetchall()]
    [1290, 90, 1290, 480, 720, 1440, None]
    """
    return f"({clock_sql(col)} // 60)"


def seconds_of_day_sql(col: str, form: str = "") -> str:
    """SQL: seconds since midnight of a time-of-day text in ``col`` (``93000`` is 09:30:00, ``24:00``
    is 86,400), or of the start of a time slot (``22~24``: 79,200); NULL when it is neither. ``form``:
    how whole numbers write times (:func:`zzanalytics.ingest.forms.clock_sql`).

    Examples
    --------
    >>> import duckdb
    >>> a, b = seconds_of_day_sql(repr('93000')), seconds_of_day_sql(repr('22~24'))
    >>> duckdb.sql(f"SELECT {a}, {b}").fetchall()
    [(34200, 79200)]
    """
    return f"COALESCE({clock_sql(col, form)}, {slot_sql(col)}[1])"


def reading(m: Any, column: str = "") -> dict[str, Any]:
    """How mapping ``m`` writes its dates, as keyword arguments of :func:`timestamp_sql`, :func:`date_sql`
    and :func:`gap_sql`: its zone, ``date_format`` and ``calendar`` (and for ``occurred_from`` and
    ``occurred_to`` the mapping leaves out, the ``window`` end they are, with ``time_format``)."""
    out = {"source_tz": m.timezone, "date_format": m.date_format, "calendar": m.calendar}
    if column in ("occurred_from", "occurred_to") and column not in m.columns:
        out["window"] = ("start" if column == "occurred_from" else "end") + ":" + m.time_format
    return out


def with_time_of_day_sql(
    instant: str, minutes: str, *, source_tz: str, floor_year: int = 1970, unit: str = "minutes"
) -> str:
    """SQL: the instant of ``instant``'s calendar date in ``source_tz`` at ``minutes`` past midnight
    (an export that writes the date and the time of day in two columns; ``unit = "s"`` when the
    time is given in seconds); ``instant`` itself where ``minutes`` is NULL. Wall times in a
    daylight-saving change follow :func:`timestamp_sql`'s rules; the end of the day (1440 minutes)
    is the next day's midnight.
    """
    day = f"CAST(CAST(timezone({literal(source_tz)}, _wi) AS DATE) AS TIMESTAMP)"
    step = "to_seconds" if unit in ("s", "seconds") else "to_minutes"
    wall = f"({day} + {step}(CAST({minutes} AS BIGINT)))"
    # the instant is bound once (a one-element lambda): the parse is not written out three times
    body = f"CASE WHEN {minutes} IS NULL THEN _wi ELSE {_localize(wall, source_tz, floor_year)} END"
    return f"list_transform([{instant}], lambda _wi: {body})[1]"


def wall_instant_sql(day: str, seconds: str, *, source_tz: str, floor_year: int = 1970) -> str:
    """SQL: the instant of wall time ``day`` (a ``DATE`` or ``TIMESTAMP`` expression, its midnight) plus
    ``seconds`` in ``source_tz`` (a slot's ends, a whole day's: ``86400`` is the next midnight).

    Examples
    --------
    >>> import duckdb
    >>> _ = duckdb.execute("SET TimeZone = 'UTC'")
    >>> sql = wall_instant_sql("DATE '2019-01-02'", "86400", source_tz="Asia/Taipei")
    >>> str(duckdb.sql(f"SELECT {sql}").fetchall()[0][0])
    '2019-01-02 16:00:00+00:00'
    """
    wall = f"(CAST(CAST({day} AS DATE) AS TIMESTAMP) + to_seconds(CAST({seconds} AS BIGINT)))"
    return _localize(wall, source_tz, floor_year)
