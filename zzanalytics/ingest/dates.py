"""SQL expressions that parse the date forms real exports write (private to ingest).

Recognised without a ``date_format`` (tried in this order):

* ``2026-05-06 21:30:00``, ``2026-05-06 21:30``, ``2026-05-06``, ``2026-5-6 9:05`` (ISO, unpadded too),
  ``2026-05-06T21:30:00``, fractional seconds;
* ``2026/5/6 21:30``, ``2026/05/06 21:30:00``, ``2026/5/6``, ``2026.5.6``;
* ``20260506``, ``20260506213000``, ``202605062130``;
* ``2026年5月6日``, ``2026年5月6日 21:30``, ``2026年5月6日 21时30分``, ``2026年5月6日21时30分``;
* with a UTC offset: ``2026-05-06T21:30:00+08:00``, ``...Z``, ``...+0800``, ``...+08``
  (converted to local time);
* Excel serial day numbers (``46148.89``; 1900 date system, values 10000–100000).

With a ``date_format`` the pattern is used instead of the forms above; ISO forms
with dashes (what XLSX date cells become), ISO with an offset and Excel serials
still parse, since none of them can be confused with another date.

Speed: rather than trying every pattern on every value, one cheap test (does the
text contain 年, /, an offset, a dash, or only digits?) picks the one or two
patterns that can match, so parsing costs about one ``strptime`` or cast per value.

Examples
--------
>>> import duckdb
>>> sql = timestamp_sql("x", source_tz="Asia/Shanghai", local_tz="Asia/Shanghai")
>>> con = duckdb.connect()
>>> con.execute(f"SELECT {sql} FROM (VALUES ('2026年5月6日')) t(x)").fetchall()[0][0]
datetime.datetime(2026, 5, 6, 0, 0)
"""

from __future__ import annotations

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


def timestamp_sql(col: str, *, source_tz: str, local_tz: str, date_format: str = "") -> str:
    """SQL giving a naive local ``TIMESTAMP`` from varchar expression ``col`` (NULL when unparseable)."""
    x = col
    offset = f"timezone({literal(local_tz)}, TRY_CAST({x} AS TIMESTAMPTZ))"
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
    else:
        branches = [f"WHEN contains({x}, '-') THEN TRY_CAST({x} AS TIMESTAMP)", *branches]
    naive = "CASE " + " ".join(branches) + " END"
    if date_format:
        if "%z" in date_format:
            given = f"timezone({literal(local_tz)}, try_strptime({x}, {literal(date_format)}))"
        else:
            given = f"try_strptime({x}, {literal(date_format)})"
            if source_tz != local_tz:
                given = f"timezone({literal(local_tz)}, timezone({literal(source_tz)}, {given}))"
    if source_tz != local_tz:
        naive = f"timezone({literal(local_tz)}, timezone({literal(source_tz)}, {naive}))"
    # the offset pattern needs a ':' and a sign or a final 'Z': two cheap tests spare most values the regex
    maybe = f"contains({x}, ':') AND (contains({x}, '+') OR contains({x}, '-') OR suffix({x}, 'Z'))"
    expr = f"CASE WHEN {maybe} AND regexp_matches({x}, {literal(_OFFSET_RE)}) THEN {offset} ELSE {naive} END"
    if date_format:
        expr = f"COALESCE({given}, {expr})"
    return expr
