"""The validate stage: each row's first failing check (private to ingest).

:func:`validate` adds ``_rc`` to the parsed relation: 0 for a row that can be counted, else the
1-based number of its first failing check in :class:`Checks` (reason code, column and the SQL of
the offending value). A check is one ``(condition, reason)`` pair over the parsed columns
(:func:`column_checks`): missing required values, unreadable dates and numbers, dates before the
floor or in the future, labels the mapping does not know (not areas: a row whose area is no area
of the store is kept, unassigned), negative or implausible numbers, ids a
spreadsheet rounded, and (tables that need a point) impossible locations. Areas and points are
checked against the store's polygons once the rows are staged (:mod:`.areas`).

Examples
--------
>>> from zzanalytics.ingest.mapping import read_mapping
>>> from zzanalytics.ingest.plan import Col
>>> m = read_mapping({"columns": {"deaths": "死亡"}})
>>> [r for _, r in column_checks(Col("deaths", "int", False, "x"), m, False, "", "2030-01-01", "UTC")]
['unparseable_number', 'negative_number', 'implausible_number']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zzanalytics.ingest.mapping import FUTURE_OK, Mapping
from zzanalytics.ingest.plan import Col, Plan, vocab
from zzanalytics.ingest.reasons import LOCATION_REASONS
from zzanalytics.schema import TABLES
from zzanalytics.sql import ident, literal

__all__ = ["Checks", "column_checks", "label_columns", "validate"]


@dataclass
class Checks:
    """The checks of a file in order: reason code, column, and the SQL of the value shown."""

    reasons: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)

    def add(self, reason: str, column: str, value: str) -> int:
        """Append a check; return its number (the ``_rc`` of rows that fail it)."""
        self.reasons.append(reason)
        self.columns.append(column)
        self.values.append(value)
        return len(self.reasons)

    def value_sql(self) -> str:
        """SQL of the offending value of a row by its ``_rc``."""
        if not self.values:
            return "NULL"
        return "CASE _rc " + " ".join(f"WHEN {i + 1} THEN {v}" for i, v in enumerate(self.values)) + " END"


def column_checks(
    c: Col, m: Mapping, key_generated: bool, floor: str, ceiling: str, tz: str
) -> list[tuple[str, str]]:
    """(condition, reason) pairs for one column, in order; conditions refer to raw_/typed columns.

    ``floor`` and ``ceiling`` are wall times of the store's zone ``tz``.
    """
    raw, typed = ident("raw_" + c.name), ident(c.name)
    out: list[tuple[str, str]] = []
    if c.name in ("lon", "lat"):
        return out  # location faults never quarantine (cameras: see validate)
    if c.required and not (key_generated and c.name == TABLES[m.table].key):
        out.append((f"{raw} IS NULL" if c.dtype != "geometry" else f"{typed} IS NULL", "missing_value"))
    if c.dtype in ("timestamp", "date"):
        out.append((f"{raw} IS NOT NULL AND {typed} IS NULL", "unparseable_date"))
        lo, hi = f"TIMESTAMP {literal(floor)}", f"TIMESTAMP {literal(ceiling)}"
        if c.dtype == "timestamp":  # an instant: the bounds are wall times of the store's zone
            lo, hi = f"timezone({literal(tz)}, {lo})", f"timezone({literal(tz)}, {hi})"
        if floor:
            out.append((f"{typed} < {lo}", "date_before_floor"))
        if (m.table, c.name) not in FUTURE_OK:
            out.append((f"{typed} > {hi}", "date_in_future"))
    elif c.name == "category" and m.table == "incidents":
        out.append((f"{raw} IS NOT NULL AND {typed} IS NULL", "unknown_category"))
    elif c.name == "area_code" and m.table != "areas":
        pass  # a label that is no area's: the row is kept, unassigned (listed by the report)
    elif vocab(m.table, c.name) or c.dtype == "bool":
        out.append((f"{raw} IS NOT NULL AND {typed} IS NULL", "unknown_value"))
    elif c.dtype in ("float", "int"):
        out.append((f"{raw} IS NOT NULL AND {typed} IS NULL AND trim({raw}) <> ''", "unparseable_number"))
        if c.name not in ("value", "ceiling"):
            out.append((f"{typed} < 0", "negative_number"))
        if c.name in m.limits:
            lo, hi = m.limits[c.name]
            out.append((f"{typed} < {literal(lo)} OR {typed} > {literal(hi)}", "implausible_number"))
    if key_generated is False and c.name == TABLES[m.table].key and c.dtype == "str":
        # an id a spreadsheet turned into a number: 1.23457E+18 (distinct ids collide)
        out.append((f"regexp_full_match({raw}, '[+-]?[0-9](\\.[0-9]+)?[eE]\\+?[0-9]+')", "rounded_id"))
    return out


def label_columns(m: Mapping, plan: Plan) -> list[str]:
    """Mapped columns whose values are labels looked up (categories, areas, enumerations, booleans)."""
    return [
        c.name
        for c in plan.mapped
        if (c.name == "category" and m.table == "incidents")
        or (c.name == "area_code" and m.table != "areas")
        or vocab(m.table, c.name)
        or c.dtype == "bool"
    ]


def validate(parsed: Any, plan: Plan, m: Mapping, floor: str, ceiling: str, tz: str) -> tuple[Any, Checks]:
    """The parsed relation with ``_rc`` (0, or the number of the row's first failing check)."""
    checks = Checks()
    conds = []
    generated = plan.key_mode in ("generated", "declared")
    for c in plan.mapped:
        for cond, reason in column_checks(c, m, generated, floor, ceiling, tz):
            value = "NULL" if c.dtype == "geometry" else f"CAST({ident('raw_' + c.name)} AS VARCHAR)"
            conds.append(f"WHEN {cond} THEN {checks.add(reason, c.name, value)}")
    if plan.has_loc and TABLES[m.table].column("lon").required:
        where = "concat(raw_lon, ',', raw_lat)"
        conds.append(
            f"WHEN raw_lon IS NULL AND raw_lat IS NULL THEN {checks.add('missing_location', 'lon', where)}"
        )
        for code, reason in LOCATION_REASONS.items():
            conds.append(f"WHEN _loc = {code} THEN {checks.add(reason, 'lon', where)}")
    rc = "CASE " + " ".join(conds) + " ELSE 0 END" if conds else "0"
    return parsed.query("p", f"SELECT *, CAST({rc} AS SMALLINT) AS _rc FROM p"), checks
