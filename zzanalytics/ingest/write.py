"""The write stage: one transaction per file (private to ingest).

:func:`write` stores the identified rows of one file: records (new and changed), quarantine
(replacing what this file path or this content left before), location log, findings, coverage
(:mod:`.coverage`) and the ingest log. Any error rolls the transaction back, leaving the store as
it was.

Examples
--------
>>> SourceFile("a.csv", "/data/a.csv", "ab12").name
'a.csv'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zzanalytics.errors import StoreError
from zzanalytics.ingest.coverage import DATE_COLUMNS, write_coverage
from zzanalytics.ingest.identify import MATCH, Staged, merges_sql, store_key
from zzanalytics.ingest.mapping import Mapping
from zzanalytics.ingest.plan import Plan
from zzanalytics.ingest.readers import Malformed
from zzanalytics.ingest.reasons import LOCATION_REASONS
from zzanalytics.ingest.report import FileReport
from zzanalytics.schema import TABLES
from zzanalytics.sql import ident, literal

__all__ = ["SourceFile", "write", "write_log"]


@dataclass
class SourceFile:
    """Where a file's rows came from: its name (as shown), full path and content hash."""

    name: str
    path: str
    sha: str


def _record_sql(m: Mapping, plan: Plan, staged: Staged, src: SourceFile) -> list[str]:
    """SQL over staged row ``s`` of each stored column of the table, in its order."""
    tdef = TABLES[m.table]
    exprs = []
    for c in tdef.columns:
        if c.name == "source_file":
            exprs.append(literal(src.name))
        elif c.name == tdef.key and staged.key_mode in ("generated", "column", "declared"):
            exprs.append("s._key")
        elif c.name in ("lon", "lat") and plan.has_loc:
            exprs.append(f"s.{c.name}")
        elif c.name in plan.columns and plan.columns[c.name].src is not None:
            exprs.append(f"s.{ident(c.name)}")
        elif c.name == "area_code" and staged.derived_area:
            exprs.append("s.area_code")
        else:
            exprs.append("NULL")
    return exprs


