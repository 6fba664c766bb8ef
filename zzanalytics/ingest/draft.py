"""``zz map``: a draft mapping from exports as published, commented with what was detected, from what,
and how sure (``[sure]``, ``[likely]``, ``[guess]``). Ingesting with the unedited draft works; editing
the category labels is enough to get the house categories right.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> rows = "".join(f"{i},住宅竊盜,10801{i:02d},00~02,臺北市大安區和平東路{i}號\\n" for i in range(1, 21))
>>> _ = (d / "a.csv").write_bytes(("編號,案類,發生日期,發生時段,發生地點\\n" + rows).encode("big5"))
>>> draft = draft_mapping([d / "a.csv"])
>>> draft.doc["source"]["calendar"], draft.doc["source"]["time_column"], draft.doc["categories"]["住宅竊盜"]
('roc', '發生時段', 'theft.burglary')
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zzanalytics.errors import SourceError
from zzanalytics.ingest.columns import loose
from zzanalytics.ingest.hanzi import cjk_count
from zzanalytics.ingest.roles import Profile, header_roles, profile
from zzanalytics.ingest.scan import FileScan, scan_file
from zzanalytics.sql import ident

__all__ = ["Draft", "draft_mapping"]


@dataclass
class Draft:
    """The draft: its TOML ``text`` (with comments), the mapping as a dict (``doc``) and the scans."""

    text: str
    doc: dict[str, dict[str, Any]]
    scans: list[FileScan] = field(default_factory=list)


class _Notes:
    """Comment lines per (section, key), written above the key."""

    def __init__(self) -> None:
        self.lines: dict[tuple[str, str], list[str]] = {}

    def add(self, section: str, key: str, text: str, sure: str = "") -> None:
        from zzanalytics.privacy import mask_text

        tag = f"[{sure}] " if sure else ""
        self.lines.setdefault((section, key), []).append(tag + mask_text(text))


def _unify(scans: list[FileScan]) -> tuple[list[str], list[dict[str, str]], dict[str, list[str]]]:
    """One set of headers for all files: equal after folding case and punctuation, or of the same role in
    files that never hold both. Returns the headers, each file's renames and the synonyms."""
    groups: dict[str, dict[str, int]] = {}
    files_of: dict[str, set[int]] = {}
    for i, s in enumerate(scans):
        for h in s.header:
            k = loose(h) or h
            groups.setdefault(k, {})[h] = groups.setdefault(k, {}).get(h, 0) + 1
            files_of.setdefault(k, set()).add(i)
    spelled = {k: max(v, key=lambda h: (v[h], -len(h))) for k, v in groups.items()}
    # the same role under another name in other files (a header that changes mid-year)
    merged: dict[str, str] = {}
    keys = list(spelled)
    for a in keys:
        for b in keys:
            if a >= b or a in merged or b in merged:
                continue
            ra, rb = header_roles(spelled[a])[:1], header_roles(spelled[b])[:1]
            if ra and ra == rb and not (files_of[a] & files_of[b]):
                keep, drop = (a, b) if len(files_of[a]) >= len(files_of[b]) else (b, a)
                merged[drop] = keep
    canon: list[str] = []
    synonyms: dict[str, list[str]] = {}
    for k in keys:
        target = spelled[merged.get(k, k)]
        if target not in canon:
            canon.append(target)
        for h in groups[k]:
            if h != target:
                synonyms.setdefault(target, []).append(h)
    renames = []
    for s in scans:
        r = {}
        for h in s.header:
            k = loose(h) or h
            r[h] = spelled[merged.get(k, k)]
        renames.append(r)
    return canon, renames, synonyms


def _union(con: Any, scans: list[FileScan], canon: list[str], renames: list[dict[str, str]]) -> str:
    parts = []
    for s, r in zip(scans, renames, strict=True):
        have = {r[h]: h for h in s.header}
        cols = [
            f"CAST({ident(have[c])} AS VARCHAR) AS {ident(c)}"
            if c in have
            else f"NULL::VARCHAR AS {ident(c)}"
            for c in canon
        ]
        parts.append(f"SELECT {', '.join(cols)}, _file, _rn FROM {s.table}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _zz_all AS {' UNION ALL '.join(parts)}")
    return "_zz_all"


