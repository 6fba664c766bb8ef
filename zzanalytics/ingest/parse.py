"""The parse stage: raw text rows → typed canonical columns (private to ingest).

:func:`parse` takes the read stage's relation (:class:`~zzanalytics.ingest.cells.Loaded`) and the
column plan (:class:`~zzanalytics.ingest.plan.Plan`) and returns a relation with, per mapped
canonical column, its raw text (``raw_<name>``) and its typed value (``<name>``): labels looked up,
dates read by their shape in the source's zone, numbers in the declared format, coordinates
converted to WGS-84 (``_wx``, ``_wy``, with the location code ``_loc``). A value that cannot be read
is NULL beside its raw text; :mod:`.validate` turns that into a reason.

Each canonical column is one function of its raw SQL: :func:`column_sql`. A new form of a column
(a date written another way, a packed cell) is a new branch there or a new function it calls, and
nothing else changes.

Examples
--------
>>> from zzanalytics.ingest.mapping import read_mapping
>>> from zzanalytics.ingest.plan import Col
>>> m = read_mapping({"columns": {"deaths": "死亡"}})
>>> column_sql(Col("deaths", "int", False, 'r."死亡"'), m, {}, "UTC")[0]
'CAST(r."死亡" AS VARCHAR)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zzanalytics.errors import StoreError
from zzanalytics.ingest.dates import (
    date_sql,
    gap_sql,
    reading,
    seconds_of_day_sql,
    timestamp_sql,
    with_time_of_day_sql,
)
from zzanalytics.ingest.expressions import number_sql
from zzanalytics.ingest.mapping import FALSE_WORDS, TRUE_WORDS, Mapping
from zzanalytics.ingest.plan import Col, Plan, lookup_sql, vocab
from zzanalytics.sql import ident, literal

__all__ = ["Parsed", "column_sql", "first_year", "parse"]


def first_year(m: Mapping) -> int:
    """First year a date of the mapping's source may have (its ``date_floor``; 1970 without one).

    Examples
    --------
    >>> from zzanalytics.ingest.mapping import read_mapping
    >>> first_year(read_mapping({"source": {"date_floor": "2014-01-01"}}))
    2014
    """
    return int(m.date_floor[:4]) if m.date_floor[:4].isdigit() else 1970


def column_sql(c: Col, m: Mapping, lookups: dict[str, dict[str, str]], tz: str) -> tuple[str, str]:
    """(raw expression over ``r``, typed expression over ``v``) of one mapped canonical column.

    ``tz`` is the store's time zone: timestamps become instants, dates the calendar date there.
    Raw values are text; readers already turned empty cells and NULL words into NULL. Labels, ids
    and dates are trimmed; numbers need not be (casts ignore spaces).
    """
    if c.dtype == "geometry":
        return str(c.src), f"CAST(v.{ident('raw_' + c.name)} AS BLOB)"
    src = f"CAST({c.src} AS VARCHAR)"
    # trim only values that need it: trim() walks every string, the two LIKE tests only its ends
    trimmed = f"CASE WHEN {src} LIKE ' %' OR {src} LIKE '% ' THEN trim({src}) ELSE {src} END"
    raw = src if c.dtype in ("float", "int") else f"NULLIF({trimmed}, '')"
    r = f"v.{ident('raw_' + c.name)}"
    lk = lookups.get(c.name)
    mapped = f"COALESCE({lookup_sql(r, lk)}, {r})" if lk else r
    words = vocab(m.table, c.name)
    if c.name in ("category", "area_code") and lk:
        typed = lookup_sql(r, lk)
    elif words:
        allowed = ", ".join(literal(x) for x in words)
        typed = f"CASE WHEN {mapped} IN ({allowed}) THEN {mapped} END"
    elif c.dtype == "str":
        typed = mapped
    elif c.dtype == "timestamp":
        typed = timestamp_sql(mapped, **reading(m, c.name), floor_year=first_year(m))
    elif c.dtype == "date":
        typed = date_sql(mapped, **reading(m), store_tz=tz)
    elif c.dtype in ("float", "int"):
        typed = _number(mapped, m, c)
    elif c.dtype == "bool":
        t = ", ".join(literal(w) for w in TRUE_WORDS)
        f = ", ".join(literal(w) for w in FALSE_WORDS)
        typed = f"CASE WHEN lower({mapped}) IN ({t}) THEN true WHEN lower({mapped}) IN ({f}) THEN false END"
    else:  # pragma: no cover - schema only uses the dtypes above
        raise StoreError(f"column {c.name}: unknown dtype {c.dtype}")
    return raw, typed


def _number(mapped: str, m: Mapping, c: Col) -> str:
    num = number_sql(mapped, m.number_format)
    unit = m.units.get(c.name)
    if unit is not None:
        num = f"({num} * {float(unit)!r})"
    if c.dtype == "int":
        return f"CASE WHEN {num} = floor({num}) AND abs({num}) < 9e15 THEN CAST({num} AS BIGINT) END"
    return f"CASE WHEN isfinite({num}) THEN {num} END"


def _time_gap_sql(instant: str, seconds: str, m: Mapping) -> str | None:
    """SQL condition: the date of ``instant`` at ``seconds`` past midnight (``[source] time_column``)
    is a wall time in a spring-forward gap of the source's zone (moved, and noted)."""
    from zzanalytics.ingest.dates import zone_shift

    if zone_shift(m.timezone, first_year(m))[1] == 0:
        return None
    tz = literal(m.timezone)
    day = f"CAST(CAST(timezone({tz}, {instant}) AS DATE) AS TIMESTAMP)"
    wall = f"({day} + to_seconds(CAST({seconds} AS BIGINT)))"
    return f"({seconds} IS NOT NULL AND timezone({tz}, timezone({tz}, {wall})) <> {wall})"


