"""The mapping file: which source header is which canonical column, and how to read the values.

A mapping (TOML) describes one kind of export once; only the mapping changes from one system to
another. Every key is listed in ``docs/mapping.md`` (a test keeps that page and
:data:`SOURCE_KEYS` / :data:`SECTIONS` in step).

Examples
--------
>>> m = read_mapping({"source": {"table": "incidents", "crs": "gcj02"},
...                   "columns": {"incident_id": "案件编号"}})
>>> m.table, m.crs
('incidents', 'gcj02')
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zzanalytics.clock import DEFAULT_TZ
from zzanalytics.errors import MappingError
from zzanalytics.schema import (
    CAMERA_KINDS,
    LEAF_CATEGORIES,
    PETITION_FORMS,
    PETITION_LEVELS,
    TABLES,
)

__all__ = ["SECTIONS", "SOURCE_KEYS", "Mapping", "read_mapping"]

SOURCE_KEYS = {
    "encoding": "auto",
    "timezone": DEFAULT_TZ,
    "crs": "wgs84",
    "table": "incidents",
    "date_format": "",
    "sheet": 0,
    "skip": 0,
    "date_floor": "2000-01-01",
    "date_ceiling": "",
}
"""Keys of ``[source]`` with their defaults."""

SECTIONS = ("source", "columns", "constants", "categories", "values", "units", "areas")

VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("petitions", "level"): PETITION_LEVELS,
    ("petitions", "form"): PETITION_FORMS,
    ("cameras", "kind"): CAMERA_KINDS,
    ("streets", "class"): ("main", "secondary"),
}
"""Enumerated columns: a source label must map (``[values.<col>]``) to one of these values."""

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "zones": ("zone_id",),
    "peers": ("county", "scope", "period", "metric"),
    "targets": ("year", "metric"),
}
"""Record identity of tables without an id column; ``streets`` use a content id."""

TRUE_WORDS = ("true", "t", "yes", "y", "1", "是", "对", "真", "√")
FALSE_WORDS = ("false", "f", "no", "n", "0", "否", "不是", "假", "×")
FUTURE_OK = {("cameras", "installed_on")}


# -- mapping --------------------------------------------------------------------------------------
@dataclass
class Mapping:
    """A parsed mapping file. Build with :func:`read_mapping`."""

    table: str = "incidents"
    encoding: str = "auto"
    timezone: str = DEFAULT_TZ
    crs: str = "wgs84"
    date_format: str = ""
    sheet: str | int = 0
    skip: int = 0
    date_floor: str = "2000-01-01"
    date_ceiling: str = ""
    columns: dict[str, str | list[str]] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: dict[str, float] = field(default_factory=dict)
    areas: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def where(self) -> str:
        """The mapping's file name for messages."""
        return str(self.path) if self.path else "the mapping"


def _mapping_error(where: str, msg: str) -> MappingError:
    return MappingError(f"{where}: {msg}")


