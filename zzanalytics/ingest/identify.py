"""The identify stage: each row's record key, content hash and fate (private to ingest).

:func:`stage` materialises the validated relation once (the only copy of the file's rows ingest
makes) with, per row, its record key ``_key`` (the id column, a declared key, the table's natural
key, or the default identity when + what + where), the hash of its stored columns ``_hash`` and,
for exports without ids, a hash of the columns the mapping leaves out ``_row``. Then:

- :func:`ordinals`: rows sharing a default identity but not their content become records of their
  own (``-2``, ``-3`` … after the key, in file order);
- :func:`in_file_duplicates`: a key repeated inside the file is a duplicate when the content is
  the same, a quarantined conflict when it is not;
- :func:`classify`: new, updated, duplicate or quarantined against the store.

Examples
--------
>>> import duckdb
>>> con = duckdb.connect()
>>> _ = con.execute(
...     "CREATE TEMP TABLE s AS SELECT * FROM (VALUES ('k', 1, 10), ('k', 1, 11), ('k', 1, 10)) "
...     "t(_key, _hash, _row)"
... )
>>> _ = con.execute("ALTER TABLE s ADD COLUMN _rc SMALLINT DEFAULT 0")
>>> ordinals(con, "s")
>>> [r[0] for r in con.execute("SELECT _key FROM s ORDER BY rowid").fetchall()]
['k', 'k-2', 'k']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zzanalytics.ingest.expressions import canonical_text, content_hash_sql
from zzanalytics.ingest.mapping import DEFAULT_KEY, NATURAL_KEYS, Mapping
from zzanalytics.ingest.plan import Plan
from zzanalytics.ingest.reasons import LOCATION_REASONS
from zzanalytics.ingest.report import FileReport
from zzanalytics.ingest.validate import Checks, label_columns
from zzanalytics.schema import TABLES
from zzanalytics.sql import ident

__all__ = [
    "Staged",
    "classify",
    "in_file_duplicates",
    "note_whole_repeats",
    "ordinals",
    "stage",
    "store_key",
    "unassigned",
]

STAGED = "_zz_stg"


@dataclass
class Staged:
    """A file's rows, staged once: the temp table ``name`` and what it holds.

    Columns: ``_line`` (the line of a CSV, the row of a sheet, where the row starts in the file),
    the typed canonical columns, ``raw_<label column>`` where the label is unknown,
    ``lon``/``lat`` (WGS-84) with ``_loc`` (location code) and the raw point where cleared,
    ``_rc`` (first failing check, see ``checks``), ``_rval`` and ``_raw`` (what a quarantined row
    shows), ``_hash``, ``_key``, ``_fdup`` (a repeat of an earlier row of the file) and ``_row``
    (exports without ids). Rows keep the file's order.
    """

    name: str
    checks: Checks
    key_mode: str
    gap: bool = False  # _gap: a naive time fell in a spring-forward gap
    todless: bool = False  # _todless: a date without a readable time of day
    derived_area: bool = False  # area_code added from points (not mapped)
    findings: bool = False  # data-quality findings exist (areas.areas_from_points)


def store_key(m: Mapping) -> str:
    """The store column holding a record's key: the id column itself, or ``_key`` for tables without one."""
    key = TABLES[m.table].key
    return ident(key) if key else "_key"


def _default_key(m: Mapping, plan: Plan, hashed: list[str]) -> list[str]:
    """The default identity of a record without an id: when, what and where (DEFAULT_KEY);
    every mapped column when the table has no default."""
    wanted = DEFAULT_KEY.get(m.table)
    if not wanted:
        return [n for n in hashed if not n.startswith("raw_")] + ["lon", "lat"]
    return [n for n in wanted if n in plan.columns]


def _key_sql(m: Mapping, plan: Plan, hashed: list[str]) -> str:
    """SQL of a row's record key over the validated relation."""
    tdef = TABLES[m.table]
    if plan.key_mode == "column":
        return f"CAST({ident(tdef.key)} AS VARCHAR)"
    if plan.key_mode == "natural":
        parts = ", ".join(f"COALESCE(CAST({ident(n)} AS VARCHAR), '')" for n in NATURAL_KEYS[m.table])
        return f"concat_ws(chr(31), {parts})"
    # declared key columns, or the default identity (when, what, where): see ordinals
    names = m.key if plan.key_mode == "declared" else _default_key(m, plan, hashed)
    parts = []
    for n in names:
        col = n if n not in ("lon", "lat") else "raw_" + n
        if n in ("lon", "lat") and (not plan.has_loc or plan.columns[n].src is None):
            continue
        if n not in ("lon", "lat") and (n not in plan.columns or plan.columns[n].src is None):
            continue
        parts.append((col, plan.dtype(col)))
    return "substr(md5(" + canonical_text(parts, "zzk1") + "), 1, 20)" if parts else "'-'"


