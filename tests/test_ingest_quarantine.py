"""Quarantine keyed by full path and content; reasons that add up; malformed rows anywhere in a file."""

from __future__ import annotations

from pathlib import Path

from zzanalytics.ingest import ingest_files
from zzanalytics.workspace import open_store

MAP = {
    "columns": {
        "incident_id": "id",
        "occurred_at": "time",
        "category": "kind",
        "area_code": "area",
        "deaths": "deaths",
        "injuries": "injuries",
    },
}
HEAD = "id,time,kind,area,deaths,injuries\n"


def _q(store: Path):
    with open_store(store) as st:
        return st.quarantine()


def test_same_name_in_two_folders_keeps_both_quarantines(tmp_path: Path) -> None:
    store = tmp_path / "zz.duckdb"
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "x.csv").write_text(HEAD + f"{d}1,not a date,robbery,620102001,0,0\n")
    ingest_files([tmp_path / "a" / "x.csv"], MAP, store=store)
    ingest_files([tmp_path / "b" / "x.csv"], MAP, store=store)
    q = _q(store)
    assert len(q) == 2 and sorted(q["value"]) == ["not a date", "not a date"]
    with open_store(store) as st:
        paths = st.con.execute("SELECT DISTINCT source_path FROM quarantine ORDER BY 1").fetchall()
        log = st.con.execute("SELECT source_path, file_hash FROM ingest_log").fetchall()
    assert [Path(p).parent.name for (p,) in paths] == ["a", "b"]
    assert all(len(h) == 64 for _, h in log)
    # re-ingesting a/x.csv replaces its own quarantine, never b's, never doubling
    ingest_files([tmp_path / "a" / "x.csv"], MAP, store=store)
    assert len(_q(store)) == 2


def test_reason_counts_add_up_per_reason_over_columns(tmp_path: Path) -> None:
    rows = [
        "r1,2025-01-01,robbery,620102001,-1,0",
        "r2,2025-01-01,robbery,620102001,0,-2",
        "r3,2025-01-01,robbery,620102001,x,0",
        "r4,2025-01-01,robbery,620102001,0,y",
        "r5,2025-01-01,robbery,620102001,-3,-3",
        "r6,2025-01-01,robbery,620102001,0,0",
    ]
    (tmp_path / "n.csv").write_text(HEAD + "\n".join(rows) + "\n")
    rep = ingest_files([tmp_path / "n.csv"], MAP, store=tmp_path / "zz.duckdb")
    assert rep.reasons == {"negative_number": 3, "unparseable_number": 2}
    assert sum(rep.reasons.values()) == rep.quarantined == 5 and rep.accepted == 1
    assert rep.files[0].reason_columns == {
        ("negative_number", "deaths"): 2,
        ("negative_number", "injuries"): 1,
        ("unparseable_number", "deaths"): 1,
        ("unparseable_number", "injuries"): 1,
    }
    q = _q(tmp_path / "zz.duckdb")
    assert q["reason"].value_counts().to_dict() == rep.reasons


def test_malformed_row_beyond_any_sample_is_quarantined_not_fatal(tmp_path: Path) -> None:
    lines = [f"i{k},2025-01-01 10:00,robbery,620102001,0,0" for k in range(30_000)]
    lines.insert(29_999, "bad,2025-01-01 10:00,robbery,620102001,0,0,EXTRA,FIELDS")
    (tmp_path / "big.csv").write_text(HEAD + "\n".join(lines) + "\n")
    rep = ingest_files([tmp_path / "big.csv"], MAP, store=tmp_path / "zz.duckdb")
    assert (rep.read, rep.accepted, rep.quarantined) == (30_001, 30_000, 1)
    assert rep.reasons == {"malformed_row": 1} and rep.balanced
    q = _q(tmp_path / "zz.duckdb")
    assert q["row"].tolist() == [30_001] and q["value"].iloc[0].startswith("bad,")  # the file's line


def test_early_bad_row_in_a_small_file_is_that_row(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        HEAD + "s1,2025-01-01,robbery,620102001,0,0\ns2,2025-01-01,robbery\n"
        "s3,2025-01-02,robbery,620102001,0,0\ns4,2025-01-03,assault,620102002,0,0\n"
    )
    rep = ingest_files([tmp_path / "s.csv"], MAP, store=tmp_path / "zz.duckdb")
    assert (rep.read, rep.accepted, rep.quarantined) == (4, 3, 1)  # not "has no column 'id'"
    q = _q(tmp_path / "zz.duckdb")
    assert q[["row", "reason", "value"]].values.tolist() == [[3, "malformed_row", "s2,2025-01-01,robbery"]]
    # an unterminated quote: the rest of the file is one field; reported at the row where it starts
    (tmp_path / "u.csv").write_text(HEAD + 'u1,2025-01-01,robbery,620102001,0,0\n"u2,2025-01-01\nu3,x\n')
    rep = ingest_files([tmp_path / "u.csv"], MAP, store=tmp_path / "zz.duckdb")
    assert rep.balanced and rep.accepted == 1 and rep.reasons == {"malformed_row": 1}
    q = _q(tmp_path / "zz.duckdb")
    assert q[q["source_file"] == "u.csv"]["row"].tolist() == [3]
    # rows after a malformed one keep their own numbers in the quarantine
    (tmp_path / "t.csv").write_text(
        HEAD + "t1,2025-01-01,robbery,620102001,0,0,X\nt2,bad date,robbery,620102001,0,0\n"
    )
    ingest_files([tmp_path / "t.csv"], MAP, store=tmp_path / "zz.duckdb")
    q = _q(tmp_path / "zz.duckdb")
    t = q[q["source_file"] == "t.csv"].sort_values("row")
    assert t[["row", "reason"]].values.tolist() == [[2, "malformed_row"], [3, "unparseable_date"]]


def test_data_lines_ending_with_a_delimiter_are_not_malformed(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(
        HEAD + "d1,2025-01-01,robbery,620102001,0,0,\nd2,2025-01-02,robbery,620102001,1,0,\n"
    )
    rep = ingest_files([tmp_path / "t.csv"], MAP, store=tmp_path / "zz.duckdb")
    assert (rep.accepted, rep.quarantined) == (2, 0)
