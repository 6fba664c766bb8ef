"""The per-file ingest pipeline, done inside DuckDB (private; the public verbs are in :mod:`ingest`).

One file goes through these steps, each a set-based statement over the whole file
(no Python loop over rows):

1. the reader prepares the source: a CSV is read by DuckDB's ``read_csv`` straight into
   step 2 (GB18030 first stream-transcoded to UTF-8); XLSX, Parquet and GeoJSON become a
   temp table of text columns (``_readers``);
2. one ``CREATE TABLE AS`` maps source headers to canonical columns, looks labels up
   (categories, areas, ``[values.*]`` as ``CASE`` expressions, which keep file order so
   ``rowid`` is the data row), parses dates by their shape (``_dates``), numbers and
   booleans, converts coordinates to WGS-84 (GCJ-02 and WGS-84 sources in plain SQL on all
   DuckDB threads, shapely only for points inside the district's bounding box; BD-09 and
   projected sources in a vectorised numpy function over Arrow batches) with the district
   test, and derives each row's first failing check, content hash and record key;
3. repeated ids inside the file are split into duplicates and conflicts;
4. rows are classified against the store (left join on the key, hash compare), and the
   store is written in ONE transaction: changed rows deleted, new and changed rows
   inserted (anti-join on the key), quarantine, location log and ingest log appended.
   Any error rolls the transaction back, leaving the store as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zzanalytics.errors import SourceError, StoreError
from zzanalytics.ingest.areas import area_index, areas_from_points, loose_area_pairs
from zzanalytics.ingest.coverage import DATE_COLUMNS, clock_notes, write_coverage
from zzanalytics.ingest.dates import (
    date_sql,
    gap_sql,
    reading,
    seconds_of_day_sql,
    timestamp_sql,
    with_time_of_day_sql,
)
from zzanalytics.ingest.expressions import canonical_text, content_hash_sql, number_sql
from zzanalytics.ingest.identity import in_file_duplicates, note_whole_repeats, ordinals
from zzanalytics.ingest.locations import location_sql, point_source, sql_crs
from zzanalytics.ingest.mapping import (
    DEFAULT_KEY,
    FALSE_WORDS,
    FUTURE_OK,
    NATURAL_KEYS,
    TRUE_WORDS,
    Mapping,
)
from zzanalytics.ingest.plan import Col, lookup_sql, make_lookups, resolve_columns, vocab
from zzanalytics.ingest.published import address_areas, date_hints, shaped_source
from zzanalytics.ingest.readers import file_sha256, load_source, malformed_rows
from zzanalytics.ingest.reasons import LOCATION_REASONS
from zzanalytics.ingest.report import FileReport
from zzanalytics.schema import TABLES
from zzanalytics.sql import ident, literal

_TEMPS = (
    "_zz_raw",
    "_zz_stg",
    "_zz_pts",
    "_zz_fd",
    "_zz_upd",
    "_zz_rej",
    "_zz_rejscan",
    "_zz_rejrows",
    "_zz_pa",
)


def _typed_sql(c: Col, m: Mapping, lookups: dict[str, dict[str, str]], tz: str) -> tuple[str, str]:
    """(raw expression over ``r``, typed expression over ``v``) of one mapped canonical column.

    ``tz`` is the store's time zone: timestamps become instants, dates the calendar date there.

    Raw values are text; readers already turned empty cells and NULL words into NULL.
    Labels, ids and dates are trimmed; numbers need not be (casts ignore spaces).
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
    elif c.dtype in ("timestamp", "date"):
        if c.dtype == "timestamp":
            typed = timestamp_sql(mapped, **reading(m, c.name), floor_year=_year(m))
        else:
            typed = date_sql(mapped, **reading(m), store_tz=tz)
    elif c.dtype in ("float", "int"):
        num = number_sql(mapped, m.number_format)
        unit = m.units.get(c.name)
        if unit is not None:
            num = f"({num} * {float(unit)!r})"
        if c.dtype == "int":
            typed = f"CASE WHEN {num} = floor({num}) AND abs({num}) < 9e15 THEN CAST({num} AS BIGINT) END"
        else:
            typed = f"CASE WHEN isfinite({num}) THEN {num} END"
    elif c.dtype == "bool":
        t = ", ".join(literal(w) for w in TRUE_WORDS)
        f = ", ".join(literal(w) for w in FALSE_WORDS)
        typed = f"CASE WHEN lower({mapped}) IN ({t}) THEN true WHEN lower({mapped}) IN ({f}) THEN false END"
    else:  # pragma: no cover - schema only uses the dtypes above
        raise StoreError(f"column {c.name}: unknown dtype {c.dtype}")
    return raw, typed


