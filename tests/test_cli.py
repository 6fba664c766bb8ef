"""The zz command line: contract options, friendly errors, the province switch."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from zzanalytics.cli import app

runner = CliRunner()


def test_every_contract_verb_is_registered():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for verb in ("sample", "ingest", "counts", "forecast", "hotspots", "briefing", "backtest", "quarantine"):
        assert verb in result.output


def test_user_error_is_one_line_and_exit_2(tmp_path):
    missing = tmp_path / "nope.toml"
    src = tmp_path / "x.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(
        app, ["ingest", str(src), "--mapping", str(missing), "--store", str(tmp_path / "s.duckdb")]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "nope.toml" in result.output


def test_sample_province_writes_counties_that_ingest(tmp_path):
    out = tmp_path / "prov"
    result = runner.invoke(
        app, ["sample", "--province", "--counties", "2", "--scale", "0.01", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "2 counties" in result.output
    townships = pd.read_csv(out / "townships.csv", dtype=str)
    assert townships["county"].nunique() == 2
    assert (out / "sources.toml").exists()
