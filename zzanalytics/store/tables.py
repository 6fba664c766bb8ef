"""The store's tables: the canonical tables of :data:`zzanalytics.schema.TABLES` with their hidden
columns, the system tables (quarantine, ingest log, coverage ...), and how an older store gains
what it lacks (private to the store; see :mod:`.core`).

Examples
--------
>>> import duckdb
>>> con = duckdb.connect()
>>> create_schema(con)
>>> "coverage" in {r[0] for r in con.execute("SHOW TABLES").fetchall()}
True
"""

from __future__ import annotations

from typing import Any

from zzanalytics.schema import TABLES
from zzanalytics.sql import ident

__all__ = ["SQL_TYPES", "STORE_FORMAT", "create_schema"]

SQL_TYPES = {
    "str": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
    "float": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "geometry": "BLOB",
}
"""DuckDB type of each logical dtype; timestamps are instants, handed out in the store's zone."""

STORE_FORMAT = "10"
"""Version of the ingest rules that built a store; the sample store is rebuilt when it differs."""

_SYSTEM_DDL = {
    "quarantine": (
        'source_file VARCHAR, "row" BIGINT, reason VARCHAR, "column" VARCHAR, "value" VARCHAR, '
        'raw VARCHAR, "table" VARCHAR, "at" TIMESTAMP'
    ),
    "ingest_log": (
        'file VARCHAR, "table" VARCHAR, read BIGINT, accepted BIGINT, updated BIGINT, duplicate BIGINT, '
        'quarantined BIGINT, location_cleared BIGINT, "at" TIMESTAMP'
    ),
    "_meta": "key VARCHAR, value VARCHAR",
    "coverage": (
        'source_file VARCHAR, "table" VARCHAR, category VARCHAR, "first" DATE, "last" DATE, '
        'declared BOOLEAN, data_first DATE, data_last DATE, "rows" BIGINT, "at" TIMESTAMP'
    ),
    "location_log": (
        'source_file VARCHAR, "row" BIGINT, record_id VARCHAR, reason VARCHAR, lon DOUBLE, lat DOUBLE, '
        '"table" VARCHAR, "at" TIMESTAMP'
    ),
    **{
        "ingest_merges": (
            'source VARCHAR, source_file VARCHAR, source_path VARCHAR, "row" BIGINT, record_id VARCHAR, '
            'fate VARCHAR, other_file VARCHAR, other_row BIGINT, detail VARCHAR, "table" VARCHAR, '
            '"at" TIMESTAMP'
        ),
        "ingest_findings": (
            'source_file VARCHAR, source_path VARCHAR, "row" BIGINT, record_id VARCHAR, kind VARCHAR, '
            '"column" VARCHAR, stated VARCHAR, found VARCHAR, "table" VARCHAR, "at" TIMESTAMP'
        ),
        "retired": (
            '"table" VARCHAR, record_id VARCHAR, source VARCHAR, record VARCHAR, by_files VARCHAR, '
            '"at" TIMESTAMP'
        ),
    },
}
# columns added to tables of older stores (ingest history keyed by full path and content hash;
# the source a record came from, for `zz ingest --replace`)
_HASHES = ("_rowh UBIGINT", "_colsh UBIGINT")
_ADDED_COLUMNS = {
    "quarantine": ("source_path VARCHAR", "file_hash VARCHAR"),
    "ingest_log": ("source_path VARCHAR", "file_hash VARCHAR", "retired BIGINT"),
    # where a record came from (its source, file and line) and, for exports without ids, its identity
    # (when + what + where) and the hash of the columns the mapping leaves out (identify.py)
    **{t: ("_source VARCHAR", "_path VARCHAR", "_line BIGINT", "_ident VARCHAR", *_HASHES) for t in TABLES},
    "coverage": ("source_path VARCHAR", "slack INTEGER", "source VARCHAR", "outside BIGINT", "basis VARCHAR"),
}


def _add_columns(con: Any) -> None:
    """Add the columns of :data:`_ADDED_COLUMNS` that a store made by an older version lacks."""
    have = {
        (t, c)
        for t, c in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal "
            "AND schema_name = 'main' AND database_name = current_database()"
        ).fetchall()
    }
    todo = [(t, d) for t, cols in _ADDED_COLUMNS.items() for d in cols if (t, d.split()[0]) not in have]
    for t, d in todo:
        con.execute(f"ALTER TABLE {ident(t)} ADD COLUMN {d}")


def create_schema(con: Any) -> None:
    """Create every canonical and system table that does not exist yet (one transaction)."""
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
    have = {r[0] for r in rows}
    # canonical columns added since a store was made (optional ones, e.g. occurred_from/occurred_to)
    cols = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'"
    ).fetchall()
    for t in TABLES.values():
        if t.name in have:
            existing = {c for tab, c in cols if tab == t.name}
            for c in t.columns:
                if c.name not in existing:
                    con.execute(
                        f"ALTER TABLE {ident(t.name)} ADD COLUMN {ident(c.name)} {SQL_TYPES[c.dtype]}"
                    )
    todo = [t for t in [*TABLES, *_SYSTEM_DDL] if t not in have]
    if not todo:
        _add_columns(con)
        return
    con.execute("BEGIN TRANSACTION")
    for t in TABLES.values():
        if t.name in todo:
            cols = ", ".join(f"{ident(c.name)} {SQL_TYPES[c.dtype]}" for c in t.columns)
            con.execute(f"CREATE TABLE {ident(t.name)} ({cols}, _key VARCHAR, _hash UBIGINT)")
    for name, ddl in _SYSTEM_DDL.items():
        if name in todo:
            con.execute(f"CREATE TABLE {name} ({ddl})")
    if "_meta" in todo:
        con.execute("INSERT INTO _meta VALUES ('format', ?)", [STORE_FORMAT])
    _add_columns(con)
    con.execute("COMMIT")
