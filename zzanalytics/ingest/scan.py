"""Read exports as published for ``zz map`` (private to ingest): each file's encoding with its evidence,
sheet, delimiter, title lines and footer lines, and its data rows as a DuckDB table of text columns.

Examples
--------
>>> import duckdb, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> text = "2019年統計\\n編號,案類\\n1,住宅竊盜\\n2,汽車竊盜\\n合計,2\\n"
>>> _ = (d / "a.csv").write_bytes(text.encode("big5"))
>>> s = scan_file(duckdb.connect(), d / "a.csv", 0, str(d))
>>> s.encoding, s.title, s.header, s.rows, s.footer
('cp950', ['2019年統計'], ['編號', '案類'], 2, ['合計 2'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zzanalytics.errors import SourceError
from zzanalytics.ingest.cells import cell_text, register_columns, unique_headers
from zzanalytics.ingest.detect import footer_lines, read_text_lines, split_lines, table_shape
from zzanalytics.sql import ident

__all__ = ["FileScan", "scan_file"]


@dataclass
class FileScan:
    """What one file is: how it was read and where its data lies (``table``: its rows in DuckDB, with
    ``_file`` and ``_rn``, the row in the file counted from 1)."""

    path: Path
    kind: str
    table: str
    header: list[str]
    rows: int
    encoding: str = ""
    evidence: list[str] = field(default_factory=list)
    chardet: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    skip: int = 0
    title: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)


def _chardet(path: Path) -> str:
    """chardet's guess on the file's first non-ASCII bytes: evidence only, never the decision."""
    try:
        import chardet
    except ImportError:  # pragma: no cover - a dependency
        return ""
    from zzanalytics.ingest.encoding import open_bytes

    with open_bytes(path) as fh:
        data = fh.read(1 << 20)
    lines = [ln for ln in data.splitlines() if not ln.isascii()][:2000]
    if not lines:
        return ""
    guess = chardet.detect(b"\n".join(lines))
    if not guess.get("encoding"):
        return ""
    return f"chardet says {guess['encoding']} ({guess.get('confidence') or 0:.2f})"


def _load_rows(con: Any, table: str, header: list[str], rows: list[list[Any]], index: int) -> int:
    headers = unique_headers(header)
    cols: list[list[Any]] = [[] for _ in headers]
    for r in rows:
        for i in range(len(headers)):
            cols[i].append(cell_text(r[i]) if i < len(r) else None)
    register_columns(con, f"{table}_t", headers, cols)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT *, {index} AS _file, "
        f"row_number() OVER () AS _rn FROM {table}_t"
    )
    con.execute(f"DROP TABLE {table}_t")
    return len(rows)


def _csv(con: Any, path: Path, table: str, index: int, tmpdir: str) -> FileScan:
    from zzanalytics.ingest.encoding import decide_encoding

    copy = Path(tmpdir) / f"map{index}.utf8.csv"
    d = decide_encoding(path, "auto", copy)
    target = path if d.direct else copy
    head, tail, total = read_text_lines(target, head=40, tail=60)
    cells, delim = split_lines(head)
    shape = table_shape(cells)
    if not shape.header:
        raise SourceError(f"{path}: has no header line; the first line must name the columns")
    # the footer is judged on the file's last lines (the head may not reach them)
    body_start = max(0, shape.title + 1 - (total - len(tail)))
    tail = tail[body_start:]
    footer = min(footer_lines(tail, delim, shape.width), max(0, total - shape.title - 1))
    tail_rows, _ = split_lines(tail, delim)
    import csv

    rows: list[list[str]] = []
    with open(target, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delim)
        for i, r in enumerate(reader):
            if i > shape.title:
                rows.append(r)
    rows = rows[: len(rows) - footer] if footer else rows
    rows = [r for r in rows if any(c.strip() for c in r)]
    n = _load_rows(con, table, shape.header, rows, index)
    foot = (
        [" ".join(c for c in r if c.strip()) for r in tail_rows[len(tail_rows) - footer :]] if footer else []
    )
    return FileScan(
        path,
        "csv",
        table,
        unique_headers(shape.header),
        n,
        encoding=d.encoding,
        evidence=list(d.evidence),
        chardet=_chardet(path) if not d.direct or d.encoding != "utf-8" else "",
        delimiter=delim,
        skip=shape.title,
        title=shape.title_text,
        footer=[f for f in foot if f],
    )


def _excel(con: Any, path: Path, table: str, index: int) -> FileScan:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise SourceError(f"{path}: cannot be opened as an Excel workbook: {exc}") from None
    names = list(wb.sheet_names)
    best: tuple[int, str, list[list[Any]]] | None = None
    for name in names:
        try:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:  # an unreadable sheet (a chart) is not the data
            continue
        filled = sum(1 for r in rows if any(v not in (None, "") for v in r))
        if best is None or filled > best[0]:
            best = (filled, name, rows)
    if best is None:
        raise SourceError(f"{path}: no sheet of {names} can be read")
    _, sheet, rows = best
    while rows and all(v in (None, "") for v in rows[0]):
        rows = rows[1:]
    shape = table_shape([[cell_text(v) for v in r] for r in rows])
    body = rows[shape.title + 1 : len(rows) - shape.footer if shape.footer else len(rows)]
    body = [r for r in body if any(v not in (None, "") for v in r)]
    n = _load_rows(con, table, shape.header, body, index)
    return FileScan(
        path,
        "excel",
        table,
        unique_headers(shape.header),
        n,
        sheet=sheet,
        sheets=names,
        skip=shape.title,
        title=shape.title_text,
        footer=shape.footer_text,
    )


def scan_file(con: Any, path: Path, index: int, tmpdir: str) -> FileScan:
    """Scan one export as published (``.gz``/``.zip`` opened, a workbook named ``.csv`` read as one) into
    temp table ``_zz_map{index}``."""
    from zzanalytics.ingest.mapping import read_mapping
    from zzanalytics.ingest.readers import read, unpack

    target, kind, _ = unpack(path, tmpdir)
    table = f"_zz_map{index}"
    if kind == "csv":
        return _csv(con, target, table, index, tmpdir)
    if kind == "excel":
        return _excel(con, target, table, index)
    loaded = read(con, target, read_mapping({}), tmpdir)  # ingest's reader, with its defaults
    cols = ", ".join(ident(h) for h in loaded.headers if h != "geometry")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {cols}, {index} AS _file, "
        f"row_number() OVER () AS _rn FROM {loaded.source}"
    )
    headers = [h for h in loaded.headers if h != "geometry"]
    rows = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    return FileScan(path, kind, table, headers, rows, encoding=loaded.encoding)
