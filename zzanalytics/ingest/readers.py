"""Readers that load one source file into a DuckDB temp table of text columns (private to ingest).

Every reader produces the same thing: a temporary table whose columns are the
source headers, all ``VARCHAR`` (``geometry`` a WKB ``BLOB``), rows in file
order (``rowid`` 0 is the first data row). Typing, mapping and validation then
happen once, in SQL, whatever the format.

Files come as published: ``NAME.csv.gz`` (any supported kind, gzip-compressed) and a ``.zip``
holding one data file are read without unpacking by hand.

* CSV: the encoding is decided from every line (:mod:`zzanalytics.ingest.encoding`); anything but
  UTF-8 is transcoded to a private UTF-8 copy beside the store, because DuckDB's own non-UTF-8
  decoding needs a downloaded extension. The dialect (delimiter, header) is read from the header
  line, not sniffed from a sample, and malformed rows are set aside for quarantine.
* Excel (.xlsx, .xlsm, .xls, .xlsb, .ods): python-calamine; a sheet by name or 0-based index;
  date cells become ISO text, whole numbers keep every digit.
* Parquet: DuckDB's reader, every column cast to text.
* GeoJSON: features' properties as text, geometry converted to WGS-84 and stored as WKB.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np

from zzanalytics.errors import SourceError
from zzanalytics.ingest.encoding import ALIASES, decide_encoding, open_bytes, open_private
from zzanalytics.sql import ident, literal

NULL_WORDS: tuple[str, ...] = ("", "NULL", "null", "NaN", "nan", "None", "NA", "N/A", "#N/A")
"""Cell values read as missing, in every format."""
_NULL_SQL = "[" + ", ".join("'" + w.replace("'", "''") + "'" for w in NULL_WORDS) + "]"
_CHUNK = 8 << 20


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
    """The encoding of CSV ``path`` decided from all its lines (see :mod:`zzanalytics.ingest.encoding`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("编号,时间\\n".encode("gb18030"))
    >>> detect_encoding(p)
    'gb18030'
    """
    return decide_encoding(path).encoding


def _count(con: Any, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


# -- files as published: folders refused, .gz and .zip opened ------------------------------------
KINDS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".xlsb": "excel",
    ".ods": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".geojson": "geojson",
    ".json": "geojson",
    ".shp": "vector",
    ".gpkg": "vector",
}
"""File suffix → reader; each may also come as ``NAME.SUFFIX.gz`` or inside a ``.zip``."""
_KNOWN = ", ".join(sorted(KINDS))
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db")


def _kind(name: str, path: Path) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in KINDS:
        raise SourceError(
            f"{path}: unknown file type {suffix or '(none)'!r}; zzanalytics reads {_KNOWN}, "
            "each also as .gz or inside a .zip"
        )
    return KINDS[suffix]


def _copy_private(src: Any, dst: Path) -> None:
    with open_private(dst) as out:
        shutil.copyfileobj(src, out, _CHUNK)


def unpack(path: Path, tmpdir: str, member: str = "") -> tuple[Path, str, list[str]]:
    """The readable file behind ``path``: (file to read, reader kind, notes).

    ``.gz`` CSV and GeoJSON are streamed as they are; other ``.gz`` files and the data member
    of a ``.zip`` are unpacked into the ingest's private temporary folder.
    """
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not an export; give the files in it, e.g. {path / '*.csv'}")
    if not path.exists():
        raise SourceError(f"{path}: no such file (working directory {os.getcwd()})")
    suffix = path.suffix.lower()
    if suffix == ".gz":
        inner = path.name[: -len(path.suffix)]
        kind = _kind(inner, path)
        try:
            with gzip.open(path, "rb") as fh:
                fh.read(1)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{path}: is not a readable gzip file ({exc}); get the export again") from None
        if kind in ("csv", "geojson"):
            return path, kind, []
        out = Path(tmpdir) / inner
        try:
            with gzip.open(path, "rb") as fh:
                _copy_private(fh, out)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{path}: the gzip file is damaged ({exc}); get the export again") from None
        return out, _sniff(out, kind), []
    if suffix == ".zip":
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise SourceError(f"{path}: is not a readable zip file ({exc}); get the export again") from None
        with zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
            names = [n for n in names if not any(j in n for j in _JUNK)]
            if member:
                if member not in names:
                    raise SourceError(
                        f"{path}: has no member {member!r} ([source] member in the mapping); "
                        f"its files are {names}"
                    )
                data = [member]
            else:
                shp = [n for n in names if n.lower().endswith(".shp")]
                if len(shp) == 1:  # a shapefile comes with its .dbf, .shx and .prj: unpack them all
                    folder = Path(tmpdir) / (path.stem + "_shp")
                    folder.mkdir(mode=0o700, exist_ok=True)
                    for n in names:
                        with zf.open(n) as fh:
                            _copy_private(fh, folder / Path(n).name)
                    return folder / Path(shp[0]).name, "vector", [f"read {shp[0]} from {path.name}"]
                data = [n for n in names if Path(n.removesuffix(".gz")).suffix.lower() in KINDS]
                # a .txt beside real data files is a read-me, not data
                strong = [n for n in data if Path(n.removesuffix(".gz")).suffix.lower() != ".txt"]
                data = strong or data
            if len(data) != 1:
                raise SourceError(
                    f"{path}: holds {len(data)} data files {data} (of {names}); "
                    'name the one to read with [source] member = "<file in the zip>" in the mapping'
                )
            inner = Path(data[0]).name
            kind = _kind(inner.removesuffix(".gz"), path)
            out = Path(tmpdir) / inner
            try:
                with zf.open(data[0]) as fh:
                    _copy_private(fh, out)
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
                raise SourceError(f"{path}: cannot unpack {data[0]!r} ({exc})") from None
        if out.suffix.lower() == ".gz":
            return unpack(out, tmpdir)
        return out, _sniff(out, kind), [f"read {data[0]} from {path.name}"]
    kind = _kind(path.name, path)
    sniffed = _sniff(path, kind)
    notes = [] if sniffed == kind else [f"{path.suffix} file holding {_WHAT[sniffed]}: read as such"]
    return path, sniffed, notes


_WHAT = {"excel": "an Excel workbook", "html": "an HTML table (a web page saved as .xls)"}


def _sniff(path: Path, kind: str) -> str:
    """The reader the file's content calls for: an Excel workbook named .csv, or a web page named
    .xls (what many office systems export), are read as what they are."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if head.startswith(b"\xd0\xcf\x11\xe0") and kind == "csv":
        return "excel"
    if head.startswith(b"PK\x03\x04") and kind == "csv":
        with contextlib.suppress(zipfile.BadZipFile, OSError), zipfile.ZipFile(path) as zf:
            if any(n.startswith("xl/") for n in zf.namelist()):
                return "excel"
    if kind == "excel":
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if text.startswith((b"<", b"\xff\xfe<", b"\xfe\xff\x00<")):
            return "html"
    return kind


# -- CSV ------------------------------------------------------------------------------------------
_DELIMS = (",", "\t", ";", "|")


def _head_text(path: Path, skip: int) -> tuple[str, str]:
    """The header line (after ``skip`` lines) and the first data line of a UTF-8 (maybe gzip) file."""
    with open_bytes(path) as fh:
        head = fh.read(1 << 16)
    text = head.decode("utf-8", "replace").removeprefix("\ufeff")
    lines = text.splitlines()
    return (lines[skip] if len(lines) > skip else ""), (lines[skip + 1] if len(lines) > skip + 1 else "")


def csv_headers(path: Path, skip: int, delimiter: str = "") -> tuple[list[str], str]:
    """(unique header names, delimiter) of a UTF-8 CSV: the delimiter is the most frequent of
    ``, \\t ; |`` in the header line unless given."""
    line, first = _head_text(path, skip)
    if not line.strip():
        raise SourceError(
            f"{path}: has no header line"
            + (f" after skipping {skip} line(s) ([source] skip)" if skip else "")
            + "; the first line must name the columns"
        )
    delim = delimiter or max(_DELIMS, key=lambda d: (line.count(d), d == ","))
    row = next(csv.reader(io.StringIO(line), delimiter=delim), [])
    data = next(csv.reader(io.StringIO(first), delimiter=delim), []) if first else []
    if len(data) == len(row) + 1 and data[-1] == "":  # every data line ends with a delimiter
        row = [*row, ""]
    return _unique_headers(row), delim


def csv_source(path: Path, skip: int, headers: list[str] | None = None, delim: str = ",") -> str:
    """The ``read_csv(...)`` FROM item of a UTF-8 file: every column text, NULL words as NULL.

    The dialect is given, not sniffed (a bad row anywhere cannot change how the file is read);
    malformed rows go to the temp table ``_zz_rej`` (quarantined as ``malformed_row``).
    """
    if headers is None:
        headers, delim = csv_headers(path, skip)
    cols = "{" + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in headers) + "}"
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    return (
        f"read_csv({literal(str(path))}, columns = {cols}, header = true, skip = {int(skip)}, "
        f"compression = {literal('gzip' if gz else 'none')}, "
        f"delim = {literal(delim)}, quote = '\"', escape = '\"', auto_detect = false, "
        f"nullstr = {_NULL_SQL}, store_rejects = true, rejects_table = '_zz_rej', "
        "rejects_scan = '_zz_rejscan', max_line_size = 16777216)"
    )


