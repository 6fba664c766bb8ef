"""The briefing's period and area: parsed from the command line or taken from the store.

Used by the renderer (before the notebook runs) and by :func:`~zzanalytics.report.briefing.load`.

The default period (:func:`default_period`) lies inside what the data cover: its end is the end of
the latest complete month the store's main source covers — its criminal cases, else its other
incidents (traffic, fire), else petitions, else disputes — and it starts on 1 January of that year,
or with the first complete month that source covers when it starts later. A store of one month gets
that month; a store whose data ended a year ago gets that year. :func:`default_period` also says
why, and ``zz briefing`` prints it. An explicit period no source of the store reaches is refused
with the coverage named (:func:`check_period`); one that some source reaches is briefed, each
section saying what its data do not cover. ``--area`` is a township's code or name
(:func:`find_area`).

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

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from zzanalytics.clock import wall_day, wall_stamp
from zzanalytics.errors import ReportError, ZZError
from zzanalytics.report.briefing.cover import slack_of
from zzanalytics.report.phrases import fill
from zzanalytics.schema import CRIMINAL_PREFIXES, is_criminal, natural_key

DISTRICT = "district"
DISTRICT_TITLE = ("全区", "Whole district")
"""The whole district's name in a briefing's title and file index."""

MAIN_SOURCES: tuple[tuple[str, Any, str], ...] = (
    ("criminal cases", CRIMINAL_PREFIXES, "incidents"),
    ("incidents", None, "incidents"),
    ("petitions", None, "petitions"),
    ("disputes", None, "disputes"),
)
"""The sources a default period follows, in order: the first the store holds decides."""


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


@dataclass(frozen=True)
class Chosen:
    """A default period and why it was chosen (``why``: one line for the command to print)."""

    start: pd.Timestamp
    end: pd.Timestamp
    why: str


def _spans(cov: Any, cats: Any, table: str) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """(start, end, slack) of the spans of a main source (categories of incidents, or a table)."""
    if table == "incidents" and cats is None:
        cats = cov.categories("incidents") or None
        if cats is None:
            return []
    wanted = [c for c in cats if cov.holds(c, table)] if cats is not None else None
    if wanted is not None and not wanted:
        return []
    if wanted is None and not cov.holds(None, table):
        return []
    out = []
    for c in wanted or [None]:
        slack = slack_of(cov, c, table)
        out += [(a, b, slack) for a, b in cov.span(c, table)]
    return out


def coverage_text(cov: Any) -> str:
    """The main sources' coverage for a message: ``criminal cases 2019-01-01 to 2026-10-31; …``.

    Examples
    --------
    >>> from zzanalytics.store.coverage import Coverage
    >>> day = pd.to_datetime
    >>> cov = Coverage.from_frame(pd.DataFrame({"table": ["incidents", "petitions"],
    ...     "category": ["assault", None], "start": day(["2014-01-01", "2015-01-01"]),
    ...     "end": day(["2021-12-31"] * 2)}))
    >>> coverage_text(cov)
    'criminal cases 2014-01-01 to 2021-12-31; petitions 2015-01-01 to 2021-12-31'
    """
    groups: list[tuple[str, Any, str]] = [MAIN_SOURCES[0]]
    others = [c for c in cov.categories("incidents") if not is_criminal(c)]
    for first in sorted({c.split(".")[0] for c in others}):  # traffic, fire: each on its own
        groups.append((first, [c for c in others if c.split(".")[0] == first], "incidents"))
    groups += list(MAIN_SOURCES[2:])
    parts = []
    for name, cats, table in groups:
        spans = _spans(cov, cats, table)
        if spans:
            merged = sorted({(a, b) for a, b, _ in spans})
            text = ", ".join(f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in _merge(merged))
            parts.append(f"{name} {text}")
    return "; ".join(parts) or "nothing (the store holds no dated records)"


def _merge(spans: list[tuple[pd.Timestamp, pd.Timestamp]]) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    out: list[list[pd.Timestamp]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + pd.Timedelta(days=1):
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def default_period(store: Any) -> Chosen:
    """The default briefing period of a store, and why (see the module).

    Examples
    --------
    >>> default_period(None).why  # doctest: +SKIP
    'the latest complete months the criminal cases cover (2019-01-01 to 2026-10-31)'
    """
    from zzanalytics.report.briefing.cover import briefing_coverage

    with opened(store) as st:
        cov = briefing_coverage(st)
        where = getattr(st, "path", store)
    for name, cats, table in MAIN_SOURCES:
        spans = _spans(cov, cats, table)
        if not spans:
            continue
        last = max(spans, key=lambda s: s[1])
        start, end = last_complete_period(last[1], last[2])
        # where the data reaching into that year start (whole months)
        starts = [a for a, b, _ in spans if b >= start and a <= end]
        first = None
        if starts:
            lo = min(starts)
            first = lo if lo.day == 1 else lo + pd.offsets.MonthBegin(1)
        if first is None or end < first:  # under a month of data: the days they cover
            start, end = last[0], last[1]
            what = "the days"
        else:
            start = max(start, first)
            what = "the latest complete months"
        text = ", ".join(f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in _merge([(a, b) for a, b, _ in spans]))
        label = "other incidents" if name == "incidents" else name
        return Chosen(start, end, f"{what} the {label} cover ({text})")
    raise ReportError(
        f"the store {where} holds no dated records (incidents, petitions or disputes); ingest some first"
    )


def announce_period(store: Any) -> str:
    """The default period as ``START:END``, printed on stderr with why it was chosen (what
    ``zz briefing`` without ``--period`` says).

    Examples
    --------
    >>> announce_period(None)  # doctest: +SKIP
    period 2026-01-01:2026-10-31: the latest complete months the criminal cases cover (2019-01-01 to …)
    '2026-01-01:2026-10-31'
    """
    import sys

    chosen = default_period(store)
    period = f"{chosen.start.date()}:{chosen.end.date()}"
    print(f"period {period}: {chosen.why}", file=sys.stderr)
    return period


def check_period(store: Any, start: Any, end: Any) -> None:
    """Refuse a period that no data of the store reach, naming their coverage and the default.

    Examples
    --------
    >>> check_period(None, "2030-01-01", "2030-06-30")  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    zzanalytics.errors.ReportError: --period 2030-01-01:2030-06-30: no data of the store cover any day ...
    """
    from zzanalytics.report.briefing.cover import briefing_coverage

    with opened(store) as st:
        cov = briefing_coverage(st)
    reached = False
    for _name, cats, table in MAIN_SOURCES:
        for a, b, _ in _spans(cov, cats, table):
            reached |= bool(a <= pd.Timestamp(end) and b >= pd.Timestamp(start))
    if reached:
        return
    default = default_period(store)
    raise ReportError(
        f"--period {pd.Timestamp(start).date()}:{pd.Timestamp(end).date()}: no data of the store cover "
        f"any day of it (the data cover {coverage_text(cov)}); choose a period inside them "
        f"(the default is {default.start.date()}:{default.end.date()})"
    )


def core_coverage(st: Any) -> pd.DataFrame | None:
    """Spans of the store's criminal cases (all incidents' when it has none) as the briefing
    trusts them (:func:`~zzanalytics.report.briefing.cover.briefing_coverage`); None when the store
    holds no incidents. (The holiday report's period check.)

    Examples
    --------
    >>> with opened(None) as st:  # doctest: +SKIP
    ...     core_coverage(st)["end"].max()
    Timestamp('2026-10-31 00:00:00')
    """
    from zzanalytics.report.briefing.cover import briefing_coverage

    if not hasattr(st, "coverage"):
        return None
    cov = briefing_coverage(st).table("incidents").to_frame()
    if cov.empty:
        return None
    crim = cov[[is_criminal(str(c)) for c in cov["category"]]]
    return crim if len(crim) else cov


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
    """The briefing period: ``period`` when given (checked against the store's coverage,
    :func:`check_period`), else :func:`default_period`.

    Examples
    --------
    >>> resolve_period(None, "2026-01-01:2026-06-30")[0]
    Timestamp('2026-01-01 00:00:00')
    """
    if period:
        start, end = parse_period(period)
        check_period(store, start, end)
        return start, end
    chosen = default_period(store)
    return chosen.start, chosen.end


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
