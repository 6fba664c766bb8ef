"""Identity that never merges distinct events silently (issue 21).

Ids belong to their source; rows of different files are one record only by a declared id or key,
or when they agree in every column the files share; the same id with another date or category is
a collision, reported and not applied; every merge is counted and listed (``ingest_merges``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.store import open_store

REPORTED = {
    "source": {"table": "incidents", "timezone": "UTC", "name": "beats"},
    "columns": {"occurred_at": "date", "category": "offence", "area_code": "beat"},
    "categories": {"THEFT": "theft.other", "ASSAULT": "assault", "BURGLARY": "theft.burglary"},
}


def _merges(store: Path) -> list[tuple]:
    with open_store(store) as st:
        return st.con.execute(
            'SELECT source_file, "row", fate, other_file, other_row FROM ingest_merges ORDER BY 1, 2'
        ).fetchall()


def test_monthly_files_without_ids_keep_distinct_events(tmp_path: Path) -> None:
    # monthly exports by report date, dates without a time: January's file and February's file
    # both hold events of 31 January in one beat and offence (late reports), that differ in the
    # columns the mapping leaves out (premises, hour); before, February's were "updates" of
    # January's and disappeared. Rows that agree in every column are the same record.
    rng = np.random.default_rng(5)
    head = "date,offence,beat,premises,hour\n"
    jan = [
        f"2024-01-{1 + k % 31:02d},{o},B{k % 7},house,{k % 24}"
        for k, o in enumerate(rng.choice(["THEFT", "ASSAULT"], 400))
    ]
    late = [f"2024-01-31,THEFT,B3,shop,{h}" for h in range(5)]  # reported in February
    same = jan[:3]  # re-exported in February's file as they were
    feb = [
        f"2024-02-{1 + k % 29:02d},{o},B{k % 7},street,{k % 24}"
        for k, o in enumerate(rng.choice(["THEFT", "BURGLARY"], 300))
    ]
    (tmp_path / "2024-01.csv").write_text(head + "\n".join([*jan, "2024-01-31,THEFT,B3,house,9"]) + "\n")
    (tmp_path / "2024-02.csv").write_text(head + "\n".join([*feb, *late, *same]) + "\n")
    store = tmp_path / "zz.duckdb"
    rep = ingest_files(
        [tmp_path / "2024-01.csv", tmp_path / "2024-02.csv"], read_mapping(REPORTED), store=store
    )
    jan_rep, feb_rep = rep.files
    assert (jan_rep.accepted, jan_rep.duplicate) == (len(set(jan)) + 1, len(jan) - len(set(jan)))
    assert (feb_rep.accepted, feb_rep.updated, feb_rep.duplicate) == (
        len(set(feb)) + 5,
        0,
        len(feb) - len(set(feb)) + 3,
    )
    assert feb_rep.merges["duplicate"] == 3 and rep.balanced
    with open_store(store) as st:
        assert len(st.incidents()) == len(set(jan)) + 1 + len(set(feb)) + 5
    listed = [r for r in _merges(store) if r[2] == "duplicate"]
    assert listed == [
        ("2024-02.csv", 2 + len(feb) + 5 + k, "duplicate", "2024-01.csv", 2 + k) for k in range(3)
    ]
    # re-running never duplicates, and lists nothing new
    again = ingest_files(
        [tmp_path / "2024-01.csv", tmp_path / "2024-02.csv"], read_mapping(REPORTED), store=store
    )
    assert again.accepted == again.updated == 0 and again.duplicate == again.read
    assert (
        _merges(store) == sorted(_merges(store))
        and len([r for r in _merges(store) if r[2] == "duplicate"]) == 3
    )


def _theft(path: Path, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    days = rng.integers(1, 29, n)
    rows = [f"{k + 1},2023-{1 + k % 12:02d}-{d:02d} 10:00,P{k % 9}" for k, d in enumerate(days)]
    path.write_text("案件编号,发案时间,派出所\n" + "\n".join(rows) + "\n", encoding="utf-8")


def test_case_numbers_restarting_in_each_file(tmp_path: Path) -> None:
    # three theft exports, one per kind of theft, each with its own mapping; their case-number
    # column restarts at 1 in each file. Before: 1,342 + 1,098 records overwritten across categories
    sizes = {"burglary": 1800, "vehicle": 1342, "other": 1098}
    for k, kind in enumerate(sizes):
        _theft(tmp_path / f"{kind}.csv", sizes[kind], k)
    for named in (True, False):  # mapping files (three sources), or one source for all three
        store = tmp_path / f"{named}.duckdb"
        reps = []
        for kind in sizes:
            m = {
                "source": {
                    "table": "incidents",
                    "timezone": "Asia/Shanghai",
                    **({"name": kind} if named else {}),
                },
                "columns": {"incident_id": "案件编号", "occurred_at": "发案时间"},
                "constants": {"category": f"theft.{kind}"},
            }
            reps.append(ingest_files([tmp_path / f"{kind}.csv"], m, store=store))
        assert [r.accepted for r in reps] == list(sizes.values()) and all(r.updated == 0 for r in reps)
        with open_store(store) as st:
            inc = st.incidents()
        assert len(inc) == sum(sizes.values()) == 4240
        assert inc["category"].value_counts().to_dict() == {f"theft.{k}": v for k, v in sizes.items()}
        notes = " ".join(n for r in reps[1:] for n in r.files[0].notes)
        assert ("row numbers 1..1,342" in notes) is not named  # said when ids would meet


def test_same_id_with_another_category_is_a_collision_and_listed(tmp_path: Path) -> None:
    head = "id,when,kind\n"
    (tmp_path / "a.csv").write_text(head + "X1,2024-01-02 10:00,THEFT\nX2,2024-01-03 10:00,THEFT\n")
    (tmp_path / "b.csv").write_text(
        head + "X1,2024-01-02 10:00,ASSAULT\nX2,2024-01-03 10:00,THEFT\nX3,2024-01-04 10:00,THEFT\n"
    )
    spec = {
        "columns": {"incident_id": "id", "occurred_at": "when", "category": "kind"},
        "categories": {"THEFT": "theft.other", "ASSAULT": "assault"},
    }
    m = read_mapping({"source": {"table": "incidents", "timezone": "UTC", "name": "s"}, **spec})
    store = tmp_path / "zz.duckdb"
    ingest_files([tmp_path / "a.csv"], m, store=store)
    rep = ingest_files([tmp_path / "b.csv"], m, store=store)
    assert (rep.accepted, rep.updated, rep.duplicate, rep.quarantined) == (1, 0, 1, 1)
    assert rep.reasons == {"id_collision": 1}
    assert _merges(store) == [("b.csv", 2, "collision", "a.csv", 2), ("b.csv", 3, "duplicate", "a.csv", 3)]
    with open_store(store) as st:
        assert st.incidents().set_index("incident_id").loc["X1", "category"] == "theft.other"
        q = st.quarantine()
    assert q[["source_file", "row", "reason", "value"]].values.tolist() == [
        ["b.csv", 2, "id_collision", "X1"]
    ]
    # another source's record X1 is another record
    other = read_mapping({"source": {"table": "incidents", "timezone": "UTC", "name": "t"}, **spec})
    rep = ingest_files([tmp_path / "b.csv"], other, store=store)
    assert rep.accepted == 3
