"""The identify stage: each row's record key, content hash and fate (private to ingest).

:func:`stage` materialises the validated relation once (the only copy of the file's rows ingest
makes) with, per row, its record key ``_key`` (the id column, a declared key, the table's natural
key, or the default identity when + what + where), the hash of its stored columns ``_hash`` and,
for exports without ids, its identity ``_ident`` and a hash of the columns the mapping leaves out
``_rowh``. Then:

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
...     "t(_key, _hash, _rowh)"
... )
>>> _ = con.execute("ALTER TABLE s ADD COLUMN _rc SMALLINT DEFAULT 0")
>>> ordinals(con, "s")
>>> [r[0] for r in con.execute("SELECT _key FROM s ORDER BY rowid").fetchall()]
['k', 'k-2', 'k']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zzanalytics.ingest.coverage import DATE_COLUMNS
from zzanalytics.ingest.expressions import canonical_text, content_hash_sql
from zzanalytics.ingest.mapping import DEFAULT_KEY, NATURAL_KEYS, Mapping
from zzanalytics.ingest.plan import Plan
from zzanalytics.ingest.reasons import LOCATION_REASONS
from zzanalytics.ingest.report import FileReport
from zzanalytics.ingest.validate import Checks, label_columns
from zzanalytics.schema import TABLES
from zzanalytics.sql import ident, literal

__all__ = [
    "Staged",
    "classify",
    "in_file_duplicates",
    "merges_sql",
    "note_whole_repeats",
    "ordinals",
    "row_number_ids",
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
    shows), ``_hash``, ``_key``, ``_fdup`` (a repeat of an earlier row of the file), and for
    exports without ids ``_ident``, ``_rowh``, ``_colsh``. Rows keep the file's order.
    """

    name: str
    checks: Checks
    key_mode: str
    gap: bool = False  # _gap: a naive time fell in a spring-forward gap
    todless: bool = False  # _todless: a date without a readable time of day
    derived_area: bool = False  # area_code added from points (not mapped)
    findings: bool = False  # data-quality findings exist (areas.areas_from_points)
    path: str = ""  # the file's full path: the key of what it leaves in the store


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


def _identity_parts(m: Mapping, plan: Plan, hashed: list[str]) -> list[tuple[str, str]]:
    """(column, dtype) of a row's identity: the declared key, or when + what + where."""
    names = m.key if plan.key_mode == "declared" else _default_key(m, plan, hashed)
    parts = []
    for n in names:
        col = n if n not in ("lon", "lat") else "raw_" + n
        if n in ("lon", "lat") and (not plan.has_loc or plan.columns[n].src is None):
            continue
        if n not in ("lon", "lat") and (n not in plan.columns or plan.columns[n].src is None):
            continue
        parts.append((col, plan.dtype(col)))
    return parts


def _key_sql(m: Mapping, plan: Plan, hashed: list[str], path: str) -> str:
    """SQL of a row's record key over the validated relation.

    An id column or a declared key identifies a record within its source (the store matches keys
    of the same source only). The default identity of a record without an id (when + what + where)
    is the source's, and the record's key is that of its file: rows of two files of a source are
    one record only when they agree in every column the files share (:func:`classify`).
    """
    tdef = TABLES[m.table]
    if plan.key_mode == "column":
        return f"CAST({ident(tdef.key)} AS VARCHAR)"
    if plan.key_mode == "natural":
        parts = ", ".join(f"COALESCE(CAST({ident(n)} AS VARCHAR), '')" for n in NATURAL_KEYS[m.table])
        return f"concat_ws(chr(31), {parts})"
    parts = _identity_parts(m, plan, hashed)
    if not parts:
        return "'-'"
    if plan.key_mode == "declared":
        return "substr(md5(" + canonical_text(parts, "zzk1") + "), 1, 20)"
    return "substr(md5(" + canonical_text(parts, f"zzk2|{m.source_name}|{path}") + "), 1, 20)"


def _ident_sql(m: Mapping, plan: Plan, hashed: list[str]) -> str:
    """SQL of the identity of a record without an id within its source (across its files)."""
    parts = _identity_parts(m, plan, hashed)
    return "substr(md5(" + canonical_text(parts, f"zzk2|{m.source_name}") + "), 1, 20)" if parts else "'-'"


