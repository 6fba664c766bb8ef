"""Every ingest/mapping error a user can cause: one line naming the file, row or key and value, the
fix, exit code 2, never a traceback; nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zzanalytics.cli import app

CSV = "id,time,kind,area\nA1,2025-03-01 10:00,robbery,620102001\n"
GOOD = '[columns]\nincident_id = "id"\noccurred_at = "time"\ncategory = "kind"\narea_code = "area"\n'


def _run(
    tmp_path: Path, mapping: str | bytes | None, *, store: str | None = None, files=None
) -> tuple[int, str]:
    src = tmp_path / "export.csv"
    src.write_text(CSV)
    m = tmp_path / "m.toml"
    if isinstance(mapping, bytes):
        m.write_bytes(mapping)
    elif mapping is not None:
        m.write_text(mapping, encoding="utf-8")
    args = [
        "ingest",
        *(files or [str(src)]),
        "--mapping",
        str(m),
        "--store",
        store or str(tmp_path / "zz.duckdb"),
    ]
    res = CliRunner().invoke(app, args)
    return res.exit_code, res.output


CASES = {
    "mapping saved as GBK": (
        ('[source]\nname = "警情"\n' + GOOD).encode("gbk"),
        ["m.toml: line 2", "is not UTF-8", "save the mapping file as UTF-8"],
    ),
    "unknown time zone": (
        '[source]\ntimezone = "Asia/Beijing"\n' + GOOD,
        ["timezone = 'Asia/Beijing'", "IANA"],
    ),
    "bad date_format": (
        '[source]\ndate_format = "%Q/%d"\n' + GOOD,
        ["date_format = '%Q/%d'", "not a valid pattern"],
    ),
    "date_format without directive": ('[source]\ndate_format = "YYYY-MM-DD"\n' + GOOD, ["no %-directive"]),
    "bad date_ceiling": (
        '[source]\ndate_ceiling = "next year"\n' + GOOD,
        ["date_ceiling = 'next year'", "2010-01-01"],
    ),
    "skip = x": ('[source]\nskip = "x"\n' + GOOD, ["skip = 'x'", "skip = 1"]),
    "unknown EPSG": ('[source]\ncrs = "EPSG:999999"\n' + GOOD, ["crs = 'EPSG:999999'", "EPSG code"]),
    "unknown encoding": ('[source]\nencoding = "klingon"\n' + GOOD, ["encoding = 'klingon' is unknown"]),
    "bad key": ('[source]\nkey = ["when"]\n' + GOOD, ["key names ['when']"]),
    "bad records": (GOOD + "[records]\nby = []\n", ["[records] by"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_mapping_errors_are_one_line(tmp_path: Path, case: str) -> None:
    mapping, wanted = CASES[case]
    code, out = _run(tmp_path, mapping)
    assert code == 2, out
    assert "Traceback" not in out
    lines = [ln for ln in out.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), out
    for w in wanted:
        assert w in out, (w, out)
    assert not (tmp_path / "zz.duckdb").exists()  # options checked before any work


def test_folder_as_input_and_as_mapping(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    code, out = _run(tmp_path, GOOD, files=[str(tmp_path / "dir")])
    assert code == 2 and "is a folder" in out and "Traceback" not in out
    src = tmp_path / "export.csv"
    src.write_text(CSV)
    res = CliRunner().invoke(
        app, ["ingest", str(src), "--mapping", str(tmp_path / "dir"), "--store", str(tmp_path / "s.duckdb")]
    )
    assert res.exit_code == 2 and "is a folder" in res.output and "Traceback" not in res.output


def test_store_must_be_a_store_or_a_new_path(tmp_path: Path) -> None:
    other = tmp_path / "existing.csv"
    other.write_text("a,b\n1,2\n")
    code, out = _run(tmp_path, GOOD, store=str(other))
    assert code == 2 and "is not a zzanalytics store" in out and "Traceback" not in out
    assert other.read_text() == "a,b\n1,2\n"  # untouched
    import duckdb

    foreign = tmp_path / "foreign.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE sales (x INT)")
    con.close()
    code, out = _run(tmp_path, GOOD, store=str(foreign))
    assert code == 2 and "not a zzanalytics store" in out
    code, out = _run(tmp_path, GOOD, store=str(tmp_path / "new.duckdb"))
    assert code == 0 and "accepted" in out


def test_missing_mapped_column_names_the_columns_and_the_line(tmp_path: Path) -> None:
    code, out = _run(tmp_path, GOOD.replace('"kind"', '"type"'))
    assert code == 2 and "has no column 'type'" in out and "['id', 'time', 'kind', 'area']" in out
