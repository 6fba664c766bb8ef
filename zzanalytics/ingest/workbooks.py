"""Workbooks: Excel files through python-calamine, and web pages saved as ``.xls`` (private to ingest)."""

from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from zzanalytics.errors import SourceError
from zzanalytics.ingest.cells import Loaded, cell_text, register_columns, unique_headers
from zzanalytics.ingest.encoding import ALIASES
from zzanalytics.ingest.published import footer_count, footer_note

__all__ = ["read_excel", "read_html_table"]

_BIG = float(2**53)


def read_excel(
    con: Any, path: Path, table: str, *, sheet: str | int, skip: int, footer: int | None = None
) -> Loaded:
    """Load one sheet of an Excel workbook (.xlsx, .xlsm, .xls, .xlsb, .ods) into temp table ``table``.

    Read with python-calamine. Date cells become ISO text, whole numbers are written without an
    exponent (a 19-digit id stays 19 digits); numbers beyond 2^53 are noted, because Excel itself
    keeps only 15 significant digits of a number cell.
    """
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as exc:  # pragma: no cover - dependency
        from zzanalytics.errors import DependencyMissingError

        raise DependencyMissingError(
            "Excel sources need python-calamine: pip install python-calamine"
        ) from exc
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise SourceError(f"{path}: cannot be opened as an Excel workbook: {exc}") from None
    try:
        names = list(wb.sheet_names)
        if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
            idx = int(sheet)
            if not 0 <= idx < len(names):
                raise SourceError(
                    f"{path}: has no sheet {idx} (0-based); its sheets are {names}; set [source] sheet"
                )
            name = names[idx]
        elif sheet in names:
            name = str(sheet)
        else:
            raise SourceError(
                f"{path}: has no sheet {sheet!r}; its sheets are {names}; set [source] sheet in the mapping"
            )
        try:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise SourceError(f"{path}: sheet {name!r} cannot be read: {exc}") from None
    finally:
        with contextlib.suppress(Exception):
            wb.close()
    # the sheet row of each row as the user sees it (1-based: calamine's rows start at A1 here)
    numbered = list(enumerate(rows, start=1))[int(skip) :]
    while numbered and all(v is None or v == "" for v in numbered[0][1]):
        numbered = numbered[1:]
    if not numbered:
        raise SourceError(f"{path}: sheet {name!r} is empty (after skipping {skip} rows)")
    headers = unique_headers(list(numbered[0][1]))
    width = len(headers)
    while len(numbered) > 1 and all(
        v is None or (isinstance(v, str) and not v.strip()) for v in numbered[-1][1]
    ):
        numbered = numbered[:-1]
    tail = [r for _, r in numbered[-40:][1 if len(numbered) <= 40 else 0 :]]  # never the header
    foot = footer_count([[cell_text(v) for v in r] for r in tail], footer, width)
    foot_text = (
        [" ".join(t for v in r if (t := cell_text(v))) for _, r in numbered[len(numbered) - foot :]]
        if foot
        else []
    )
    numbered = numbered[: len(numbered) - foot] if foot else numbered
    columns: list[list[Any]] = [[] for _ in range(width)]
    lines: list[int] = []
    big: set[str] = set()
    for line, row in numbered[1:]:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        lines.append(line)
        for i in range(width):
            v = row[i] if i < len(row) else None
            if isinstance(v, float) and abs(v) >= _BIG and v.is_integer():
                big.add(headers[i])
            columns[i].append(cell_text(v))
    register_columns(con, table, headers, columns, lines=lines)
    notes = [
        f"column {h!r} holds numbers of more than 15 digits stored as Excel numbers; Excel keeps only "
        "15 significant digits, so such ids may already differ from the system's: export that column "
        "as text"
        for h in sorted(big)
    ]
    if foot_text:
        notes.append(footer_note(foot_text))
    return Loaded(table, headers, "excel", "", len(columns[0]) if columns else 0, notes)


class _Tables(HTMLParser):
    """Cells of every ``<table>`` of a page (``th``/``td`` text; ``colspan`` repeats the cell)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = " ".join("".join(self._cell).split())
            self._row += [text] * max(1, min(self._span, 100))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            if self._row:
                self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_html_table(con: Any, path: Path, table: str, *, skip: int) -> Loaded:
    """Load the largest ``<table>`` of a web page saved as ``.xls`` into temp table ``table``.

    The page's encoding: its BOM, else its ``charset``, else UTF-8 when valid, else GB18030.
    """
    raw = path.read_bytes()
    charset = re.search(rb"charset=[\"']?([A-Za-z0-9_\-]+)", raw[:4096])
    candidates = ["utf-16"] if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else []
    if charset:
        candidates.append(ALIASES.get(charset.group(1).decode().lower(), charset.group(1).decode().lower()))
    candidates += ["utf-8-sig", "gb18030"]
    text = None
    for enc in candidates:
        try:
            text = raw.decode(enc)
            break
        except (UnicodeDecodeError, LookupError):
            continue
    if text is None:
        raise SourceError(f"{path}: a web page whose encoding cannot be told; save it as .xlsx or CSV")
    parser = _Tables()
    parser.feed(text)
    numbered = list(enumerate(max(parser.tables, key=len, default=[]), start=1))[int(skip) :]
    if not numbered:
        raise SourceError(f"{path}: a web page without a table (after skipping {skip} rows)")
    headers = unique_headers(numbered[0][1])
    columns: list[list[Any]] = [[] for _ in headers]
    lines: list[int] = []  # the row of the table, 1-based (its header row is 1)
    for line, row in numbered[1:]:
        if not any(c.strip() for c in row):
            continue
        lines.append(line)
        for i in range(len(headers)):
            columns[i].append(cell_text(row[i]) if i < len(row) else None)
    register_columns(con, table, headers, columns, lines=lines)
    return Loaded(table, headers, "html", "", len(columns[0]) if columns else 0)
