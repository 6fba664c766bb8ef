"""What every reader produces, and the helpers they share (private to ingest): cell values as text,
unique headers, a temp table of text columns.

Examples
--------
>>> cell_text(1.2345678901234568e18), cell_text("  N/A "), unique_headers(["a", "a", None])
('1234567890123456768', None, ['a', 'a_1', 'column2'])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NULL_SQL", "NULL_WORDS", "Loaded", "cell_text", "register_columns", "unique_headers"]

NULL_WORDS: tuple[str, ...] = ("", "NULL", "null", "NaN", "nan", "None", "NA", "N/A", "#N/A")
"""Cell values read as missing, in every format."""
NULL_SQL = "[" + ", ".join("'" + w.replace("'", "''") + "'" for w in NULL_WORDS) + "]"


@dataclass
class Loaded:
    """What a reader produced: the temp table, its headers and how the file was read."""

    table: str
    headers: list[str]
    kind: str
    encoding: str = ""
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    source: str = ""  # SQL FROM item giving the rows in file order (a temp table, or read_csv(...))
    rel: Any = None  # the rows as a DuckDB relation (readers.read); `_line` besides the headers, or
    csv: Any = None  # for a CSV (no `_line`): (the UTF-8 file DuckDB reads, lines skipped), see lines.py

    def __post_init__(self) -> None:
        if not self.source:
            self.source = self.table


def cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        if value.is_integer():
            return str(int(value))  # never 1.234567890123457e+18
        return repr(value)
    text = str(value).strip()
    return None if text in NULL_WORDS else text


def unique_headers(raw: list[Any]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(raw):
        name = cell_text(h) if h is not None else None
        name = name.strip() if name and name.strip() else f"column{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def register_columns(
    con: Any,
    table: str,
    headers: list[str],
    columns: list[list[Any]],
    extra: dict | None = None,
    lines: list[int] | None = None,
) -> None:
    """Create temp table ``table`` of text columns (``extra``: name -> (values, Arrow type)) and
    ``_line``: the line or sheet row of each row in the original file (``lines``, else 1, 2, ...)."""
    import pyarrow as pa

    arrays = {h: pa.array(col, type=pa.string()) for h, col in zip(headers, columns, strict=True)}
    n = len(columns[0]) if columns else len(next(iter(extra.values()))[0]) if extra else 0
    if extra:
        for name, (values, typ) in extra.items():
            arrays[name] = pa.array(values, type=typ)
    arrays["_line"] = pa.array(lines if lines is not None else range(1, n + 1), type=pa.int64())
    frame = pa.table(arrays)
    view = f"{table}_arrow"
    con.register(view, frame)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)
