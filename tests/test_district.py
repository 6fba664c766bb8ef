"""The district's identity, set once for a store built without a ``sources.toml``: by ``zz ingest
--district … --currency … --set KEY=VALUE``, by ``zz set``, or by ``sources.toml``; recorded in the
store, shown by ``zz info``, and worded by the reports (neutral words when a key is not set).

Known truth: the values the tests give, read back from the store's ``_meta`` by SQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zzanalytics.cli import app
from zzanalytics.errors import ReportError, StoreError
from zzanalytics.ingest.sources import build_store, read_sources
from zzanalytics.report import text as tx
from zzanalytics.report.district import identity_words, whole
from zzanalytics.store import Identity, claim_identity, open_store, set_identity

runner = CliRunner()

MAPPING = """[source]
table = "incidents"
timezone = "Asia/Hong_Kong"
date_format = "%Y-%m-%d %H:%M"

[columns]
incident_id = "Ref"
occurred_at = "Occurred"
category = "Type"
area_code = "Beat"
loss_yuan = "Loss HKD"

[categories]
"Burglary" = "theft.burglary"
"Theft" = "theft.other"
"Deception" = "fraud.other"
"Wounding" = "assault"
"Fire" = "fire"
"""


def harbour_export(folder: Path, seed: int = 7) -> tuple[Path, Path]:
    """A small police export of a Hong Kong-style district (beats, HKD losses), 2024-2025, and its mapping."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", "2025-12-31", freq="D")
    n = 900
    when = rng.choice(days, n) + pd.to_timedelta(rng.integers(0, 24 * 60, n), unit="min")
    kind = rng.choice(
        ["Burglary", "Theft", "Deception", "Wounding", "Fire"], n, p=[0.2, 0.4, 0.2, 0.15, 0.05]
    )
    frame = pd.DataFrame(
        {
            "Ref": [f"HB{i:05d}" for i in range(n)],
            "Occurred": pd.to_datetime(when).strftime("%Y-%m-%d %H:%M"),
            "Type": kind,
            "Beat": rng.choice(["Beat 1", "Beat 2", "Beat 3", "Beat 4"], n),
            "Loss HKD": np.where(kind == "Fire", rng.integers(10_000, 900_000, n), 0),
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "harbour.csv").write_text(frame.to_csv(index=False), encoding="utf-8")
    (folder / "harbour.toml").write_text(MAPPING, encoding="utf-8")
    return folder / "harbour.csv", folder / "harbour.toml"


def _meta(path: Path) -> dict[str, str]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute("SELECT key, value FROM _meta").fetchall())
    finally:
        con.close()


def _zz(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args])


def test_zz_ingest_records_the_identity_of_a_new_store_and_zz_info_shows_it(tmp_path: Path) -> None:
    csv, mapping = harbour_export(tmp_path / "in")
    store = tmp_path / "harbour.duckdb"
    args = ["ingest", csv, "--mapping", mapping, "--store", store, "--district", "Harbour District"]
    res = _zz(
        *args,
        "--currency",
        "hkd",
        "--set",
        "unit=警区",
        "--set",
        "unit_en=beat",
        "--set",
        "money_unit_en=HK$",
    )
    assert res.exit_code == 0, res.output
    meta = _meta(store)
    assert (meta["district"], meta["currency"], meta["area_unit"], meta["area_unit_en"]) == (
        "Harbour District",
        "HKD",
        "警区",
        "beat",
    )
    assert meta["money_unit_en"] == "HK$" and meta["timezone"] == "Asia/Hong_Kong"
    info = _zz("info", "--store", store).output
    assert "district   Harbour District" in info and "currency   HKD, written in HK$" in info
    assert "area unit  警区 / beat, beats" in info and "(default)" not in info
    # the same identity again is fine (re-running an ingest); another one is refused, naming zz set
    assert _zz(*args).exit_code == 0
    res = _zz(*args[:-1], "Other District")
    assert res.exit_code == 2 and "zz set name=VALUE" in res.output and "Traceback" not in res.output
    assert _meta(store)["district"] == "Harbour District"


