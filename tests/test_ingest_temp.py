"""Temporary copies live beside the store (0600), are cleaned at the next start; a killed ingest
leaves the store as it was and nothing in the system temporary folder."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from zzanalytics.ingest import ingest_files
from zzanalytics.workspace import open_store

MAP = {
    "columns": {"incident_id": "id", "occurred_at": "time", "category": "kind", "area_code": "area"},
    "categories": {"入室盗窃": "theft.burglary"},
}


def _big_gb18030(path: Path, rows: int) -> None:
    with open(path, "w", encoding="gb18030", newline="") as fh:
        fh.write("id,time,kind,area\n")
        for i in range(rows):
            fh.write(f"B{i},2025-03-01 10:00,入室盗窃,620102001\n")


def test_killed_ingest_leaves_store_and_system_temp_clean(tmp_path: Path) -> None:
    store = tmp_path / "zz.duckdb"
    (tmp_path / "small.csv").write_text("id,time,kind,area\nS1,2025-01-01,robbery,620102001\n")
    ingest_files([tmp_path / "small.csv"], MAP, store=store)
    big = tmp_path / "big.csv"
    _big_gb18030(big, 400_000)
    systmp = tmp_path / "systmp"
    systmp.mkdir()
    env = {**os.environ, "TMPDIR": str(systmp), "TEMP": str(systmp), "TMP": str(systmp)}
    code = (
        "import sys; from zzanalytics.ingest import ingest_files; "
        f"ingest_files([sys.argv[1]], {MAP!r}, store=sys.argv[2])"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(big), str(store)], env=env)
    copy = None
    modes = set()
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        found = list(tmp_path.glob(".zz-tmp-zz.duckdb-*/*.utf8.csv"))
        if found:
            copy = found[0]
            try:
                modes.add(stat.S_IMODE(copy.stat().st_mode))
                modes.add(stat.S_IMODE(copy.parent.stat().st_mode))
            except FileNotFoundError:
                pass
            if copy.exists() and copy.stat().st_size > 1_000_000:
                break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert copy is not None, "the transcoded copy was never seen beside the store"
    assert modes <= {0o600, 0o700} and 0o600 in modes
    assert list(systmp.iterdir()) == []  # nothing in the system temporary folder
    with open_store(store) as st:
        assert sorted(st.incidents()["incident_id"]) == ["S1"]  # the store is as before
    left = list(tmp_path.glob(".zz-tmp-zz.duckdb-*"))
    assert left  # the killed run's folder is there ...
    ingest_files([tmp_path / "small.csv"], MAP, store=store)
    assert list(tmp_path.glob(".zz-tmp-zz.duckdb-*")) == []  # ... and gone after the next start


def test_temp_folder_is_removed_after_a_normal_ingest(tmp_path: Path) -> None:
    big = tmp_path / "g.csv"
    _big_gb18030(big, 10)
    rep = ingest_files([big], MAP, store=tmp_path / "zz.duckdb")
    assert rep.accepted == 10 and rep.files[0].encoding == "gb18030"
    assert list(tmp_path.glob(".zz-tmp-*")) == []