def _year(m: Mapping) -> int:
    """First year a date of the mapping's source may have (its ``date_floor``; 1970 without one)."""
    return int(m.date_floor[:4]) if m.date_floor[:4].isdigit() else 1970


def _checks(
    c: Col, m: Mapping, key_generated: bool, floor: str, ceiling: str, tz: str
) -> list[tuple[str, str]]:
    """(condition, reason) pairs for one column, in order; conditions refer to raw_/typed columns.

    ``floor`` and ``ceiling`` are wall times of the store's zone ``tz``.
    """
    raw, typed = ident("raw_" + c.name), ident(c.name)
    out: list[tuple[str, str]] = []
    if c.name in ("lon", "lat"):
        return out  # location faults never quarantine (cameras: see _location_checks)
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
        out.append((f"{raw} IS NOT NULL AND {typed} IS NULL", "unknown_area"))
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


def _label_cols(m: Mapping, plan: dict[str, Col]) -> list[str]:
    cols = []
    for c in plan.values():
        if c.src is None:
            continue
        if (
            (c.name == "category" and m.table == "incidents")
            or (c.name == "area_code" and m.table != "areas")
            or vocab(m.table, c.name)
            or c.dtype == "bool"
        ):
            cols.append(c.name)
    return cols


# -- stage ------------------------------------------------------------------------------------------
@dataclass
class _Stage:
    reasons: list[str]
    columns: list[str]
    values: list[str]  # SQL over r (the raw table) giving the offending value, per reason
    derived_area: bool = False  # area_code added to _zz_stg from points (not mapped)
    findings: bool = False  # _zz_find holds data-quality findings (rid, kind, col, stated, found)
    gap: bool = False  # _zz_stg has _gap: true where a naive time fell in a spring-forward gap