def test_zz_set_changes_removes_and_checks_before_writing(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    res = _zz(
        "set",
        "--store",
        store,
        "name=湾区",
        "issuer=湾区综治办",
        "target.fire.count=12",
        "sections_off=petitions",
    )
    assert res.exit_code == 0, res.output
    assert "targets    fire.count 12" in res.output and "sections   left out: petitions" in res.output
    res = _zz(
        "set",
        "--store",
        store,
        "issuer=",
        "meeting_date=2026-11-05",
        "units_en=precincts",
        "unit_en=precinct",
    )
    assert res.exit_code == 0, res.output
    meta = _meta(store)
    assert "issuer" not in meta and meta["meeting_date"] == "2026-11-05" and meta["target.fire.count"] == "12"
    for bad, word in [
        ("currency=dollars", "ISO 4217"),
        ("meeting_date=5 Nov", "2026-11-05"),
        ("colour=red", "not an identity key"),
        ("sections_off=petition", "not sections of the briefing"),
        ("target.fire.cnt=3", "not a target metric"),
        ("target.fire.count=-1", "at least 0"),
        ("name", "KEY=VALUE"),
        ("name=<b>x</b>", "plain text"),
    ]:
        res = _zz("set", "--store", store, "unit=街道", bad)
        assert res.exit_code == 2 and word in res.output and "Traceback" not in res.output, (bad, res.output)
    assert "area_unit" not in _meta(store)  # nothing written when one value is wrong
    listing = _zz("set", "--store", store).output
    assert "money_unit_en" in listing and "meeting    湾区" not in listing and "2026-11-05" in listing


def test_zz_set_refuses_the_sample_store_which_is_rebuilt_from_its_sources_toml() -> None:
    res = _zz("set", "name=Elsewhere")
    assert res.exit_code == 2 and "sources.toml" in res.output and "[district]" in res.output


def test_the_clock_changes_only_while_the_store_holds_no_records(tmp_path: Path) -> None:
    with open_store(tmp_path / "t.duckdb", read_only=False) as st:
        assert set_identity(st, {"timezone": "Asia/Hong_Kong"}).timezone == "Asia/Hong_Kong"
        assert set_identity(st, {"timezone": "Asia/Taipei"}).timezone == "Asia/Taipei"
        st.con.execute(
            "INSERT INTO incidents (incident_id, occurred_at, category) VALUES ('x', now(), 'fire')"
        )
        with pytest.raises(StoreError, match="one clock"):
            set_identity(st, {"timezone": "Asia/Tokyo"})
        with pytest.raises(StoreError, match="already records 'Asia/Taipei'"):
            claim_identity(st, {"timezone": "Asia/Tokyo"})


def test_sources_toml_sets_every_key_and_names_a_wrong_one(tmp_path: Path) -> None:
    harbour_export(tmp_path)
    toml = tmp_path / "sources.toml"
    district = """[district]
name = "臺灣區"
currency = "TWD"
money_unit = "萬元"
money_unit_en = "NT$"
unit = "派出所辖区"
unit_en = "precinct"
meeting = "臺灣區治安會報"
meeting_date = 2026-11-05
sections_off = ["petitions", "hotspots"]
targets = { "fire.count" = 30, traffic.deaths = 4 }
"""
    toml.write_text(
        district + '\n[[source]]\nfiles = ["harbour.csv"]\nmapping = "harbour.toml"\n', encoding="utf-8"
    )
    build_store(toml, tmp_path / "tw.duckdb")
    with open_store(tmp_path / "tw.duckdb") as st:
        ident = st.identity()
    assert (ident.name, ident.currency, ident.money_unit, ident.unit, ident.units_en) == (
        "臺灣區",
        "TWD",
        "萬元",
        "派出所辖区",
        "precincts",
    )
    assert ident.meeting_date == "2026-11-05" and ident.sections_off == ("petitions", "hotspots")
    assert ident.ceilings == {"fire.count": 30.0, "traffic.deaths": 4.0}
    for wrong, word in [
        ('currency = "NTD$"', "ISO 4217"),
        ('color = "red"', "unknown key"),
        ("meeting_date = 5", "2026"),
    ]:
        toml.write_text(f"[district]\n{wrong}\n", encoding="utf-8")
        with pytest.raises(StoreError, match=word) as err:
            read_sources(toml)
        assert str(toml) in str(err.value)


@pytest.mark.parametrize(
    ("identity", "lang", "expected"),
    [
        (Identity(), "zh", {"name": "", "subject": "全区", "unit": "区域", "money_unit": "万元"}),
        (
            Identity(),
            "en",
            {"name": "", "subject": "the district", "units": "areas", "money_unit": "CNY"},
        ),
        (Identity(name="永登县", unit="乡镇"), "zh", {"subject": "全县", "unit": "乡镇", "units": "乡镇"}),
        (
            Identity(name="Lakeport", currency="CAD", unit_en="beat"),
            "en",
            {"subject": "Lakeport", "units": "beats"},
        ),
        (
            Identity(name="Lakeport", currency="CAD", unit="街区"),
            "zh",
            {"subject": "Lakeport", "money_unit": "万加元"},
        ),
        (Identity(currency="TWD", money_unit="萬元", money_unit_en="NT$"), "zh", {"money_unit": "萬元"}),
        (Identity(currency="TWD", money_unit="萬元", money_unit_en="NT$"), "en", {"money_unit": "NT$"}),
        (
            Identity(name="金河区", name_en="Jinhe District", issuer="金河区综治委办公室"),
            "en",
            {"issuer": "金河区综治委办公室"},
        ),
    ],
)
def test_identity_words_neutral_where_not_set(identity, lang, expected) -> None:
    words = identity_words(identity, lang)
    assert {k: words[k] for k in expected} == expected
    assert "District" not in words["name"] or identity.name_en  # never a name the store does not record


def test_money_in_the_identity_s_unit() -> None:
    assert tx.money(563_000, "zh", "HKD") == "56.3万港元"
    assert tx.money(563_000, "en", "HKD", "HK$") == "HK$563,000"
    assert tx.money(12_345_678, "en", "TWD", "NT$") == "NT$12.3 million"
    assert tx.money(563_000, "zh", "TWD", "萬元") == "56.3萬元"
    assert tx.money(563_000, "zh", "CNY", "元") == "563,000元"
    assert tx.money(3.2e9, "zh", "CNY", "亿元") == "32.0亿元"
    assert whole("City of Lakeport", "zh") == "City of Lakeport" and whole("金河区", "zh") == "全区"


def test_a_store_without_identity_says_so_and_the_keys_are_documented() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "mapping.md").read_text(encoding="utf-8")
    from zzanalytics.ingest.sources import DISTRICT_KEYS

    assert {k for k in DISTRICT_KEYS if f"| `{k}` |" not in text} == set()
    assert Identity.from_meta({}).lines()[0].endswith("(no name recorded; `zz set name=...`)")
    assert os.path.exists(Path(__file__).resolve().parents[1] / "data" / "sample" / "sources.toml")


