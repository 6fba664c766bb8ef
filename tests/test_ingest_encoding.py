"""Encoding decided per file with evidence: mixed files decoded row by row or refused, never mojibake."""

from __future__ import annotations

from pathlib import Path

import pytest

from zzanalytics.errors import SourceError
from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.ingest.encoding import classify_line, decide_encoding
from zzanalytics.workspace import open_store

MAP = {
    "columns": {
        "incident_id": "id",
        "occurred_at": "time",
        "category": "kind",
        "area_code": "area",
        "cause": "cause",
    },
    "categories": {"入室盗窃": "theft.burglary", "电信网络诈骗": "fraud.telecom"},
}
HEAD = "id,time,kind,area,cause\n"


def _row(i: int, cause: str = "醉酒驾驶", kind: str = "入室盗窃") -> str:
    return f"R{i},2025-03-01 10:00,{kind},620102001,{cause}\n"


def _causes(store: Path) -> set[str]:
    with open_store(store) as st:
        return set(st.incidents()["cause"])


def test_utf8_file_with_one_gb18030_row_is_decoded_row_by_row(tmp_path: Path) -> None:
    src = tmp_path / "mixed.csv"
    data = HEAD.encode() + b"".join(_row(i).encode() for i in range(12_000))
    data += _row(99_999, cause="诈骗团伙", kind="电信网络诈骗").encode("gb18030")
    src.write_bytes(data)
    rep = ingest_files([src], MAP, store=tmp_path / "zz.duckdb")
    assert rep.accepted == 12_001 and rep.files[0].encoding == "mixed"
    note = " ".join(rep.files[0].notes)
    assert "1 line(s) gb18030 (first: line 12002)" in note and "12,000 line(s) utf-8" in note
    causes = _causes(tmp_path / "zz.duckdb")
    assert causes == {"醉酒驾驶", "诈骗团伙"}  # never 閱夐厭椹鹃┒
    assert "閱夐厭椹鹃┒" not in causes


def test_gb18030_rows_that_happen_to_be_valid_utf8_are_not_mojibake(tmp_path: Path) -> None:
    # "诈骗" in GB18030 (d5 a9 c6 ad) is also valid UTF-8 ("թƭ"): the evidence decides
    assert classify_line("诈骗".encode("gb18030"))[0] == "gb18030"
    src = tmp_path / "gb.csv"
    src.write_bytes((HEAD + _row(1, cause="诈骗") + _row(2, cause="醉酒驾驶")).encode("gb18030"))
    rep = ingest_files([src], MAP, store=tmp_path / "zz.duckdb")
    assert rep.files[0].encoding == "gb18030"
    assert _causes(tmp_path / "zz.duckdb") == {"诈骗", "醉酒驾驶"}


def test_western_code_page_is_not_read_as_chinese(tmp_path: Path) -> None:
    src = tmp_path / "lakeport.csv"
    src.write_bytes((HEAD + _row(1, cause="Montréal café naïve señor", kind="robbery")).encode("cp1252"))
    rep = ingest_files([src], MAP, store=tmp_path / "zz.duckdb")
    assert rep.files[0].encoding == "cp1252"
    assert _causes(tmp_path / "zz.duckdb") == {"Montréal café naïve señor"}


def test_utf8_cut_mid_character_is_reported_as_such(tmp_path: Path) -> None:
    src = tmp_path / "cut.csv"
    data = (HEAD + _row(1) + _row(2)).encode()
    src.write_bytes(data[:-3])  # ends inside 驶 (3 bytes) once the newline is gone
    with pytest.raises(SourceError, match=r"cut.csv: ends in the middle of a UTF-8 character \(line 3, byte"):
        ingest_files([src], MAP, store=tmp_path / "zz.duckdb")


def test_line_in_no_encoding_is_refused_with_line_and_byte(tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    src.write_bytes(HEAD.encode() + _row(1).encode() + b"R2,2025-03-01,robbery,620102001,\x81\x30\xff\n")
    with pytest.raises(SourceError) as exc:
        ingest_files([src], MAP, store=tmp_path / "zz.duckdb")
    msg = str(exc.value)
    assert "bad.csv: line 3 (byte" in msg and "[source] encoding" in msg and "\n" not in msg


def test_declared_encoding_is_strict(tmp_path: Path) -> None:
    src = tmp_path / "mixed.csv"
    src.write_bytes((HEAD + _row(1)).encode() + _row(2, cause="诈骗团伙").encode("gb18030"))
    m = read_mapping({**MAP, "source": {"encoding": "utf-8"}})
    with pytest.raises(
        SourceError, match=r"line 3 \(byte \d+ of the file.*is not UTF-8.*encoding = \"auto\""
    ):
        ingest_files([src], m, store=tmp_path / "zz.duckdb")
    with open_store(tmp_path / "zz.duckdb") as st:
        assert len(st.incidents()) == 0  # nothing stored as mojibake


def test_decision_counts_rows_by_encoding(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes(HEAD.encode() + _row(1).encode() + _row(2).encode("gb18030") + _row(3).encode("gb18030"))
    d = decide_encoding(p)
    assert (d.encoding, d.rows_by_encoding, d.first_line) == (
        "mixed",
        {"utf-8": 1, "gb18030": 2},
        {"utf-8": 2, "gb18030": 3},
    )