def write(
    con: Any,
    m: Mapping,
    plan: Plan,
    staged: Staged,
    src: SourceFile,
    rep: FileReport,
    now: dt.datetime,
    tz: str,
    malformed: Malformed,
) -> None:
    """Write the identified file into the store in one transaction (see the module docstring).

    Rows are numbered by ``_line``: the line of a CSV, the row of a sheet, as the user sees it in
    the original file; ``malformed`` are the rows the CSV reader set aside.
    """
    tdef = TABLES[m.table]
    target, t = ident(m.table), staged.name
    cols = ", ".join(ident(n) for n in tdef.names)
    key = store_key(m)
    fresh = "s._rc = 0 AND NOT s._fdup AND (f.fate IS NULL OR f.fate = 'update')"
    rows = f"{t} s LEFT JOIN {MATCH} f ON f.rid = s.rowid"
    mine = f"({target}._source = ? OR {target}._source IS NULL)"
    generated = staged.key_mode == "generated"
    checks = staged.checks
    reasons = "[" + ", ".join(literal(r) for r in checks.reasons) + "]"
    columns = "[" + ", ".join(literal(c) for c in checks.columns) + "]"
    con.execute("BEGIN TRANSACTION")
    try:
        if rep.updated:
            con.execute(
                f"DELETE FROM {target} USING {MATCH} f WHERE f.fate = 'update' AND {target}.{key} = f.tkey "
                f"AND {mine}",
                [m.source_name],
            )
        if plan.has_loc and rep.location_cleared:
            cases = " ".join(f"WHEN {k} THEN {literal(v)}" for k, v in LOCATION_REASONS.items())
            con.execute(
                f"INSERT INTO location_log SELECT ?, s._line, s._key, CASE s._loc {cases} END, "
                "TRY_CAST(s.raw_lon AS DOUBLE), TRY_CAST(s.raw_lat AS DOUBLE), ?, ? "
                f"FROM {rows} WHERE s._loc > 0 AND {fresh} ORDER BY s._line",
                [src.name, m.table, now],
            )
        record = ", ".join(_record_sql(m, plan, staged, src))
        ident_cols = "s._ident, s._rowh, s._colsh" if generated else "NULL, NULL, NULL"
        con.execute(
            f"INSERT INTO {target} ({cols}, _key, _hash, _source, _path, _line, _ident, _rowh, _colsh) "
            f"SELECT {record}, {'NULL' if tdef.key else 's._key'}, s._hash, ?, ?, s._line, {ident_cols} "
            f"FROM {rows} WHERE {fresh}",
            [m.source_name, src.path],
        )
        # quarantine is keyed by the file's full path and its content: ingesting b/x.csv leaves
        # a/x.csv's rows alone, and the same content from another path replaces, never doubles
        con.execute(
            'DELETE FROM quarantine WHERE "table" = ? AND (source_path = ? OR file_hash = ? '
            "OR (source_path IS NULL AND source_file = ?))",
            [m.table, src.path, src.sha, src.name],
        )
        con.execute('DELETE FROM ingest_findings WHERE "table" = ? AND source_path = ?', [m.table, src.path])
        con.execute('DELETE FROM ingest_merges WHERE "table" = ? AND source_path = ?', [m.table, src.path])
        if sum(rep.merges.values()):
            con.execute(
                "INSERT INTO ingest_merges SELECT ?, ?, ?, row, record_id, fate, other_file, other_row, "
                f"NULL, ?, ? FROM ({merges_sql(staged)}) ORDER BY row",
                [m.source_name, src.name, src.path, m.table, now],
            )
        q = 'source_file, "row", reason, "column", "value", raw, "table", "at", source_path, file_hash'
        if rep.quarantined - rep.malformed:
            con.execute(
                f"INSERT INTO quarantine ({q}) SELECT ?, s._line, {reasons}[s._rc], {columns}[s._rc], "
                f"s._rval, s._raw, ?, ?, ?, ? FROM {t} s WHERE s._rc > 0 ORDER BY s._line",
                [src.name, m.table, now, src.path, src.sha],
            )
        if len(malformed):
            _write_malformed(con, malformed, q, [src.name, m.table, now, src.path, src.sha])
        if staged.findings:
            con.execute(
                "INSERT INTO ingest_findings SELECT ?, ?, s._line, s._key, f.kind, f.col, f.stated, "
                f"f.found, ?, ? FROM _zz_find f JOIN {t} s ON s.rowid = f.rid ORDER BY s._line",
                [src.name, src.path, m.table, now],
            )
        dated = DATE_COLUMNS.get(m.table)
        if dated and plan.columns[dated].src is not None:
            write_coverage(con, m, src.path, tz, plan.columns[dated].dtype, now, rep.notes)
        write_log(con, rep, now, src)
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        raise StoreError(
            f"{rep.file}: writing to the store failed, nothing of this file was stored "
            f"(the store is as it was before it): {exc}"
        ) from exc


def _write_malformed(con: Any, malformed: Malformed, cols: str, args: list[Any]) -> None:
    import pyarrow as pa

    rows = pa.table(
        {
            "line": pa.array(malformed.lines, pa.int64()),
            "csv_line": pa.array(malformed.texts, pa.string()),
            "error": pa.array(malformed.errors, pa.string()),
        }
    )
    con.register("_zz_malformed_arrow", rows)
    try:
        con.execute(
            f"INSERT INTO quarantine ({cols}) SELECT ?, line, 'malformed_row', NULL, left(csv_line, 200), "
            "to_json(struct_pack(line := csv_line, error := error)), ?, ?, ?, ? "
            "FROM _zz_malformed_arrow ORDER BY line",
            args,
        )
    finally:
        con.unregister("_zz_malformed_arrow")


def write_log(con: Any, rep: FileReport, now: dt.datetime, src: SourceFile) -> None:
    """Append the file's line to ``ingest_log`` (inside the caller's transaction)."""
    con.execute(
        'INSERT INTO ingest_log (file, "table", read, accepted, updated, duplicate, quarantined, '
        'location_cleared, "at", source_path, file_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
            rep.file,
            rep.table,
            rep.read,
            rep.accepted,
            rep.updated,
            rep.duplicate,
            rep.quarantined,
            rep.location_cleared,
            now,
            src.path,
            src.sha,
        ],
    )
