"""Record identity without an id column, a stable content hash, and --replace for full re-exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zzanalytics.cli import app
from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.ingest.expressions import content_hash_sql
from zzanalytics.workspace import open_store

FIRES = {
    "source": {"name": "fires"},
    "columns": {"occurred_at": "time", "area_code": "area", "loss_yuan": "loss", "cause": "cause"},
    "constants": {"category": "fire"},
}
HEAD = "time,area,loss,cause\n"
ROWS = [
    "2025-01-03 10:00,620102001,5000,electrical\n",
    "2025-01-03 10:00,620102001,800,cooking\n",  # same time and place, another fire
    "2025-02-11 22:15,620102002,12000,arson\n",
]


def _fires(store: Path):
    with open_store(store) as st:
        return st.incidents().sort_values(["occurred_at", "loss_yuan"]).reset_index(drop=True)


def test_corrected_reexport_without_id_updates_instead_of_adding(tmp_path: Path) -> None:
    store = tmp_path / "zz.duckdb"
    (tmp_path / "a.csv").write_text(HEAD + "".join(ROWS))
    rep = ingest_files([tmp_path / "a.csv"], FIRES, store=store)
    assert rep.accepted == 3  # two fires at one time and place are two records
    before = _fires(store)
    # the brigade corrects one loss and re-exports the file (the same path: a corrected re-export)
    (tmp_path / "a.csv").write_text(HEAD + ROWS[0] + ROWS[1].replace(",800,", ",950,") + ROWS[2])
    rep = ingest_files([tmp_path / "a.csv"], FIRES, store=store)
    assert (rep.accepted, rep.updated, rep.duplicate) == (0, 1, 2)
    after = _fires(store)
    assert len(after) == 3 and after["loss_yuan"].sum() == before["loss_yuan"].sum() + 150
    assert set(after["incident_id"]) == set(before["incident_id"])  # same records, one changed
    # another file of the source: rows agreeing in every column are the same records (listed as
    # merges); a row sharing only when, what and where is another event, never an update
    (tmp_path / "b.csv").write_text(HEAD + ROWS[0] + ROWS[1].replace(",800,", ",990,"))
    rep = ingest_files([tmp_path / "b.csv"], FIRES, store=store)
    assert (rep.accepted, rep.updated, rep.duplicate) == (1, 0, 1) and rep.files[0].merges == {"duplicate": 1}
    assert len(_fires(store)) == 4


def test_declared_key_columns(tmp_path: Path) -> None:
    store = tmp_path / "zz.duckdb"
    m = read_mapping({**FIRES, "source": {"key": ["occurred_at", "area_code"]}})
    (tmp_path / "a.csv").write_text(HEAD + ROWS[0] + ROWS[2])
    ingest_files([tmp_path / "a.csv"], m, store=store)
    (tmp_path / "b.csv").write_text(HEAD + ROWS[0].replace("electrical", "wiring") + ROWS[2])
    rep = ingest_files([tmp_path / "b.csv"], m, store=store)
    assert (rep.updated, rep.duplicate) == (1, 1)
    assert set(_fires(store)["cause"]) == {"wiring", "arson"}
    # two rows sharing a declared key with different content: the second is a conflict, not counted
    (tmp_path / "c.csv").write_text(HEAD + ROWS[0] + ROWS[0].replace("5000", "6000"))
    rep = ingest_files([tmp_path / "c.csv"], m, store=tmp_path / "other.duckdb")
    assert rep.reasons == {"conflicting_duplicate": 1} and rep.accepted == 1


def test_content_hash_is_our_own_definition() -> None:
    import duckdb

    sql = content_hash_sql([("a", "str"), ("b", "float"), ("t", "timestamp"), ("n", "int")])
    got = duckdb.sql(
        f"SELECT {sql} FROM (VALUES ('x', 0.1, TIMESTAMP '2025-01-03 10:00', NULL::BIGINT)) v(a, b, t, n)"
    ).fetchall()[0][0]
    # the first 64 bits of the MD5 of 'zzh1' US 'x' US '0.10000000000000001' US epoch-us US U+0001
    import hashlib

    text = "\x1f".join(["zzh1", "x", "0.10000000000000001", "1735898400000000", "\x01"])
    assert got == int(hashlib.md5(text.encode()).hexdigest()[:16], 16)


def test_replace_retires_records_missing_from_a_full_reexport(tmp_path: Path) -> None:
    store = tmp_path / "zz.duckdb"
    police = {
        "source": {"name": "police"},
        "columns": {"incident_id": "id", "occurred_at": "time", "category": "kind", "area_code": "area"},
    }
    (tmp_path / "v1.csv").write_text(
        "id,time,kind,area\nP1,2025-01-01,robbery,620102001\nP2,2025-01-02,assault,620102001\n"
        "P3,2025-01-03,robbery,620102002\n"
    )
    (tmp_path / "v2.csv").write_text(
        "id,time,kind,area\nP1,2025-01-01,robbery,620102001\nP3,2025-01-03,robbery,620102002\n"
    )
    other = {**police, "source": {"name": "other"}}
    (tmp_path / "o.csv").write_text("id,time,kind,area\nO1,2025-01-05,robbery,620102001\n")
    ingest_files([tmp_path / "v1.csv"], police, store=store)
    ingest_files([tmp_path / "o.csv"], other, store=store)
    # without --replace a record deleted from the re-export stays
    rep = ingest_files([tmp_path / "v2.csv"], police, store=store)
    assert rep.retired == 0
    with open_store(store) as st:
        assert sorted(st.incidents()["incident_id"]) == ["O1", "P1", "P2", "P3"]
    res = CliRunner().invoke(
        app,
        [
            "ingest",
            str(tmp_path / "v2.csv"),
            "--mapping",
            _toml(tmp_path, police),
            "--store",
            str(store),
            "--replace",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "retired: 1 records" in res.output and "P2" in res.output
    with open_store(store) as st:
        assert sorted(st.incidents()["incident_id"]) == ["O1", "P1", "P3"]  # other sources untouched
        gone = st.con.execute("SELECT record_id, source FROM retired").fetchall()
        assert gone == [("P2", "police")]
        assert st.con.execute("SELECT max(retired) FROM ingest_log").fetchall()[0][0] == 1


def _toml(tmp_path: Path, m: dict) -> str:
    lines = ["[source]", f'name = "{m["source"]["name"]}"', "[columns]"]
    lines += [f'{k} = "{v}"' for k, v in m["columns"].items()]
    p = tmp_path / "police.toml"
    p.write_text("\n".join(lines) + "\n")
    return str(p)


def test_replace_refused_for_tables_without_ids(tmp_path: Path) -> None:
    from zzanalytics.errors import SourceError

    (tmp_path / "t.csv").write_text("year,metric,ceiling\n2025,fire.count,100\n")
    with pytest.raises(SourceError, match="no record ids"):
        ingest_files(
            [tmp_path / "t.csv"], {"source": {"table": "targets"}}, store=tmp_path / "zz.duckdb", replace=True
        )


def test_rows_differing_only_in_unmapped_columns_are_separate_records(tmp_path: Path) -> None:
    """A date-only police export: two assaults on one day at one corner differ only in columns the
    mapping leaves out (hour, premises). They are two records; only a row repeated whole is a
    duplicate (with a note), or a record of its own with ``repeats = "records"``."""
    head = "date,hour,premises,area,type\n"
    rows = [
        "2021-03-02,8,House,620102001,Assault\n",
        "2021-03-02,22,Commercial,620102001,Assault\n",  # same when/what/where, other hour
        "2021-03-02,22,Commercial,620102001,Assault\n",  # the row above repeated whole
        "2021-03-05,1,Outside,620102002,Assault\n",
    ]
    (tmp_path / "a.csv").write_text(head + "".join(rows))
    mapping = {
        "columns": {"occurred_at": "date", "area_code": "area", "category": "type"},
        "categories": {"Assault": "assault"},
    }
    store = tmp_path / "zz.duckdb"
    rep = ingest_files([tmp_path / "a.csv"], mapping, store=store)
    assert (rep.read, rep.accepted, rep.duplicate, rep.quarantined) == (4, 3, 1, 0)
    assert any("repeat an earlier row of this file in every column" in n for n in rep.files[0].notes)
    rep = ingest_files([tmp_path / "a.csv"], mapping, store=store)  # again: nothing new
    assert (rep.accepted, rep.updated, rep.duplicate) == (0, 0, 4)
    with open_store(store) as st:
        assert len(st.incidents()) == 3

    records = {**mapping, "source": {"repeats": "records"}}
    other = tmp_path / "records.duckdb"
    rep = ingest_files([tmp_path / "a.csv"], records, store=other)
    assert (rep.accepted, rep.duplicate) == (4, 0)
    rep = ingest_files([tmp_path / "a.csv"], records, store=other)
    assert (rep.accepted, rep.updated, rep.duplicate) == (0, 0, 4)  # still idempotent
    with open_store(other) as st:
        assert len(st.incidents()) == 4
    with pytest.raises(Exception, match="repeats"):
        read_mapping({**mapping, "source": {"repeats": "keep"}})
