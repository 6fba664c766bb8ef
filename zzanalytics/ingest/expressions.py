"""SQL expressions ingest builds from a mapping: numbers in a declared format, and the canonical
text and content hash of a record (private to ingest).

Examples
--------
>>> import duckdb
>>> duckdb.sql(f"SELECT {number_sql('x')} FROM (VALUES ('1,234.5')) t(x)").fetchall()
[(1234.5,)]
"""

from __future__ import annotations

from zzanalytics.sql import ident, literal

__all__ = ["canonical_text", "content_hash_sql", "number_sql"]


def number_sql(x: str, number_format: str = "1,234.5") -> str:
    """SQL reading varchar ``x`` as a DOUBLE written in ``number_format`` (NULL when it is not one).

    ``1,234.5`` (default) also takes ``1234.5``; commas are accepted only as thousands separators
    (``1.234,5`` is not a number there: it is quarantined, never read as 1.2345). ``1.234,5``,
    ``1 234,5`` (any space, no-break spaces too) and ``1'234.5`` are read only when the mapping
    declares them (``[source] number_format``).

    Examples
    --------
    >>> import duckdb
    >>> sql = number_sql("x", "1.234,5")
    >>> duckdb.sql(f"SELECT {sql} FROM (VALUES ('1.234,5'), ('12'), ('1,5'), ('1.2.3')) t(x)").fetchall()
    [(1234.5,), (12.0,), (1.5,), (None,)]
    >>> duckdb.sql(f"SELECT {number_sql('x')} FROM (VALUES ('1,234.5'), ('1.234,5')) t(x)").fetchall()
    [(1234.5,), (None,)]
    """
    t = f"trim({x})"
    if number_format == "1.234,5":
        ok = r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?|[+-]?\d+(,\d*)?"
        return (
            f"CASE WHEN regexp_full_match({t}, {literal(ok)}) "
            f"THEN TRY_CAST(replace(replace({t}, '.', ''), ',', '.') AS DOUBLE) END"
        )
    if number_format == "1 234,5":
        s = f"regexp_replace({x}, '[\\s\u00a0\u202f]', '', 'g')"
        return (
            f"CASE WHEN regexp_full_match({s}, '[+-]?\\d+(,\\d*)?') "
            f"THEN TRY_CAST(replace({s}, ',', '.') AS DOUBLE) END"
        )
    if number_format == "1'234.5":
        s = f"replace(replace({t}, {literal(chr(39))}, ''), {literal(chr(0x2019))}, '')"
        return f"CASE WHEN regexp_full_match({s}, '[+-]?\\d+(\\.\\d*)?') THEN TRY_CAST({s} AS DOUBLE) END"
    grouped = r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?"
    return (
        f"COALESCE(TRY_CAST({x} AS DOUBLE), CASE WHEN regexp_full_match({t}, {literal(grouped)}) "
        f"THEN TRY_CAST(replace({t}, ',', '') AS DOUBLE) END)"
    )


def canonical_text(cols: list[tuple[str, str]], tag: str) -> str:
    """SQL text of columns in a form fixed by zzanalytics, not by DuckDB's casts: integers and
    text as they are, floats as ``%.17g``, timestamps as epoch microseconds, dates as ISO days,
    booleans as t/f, geometry as hex; missing values as U+0001; joined by U+001F after ``tag``."""
    parts = [literal(tag)]
    for name, dtype in cols:
        x = ident(name)
        if dtype == "float":
            e = f"printf('%.17g', {x})"
        elif dtype == "timestamp":
            e = f"CAST(epoch_us({x}) AS VARCHAR)"
        elif dtype == "date":
            e = f"strftime({x}, '%Y-%m-%d')"
        elif dtype == "bool":
            e = f"CASE WHEN {x} THEN 't' ELSE 'f' END"
        elif dtype == "geometry":
            e = f"hex({x})"
        else:
            e = f"CAST({x} AS VARCHAR)"
        parts.append(f"COALESCE({e}, chr(1))")
    return "concat_ws(chr(31), " + ", ".join(parts) + ")"


def content_hash_sql(cols: list[tuple[str, str]]) -> str:
    """A record's content fingerprint (UBIGINT): the first 64 bits (big-endian) of the MD5 of its
    canonical text, i.e. ``int(hashlib.md5(text).hexdigest()[:16], 16)``.

    Defined here, not by DuckDB's ``hash()`` (whose values may change between versions), so a
    store's fingerprints stay valid across upgrades.

    Examples
    --------
    >>> import duckdb
    >>> sql = content_hash_sql([("a", "str"), ("b", "float")])
    >>> duckdb.sql(f"SELECT {sql} FROM (VALUES ('x', 0.1)) t(a, b)").fetchall()
    [(8767690676486229967,)]
    """
    return f"CAST(('0x' || left(md5({canonical_text(cols, 'zzh1')}), 16)) AS UBIGINT)"
