"""Ingest as its stages: one way to open a store, one reader (also for counts files), and
``zz ingest`` never writing a user's export into the sample district's store (issue 21)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import zzanalytics as zz
from zzanalytics import store, workspace
from zzanalytics.cli import app
from zzanalytics.errors import StoreError
from zzanalytics.ingest import ingest_files
from zzanalytics.models.panel import read_counts_file

MAPPING = {
    "source": {"table": "incidents", "timezone": "UTC"},
    "columns": {"incident_id": "id", "occurred_at": "when"},
    "constants": {"category": "fire"},
}


def test_one_open_store() -> None:
    # the workspace and the package export the store layer's opener itself; the sample builder
    # is registered with it, not a second opener
    assert zz.open_store is store.open_store is workspace.open_store
    from zzanalytics.store.core import _BEFORE_OPEN

    assert workspace.prepare_sample in _BEFORE_OPEN


def test_ingest_without_a_store_refuses_and_leaves_the_sample_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "fires.csv"
    src.write_text("id,when\n1,2024-01-02 10:00\n", encoding="utf-8")
    m = tmp_path / "m.toml"
    m.write_text(
        '[source]\ntable = "incidents"\ntimezone = "UTC"\n'
        '[columns]\nincident_id = "id"\noccurred_at = "when"\n[constants]\ncategory = "fire"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("ZZ_STORE", raising=False)
    sample = workspace.sample_store_path()
    before = sample.stat().st_mtime_ns if sample.exists() else None
    run = CliRunner().invoke(app, ["ingest", str(src), "--mapping", str(m)])
    assert run.exit_code == 2
    assert "no store named" in run.output and "--store" in run.output and "ZZ_STORE" in run.output
    assert len(run.output.strip().splitlines()) == 1 and "Traceback" not in run.output
    assert (sample.stat().st_mtime_ns if sample.exists() else None) == before
    with pytest.raises(StoreError, match="no store named"):
        ingest_files([src], MAPPING)
    # ZZ_STORE names one: it is used
    monkeypatch.setenv("ZZ_STORE", str(tmp_path / "named.duckdb"))
    run = CliRunner().invoke(app, ["ingest", str(src), "--mapping", str(m)])
    assert run.exit_code == 0, run.output
    assert str(tmp_path / "named.duckdb") in run.output


def test_counts_files_go_through_the_ingest_reader(tmp_path: Path) -> None:
    # a GB18030 CSV with a delimiter other than comma, and the same table gzip-compressed and as a
    # workbook: the counts reader is ingest's own
    import gzip

    import openpyxl

    text = "月份;类别;数量\n2026-01;盗窃;3\n2026-02;盗窃;5\n"
    (tmp_path / "c.csv").write_bytes(text.encode("gb18030"))
    (tmp_path / "c.csv.gz").write_bytes(gzip.compress(text.encode("utf-8")))
    wb = openpyxl.Workbook()
    for row in [["月份", "类别", "数量"], ["2026-01", "盗窃", 3], ["2026-02", "盗窃", 5]]:
        wb.active.append(row)
    wb.save(tmp_path / "c.xlsx")
    for name in ("c.csv", "c.csv.gz", "c.xlsx"):
        frame, keys, value = read_counts_file(tmp_path / name)
        assert keys == ["类别"] and value == "数量"
        assert frame[value].tolist() == [3.0, 5.0]
        assert [str(p.date()) for p in frame["period"]] == ["2026-01-01", "2026-02-01"]
