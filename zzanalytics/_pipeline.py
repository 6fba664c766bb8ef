"""The per-file ingest pipeline, done inside DuckDB (private; the public verbs are in :mod:`ingest`).

One file goes through these steps, every one a set-based SQL statement over the
whole file (no Python loop over rows):

1. the reader loads the file into a temp table of text columns (``_readers``);
2. one ``CREATE TABLE AS`` maps source headers to canonical columns, joins the
   label lookups (categories, areas, ``[values.*]``), parses dates over the
   recognised forms (``_dates``), numbers and booleans, and derives the first
   quarantine reason of each row, its content hash and its record key;
3. coordinates are converted to WGS-84 in numpy over Arrow batches and checked
   against the district's polygons (shapely ``contains_xy``);
4. repeated ids inside the file are split into duplicates and conflicts;
5. rows are classified against the store (anti-join on the key, hash compare),
   and the store is written in ONE transaction: replaced rows deleted, new and
   changed rows inserted, quarantine, location log and ingest log appended.
   Any error rolls the transaction back, leaving the store as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics._dates import timestamp_sql
from zzanalytics._readers import load_source, quote_ident, sql_lit
from zzanalytics.coords import to_wgs84, valid_lonlat
from zzanalytics.errors import SourceError, StoreError
from zzanalytics.ingest import (
    FALSE_WORDS,
    FUTURE_OK,
    NATURAL_KEYS,
    NULL_WORDS,
    TRUE_WORDS,
    VOCABULARIES,
    FileReport,
    Mapping,
)
from zzanalytics.schema import LEAF_CATEGORIES, LOCAL_TZ, TABLES

LOCATION_REASONS = {
    1: "incomplete coordinates",
    2: "unparseable coordinates",
    3: "impossible coordinates",
    4: "outside the district",
}
_BATCH = 1_000_000
_TEMPS = ("_zz_raw", "_zz_stg", "_zz_pts", "_zz_fd", "_zz_cls")


# -- column plan ------------------------------------------------------------------------------
@dataclass
class _Col:
    name: str
    dtype: str
    required: bool
    src: str | None  # SQL expression of the raw value (source column or constant), None when absent


def _resolve_columns(m: Mapping, headers: list[str], path: Path) -> dict[str, _Col]:
    tdef = TABLES[m.table]
    stripped = {h.strip(): h for h in headers}
    plan: dict[str, _Col] = {}
    missing_required = []
    for c in tdef.columns:
        if c.name == "source_file":
            continue
        src = None
        if c.name in m.columns:
            header = m.columns[c.name]
            actual = header if header in headers else stripped.get(header.strip())
            if actual is None:
                raise SourceError(
                    f"{path}: has no column {header!r}, which {m.where} maps to {c.name} "
                    f'([columns] {c.name} = "{header}"); the file\'s columns are {headers}; '
                    f"fix that line to one of them"
                )
            src = f"r.{quote_ident(actual)}"
        elif c.name in m.constants:
            value = m.constants[c.name]
            if isinstance(value, bool):
                value = "true" if value else "false"
            src = sql_lit(str(value))
        elif c.name in stripped:
            src = f"r.{quote_ident(stripped[c.name])}"
        if src is None and c.required and c.name != tdef.key:
            missing_required.append(c.name)
        plan[c.name] = _Col(c.name, c.dtype, c.required, src)
    if missing_required:
        lines = "; ".join(f'{n} = "<header>"' for n in missing_required)
        raise SourceError(
            f"{path}: table {m.table!r} needs column(s) {missing_required} but {m.where} does not map them "
            f"and the file has no column of that name; the file's columns are {headers}; "
            f"add to [columns]: {lines} (or set a value for the whole file under [constants])"
        )
    return plan


def _vocab(table: str, col: str) -> tuple[str, ...] | None:
    return VOCABULARIES.get((table, col))


@dataclass
class _Lookup:
    col: str
    table: str  # temp table with label, value


def _make_lookups(con: Any, m: Mapping, plan: dict[str, _Col], st: Any) -> dict[str, _Lookup]:
    lookups: dict[str, _Lookup] = {}

    def create(col: str, pairs: list[tuple[str, str]]) -> None:
        name = f"_zz_lk_{col}"
        frame = pd.DataFrame(pairs, columns=["label", "value"]).drop_duplicates("label", keep="first")
        con.register(f"{name}_df", frame)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT CAST(label AS VARCHAR) AS label, "
            f"CAST(value AS VARCHAR) AS value FROM {name}_df"
        )
        con.unregister(f"{name}_df")
        lookups[col] = _Lookup(col, name)

    for col, pairs in m.values.items():
        if plan.get(col) and plan[col].src is not None:
            create(col, [(k, _value_text(v)) for k, v in pairs.items()])
    if m.table == "incidents" and plan["category"].src is not None:
        create("category", [*m.categories.items(), *((c, c) for c in LEAF_CATEGORIES)])
    if "area_code" in plan and m.table != "areas" and plan["area_code"].src is not None:
        pairs = list(m.areas.items())
        known = st.area_names()
        if len(known):
            pairs += list(zip(known["label"].astype(str), known["area_code"].astype(str), strict=True))
            pairs += [(v, v) for v in m.areas.values()]
        if pairs:
            create("area_code", pairs)
    return lookups


def _value_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _typed_sql(c: _Col, m: Mapping, lookups: dict[str, _Lookup]) -> tuple[str, str]:
    """(raw expression, typed expression) of one canonical column; raw is trimmed text or NULL."""
    if c.dtype == "geometry":
        raw = c.src or "NULL"
        return raw, f"CAST(raw_{c.name} AS BLOB)"
    raw_src = f"trim(CAST({c.src} AS VARCHAR))" if c.src else "CAST(NULL AS VARCHAR)"
    nulls = ", ".join(sql_lit(w) for w in NULL_WORDS)
    raw = f"CASE WHEN {raw_src} IN ({nulls}) THEN NULL ELSE {raw_src} END"
    r = f"v.{quote_ident('raw_' + c.name)}"
    lk = lookups.get(c.name)
    mapped = f"COALESCE(lk_{c.name}.value, {r})" if lk else r
    vocab = _vocab(m.table, c.name)
    if c.name in ("category", "area_code") and lk:
        typed = f"lk_{c.name}.value"
    elif vocab:
        allowed = ", ".join(sql_lit(x) for x in vocab)
        typed = f"CASE WHEN {mapped} IN ({allowed}) THEN {mapped} END"
    elif c.dtype == "str":
        typed = mapped
    elif c.dtype in ("timestamp", "date"):
        ts = timestamp_sql(mapped, source_tz=m.timezone, local_tz=LOCAL_TZ, date_format=m.date_format)
        typed = ts if c.dtype == "timestamp" else f"CAST({ts} AS DATE)"
    elif c.dtype in ("float", "int"):
        num = f"TRY_CAST(replace({mapped}, ',', '') AS DOUBLE)"
        unit = m.units.get(c.name)
        if unit is not None:
            num = f"({num} * {float(unit)!r})"
        if c.dtype == "int":
            typed = f"CASE WHEN {num} = floor({num}) AND abs({num}) < 9e15 THEN CAST({num} AS BIGINT) END"
        else:
            typed = f"CASE WHEN isfinite({num}) THEN {num} END"
    elif c.dtype == "bool":
        t = ", ".join(sql_lit(w) for w in TRUE_WORDS)
        f = ", ".join(sql_lit(w) for w in FALSE_WORDS)
        typed = f"CASE WHEN lower({mapped}) IN ({t}) THEN true WHEN lower({mapped}) IN ({f}) THEN false END"
    else:  # pragma: no cover - schema only uses the dtypes above
        raise StoreError(f"column {c.name}: unknown dtype {c.dtype}")
    return raw, typed


def _checks(c: _Col, m: Mapping, key_generated: bool, floor: str, ceiling: str) -> list[tuple[str, str]]:
    """(condition, reason) pairs for one column, in order; conditions refer to raw_/typed columns."""
    raw, typed = quote_ident("raw_" + c.name), quote_ident(c.name)
    out: list[tuple[str, str]] = []
    is_loc = c.name in ("lon", "lat")
    if c.required and not (key_generated and c.name == TABLES[m.table].key):
        out.append((f"{raw} IS NULL" if c.dtype != "geometry" else f"{typed} IS NULL", f"missing {c.name}"))
    if c.dtype in ("timestamp", "date"):
        out.append((f"{raw} IS NOT NULL AND {typed} IS NULL", "unparseable date"))
        if floor:
            out.append((f"{typed} < TIMESTAMP {sql_lit(floor)}", "date before floor"))
        if (m.table, c.name) not in FUTURE_OK:
            out.append((f"{typed} > TIMESTAMP {sql_lit(ceiling)}", "date in the future"))
    elif c.name == "category" and m.table == "incidents":
        out.append((f"{raw} IS NOT NULL AND {typed} IS NULL", "unknown category"))
    elif c.name == "area_code" and m.table != "areas":
        out.append((f"{raw} IS NOT NULL AND {typed} IS NULL", "unknown area"))
    elif _vocab(m.table, c.name) or c.dtype == "bool":
        out.append((f"{raw} IS NOT NULL AND {typed} IS NULL", f"unknown {c.name}"))
    elif c.dtype in ("float", "int") and not is_loc:
        out.append((f"{raw} IS NOT NULL AND {typed} IS NULL", "unparseable number"))
        if c.name not in ("value", "ceiling"):
            out.append((f"{typed} < 0", "negative count" if c.dtype == "int" else "negative value"))
    return out


def _label_cols(m: Mapping, plan: dict[str, _Col]) -> list[str]:
    cols = []
    for c in plan.values():
        if c.src is None:
            continue
        if (
            (c.name == "category" and m.table == "incidents")
            or (c.name == "area_code" and m.table != "areas")
            or _vocab(m.table, c.name)
            or c.dtype == "bool"
        ):
            cols.append(c.name)
    return cols


def _stage(
    con: Any,
    m: Mapping,
    plan: dict[str, _Col],
    lookups: dict[str, _Lookup],
    key_mode: str,
    floor: str,
    ceiling: str,
) -> None:
    """Create ``_zz_stg``: raw and typed canonical columns, first quarantine reason, hash and key."""
    tdef = TABLES[m.table]
    cols = list(plan.values())
    raws, typeds = [], []
    for c in cols:
        raw, typed = _typed_sql(c, m, lookups)
        raws.append(f"{raw} AS {quote_ident('raw_' + c.name)}")
        typeds.append(f"{typed} AS {quote_ident(c.name)}")
    joins = " ".join(
        f"LEFT JOIN {lk.table} lk_{col} ON lk_{col}.label = v.{quote_ident('raw_' + col)}"
        for col, lk in lookups.items()
    )
    checks: list[tuple[str, str, str]] = []
    for c in cols:
        for cond, reason in _checks(c, m, key_mode == "generated", floor, ceiling):
            checks.append((cond, reason, c.name))
    if checks:
        reason = "CASE " + " ".join(f"WHEN {cond} THEN {sql_lit(r)}" for cond, r, _ in checks) + " END"
        rcol = "CASE " + " ".join(f"WHEN {cond} THEN {sql_lit(n)}" for cond, _, n in checks) + " END"
        rval = (
            "CASE "
            + " ".join(
                f"WHEN {cond} THEN " + ("NULL" if plan[n].dtype == "geometry" else quote_ident("raw_" + n))
                for cond, _, n in checks
            )
            + " END"
        )
    else:
        reason = rcol = rval = "CAST(NULL AS VARCHAR)"
    content_cols = [c.name for c in cols if not (key_mode == "column" and c.name == tdef.key)]
    parts = []
    for n in content_cols:
        expr = quote_ident(n)
        expr = f"hex({expr})" if plan[n].dtype == "geometry" else f"CAST({expr} AS VARCHAR)"
        parts.append(f"COALESCE({expr}, chr(1))")
    content = "concat(" + ", chr(31), ".join(parts) + ")" if parts else "''"
    if key_mode == "column":
        key = f"CAST({quote_ident(tdef.key)} AS VARCHAR)"
    elif key_mode == "natural":
        key = (
            "concat_ws(chr(31), "
            + ", ".join(f"COALESCE(CAST({quote_ident(n)} AS VARCHAR), '')" for n in NATURAL_KEYS[m.table])
            + ")"
        )
    else:
        key = f"substr(md5({content}), 1, 20)"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _zz_stg AS
        WITH v AS (SELECT r.rowid AS _rid, {", ".join(raws)} FROM _zz_raw r),
        t AS (SELECT v.*, {", ".join(typeds)} FROM v {joins})
        SELECT t.*, {reason} AS _reason, {rcol} AS _rcol, CAST({rval} AS VARCHAR) AS _rval,
               md5_number_lower({content}) AS _hash, {key} AS _key, false AS _fdup
        FROM t"""
    )