def stage(con: Any, valid: Any, plan: Plan, m: Mapping, checks: Checks, gap: bool, todless: bool) -> Staged:
    """Materialise the validated relation with each row's key and hash (one ``CREATE TABLE AS``).

    The staged table holds what later steps need, and no more (10M rows must fit in 1 GB + spill):
    the key once (as ``_key``), raw labels only where unknown, raw coordinates only where cleared.
    Rows stay in file order (projections only, no join), so ``rowid`` is the data row - 1.
    """
    tdef = TABLES[m.table]
    data_cols = [c.name for c in plan.mapped if c.name not in ("lon", "lat")]
    idcol = tdef.key if plan.key_mode == "column" else None
    hashed = [n for n in data_cols if n != idcol]
    if plan.has_loc:  # the source's coordinates, not their conversion: stable across versions
        hashed += [n for n in ("raw_lon", "raw_lat") if plan.columns[n[4:]].src is not None]
    hash_sql = content_hash_sql([(n, plan.dtype(n)) for n in hashed]) if hashed else "CAST(0 AS UBIGINT)"
    keep = [ident(n) for n in data_cols if n != idcol]
    keep += [
        f"CASE WHEN {ident(n)} IS NULL THEN {ident('raw_' + n)} END AS {ident('raw_' + n)}"
        for n in label_columns(m, plan)
    ]
    keep += (["_gap"] if gap else []) + (["_todless"] if todless else [])
    if plan.has_loc:
        rlon = "raw_lon" if plan.columns["lon"].src else "CAST(NULL AS VARCHAR)"
        rlat = "raw_lat" if plan.columns["lat"].src else "CAST(NULL AS VARCHAR)"
        keep += [
            "CASE WHEN _loc = 0 THEN _wx END AS lon, CASE WHEN _loc = 0 THEN _wy END AS lat",
            f"CAST(_loc AS TINYINT) AS _loc, CASE WHEN _loc > 0 THEN {rlon} END AS raw_lon",
            f"CASE WHEN _loc > 0 THEN {rlat} END AS raw_lat",
        ]
    if plan.key_mode == "generated":  # the columns the mapping leaves out, to tell records apart
        used = " ".join(c.src for c in plan.mapped if c.src)
        srcs = [f"_s{i}" for i, h in enumerate(plan.headers) if h != "geometry" and ident(h) not in used]
        keep.append(f"hash({', '.join(srcs)}) AS _row" if srcs else "CAST(0 AS UBIGINT) AS _row")
    shown = [(h, i) for i, h in enumerate(plan.headers) if h != "geometry"]
    raw_json = (
        "to_json(struct_pack(" + ", ".join(f"{ident(h)} := _s{i}" for h, i in shown) + "))"
        if shown
        else "NULL"
    )
    keep += [c for c in ("_line", "_ord") if c in valid.columns]
    keep += [
        "_rc",
        f"CAST({checks.value_sql()} AS VARCHAR) AS _rval",
        f"CASE WHEN _rc > 0 THEN {raw_json} END AS _raw",
        f"{hash_sql} AS _hash",
        f"{_key_sql(m, plan, hashed)} AS _key",
        "false AS _fdup",
    ]
    valid.query("v", f"CREATE OR REPLACE TEMP TABLE {STAGED} AS SELECT {', '.join(keep)} FROM v")
    return Staged(STAGED, checks, plan.key_mode, gap=gap, todless=todless)


def ordinals(con: Any, table: str, repeats: str = "duplicate") -> None:
    """Rows sharing a default identity but not their content: the 2nd, 3rd ... distinct content in
    file order gets ``-2``, ``-3`` ... after its key, so a corrected re-export (same order) updates.

    Content is the whole source row: the stored columns' values (``_hash``) and the raw text of the
    columns the mapping leaves out (``_row``). Two assaults on one day at one corner that differ
    only in a column the mapping leaves out (the hour, the premises) are two records, not a record
    and its duplicate. Only a row repeated whole is a duplicate, unless ``repeats == "records"``
    (``[source] repeats``: an export that lists two identical events as two identical rows), where
    every row sharing an identity is a record of its own, numbered in file order. ``_row`` only
    groups rows of this file and is never stored, so DuckDB's ``hash()`` may change between
    versions without effect.
    """
    content = "rowid" if repeats == "records" else "min(rowid) OVER (PARTITION BY _key, _hash, _row)"
    distinct = "*" if repeats == "records" else "DISTINCT (_hash, _row)"
    many = f"SELECT _key FROM {table} WHERE _rc = 0 GROUP BY _key HAVING count({distinct}) > 1"
    if not con.execute(f"SELECT count(*) FROM ({many})").fetchall()[0][0]:
        return
    ranks = (
        f"SELECT rid, dense_rank() OVER (PARTITION BY _key ORDER BY fr) AS k FROM ("
        f"SELECT rowid AS rid, _key, {content} AS fr FROM {table} WHERE _rc = 0 AND _key IN ({many}))"
    )
    con.execute(
        f"UPDATE {table} SET _key = _key || '-' || f.k FROM ({ranks}) f "
        f"WHERE f.rid = {table}.rowid AND f.k > 1"
    )