def read_csv(
    con: Any, path: Path, table: str, *, encoding: str, skip: int, tmpdir: str, delimiter: str = ""
) -> Loaded:
    """Prepare a CSV file: decide its encoding from all its lines, transcode to UTF-8 when needed,
    read its header and dialect.

    The rows themselves are read once, by the staging query, straight from ``read_csv``
    (no intermediate copy).
    """
    copy = Path(tmpdir) / (path.name.removesuffix(".gz") + ".utf8.csv")
    try:
        d = decide_encoding(path, encoding or "auto", copy)
    except (EOFError, OSError, zlib.error) as exc:
        raise SourceError(
            f"{path}: the compressed file is damaged or cut short ({exc}); get the complete export again"
        ) from None
    target = path if d.direct else copy
    if target.stat().st_size == 0:
        raise SourceError(f"{path}: is empty")
    headers, delim = csv_headers(target, skip, delimiter)
    for t in ("_zz_rej", "_zz_rejscan"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    source = csv_source(target, skip, headers, delim)
    return Loaded(table, headers, "csv", d.encoding, 0, list(d.notes), source)


def _cell_text(value: Any) -> str | None:
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


def _unique_headers(raw: list[Any]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(raw):
        name = _cell_text(h) if h is not None else None
        name = name.strip() if name and name.strip() else f"column{i}"
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


_BIG = float(2**53)


def read_excel(con: Any, path: Path, table: str, *, sheet: str | int, skip: int) -> Loaded:
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
    rows = rows[int(skip) :]
    while rows and all(v is None or v == "" for v in rows[0]):
        rows = rows[1:]
    if not rows:
        raise SourceError(f"{path}: sheet {name!r} is empty (after skipping {skip} rows)")
    headers = _unique_headers(list(rows[0]))
    width = len(headers)
    columns: list[list[Any]] = [[] for _ in range(width)]
    big: set[str] = set()
    for row in rows[1:]:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        for i in range(width):
            v = row[i] if i < len(row) else None
            if isinstance(v, float) and abs(v) >= _BIG and v.is_integer():
                big.add(headers[i])
            columns[i].append(_cell_text(v))
    _register(con, table, headers, columns)
    notes = [
        f"column {h!r} holds numbers of more than 15 digits stored as Excel numbers; Excel keeps only "
        "15 significant digits, so such ids may already differ from the system's: export that column "
        "as text"
        for h in sorted(big)
    ]
    return Loaded(table, headers, "excel", "", len(columns[0]) if columns else 0, notes)


read_xlsx = read_excel


def read_parquet(con: Any, path: Path, table: str) -> Loaded:
    """Load a Parquet file into temp table ``table`` with every column cast to text
    (whole floating-point numbers without an exponent)."""
    src = f"read_parquet({literal(str(path))})"
    try:
        cols = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
        parts = []
        for name, typ, *_ in cols:
            x = ident(name)
            if str(typ).upper() in ("DOUBLE", "FLOAT", "REAL"):
                text = (
                    f"CASE WHEN isnan({x}) OR NOT isfinite({x}) THEN NULL "
                    f"WHEN {x} = trunc({x}) AND abs({x}) < 1e38 THEN CAST(CAST({x} AS HUGEINT) AS VARCHAR) "
                    f"ELSE CAST({x} AS VARCHAR) END"
                )
            else:
                text = f"CAST({x} AS VARCHAR)"
            parts.append(f"{text} AS {x}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {', '.join(parts)} FROM {src}")
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
        with open_bytes(path) as fh:
            doc = json.loads(fh.read().decode("utf-8-sig"))
    except (OSError, EOFError, ValueError) as exc:
        raise SourceError(f"{path}: cannot be read as GeoJSON (UTF-8 JSON): {exc}") from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise SourceError(f"{path}: is not a GeoJSON FeatureCollection (no 'features' list)")
    named = ((doc.get("crs") or {}).get("properties") or {}).get("name", "") if isinstance(doc, dict) else ""
    code = re.search(r"EPSG:{1,2}(\d+)$", str(named))
    if code and code.group(1) not in ("4326", "4490") and crs.strip().lower() in ("wgs84", "epsg:4326"):
        crs = f"EPSG:{code.group(1)}"  # an old-style GeoJSON naming its projected system
    keys: list[str] = []
    for f in features:
        for k in (f.get("properties") if isinstance(f, dict) else None) or {}:
            if k not in keys and k != "geometry":
                keys.append(k)
    columns = [[_cell_text((f.get("properties") or {}).get(k)) for f in features] for k in keys]
    geoms = []
    for i, f in enumerate(features):
        g = f.get("geometry")
        try:
            geoms.append(shape(g) if g else None)
        except Exception as exc:  # shapely raises several types for bad geometry
            raise SourceError(f"{path}: feature {i + 1} has an unreadable geometry ({exc})") from None
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
    rows = max(parser.tables, key=len, default=[])[int(skip) :]
    if not rows:
        raise SourceError(f"{path}: a web page without a table (after skipping {skip} rows)")
    headers = _unique_headers(rows[0])
    columns: list[list[Any]] = [[] for _ in headers]
    for row in rows[1:]:
        if not any(c.strip() for c in row):
            continue
        for i in range(len(headers)):
            columns[i].append(_cell_text(row[i]) if i < len(row) else None)
    _register(con, table, headers, columns)
    return Loaded(table, headers, "html", "", len(columns[0]) if columns else 0)


def read_vector(con: Any, path: Path, table: str, *, crs: str) -> Loaded:
    """Load a shapefile or GeoPackage (first layer) through geopandas: attributes as text, geometry
    as WGS-84 WKB. The file's own coordinate system (.prj) is used; the mapping's ``crs`` only when
    the file has none."""
    import geopandas as gpd
    import pyarrow as pa
    import shapely

    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own error types
        raise SourceError(f"{path}: cannot be read as {path.suffix} vector data: {exc}") from None
    if gdf.crs is not None:
        gdf = gdf.to_crs(4326)
        geoms = np.asarray(gdf.geometry.values, dtype=object)
    else:
        from zzanalytics.ingest.coords import to_wgs84

        def conv(xy: np.ndarray) -> np.ndarray:
            lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs)
            return np.column_stack([lon, lat])

        geoms = shapely.transform(np.asarray(gdf.geometry.values, dtype=object), conv)
    keys = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    columns = [[_cell_text(v) for v in gdf[k].tolist()] for k in keys]
    wkb = [None if g is None or g.is_empty else shapely.to_wkb(g) for g in geoms]
    _register(con, table, keys, columns, extra={"geometry": (wkb, pa.binary())})
    return Loaded(table, [*keys, "geometry"], "vector", "", len(gdf))


def load_source(
    con: Any,
    path: Path,
    table: str,
    *,
    encoding: str,
    sheet: str | int,
    skip: int,
    crs: str,
    tmpdir: str,
    delimiter: str = "",
    member: str = "",
) -> Loaded:
    """Open the file as published (``.gz``, ``.zip``) and load it by its kind into ``table``."""
    target, kind, notes = unpack(path, tmpdir, member)
    if kind == "csv":
        loaded = read_csv(
            con, target, table, encoding=encoding, skip=skip, tmpdir=tmpdir, delimiter=delimiter
        )
    elif kind == "excel":
        loaded = read_excel(con, target, table, sheet=sheet, skip=skip)
    elif kind == "parquet":
        loaded = read_parquet(con, target, table)
    elif kind == "vector":
        loaded = read_vector(con, target, table, crs=crs)
    elif kind == "html":
        loaded = read_html_table(con, target, table, skip=skip)
    else:
        loaded = read_geojson(con, target, table, crs=crs)
    loaded.notes = notes + loaded.notes
    return loaded


_TMP_PREFIX = ".zz-tmp-"


def _tmp_glob(store_path: Path) -> str:
    return f"{_TMP_PREFIX}{store_path.name}-*"


@contextlib.contextmanager
def temp_dir(store_path: Path | None = None) -> Iterator[str]:
    """A private scratch folder (mode 0700) beside the store for transcoded and unpacked copies.

    It is removed when the ingest ends; folders left by a killed ingest of the same store are
    removed at the next start (the caller holds the store's write lock, so no other ingest of
    it is running). Nothing goes to the system temporary folder.
    """
    base = (store_path.parent if store_path is not None else Path.cwd()).resolve()
    name = store_path.name if store_path is not None else "zz"
    for old in base.glob(f"{_TMP_PREFIX}{name}-*"):
        shutil.rmtree(old, ignore_errors=True)
    folder = base / f"{_TMP_PREFIX}{name}-{os.getpid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    try:
        yield str(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex), the identity of an ingested file's content."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def malformed_rows(con: Any, kind: str, skip: int) -> int:
    """Rows DuckDB's CSV reader rejected (wrong number of fields, bad quoting): their data row
    numbers into ``_zz_rejrows`` (``r``: data row, ``j``: order), to be quarantined."""
    if kind != "csv":
        return 0
    have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    if "_zz_rej" not in have:
        return 0
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _zz_rejrows AS
        SELECT CAST(line - 1 - {int(skip)} AS BIGINT) AS r,
               CAST(row_number() OVER (ORDER BY line) - 1 AS BIGINT) AS j,
               trim(csv_line, chr(10) || chr(13)) AS csv_line, min(error_message) AS error_message
        FROM _zz_rej GROUP BY line, csv_line ORDER BY line"""
    )
    return int(con.execute("SELECT count(*) FROM _zz_rejrows").fetchall()[0][0])
