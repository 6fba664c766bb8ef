"""The zz command line: contract options, friendly errors, the province switch."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from zzanalytics.cli import app

runner = CliRunner()


CONTRACT_VERBS = ("sample", "ingest", "counts", "forecast", "hotspots", "briefing", "backtest", "quarantine")


def test_every_contract_verb_is_registered():
    # the registered commands themselves, not substrings of the help text (which names them all)
    import typer.main

    group = typer.main.get_command(app)
    assert set(CONTRACT_VERBS) <= set(group.commands)
    for verb in CONTRACT_VERBS:
        result = runner.invoke(app, [verb, "--help"])
        assert result.exit_code == 0, (verb, result.output)
        assert f"Usage: zz {verb} " in result.output, (verb, result.output)


def _counts_file(tmp_path):
    src = tmp_path / "c.csv"
    periods = pd.date_range("2021-01-01", periods=36, freq="MS").strftime("%Y-%m")
    pd.DataFrame({"category": "fire", "period": periods, "count": 5}).to_csv(src, index=False)
    return src


def test_by_is_checked_the_same_way_by_forecast_and_backtest(tmp_path):
    src = _counts_file(tmp_path)
    for verb in ("forecast", "backtest"):
        args = [
            verb,
            "--counts",
            str(src),
            "--by",
            "nope",
            "--out",
            str(tmp_path / "o.csv"),
            "--workers",
            "1",
        ]
        if verb == "forecast":
            args += ["--horizon", "3"]
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (verb, result.output)
        assert "Traceback" not in result.output
        assert "--by nope: not a key of" in result.output and "category" in result.output
        assert not (tmp_path / "o.csv").exists()


def test_out_is_checked_before_any_work(tmp_path):
    src = _counts_file(tmp_path)
    folder = tmp_path / "a_folder"
    folder.mkdir()
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    cases = [
        (["forecast", "--counts", str(src), "--horizon", "3", "--out", str(folder)], "is a folder"),
        (
            ["forecast", "--counts", str(src), "--horizon", "3", "--out", str(tmp_path / "f.xlsx")],
            "unknown file type",
        ),
        (["forecast", "--counts", str(src), "--horizon", "3", "--out", str(blocker / "f.csv")], "is a file"),
        (["briefing", "--out", str(blocker)], "is a file, not a folder"),
        (
            [
                "forecast",
                "--counts",
                str(src),
                "--horizon",
                "3",
                "--until",
                "soon",
                "--out",
                str(tmp_path / "f.csv"),
            ],
            "--until 'soon': not a date",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output


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
