"""Ingest source exports into the store through a mapping file.

A mapping file (TOML, see ``docs/mapping.md`` and :func:`read_mapping`) says which source
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
             know (category, area, enumerated value), a negative or implausible number
             (``[limits]``), an id a spreadsheet rounded, a malformed CSV line, or a
             *conflicting duplicate id in file* (same id as an earlier row of the file,
             different content: the first row wins, the later one is quarantined).

A row whose only fault is its location (coordinates impossible, unparseable,
incomplete, or outside the district's polygons by more than ~50 m when the store
has areas) is accepted with its point cleared, and logged in ``location_log``;
the report counts such rows as ``location_cleared`` (a note, not a bucket).

A source without an id column gets a deterministic id from its key columns (``[source] key``;
default when + what + where: ``occurred_at``, ``category``, ``area_code``, ``lon``, ``lat``): the
first 20 hex digits of their MD5. Rows of one file sharing that identity are told apart by the
order of their distinct contents (``-2``, ``-3`` ...), so two identical rows are one record (the
second a duplicate), two fires at the same time and place are two records, and a corrected
re-export updates the record it corrects. Changes are detected by a content hash of our own
definition (``expressions.content_hash_sql``), stable across DuckDB versions. Map an id column if the
system has one.

Files come as published (``.gz``, ``.zip``, Excel, shapefiles); an incident without a stated area
gets the area whose polygon holds its point, else stays unassigned (still counted); see
:mod:`zzanalytics.ingest.readers`, :mod:`zzanalytics.ingest.encoding` and
:mod:`zzanalytics.ingest.areas`.

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

from pathlib import Path
from typing import Any

from zzanalytics import config
from zzanalytics.errors import StoreError, ZZError
from zzanalytics.ingest.mapping import Mapping, read_mapping
from zzanalytics.ingest.pipeline import ingest_one
from zzanalytics.ingest.readers import temp_dir
from zzanalytics.ingest.report import FileReport, IngestReport
from zzanalytics.schema import TABLES
from zzanalytics.store import Store, claim_identity, open_store

__all__ = ["FileReport", "IngestReport", "Mapping", "ingest_files", "read_mapping"]

DATED_TABLES = ("incidents", "petitions", "disputes", "cameras")
"""Tables whose rows carry dates (the first of them fixes a new store's clock)."""


def _on_clock(st: Store, m: Mapping, timezone: str | None) -> Mapping:
    """Fix the store's zone if it has none (``timezone``, else a dated mapping's own zone, else the
    default) and give a mapping without ``timezone`` the store's zone for its naive times."""
    from dataclasses import replace

    from zzanalytics.clock import check_tz

    if timezone is not None:
        st.claim_timezone(check_tz(timezone), "--timezone")
    elif m.table in DATED_TABLES:
        st.claim_timezone(check_tz(m.timezone) if m.timezone_declared else None, str(m.where))
    if not m.timezone_declared:
        m = replace(m, timezone=st.timezone)
    return m


def ingest_files(
    files: str | Path | list[str | Path] | tuple,
    mapping: str | Path | dict | Mapping,
    store: Any = None,
    replace: bool = False,
    timezone: str | None = None,
    identity: dict[str, Any] | None = None,
) -> IngestReport:
    """Ingest source files described by one mapping into the store.

    Parameters
    ----------
    files : path or list of paths
        Exports as published: CSV, Excel (.xlsx, .xls ...), Parquet or GeoJSON, each also as
        ``.gz`` or inside a ``.zip``; ingested in order, one transaction each.
    mapping : path, dict or Mapping
        The mapping file (see :func:`read_mapping`).
    store : Store, path or None
        An open read-write :class:`~zzanalytics.store.Store`, or a DuckDB file (created if
        missing). ``None`` means the store named by ``ZZ_STORE``; without it ingest refuses: a
        user's export is never written into the sample district's store.
    replace : bool
        ``files`` are a full re-export of the mapping's source (``[source] name``, default the
        mapping file's name): records of that source that none of them holds any more are retired
        (removed from the table, kept in the store's ``retired`` table, counted in the report).
        Without it a record deleted from a re-export stays in the store.
    timezone : str, optional
        The store's time zone (IANA name), recorded when the store has none yet; an error when
        the store already keeps another one. Without it a new store takes the zone of the first
        dated file's mapping (``[source] timezone``), else Asia/Shanghai. Every day, period and
        hour is cut in the store's zone; a mapping's ``timezone`` only says how to read the
        file's naive times (default: the store's zone).
    identity : dict, optional
        The district's identity (``{"name": "Lakeport", "currency": "CAD", "unit_en": "beat"}``,
        keys of :data:`zzanalytics.store.district.KEYS`), recorded where the store has none yet;
        a different recorded value is an error (``zz set`` changes it).

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
    from zzanalytics.errors import SourceError
    from zzanalytics.store import check_store_path

    m = read_mapping(mapping)
    paths = [Path(files)] if isinstance(files, str | Path) else [Path(f) for f in files]
    if not paths:
        raise SourceError("no files given; name the export file(s) to ingest")
    for p in paths:  # every path checked before any work starts
        if p.is_dir():
            raise SourceError(f"{p}: is a folder, not an export; give the files in it, e.g. {p / '*.csv'}")
        if not p.exists():
            raise SourceError(f"{p}: no such file (working directory {Path.cwd()})")
    own = not isinstance(store, Store)
    if own:
        store = check_store_path(Path(store if store is not None else _named_store()))
    st = open_store(store, read_only=False) if own else store
    report = IngestReport(store=str(st.path))
    seen = "_zz_seen" if replace and TABLES[m.table].key is not None else None
    if replace and seen is None:
        raise SourceError(
            f"--replace: table {m.table!r} has no record ids to retire by; ingest it without --replace"
        )
    try:
        if st.read_only:
            raise StoreError(
                f"store {st.path} is open read-only; open it with open_store(path, read_only=False)"
            )
        if identity:
            claim_identity(st, identity, "zz ingest")
        m = _on_clock(st, m, timezone)
        if seen:
            st.con.execute(f"CREATE OR REPLACE TEMP TABLE {seen} (k VARCHAR)")
        with temp_dir(Path(st.path)) as tmp:
            for p in paths:
                try:
                    report.files.append(ingest_one(st, p, m, tmp, seen))
                except ZZError as exc:
                    if report.files:
                        done = [Path(f.file).name for f in report.files]
                        raise type(exc)(
                            f"{exc} (files before it were ingested and stay stored: {done})"
                        ) from exc
                    raise
        if seen:
            retire(st, m, seen, report, [p.name for p in paths])
    finally:
        if seen and st.con is not None:
            st.con.execute(f"DROP TABLE IF EXISTS {seen}")
        if own:
            st.close()
    return report


def _named_store() -> Path:
    """The store ``ZZ_STORE`` names; without one, a :class:`StoreError` saying how to name one."""
    import os

    if os.environ.get("ZZ_STORE"):
        return config.default_store_path()
    raise StoreError(
        "no store named: give --store PATH (a new or existing store file, e.g. --store zz.duckdb) or set "
        "ZZ_STORE=PATH; ingest never writes an export into the sample district's store"
    )


def retire(st: Store, m: Mapping, seen: str, report: IngestReport, files: list[str]) -> None:
    """Retire the records of ``m``'s source whose keys are not in temp table ``seen`` (one transaction)."""
    from zzanalytics.sql import ident, literal
    from zzanalytics.store import now_local

    t = TABLES[m.table]
    key = ident(t.key)
    cols = ", ".join(f"{ident(c)} := {ident(c)}" for c in t.names if c != "geometry")
    gone = f"_source = {literal(m.source_name)} AND {key} NOT IN (SELECT k FROM {seen})"
    con = st.con
    con.execute("BEGIN TRANSACTION")
    try:
        report.retired_ids = [
            r[0]
            for r in con.execute(f"SELECT {key} FROM {ident(m.table)} WHERE {gone} ORDER BY 1").fetchall()
        ]
        report.retired = len(report.retired_ids)
        if report.retired:
            con.execute(
                f"INSERT INTO retired SELECT ?, {key}, _source, to_json(struct_pack({cols})), ?, ? "
                f"FROM {ident(m.table)} WHERE {gone}",
                [m.table, ", ".join(files), now_local()],
            )
            con.execute(f"DELETE FROM {ident(m.table)} WHERE {gone}")
            con.execute(
                "UPDATE ingest_log SET retired = ? WHERE rowid = (SELECT max(rowid) FROM ingest_log)",
                [report.retired],
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
