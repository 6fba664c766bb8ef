"""Projected coordinates on all of DuckDB's threads: no native crash, exact counts (issue 21).

pyproj transformers and GEOS prepared geometries must not be used from several threads at once;
ingest once called them from DuckDB's worker threads and the process died (segmentation fault,
``double free``) or failed with ``SystemError`` from ``Transformer.from_crs``. The ingest runs in a
fresh interpreter under ``-X faulthandler``, so a native crash is a non-zero exit with its trace.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from pyproj import Transformer

# (system, a point of its area of use): a UTM zone, NY state plane (US feet), TWD97 TM2, HK1980 grid
SYSTEMS = {
    "EPSG:32650": (117.0, 36.1),
    "EPSG:2263": (-73.95, 40.72),
    "EPSG:3826": (121.5, 25.03),
    "EPSG:2326": (114.17, 22.3),
}
ROWS = 25_000  # a dozen 2,048-row vectors: DuckDB runs the scan on every thread
RUNS = 3


def _export(path: Path, crs: str, centre: tuple[float, float], seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lon = centre[0] + rng.uniform(-0.05, 0.05, ROWS)
    lat = centre[1] + rng.uniform(-0.05, 0.05, ROWS)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    ids = np.arange(ROWS)
    days = 1 + ids % 28
    lines = ["id,when,x,y"] + [
        f"{i},2024-03-{d:02d} 10:00,{a:.3f},{b:.3f}" for i, d, a, b in zip(ids, days, x, y, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lon, lat


SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from zzanalytics.ingest import ingest_files, read_mapping
    from zzanalytics.store import open_store

    work, systems, runs = Path(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
    out = {}
    for run in range(runs):
        for crs in systems:
            m = read_mapping({"source": {"table": "incidents", "crs": crs, "name": crs, "timezone": "UTC"},
                              "columns": {"incident_id": "id", "occurred_at": "when", "lon": "x", "lat": "y"},
                              "constants": {"category": "fire"}})
            store = work / f"{crs.replace(':', '_')}.duckdb"
            rep = ingest_files([work / f"{crs.replace(':', '_')}.csv"], m, store=store)
            with open_store(store) as st:
                sql = "SELECT lon, lat FROM incidents ORDER BY CAST(incident_id AS INTEGER) LIMIT 5"
                pts = st.con.execute(sql).fetchnumpy()
            counts = [rep.read, rep.accepted, rep.duplicate, rep.location_cleared]
            out.setdefault(crs, []).append([counts, pts["lon"].tolist(), pts["lat"].tolist()])
    print(json.dumps(out))
    """
)


def test_projected_points_on_all_threads_never_crash(tmp_path: Path) -> None:
    truth = {}
    for k, (crs, centre) in enumerate(SYSTEMS.items()):
        truth[crs] = _export(tmp_path / f"{crs.replace(':', '_')}.csv", crs, centre, seed=k)
    args = [str(tmp_path), json.dumps(list(SYSTEMS)), str(RUNS)]
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", SCRIPT, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    for crs, runs in got.items():
        lon, lat = truth[crs]
        assert len(runs) == RUNS
        first, *again = runs
        assert first[0] == [ROWS, ROWS, 0, 0]  # every row a record, every point kept
        assert all(r[0] == [ROWS, 0, ROWS, 0] for r in again)  # re-ingests: duplicates, nothing lost
        np.testing.assert_allclose(first[1], lon[:5], atol=1e-6)  # 3-decimal metres/feet: < 1e-6 degree
        np.testing.assert_allclose(first[2], lat[:5], atol=1e-6)
