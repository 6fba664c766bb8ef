"""Writers of the sample's exports, byte for byte the same on every run.

CSV in GB18030 or UTF-8 with fixed float formatting, XLSX written directly as
Office Open XML with fixed document and zip entry times, GeoJSON with GCJ-02 coordinates
rounded to 1e-6 degree, and the mapping files that ingest them.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from zzanalytics.ingest.coords import wgs84_to_gcj02
from zzanalytics.sample.geography import to_lonlat

FIXED_TIME = datetime(2026, 11, 1, 0, 0, 0)
"""Document and zip-entry time of every XLSX (the sample's release day), so bytes never change."""


def gcj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 to GCJ-02 rounded to 1e-6 degree (NaN stays NaN)."""
    glon, glat = wgs84_to_gcj02(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))
    return np.round(glon, 6), np.round(glat, 6)


def fmt_coord(v: np.ndarray) -> np.ndarray:
    """Coordinates as fixed 6-decimal text, empty when missing."""
    v = np.asarray(v, dtype="float64")
    out = np.char.mod("%.6f", np.nan_to_num(v)).astype(object)
    out[np.isnan(v)] = ""
    return out


def fmt_slash(ts: pd.Series) -> pd.Series:
    """``2026/5/6 21:30`` (no zero padding of month, day, hour), as Excel writes CSV."""
    return (
        ts.dt.year.astype(str)
        + "/"
        + ts.dt.month.astype(str)
        + "/"
        + ts.dt.day.astype(str)
        + " "
        + ts.dt.hour.astype(str)
        + ":"
        + ts.dt.minute.map("{:02d}".format)
    )


def fmt_iso(ts: pd.Series) -> pd.Series:
    """``2026-05-06T21:30:00+08:00``."""
    return ts.dt.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"


def fmt_compact(ts: pd.Series) -> pd.Series:
    """``20260506``."""
    return ts.dt.strftime("%Y%m%d")


def fmt_chinese(ts: pd.Series) -> pd.Series:
    """``2026年5月6日`` (empty when missing)."""
    s = (
        ts.dt.year.astype("Int64").astype(str)
        + "年"
        + ts.dt.month.astype("Int64").astype(str)
        + "月"
        + ts.dt.day.astype("Int64").astype(str)
        + "日"
    )
    return s.where(ts.notna(), "")


class CsvWriter:
    """Append frames of strings to one CSV file, counting data rows."""

    def __init__(self, path: Path, columns: list[str], encoding: str, newline: str = "\n"):
        self.path = path
        self.columns = columns
        self.encoding = encoding
        self.newline = newline
        self.rows = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding=encoding, newline="") as fh:
            fh.write(",".join(columns) + newline)

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` (its columns in order, already formatted)."""
        if not len(frame):
            return
        text = frame[self.columns].to_csv(index=False, header=False, lineterminator=self.newline)
        with open(self.path, "a", encoding=self.encoding, newline="") as fh:
            fh.write(text)
        self.rows += len(frame)


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'extended-properties" Target="docProps/app.xml"/></Relationships>'
    ),
    "docProps/app.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application></Properties>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    ),
}
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _cell(ref: str, v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
        return ""
    if isinstance(v, datetime):
        serial = (v - _EXCEL_EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="1"><v>{serial!r}</v></c>'
    if isinstance(v, (bool, np.bool_)):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, np.integer)):
        return f'<c r="{ref}"><v>{int(v)}</v></c>'
    if isinstance(v, (float, np.floating)):
        return f'<c r="{ref}"><v>{float(v)!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'


def write_xlsx(path: Path, sheet: str, columns: list[str], rows: Iterable[list]) -> int:
    """Write a one-sheet XLSX (Office Open XML) directly, with fixed document and zip times.

    Strings are inline, dates are Excel serial numbers with a date format, so any reader
    (openpyxl, pandas, Excel) sees real datetimes. The bytes depend on the data only.
    """
    letters = [_col(i) for i in range(len(columns))]
    body = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    ]
    body.append(
        '<row r="1">' + "".join(_cell(f"{c}1", h) for c, h in zip(letters, columns, strict=True)) + "</row>"
    )
    n = 0
    for n, r in enumerate(rows, start=1):
        k = n + 1
        body.append(
            f'<row r="{k}">'
            + "".join(_cell(f"{c}{k}", v) for c, v in zip(letters, r, strict=True))
            + "</row>"
        )
    body.append("</sheetData></worksheet>")
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = dict(_XLSX_PARTS)
    parts["docProps/core.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>金河区</dc:creator>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )
    parts["xl/workbook.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    parts["xl/worksheets/sheet1.xml"] = "".join(body)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, text in parts.items():
            zi = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, text.encode("utf-8"))
    return n


def _ring(coords: np.ndarray) -> list[list[float]]:
    lon, lat = to_lonlat(coords[:, 0], coords[:, 1])
    glon, glat = gcj(lon, lat)
    return [[float(a), float(b)] for a, b in zip(glon, glat, strict=True)]


def geometry_json(geom) -> dict:
    """GeoJSON geometry of a shapely geometry in local metres, in GCJ-02 lon/lat."""
    t = geom.geom_type
    if t == "Polygon":
        return {
            "type": "Polygon",
            "coordinates": [_ring(np.asarray(geom.exterior.coords))]
            + [_ring(np.asarray(r.coords)) for r in geom.interiors],
        }
    if t == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [geometry_json(g)["coordinates"] for g in geom.geoms]}
    if t == "LineString":
        return {"type": "LineString", "coordinates": _ring(np.asarray(geom.coords))}
    if t == "MultiLineString":
        return {"type": "MultiLineString", "coordinates": [_ring(np.asarray(g.coords)) for g in geom.geoms]}
    raise ValueError(f"unsupported geometry {t}")


def write_geojson(path: Path, features: list[tuple[dict, object]]) -> int:
    """FeatureCollection, one feature per line, GCJ-02 coordinates (as the map service gives them)."""
    lines = []
    for props, geom in features:
        feat = {"type": "Feature", "properties": props, "geometry": geometry_json(geom)}
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(lines)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with Unix newlines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def toml_table(name: str, mapping: dict) -> str:
    """A TOML table of string/number/bool values with quoted keys."""
    lines = [f"[{name}]"]
    for k, v in mapping.items():
        if isinstance(v, bool):
            val = "true" if v else "false"
        elif isinstance(v, (int, float)):
            val = repr(v)
        else:
            val = json.dumps(v, ensure_ascii=False)
        key = k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)
        lines.append(f"{key} = {val}")
    return "\n".join(lines) + "\n"