def _locations(con: Any, st: Any, m: Mapping, plan: dict[str, _Col]) -> bool:
    """Convert points to WGS-84 and check them into ``_zz_pts(_rid, lon, lat, code)``; False if no points."""
    if "lon" not in plan or (plan["lon"].src is None and plan["lat"].src is None):
        return False
    import pyarrow as pa
    import shapely

    con.execute("CREATE OR REPLACE TEMP TABLE _zz_pts (_rid BIGINT, lon DOUBLE, lat DOUBLE, code TINYINT)")
    district = st.district()
    n_rows = con.execute("SELECT count(*) FROM _zz_stg").fetchall()[0][0]
    for lo in range(0, n_rows, _BATCH):
        batch = con.sql(
            "SELECT _rid, raw_lon IS NULL OR raw_lat IS NULL AS incomplete, lon, lat FROM _zz_stg "
            f"WHERE _rid >= {int(lo)} AND _rid < {int(lo + _BATCH)} AND _reason IS NULL "
            "AND (raw_lon IS NOT NULL OR raw_lat IS NOT NULL)"
        ).to_arrow_table()
        rid = batch.column(0).to_numpy(zero_copy_only=False)
        incomplete = batch.column(1).to_numpy(zero_copy_only=False).astype(bool)
        lon = batch.column(2).to_numpy(zero_copy_only=False).astype("float64")
        lat = batch.column(3).to_numpy(zero_copy_only=False).astype("float64")
        code = np.zeros(len(rid), dtype="int8")
        code[incomplete] = 1
        unparsed = (code == 0) & ~(np.isfinite(lon) & np.isfinite(lat))
        code[unparsed] = 2
        ok = code == 0
        wlon, wlat = np.full(len(rid), np.nan), np.full(len(rid), np.nan)
        if ok.any():
            wlon[ok], wlat[ok] = to_wgs84(lon[ok], lat[ok], m.crs)
        code[ok & ~valid_lonlat(wlon, wlat)] = 3
        if district is not None:
            ok = code == 0
            inside = shapely.contains_xy(district, wlon[ok], wlat[ok])
            idx = np.flatnonzero(ok)[~inside]
            code[idx] = 4
        bad = code > 0
        wlon[bad], wlat[bad] = np.nan, np.nan
        frame = pa.table({"_rid": rid, "lon": wlon, "lat": wlat, "code": code})
        con.register("_zz_pts_batch", frame)
        try:
            con.execute(
                "INSERT INTO _zz_pts SELECT _rid, CASE WHEN isnan(lon) THEN NULL ELSE lon END, "
                "CASE WHEN isnan(lat) THEN NULL ELSE lat END, code FROM _zz_pts_batch"
            )
        finally:
            con.unregister("_zz_pts_batch")
    if TABLES[m.table].column("lon").required:
        cases = " ".join(f"WHEN {k} THEN {sql_lit(v)}" for k, v in LOCATION_REASONS.items())
        con.execute(
            f"UPDATE _zz_stg SET _reason = CASE p.code {cases} END, _rcol = 'lon', "
            "_rval = concat(_zz_stg.raw_lon, ',', _zz_stg.raw_lat) "
            "FROM _zz_pts p WHERE p._rid = _zz_stg._rid AND p.code > 0"
        )
    return True


