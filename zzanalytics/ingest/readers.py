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
from pathlib import Path
from typing import Any

import numpy as np

from zzanalytics.errors import SourceError
from zzanalytics.ingest.cells import NULL_SQL, Loaded, cell_text, register_columns, unique_headers
from zzanalytics.ingest.encoding import decide_encoding, open_bytes, open_private
from zzanalytics.ingest.published import footer_note, trim_csv_footer
from zzanalytics.ingest.workbooks import read_excel, read_html_table
from zzanalytics.sql import ident, literal

_CHUNK = 8 << 20


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
    return unique_headers(row), delim


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
        f"nullstr = {NULL_SQL}, store_rejects = true, rejects_table = '_zz_rej', "
        "rejects_scan = '_zz_rejscan', max_line_size = 16777216)"
    )


def read_csv(
    con: Any,
    path: Path,
    table: str,
    *,
    encoding: str,
    skip: int,
    tmpdir: str,
    delimiter: str = "",
    footer: int | None = None,
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
    target, foot = trim_csv_footer(target, footer, delim, len(headers), tmpdir)  # footer lines: not rows
    for t in ("_zz_rej", "_zz_rejscan"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    source = csv_source(target, skip, headers, delim)
    notes = list(d.notes) + ([footer_note(foot)] if foot else [])
    return Loaded(table, headers, "csv", d.encoding, 0, notes, source, csv=(target, int(skip)))


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
        parts.append("file_row_number + 1 AS _line")  # the row of the file, 1-based
        src = f"read_parquet({literal(str(path))}, file_row_number = true)"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {', '.join(parts)} FROM {src}")
    except Exception as exc:
        raise SourceError(f"{path}: cannot be read as Parquet: {exc}") from None
    return Loaded(table, [c[0] for c in cols], "parquet", "", _count(con, table))


def read_geojson(con: Any, path: Path, table: str, *, crs: str) -> Loaded:
    """Load a GeoJSON FeatureCollection: properties as text, geometry as WGS-84 WKB (column ``geometry``)."""
    import pyarrow as pa
    import shapely
    from shapely.geometry import shape

    from zzanalytics.ingest.areas import repair_geometries
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
    columns = [[cell_text((f.get("properties") or {}).get(k)) for f in features] for k in keys]
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
    arr, notes = repair_geometries(arr)
    wkb = [None if g is None else shapely.to_wkb(g) for g in arr]
    register_columns(con, table, keys, columns, extra={"geometry": (wkb, pa.binary())})
    return Loaded(table, [*keys, "geometry"], "geojson", "utf-8", len(features), notes)


def read_vector(con: Any, path: Path, table: str, *, crs: str) -> Loaded:
    """Load a shapefile or GeoPackage (first layer) through geopandas: attributes as text, geometry
    as WGS-84 WKB. The file's own coordinate system (.prj) is used; the mapping's ``crs`` only when
    the file has none."""
    import geopandas as gpd
    import pyarrow as pa
    import shapely

    from zzanalytics.ingest.areas import repair_geometries

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
    columns = [[cell_text(v) for v in gdf[k].tolist()] for k in keys]
    geoms, notes = repair_geometries(geoms)
    wkb = [None if g is None or g.is_empty else shapely.to_wkb(g) for g in geoms]
    register_columns(con, table, keys, columns, extra={"geometry": (wkb, pa.binary())})
    return Loaded(table, [*keys, "geometry"], "vector", "", len(gdf), notes)


def read(con: Any, path: Path, m: Any, tmpdir: str) -> Loaded:
    """The read stage: open the file as published (``.gz``, ``.zip``) and read it by its kind.

    ``m`` is the mapping (its reading keys: ``encoding``, ``sheet``, ``skip``, ``delimiter``,
    ``member``, ``footer`` and, for geometry, ``crs``; footer lines below the data are set aside).
    Returns a :class:`~.cells.Loaded` whose ``rel`` is a relation of the rows as text, in file order
    (a CSV is read by DuckDB's ``read_csv`` when the relation runs; other kinds are loaded into the
    temp table ``_zz_raw`` first).
    """
    target, kind, notes = unpack(path, tmpdir, m.member)
    table = "_zz_raw"
    if kind == "csv":
        loaded = read_csv(
            con,
            target,
            table,
            encoding=m.encoding,
            skip=m.skip,
            tmpdir=tmpdir,
            delimiter=m.delimiter,
            footer=m.footer,
        )
    elif kind == "excel":
        loaded = read_excel(con, target, table, sheet=m.sheet, skip=m.skip, footer=m.footer)
    elif kind == "parquet":
        loaded = read_parquet(con, target, table)
    elif kind == "vector":
        loaded = read_vector(con, target, table, crs=m.crs)
    elif kind == "html":
        loaded = read_html_table(con, target, table, skip=m.skip)
    else:
        loaded = read_geojson(con, target, table, crs=m.crs)
    loaded.notes = notes + loaded.notes
    loaded.rel = con.sql(f"SELECT * FROM {loaded.source}")
    return loaded


def read_rows(path: Path, m: Any = None) -> Any:
    """A file's rows as a pandas frame of text, read by :func:`read` (the same reader as ingest).

    For published tables that are not records (``zz forecast --counts``): any encoding, workbook,
    compressed file or delimiter ingest reads. ``m`` gives the reading keys (default: a mapping
    with none set). Counts are aggregates, so the scratch folder is the system's.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "counts.csv"
    >>> _ = p.write_bytes("月份,数量\\n2026-01,3\\n".encode("gb18030"))
    >>> read_rows(p).to_dict("records")
    [{'月份': '2026-01', '数量': '3'}]
    """
    import tempfile

    import duckdb

    from zzanalytics.ingest.mapping import read_mapping

    m = m if m is not None else read_mapping({})
    con = duckdb.connect()
    try:
        with tempfile.TemporaryDirectory(prefix="zz-counts-") as tmp:
            loaded = read(con, Path(path), m, tmp)
            return loaded.rel.project(", ".join(ident(h) for h in loaded.headers)).df()
    finally:
        con.close()


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


@dataclass
class Malformed:
    """Rows DuckDB's CSV reader set aside (wrong number of fields, bad quoting): where each starts
    (0-based byte of the file read, and its line), its text and the reader's message."""

    starts: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.starts)


def malformed_rows(con: Any, loaded: Loaded) -> Malformed:
    """The rows of a CSV the reader set aside, to be quarantined as ``malformed_row``.

    Called after the file's rows were read (the reader records them as it reads).
    """
    from zzanalytics.ingest.lines import line_at_bytes

    if loaded.csv is None:
        return Malformed()
    have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    if "_zz_rej" not in have:
        return Malformed()
    rows = con.execute(
        "SELECT line_byte_position - 1, trim(any_value(csv_line), chr(10) || chr(13)), min(error_message) "
        "FROM _zz_rej GROUP BY 1 ORDER BY 1"
    ).fetchall()
    starts = [int(r[0]) for r in rows]
    return Malformed(starts, line_at_bytes(loaded.csv[0], starts), [r[1] for r in rows], [r[2] for r in rows])
