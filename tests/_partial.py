"""Partial stores cut from a full one, rebuilt through the real ingest.

A real user rarely has every source. :func:`build` takes the canonical tables of a full store (the
sample district or the foreign sample city), keeps a subset — some sources, some categories, a
window of dates, no points, no polygons, no population — writes them as the exports such a user
would hold (one CSV per source, GeoJSON for polygons and streets, with a mapping each) and ingests
them into a new store with ``build_store``. Coverage is therefore decided by ingest, as for any
user's files, never written by hand.

A :class:`Cut` says what to keep. Sources of the incidents table are ``criminal``, ``traffic`` and
``fire`` (a category prefix of ``split`` becomes a source of its own, e.g. fraud from another
system); the other tables are their own sources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zzanalytics.schema import is_criminal

INCIDENT_COLUMNS = (
    "incident_id",
    "occurred_at",
    "category",
    "area_code",
    "lon",
    "lat",
    "occurred_from",
    "occurred_to",
    "deaths",
    "injuries",
    "loss_yuan",
    "cause",
    "premises",
)
SOURCES = ("criminal", "traffic", "fire", "petitions", "disputes")
REFERENCE = ("areas", "streets", "cameras", "peers", "targets")
DATES = {"petitions": "received_on", "disputes": "found_on"}


@dataclass(frozen=True)
class Cut:
    """What a partial store keeps of a full one.

    ``sources``: record sources kept (:data:`SOURCES`); ``reference``: reference tables kept
    (:data:`REFERENCE`); ``categories``: category prefixes kept (None: all); ``split``: category
    prefixes exported as a source of their own; ``windows``: source (or split prefix) → (first,
    last) day of the records kept; ``points``: keep incident coordinates; ``population``: keep the
    polygons' population; ``crumbs``: (source, first, last, n) — also keep ``n`` records spread
    over an earlier window (late reports of earlier years in a later export); ``since``: drop every
    record before this day (a smaller store).
    """

    sources: tuple[str, ...] = SOURCES
    reference: tuple[str, ...] = REFERENCE
    categories: tuple[str, ...] | None = None
    split: tuple[str, ...] = ()
    windows: dict[str, tuple[str, str]] = field(default_factory=dict)
    points: bool = True
    population: bool = True
    crumbs: tuple[Any, ...] | None = None
    since: str | None = None


_TABLES: dict[str, dict[str, Any]] = {}


def tables(store: Any) -> dict[str, Any]:
    """The canonical tables and identity of a full store (an open Store or a path; read once per
    process)."""
    from zzanalytics.workspace import open_store

    key = str(getattr(store, "path", store))
    if key not in _TABLES:
        st = store if hasattr(store, "incidents") else open_store(store)
        try:
            out = {
                "incidents": st.incidents(),
                "areas": st.areas(),
                "streets": st.streets(),
                "meta": st.meta(),
                "timezone": st.timezone,
            }
            for name in ("petitions", "disputes", "cameras", "peers", "targets"):
                out[name] = st.table(name)
        finally:
            if st is not store:
                st.close()
        _TABLES[key] = out
    return _TABLES[key]


def source_of(category: str, split: tuple[str, ...]) -> str:
    for prefix in split:
        if category == prefix or category.startswith(prefix + "."):
            return prefix
    if is_criminal(category):
        return "criminal"
    return "traffic" if category.startswith("traffic") else "fire"


def _wall(series: pd.Series, tz: str) -> pd.Series:
    s = pd.to_datetime(series)
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert(tz).dt.tz_localize(None)
    return s


def _window(frame: pd.DataFrame, col: str, tz: str, window: tuple[str, str] | None) -> pd.DataFrame:
    if window is None:
        return frame
    d = _wall(frame[col], tz)
    lo, hi = pd.Timestamp(window[0]), pd.Timestamp(window[1]) + pd.Timedelta(days=1)
    return frame[(d >= lo) & (d < hi)]


def _mapping(path: Path, table: str, tz: str, date_format: str = "") -> Path:
    lines = ["[source]", f'table = "{table}"', f'timezone = "{tz}"', 'date_floor = "2000-01-01"']
    if date_format:
        lines.append(f'date_format = "{date_format}"')
    if table == "petitions":
        lines += ["", "[values.irregular]", '"True" = true', '"False" = false']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _csv(frame: pd.DataFrame, path: Path, tz: str) -> Path:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = _wall(out[col], tz).dt.strftime("%Y-%m-%d %H:%M:%S")
    out.to_csv(path, index=False)
    return path


def build(full: Any, cut: Cut, folder: Path) -> Path:
    """Write the exports a partial user holds into ``folder`` and ingest them; the store's path."""
    from zzanalytics.ingest.sources import build_store

    t = tables(full)
    tz = t["timezone"]
    folder.mkdir(parents=True, exist_ok=True)
    from zzanalytics.store.district import KEYS

    meta = t["meta"]  # the full store's identity carries over (its name, area unit, issuer ...)
    ident = {k.name: meta.get(k.meta) for k in KEYS if "METRIC" not in k.name} | {"timezone": tz}
    district = ["[district]"] + [f"{k} = {json.dumps(str(v))}" for k, v in ident.items() if v]
    sources: list[tuple[str, str]] = []

    if "areas" in cut.reference and t["areas"] is not None and len(t["areas"]):
        areas = t["areas"].drop(columns=[] if cut.population else ["population"])
        areas.to_file(folder / "areas.geojson", driver="GeoJSON")
        (folder / "areas.toml").write_text('[source]\ntable = "areas"\n', encoding="utf-8")
        sources.append(("areas.geojson", "areas.toml"))
    if "streets" in cut.reference and t["streets"] is not None and len(t["streets"]):
        t["streets"].to_file(folder / "streets.geojson", driver="GeoJSON")
        (folder / "streets.toml").write_text('[source]\ntable = "streets"\n', encoding="utf-8")
        sources.append(("streets.geojson", "streets.toml"))
    for name in ("cameras", "peers", "targets"):
        if name in cut.reference and len(t[name]):
            frame = t[name].drop(columns=["source_file"], errors="ignore")
            _csv(frame, folder / f"{name}.csv", tz)
            _mapping(folder / f"{name}.toml", name, tz)
            sources.append((f"{name}.csv", f"{name}.toml"))

    inc = t["incidents"]
    if cut.since is not None:
        inc = inc[_wall(inc["occurred_at"], tz) >= pd.Timestamp(cut.since)]
    if cut.categories is not None:
        keep = inc["category"].map(lambda c: any(c == p or c.startswith(p + ".") for p in cut.categories))
        inc = inc[keep]
    inc = inc.assign(_source=inc["category"].map(lambda c: source_of(c, cut.split)))
    if not cut.points:
        inc = inc.assign(lon=float("nan"), lat=float("nan"))
    for src, group in inc.groupby("_source", sort=True):
        if src not in cut.sources and src not in cut.split:
            continue
        rows = _window(group, "occurred_at", tz, cut.windows.get(src))
        if cut.crumbs and cut.crumbs[0] == src:
            early = _window(group, "occurred_at", tz, (cut.crumbs[1], cut.crumbs[2]))
            rows = pd.concat([early.sample(min(cut.crumbs[3], len(early)), random_state=0), rows])
        if rows.empty:
            continue
        cols = [c for c in INCIDENT_COLUMNS if c in rows.columns and rows[c].notna().any()]
        if "area_code" not in cols and "area_code" in rows.columns:
            cols.append("area_code")
        _csv(rows[cols], folder / f"{src}.csv", tz)
        _mapping(folder / f"{src}.toml", "incidents", tz, "%Y-%m-%d %H:%M:%S")
        sources.append((f"{src}.csv", f"{src}.toml"))

    for name in ("petitions", "disputes"):
        if name not in cut.sources or not len(t[name]):
            continue
        frame = _window(
            t[name], DATES[name], tz, cut.windows.get(name) or (cut.since or "2000-01-01", "2100-01-01")
        )
        frame = frame.drop(columns=["source_file"], errors="ignore")
        _csv(frame, folder / f"{name}.csv", tz)
        _mapping(folder / f"{name}.toml", name, tz)
        sources.append((f"{name}.csv", f"{name}.toml"))

    lines = [*district, ""]
    for files, mapping in sources:
        lines += ["[[source]]", f"files = {json.dumps([files])}", f'mapping = "{mapping}"', ""]
    (folder / "sources.toml").write_text("\n".join(lines), encoding="utf-8")
    path = folder / "zz.duckdb"
    build_store(folder / "sources.toml", path)
    return path
