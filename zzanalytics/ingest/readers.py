"""Readers that load one source file into a DuckDB temp table of text columns (private to ingest).

Every reader produces the same thing: a temporary table whose columns are the
source headers, all ``VARCHAR`` (``geometry`` a WKB ``BLOB``), rows in file
order (``rowid`` 0 is the first data row). Typing, mapping and validation then
happen once, in SQL, whatever the format.

* CSV: the encoding is detected among UTF-8, UTF-8 with BOM and GB18030 (or
  given); anything but UTF-8 is stream-transcoded to a temporary UTF-8 file,
  because DuckDB's own non-UTF-8 decoding needs a downloaded extension.
* XLSX: openpyxl in read-only mode; a sheet by name or 0-based index; date cells
  become ISO text, numbers keep their value (Excel serial dates are parsed later).
* Parquet: DuckDB's reader, every column cast to text.
* GeoJSON: features' properties as text, geometry converted to WGS-84 and stored as WKB.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from zzanalytics.errors import SourceError
from zzanalytics.sql import ident, literal

NULL_WORDS: tuple[str, ...] = ("", "NULL", "null", "NaN", "nan", "None", "NA", "N/A", "#N/A")
"""Cell values read as missing, in every format."""
_NULL_SQL = "[" + ", ".join("'" + w.replace("'", "''") + "'" for w in NULL_WORDS) + "]"
_SAMPLE_BYTES = 1 << 20
_CHUNK = 8 << 20
_ALIASES = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp936": "gb18030",
    "utf8": "utf-8",
    "utf-8-bom": "utf-8-sig",
}


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

    def __post_init__(self) -> None:
        if not self.source:
            self.source = self.table


def detect_encoding(path: Path) -> str:
    """Return ``utf-8-sig``, ``utf-8``, ``utf-16`` or ``gb18030`` from the file's first megabyte.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("编号,时间\\n".encode("gb18030"))
    >>> detect_encoding(p)
    'gb18030'
    """
    with open(path, "rb") as fh:
        head = fh.read(_SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _SAMPLE_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _transcode(path: Path, encoding: str, tmpdir: str) -> Path:
    out = Path(tmpdir) / (path.stem + ".utf8.csv")
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    try:
        with open(path, "rb") as src, open(out, "w", encoding="utf-8", newline="") as dst:
            while True:
                chunk = src.read(_CHUNK)
                text = decoder.decode(chunk, final=not chunk)
                if text:
                    dst.write(text)
                if not chunk:
                    break
                offset += len(chunk)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{path}: cannot decode byte {offset + exc.start} as {encoding} ({exc.reason}); "
            f"set [source] encoding in the mapping file to the file's real encoding "
            f"(utf-8, gb18030, big5, utf-16 ...)"
        ) from None
    return out


def _relation_headers(con: Any, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def _count(con: Any, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def csv_source(path: Path, skip: int) -> str:
    """The ``read_csv(...)`` FROM item of a UTF-8 file: every column text, NULL words as NULL."""
    return (
        f"read_csv({literal(str(path))}, all_varchar = true, header = true, skip = {int(skip)}, "
        f"auto_detect = true, nullstr = {_NULL_SQL})"
    )


def read_csv(con: Any, path: Path, table: str, *, encoding: str, skip: int, tmpdir: str) -> Loaded:
    """Prepare a CSV file: detect or check its encoding, transcode to UTF-8 when needed, read the header.

    The rows themselves are read once, by the staging query, straight from ``read_csv``
    (no intermediate copy); :func:`fallback_gb18030` handles a file that is not UTF-8 after all.
    """
    enc = _ALIASES.get(encoding.lower(), encoding.lower()) if encoding else "auto"
    detected = detect_encoding(path) if enc == "auto" else enc
    target = path
    if detected not in ("utf-8", "utf-8-sig"):
        try:
            codecs.lookup(detected)
        except LookupError:
            raise SourceError(
                f"{path}: encoding {encoding!r} is unknown; use auto, utf-8, utf-8-sig or gb18030"
            ) from None
        target = _transcode(path, detected, tmpdir)
    source = csv_source(target, skip)
    try:
        headers = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except Exception as exc:  # duckdb raises its own error types
        if enc == "auto" and detected.startswith("utf-8") and "unicode" in str(exc).lower():
            return fallback_gb18030(con, path, table, skip=skip, tmpdir=tmpdir)
        raise SourceError(f"{path}: cannot be read as CSV ({detected}): {exc}") from None
    return Loaded(table, headers, "csv", detected, 0, [], source)


def fallback_gb18030(con: Any, path: Path, table: str, *, skip: int, tmpdir: str) -> Loaded:
    """Re-prepare a file that looked like UTF-8 at its start but is not: read it as GB18030."""
    target = _transcode(path, "gb18030", tmpdir)
    source = csv_source(target, skip)
    try:
        headers = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except Exception as exc:
        raise SourceError(f"{path}: cannot be read as CSV (gb18030): {exc}") from None
    return Loaded(
        table,
        headers,
        "csv",
        "gb18030",
        0,
        ["not valid UTF-8 after the first megabyte; read as GB18030"],
        source,
    )


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    text = str(value).strip()
    return None if text in NULL_WORDS else text


def _unique_headers(raw: list[Any]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(raw):
        name = str(h).strip() if h is not None and str(h).strip() else f"column{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _register(
    con: Any, table: str, headers: list[str], columns: list[list[Any]], extra: dict | None = None
) -> None:
    import pyarrow as pa

    arrays = {h: pa.array(col, type=pa.string()) for h, col in zip(headers, columns, strict=True)}
    if extra:
        for name, (values, typ) in extra.items():
            arrays[name] = pa.array(values, type=typ)
    frame = pa.table(arrays) if arrays else pa.table({})
    view = f"{table}_arrow"
    con.register(view, frame)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)


def read_xlsx(con: Any, path: Path, table: str, *, sheet: str | int, skip: int) -> Loaded:
    """Load one sheet of an XLSX workbook into temp table ``table`` (all text)."""
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - dependency
        from zzanalytics.errors import DependencyMissingError

        raise DependencyMissingError("XLSX sources need openpyxl: pip install openpyxl") from exc
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise SourceError(f"{path}: cannot be opened as an XLSX workbook: {exc}") from None
    try:
        names = wb.sheetnames
        if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
            idx = int(sheet)
            if not 0 <= idx < len(names):
                raise SourceError(f"{path}: has no sheet {idx} (0-based); its sheets are {names}")
            ws = wb[names[idx]]
        elif sheet in names:
            ws = wb[sheet]
        else:
            raise SourceError(
                f"{path}: has no sheet {sheet!r}; its sheets are {names}; set [source] sheet in the mapping"
            )
        rows = ws.iter_rows(values_only=True)
        for _ in range(int(skip)):
            next(rows, None)
        header = next(rows, None)
        if header is None:
            raise SourceError(f"{path}: sheet {ws.title!r} is empty (after skipping {skip} rows)")
        headers = _unique_headers(list(header))
        width = len(headers)
        columns: list[list[Any]] = [[] for _ in range(width)]
        for row in rows:
            if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            for i in range(width):
                columns[i].append(_cell_text(row[i]) if i < len(row) else None)
    finally:
        wb.close()
    _register(con, table, headers, columns)
    return Loaded(table, headers, "xlsx", "", len(columns[0]) if columns else 0)


def read_parquet(con: Any, path: Path, table: str) -> Loaded:
    """Load a Parquet file into temp table ``table`` with every column cast to text."""
    try:
        cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(str(path))})").fetchall()
        select = ", ".join(
            f"CASE WHEN CAST({ident(c[0])} AS VARCHAR) IN ('nan', 'NaN') THEN NULL "
            f"ELSE CAST({ident(c[0])} AS VARCHAR) END AS {ident(c[0])}"
            for c in cols
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select} FROM read_parquet({literal(str(path))})"
        )
    except Exception as exc:
        raise SourceError(f"{path}: cannot be read as Parquet: {exc}") from None
    return Loaded(table, [c[0] for c in cols], "parquet", "", _count(con, table))


def read_geojson(con: Any, path: Path, table: str, *, crs: str) -> Loaded:
    """Load a GeoJSON FeatureCollection: properties as text, geometry as WGS-84 WKB (column ``geometry``)."""
    import pyarrow as pa
    import shapely
    from shapely.geometry import shape

    from zzanalytics.ingest.coords import to_wgs84

    try:
        with open(path, encoding="utf-8-sig") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: cannot be read as GeoJSON: {exc}") from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if features is None:
        raise SourceError(f"{path}: is not a GeoJSON FeatureCollection (no 'features' list)")
    keys: list[str] = []
    for f in features:
        for k in f.get("properties") or {}:
            if k not in keys and k != "geometry":
                keys.append(k)
    columns = [[_cell_text((f.get("properties") or {}).get(k)) for f in features] for k in keys]
    geoms = []
    for f in features:
        g = f.get("geometry")
        geoms.append(shape(g) if g else None)
    arr = np.array(geoms, dtype=object)
    key = crs.strip().lower().replace("-", "")
    if key not in ("wgs84", "epsg:4326") and len(arr):

        def conv(xy: np.ndarray) -> np.ndarray:
            lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs)
            return np.column_stack([lon, lat])

        arr = shapely.transform(arr, conv)
    wkb = [None if g is None else shapely.to_wkb(g) for g in arr]
    _register(con, table, keys, columns, extra={"geometry": (wkb, pa.binary())})
    return Loaded(table, [*keys, "geometry"], "geojson", "utf-8", len(features))


def load_source(
    con: Any, path: Path, table: str, *, encoding: str, sheet: str | int, skip: int, crs: str, tmpdir: str
) -> Loaded:
    """Dispatch on the file's suffix and load it into temp table ``table``."""
    if not path.exists():
        raise SourceError(f"{path}: no such file (working directory {os.getcwd()})")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(con, path, table, encoding=encoding, skip=skip, tmpdir=tmpdir)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(con, path, table, sheet=sheet, skip=skip)
    if suffix in (".parquet", ".pq"):
        return read_parquet(con, path, table)
    if suffix in (".geojson", ".json"):
        return read_geojson(con, path, table, crs=crs)
    if suffix == ".xls":
        raise SourceError(
            f"{path}: old .xls workbooks are not read; save it as .xlsx (or CSV) and ingest that"
        )
    raise SourceError(f"{path}: unknown file type {suffix!r}; use .csv, .xlsx, .parquet or .geojson")


def temp_dir() -> tempfile.TemporaryDirectory:
    """A scratch folder for transcoded files, removed when closed."""
    return tempfile.TemporaryDirectory(prefix="zz-ingest-")
