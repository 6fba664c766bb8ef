"""One file through ingest's six stages (private; the public verbs are in :mod:`ingest`).

::

    read  →  plan  →  parse  →  validate  →  identify  →  write

Each stage is a named function of its own module, taking and returning a DuckDB relation or a
small value (see ``docs/ingest.md``):

=========  =====================================  ================================================
stage      function                               gives
=========  =====================================  ================================================
read       :func:`.readers.read`                  :class:`~.cells.Loaded`: the rows as text, in
                                                  file order, headers, encoding and notes
plan       :func:`.plan.make_plan`                :class:`~.plan.Plan`: each canonical column's
                                                  source, the label lookups, the key mode
parse      :func:`.parse.parse`                   typed canonical columns, points in WGS-84
validate   :func:`.validate.validate`             each row's first failing check (``_rc``)
identify   :func:`.identify.stage`,               the rows staged once with key and hash; areas
           :func:`.areas.areas_from_points`,      from points; repeats in the file; new, updated,
           :func:`.identify.classify`             duplicate or quarantined against the store
write      :func:`.write.write`                   one transaction: records, quarantine, coverage,
                                                  findings, the ingest log
=========  =====================================  ================================================

The rows are read once (a CSV straight from DuckDB's ``read_csv``) and materialised once, by
:func:`.identify.stage`; everything before it composes SQL lazily.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

from zzanalytics.errors import SourceError, StoreError
from zzanalytics.ingest.areas import area_index, areas_from_points, loose_area_pairs, nearest_names
from zzanalytics.ingest.coverage import clock_notes
from zzanalytics.ingest.identify import (
    MATCH,
    Staged,
    classify,
    in_file_duplicates,
    note_whole_repeats,
    ordinals,
    row_number_ids,
    stage,
    unassigned,
)
from zzanalytics.ingest.lines import csv_lines
from zzanalytics.ingest.locations import location_sql, point_source, sql_crs
from zzanalytics.ingest.mapping import Mapping
from zzanalytics.ingest.parse import parse
from zzanalytics.ingest.plan import Plan, lookup_sql, make_plan
from zzanalytics.ingest.published import date_hints, shaped_source
from zzanalytics.ingest.readers import file_sha256, malformed_rows, read
from zzanalytics.ingest.report import FileReport
from zzanalytics.ingest.validate import label_columns, validate
from zzanalytics.ingest.write import SourceFile, write
from zzanalytics.schema import TABLES
from zzanalytics.sql import ident

__all__ = ["ingest_one"]

_POINTS = "_zz_pts_arrow"  # points worked out in Python, joined to the rows by position


def ingest_one(st: Any, path: Path, m: Mapping, tmpdir: str, seen: str | None = None) -> FileReport:
    """Ingest one file into the open read-write store ``st``; return its :class:`FileReport`.

    ``seen``: a temp table to which the keys of every counted row are added (``--replace``).
    """
    from zzanalytics.store import now_local

    con, tz = st.con, st.timezone
    now = now_local(tz)
    rep = FileReport(file=str(path), table=m.table)
    try:
        loaded = read(con, path, m, tmpdir)
        src = SourceFile(path.name, str(path.resolve()), file_sha256(path))
        rep.encoding, rep.read = loaded.encoding, loaded.rows
        rep.notes += loaded.notes
        shape = shaped_source(m, loaded.rel, loaded.headers, path)  # [headers], [records], count_column
        rel, headers, rep.notes = shape.rel, shape.headers, rep.notes + shape.notes
        plan = make_plan(m, headers, st, path)
        staged = _staged(st, path, m, plan, rel, tz, now)
        key = TABLES[m.table].key
        if plan.key_mode == "column" and (n := row_number_ids(con, m, staged)):
            header = next(h for h in headers if f"r.{ident(h)}" in str(plan.columns[key].src))
            plan.columns[key].src = None
            plan.key_mode, plan.ignored = "generated", [header]
            m = dataclasses.replace(m, repeats="records")  # a numbered row is a record, repeated or not
            staged = _staged(st, path, m, plan, rel, tz, now)
            rep.notes.append(
                f"column {header!r} holds the row numbers 1..{n:,}, restarting in each file (another file "
                "of this source has them too): they are not case ids; rows are told apart by their content "
                "(when, what, where and the other columns; each row a record), and a row of another file "
                "agreeing in every column is the same record"
            )
        extra = loose_area_pairs(con, staged.name, m, plan.lookups)
        if extra:  # names that match a store area once normalised: stage again with them
            plan.lookups["area_code"].update(extra)
            staged = _staged(st, path, m, plan, rel, tz, now)
            rep.notes.append(
                f"{len(extra)} area name(s) matched after normalising spelling "
                f"(e.g. {next(iter(extra))!r} -> {next(iter(extra.values()))}); "
                '[source] area_names = "exact" turns this off'
            )
        malformed = malformed_rows(con, loaded)
        if loaded.csv is not None:  # the line each row starts on (readers of other kinds give it)
            csv_lines(loaded.csv[0], loaded.csv[1], malformed.starts).set_column(con, staged.name)
        rep.malformed = len(malformed)
        _identify(st, path, m, plan, staged, rep, seen is not None)
        rep.notes += shape.read_notes(rep.read - rep.malformed)
        rep.notes += date_hints(con, staged.name, staged.checks.reasons, staged.checks.columns, m.calendar)
        rep.notes += clock_notes(con, staged.name, m, tz, staged.gap, staged.todless)
        write(con, m, plan, staged, src, rep, now, tz, malformed)
        if seen is not None:  # the records of the source this file holds (--replace)
            con.execute(
                f"INSERT INTO {seen} SELECT DISTINCT COALESCE(f.tkey, s._key) FROM {staged.name} s "
                f"LEFT JOIN {MATCH} f ON f.rid = s.rowid WHERE s._rc = 0"
            )
    finally:
        _clean(con)
    return rep


def _staged(st: Any, path: Path, m: Mapping, plan: Plan, rel: Any, tz: str, now: dt.datetime) -> Staged:
    """parse → validate → stage: the file's rows typed, checked, keyed and materialised once."""
    con = st.con
    for t in ("_zz_rej", "_zz_rejscan"):  # a CSV reader's rows set aside: this read's only
        con.execute(f"DROP TABLE IF EXISTS {t}")
    located = None
    if plan.has_loc:  # pyproj and shapely run here, never in DuckDB's threads (see locations.py)
        lon, lat = plan.columns["lon"].src, plan.columns["lat"].src
        joined = point_source(con, rel, lon, lat, m.crs, st.district(), _POINTS)
        if joined is not None:
            rel = joined
        located = location_sql(sql_crs(m.crs) if joined is None else None)
    parsed = parse(rel, plan, m, tz, located)
    ceiling = m.date_ceiling or (now + dt.timedelta(days=1)).isoformat(sep=" ", timespec="seconds")
    valid, checks = validate(parsed.rel, plan, m, m.date_floor, ceiling, tz)
    import duckdb

    try:
        return stage(con, valid, plan, m, checks, parsed.gap, parsed.todless, str(path.resolve()))
    except duckdb.Error as exc:  # a reading error: one line naming the file and line
        text = str(exc)
        first = text.splitlines()[0] if text else type(exc).__name__
        line = re.search(r"[Ll]ine:? (\d+)", text)
        where = f" near line {line.group(1)}" if line else ""
        raise SourceError(
            f"{path}: cannot be read{where}: {first[:300]}; check that line of the file "
            "(or [source] delimiter, skip and encoding in the mapping)"
        ) from None


