"""The briefing's period and area: parsed from the command line or taken from the store.

Used by the renderer (before the notebook runs) and by :func:`~zzanalytics.report.briefing.load`.

Examples
--------
>>> parse_period("2026-01-01:2026-06-30")
(Timestamp('2026-01-01 00:00:00'), Timestamp('2026-06-30 00:00:00'))
>>> last_complete_period(pd.Timestamp("2026-10-31 22:10"))
(Timestamp('2026-01-01 00:00:00'), Timestamp('2026-10-31 00:00:00'))
>>> last_complete_period(pd.Timestamp("2026-10-15"))
(Timestamp('2026-01-01 00:00:00'), Timestamp('2026-09-30 00:00:00'))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from zzanalytics.clock import wall_day, wall_stamp
from zzanalytics.errors import ReportError, ZZError
from zzanalytics.report.phrases import fill

DISTRICT = "district"
DISTRICT_TITLE = ("全区", "District")
"""The whole district's name in a briefing's title and file index."""


def parse_period(period: str | tuple[Any, Any]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Parse ``"START:END"`` (or a pair) into two naive dates; START must not be after END.

    Examples
    --------
    >>> parse_period("2026-01-01:2026-06-30")[1]
    Timestamp('2026-06-30 00:00:00')
    >>> parse_period("2026-07-01:2026-06-30")
    Traceback (most recent call last):
    ...
    zzanalytics.errors.ReportError: --period starts 2026-07-01 after it ends 2026-06-30; swap the two dates
    """
    if isinstance(period, str):
        parts = period.split(":")
        if len(parts) != 2:
            raise ReportError(
                f"--period was {period!r} but is expected as START:END, e.g. 2026-01-01:2026-06-30"
            )
        period = (parts[0], parts[1])
    try:
        start, end = (wall_day(p).normalize() for p in period)
    except (ValueError, TypeError, ZZError) as exc:
        raise ReportError(f"--period {period!r}: {exc}; use dates like 2026-01-01:2026-06-30") from None
    if start > end:
        raise ReportError(f"--period starts {start.date()} after it ends {end.date()}; swap the two dates")
    return start, end


def last_complete_period(data_end: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    """1 January to the end of the last complete month, given the last timestamp in the data.

    Examples
    --------
    >>> last_complete_period("2026-10-15 08:00")
    (Timestamp('2026-01-01 00:00:00'), Timestamp('2026-09-30 00:00:00'))
    """
    day = wall_day(data_end)
    end = day if day.is_month_end else (day.replace(day=1) - pd.Timedelta(days=1))
    return pd.Timestamp(end.year, 1, 1), end


def data_end(store: Any) -> pd.Timestamp:
    """The last ``occurred_at`` in a store (an open ``Store`` or a path/None).

    Examples
    --------
    >>> data_end(None)  # doctest: +SKIP
    Timestamp('2026-10-31 22:10:00')
    """
    with opened(store) as st:
        try:
            value = st.con.execute("SELECT max(occurred_at) FROM incidents").fetchone()[0]
        except Exception:  # the SQL view may be named differently; fall back to the public API
            value = st.incidents()["occurred_at"].max()
    if value is None or pd.isna(value):
        raise ReportError(f"the store {getattr(st, 'path', store)} holds no incidents; ingest some first")
    return wall_stamp(value, getattr(st, "timezone", None))


def resolve_period(store: Any, period: str | tuple[Any, Any] | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The briefing period: ``period`` when given, else :func:`last_complete_period` of the store.

    Examples
    --------
    >>> resolve_period(None, "2026-01-01:2026-06-30")[0]
    Timestamp('2026-01-01 00:00:00')
    """
    if period:
        return parse_period(period)
    return last_complete_period(data_end(store))


class opened:  # noqa: N801 - used like a function: ``with opened(store) as st``
    """Context manager that opens a store path read-only, or passes an open Store through.

    Examples
    --------
    >>> with opened(None) as st:  # doctest: +SKIP
    ...     st.incidents().shape
    """

    def __init__(self, store: Any) -> None:
        self.store, self.owned = store, None

    def __enter__(self) -> Any:
        if store_like(self.store):
            return self.store
        from zzanalytics.workspace import open_store

        self.owned = open_store(self.store, read_only=True)
        return self.owned

    def __exit__(self, *exc: Any) -> None:
        if self.owned is not None:
            self.owned.close()


def store_like(obj: Any) -> bool:
    """True for an open store object (has ``incidents`` and ``table``), False for a path or None.

    Examples
    --------
    >>> store_like("data/sample/store/zz.duckdb"), store_like(None)
    (False, False)
    """
    return hasattr(obj, "incidents") and hasattr(obj, "table")


def area_names(store: Any, lang: str = "zh") -> dict[str, str]:
    """``area_code -> name`` of every township in the store (cleaned for display).

    Examples
    --------
    >>> area_names(None)["620102001"]  # doctest: +SKIP
    '鼓楼街道'
    """
    from zzanalytics.report import text as tx

    with opened(store) as st:
        areas = st.areas()
    if areas is None or len(areas) == 0:
        return {}
    col = tx.name_column(areas.columns, lang)
    return {str(c): tx.clean(n) or str(c) for c, n in zip(areas["area_code"], areas[col], strict=False)}


def resolve_area(store: Any, area: str | None, lang: str = "zh") -> str:
    """Display name of the briefing's area; raises :class:`ReportError` for an unknown code.

    Examples
    --------
    >>> resolve_area(None, None, "en")
    'District'
    """
    if area in (None, "", DISTRICT):
        return fill(DISTRICT_TITLE, lang)
    names = area_names(store, lang)
    if str(area) not in names:
        shown = ", ".join(f"{c} {n}" for c, n in list(names.items())[:30])
        raise ReportError(f"--area {area!r} is not a township of the store; townships are: {shown or 'none'}")
    return names[str(area)]


def store_path_of(store: Any) -> str | None:
    """A path string for a store argument (Store, path or None).

    Examples
    --------
    >>> store_path_of(None) is None, store_path_of("a/zz.duckdb")
    (True, 'a/zz.duckdb')
    """
    if store is None:
        return None
    if store_like(store):
        return str(store.path)
    return str(Path(store))
