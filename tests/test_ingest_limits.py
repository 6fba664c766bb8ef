"""Plausibility limits, declared number formats, ids a spreadsheet rounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from zzanalytics.errors import MappingError
from zzanalytics.ingest import ingest_files, read_mapping
from zzanalytics.workspace import open_store

MAP = {
    "columns": {
        "incident_id": "id",
        "occurred_at": "time",
        "category": "kind",
        "area_code": "area",
        "deaths": "deaths",
        "loss_yuan": "loss",
    },
}
HEAD = "id;time;kind;area;deaths;loss\n"


def _ingest(tmp_path: Path, rows: list[str], m: dict) -> tuple:
    (tmp_path / "e.csv").write_text(HEAD + "\n".join(rows) + "\n")
    rep = ingest_files([tmp_path / "e.csv"], m, store=tmp_path / "zz.duckdb")
    with open_store(tmp_path / "zz.duckdb") as st:
        return rep, st.incidents().set_index("incident_id")


def test_implausible_numbers_are_quarantined_and_limits_are_configurable(tmp_path: Path) -> None:
    rows = [
        "a;2025-01-01;robbery;1;99999999999;0",
        "b;2025-01-01;robbery;1;3;0",
        "c;2025-01-01;robbery;1;40;0",
    ]
    rep, inc = _ingest(tmp_path, rows, MAP)
    assert rep.reasons == {"implausible_number": 1} and sorted(inc.index) == ["b", "c"]
    (tmp_path / "x").mkdir()
    rep, inc = _ingest(
        tmp_path / "x",
        rows,
        {**MAP, "limits": {"deaths": 20}},
    )
    assert rep.reasons == {"implausible_number": 2} and list(inc.index) == ["b"]
    with pytest.raises(MappingError, match=r"\[limits\] 'cause'"):
        read_mapping({**MAP, "limits": {"cause": 3}})


def test_locale_numbers_only_when_declared(tmp_path: Path) -> None:
    rows = ["a;2025-01-01;robbery;1;0;1.234,5", "b;2025-01-01;robbery;1;0;12"]
    rep, inc = _ingest(tmp_path, rows, MAP)
    assert rep.reasons == {"unparseable_number": 1} and "a" not in inc.index  # never 1.2345
    (tmp_path / "d").mkdir()
    rep, inc = _ingest(tmp_path / "d", rows, {**MAP, "source": {"number_format": "1.234,5"}})
    assert rep.quarantined == 0 and inc.loc["a", "loss_yuan"] == 1234.5 and inc.loc["b", "loss_yuan"] == 12
    with pytest.raises(MappingError, match="number_format"):
        read_mapping({**MAP, "source": {"number_format": "de"}})


def test_19_digit_ids_stay_exact_and_rounded_ids_are_quarantined(tmp_path: Path) -> None:
    rows = [
        "1234567890123456789;2025-01-01;robbery;1;0;0",
        "1234567890123456790;2025-01-01;robbery;1;0;0",
        "1.23457E+18;2025-01-01;robbery;1;0;0",
    ]
    rep, inc = _ingest(tmp_path, rows, MAP)
    assert sorted(inc.index) == ["1234567890123456789", "1234567890123456790"]
    assert rep.reasons == {"rounded_id": 1}