# ---------------------------------------------------------------- the identity in the briefing


@pytest.fixture(scope="module")
def harbour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built by `zz ingest` alone (no sources.toml), its identity given on the command line."""
    root = tmp_path_factory.mktemp("harbour")
    csv, mapping = harbour_export(root / "in")
    store = root / "harbour.duckdb"
    args = ["ingest", csv, "--mapping", mapping, "--store", store, "--district", "湾区", "--currency", "HKD"]
    sets = ["name_en=Harbour District", "unit=警区", "unit_en=beat", "money_unit_en=HK$", "issuer=湾区综治办"]
    res = _zz(*args, *[x for s in sets for x in ("--set", s)])
    assert res.exit_code == 0, res.output
    more = [
        "meeting=湾区治安会报",
        "meeting_date=2026-01-15",
        "sections_off=petitions",
        "target.fire.count=7",
    ]
    assert _zz("set", "--store", store, *more).exit_code == 0
    return store


def _text(html: object) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", str(html))


def test_the_briefing_names_the_district_its_areas_and_its_money_from_the_store(harbour: Path) -> None:
    from dataclasses import replace

    from zzanalytics.report.briefing import load, render_section, section, title
    from zzanalytics.report.phrases import COMMON

    zh = load(harbour, "2025-01-01", "2025-12-31", lang="zh")
    head = _text(title(zh))
    assert "湾区综治信访维稳形势分析" in head and "(2025年)" in head
    assert "湾区综治办" in head and "湾区治安会报(2026年1月15日)" in head
    score = _text(render_section("scorecard", zh))
    assert "警区考核评估" in score and "个警区" in score and "乡镇" not in score
    assert zh.money(563_000) == "56.3万港元" and zh.say(COMMON["col.township"]) == "警区"
    en = replace(zh, lang="en")
    head = _text(title(en))
    assert "Public security and stability briefing — Harbour District" in head
    assert "湾区治安会报, 15 January 2026" in head and en.money(563_000) == "HK$563,000"
    assert section("scorecard").title("en", 7, en.words()) == "7. Beat scorecard"
    assert en.say(COMMON["col.township"]) == "Beat" and en.words()["area_units"] == "beats"


def test_the_foreign_city_s_neighbourhoods_and_dollars(city_store) -> None:
    from dataclasses import replace

    from zzanalytics.report.briefing import hotspots, load, section
    from zzanalytics.report.phrases import COMMON

    zh = load(city_store, lang="zh")
    en = replace(zh, lang="en")
    assert section("scorecard").title("en", 7, en.words()) == "7. Neighbourhood scorecard"
    assert section("scorecard").title("zh", 7, zh.words()) == "七、街区考核评估"
    counts = en.say(hotspots.PHRASES["counts.map"], period="2021", what="criminal cases")
    assert counts == "Criminal cases by neighbourhood, 2021"
    assert en.say(COMMON["col.township"]) == "Neighbourhood" and zh.money(213_600) == "21.4万加元"
    assert en.money(213_600) == "CAD 213,600" and en.subject == "City of Lakeport"


def test_an_unnamed_store_names_no_district_and_no_township(tmp_path: Path) -> None:
    from dataclasses import replace

    from zzanalytics.report.briefing import load, section, title

    csv, mapping = harbour_export(tmp_path / "in")
    store = tmp_path / "bare.duckdb"
    assert _zz("ingest", csv, "--mapping", mapping, "--store", store).exit_code == 0
    zh = load(store, "2025-01-01", "2025-06-30", lang="zh")
    en = replace(zh, lang="en")
    head = _text(title(en))
    assert "Public security and stability briefing" in head and "—" not in head and "District" not in head
    assert section("scorecard").title("en", 7, en.words()) == "7. Area scorecard"
    assert section("scorecard").title("zh", 7, zh.words()) == "七、区域考核评估"
    assert _text(title(zh)).split()[0] == "综治信访维稳形势分析" and zh.subject == "全区"


def test_sections_off_targets_and_any_range(harbour: Path) -> None:
    from zzanalytics.report.briefing import load, title
    from zzanalytics.report.briefing.registry import numbered

    ctx = load(harbour, "2025-03-05", "2025-06-30", lang="zh")
    assert ctx.targets["fire.count"] == 7.0 and ctx.identity.sections_off == ("petitions",)
    shown = [(n, s.key) for n, s in numbered(ctx.identity.sections_off, maps=False)]
    assert shown[:3] == [(1, "overall"), (2, "safety"), (3, "disputes")]
    with pytest.raises(ReportError, match="zz set sections_off"):
        numbered(("petition",))
    assert "(2025年3月5日至6月30日;去年同期为2024年3月5日至6月30日)" in _text(title(ctx))
    cross = _text(title(load(harbour, "2024-11-01", "2025-02-28", lang="en")))
    assert "November 2024 – February 2025" in cross and "same period" not in cross


def test_zz_briefing_of_a_store_built_by_zz_ingest_alone(harbour: Path, tmp_path: Path) -> None:
    """The real command: papermill, nbconvert, the house template."""
    res = _zz(
        "briefing", "--store", harbour, "--lang", "en", "--period", "2025-01-01:2025-12-31", "--out", tmp_path
    )
    assert res.exit_code == 0, res.output
    html = next(tmp_path.glob("briefing-district-*.en.html")).read_text(encoding="utf-8")
    text = _text(html)
    assert "Public security and stability briefing — Harbour District" in text
    assert "HK$" in text and "Beat scorecard" in text and "CNY" not in text
    assert "ownship" not in text and "— District" not in text
    assert "Petitions and stability" not in text and "2. Traffic and fire safety" in text