def areas_box(path: str | Path) -> tuple[float, float, float, float]:
    """The box (west, south, east, north, degrees) of a district's polygons: a polygons file
    (GeoJSON, shapefile, GeoPackage; its own coordinate system, else degrees) or a store's areas.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "d.geojson"
    >>> ring = [[114.1, 22.2], [114.3, 22.2], [114.3, 22.3], [114.1, 22.2]]
    >>> _ = f.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    >>> [round(v, 1) for v in areas_box(f)]
    [114.1, 22.2, 114.3, 22.3]
    """
    p = Path(path)
    if p.suffix.lower() in (".duckdb", ".db"):
        from zzanalytics.store import open_store

        st = open_store(p, read_only=True)
        try:
            geo = st.areas()
        finally:
            st.close()
        if geo is None or len(geo) == 0:
            raise SourceError(f"--areas {p}: the store holds no areas; give the district's polygons file")
    else:
        import geopandas as gpd

        try:
            geo = gpd.read_file(p)
        except Exception as exc:  # pyogrio raises its own error types
            raise SourceError(f"--areas {p}: not a polygons file geopandas can read ({exc})") from None
        if len(geo) == 0:
            raise SourceError(f"--areas {p}: no polygons; give the district's polygons file")
        if geo.crs is not None and not geo.crs.is_geographic:
            geo = geo.to_crs("EPSG:4326")
    w, s, e, n = (float(v) for v in geo.total_bounds)
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise SourceError(
            f"--areas {p}: its coordinates ({w:,.0f}..{e:,.0f}) are not degrees and the file names no "
            "coordinate system; save it as GeoJSON in WGS-84 or with its .prj"
        )
    return (w, s, e, n)


def draft_mapping(
    files: list[str | Path], table: str = "incidents", areas: str | Path | None = None
) -> Draft:
    """Draft a mapping for ``files`` (exports of one kind, as published) filling ``table``.

    Parameters
    ----------
    files : list of paths
        The exports (CSV in any encoding, Excel, ...; ``.gz``/``.zip`` opened).
    table : str
        The canonical table they fill (default ``incidents``).
    areas : path, optional
        The district's polygons (a file, or a store holding them): projected coordinates are read
        in the system that puts them there.

    Returns
    -------
    Draft
        ``text``: the commented TOML, valid for :func:`zzanalytics.ingest.read_mapping` as it is.
    """
    import duckdb

    from zzanalytics.ingest.mapping import read_mapping
    from zzanalytics.schema import TABLES

    if table not in TABLES:
        raise SourceError(f"--table {table!r} is not a table; use one of {list(TABLES)}")
    paths = [Path(f) for f in files]
    if not paths:
        raise SourceError("no files given; name the export file(s) to draft a mapping for")
    con = duckdb.connect()
    with tempfile.TemporaryDirectory(prefix="zz-map-") as tmp:
        scans = [scan_file(con, p, i, tmp) for i, p in enumerate(paths)]
    if not any(s.header for s in scans):
        raise SourceError(f"{paths[0]}: no header found")
    canon, renames, synonyms = _unify(scans)
    src = _union(con, scans, canon, renames)
    profiles = {h: profile(con, src, h) for h in canon}
    notes = _Notes()
    doc: dict[str, dict[str, Any]] = {"source": {"table": table}}
    _source_notes(scans, doc, notes)
    if synonyms:
        doc["headers"] = synonyms
        for h, others in synonyms.items():
            notes.add("headers", h, f"spelled {', '.join(repr(o) for o in others)} in some files", "sure")
    if table == "incidents":
        from zzanalytics.ingest.draft_incidents import draft_incidents

        near = areas_box(areas) if areas is not None else None
        draft_incidents(con, src, scans, canon, profiles, doc, notes, near)
    else:
        _draft_other(table, canon, profiles, doc, notes)
    text = render(doc, notes, scans)
    import tomllib

    read_mapping(tomllib.loads(text))  # the draft must be a mapping ingest accepts, as it is
    con.close()
    return Draft(text, doc, scans)


def _source_notes(scans: list[FileScan], doc: dict[str, dict[str, Any]], notes: _Notes) -> None:
    src = doc["source"]
    for s in scans:
        name = s.path.name
        if s.kind == "csv":
            why = "; ".join(s.evidence[:3] + ([s.chardet] if s.chardet else []))
            shown = {"cp950": "Big5 (code page 950)", "big5hkscs": "Big5-HKSCS"}.get(s.encoding, s.encoding)
            sure = (
                "sure"
                if s.encoding in ("utf-8", "utf-8-sig") or "common" in why or "mark" in why
                else "likely"
            )
            notes.add("source", "encoding", f"{name}: {shown}: {why}", sure)
            if s.delimiter not in ("", ","):
                src["delimiter"] = "\\t" if s.delimiter == "\t" else s.delimiter
        if s.sheet:
            notes.add(
                "source", "sheet", f"{name}: sheet {s.sheet!r}, the one holding data (of {s.sheets})", "sure"
            )
            if s.sheets and s.sheet != s.sheets[0]:
                src["sheet"] = s.sheet
        if s.title:
            notes.add(
                "source",
                "skip",
                f"{name}: {len(s.title)} title row(s) above the header: {s.title[:2]}",
                "sure",
            )
        if s.footer:
            heads = [f.split("：")[0].split(":")[0][:12] for f in s.footer[:3]]  # never a signature's name
            notes.add(
                "source", "footer", f"{name}: {len(s.footer)} footer line(s) below the data: {heads}", "sure"
            )
    src["encoding"] = "auto"
    skips = [s.skip for s in scans]
    src["skip"] = max(set(skips), key=skips.count)
    if len(set(skips)) > 1:
        notes.add(
            "source",
            "skip",
            "the files differ: skip is the most common count; map the others with a mapping of their own",
            "sure",
        )
    src["footer"] = "auto"
    if any(s.footer for s in scans):
        notes.add(
            "source", "footer", "footer lines are recognised by their words, reported, never records", "sure"
        )


