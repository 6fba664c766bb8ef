"""Line numbers of a CSV's rows as the user sees them in the original file (private to ingest).

DuckDB's CSV reader gives no row numbers; the staged rows keep the file's order, so the ``k``-th
row read (0-based) is the ``k``-th record of the file that the reader did not set aside. Its line
is the line (1-based) on which that record starts. Most exports have one record per line: then
the line is ``skip + 2 + k`` (the header on line ``skip + 1``). Blank lines (which the reader
skips), quoted values spanning several lines and rows set aside as malformed shift it; for such
a file the record starts are found from the bytes (newlines outside quotes: an even number of
quote characters before them), with numpy over chunks of the file.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
>>> _ = p.write_bytes(b'a,b\\n1,x\\n2,"two\\nlines"\\n\\n3,y\\n')
>>> csv_lines(p, skip=0).of(range(3))
[2, 3, 6]
>>> line_at_bytes(p, [18])
[4]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zzanalytics.ingest.encoding import open_bytes

__all__ = ["Lines", "csv_lines", "line_at_bytes"]

_CHUNK = 8 << 20


@dataclass
class Lines:
    """The line of each row read: ``base + k`` (``table`` None), else ``table[k]``."""

    base: int
    table: np.ndarray | None = None

    def of(self, rows: Iterable[int]) -> list[int]:
        """Lines of the rows read with these 0-based numbers."""
        k = np.asarray(list(rows), dtype="int64")
        return (self.base + k if self.table is None else self.table[k]).tolist()

    def set_column(self, con: Any, table: str) -> None:
        """Give the staged table ``table`` its ``_line`` column: rows in file order, or ``_ord``
        (the order of a record's first row, when several rows make one record)."""
        cols = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        k = "_ord" if "_ord" in cols else "rowid"
        con.execute(f"ALTER TABLE {table} ADD COLUMN _line BIGINT")
        if self.table is None:
            con.execute(f"UPDATE {table} SET _line = {k} + {int(self.base)}")
            return
        import pyarrow as pa

        con.register("_zz_lines_arrow", pa.table({"k": np.arange(len(self.table)), "line": self.table}))
        try:
            con.execute(f"UPDATE {table} SET _line = l.line FROM _zz_lines_arrow l WHERE l.k = {table}.{k}")
        finally:
            con.unregister("_zz_lines_arrow")


def _chunks(path: Path) -> Iterator[bytes]:
    with open_bytes(path) as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def _plain(path: Path) -> bool:
    """True when the file has no quote character and no blank line: one record per line."""
    last = b""
    for chunk in _chunks(path):
        if b'"' in chunk:
            return False
        joined = last + chunk
        if b"\n\n" in joined or b"\n\r\n" in joined:
            return False
        last = chunk[-2:]
    return True


def _records(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(byte offset, line, blank) of every record of the file: records end at newlines outside
    quotes; a blank record is an empty line (``\\n`` or ``\\r\\n`` where it starts)."""
    starts, lines, blanks = [], [], []
    offset, line, quotes = 0, 1, 0
    pending = (0, 1)  # the record that starts where the previous chunk ended
    carry = b""
    for chunk in _chunks(path):
        arr = np.frombuffer(chunk, dtype=np.uint8)
        nl = np.flatnonzero(arr == 10)
        q = np.flatnonzero(arr == 34)
        ends = nl[(quotes + np.searchsorted(q, nl)) % 2 == 0]
        s = np.concatenate([[pending[0]], offset + ends + 1])
        ln = np.concatenate([[pending[1]], line + np.searchsorted(nl, ends) + 1])
        starts.append(s[:-1])
        lines.append(ln[:-1])
        # blank: look at the bytes where each record starts (one byte of the previous chunk kept)
        data = np.frombuffer(carry + chunk + b"\0", dtype=np.uint8)
        local = s[:-1] - (offset - len(carry))
        b0, b1 = data[local], data[np.minimum(local + 1, len(data) - 1)]
        blanks.append((b0 == 10) | ((b0 == 13) & (b1 == 10)))
        pending = (int(s[-1]), int(ln[-1]))
        offset += len(arr)
        line += len(nl)
        quotes += len(q)
        carry = chunk[-1:]
    if pending[0] < offset:  # a last record without a newline at its end
        starts.append(np.asarray([pending[0]]))
        lines.append(np.asarray([pending[1]]))
        tail = carry[-1:] if pending[0] == offset - 1 else b"x"
        blanks.append(np.asarray([tail in (b"\r",)]))
    if not starts:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64"), np.zeros(0, dtype=bool)
    return np.concatenate(starts), np.concatenate(lines), np.concatenate(blanks)


def csv_lines(path: Path, skip: int, rejected: Iterable[int] = ()) -> Lines:
    """Lines of the rows DuckDB reads from the UTF-8 CSV ``path`` (after ``skip`` lines and the
    header), the records starting at the 0-based byte offsets ``rejected`` (set aside as
    malformed) left out."""
    rejected = sorted({int(b) for b in rejected})
    if not rejected and _plain(path):
        return Lines(int(skip) + 2)
    start, line_no, blank = _records(path)
    start, line_no = start[~blank], line_no[~blank]
    first = int(np.searchsorted(line_no, int(skip) + 1))  # the header: the first record after skip lines
    start, line_no = start[first + 1 :], line_no[first + 1 :]
    if rejected:
        drop = np.isin(start, np.asarray(rejected, dtype="int64"))
        line_no = line_no[~drop]
    return Lines(int(skip) + 2, line_no.astype("int64"))


def line_at_bytes(path: Path, offsets: Iterable[int]) -> list[int]:
    """The 1-based line of each 0-based byte offset of the file."""
    want = np.asarray(sorted(set(int(b) for b in offsets)), dtype="int64")
    if not len(want):
        return []
    counts = np.zeros(len(want), dtype="int64")
    offset = 0
    for chunk in _chunks(path):
        arr = np.frombuffer(chunk, dtype=np.uint8)
        nl = offset + np.flatnonzero(arr == 10)
        counts += np.searchsorted(nl, want)
        offset += len(arr)
    found = dict(zip(want.tolist(), (counts + 1).tolist(), strict=True))
    return [found[int(b)] for b in offsets]
