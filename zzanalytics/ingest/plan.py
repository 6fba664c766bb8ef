"""The column plan of a file (private to ingest): which canonical column comes from which source
column or constant, and the label lookups (categories, ``[values.*]``, area names) that turn
labels into codes.

Examples
--------
>>> lookup_sql("x", {"盗窃": "theft.other"})
"CASE x WHEN '盗窃' THEN 'theft.other' END"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zzanalytics.errors import SourceError
from zzanalytics.ingest.columns import column_headers, column_sql
from zzanalytics.ingest.mapping import VOCABULARIES, Mapping
from zzanalytics.ingest.published import address_areas, window_sources
from zzanalytics.schema import LEAF_CATEGORIES, TABLES
from zzanalytics.sql import ident, literal

__all__ = ["Col", "Plan", "lookup_sql", "make_lookups", "make_plan", "resolve_columns", "vocab"]


@dataclass
class Col:
    """One canonical column of a file's plan: its name, logical type, whether the table requires
    it, and ``src``, the SQL of its raw value (a source column or a constant; None when absent)."""

    name: str
    dtype: str
    required: bool
    src: str | None  # SQL expression of the raw value (source column or constant), None when absent


@dataclass
class Plan:
    """The plan stage's result: how each canonical column of one file is read.

    ``columns``: every canonical column of the table with its source SQL (None when absent);
    ``lookups``: label → code per column; ``key_mode``: how a row's record key is made
    (``column``: the mapped id; ``declared``: ``[source] key``; ``generated``: the default identity,
    when + what + where; ``natural``: the table's natural key); ``personal``: (personal headers,
    free-text headers), masked before anything reads them.
    """

    table: str
    headers: list[str]
    columns: dict[str, Col]
    lookups: dict[str, dict[str, str]]
    key_mode: str
    personal: tuple[list[str], list[str]]
    ignored: list[str] = field(default_factory=list)  # headers that tell nothing (a row-number column)

    @property
    def mapped(self) -> list[Col]:
        """The canonical columns the file gives (a source column or a constant)."""
        return [c for c in self.columns.values() if c.src is not None]

    @property
    def has_loc(self) -> bool:
        """Whether the file gives coordinates."""
        cols = self.columns
        return "lon" in cols and (cols["lon"].src is not None or cols["lat"].src is not None)

    def dtype(self, name: str) -> str:
        """Logical type of a staged column (``raw_*`` columns are text)."""
        return "str" if name.startswith("raw_") else self.columns[name].dtype


def make_plan(m: Mapping, headers: list[str], st: Any, path: Path) -> Plan:
    """The plan of a file with ``headers`` under mapping ``m`` for the store ``st``.

    Raises :class:`~zzanalytics.errors.SourceError` naming the mapping line to fix when a mapped
    header, a required column or a ``[personal]`` column is missing.
    """
    from zzanalytics.ingest.mapping import NATURAL_KEYS, personal_columns

    columns = resolve_columns(m, headers, path, address_areas(m, st))
    personal = personal_columns(m, headers, path)
    key = TABLES[m.table].key
    if key is not None:
        mode = "column" if columns[key].src is not None else "declared" if m.key else "generated"
    else:
        mode = "natural" if m.table in NATURAL_KEYS else "generated"
    return Plan(m.table, list(headers), columns, make_lookups(m, columns, st), mode, personal)


def resolve_columns(
    m: Mapping, headers: list[str], path: Path, areas: dict[str, str] | None = None
) -> dict[str, Col]:
    """The plan of a file: each canonical column's source SQL over the row ``r`` (a header, headers
    joined, a number in a packed cell, the area an address names: ``areas`` maps the store's area
    names to codes), or a constant; the windows of dates without a time of day and of time slots."""
    tdef = TABLES[m.table]
    stripped = {h.strip(): h for h in headers}
    plan: dict[str, Col] = {}
    missing_required = []
    for c in tdef.columns:
        if c.name == "source_file":
            continue
        src = None
        if c.name in (m.records.get("rules") or {}):
            src = f"r.{ident('_agg_' + c.name)}"
        elif c.name in m.columns:
            wanted = m.columns[c.name]
            names = column_headers(wanted)
            actual = []
            for header in names:
                found = header if header in headers else stripped.get(header.strip())
                if found is None:
                    shown = ", ".join(f'"{w}"' for w in names)
                    shown = shown if isinstance(wanted, str) else f"[{shown}]"
                    raise SourceError(
                        f"{path}: has no column {header!r}, which {m.where} maps to {c.name} "
                        f"([columns] {c.name} = {shown}); the file's columns are {headers}; "
                        f"fix that line to one of them"
                    )
                actual.append(found)
            src = column_sql(wanted, actual, areas)
            if c.name == tdef.key and m.count_column:  # a row of N offences: ids ID, ID#2 ... ID#N
                src = f"CASE WHEN r._copy > 1 THEN CAST({src} AS VARCHAR) || '#' || r._copy ELSE {src} END"
        elif c.name in m.constants:
            value = m.constants[c.name]
            if isinstance(value, bool):
                value = "true" if value else "false"
            src = literal(str(value))
        elif c.name in stripped:
            src = f"r.{ident(stripped[c.name])}"
        if src is None and c.required and c.name != tdef.key:
            missing_required.append(c.name)
        plan[c.name] = Col(c.name, c.dtype, c.required, src)
    if m.time_column and m.time_column.strip() not in stripped:
        raise SourceError(
            f"{path}: has no column {m.time_column!r}, which {m.where} names as [source] time_column; "
            f"the file's columns are {headers}; fix that line to one of them"
        )
    if m.table == "incidents":
        window_sources(m, plan, headers)
    if missing_required:
        lines = "; ".join(f'{n} = "<header>"' for n in missing_required)
        raise SourceError(
            f"{path}: table {m.table!r} needs column(s) {missing_required} but {m.where} does not map them "
            f"and the file has no column of that name; the file's columns are {headers}; "
            f"add to [columns]: {lines} (or set a value for the whole file under [constants])"
        )
    return plan


def vocab(table: str, col: str) -> tuple[str, ...] | None:
    return VOCABULARIES.get((table, col))


def make_lookups(m: Mapping, plan: dict[str, Col], st: Any) -> dict[str, dict[str, str]]:
    """Label → value maps per column: ``[values.*]``, categories (+ codes as themselves), area names."""
    lookups: dict[str, dict[str, str]] = {}

    def add(col: str, pairs: list[tuple[str, str]]) -> None:
        table: dict[str, str] = {}
        for k, v in pairs:
            table.setdefault(str(k), str(v))
        lookups[col] = table

    for col, pairs in m.values.items():
        if plan.get(col) and plan[col].src is not None:
            add(col, [(k, _value_text(v)) for k, v in pairs.items()])
    if m.table == "incidents" and plan["category"].src is not None:
        own = {
            *LEAF_CATEGORIES,
            *(v for k, v in m.categories.items() if k != "*"),
            str(m.constants.get("category") or ""),
        }
        add("category", [*m.categories.items(), *((c, c) for c in own if c)])  # codes stand for themselves
    if "area_code" in plan and m.table != "areas" and plan["area_code"].src is not None:
        pairs = list(m.areas.items())
        known = st.area_names()
        if len(known):
            pairs += list(zip(known["label"].astype(str), known["area_code"].astype(str), strict=True))
        pairs += [(v, v) for v in m.areas.values()]  # a code of [areas] stands for itself
        if pairs:
            add("area_code", pairs)
    return lookups


def lookup_sql(x: str, table: dict[str, str]) -> str:
    """``CASE x WHEN label THEN value ... END``: as fast as a hash join for mapping-sized tables,
    and unlike a join it keeps the rows in file order. A label ``*`` gives the value of every other
    label (``[categories] "*" = "other.unlisted"``)."""
    rest = f" ELSE {literal(table['*'])}" if "*" in table else ""
    return (
        "CASE "
        + x
        + " "
        + " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in table.items() if k != "*")
        + rest
        + " END"
    )


def _value_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