def _in_file_duplicates(con: Any, tdef_key: str | None) -> None:
    """Mark repeats of a key inside the file: identical → duplicate, different → quarantined."""
    repeated = "SELECT _key FROM _zz_stg WHERE _reason IS NULL GROUP BY _key HAVING count(*) > 1"
    if not con.execute(f"SELECT count(*) FROM ({repeated})").fetchall()[0][0]:
        return
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _zz_fd AS
        SELECT _rid, _hash = h1 AS same FROM (
            SELECT _rid, _hash, row_number() OVER w AS rn, first_value(_hash) OVER w AS h1
            FROM _zz_stg WHERE _reason IS NULL AND _key IN ({repeated})
            WINDOW w AS (PARTITION BY _key ORDER BY _rid))
        WHERE rn > 1"""
    )
    con.execute("UPDATE _zz_stg SET _fdup = true FROM _zz_fd f WHERE f._rid = _zz_stg._rid AND f.same")
    con.execute(
        "UPDATE _zz_stg SET _reason = 'conflicting duplicate id in file', "
        f"_rcol = {sql_lit(tdef_key or 'key')}, "
        "_rval = _zz_stg._key FROM _zz_fd f WHERE f._rid = _zz_stg._rid AND NOT f.same"
    )


def _write(
    con: Any,
    m: Mapping,
    plan: dict[str, _Col],
    has_pts: bool,
    key_mode: str,
    source_file: str,
    headers: list[str],
    rep: FileReport,
    now: dt.datetime,
) -> None:
    """Write the classified file into the store in one transaction."""
    tdef = TABLES[m.table]
    target = quote_ident(m.table)
    exprs = []
    for c in tdef.columns:
        if c.name == "source_file":
            exprs.append(sql_lit(source_file))
        elif c.name == tdef.key and key_mode == "generated":
            exprs.append("s._key")
        elif c.name in ("lon", "lat") and has_pts:
            exprs.append(f"p.{c.name}")
        elif c.name in plan:
            exprs.append(f"s.{quote_ident(c.name)}")
        else:
            exprs.append("NULL")
    cols = ", ".join(quote_ident(n) for n in tdef.names)
    pts_join = "LEFT JOIN _zz_pts p ON p._rid = s._rid" if has_pts else ""
    raw_json = (
        "to_json(struct_pack("
        + ", ".join(f"{quote_ident(h)} := r.{quote_ident(h)}" for h in headers if h != "geometry")
        + "))"
        if headers
        else "NULL"
    )
    con.execute("BEGIN TRANSACTION")
    try:
        if rep.updated:
            con.execute(
                f"DELETE FROM {target} WHERE _key IN "
                "(SELECT s._key FROM _zz_stg s JOIN _zz_cls c ON c._rid = s._rid WHERE c.st = 'u')"
            )
        con.execute(
            f"INSERT INTO {target} ({cols}, _key, _hash) SELECT {', '.join(exprs)}, s._key, s._hash "
            f"FROM _zz_stg s JOIN _zz_cls c ON c._rid = s._rid {pts_join} WHERE c.st IN ('n', 'u')"
        )
        con.execute('DELETE FROM quarantine WHERE source_file = ? AND "table" = ?', [source_file, m.table])
        con.execute(
            f"INSERT INTO quarantine SELECT ?, s._rid + 1, s._reason, s._rcol, s._rval, {raw_json}, ?, ? "
            "FROM _zz_stg s JOIN _zz_raw r ON r.rowid = s._rid WHERE s._reason IS NOT NULL ORDER BY s._rid",
            [source_file, m.table, now],
        )
        if has_pts:
            cases = " ".join(f"WHEN {k} THEN {sql_lit(v)}" for k, v in LOCATION_REASONS.items())
            con.execute(
                f"INSERT INTO location_log SELECT ?, s._rid + 1, s._key, CASE p.code {cases} END, "
                "TRY_CAST(s.raw_lon AS DOUBLE), TRY_CAST(s.raw_lat AS DOUBLE), ?, ? "
                "FROM _zz_stg s JOIN _zz_cls c ON c._rid = s._rid JOIN _zz_pts p ON p._rid = s._rid "
                "WHERE c.st IN ('n', 'u') AND p.code > 0 ORDER BY s._rid",
                [source_file, m.table, now],
            )
        _write_log(con, rep, now)
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        raise StoreError(
            f"{rep.file}: writing to the store failed, nothing of this file was stored "
            f"(the store is as it was before it): {exc}"
        ) from exc


def _write_log(con: Any, rep: FileReport, now: dt.datetime) -> None:
    con.execute(
        "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        ],
    )


def ingest_one(st: Any, path: Path, m: Mapping, tmpdir: str) -> FileReport:
    """Ingest one file into the open read-write store ``st``; return its :class:`FileReport`."""
    from zzanalytics.store import now_local

    con = st.con
    tdef = TABLES[m.table]
    rep = FileReport(file=str(path), table=m.table)
    try:
        loaded = load_source(
            con, path, "_zz_raw", encoding=m.encoding, sheet=m.sheet, skip=m.skip, crs=m.crs, tmpdir=tmpdir
        )
        rep.encoding, rep.read = loaded.encoding, loaded.rows
        rep.notes += loaded.notes
        plan = _resolve_columns(m, loaded.headers, path)
        if tdef.key is not None:
            key_mode = "column" if plan[tdef.key].src is not None else "generated"
        else:
            key_mode = "natural" if m.table in NATURAL_KEYS else "generated"
        lookups = _make_lookups(con, m, plan, st)
        now = now_local()
        ceiling = m.date_ceiling or (now + dt.timedelta(days=1)).isoformat(sep=" ", timespec="seconds")
        _stage(con, m, plan, lookups, key_mode, m.date_floor, ceiling)
        has_pts = _locations(con, st, m, plan)
        _in_file_duplicates(con, tdef.key)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _zz_cls AS
            SELECT s._rid, CASE WHEN s._reason IS NOT NULL THEN 'q' WHEN s._fdup THEN 'd'
                                WHEN t._key IS NULL THEN 'n' WHEN t._hash = s._hash THEN 'd'
                                ELSE 'u' END AS st
            FROM _zz_stg s LEFT JOIN (SELECT _key, _hash FROM {quote_ident(m.table)}) t
              ON t._key = s._key AND s._reason IS NULL AND NOT s._fdup"""
        )
        counts = dict(con.execute("SELECT st, count(*) FROM _zz_cls GROUP BY st").fetchall())
        rep.accepted, rep.updated = counts.get("n", 0), counts.get("u", 0)
        rep.duplicate, rep.quarantined = counts.get("d", 0), counts.get("q", 0)
        rep.reasons = dict(
            con.execute(
                "SELECT _reason, count(*) FROM _zz_stg WHERE _reason IS NOT NULL "
                "GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        for col in _label_cols(m, plan):
            raw, typed = quote_ident("raw_" + col), quote_ident(col)
            for label, n in con.execute(
                f"SELECT {raw}, count(*) FROM _zz_stg WHERE {raw} IS NOT NULL AND {typed} IS NULL "
                "GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall():
                rep.unknown_labels[(col, label)] = n
        if has_pts:
            for code, n in con.execute(
                "SELECT p.code, count(*) FROM _zz_pts p JOIN _zz_cls c ON c._rid = p._rid "
                "WHERE p.code > 0 AND c.st IN ('n', 'u') GROUP BY 1 ORDER BY 1"
            ).fetchall():
                rep.location_reasons[LOCATION_REASONS[code]] = n
            rep.location_cleared = sum(rep.location_reasons.values())
        if not rep.balanced:  # pragma: no cover - a bug, never a data problem
            raise StoreError(f"{path}: internal error, rows do not add up: {rep}")
        _write(con, m, plan, has_pts, key_mode, path.name, loaded.headers, rep, now)
    finally:
        for t in _TEMPS:
            con.execute(f"DROP TABLE IF EXISTS {t}")
        for col in [*m.values, "category", "area_code"]:
            con.execute(f"DROP TABLE IF EXISTS _zz_lk_{col}")
    return rep
