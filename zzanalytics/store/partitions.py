"""Partitioned Parquet exports of the store, read directly by workers.

A Dask worker on another machine cannot open the analyst's DuckDB file, and a
whole store should never be pickled into tasks. :func:`export_partitions` writes
the store's tables as a Hive-partitioned Parquet dataset (``year=2026/area_code=
620102001/data_0.parquet``) with DuckDB's ``COPY ... (FORMAT PARQUET, PARTITION_BY
(...))``; put it on storage every worker sees (NFS, a shared disk). A task then
carries only the dataset's path and a filter, and :func:`read_partitions` reads
the few files the filter selects (partition pruning on the folder names), with
the same columns and types as :meth:`zzanalytics.store.Store.incidents`.

Partition keys are table columns or derived keys: ``year`` (of the table's date
column), ``month`` (``YYYY-MM``) and ``county`` (the first six digits of
``area_code``, the county part of an administrative division code). For a
province, ``("year", "county")`` keeps files large (a few thousand rows each);
the default ``("year", "area_code")`` suits a district.

Layout::

    OUT/
      _zz_partitions.json        tables, partition keys, row counts, source store
      incidents/year=2026/area_code=620102001/data_0.parquet
      ...

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> from zzanalytics.store import open_store
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with open_store(d / "zz.duckdb", read_only=False) as st:
...     _ = st.con.execute("INSERT INTO incidents (incident_id, occurred_at, category, area_code) VALUES "
...                        "('a', '2025-03-01 10:00', 'fire', '620102001'), "
...                        "('b', '2026-04-02 11:00', 'fire', '620102002')")
...     root = export_partitions(st, d / "parts")
>>> read_partitions(root, area_codes=["620102002"])[["incident_id", "area_code"]].to_dict("records")
[{'incident_id': 'b', 'area_code': '620102002'}]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import pandas as pd

from zzanalytics import clock, config
from zzanalytics.errors import StoreError
from zzanalytics.schema import TABLES
from zzanalytics.sql import ident, literal
from zzanalytics.store.core import SQL_TYPES, Store, canonical_types, open_store

__all__ = ["DATE_COLUMNS", "export_partitions", "list_partitions", "read_partitions"]

MANIFEST = "_zz_partitions.json"

DATE_COLUMNS = {
    "incidents": "occurred_at",
    "petitions": "received_on",
    "disputes": "found_on",
    "cameras": "installed_on",
}
"""The date column behind the derived ``year`` / ``month`` keys of each table."""

DERIVED = ("year", "month", "county")
_KEY_TYPES = {"year": "INTEGER", "month": "VARCHAR", "county": "VARCHAR"}


def _day_sql(table: str, tz: str) -> str | None:
    """SQL of the table's date column as wall time of the store's zone ``tz`` (None: no date column)."""
    date = DATE_COLUMNS.get(table)
    if date is None:
        return None
    if TABLES[table].column(date).dtype == "timestamp":
        return f"timezone({literal(tz)}, {ident(date)})"
    return ident(date)


def _key_expr(table: str, key: str, tz: str = clock.DEFAULT_TZ) -> str | None:
    """SQL for a partition key of ``table`` (None when the table cannot have it); years and months
    are those of the store's clock ``tz``."""
    names = TABLES[table].names
    date = _day_sql(table, tz)
    if key == "year":
        return f"CAST(year({date}) AS INTEGER)" if date else None
    if key == "month":
        return f"strftime({date}, '%Y-%m')" if date else None
    if key == "county":
        return "substr(area_code, 1, 6)" if "area_code" in names else None
    return ident(key) if key in names else None


def _check(tables: Sequence[str], partition_by: Sequence[str]) -> None:
    for t in tables:
        if t not in TABLES:
            raise StoreError(f"export_partitions: no table {t!r}; tables are {list(TABLES)}")
    known = set(DERIVED) | {c for t in tables for c in TABLES[t].names}
    for k in partition_by:
        if k not in known:
            raise StoreError(
                f"export_partitions: partition key {k!r} is neither a column of {list(tables)} nor one of "
                f"the derived keys {list(DERIVED)}"
            )


def _open(store: Any) -> tuple[Any, Any]:
    """(store, owned) from a Store, a path or None (``config.default_store_path()``)."""
    if isinstance(store, Store):
        if store.con is None:
            raise StoreError(f"{store!r} is closed; open it again with open_store({str(store.path)!r})")
        return store, False
    return open_store(store if store is not None else config.default_store_path(), read_only=True), True


