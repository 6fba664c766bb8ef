"""Records made of several rows: a person-level collision export becomes one incident per collision."""

from __future__ import annotations

from pathlib import Path

import pytest

from zzanalytics.errors import MappingError, SourceError
from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.workspace import open_store

MAP = {
    "source": {"date_format": "%Y-%m-%d %H%M"},
    "columns": {"incident_id": "ACCNUM", "occurred_at": ["DATE", "TIME"]},
    "constants": {"category": "traffic"},
    "records": {
        "by": ["ACCNUM"],
        "deaths": {"count": "INJURY", "where": ["Fatal"]},
        "injuries": {"count": "INJURY", "where": ["Major", "Minor", "Minimal"]},
        "loss_yuan": {"sum": "DAMAGE"},
    },
}
ROWS = """ACCNUM,DATE,TIME,INVOLVEMENT,INJURY,DAMAGE
1001,2019-03-10,0230,Driver,Fatal,1000
1001,2019-03-10,0230,Passenger,Major,
1001,2019-03-10,0230,Pedestrian,fatal,500
1002,2019-04-01,1715,Driver,,200
1003,2019-04-02,0905,Driver,Minor,0
1003,2019-04-02,0905,Cyclist,Minimal,
1004,2019-04-03,0905,Driver,Major,
"""


def test_person_rows_become_one_collision_with_deaths_and_injuries(tmp_path: Path) -> None:
    (tmp_path / "ksi.csv").write_text(ROWS)
    rep = ingest_files([tmp_path / "ksi.csv"], MAP, store=tmp_path / "zz.duckdb")
    assert (rep.read, rep.accepted, rep.quarantined) == (4, 4, 0) and rep.balanced
    assert "7 rows formed 4 records" in " ".join(rep.files[0].notes)
    with open_store(tmp_path / "zz.duckdb") as st:
        inc = st.incidents().set_index("incident_id")
    assert inc.loc["1001", ["deaths", "injuries"]].tolist() == [2, 1]  # 'fatal' in any case
    assert inc.loc["1002", ["deaths", "injuries"]].tolist() == [0, 0]
    assert inc.loc["1003", ["deaths", "injuries"]].tolist() == [0, 2]
    assert inc.loc["1001", "loss_yuan"] == 1500
    # the same export again: duplicates, nothing doubled
    rep = ingest_files([tmp_path / "ksi.csv"], MAP, store=tmp_path / "zz.duckdb")
    assert (rep.accepted, rep.duplicate) == (0, 4)


def test_records_errors_name_the_line(tmp_path: Path) -> None:
    (tmp_path / "ksi.csv").write_text(ROWS)
    bad = {**MAP, "records": {**MAP["records"], "by": ["ACC_NO"]}}
    with pytest.raises(SourceError, match=r"has no column\(s\) \['ACC_NO'\].*\[records\]"):
        ingest_files([tmp_path / "ksi.csv"], bad, store=tmp_path / "zz.duckdb")
    with pytest.raises(MappingError, match=r"\[records\] deaths"):
        read_mapping({**MAP, "records": {"by": ["ACCNUM"], "deaths": {"count": "INJURY", "sum": "X"}}})
    with pytest.raises(MappingError, match=r"\[records\] 'victims' is not a column"):
        read_mapping({**MAP, "records": {"by": ["ACCNUM"], "victims": {"count": "*"}}})
