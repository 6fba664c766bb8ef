"""Quarantine row numbers are the line (CSV) or sheet row (xls, xlsx) the user sees in the original
file, the same on every run (issue 21: they were off by the reader's chunks, +2049, +4097 ...).

The files have more than 10,000 rows, a title row above the header, a blank row, and (CSV) a value
spanning two lines, a blank line and a malformed row; the expected numbers are taken from the
file itself: the CSV's own lines, the workbook's own rows (read back with openpyxl / calamine).
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.store import open_store

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
ROWS = 12_000
BAD = {7, 2049, 2050, 4097, 6145, 9999, 11_998}  # data rows (0-based) with an unreadable date
MAPPING = {
    "source": {"table": "incidents", "timezone": "UTC", "skip": 1},
    "columns": {"incident_id": "编号", "occurred_at": "时间", "category": "类别"},
    "categories": {"火灾": "fire"},
}


def _rows() -> list[list[str]]:
    return [
        [f"A{i}", "不详" if i in BAD else f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00", "火灾"]
        for i in range(ROWS)
    ]


def _quarantined(store: Path) -> list[int]:
    with open_store(store) as st:
        return [r[0] for r in st.con.execute('SELECT "row" FROM quarantine ORDER BY 1').fetchall()]


def test_csv_lines_are_the_files_own(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    rows = _rows()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        fh.write("某某分局 2024 年警情\n")  # a title line (skip = 1)
        w.writerow(["编号", "时间", "类别"])
        for i, row in enumerate(rows):
            if i == 3000:
                fh.write("\n")  # a blank line: not a row
            if i == 5000:
                fh.write("A-bad,2024-01-01 10:00,火灾,EXTRA\n")  # malformed: quarantined
            w.writerow(row)
    # one value spanning two lines (a quoted newline) before most of the rows
    text = path.read_text(encoding="utf-8").replace("A200,", '"A\n200",', 1)
    path.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    want = sorted(
        [n + 1 for n, line in enumerate(lines) if ",不详," in line]
        + [n + 1 for n, line in enumerate(lines) if line.startswith("A-bad,")]
    )
    assert len(want) == len(BAD) + 1
    m = read_mapping(MAPPING)
    store = tmp_path / "zz.duckdb"
    for _ in range(2):  # the same on every run
        rep = ingest_files([path], m, store=store)
        assert rep.read == ROWS + 1 and rep.quarantined == len(BAD) + 1 and rep.balanced
        assert _quarantined(store) == want
    with open_store(store) as st:
        sql = "SELECT count(*) FROM incidents WHERE incident_id = 'A' || chr(10) || '200'"
        assert st.con.execute(sql).fetchall() == [(1,)]


@pytest.mark.parametrize("name", ["rows_12000.xlsx", "rows_12000.xls.gz"])
def test_sheet_rows_are_the_workbooks_own(tmp_path: Path, name: str) -> None:
    # made with _write_xlsx / _write_xls below: a title row, an empty row, the header on row 3,
    # 12,000 data rows with a blank row among them
    import gzip

    from python_calamine import CalamineWorkbook

    path = FIX / name
    plain = tmp_path / name.removesuffix(".gz")
    plain.write_bytes(gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes())
    sheet = CalamineWorkbook.from_path(str(plain)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    want = sorted(r for r, row in enumerate(sheet, start=1) if len(row) > 1 and row[1] == "不详")
    assert len(want) == len(BAD) and want[0] > 10  # sheet rows, not data rows
    if name.endswith(".xlsx"):  # the same rows as openpyxl numbers them
        ws = openpyxl.load_workbook(plain, read_only=True).active
        assert want == [
            r for r, row in enumerate(ws.iter_rows(values_only=True), start=1) if row[1:2] == ("不详",)
        ]
    m = read_mapping(MAPPING)
    store = tmp_path / "zz.duckdb"
    for _ in range(2):  # the same on every run
        rep = ingest_files([path], m, store=store)
        assert rep.read == ROWS and rep.quarantined == len(BAD) and rep.balanced
        assert _quarantined(store) == want


def _write_xlsx(path: Path) -> None:  # pragma: no cover - how the fixture was made
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某某分局 2024 年警情"])  # title row 1
    ws.append([])  # row 2 empty
    ws.append(["编号", "时间", "类别"])  # header on row 3
    for i, row in enumerate(_rows()):
        if i == 3000:
            ws.append([])  # a blank row in the data: not a record
        ws.append(row)
    wb.save(path)


def _write_xls(path: Path) -> None:  # pragma: no cover - how the fixture was made (needs xlwt)
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("警情")
    ws.write(0, 0, "某某分局 2024 年警情")
    r = 2
    for k, h in enumerate(["编号", "时间", "类别"]):
        ws.write(r, k, h)
    for i, row in enumerate(_rows()):
        r += 1
        if i == 3000:
            r += 1  # a blank row
        for k, v in enumerate(row):
            ws.write(r, k, v)
    wb.save(str(path))


def test_notes_are_true(tmp_path: Path) -> None:
    # a time of day in its own column that falls in the spring-forward gap (Toronto, 2021-03-14
    # 02:30 does not exist) is moved, and the note says so, naming its line
    (tmp_path / "t.csv").write_text(
        "id,DATE OCC,TIME OCC\na,2021-03-13,0230\nb,2021-03-14,0230\nc,2021-03-14,0330\n", encoding="utf-8"
    )
    m = read_mapping(
        {
            "source": {"table": "incidents", "timezone": "America/Toronto", "time_column": "TIME OCC"},
            "columns": {"incident_id": "id", "occurred_at": "DATE OCC"},
            "constants": {"category": "fire"},
        }
    )
    rep = ingest_files([tmp_path / "t.csv"], m, store=tmp_path / "t.duckdb")
    gap = [n for n in rep.files[0].notes if "spring-forward gap" in n]
    assert len(gap) == 1 and gap[0].startswith("1 times (first on line 3)")
    # a UTF-8 file whose Greek names are also valid GB18030 byte pairs: UTF-8, and no encoding note
    rows = ["id,when,name"] + [f"{i},2024-01-02 10:00,Nikos" for i in range(50)]
    (tmp_path / "g.csv").write_text(
        "\n".join([*rows, "51,2024-01-02 10:00,ακαδημία"]) + "\n", encoding="utf-8"
    )
    m = read_mapping(
        {
            "source": {"table": "incidents", "timezone": "UTC"},
            "columns": {"incident_id": "id", "occurred_at": "when", "cause": "name"},
            "constants": {"category": "fire"},
        }
    )
    rep = ingest_files([tmp_path / "g.csv"], m, store=tmp_path / "g.duckdb")
    assert rep.files[0].encoding == "utf-8"
    assert not [n for n in rep.files[0].notes if "gb18030" in n or "encoding" in n or "read as" in n]
    with open_store(tmp_path / "g.duckdb") as st:
        assert st.con.execute("SELECT cause FROM incidents WHERE incident_id = '51'").fetchall() == [
            ("ακαδημία",)
        ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_rows_expanded_by_a_count_name_the_files_own_line(tmp_path: Path, kind: str) -> None:
    # [source] count_column: a row of n offences is n records; a faulty row's quarantine rows name
    # the line (or sheet row) it stands on, past a value spanning two lines and a blank line
    rows = [
        ["2025-01-01", "3", "fire"],
        ["2025-01-02", "2", "two\nlines"],
        ["不详", "4", "fire"],
        ["2025-01-04", "1", "fire"],
        None,
        ["2025-13-01", "2", "fire"],
    ]
    path = tmp_path / f"c.{kind}"
    if kind == "csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["t", "n", "note"])
            for row in rows:
                w.writerow(row or [])
        lines = path.read_text(encoding="utf-8").split("\n")
        want = [k for k, text in enumerate(lines, start=1) if text.startswith(("不详", "2025-13"))]
        assert want == [5, 8]
    else:
        wb = openpyxl.Workbook()
        wb.active.append(["t", "n", "note"])
        for row in rows:
            wb.active.append(row or [])
        wb.save(path)
        want = [4, 7]
    m = {"source": {"count_column": "n"}, "columns": {"occurred_at": "t"}, "constants": {"category": "fire"}}
    rep = ingest_files([path], m, store=tmp_path / "zz.duckdb")
    assert (rep.read, rep.accepted, rep.quarantined) == (12, 6, 6)
    assert _quarantined(tmp_path / "zz.duckdb") == [want[0]] * 4 + [want[1]] * 2