def _stage(
    con: Any,
    m: Mapping,
    plan: dict[str, Col],
    lookups: dict[str, dict[str, str]],
    key_mode: str,
    floor: str,
    ceiling: str,
    tz: str,
    source: str,
    headers: list[str],
    loc_sql: Any = None,
) -> _Stage:
    """Create ``_zz_stg``: typed canonical columns, location code, first failing check, hash and key."""
    tdef = TABLES[m.table]
    from zzanalytics.ingest.mapping import personal_columns
    from zzanalytics.privacy import masked_source_sql

    source = masked_source_sql(source, headers, *personal_columns(m, headers))  # [personal] columns
    cols = [c for c in plan.values() if c.src is not None]
    raws, typeds = [], []
    for c in cols:
        raw, typed = _typed_sql(c, m, lookups, tz)
        raws.append(f"{raw} AS {ident('raw_' + c.name)}")
        if c.name == "occurred_at" and m.time_column:  # date and time of day in two columns
            tod = {h.strip(): h for h in headers}[m.time_column.strip()]
            raws.append(f"{seconds_of_day_sql('r.' + ident(tod), m.time_format)} AS _tod")  # slot: its start
            typed = with_time_of_day_sql(typed, "v._tod", source_tz=m.timezone, floor_year=_year(m), unit="s")
            typeds.append("v._tod IS NULL AS _todless")
        if c.name not in ("lon", "lat"):
            typeds.append(f"{typed} AS {ident(c.name)}")
    gaps = [
        g
        for c in cols
        if c.dtype == "timestamp"
        and (g := gap_sql(f"v.{ident('raw_' + c.name)}", **reading(m), floor_year=_year(m)))
    ]
    if gaps:  # kept, read shifted forward (dates.py); ingest reports them as a data-quality note
        typeds.append(f"CASE WHEN {' OR '.join(gaps)} THEN true END AS _gap")
    # source columns ride along as _s0, _s1 ... (no clash with canonical names) for the raw JSON
    carried = [f"r.{ident(h)} AS _s{i}" for i, h in enumerate(headers) if h != "geometry"]
    raw_json = (
        "to_json(struct_pack("
        + ", ".join(f"{ident(h)} := _s{i}" for i, h in enumerate(headers) if h != "geometry")
        + "))"
        if carried
        else "NULL"
    )
    has_loc = "lon" in plan and (plan["lon"].src is not None or plan["lat"].src is not None)
    if has_loc:
        rl, ra = ("v.raw_lon" if plan["lon"].src else "NULL"), ("v.raw_lat" if plan["lat"].src else "NULL")
        typeds.append(f"TRY_CAST({rl} AS DOUBLE) AS _x, TRY_CAST({ra} AS DOUBLE) AS _y")
        typeds.append(
            f"CASE WHEN {rl} IS NULL AND {ra} IS NULL THEN 0 WHEN {rl} IS NULL OR {ra} IS NULL THEN 1 "
            f"WHEN TRY_CAST({rl} AS DOUBLE) IS NULL OR TRY_CAST({ra} AS DOUBLE) IS NULL "
            f"OR NOT isfinite(TRY_CAST({rl} AS DOUBLE)) OR NOT isfinite(TRY_CAST({ra} AS DOUBLE)) THEN 2 "
            "ELSE 0 END AS _loc"
        )
    if has_loc and loc_sql is not None and loc_sql.__name__ == "from_python":
        carried += ["r._pwx AS _pwx", "r._pwy AS _pwy", "r._pcode AS _pcode"]
    sql = f"SELECT v.*, {', '.join(typeds)} FROM (SELECT {', '.join([*raws, *carried])} FROM {source} r) v"
    if has_loc and loc_sql is not None:
        sql = loc_sql(sql)
    checks: list[tuple[str, str, str]] = []
    for c in cols:
        for cond, reason in _checks(c, m, key_mode in ("generated", "declared"), floor, ceiling, tz):
            checks.append((cond, reason, c.name))
    if has_loc and tdef.column("lon").required:
        checks.append(("raw_lon IS NULL AND raw_lat IS NULL", "missing_location", "lon"))
        for code, reason in LOCATION_REASONS.items():
            checks.append((f"_loc = {code}", reason, "lon"))
    rc = (
        "CASE "
        + " ".join(f"WHEN {cond} THEN {i + 1}" for i, (cond, _, _) in enumerate(checks))
        + " ELSE 0 END"
    )
    if not checks:
        rc = "0"
    data_cols = [c.name for c in cols if c.name not in ("lon", "lat")]
    hashed = [n for n in data_cols if not (key_mode == "column" and n == tdef.key)]
    if has_loc:  # the source's coordinates, not their conversion: stable across versions
        hashed += [n for n in ("raw_lon", "raw_lat") if plan[n[4:]].src is not None]
    hash_expr = content_hash_sql([(n, _dtype(plan, n)) for n in hashed]) if hashed else "CAST(0 AS UBIGINT)"
    if key_mode == "column":
        key = f"CAST({ident(tdef.key)} AS VARCHAR)"
    elif key_mode == "natural":
        key = (
            "concat_ws(chr(31), "
            + ", ".join(f"COALESCE(CAST({ident(n)} AS VARCHAR), '')" for n in NATURAL_KEYS[m.table])
            + ")"
        )
    else:  # declared key columns, or the default identity (when, what, where): see identity.ordinals
        names = m.key if key_mode == "declared" else _default_key(m, plan, hashed)
        parts = []
        for n in names:
            col = n if n not in ("lon", "lat") else "raw_" + n
            if n in ("lon", "lat") and (not has_loc or plan[n].src is None):
                continue
            if n not in ("lon", "lat") and (n not in plan or plan[n].src is None):
                continue
            parts.append((col, _dtype(plan, col)))
        key = "substr(md5(" + canonical_text(parts, "zzk1") + "), 1, 20)" if parts else "'-'"
    # the staged table holds what later steps need, and no more (10M rows must fit in 1 GB + spill):
    # the key once (as _key), raw labels only where unknown, raw coordinates only where cleared
    keep = [ident(n) for n in data_cols if not (key_mode == "column" and n == tdef.key)]
    keep += (
        [
            f"CASE WHEN {ident(n)} IS NULL THEN {ident('raw_' + n)} END AS {ident('raw_' + n)}"
            for n in _label_cols(m, plan)
        ]
        + (["_gap"] if gaps else [])
        + (["_todless"] if m.time_column and "occurred_at" in plan else [])
    )
    loc_cols = ""
    if has_loc:
        rlon = "raw_lon" if plan["lon"].src else "CAST(NULL AS VARCHAR)"
        rlat = "raw_lat" if plan["lat"].src else "CAST(NULL AS VARCHAR)"
        loc_cols = (
            ", CASE WHEN _loc = 0 THEN _wx END AS lon, CASE WHEN _loc = 0 THEN _wy END AS lat, "
            f"CAST(_loc AS TINYINT) AS _loc, CASE WHEN _loc > 0 THEN {rlon} END AS raw_lon, "
            f"CASE WHEN _loc > 0 THEN {rlat} END AS raw_lat"
        )
    values = []
    for _, reason, n in checks:
        if reason == "missing_location" or reason in LOCATION_REASONS.values():
            values.append("concat(raw_lon, ',', raw_lat)")
        else:
            values.append("NULL" if plan[n].dtype == "geometry" else f"CAST({ident('raw_' + n)} AS VARCHAR)")
    rval = (
        "CASE _rc " + " ".join(f"WHEN {i + 1} THEN {v}" for i, v in enumerate(values)) + " END"
        if values
        else "NULL"
    )
    if key_mode == "generated":  # the columns the mapping leaves out, to tell records apart
        used = " ".join(c.src for c in cols if c.src)
        srcs = [f"_s{i}" for i, h in enumerate(headers) if h != "geometry" and ident(h) not in used]
        keep.append(f"hash({', '.join(srcs)}) AS _row" if srcs else "CAST(0 AS UBIGINT) AS _row")
    select = ", ".join(keep)
    # rows stay in source order (projections only, no join), so _zz_stg.rowid is the data row - 1
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _zz_stg AS
        SELECT {select + ", " if select else ""}{loc_cols.lstrip(", ")}{", " if loc_cols else ""}
               _rc, CAST({rval} AS VARCHAR) AS _rval, CASE WHEN _rc > 0 THEN {raw_json} END AS _raw,
               {hash_expr} AS _hash, {key} AS _key, false AS _fdup
        FROM (SELECT *, CAST({rc} AS SMALLINT) AS _rc FROM ({sql})) s"""
    )
    return _Stage([r for _, r, _ in checks], [n for _, _, n in checks], values, gap=bool(gaps))


def _dtype(plan: dict[str, Col], name: str) -> str:
    base = name[4:] if name.startswith("raw_") else name
    return "str" if name.startswith("raw_") else plan[base].dtype


def _default_key(m: Mapping, plan: dict[str, Col], hashed: list[str]) -> list[str]:
    """The default identity of a record without an id: when, what and where (DEFAULT_KEY);
    every mapped column when the table has no default."""
    wanted = DEFAULT_KEY.get(m.table)
    if not wanted:
        return [n for n in hashed if not n.startswith("raw_")] + ["lon", "lat"]
    return [n for n in wanted if n in plan]


def _store_key(m: Mapping) -> str:
    """The store column holding a record's key: the id column itself, or ``_key`` for tables without one."""
    key = TABLES[m.table].key
    return ident(key) if key else "_key"