def _identify(
    st: Any, path: Path, m: Mapping, plan: Plan, staged: Staged, rep: FileReport, replace: bool
) -> None:
    """Areas from points, repeats in the file, and each row's fate against the store (counts in ``rep``)."""
    con, tdef = st.con, TABLES[m.table]
    rep.read = con.execute(f"SELECT count(*) FROM {staged.name}").fetchall()[0][0] + rep.malformed
    if plan.key_mode == "generated" and tdef.key is not None:
        ordinals(con, staged.name, m.repeats)
    if "area_code" in tdef.names and m.table != "areas" and plan.has_loc:
        index = area_index(st)
        if index is not None:
            staged.derived_area = plan.columns["area_code"].src is None
            staged.findings = areas_from_points(con, staged.name, index, not staged.derived_area, rep)
    in_file_duplicates(con, staged, tdef.key)
    classify(con, m, plan, staged, rep, replace)
    if plan.key_mode == "generated" and tdef.key is not None:
        note_whole_repeats(con, staged, rep)
    if rep.malformed:
        rep.reasons["malformed_row"] = rep.reasons.get("malformed_row", 0) + rep.malformed
        rep.reason_columns[("malformed_row", "")] = rep.malformed
        rep.quarantined += rep.malformed
    if "area_code" in tdef.names and m.table != "areas":
        rep.unassigned = unassigned(con, plan, staged)
    for col in label_columns(m, plan):
        raw, typed = ident("raw_" + col), ident(col)
        for label, n in con.execute(
            f"SELECT {raw}, count(*) FROM {staged.name} WHERE {raw} IS NOT NULL AND {typed} IS NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall():
            rep.unknown_labels[(col, label)] = n
    if (
        m.table != "areas"
        and "area_code" in tdef.names
        and plan.columns["area_code"].src is not None
        and ("area_code" not in plan.lookups)
    ):
        rep.unchecked_areas = dict(  # the store has no areas (nor the mapping [areas]): codes as stated
            con.execute(
                f"SELECT area_code, count(*) FROM {staged.name} WHERE _rc = 0 AND NOT _fdup "
                "AND area_code IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall()
        )
    for col in label_columns(m, plan):  # labels a "*" of the mapping took in: listed, not silent
        if "*" in (table := plan.lookups.get(col, {})):
            raw = ident("raw_" + col)
            listed = lookup_sql(raw, {k: v for k, v in table.items() if k != "*"} | {table["*"]: table["*"]})
            for label, n in con.execute(
                f"SELECT {raw}, count(*) FROM {staged.name} WHERE {raw} IS NOT NULL "
                f"AND {ident(col)} IS NOT NULL AND {listed} IS NULL GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall():
                rep.caught[(col, label)] = n
                rep.caught_into[col] = table["*"]

    names = [str(x) for x in plan.lookups.get("area_code", {})]
    for col, label in rep.unknown_labels:
        if col == "area_code":
            rep.candidates[label] = nearest_names(str(label), names)
    if not rep.balanced:  # pragma: no cover - a bug, never a data problem
        raise StoreError(f"{path}: internal error, rows do not add up: {rep}")


def _clean(con: Any) -> None:
    """Drop what one file's ingest left on the connection (also after an error)."""
    import contextlib

    import duckdb

    with contextlib.suppress(duckdb.Error):
        con.execute("SELECT 1").fetchall()  # complete any pending result before cleaning up
    with contextlib.suppress(duckdb.Error, KeyError):
        con.unregister(_POINTS)
    for t in ("_zz_raw", "_zz_stg", "_zz_rej", "_zz_rejscan", "_zz_pa", "_zz_find", "_zz_fd", MATCH):
        con.execute(f"DROP TABLE IF EXISTS {t}")
