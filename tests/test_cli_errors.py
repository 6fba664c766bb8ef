"""Every error a user can cause at the command line is one clear line and a non-zero exit, never a
traceback, and it comes before any work: every ``zz`` verb is run on bad options and hostile inputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import typer.main
from typer.testing import CliRunner

from zzanalytics.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """Files and folders a user might point zz at by mistake (or on purpose)."""
    d = tmp_path_factory.mktemp("hostile")
    folder = d / "a_folder"
    folder.mkdir()
    blocker = d / "a_file"
    blocker.write_text("x")
    garbage = d / "garbage.duckdb"
    garbage.write_bytes(b"not a database\x00\xff" * 100)
    binary = d / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 40)
    periods = pd.date_range("2021-01-01", periods=36, freq="MS").strftime("%Y-%m")
    counts = d / "counts.csv"
    pd.DataFrame({"category": "fire", "period": periods, "count": 5}).to_csv(counts, index=False)
    no_count = d / "no_count.csv"
    pd.DataFrame({"category": "fire", "period": periods}).to_csv(no_count, index=False)
    src = d / "src.csv"
    src.write_text("编号,时间\nA1,2026-01-01\n", encoding="utf-8")
    mapping = d / "m.toml"
    mapping.write_text('[source]\ntable = "incidents"\n[columns]\nincident_id = "编号"\n', encoding="utf-8")
    bad_toml = d / "bad.toml"
    bad_toml.write_text("[source\ntable = ", encoding="utf-8")
    gbk_toml = d / "gbk.toml"
    gbk_toml.write_bytes('[columns]\nincident_id = "案件编号"\n'.encode("gbk"))
    nb = d / "nb.ipynb"
    cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "outputs": [], "execution_count": None}
    cell["source"] = 'store = None\nstart = None\nend = None\nlang = "zh"\nmonth = 6'
    nb.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    bad_nb = d / "bad.ipynb"
    bad_nb.write_text("{not json", encoding="utf-8")
    return {
        "dir": d,
        "folder": folder,
        "blocker": blocker,
        "under_file": blocker / "x",
        "garbage": garbage,
        "binary": binary,
        "counts": counts,
        "no_count": no_count,
        "src": src,
        "mapping": mapping,
        "bad_toml": bad_toml,
        "gbk_toml": gbk_toml,
        "nb": nb,
        "bad_nb": bad_nb,
        "missing": d / "missing" / "nope.csv",
        "unwritable": Path("/proc/zz-no-such-folder"),
    }


def _cases(h: dict[str, Path]) -> list[tuple[list[str], str]]:
    """(arguments, a fragment the one-line message must contain)."""
    s = lambda key: str(h[key])  # noqa: E731
    out_csv = str(h["dir"] / "out.csv")
    fc = ["forecast", "--counts", s("counts"), "--horizon", "3", "--workers", "1"]
    bt = ["backtest", "--counts", s("counts"), "--workers", "1"]
    hs = ["hotspots", "--category", "theft", "--start", "2026-01-01", "--end", "2026-03-31"]
    hs_out = ["--out", str(h["dir"] / "h.geojson")]
    return [
        # sample
        (["sample", "--scale", "0", "--out", str(h["dir"] / "s")], "--scale"),
        (["sample", "--scale", "nan", "--out", str(h["dir"] / "s")], "--scale"),
        (["sample", "--scale", "-1", "--out", str(h["dir"] / "s")], "--scale"),
        (["sample", "--seed", "-1", "--out", str(h["dir"] / "s")], "--seed"),
        (["sample", "--seed", "x"], "--seed"),
        (["sample", "--out", s("blocker")], "is a file"),
        (["sample", "--out", s("under_file")], "is a file"),
        (["sample", "--out", s("unwritable")], "cannot write"),
        (["sample", "--province", "--counties", "0", "--out", str(h["dir"] / "p")], "--counties"),
        (["sample", "--province", "--city", "--out", str(h["dir"] / "p")], "choose one"),
        # ingest
        (["ingest", s("missing"), "--mapping", s("mapping")], "no such file"),
        (["ingest", s("folder"), "--mapping", s("mapping")], "is a folder"),
        (["ingest", s("src"), "--mapping", s("folder")], "is a folder"),
        (["ingest", s("src"), "--mapping", s("missing")], "no such file"),
        (["ingest", s("src")], "Missing option '--mapping'"),
        (["ingest", "--mapping", s("mapping")], "Missing argument"),
        (["ingest", s("src"), "--mapping", s("bad_toml"), "--store", str(h["dir"] / "i.duckdb")], "TOML"),
        (["ingest", s("src"), "--mapping", s("gbk_toml"), "--store", str(h["dir"] / "i.duckdb")], "UTF-8"),
        (["ingest", s("src"), "--mapping", s("mapping"), "--store", s("garbage")], "garbage.duckdb"),
        (["ingest", s("src"), "--mapping", s("mapping"), "--store", s("folder")], "a_folder"),
        (
            ["ingest", s("binary"), "--mapping", s("mapping"), "--store", str(h["dir"] / "b.duckdb")],
            "binary.csv",
        ),
        # quarantine
        (["quarantine", "--limit", "-1"], "--limit"),
        (["quarantine", "--out", str(h["dir"] / "q.xlsx")], "unknown file type"),
        (["quarantine", "--out", s("folder")], "is a folder"),
        (["quarantine", "--out", "/dev/null"], "not a regular file"),
        (["quarantine", "--store", s("missing")], "no such store"),
        # info
        (["info", "--store", s("missing")], "no such store"),
        (["info", "--store", s("garbage")], "--store"),
        (["ingest", s("src"), "--mapping", s("mapping"), "--timezone", "Mars/Olympus"], "Mars/Olympus"),
        (["quarantine", "--store", s("folder")], "is a folder"),
        (["quarantine", "--store", s("garbage")], "garbage.duckdb"),
        (["ingest", s("src"), "--mapping", s("mapping"), "--currency", "dollars"], "ISO 4217"),
        (["ingest", s("src"), "--mapping", s("mapping"), "--set", "colour=red"], "not an identity key"),
        # set
        (["set", "--store", s("garbage"), "name=x"], "garbage.duckdb"),
        (["set", "--store", s("folder"), "name=x"], "is a folder"),
        (["set", "--store", s("missing")], "no such store"),
        (["set", "name"], "KEY=VALUE"),
        (["set", "--store", str(h["dir"] / "s"), "currency=xx"], "ISO 4217"),
        # counts
        (["counts", "--freq", "decade", "--out", out_csv], "--freq"),
        (["counts", "--by", "nope", "--out", out_csv], "--by nope"),
        (["counts", "--by", "category,category", "--out", out_csv], "repeated"),
        (["counts", "--level", "0", "--out", out_csv], "--level"),
        (["counts", "--out", s("folder")], "is a folder"),
        (["counts", "--out", str(h["under_file"] / "c.csv")], "is a file"),
        (["counts", "--out", str(h["unwritable"] / "c.csv")], "cannot write"),
        (["counts", "--out", str(h["dir"] / "c.txt")], "unknown file type"),
        (["counts", "--store", s("missing"), "--out", out_csv], "no such store"),
        (["counts", "--store", s("garbage"), "--out", out_csv], "garbage.duckdb"),
        (["counts"], "Missing option '--out'"),
        # forecast
        ([*fc[:3], "--horizon", "0", "--out", out_csv], "--horizon"),
        ([*fc[:3], "--horizon", "-2", "--out", out_csv], "-2"),
        ([*fc, "--freq", "day", "--out", out_csv], "--freq"),
        ([*fc, "--until", "soon", "--out", out_csv], "--until 'soon'"),
        ([*fc, "--until", "2026-02-30", "--out", out_csv], "--until"),
        ([*fc, "--by", "nope", "--out", out_csv], "--by nope"),
        ([*fc[:3], "--horizon", "3", "--workers", "0", "--out", out_csv], "--workers"),
        (["forecast", "--counts", s("missing"), "--horizon", "3", "--out", out_csv], "no such file"),
        (["forecast", "--counts", s("folder"), "--horizon", "3", "--out", out_csv], "is a folder"),
        (["forecast", "--counts", s("binary"), "--horizon", "3", "--out", out_csv], "binary.csv"),
        (["forecast", "--counts", s("no_count"), "--horizon", "3", "--out", out_csv], "no_count.csv"),
        ([*fc, "--out", s("folder")], "is a folder"),
        ([*fc, "--out", str(h["dir"] / "f.xlsx")], "unknown file type"),
        ([*fc, "--out", str(h["under_file"] / "f.csv")], "is a file"),
        (["forecast", "--horizon", "3", "--store", s("missing"), "--out", out_csv], "no such store"),
        # backtest
        ([*bt, "--by", "nope", "--out", out_csv], "--by nope"),
        ([*bt, "--origins", "0", "--out", out_csv], "--origins"),
        ([*bt, "--horizon", "0", "--out", out_csv], "--horizon"),
        ([*bt, "--freq", "year", "--out", out_csv], "--freq"),
        ([*bt, "--out", str(h["unwritable"] / "b.csv")], "cannot write"),
        # hotspots
        (["hotspots", "--category", "nope", *hs[3:], *hs_out], "not a category"),
        ([*hs[:3], "--start", "yesterday-ish", "--end", "2026-03-31", *hs_out], "--start"),
        ([*hs[:3], "--start", "2026-03-31", "--end", "2026-01-01", *hs_out], "swap"),
        ([*hs, "--cell", "0", *hs_out], "--cell"),
        ([*hs, "--cell", "inf", *hs_out], "--cell"),
        ([*hs, "--cell", "nan", *hs_out], "--cell"),
        ([*hs, "--cell", "0.001", *hs_out], "--cell"),
        ([*hs, "--out", out_csv], "unknown file type"),
        ([*hs, "--store", s("missing"), *hs_out], "no such store"),
        # briefing
        (["briefing", "--period", ":"], "--period ':'"),
        (["briefing", "--period", "2026-01-01:"], "--period '2026-01-01:'"),
        (["briefing", "--period", ":2026-01-01"], "--period"),
        (["briefing", "--period", "2026-01-01"], "--period"),
        (["briefing", "--period", "a:b:c"], "--period"),
        (["briefing", "--period", "2026-02-30:2026-03-01"], "--period"),
        (["briefing", "--period", "2026-06-01:2026-01-01"], "swap"),
        (["briefing", "--period", "0001-01-01:9999-12-31"], "--period"),
        (["briefing", "--lang", "fr"], "--lang 'fr'"),
        (["briefing", "--lang", ""], "--lang"),
        (["briefing", "--area", "nope"], "--area 'nope'"),
        (["briefing", "--area", ""], "--area"),
        (["briefing", "--area", "../../etc/passwd"], "--area"),
        (["briefing", "--out", s("blocker")], "is a file, not a folder"),
        (["briefing", "--out", s("under_file")], "is a file"),
        (["briefing", "--out", str(h["unwritable"])], "cannot write"),
        (["briefing", "--workers", "0"], "--workers"),
        (["briefing", "--store", s("missing")], "no such store"),
        (["briefing", "--store", s("folder")], "is a folder"),
        (["briefing", "--store", s("garbage")], "garbage.duckdb"),
        # map
        (["map", s("missing")], "no such file"),
        (["map", s("folder")], "is a folder"),
        (["map", s("binary")], "binary"),
        (["map", s("src"), "--table", "nope"], "--table 'nope'"),
        (["map", s("src"), "--out", str(h["dir"] / "m.txt")], ".toml"),
        (["map", s("src"), "--out", s("mapping")], "exists already"),
        # report
        (["report", s("missing")], "no such file"),
        (["report", s("folder")], "is a folder"),
        (["report", s("src")], "not a .ipynb"),
        (["report", s("bad_nb")], "cannot be read as a Jupyter notebook"),
        (["report", s("nb"), "-p", "nope", "1"], "no parameter 'nope'"),
        (["report", s("nb"), "-p", "1x", "2"], "not a parameter name"),
        (["report", s("nb"), "-p", "month"], "give a name and a value"),
        (["report", s("nb"), "-p", "month", "1", "-p", "month", "2"], "given twice"),
        (["report", s("nb"), "--area", "all"], "no parameter 'area'"),
        (["report", s("nb"), "--lang", "fr"], "--lang 'fr'"),
        (["report", s("nb"), "--period", ":"], "--period"),
        (["report", s("nb"), "--timeout", "0"], "--timeout"),
        (["report", s("nb"), "--workers", "0"], "--workers"),
        (["report", s("nb"), "--store", s("missing")], "no such store"),
        (["report", s("nb"), "--out", s("blocker")], "is a file, not a folder"),
        # notebooks
        (["notebooks", "--out", s("blocker")], "is a file"),
        (["notebooks", "--out", s("under_file")], "is a file"),
        (["notebooks", "--out", str(h["unwritable"])], "cannot write"),
        # the group itself
        (["nope"], "No such command"),
    ]


def _check(args: list[str], fragment: str, result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    assert result.exit_code != 0, (args, result.output)
    assert "Traceback" not in result.output, (args, result.output)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.output)
    assert fragment in lines[0], (args, fragment, lines[0])
    assert "internal error" not in lines[0], (args, lines[0])  # a user's mistake is not reported as a bug


def test_every_bad_option_is_one_line_and_a_non_zero_exit(hostile):
    for args, fragment in _cases(hostile):
        _check(args, fragment, runner.invoke(app, args))
    # nothing was written by any of them
    written = {p.name for p in hostile["dir"].iterdir()}
    assert not written & {"out.csv", "h.geojson", "q.xlsx", "s", "p", "f.xlsx", "c.txt"}, written


def test_every_verb_is_covered_and_refuses_unknown_options(hostile):
    """Every registered verb (also ones added later) has cases above and rejects junk options."""
    verbs = set(typer.main.get_command(app).commands)
    covered = {args[0] for args, _ in _cases(hostile)}
    assert verbs <= covered, f"add bad-option cases for: {sorted(verbs - covered)}"
    for verb in sorted(verbs):
        for junk in (["--nope"], ["--out"], ["--store"], ["\x00"]):
            result = runner.invoke(app, [verb, *junk])
            assert result.exception is None or isinstance(result.exception, SystemExit), (verb, junk)
            assert result.exit_code != 0 and "Traceback" not in result.output, (verb, junk, result.output)
            lines = [line for line in result.output.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("error: "), (verb, junk, result.output)


def test_the_real_command_prints_one_line_on_stderr(hostile):
    """The installed console script, not the test runner: stderr carries one line, stdout nothing."""
    zz = Path(sys.executable).with_name("zz")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    for args, fragment in [
        (["briefing", "--period", ":"], "--period"),
        (["counts", "--out", str(hostile["folder"])], "is a folder"),
        (["forecast", "--counts", str(hostile["counts"]), "--horizon", "0", "--out", "x.csv"], "--horizon"),
        (["counts", "--freq"], "--freq"),
    ]:
        proc = subprocess.run([str(zz), *args], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert proc.stdout == "" and "Traceback" not in proc.stderr, (args, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], (
            args,
            proc.stderr,
        )


def test_an_unexpected_failure_is_one_line_too(monkeypatch, hostile):
    """A bug (not a user error) still ends as one line naming it, exit 1; ZZ_DEBUG shows the traceback."""
    import zzanalytics.models.panel as panel

    def boom(*a, **k):
        raise KeyError("internal")

    monkeypatch.setattr(panel, "read_counts_file", boom)
    args = [
        "forecast",
        "--counts",
        str(hostile["counts"]),
        "--horizon",
        "2",
        "--out",
        str(hostile["dir"] / "o.csv"),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "internal error (KeyError" in result.output and "ZZ_DEBUG=1" in result.output
    monkeypatch.setenv("ZZ_DEBUG", "1")
    result = runner.invoke(app, args)
    assert isinstance(result.exception, KeyError)