def read_mapping(source: str | Path | dict | Mapping) -> Mapping:
    """Read and check a mapping file (TOML path, or an already parsed dict).

    Sections (all optional except what the table needs):

    ``[source]``     ``table`` (incidents, petitions, disputes, cameras, areas, streets, zones,
                     peers, targets; default incidents), ``encoding`` (auto: UTF-8, UTF-8 with BOM
                     or GB18030 detected), ``timezone`` of naive times (Asia/Shanghai),
                     ``crs`` (wgs84, gcj02, bd09 or a projected ``EPSG:`` code), ``date_format``
                     (a strptime pattern, e.g. ``%m/%d/%Y %H:%M``; empty: the common forms),
                     ``sheet`` (XLSX name or 0-based index), ``skip`` (rows above the header, e.g.
                     a title row), ``date_floor`` (default 2000-01-01) and ``date_ceiling``
                     (default: now + 1 day) bounding accepted dates;
    ``[columns]``    canonical name = source header, or a list of headers whose values are joined
                     with a space (a date and a time column: ``occurred_at = ["发案日期", "发案时刻"]``);
                     a header already named like the canonical column needs no line;
    ``[constants]``  canonical name = one value for the whole file (``category = "fire"``);
    ``[categories]`` source label = category code; codes themselves are always accepted;
    ``[values.X]``   source label = canonical value for column X (``level``, ``form``, ``kind``,
                     ``irregular``, ``status``, ``metric`` ...);
    ``[units]``      column = factor (``loss_yuan = 10000`` for 万元);
    ``[areas]``      source township name = area code; names and codes of the store's ``areas``
                     table (``name``, ``name_en``) are matched without it.

    Parameters
    ----------
    source : str, Path, dict or Mapping
        The mapping file, or its content as a dict of sections.

    Returns
    -------
    Mapping

    Examples
    --------
    >>> m = read_mapping({"source": {"table": "incidents", "crs": "gcj02"},
    ...                   "columns": {"incident_id": "案件编号"},
    ...                   "categories": {"入室盗窃": "theft.burglary"}})
    >>> m.crs, m.columns["incident_id"], m.categories["入室盗窃"]
    ('gcj02', '案件编号', 'theft.burglary')
    >>> read_mapping({"columns": {"when": "时间"}})
    Traceback (most recent call last):
    ...
    zzanalytics.errors.MappingError: the mapping: [columns] has 'when' = "时间" but 'when' is not ...
    """
    if isinstance(source, Mapping):
        return source
    path: Path | None = None
    if isinstance(source, dict):
        doc = source
    else:
        path = Path(source)
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise MappingError(f"mapping file {path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{path}: is not valid TOML: {exc}") from None
    where = str(path) if path else "the mapping"
    unknown = [k for k in doc if k not in SECTIONS]
    if unknown:
        raise _mapping_error(where, f"unknown section(s) {unknown}; sections are {list(SECTIONS)}")
    src = dict(doc.get("source", {}))
    bad = [k for k in src if k not in SOURCE_KEYS]
    if bad:
        raise _mapping_error(where, f"[source] has unknown key(s) {bad}; keys are {list(SOURCE_KEYS)}")
    opts = {**SOURCE_KEYS, **src}
    table = str(opts["table"])
    if table not in TABLES:
        raise _mapping_error(where, f"[source] table = {table!r} is not a table; use one of {list(TABLES)}")
    tdef = TABLES[table]
    m = Mapping(
        table=table,
        encoding=str(opts["encoding"]),
        timezone=str(opts["timezone"]),
        crs=str(opts["crs"]),
        date_format=str(opts["date_format"]),
        sheet=opts["sheet"],
        skip=int(opts["skip"]),
        date_floor=str(opts["date_floor"]),
        date_ceiling=str(opts["date_ceiling"]),
        path=path,
    )
    for section in ("columns", "constants", "units"):
        entries = dict(doc.get(section, {}))
        for name, value in entries.items():
            if name not in tdef.names:
                shown = f'"{value}"' if isinstance(value, str) else repr(value)
                raise _mapping_error(
                    where,
                    f"[{section}] has {name!r} = {shown} but {name!r} is not a column of table {table!r}; "
                    f"its columns are {list(tdef.names)}",
                )
        setattr(m, section, entries)
    for name, value in m.columns.items():
        ok = isinstance(value, str) or (
            isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        )
        if not ok:
            raise _mapping_error(
                where,
                f'[columns] {name} must be a source header in quotes, e.g. {name} = "…", '
                f'or a list of headers joined with a space, e.g. {name} = ["发案日期", "发案时刻"]',
            )
    for name, value in m.units.items():
        if not isinstance(value, int | float) or tdef.column(name).dtype not in ("float", "int"):
            raise _mapping_error(
                where, f"[units] {name} = {value!r}: units multiply numeric columns by a number"
            )
    cats = {str(k): str(v) for k, v in dict(doc.get("categories", {})).items()}
    bad_codes = sorted({v for v in cats.values() if v not in LEAF_CATEGORIES})
    if bad_codes:
        raise _mapping_error(
            where, f"[categories] maps to unknown code(s) {bad_codes}; codes are {list(LEAF_CATEGORIES)}"
        )
    m.categories = cats
    if "category" in m.constants and str(m.constants["category"]) not in LEAF_CATEGORIES:
        raise _mapping_error(
            where,
            f"[constants] category = {m.constants['category']!r} is not a code; "
            f"use one of {list(LEAF_CATEGORIES)}",
        )
    values = dict(doc.get("values", {}))
    for col, table_map in values.items():
        tdef.column(col) if col in tdef.names else None
        if col not in tdef.names:
            raise _mapping_error(
                where,
                f"[values.{col}]: {col!r} is not a column of table {table!r}; "
                f"its columns are {list(tdef.names)}",
            )
        if not isinstance(table_map, dict):
            raise _mapping_error(where, f'[values.{col}] must be a table of "source label" = value')
        vocab = VOCABULARIES.get((table, col))
        if vocab:
            wrong = sorted({str(v) for v in table_map.values() if str(v) not in vocab})
            if wrong:
                raise _mapping_error(
                    where, f"[values.{col}] maps to {wrong}; allowed values are {list(vocab)}"
                )
    m.values = {c: {str(k): v for k, v in d.items()} for c, d in values.items()}
    m.areas = {str(k): str(v) for k, v in dict(doc.get("areas", {})).items()}
    if m.date_floor:
        try:
            dt.date.fromisoformat(m.date_floor)
        except ValueError:
            raise _mapping_error(
                where, f"[source] date_floor = {m.date_floor!r}: write a date like 2010-01-01"
            ) from None
    return m
