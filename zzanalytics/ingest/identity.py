"""Which rows of a file are the same record (private to ingest).

Works on the staged table ``_zz_stg`` of :mod:`zzanalytics.ingest.pipeline`, which holds per row
its key (``_key``: the id column, a declared key or the default identity when + what + where),
the hash of its stored columns (``_hash``) and, for exports without ids, a hash of the columns the
mapping leaves out (``_row``).

- :func:`ordinals`: rows sharing a default identity but not their content become records of their
  own (``-2``, ``-3`` … after the key, in file order);
- :func:`in_file_duplicates`: a key repeated inside the file is a duplicate when the content is
  the same, a quarantined conflict when it is not;
- :func:`note_whole_repeats`: the note on rows that repeat an earlier row whole.

Examples
--------
>>> import duckdb
>>> con = duckdb.connect()
>>> _ = con.execute(
...     "CREATE TEMP TABLE _zz_stg AS SELECT * FROM (VALUES ('k', 1, 10), ('k', 1, 11), ('k', 1, 10)) "
...     "t(_key, _hash, _row)"
... )
>>> _ = con.execute("ALTER TABLE _zz_stg ADD COLUMN _rc SMALLINT DEFAULT 0")
>>> ordinals(con)
>>> [r[0] for r in con.execute("SELECT _key FROM _zz_stg ORDER BY rowid").fetchall()]
['k', 'k-2', 'k']
"""

from __future__ import annotations

from typing import Any

from zzanalytics.ingest.report import FileReport
from zzanalytics.sql import ident

__all__ = ["in_file_duplicates", "note_whole_repeats", "ordinals"]


def ordinals(con: Any, repeats: str = "duplicate") -> None:
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
    many = f"SELECT _key FROM _zz_stg WHERE _rc = 0 GROUP BY _key HAVING count({distinct}) > 1"
    if not con.execute(f"SELECT count(*) FROM ({many})").fetchall()[0][0]:
        return
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _zz_fd AS
        SELECT rid, dense_rank() OVER (PARTITION BY _key ORDER BY fr) AS k FROM (
            SELECT rowid AS rid, _key, {content} AS fr
            FROM _zz_stg WHERE _rc = 0 AND _key IN ({many}))"""
    )
    con.execute(
        "UPDATE _zz_stg SET _key = _key || '-' || f.k FROM _zz_fd f WHERE f.rid = _zz_stg.rowid AND f.k > 1"
    )
    con.execute("DROP TABLE _zz_fd")


def in_file_duplicates(con: Any, stage: Any, key_col: str | None) -> None:
    """Repeats of a key inside the file: identical content → duplicate, different → quarantined.

    ``stage`` is the pipeline's staging record (its ``reasons``, ``columns`` and ``values`` lists
    gain the ``conflicting_duplicate`` check). A quarantined repeat keeps its staged record
    (canonical names) as ``raw``.
    """
    stage.reasons.append("conflicting_duplicate")
    stage.columns.append(key_col or "key")
    stage.values.append("_key")
    conflict = len(stage.reasons)
    repeated = "SELECT _key FROM _zz_stg WHERE _rc = 0 GROUP BY _key HAVING count(*) > 1"
    if not con.execute(f"SELECT count(*) FROM ({repeated})").fetchall()[0][0]:
        return
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _zz_fd AS
        SELECT _rid, _hash = h1 AS same FROM (
            SELECT rowid AS _rid, _hash, row_number() OVER w AS rn, first_value(_hash) OVER w AS h1
            FROM _zz_stg WHERE _rc = 0 AND _key IN ({repeated})
            WINDOW w AS (PARTITION BY _key ORDER BY rowid))
        WHERE rn > 1"""
    )
    con.execute("UPDATE _zz_stg SET _fdup = true FROM _zz_fd f WHERE f._rid = _zz_stg.rowid AND f.same")
    names = [r[0] for r in con.execute("DESCRIBE _zz_stg").fetchall() if not r[0].startswith("_")]
    staged = "to_json(struct_pack(" + ", ".join(f"{ident(n)} := _zz_stg.{ident(n)}" for n in names) + "))"
    con.execute(
        f"UPDATE _zz_stg SET _rc = {conflict}, _rval = _key, _raw = {staged} "
        "FROM _zz_fd f WHERE f._rid = _zz_stg.rowid AND NOT f.same"
    )


def note_whole_repeats(con: Any, rep: FileReport) -> None:
    """Say how many rows of an export without ids repeat an earlier row of the file whole."""
    n = con.execute("SELECT count(*) FROM _zz_stg WHERE _fdup").fetchall()[0][0]
    if n:
        rep.notes.append(
            f"{n:,} row(s) repeat an earlier row of this file in every column and count as duplicates; "
            'if the export lists separate events as identical rows, [source] repeats = "records" '
            "counts each"
        )