def _classify(con: Any, m: Mapping, has_loc: bool, rep: FileReport, stage: _Stage) -> None:
    """Count new / updated / duplicate / quarantined rows against the store (no writes)."""
    target = ident(m.table)
    fresh = "s._rc = 0 AND NOT s._fdup AND (t._key IS NULL OR t._hash <> s._hash)"
    loc = ""
    if has_loc:
        loc = "".join(f", count(*) FILTER (WHERE {fresh} AND s._loc = {k})" for k in LOCATION_REASONS)
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE s._rc = 0 AND NOT s._fdup AND t._key IS NULL),
                   count(*) FILTER (WHERE s._rc = 0 AND NOT s._fdup AND t._key IS NOT NULL
                                    AND t._hash <> s._hash),
                   count(*) FILTER (WHERE s._rc = 0 AND (s._fdup OR t._hash = s._hash)),
                   count(*) FILTER (WHERE s._rc > 0){loc}
            FROM _zz_stg s
            LEFT JOIN (SELECT {_store_key(m)} AS _key, _hash FROM {target}) t ON t._key = s._key"""
    ).fetchall()[0]
    rep.accepted, rep.updated, rep.duplicate, rep.quarantined = (int(v) for v in row[:4])
    if has_loc:
        rep.location_reasons = {
            LOCATION_REASONS[k]: int(n) for k, n in zip(LOCATION_REASONS, row[4:], strict=True) if n
        }
        rep.location_cleared = sum(rep.location_reasons.values())
    # the same reason on several columns adds up (one check per reason and column)
    for rc, n in con.execute(
        "SELECT _rc, count(*) FROM _zz_stg WHERE _rc > 0 GROUP BY 1 ORDER BY 1"
    ).fetchall():
        code, column = stage.reasons[rc - 1], stage.columns[rc - 1]
        rep.reasons[code] = rep.reasons.get(code, 0) + int(n)
        rep.reason_columns[(code, column)] = rep.reason_columns.get((code, column), 0) + int(n)
    if rep.updated:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _zz_upd AS SELECT s._key FROM _zz_stg s JOIN {target} t "
            f"ON t.{_store_key(m)} = s._key WHERE s._rc = 0 AND NOT s._fdup AND t._hash <> s._hash"
        )


@dataclass
class _File:
    """Where a file's rows came from: its name (as shown), full path and content hash."""

    name: str
    path: str
    sha: str


