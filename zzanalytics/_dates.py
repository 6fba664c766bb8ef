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

With a ``date_format`` the pattern is used instead of the forms above; ISO
``%Y-%m-%d %H:%M:%S`` (what XLSX date cells become) and Excel serials still parse,
since neither can be confused with another date.

Examples
--------
>>> import duckdb
>>> sql = timestamp_sql("x", source_tz="Asia/Shanghai", local_tz="Asia/Shanghai")
>>> con = duckdb.connect()
>>> con.execute(f"SELECT {sql} FROM (VALUES ('2026年5月6日')) t(x)").fetchall()[0][0]
datetime.datetime(2026, 5, 6, 0, 0)
"""

from __future__ import annotations

NAIVE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y%m%d",
    "%Y%m%d%H%M%S",
    "%Y%m%d%H%M",
    "%Y年%m月%d日",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H时%M分",
    "%Y年%m月%d日%H时%M分",
    "%Y年%m月%d日 %H时%M分%S秒",
    "%Y年%m月%d日%H时%M分%S秒",
    "%Y.%m.%d",
    "%Y.%m.%d %H:%M",
)
TZ_FORMATS: tuple[str, ...] = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M%z",
)
STRICT_FORMATS: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
"""Unambiguous forms still accepted next to an explicit ``date_format``."""


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _list(formats: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_lit(f) for f in formats) + "]"


def timestamp_sql(col: str, *, source_tz: str, local_tz: str, date_format: str = "") -> str:
    """SQL giving a naive local ``TIMESTAMP`` from varchar column ``col`` (NULL when unparseable)."""
    naive_formats = (date_format, *STRICT_FORMATS) if date_format else NAIVE_FORMATS
    naive = f"try_strptime({col}, {_list(list(naive_formats))})"
    if source_tz != local_tz:
        naive = f"timezone({_lit(local_tz)}, timezone({_lit(source_tz)}, {naive}))"
    parts = [naive]
    if not date_format or "%z" not in date_format:
        zcol = f"regexp_replace({col}, 'Z$', '+00:00')"
        parts.append(
            f"CASE WHEN regexp_matches({col}, '([+-]\\d\\d(:?\\d\\d)?|Z)$') "
            f"THEN timezone({_lit(local_tz)}, try_strptime({zcol}, {_list(TZ_FORMATS)})) END"
        )
    serial = f"TRY_CAST({col} AS DOUBLE)"
    parts.append(
        f"CASE WHEN {serial} BETWEEN 10000 AND 100000 AND regexp_full_match({col}, '\\d{{5}}(\\.\\d+)?') "
        f"THEN TIMESTAMP '1899-12-30' + to_seconds(CAST(round({serial} * 86400) AS BIGINT)) END"
    )
    return "COALESCE(" + ", ".join(parts) + ")"
