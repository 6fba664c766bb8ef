"""SQL text helpers shared by every stage that writes DuckDB statements.

Values from data and mappings never reach SQL unquoted: identifiers go through
:func:`ident`, text through :func:`literal`. Parameters (``?``) are preferred where a
statement allows them.

Examples
--------
>>> from zzanalytics.sql import ident, literal
>>> ident('案件"编号'), literal("O'Brien")
('"案件""编号"', "'O''Brien'")
>>> literal(0.1), literal(float("inf"))
('0.1e0', "CAST('inf' AS DOUBLE)")
"""

from __future__ import annotations

from typing import Any

__all__ = ["ident", "literal"]


def ident(name: str) -> str:
    """Quote an SQL identifier (column or table name)."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(value: Any) -> str:
    """Quote a value as an SQL literal: text as a string, floats as an exact DOUBLE cast.

    Floats are written so DuckDB reads them as exact DOUBLEs (``1.5e0``; plain ``1.5`` would be
    DECIMAL), infinities and NaN as casts.
    """
    if isinstance(value, float):
        s = repr(value)
        if "n" in s:  # inf, nan
            return f"CAST('{s}' AS DOUBLE)"
        return s if "e" in s else s + "e0"
    return "'" + str(value).replace("'", "''") + "'"
