"""Ingest source exports into the store through a mapping file.

A mapping file (TOML, see DESIGN.md and :func:`read_mapping`) says which source
header is which canonical column, which source label is which category code,
the time zone of naive times and the coordinate system. With it,
:func:`ingest_files` reads CSV (UTF-8, UTF-8 with BOM or GB18030), XLSX, Parquet
and GeoJSON, validates every row and writes the store, one transaction per file.

Every row read ends in exactly one bucket, so ``read == accepted + updated +
duplicate + quarantined`` always holds:

accepted     a new record;
updated      a record whose id is in the store with different content (replaced);
duplicate    a record already in the store with the same content, or a repeat of an
             identical row earlier in the same file (the first one counts);
quarantined  a row that cannot be counted: missing or unparseable required value,
             date before ``date_floor`` or in the future, a label the mapping does not
             know (category, area, enumerated value), a negative count, or a
             *conflicting duplicate id in file* (same id as an earlier row of the file,
             different content: the first row wins, the later one is quarantined).

A row whose only fault is its location (coordinates impossible, unparseable,
incomplete, or outside the district's polygons by more than ~50 m when the store
has areas) is accepted with its point cleared, and logged in ``location_log``;
the report counts such rows as ``location_cleared`` (a note, not a bucket).

A source without an id column gets a deterministic id: the first 20 hex digits of
the md5 of the row's canonical content (every mapped column but ``source_file``), so
ingesting the same export again, or an overlapping export, gives duplicates. Two
identical rows in such a file are one record (the second is a duplicate); map an id
column if the system has one.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "fires.csv").write_text("时间,街道\\n2026/5/6 21:30,620102001\\n", encoding="gb18030")
>>> m = read_mapping({"source": {"table": "incidents"},
...                   "columns": {"occurred_at": "时间", "area_code": "街道"},
...                   "constants": {"category": "fire"}})
>>> rep = ingest_files([d / "fires.csv"], m, store=d / "zz.duckdb")
>>> rep.read, rep.accepted, rep.duplicate
(1, 1, 0)
>>> ingest_files([d / "fires.csv"], m, store=d / "zz.duckdb").duplicate
1
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zzanalytics._readers import temp_dir
from zzanalytics.errors import MappingError, StoreError, ZZError
from zzanalytics.schema import (
    CAMERA_KINDS,
    LEAF_CATEGORIES,
    LOCAL_TZ,
    PETITION_FORMS,
    PETITION_LEVELS,
    TABLES,
)

__all__ = ["FileReport", "IngestReport", "Mapping", "ingest_files", "read_mapping"]

SOURCE_KEYS = {
    "encoding": "auto",
    "timezone": LOCAL_TZ,
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
    timezone: str = LOCAL_TZ
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


# -- report -----------------------------------------------------------------------------------
@dataclass
class FileReport:
    """What happened to one file."""

    file: str
    table: str
    read: int = 0
    accepted: int = 0
    updated: int = 0
    duplicate: int = 0
    quarantined: int = 0
    location_cleared: int = 0
    encoding: str = ""
    reasons: dict[str, int] = field(default_factory=dict)
    unknown_labels: dict[tuple[str, str], int] = field(default_factory=dict)
    location_reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """True when read == accepted + updated + duplicate + quarantined."""
        return self.read == self.accepted + self.updated + self.duplicate + self.quarantined


@dataclass
class IngestReport:
    """The result of :func:`ingest_files`: per file and total counts, reasons, unknown labels.

    ``read == accepted + updated + duplicate + quarantined`` per file and in total;
    ``location_cleared`` counts accepted/updated rows whose point was cleared.
    """

    store: str
    files: list[FileReport] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def read(self) -> int:
        """Rows read."""
        return self._sum("read")

    @property
    def accepted(self) -> int:
        """New records stored."""
        return self._sum("accepted")

    @property
    def updated(self) -> int:
        """Records replaced with changed content."""
        return self._sum("updated")

    @property
    def duplicate(self) -> int:
        """Records already present with the same content (or repeated in the file)."""
        return self._sum("duplicate")

    @property
    def quarantined(self) -> int:
        """Rows not counted (see ``reasons``)."""
        return self._sum("quarantined")

    @property
    def location_cleared(self) -> int:
        """Counted rows whose point was cleared."""
        return self._sum("location_cleared")

    @property
    def reasons(self) -> dict[str, int]:
        """Quarantine reason → rows, over all files."""
        c: Counter = Counter()
        for f in self.files:
            c.update(f.reasons)
        return dict(c.most_common())

    @property
    def unknown_labels(self) -> dict[tuple[str, str], int]:
        """(column, source label) → rows, for labels the mapping does not know."""
        c: Counter = Counter()
        for f in self.files:
            c.update(f.unknown_labels)
        return dict(c.most_common())

    @property
    def balanced(self) -> bool:
        """True when every file's rows add up."""
        return all(f.balanced for f in self.files)

    def to_frame(self) -> pd.DataFrame:
        """One row per file: file, table and the counts (read ... location_cleared)."""
        cols = [
            "file",
            "table",
            "read",
            "accepted",
            "updated",
            "duplicate",
            "quarantined",
            "location_cleared",
        ]
        return pd.DataFrame([[getattr(f, c) for c in cols] for f in self.files], columns=cols)

    def render(self) -> str:
        """A plain-text table of the counts, the quarantine reasons and the unknown labels."""
        cols = ["read", "accepted", "updated", "duplicate", "quarantined"]
        names = [Path(f.file).name for f in self.files] + ["total"]
        width = max(12, *(len(n) for n in names))
        head = f"{'file':<{width}} " + " ".join(f"{c:>11}" for c in cols) + f" {'loc.cleared':>11}"
        lines = [f"store {self.store}", head, "-" * len(head)]
        for f, n in zip(self.files, names, strict=False):
            lines.append(
                f"{n:<{width}} "
                + " ".join(f"{getattr(f, c):>11,}" for c in cols)
                + f" {f.location_cleared:>11,}"
            )
        lines.append("-" * len(head))
        lines.append(
            f"{'total':<{width}} "
            + " ".join(f"{getattr(self, c):>11,}" for c in cols)
            + f" {self.location_cleared:>11,}"
        )
        ok = "yes" if self.balanced else "NO - please report this as a bug"
        lines.append(f"read = accepted + updated + duplicate + quarantined: {ok}")
        if self.reasons:
            lines.append("quarantine reasons:")
            lines += [f"  {n:>9,}  {r}" for r, n in self.reasons.items()]
            lines.append("  (list them with `zz quarantine`)")
        loc: Counter = Counter()
        for f in self.files:
            loc.update(f.location_reasons)
        if loc:
            lines.append("points cleared (rows still counted):")
            lines += [f"  {n:>9,}  {r}" for r, n in loc.most_common()]
        if self.unknown_labels:
            lines.append("labels the mapping does not know (add them to the mapping file):")
            for (col, label), n in self.unknown_labels.items():
                section = {"category": "[categories]", "area_code": "[areas]"}.get(col, f"[values.{col}]")
                lines.append(f"  {n:>9,}  {section} {label!r}")
        for f in self.files:
            for note in f.notes:
                lines.append(f"note: {Path(f.file).name}: {note}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


# -- ingest ---------------------------------------------------------------------------------------
def ingest_files(
    files: str | Path | list[str | Path] | tuple,
    mapping: str | Path | dict | Mapping,
    store: Any = None,
) -> IngestReport:
    """Ingest source files described by one mapping into the store.

    Parameters
    ----------
    files : path or list of paths
        CSV, XLSX, Parquet or GeoJSON exports, ingested in order, one transaction each.
    mapping : path, dict or Mapping
        The mapping file (see :func:`read_mapping`).
    store : Store, path or None
        An open read-write :class:`~zzanalytics.store.Store`, a DuckDB file (created if
        missing), or ``None`` for the default store (``config.default_store_path()``).

    Returns
    -------
    IngestReport
        Per file and total ``read``, ``accepted``, ``updated``, ``duplicate``, ``quarantined``
        (these add up), ``location_cleared``, quarantine ``reasons`` and ``unknown_labels``.

    Raises
    ------
    SourceError
        A file cannot be read or lacks a required column (nothing of it is stored; files
        before it in ``files`` stay ingested).
    MappingError
        The mapping is malformed.

    Examples
    --------
    >>> rep = ingest_files(["export.csv"], "mappings/incidents.toml", store="zz.duckdb")  # doctest: +SKIP
    >>> print(rep.render())  # doctest: +SKIP
    """
    from zzanalytics._pipeline import ingest_one
    from zzanalytics.store import Store, open_store

    m = read_mapping(mapping)
    paths = [Path(files)] if isinstance(files, str | Path) else [Path(f) for f in files]
    own = not isinstance(store, Store)
    st = open_store(store, read_only=False) if own else store
    if st.read_only:
        raise StoreError(f"store {st.path} is open read-only; open it with open_store(path, read_only=False)")
    report = IngestReport(store=str(st.path))
    try:
        with temp_dir() as tmp:
            for p in paths:
                try:
                    report.files.append(ingest_one(st, p, m, tmp))
                except ZZError as exc:
                    if report.files:
                        done = [Path(f.file).name for f in report.files]
                        raise type(exc)(
                            f"{exc} (files before it were ingested and stay stored: {done})"
                        ) from exc
                    raise
    finally:
        if own:
            st.close()
    return report
