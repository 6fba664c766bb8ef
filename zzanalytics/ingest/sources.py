"""Building a whole store from a ``sources.toml``: which files, through which mapping, in what order.

``sources.toml`` lists ``[[source]]`` entries (``files``: names or glob patterns relative to the
file; ``mapping``: the mapping file) ingested in order — reference tables (areas, streets) first,
so that incidents can be checked against the district's polygons. An optional ``[district]``
table records the district's identity in the store's metadata (every key:
:data:`zzanalytics.store.district.KEYS`)::

    [district]
    name = "金河区"              # shown in titles and sentences
    name_en = "Jinhe District"
    timezone = "Asia/Shanghai"   # the store's clock
    currency = "CNY"             # unit of losses
    unit = "乡镇(街道)"           # what an area is called
    unit_en = "township"
    issuer = "金河区综治委办公室"  # 发文机关
    targets = { "fire.count" = 120 }

    [[source]]
    files = ["乡镇街道.geojson"]
    mapping = "mappings/areas.toml"

Examples
--------
>>> build_store("data/sample/sources.toml", "/tmp/zz.duckdb")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import tomllib
from contextlib import suppress
from pathlib import Path
from typing import Any

from zzanalytics.errors import StoreError, ZZError
from zzanalytics.ingest import ingest_files
from zzanalytics.ingest.report import IngestReport
from zzanalytics.store import KEYS, Store, create_schema, open_store
from zzanalytics.store.district import identity_meta

__all__ = ["DISTRICT_KEYS", "build_store", "newest_source", "read_sources"]

DISTRICT_KEYS = (*(k.name for k in KEYS if k.name != "target.METRIC"), "targets")
"""Keys of ``[district]``: the identity's keys (:data:`zzanalytics.store.district.KEYS`), with the
standing annual targets as a table ``targets = { "fire.count" = 120 }``."""


def read_sources(sources_toml: str | Path) -> tuple[dict[str, Any], list[tuple[list[Path], Path]]]:
    """Parse ``sources.toml``: (``[district]`` identity, checked, list of (files, mapping) in order)."""
    sources_toml = Path(sources_toml)
    try:
        doc = tomllib.loads(sources_toml.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StoreError(f"{sources_toml}: cannot be read: {exc}") from None
    district = doc.get("district", {})
    if not isinstance(district, dict):
        raise StoreError(f"{sources_toml}: [district] must be a table with keys {list(DISTRICT_KEYS)}")
    unknown = [k for k in district if k not in DISTRICT_KEYS]
    if unknown:
        raise StoreError(
            f"{sources_toml}: [district] has unknown key(s) {unknown}; keys are {list(DISTRICT_KEYS)}"
        )
    try:
        identity_meta(district)
    except ZZError as exc:
        raise StoreError(f"{sources_toml}: [district] {exc}") from None
    base = sources_toml.parent
    out = []
    for i, src in enumerate(doc.get("source", [])):
        if "files" not in src or "mapping" not in src:
            raise StoreError(f"{sources_toml}: [[source]] number {i + 1} needs both 'files' and 'mapping'")
        files: list[Path] = []
        for pattern in src["files"]:
            matched = sorted(base.glob(pattern)) if any(ch in pattern for ch in "*?[") else [base / pattern]
            files.extend(matched)
        out.append((files, base / src["mapping"]))
    return dict(district), out


def newest_source(sources_toml: str | Path) -> float:
    """Modification time of the newest of ``sources.toml``, its files and its mappings."""
    sources_toml = Path(sources_toml)
    newest = sources_toml.stat().st_mtime
    for files, mapping in read_sources(sources_toml)[1]:
        for p in [*files, mapping]:
            with suppress(OSError):
                newest = max(newest, p.stat().st_mtime)
    return newest


def district_meta(district: dict[str, Any]) -> dict[str, str | None]:
    """``[district]`` keys as store metadata keys (``name`` → ``district``, ``unit`` → ``area_unit`` …).

    Examples
    --------
    >>> district_meta({"name": "金河区", "unit": "乡镇(街道)", "targets": {"fire.count": 120}})
    {'district': '金河区', 'area_unit': '乡镇(街道)', 'target.fire.count': '120'}
    """
    return identity_meta(district)


def build_store(sources_toml: str | Path, path: str | Path) -> list[IngestReport]:
    """Build a fresh store at ``path`` from a ``sources.toml``; return each source's report.

    The store is written to a temporary file beside ``path`` and moved into place when
    complete, so a reader never sees half a store.
    """
    sources_toml, path = Path(sources_toml), Path(path)
    district, sources = read_sources(sources_toml)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.building-{os.getpid()}")
    for p in (tmp, Path(str(tmp) + ".wal")):
        with suppress(FileNotFoundError):
            p.unlink()
    reports: list[Any] = []
    try:
        st: Store = open_store(tmp, read_only=False)
        try:
            create_schema(st.con)
            if district:
                st.set_meta(**district_meta(district))
            for files, mapping in sources:
                reports.append(ingest_files(files, mapping, store=st))
            st.con.execute("CHECKPOINT")
        finally:
            st.close()
        os.replace(tmp, path)
    finally:
        for p in (tmp, Path(str(tmp) + ".wal")):
            with suppress(FileNotFoundError):
                p.unlink()
    return reports