def in_file_duplicates(con: Any, staged: Staged, key_col: str | None) -> None:
    """Repeats of a key inside the file: identical content → duplicate, different → quarantined.

    The staged checks gain ``conflicting_duplicate``. A quarantined repeat keeps its staged record
    (canonical names) as ``raw``.
    """
    t = staged.name
    conflict = staged.checks.add("conflicting_duplicate", key_col or "key", "_key")
    repeated = f"SELECT _key FROM {t} WHERE _rc = 0 GROUP BY _key HAVING count(*) > 1"
    if not con.execute(f"SELECT count(*) FROM ({repeated})").fetchall()[0][0]:
        return
    later = (
        "SELECT _rid, _hash = h1 AS same FROM ("
        "SELECT rowid AS _rid, _hash, row_number() OVER w AS rn, first_value(_hash) OVER w AS h1 "
        f"FROM {t} WHERE _rc = 0 AND _key IN ({repeated}) WINDOW w AS (PARTITION BY _key ORDER BY rowid)) "
        "WHERE rn > 1"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _zz_fd AS {later}")
    try:
        con.execute(f"UPDATE {t} SET _fdup = true FROM _zz_fd f WHERE f._rid = {t}.rowid AND f.same")
        names = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall() if not r[0].startswith("_")]
        shown = "to_json(struct_pack(" + ", ".join(f"{ident(n)} := {t}.{ident(n)}" for n in names) + "))"
        con.execute(
            f"UPDATE {t} SET _rc = {conflict}, _rval = _key, _raw = {shown} "
            f"FROM _zz_fd f WHERE f._rid = {t}.rowid AND NOT f.same"
        )
    finally:
        con.execute("DROP TABLE IF EXISTS _zz_fd")


def note_whole_repeats(con: Any, staged: Staged, rep: FileReport) -> None:
    """Say how many rows of an export without ids repeat an earlier row of the file whole."""
    n = con.execute(f"SELECT count(*) FROM {staged.name} WHERE _fdup").fetchall()[0][0]
    if n:
        rep.notes.append(
            f"{n:,} row(s) repeat an earlier row of this file in every column and count as duplicates; "
            'if the export lists separate events as identical rows, [source] repeats = "records" '
            "counts each"
        )


def classify(con: Any, m: Mapping, plan: Plan, staged: Staged, rep: FileReport) -> None:
    """Count new / updated / duplicate / quarantined rows against the store (no writes)."""
    t, target, key = staged.name, ident(m.table), store_key(m)
    fresh = "s._rc = 0 AND NOT s._fdup AND (t._key IS NULL OR t._hash <> s._hash)"
    loc = ""
    if plan.has_loc:
        loc = "".join(f", count(*) FILTER (WHERE {fresh} AND s._loc = {k})" for k in LOCATION_REASONS)
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE s._rc = 0 AND NOT s._fdup AND t._key IS NULL),
                   count(*) FILTER (WHERE s._rc = 0 AND NOT s._fdup AND t._key IS NOT NULL
                                    AND t._hash <> s._hash),
                   count(*) FILTER (WHERE s._rc = 0 AND (s._fdup OR t._hash = s._hash)),
                   count(*) FILTER (WHERE s._rc > 0){loc}
            FROM {t} s
            LEFT JOIN (SELECT {key} AS _key, _hash FROM {target}) t ON t._key = s._key"""
    ).fetchall()[0]
    rep.accepted, rep.updated, rep.duplicate, rep.quarantined = (int(v) for v in row[:4])
    if plan.has_loc:
        rep.location_reasons = {
            LOCATION_REASONS[k]: int(n) for k, n in zip(LOCATION_REASONS, row[4:], strict=True) if n
        }
        rep.location_cleared = sum(rep.location_reasons.values())
    # the same reason on several columns adds up (one check per reason and column)
    for rc, n in con.execute(f"SELECT _rc, count(*) FROM {t} WHERE _rc > 0 GROUP BY 1 ORDER BY 1").fetchall():
        code, column = staged.checks.reasons[rc - 1], staged.checks.columns[rc - 1]
        rep.reasons[code] = rep.reasons.get(code, 0) + int(n)
        rep.reason_columns[(code, column)] = rep.reason_columns.get((code, column), 0) + int(n)


def unassigned(con: Any, plan: Plan, staged: Staged) -> int:
    """Counted rows (new or updated) left without an area."""
    if plan.columns["area_code"].src is None and not staged.derived_area:
        return int(
            con.execute(f"SELECT count(*) FROM {staged.name} WHERE _rc = 0 AND NOT _fdup").fetchall()[0][0]
        )
    return int(
        con.execute(
            f"SELECT count(*) FROM {staged.name} WHERE _rc = 0 AND NOT _fdup AND area_code IS NULL"
        ).fetchall()[0][0]
    )