_OTHER_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "areas": {
        "area_code": ("code", "id", "areacode", "distcode", "district", "dist", "dist_num", "abbr",
                      "abbreviation", "编码", "代码", "区划代码", "行政区划代码"),
        "name": ("name", "名称", "名字", "districtname", "distname", "name_zh", "街道名称", "乡镇名称"),
        "name_en": ("name_en", "english", "nameen", "englishname"),
        "population": ("population", "pop", "人口", "常住人口"),
    },
}  # fmt: skip
"""Header words of the reference tables' columns (areas drawn as polygons by a district)."""


def _draft_other(
    table: str, canon: list[str], profiles: dict[str, Profile], doc: dict[str, dict[str, Any]], notes: _Notes
) -> None:
    """Tables other than incidents: headers already named like a column, or with a column's words."""
    from zzanalytics.schema import TABLES

    cols: dict[str, str] = {}
    words = _OTHER_WORDS.get(table, {})
    for c in TABLES[table].columns:
        if c.name == "geometry":
            continue
        for h in canon:
            if h in cols.values():
                continue
            folded = loose(h)
            if (
                folded == loose(c.name)
                or c.name in header_roles(h)[:1]
                or folded in {loose(w) for w in words.get(c.name, ())}
            ):
                cols.setdefault(c.name, h)
    guessed: dict[str, str] = {}
    if (
        table == "areas" and "name" not in cols
    ):  # NAME_TC / NAME_EN, 名称_繁 ...: a name in the local script first
        named = [h for h in canon if h not in cols.values() and ("name" in loose(h) or "名" in h)]
        local = [h for h in named if any(cjk_count(t) for t, _ in profiles[h].top[:20])]
        pick = (local or named or [cols.get("name_en", ""), cols.get("area_code", "")])[0]
        if pick:
            cols["name"] = guessed["name"] = pick
    if table == "areas" and "area_code" not in cols and "name" in cols:
        cols["area_code"] = cols["name"]  # polygons named only: the name is the code incidents give
    if cols:
        doc["columns"] = cols
        for k, h in cols.items():
            if k in guessed:
                notes.add("columns", k, f"{h!r}: names of the areas (no column is headed 'name')", "guess")
            else:
                notes.add("columns", k, f"{h!r}: its header", "likely")


# -- TOML -------------------------------------------------------------------------------------------
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _key(k: str) -> str:
    return k if _BARE.fullmatch(k) else json.dumps(k, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {v!r} in TOML")  # pragma: no cover - the drafter writes only these


_ORDER = ("source", "headers", "columns", "constants", "categories", "records", "areas", "limits", "personal")


def render(doc: dict[str, dict[str, Any]], notes: _Notes, scans: list[FileScan]) -> str:
    """The draft as TOML text, each key under the comment lines of what was detected."""
    names = ", ".join(s.path.name for s in scans[:6]) + (" ..." if len(scans) > 6 else "")
    out = [
        f"# Draft mapping written by `zz map` from {len(scans)} file(s): {names}",
        "# Each comment says what was detected, from what, and how sure: [sure], [likely] or [guess].",
        "# It ingests as it is; edit the codes under [categories] to file each label where you want it.",
        "",
    ]
    for section in _ORDER:
        if section not in doc:
            continue
        body = doc[section]
        if section == "records":
            out.append("[records]")
            for line in notes.lines.get((section, ""), []):
                out.append(f"# {line}")
            for k, v in body.items():
                out.append(f"{_key(k)} = {_value(v)}")
            out.append("")
            continue
        out.append(f"[{section}]")
        for line in notes.lines.get((section, ""), []):
            out.append(f"# {line}")
        for k, v in body.items():
            for line in notes.lines.get((section, k), []):
                out.append(f"# {line}")
            out.append(f"{_key(k)} = {_value(v)}")
        for (sec, k), lines in notes.lines.items():  # notes on keys the draft leaves at their default
            if sec == section and k and k not in body:
                out += [f"# {k}: {line}" for line in lines]
        out.append("")
    return "\n".join(out)