@dataclass
class Parsed:
    """The parse stage's result: the relation and what it holds besides the canonical columns."""

    rel: Any
    gap: bool = False  # column _gap: true where a naive time fell in a spring-forward gap
    todless: bool = False  # column _todless: the date has no readable time of day ([source] time_column)


def _location_sql(plan: Plan) -> list[str]:
    """Typed columns of the raw point: ``_x``, ``_y`` and the code of a missing/incomplete/unreadable one."""
    rl = "v.raw_lon" if plan.columns["lon"].src else "NULL"
    ra = "v.raw_lat" if plan.columns["lat"].src else "NULL"
    x, y = f"TRY_CAST({rl} AS DOUBLE)", f"TRY_CAST({ra} AS DOUBLE)"
    return [
        f"{x} AS _x, {y} AS _y",
        f"CASE WHEN {rl} IS NULL AND {ra} IS NULL THEN 0 WHEN {rl} IS NULL OR {ra} IS NULL THEN 1 "
        f"WHEN {x} IS NULL OR {y} IS NULL OR NOT isfinite({x}) OR NOT isfinite({y}) THEN 2 "
        "ELSE 0 END AS _loc",
    ]


def parse(rel: Any, plan: Plan, m: Mapping, tz: str, located: Any = None) -> Parsed:
    """Typed canonical columns of the rows of ``rel`` (a relation of the file's raw text).

    ``located`` is :func:`~zzanalytics.ingest.locations.location_sql`'s wrapper for the file's
    coordinate system (None without coordinates). Source columns ride along as ``_s0``, ``_s1`` …
    (for the raw row a quarantined record keeps), and ``_line`` when the reader gives it.
    """
    if plan.personal[0]:  # [personal] columns: masked before anything reads them
        from zzanalytics.privacy import masked_source_sql

        rel = rel.query("r0", f"SELECT * FROM {masked_source_sql('r0', plan.headers, *plan.personal)}")
    raws, typeds = [], []
    gaps_tod = None
    cols = plan.mapped
    for c in cols:
        raw, typed = column_sql(c, m, plan.lookups, tz)
        raws.append(f"{raw} AS {ident('raw_' + c.name)}")
        if c.name == "occurred_at" and m.time_column:  # date and time of day in two columns
            tod = {h.strip(): h for h in plan.headers}[m.time_column.strip()]
            tod_sql = seconds_of_day_sql("r." + ident(tod), m.time_format)  # a slot: its start
            raws.append(f"{tod_sql} AS _tod")
            gaps_tod = _time_gap_sql(typed, "v._tod", m)
            typed = with_time_of_day_sql(
                typed, "v._tod", source_tz=m.timezone, floor_year=first_year(m), unit="s"
            )
            typeds.append("v._tod IS NULL AS _todless")
        if c.name not in ("lon", "lat"):
            typeds.append(f"{typed} AS {ident(c.name)}")
    gaps = [
        g
        for c in cols
        if c.dtype == "timestamp"
        and (g := gap_sql(f"v.{ident('raw_' + c.name)}", **reading(m), floor_year=first_year(m)))
    ]
    if m.time_column and "occurred_at" in plan.columns and gaps_tod:
        gaps.append(gaps_tod)
    if gaps:  # kept, read shifted forward (dates.py); ingest reports them as a data-quality note
        typeds.append(f"CASE WHEN {' OR '.join(gaps)} THEN true END AS _gap")
    carried = [f"r.{ident(h)} AS _s{i}" for i, h in enumerate(plan.headers) if h != "geometry"]
    carried += [f"r.{c} AS {c}" for c in ("_line", "_ord") if c in rel.columns]
    if plan.has_loc:
        typeds += _location_sql(plan)
        if "_pcode" in rel.columns:  # points worked out in Python (locations.point_source)
            carried += ["r._pwx AS _pwx", "r._pwy AS _pwy", "r._pcode AS _pcode"]
    sql = f"SELECT v.*, {', '.join(typeds)} FROM (SELECT {', '.join([*raws, *carried])} FROM r) v"
    if plan.has_loc and located is not None:
        sql = located(sql)
    todless = bool(m.time_column and "occurred_at" in plan.columns)
    return Parsed(rel.query("r", sql), gap=bool(gaps), todless=todless)