def _names_hash(names: list[str]) -> int:
    """A number naming a set of source headers (the columns the mapping leaves out)."""
    import hashlib

    return int(hashlib.md5("\x1f".join(sorted(names)).encode("utf-8")).hexdigest()[:16], 16)


def stage(
    con: Any, valid: Any, plan: Plan, m: Mapping, checks: Checks, gap: bool, todless: bool, path: str
) -> Staged:
    """Materialise the validated relation with each row's key and hash (one ``CREATE TABLE AS``).

    The staged table holds what later steps need, and no more (10M rows must fit in 1 GB + spill):
    the key once (as ``_key``), raw labels only where unknown (or taken in by a ``"*"``), raw
    coordinates only where cleared.
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
    star = {n: plan.lookups.get(n, {}).get("*") for n in label_columns(m, plan)}  # a "*" of the mapping
    keep += [  # the labels it took in are kept too, for the report
        f"CASE WHEN {ident(n)} IS NULL{f' OR {ident(n)} = {literal(v)}' if v else ''} "
        f"THEN {ident('raw_' + n)} END AS {ident('raw_' + n)}"
        for n, v in star.items()
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
        left = [
            (f"_s{i}", h)
            for i, h in enumerate(plan.headers)
            if h != "geometry" and ident(h) not in used and h not in plan.ignored
        ]
        left.sort(key=lambda x: x[1])  # by header: the same columns in another order are the same
        rowh = content_hash_sql([(c, "str") for c, _ in left]) if left else "CAST(0 AS UBIGINT)"
        keep += [f"{rowh} AS _rowh", f"CAST({_names_hash([h for _, h in left])} AS UBIGINT) AS _colsh"]
        keep.append(f"{_ident_sql(m, plan, hashed)} AS _ident")
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
        f"{_key_sql(m, plan, hashed, path)} AS _key",
        "false AS _fdup",
        "CAST(NULL AS BIGINT) AS _first",
    ]
    valid.query("v", f"CREATE OR REPLACE TEMP TABLE {STAGED} AS SELECT {', '.join(keep)} FROM v")
    return Staged(STAGED, checks, plan.key_mode, gap=gap, todless=todless, path=path)


def ordinals(con: Any, table: str, repeats: str = "duplicate") -> None:
    """Rows sharing a default identity but not their content: the 2nd, 3rd ... distinct content in
    file order gets ``-2``, ``-3`` ... after its key, so a corrected re-export (same order) updates.

    Content is the whole source row: the stored columns' values (``_hash``) and the raw text of the
    columns the mapping leaves out (``_rowh``). Two assaults on one day at one corner that differ
    only in a column the mapping leaves out (the hour, the premises) are two records, not a record
    and its duplicate. Only a row repeated whole is a duplicate, unless ``repeats == "records"``
    (``[source] repeats``: an export that lists two identical events as two identical rows), where
    every row sharing an identity is a record of its own, numbered in file order.
    """
    content = "rowid" if repeats == "records" else "min(rowid) OVER (PARTITION BY _key, _hash, _rowh)"
    distinct = "*" if repeats == "records" else "DISTINCT (_hash, _rowh)"
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
        "SELECT _rid, _hash = h1 AS same, l1 FROM ("
        "SELECT rowid AS _rid, _hash, row_number() OVER w AS rn, first_value(_hash) OVER w AS h1, "
        "first_value(_line) OVER w AS l1 "
        f"FROM {t} WHERE _rc = 0 AND _key IN ({repeated}) WINDOW w AS (PARTITION BY _key ORDER BY rowid)) "
        "WHERE rn > 1"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _zz_fd AS {later}")
    try:
        con.execute(
            f"UPDATE {t} SET _fdup = true, _first = f.l1 FROM _zz_fd f WHERE f._rid = {t}.rowid AND f.same"
        )
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


MATCH = "_zz_match"


def row_number_ids(con: Any, m: Mapping, staged: Staged) -> int:
    """How many rows of the file have an id that is its row number restarting at 1 (or 0) in each
    file, 0 when the ids are not that.

    The ids of the file are the integers 1..n (or 0..n-1) in file order, and records of another
    file of the same source already hold some of them: a row number (序号), not a case number.
    """
    t, target, key = staged.name, ident(m.table), store_key(m)
    n, nums, lo, hi = con.execute(
        f"SELECT count(*), count(k), min(k), max(k) FROM (SELECT TRY_CAST(_key AS BIGINT) AS k FROM {t})"
    ).fetchall()[0]
    if n < 2 or nums < n or lo not in (0, 1) or hi - lo + 1 != n:
        return 0
    steps = con.execute(
        f"SELECT count(*) FILTER (WHERE k - p = 1) FROM (SELECT TRY_CAST(_key AS BIGINT) AS k, "
        f"lag(TRY_CAST(_key AS BIGINT)) OVER (ORDER BY rowid) AS p FROM {t})"
    ).fetchall()[0][0]
    if steps != n - 1:
        return 0
    other = con.execute(
        f"SELECT count(*) FROM {target} WHERE (_source = ? OR _source IS NULL) AND _path IS DISTINCT FROM ? "
        f"AND {key} IN (SELECT _key FROM {t} LIMIT 3)",
        [m.source_name, staged.path],
    ).fetchall()[0][0]
    return int(n) if other else 0


def _matches_sql(m: Mapping, plan: Plan, staged: Staged, replace: bool) -> str:
    """SQL of the staged rows that match a stored record of the same source: ``rid`` (the staged
    row), ``tkey`` (the record's key), where the record came from, and the row's ``fate``:
    ``duplicate`` (same content), ``update`` (changed content of the same record) or ``collision``
    (the same id with another date or category, from another file: reported, not applied)."""
    t, target, key = staged.name, ident(m.table), store_key(m)
    src, path = literal(m.source_name), literal(staged.path)
    mine = f"(_source = {src} OR _source IS NULL)"
    where = "FROM {t} s JOIN ({stored}) t ON {on} WHERE s._rc = 0 AND NOT s._fdup"
    tfile = "t.source_file" if "source_file" in TABLES[m.table].names else "CAST(NULL AS VARCHAR)"
    cols = f"s.rowid AS rid, t.{key} AS tkey, t._path AS tpath, t._line AS tline, {tfile} AS tfile"
    if plan.key_mode != "generated":
        same = [
            f"t.{ident(c)} IS NOT DISTINCT FROM s.{ident(c)}"
            for c in (DATE_COLUMNS.get(m.table), "category" if m.table == "incidents" else None)
            if c and c in plan.columns and plan.columns[c].src is not None
        ]
        kept = " AND ".join(same) or "true"
        fate = (
            f"CASE WHEN t._hash = s._hash THEN 'duplicate' WHEN {'true' if replace else 'false'} "
            f"OR t._path = {path} OR ({kept}) THEN 'update' ELSE 'collision' END"
        )
        stored = f"SELECT * FROM {target} WHERE {mine}"
        return f"SELECT {cols}, {fate} AS fate " + where.format(t=t, stored=stored, on=f"t.{key} = s._key")
    # a record without an id: the same row of the same file (a re-run or a corrected re-export of
    # it), else a row of another file of the source agreeing in every column the files share
    same_file = (
        f"SELECT {cols}, CASE WHEN t._hash = s._hash AND t._rowh IS NOT DISTINCT FROM s._rowh "
        "THEN 'duplicate' ELSE 'update' END AS fate, 1 AS how "
        + where.format(
            t=t, stored=f"SELECT * FROM {target} WHERE {mine} AND _path = {path}", on=f"t.{key} = s._key"
        )
    )
    shared = f"SELECT {cols}, 'duplicate' AS fate, 2 AS how " + where.format(
        t=t,
        stored=f"SELECT * FROM {target} WHERE {mine} AND _path IS DISTINCT FROM {path}",
        on="t._ident = s._ident AND t._hash = s._hash "
        "AND (t._colsh IS DISTINCT FROM s._colsh OR t._rowh = s._rowh)",
    )
    return (
        f"SELECT rid, tkey, tpath, tline, tfile, fate FROM ({same_file} UNION ALL {shared}) "
        "QUALIFY row_number() OVER (PARTITION BY rid ORDER BY how, tkey) = 1"
    )


def classify(
    con: Any, m: Mapping, plan: Plan, staged: Staged, rep: FileReport, replace: bool = False
) -> None:
    """Each counted row's fate against the store (no writes): new, updated, duplicate, or a
    collision (quarantined as ``id_collision``); the matches go to the temp table ``_zz_match``.

    Keys belong to their source: a stored record of another source never matches. A record that
    has an id (or a declared key) is updated by a row of any file of its source with the same id,
    unless its date or category differ: then the row is a collision, reported and not applied,
    except when it comes from the same file path (a corrected re-export) or ``replace``.
    """
    t = staged.name
    if TABLES[m.table].key is None:  # tables identified by a natural key or their content
        target = ident(m.table)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {MATCH} AS SELECT s.rowid AS rid, t._key AS tkey, "
            "t._path AS tpath, t._line AS tline, CAST(NULL AS VARCHAR) AS tfile, "
            "CASE WHEN t._hash = s._hash THEN 'duplicate' ELSE 'update' END AS fate "
            f"FROM {t} s JOIN {target} t ON t._key = s._key WHERE s._rc = 0 AND NOT s._fdup"
        )
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {MATCH} AS {_matches_sql(m, plan, staged, replace)}")
    collide = con.execute(f"SELECT count(*) FROM {MATCH} WHERE fate = 'collision'").fetchall()[0][0]
    if collide:
        rc = staged.checks.add("id_collision", TABLES[m.table].key or "key", "_key")
        con.execute(
            f"UPDATE {t} SET _rc = {rc}, _rval = _key, _raw = to_json(struct_pack(other_file := f.tfile, "
            f"other_row := f.tline, record_id := f.tkey)) FROM {MATCH} f "
            f"WHERE f.rid = {t}.rowid AND f.fate = 'collision'"
        )
    fresh = "s._rc = 0 AND NOT s._fdup AND (f.fate IS NULL OR f.fate = 'update')"
    loc = ""
    if plan.has_loc:
        loc = "".join(f", count(*) FILTER (WHERE {fresh} AND s._loc = {k})" for k in LOCATION_REASONS)
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE s._rc = 0 AND NOT s._fdup AND f.fate IS NULL),
                   count(*) FILTER (WHERE s._rc = 0 AND f.fate = 'update'),
                   count(*) FILTER (WHERE s._rc = 0 AND (s._fdup OR f.fate = 'duplicate')),
                   count(*) FILTER (WHERE s._rc > 0){loc}
            FROM {t} s LEFT JOIN {MATCH} f ON f.rid = s.rowid"""
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
    _count_merges(con, staged, rep)


def merges_sql(staged: Staged) -> str:
    """SQL of every merge of the file: a row that is not a record of its own because it is taken
    for another row (a repeat in the file, the same record in another file or line, an update of
    a record that came from another row, a collision): ``row``, ``record_id``, ``fate``,
    ``other_file``, ``other_row``. A re-run (the same line of the same file) is no merge."""
    t = staged.name
    return (
        f"SELECT s._line AS row, COALESCE(f.tkey, s._key) AS record_id, "
        "CASE WHEN s._fdup THEN 'repeat' ELSE f.fate END AS fate, "
        f"CASE WHEN s._fdup THEN NULL ELSE f.tfile END AS other_file, "
        "CASE WHEN s._fdup THEN s._first ELSE f.tline END AS other_row, "
        "CASE WHEN s._fdup THEN NULL ELSE f.tpath END AS other_path "
        f"FROM {t} s LEFT JOIN {MATCH} f ON f.rid = s.rowid "
        f"WHERE (s._fdup AND s._rc = 0) OR (f.fate IS NOT NULL AND NOT (f.tpath IS NOT DISTINCT FROM "
        f"{literal(staged.path)} AND f.tline IS NOT DISTINCT FROM s._line))"
    )


def _count_merges(con: Any, staged: Staged, rep: FileReport) -> None:
    rows = con.execute(
        f"SELECT fate, count(*), list(row ORDER BY row)[1:3], list(other_file ORDER BY row)[1:3], "
        f"list(other_row ORDER BY row)[1:3] FROM ({merges_sql(staged)}) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    for fate, n, lines, files, others in rows:
        rep.merges[fate] = int(n)
        rep.merge_examples[fate] = [
            f"line {a} = {'line ' + str(c) if f is None else f'{f} line {c}'}"
            for a, f, c in zip(lines, files, others, strict=True)
        ]


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