def _row_sql(rejects: int) -> str:
    """SQL giving the 1-based data row of staged row ``s`` (malformed rows set aside shift it)."""
    if not rejects:
        return "s.rowid + 1"
    return "s.rowid + 1 + (SELECT count(*) FROM _zz_rejrows x WHERE x.r - x.j <= s.rowid + 1)"


def _write(
    con: Any,
    m: Mapping,
    plan: dict[str, Col],
    has_loc: bool,
    key_mode: str,
    src: _File,
    rep: FileReport,
    stage: _Stage,
    now: dt.datetime,
    tz: str,
) -> None:
    """Write the classified file into the store in one transaction: records (new and changed),
    quarantine (replacing what this file path or this content left before), findings, coverage and
    the log."""
    tdef = TABLES[m.table]
    target = ident(m.table)
    exprs = []
    for c in tdef.columns:
        if c.name == "source_file":
            exprs.append(literal(src.name))
        elif c.name == tdef.key and key_mode in ("generated", "column", "declared"):
            exprs.append("s._key")
        elif c.name in ("lon", "lat") and has_loc:
            exprs.append(f"s.{c.name}")
        elif c.name in plan and plan[c.name].src is not None:
            exprs.append(f"s.{ident(c.name)}")
        elif c.name == "area_code" and stage.derived_area:
            exprs.append("s.area_code")
        else:
            exprs.append("NULL")
    cols = ", ".join(ident(n) for n in tdef.names)
    tkey = _store_key(m)
    fresh = f"s._rc = 0 AND NOT s._fdup AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t.{tkey} = s._key)"
    reasons = "[" + ", ".join(literal(r) for r in stage.reasons) + "]"
    columns = "[" + ", ".join(literal(c) for c in stage.columns) + "]"
    row = _row_sql(rep.malformed)
    con.execute("BEGIN TRANSACTION")
    try:
        if rep.updated:
            con.execute(f"DELETE FROM {target} WHERE {tkey} IN (SELECT _key FROM _zz_upd)")
        if has_loc and rep.location_cleared:
            cases = " ".join(f"WHEN {k} THEN {literal(v)}" for k, v in LOCATION_REASONS.items())
            con.execute(
                f"INSERT INTO location_log SELECT ?, {row}, s._key, CASE s._loc {cases} END, "
                "TRY_CAST(s.raw_lon AS DOUBLE), TRY_CAST(s.raw_lat AS DOUBLE), ?, ? "
                f"FROM _zz_stg s WHERE s._loc > 0 AND {fresh} ORDER BY s.rowid",
                [src.name, m.table, now],
            )
        con.execute(
            f"INSERT INTO {target} ({cols}, _key, _hash, _source) SELECT {', '.join(exprs)}, "
            f"{'NULL' if TABLES[m.table].key else 's._key'}, s._hash, ? "
            f"FROM _zz_stg s WHERE {fresh}",
            [m.source_name],
        )
        # quarantine is keyed by the file's full path and its content: ingesting b/x.csv leaves
        # a/x.csv's rows alone, and the same content from another path replaces, never doubles
        con.execute(
            'DELETE FROM quarantine WHERE "table" = ? AND (source_path = ? OR file_hash = ? '
            "OR (source_path IS NULL AND source_file = ?))",
            [m.table, src.path, src.sha, src.name],
        )
        con.execute('DELETE FROM ingest_findings WHERE "table" = ? AND source_path = ?', [m.table, src.path])
        q = 'source_file, "row", reason, "column", "value", raw, "table", "at", source_path, file_hash'
        if rep.quarantined - rep.malformed:
            con.execute(
                f"INSERT INTO quarantine ({q}) SELECT ?, {row}, {reasons}[s._rc], {columns}[s._rc], "
                "s._rval, s._raw, ?, ?, ?, ? FROM _zz_stg s WHERE s._rc > 0 ORDER BY s.rowid",
                [src.name, m.table, now, src.path, src.sha],
            )
        if rep.malformed:
            con.execute(
                f"INSERT INTO quarantine ({q}) SELECT ?, r, 'malformed_row', NULL, "
                "left(csv_line, 200), to_json(struct_pack(line := csv_line, error := error_message)), "
                "?, ?, ?, ? FROM _zz_rejrows ORDER BY r",
                [src.name, m.table, now, src.path, src.sha],
            )
        if stage.findings:
            con.execute(
                f"INSERT INTO ingest_findings SELECT ?, ?, {row}, s._key, f.kind, f.col, f.stated, f.found, "
                "?, ? "
                "FROM _zz_find f JOIN _zz_stg s ON s.rowid = f.rid ORDER BY s.rowid",
                [src.name, src.path, m.table, now],
            )
        dated = DATE_COLUMNS.get(m.table)
        if dated and plan[dated].src is not None:
            write_coverage(con, m, src.name, src.path, tz, plan[dated].dtype, now, rep.notes)
        _write_log(con, rep, now, src)
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        raise StoreError(
            f"{rep.file}: writing to the store failed, nothing of this file was stored "
            f"(the store is as it was before it): {exc}"
        ) from exc