def export_partitions(
    store: Any,
    out_dir: str | Path,
    tables: Sequence[str] = ("incidents",),
    partition_by: Sequence[str] = ("year", "area_code"),
    *,
    compression: str = "zstd",
) -> Path:
    """Write store tables as a Hive-partitioned Parquet dataset that workers read directly.

    The dataset is written into a fresh staging folder next to ``out_dir`` and swapped
    into place when complete (rename), so readers never see half an export and an old
    export is replaced whole (no ``OVERWRITE_OR_IGNORE`` mixing of old and new files).

    Parameters
    ----------
    store : Store, path or None
        An open store, a DuckDB file, or None for the default store.
    out_dir : path
        Folder of the dataset; replaced if it holds an earlier export. A non-empty folder
        that is not an export is refused.
    tables : sequence of str
        Canonical tables to export; tables without a partition key are written unpartitioned
        keys they lack are skipped (e.g. ``targets`` has no ``area_code``).
    partition_by : sequence of str
        Columns or derived keys (``year``, ``month``, ``county``), outermost first.
    compression : str
        Parquet codec (``zstd``, ``snappy``, ``gzip``, ``uncompressed``).

    Returns
    -------
    Path
        ``out_dir``.

    Examples
    --------
    >>> export_partitions(None, "/shared/zz/parts", partition_by=("year", "county"))  # doctest: +SKIP
    PosixPath('/shared/zz/parts')
    """
    tables, partition_by = list(tables), list(partition_by)
    _check(tables, partition_by)
    out = Path(out_dir).absolute()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).exists())):
        raise StoreError(
            f"export_partitions: {out} exists and is not an earlier partition export (no {MANIFEST}); "
            "choose an empty or new folder"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    st, owned = _open(store)
    manifest: dict[str, Any] = {
        "format": 1,
        "source": str(st.path),
        "partition_by": partition_by,
        "timezone": st.timezone,
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": {},
    }
    try:
        stage.mkdir()
        for t in tables:
            cols = [ident(c) for c in TABLES[t].names]
            keys = [(k, _key_expr(t, k, st.timezone)) for k in partition_by]
            keys = [(k, e) for k, e in keys if e is not None]
            derived = [f"{e} AS {ident(k)}" for k, e in keys if k in DERIVED]
            select = ", ".join(cols + derived)
            order = DATE_COLUMNS.get(t)
            order_sql = f" ORDER BY {ident(order)}, {ident(TABLES[t].names[0])}" if order else ""
            sql = f"SELECT {select} FROM {ident(t)}{order_sql}"
            target = stage / t
            if keys:
                part = ", ".join(ident(k) for k, _ in keys)
                st.con.execute(
                    f"COPY ({sql}) TO {literal(target)} "
                    f"(FORMAT PARQUET, PARTITION_BY ({part}), COMPRESSION {compression})"
                )
            else:
                target.mkdir()
                st.con.execute(
                    f"COPY ({sql}) TO {literal(target / 'data_0.parquet')} "
                    f"(FORMAT PARQUET, COMPRESSION {compression})"
                )
            n = st.con.execute(f"SELECT count(*) FROM {ident(t)}").fetchone()[0]
            manifest["tables"][t] = {"rows": int(n), "partition_by": [k for k, _ in keys]}
        (stage / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(out, old)
        os.replace(stage, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except Exception as exc:
        shutil.rmtree(stage, ignore_errors=True)
        import duckdb

        if isinstance(exc, duckdb.Error | OSError):
            raise StoreError(f"export_partitions to {out} failed: {exc}") from None
        raise
    finally:
        if owned:
            st.close()
    return out


def _manifest(root: Path) -> dict[str, Any]:
    try:
        return json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(
            f"{root} is not a partition export (no {MANIFEST}); make one with "
            "zzanalytics.export_partitions(store, out_dir)"
        ) from None


def _table_dir(root: str | Path, table: str) -> tuple[Path, list[str]]:
    root = Path(root)
    if table not in TABLES:
        raise StoreError(f"read_partitions: no table {table!r}; tables are {list(TABLES)}")
    man = _manifest(root)
    if table not in man["tables"]:
        raise StoreError(f"{root} has no {table!r} (it holds {sorted(man['tables'])}); export it first")
    return root / table, list(man["tables"][table]["partition_by"])


def _hive_types(table: str, keys: list[str]) -> str:
    types = {c.name: c.dtype for c in TABLES[table].columns}

    parts = [f"{ident(k)}: {_KEY_TYPES.get(k) or SQL_TYPES[types[k]]}" for k in keys]
    return "{" + ", ".join(parts) + "}"


def read_partitions(
    root: str | Path,
    area_codes: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    columns: Sequence[str] | None = None,
    *,
    table: str = "incidents",
) -> pd.DataFrame:
    """Read part of a partition export; only the files the filter selects are opened.

    Parameters
    ----------
    root : path
        The folder :func:`export_partitions` wrote.
    area_codes : sequence of str, optional
        Townships to read (all when None). With a ``county`` partition the counties of
        these codes prune the folders too.
    years : sequence of int, optional
        Years of the table's date column (all when None).
    columns : sequence of str, optional
        Canonical columns to return (default all of the table's).
    table : str
        Table of the export.

    Returns
    -------
    DataFrame
        Canonical columns and types as the store gives them (``occurred_at`` tz-aware in the
        store's zone, dates ``datetime64[ns]``, text ``object``), ordered by date and id.

    Examples
    --------
    >>> read_partitions("/shared/zz/parts", area_codes=["620102001"], years=[2026],
    ...                 columns=["occurred_at", "category"])  # doctest: +SKIP
    """
    folder, keys = _table_dir(root, table)
    tz = _manifest(Path(root)).get("timezone", clock.DEFAULT_TZ)
    spec = TABLES[table]
    cols = list(spec.names) if columns is None else list(columns)
    bad = [c for c in cols if c not in spec.names]
    if bad:
        raise StoreError(f"read_partitions: {bad} are not columns of {table}; columns are {list(spec.names)}")
    date = DATE_COLUMNS.get(table)
    codes = None if area_codes is None else sorted({str(a) for a in area_codes})
    ys = None if years is None else sorted({int(y) for y in years})
    # folders to open, from the partition values the filter allows (pruning without listing
    # or opening the rest of the dataset)
    allowed: dict[str, list[str]] = {}
    if codes is not None:
        allowed["area_code"] = codes
        allowed["county"] = sorted({c[:6] for c in codes})
    if ys is not None:
        allowed["year"] = [str(y) for y in ys]
    files = _files(folder, keys, allowed)
    where = []
    if codes is not None:
        where.append(f"area_code IN ({', '.join(literal(a) for a in codes)})" if codes else "FALSE")
    if ys is not None and date:
        where.append(f"year({_day_sql(table, tz)}) IN ({', '.join(map(str, ys))})" if ys else "FALSE")
    order = [c for c in (date, spec.names[0]) if c]
    if not files:
        types = {c.name: c.dtype for c in spec.columns}
        df = pd.DataFrame({c: pd.Series(dtype="float64" if types[c] == "float" else object) for c in cols})
    else:
        import duckdb

        listing = "[" + ", ".join(literal(f) for f in files) + "]"
        src = (
            f"read_parquet({listing}, hive_partitioning = true"
            + (f", hive_types = {_hive_types(table, keys)}" if keys else "")
            + ")"
        )
        sql = (
            f"SELECT {', '.join(ident(c) for c in cols)} FROM {src}"
            + (" WHERE " + " AND ".join(where) if where else "")
            + (" ORDER BY " + ", ".join(ident(c) for c in order) if order else "")
        )
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            df = con.execute(sql).df()
        except duckdb.Error as exc:
            raise StoreError(f"read_partitions {folder}: {exc}") from None
        finally:
            con.close()
    return canonical_types(df, table, tz)


def _files(folder: Path, keys: list[str], allowed: dict[str, list[str]]) -> list[str]:
    """Parquet files under ``folder`` whose partition folders match ``allowed`` values."""
    patterns = [""]
    for k in keys:
        vals = allowed.get(k)
        if vals is None:
            patterns = [f"{p}{k}=*/" for p in patterns]
        else:
            patterns = [f"{p}{k}={v}/" for p in patterns for v in vals]
    out: set[str] = set()
    for p in patterns:
        out.update(str(f) for f in folder.glob(p + "*.parquet"))
    return sorted(out)


def list_partitions(root: str | Path, table: str = "incidents") -> pd.DataFrame:
    """One row per Parquet file of a table: its partition values, ``path`` and ``rows``.

    Useful to plan tasks (one per county, say) before fanning out.

    Examples
    --------
    >>> list_partitions("/shared/zz/parts").groupby("year")["rows"].sum()  # doctest: +SKIP
    """
    folder, keys = _table_dir(root, table)
    rows = []
    import pyarrow.parquet as pq

    for f in sorted(folder.rglob("*.parquet")):
        rec: dict[str, Any] = {}
        for part in f.relative_to(folder).parts[:-1]:
            k, _, v = part.partition("=")
            rec[k] = int(v) if k == "year" else v
        rec["path"] = str(f)
        with suppress(Exception):
            rec["rows"] = pq.ParquetFile(f).metadata.num_rows
        rows.append(rec)
    return pd.DataFrame(rows, columns=[*keys, "path", "rows"])
