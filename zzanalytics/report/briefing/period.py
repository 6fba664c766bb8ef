"""The briefing's period and area: parsed from the command line or taken from the store.

Used by the renderer (before the notebook runs) and by :func:`~zzanalytics.report.briefing.load`.

The default period is 1 January to the end of the latest complete month that the store's
criminal cases (the core of the briefing) cover; a period outside that coverage is refused with
the coverage named (:func:`check_period`), since a briefing of a period without data would be
assembled from nothing. ``--area`` is a township's code or name (:func:`find_area`).

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
from zzanalytics.schema import is_criminal, natural_key

DISTRICT = "district"
DISTRICT_TITLE = ("全区", "Whole district")
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


def last_complete_period(data_end: Any, slack: int = 0) -> tuple[pd.Timestamp, pd.Timestamp]:
    """1 January to the end of the last complete month, given the last timestamp in the data.

    ``slack``: days by which the data's last day may fall short of what its source covers (see
    :meth:`Store.coverage <zzanalytics.store.Store.coverage>`); a month the last day plus the
    slack reaches the end of is complete.

    Examples
    --------
    >>> last_complete_period("2026-10-15 08:00")
    (Timestamp('2026-01-01 00:00:00'), Timestamp('2026-09-30 00:00:00'))
    >>> last_complete_period("2026-10-28", slack=4)[1]
    Timestamp('2026-10-31 00:00:00')
    """
    day = wall_day(data_end)
    month_end = day + pd.offsets.MonthEnd(0)
    end = (
        month_end
        if day + pd.Timedelta(days=int(slack)) >= month_end
        else day.replace(day=1) - pd.Timedelta(days=1)
    )
    return pd.Timestamp(end.year, 1, 1), end


def core_coverage(st: Any) -> pd.DataFrame | None:
    """Coverage spans of the store's criminal cases (all incidents' when it has none); for a store
    that records no coverage (built by an older version, or written by hand) the span of its
    records; None when it holds no incidents.

    Examples
    --------
    >>> with opened(None) as st:  # doctest: +SKIP
    ...     core_coverage(st)["end"].max()
    Timestamp('2026-10-31 00:00:00')
    """
    if not hasattr(st, "coverage"):
        return None
    cov = st.coverage("incidents").to_frame()
    if cov is None or cov.empty:
        cov = _record_spans(st)
        if cov is None:
            return None
    crim = cov[[is_criminal(str(c)) for c in cov["category"]]]
    return crim if len(crim) else cov


def _record_spans(st: Any) -> pd.DataFrame | None:
    """First and last day of each category's records, on the store's clock (None without records)."""
    try:
        rows = st.con.execute(
            "SELECT category, CAST(min(timezone(?, occurred_at)) AS DATE), "
            "CAST(max(timezone(?, occurred_at)) AS DATE) FROM incidents GROUP BY 1",
            [st.timezone, st.timezone],
        ).fetchall()
    except Exception:  # not a store of this version: no spans to check against
        return None
    if not rows:
        return None
    return pd.DataFrame(
        {
            "table": "incidents",
            "category": [r[0] for r in rows],
            "start": pd.to_datetime([r[1] for r in rows]),
            "end": pd.to_datetime([r[2] for r in rows]),
            "slack": 0,
        }
    )


def spans_text(spans: pd.DataFrame) -> str:
    """Coverage spans for a message: ``2014-01-01 to 2021-12-31`` (merged over categories).

    Examples
    --------
    >>> spans_text(pd.DataFrame({"table": "incidents", "category": ["a", "b"],
    ...                          "start": pd.to_datetime(["2014-01-01"] * 2),
    ...                          "end": pd.to_datetime(["2021-12-31"] * 2)}))
    '2014-01-01 to 2021-12-31'
    """
    from zzanalytics.store.spans import merge_spans

    merged = merge_spans(spans.assign(category=None))
    return ", ".join(
        f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in zip(merged["start"], merged["end"], strict=True)
    )


def check_period(store: Any, start: Any, end: Any) -> None:
    """Refuse a period the store's criminal cases do not cover, naming their coverage and the default.

    Examples
    --------
    >>> check_period(None, "2030-01-01", "2030-06-30")  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    zzanalytics.errors.ReportError: --period 2030-01-01:2030-06-30: the store's criminal cases cover ...
    """
    from zzanalytics.aggregate import range_covered

    with opened(store) as st:
        spans = core_coverage(st)
    if spans is None or range_covered(spans, None, start, end):
        return
    default = last_complete_period(*_covered_end(spans))
    raise ReportError(
        f"--period {pd.Timestamp(start).date()}:{pd.Timestamp(end).date()}: the store's criminal cases cover "
        f"{spans_text(spans)}, so a briefing of this period would have no data; choose a period inside "
        f"it (the default is {default[0].date()}:{default[1].date()})"
    )


def _covered_end(spans: pd.DataFrame) -> tuple[pd.Timestamp, int]:
    """(last covered day, its slack) of coverage spans."""
    last = spans.loc[spans["end"].idxmax()]
    return pd.Timestamp(last["end"]), int(last.get("slack", 0) or 0)


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
    """The briefing period: ``period`` when given (checked against the coverage of the store's
    criminal cases, :func:`check_period`), else 1 January to the end of the latest complete month
    they cover (:func:`last_complete_period`).

    Examples
    --------
    >>> resolve_period(None, "2026-01-01:2026-06-30")[0]
    Timestamp('2026-01-01 00:00:00')
    """
    if period:
        start, end = parse_period(period)
        check_period(store, start, end)
        return start, end
    with opened(store) as st:
        spans = core_coverage(st)
    if spans is not None:
        return last_complete_period(*_covered_end(spans))
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


LIST_ALL = 30
"""An unknown ``--area`` lists every township when a store has at most this many; else the closest."""


def find_area(store: Any, area: str) -> str:
    """The code of a township given by code or name (Chinese or English; spelling is forgiven as at
    ingest: case, width, spaces, punctuation, a bracketed code suffix).

    An unknown or ambiguous name is a :class:`ReportError` naming the closest townships and how
    many there are (``zz info --areas`` lists them all).

    Examples
    --------
    >>> find_area(None, "鼓楼街道")  # doctest: +SKIP
    '620102001'
    """
    from zzanalytics.ingest.areas import nearest_names, normalise_name

    with opened(store) as st:
        areas = st.areas()
        if areas is None or len(areas) == 0:  # no polygons: the townships the records name
            held = st.con.execute(
                "SELECT DISTINCT area_code FROM incidents WHERE area_code IS NOT NULL"
            ).fetchall()
            areas = pd.DataFrame({"area_code": [str(c) for (c,) in held]})
    if len(areas) == 0:
        raise ReportError(
            f"--area {area!r}: the store has no townships (no areas and no incident with an area); "
            "ingest their polygons or records with an area column first"
        )
    codes = areas["area_code"].astype(str).tolist()
    text = str(area).strip()
    if text in codes:
        return text
    labels: dict[str, set[str]] = {}
    for col in ("name", "name_en"):
        if col in areas.columns:
            for code, name in zip(codes, areas[col], strict=True):
                if isinstance(name, str) and name.strip():
                    labels.setdefault(name.strip(), set()).add(code)
    if not labels:  # codes without names (records naming their township): the codes are the names
        labels = {c: {c} for c in codes}
    exact = labels.get(text)
    if exact is None:
        key = normalise_name(text)
        exact = {c for name, cs in labels.items() if normalise_name(name) == key for c in cs} or None
    if exact is not None and len(exact) == 1:
        return next(iter(exact))
    if exact:
        raise ReportError(
            f"--area {area!r} names {len(exact)} townships ({', '.join(sorted(exact))}); give the code"
        )
    what = f"--area {area!r} is not a township of the store (neither the code nor the name of one)"
    if len(codes) <= LIST_ALL:
        names = areas["name"].astype(str).tolist() if "name" in areas.columns else codes
        pairs = sorted(zip(codes, names, strict=True), key=lambda cn: natural_key(cn[0]))
        shown = (c if n == c else f"{c} {n}" for c, n in pairs)
        raise ReportError(f"{what}; its townships are: " + ", ".join(shown))
    near = nearest_names(text, sorted(labels) + codes, n=5)
    shown = "; ".join(f"{n} ({', '.join(sorted(labels.get(n, {n})))})" for n in near)
    raise ReportError(
        what
        + (f"; closest: {shown}" if near else "")
        + f"; the store has {len(codes)} townships, `zz info --areas` lists them all"
    )


def district_name(store: Any, lang: str = "zh") -> str:
    """The district's name from the store's metadata (``district``; in English ``district_en`` when
    recorded), else ``全区`` / ``Whole district``.

    Examples
    --------
    >>> district_name(None, "en")  # doctest: +SKIP
    'Jinhe District'
    """
    with opened(store) as st:
        meta = st.meta() if hasattr(st, "meta") else {}
    key = fill(("district", "district_en"), lang)  # the name in the briefing's language, else the one
    name = meta.get(key) or meta.get("district")
    return str(name) if name else fill(DISTRICT_TITLE, lang)


def resolve_area(store: Any, area: str | None, lang: str = "zh") -> str:
    """Display name of the briefing's area (a code or a name, see :func:`find_area`); raises
    :class:`ReportError` for an unknown one.

    The whole district is called by its name in the store (``_meta.district``, in English
    ``district_en``), else ``全区`` / ``Whole district``.

    Examples
    --------
    >>> resolve_area(None, None, "en")  # doctest: +SKIP
    'Jinhe District'
    """
    if area in (None, "", DISTRICT):
        return district_name(store, lang)
    code = find_area(store, str(area))
    return area_names(store, lang).get(code, code)


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