def _write_log(con: Any, rep: FileReport, now: dt.datetime, src: _File) -> None:
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


# -- one file ---------------------------------------------------------------------------------------
def ingest_one(st: Any, path: Path, m: Mapping, tmpdir: str, seen: str | None = None) -> FileReport:
    """Ingest one file into the open read-write store ``st``; return its :class:`FileReport`.

    ``seen``: a temp table to which the keys of every counted row are added (``--replace``).
    """
    from zzanalytics.store import now_local

    con = st.con
    from zzanalytics.ingest.mapping import personal_columns

    tdef = TABLES[m.table]
    rep = FileReport(file=str(path), table=m.table)
    points = ""  # the Arrow table of points worked out in Python, joined by position
    try:
        loaded = load_source(
            con,
            path,
            "_zz_raw",
            encoding=m.encoding,
            sheet=m.sheet,
            skip=m.skip,
            crs=m.crs,
            tmpdir=tmpdir,
            delimiter=m.delimiter,
            member=m.member,
            footer=m.footer,
        )
        src = _File(path.name, str(path.resolve()), file_sha256(path))
        rep.encoding, rep.read = loaded.encoding, loaded.rows
        rep.notes += loaded.notes
        shape = shaped_source(m, loaded.source, loaded.headers, path)  # [headers], [records], count_column
        source, headers, rep.notes = shape.source, shape.headers, rep.notes + shape.notes
        plan = resolve_columns(m, headers, path, address_areas(m, st))
        personal_columns(m, headers, path)  # every [personal] name is a column of the file
        if tdef.key is not None:
            key_mode = "column" if plan[tdef.key].src is not None else "declared" if m.key else "generated"
        else:
            key_mode = "natural" if m.table in NATURAL_KEYS else "generated"
        lookups = make_lookups(m, plan, st)
        tz = st.timezone
        now = now_local(tz)
        ceiling = m.date_ceiling or (now + dt.timedelta(days=1)).isoformat(sep=" ", timespec="seconds")
        has_loc = "lon" in plan and (plan["lon"].src is not None or plan["lat"].src is not None)
        loc_sql = None
        if has_loc:  # pyproj and shapely run here, never in DuckDB's threads (see locations.py)
            lon, lat = plan["lon"].src, plan["lat"].src
            located = point_source(con, source, lon, lat, m.crs, st.district(), "_zz_pts_arrow")
            if located is not None:
                source, points = located, "_zz_pts_arrow"
            loc_sql = location_sql(sql_crs(m.crs) if located is None else None)
        args = (con, m, plan, lookups, key_mode, m.date_floor, ceiling, tz)
        stage = _stage_or_explain(*args, source, headers, loc_sql, path=path)
        extra = loose_area_pairs(con, m, st, lookups)
        if extra:  # names that match a store area once normalised: stage again with them
            lookups["area_code"].update(extra)
            for t in ("_zz_rej", "_zz_rejscan"):
                con.execute(f"DROP TABLE IF EXISTS {t}")
            stage = _stage_or_explain(*args, source, headers, loc_sql, path=path)
            rep.notes.append(
                f"{len(extra)} area name(s) matched after normalising spelling "
                f"(e.g. {next(iter(extra))!r} -> {next(iter(extra.values()))}); "
                '[source] area_names = "exact" turns this off'
            )
        rep.malformed = malformed_rows(con, loaded.kind, m.skip)
        rep.read = con.execute("SELECT count(*) FROM _zz_stg").fetchall()[0][0] + rep.malformed
        rep.notes += shape.read_notes(con, rep.read - rep.malformed)
        if key_mode == "generated" and tdef.key is not None:
            ordinals(con, m.repeats)
        if "area_code" in tdef.names and m.table != "areas" and has_loc:
            index = area_index(st)
            if index is not None:
                stage.derived_area = plan["area_code"].src is None
                stage.findings = areas_from_points(con, index, not stage.derived_area, rep)
        in_file_duplicates(con, stage, tdef.key)
        _classify(con, m, has_loc, rep, stage)
        rep.notes += date_hints(con, stage.reasons, stage.columns, m.calendar)
        if key_mode == "generated" and tdef.key is not None:
            note_whole_repeats(con, rep)
        if rep.malformed:
            rep.reasons["malformed_row"] = rep.reasons.get("malformed_row", 0) + rep.malformed
            rep.reason_columns[("malformed_row", "")] = rep.malformed
            rep.quarantined += rep.malformed
        if "area_code" in tdef.names and m.table != "areas":
            rep.unassigned = _unassigned(con, stage, plan)
        for col in _label_cols(m, plan):
            raw, typed = ident("raw_" + col), ident(col)
            for label, n in con.execute(
                f"SELECT {raw}, count(*) FROM _zz_stg WHERE {raw} IS NOT NULL AND {typed} IS NULL "
                "GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall():
                rep.unknown_labels[(col, label)] = n
        if rep.unknown_labels and any(c == "area_code" for c, _ in rep.unknown_labels):
            names = [str(x) for x in lookups.get("area_code", {})]
            from zzanalytics.ingest.areas import nearest_names

            for col, label in rep.unknown_labels:
                if col == "area_code":
                    rep.candidates[label] = nearest_names(str(label), names)
        if not rep.balanced:  # pragma: no cover - a bug, never a data problem
            raise StoreError(f"{path}: internal error, rows do not add up: {rep}")
        rep.notes += clock_notes(con, m, tz, stage.gap)
        _write(con, m, plan, has_loc, key_mode, src, rep, stage, now, tz)
        if seen is not None:
            con.execute(f"INSERT INTO {seen} SELECT DISTINCT _key FROM _zz_stg WHERE _rc = 0")
    finally:
        import contextlib

        import duckdb

        with contextlib.suppress(duckdb.Error):
            con.execute("SELECT 1").fetchall()  # complete any pending result before cleaning up
        if points:
            con.unregister(points)
        for t in (*_TEMPS, "_zz_find"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
    return rep


def _unassigned(con: Any, stage: _Stage, plan: dict[str, Col]) -> int:
    """Counted rows (new or updated) left without an area."""
    has = plan["area_code"].src is not None or stage.derived_area
    if not has:
        return int(con.execute("SELECT count(*) FROM _zz_stg WHERE _rc = 0 AND NOT _fdup").fetchall()[0][0])
    return int(
        con.execute(
            "SELECT count(*) FROM _zz_stg WHERE _rc = 0 AND NOT _fdup AND area_code IS NULL"
        ).fetchall()[0][0]
    )


def _stage_or_explain(*args: Any, path: Path, **kw: Any) -> _Stage:
    """:func:`_stage`, with a DuckDB reading error turned into one line naming the file and line."""
    import duckdb

    try:
        return _stage(*args, **kw) if kw else _stage(*args)
    except duckdb.Error as exc:
        text = str(exc)
        first = text.splitlines()[0] if text else type(exc).__name__
        line = re.search(r"[Ll]ine:? (\d+)", text)
        where = f" near line {line.group(1)}" if line else ""
        raise SourceError(
            f"{path}: cannot be read{where}: {first[:300]}; check that line of the file "
            "(or [source] delimiter, skip and encoding in the mapping)"
        ) from None
