"""Briefings of partial stores (issue 19): every section renders on every store, and no sentence
claims what its data cannot support.

Partial stores are cut from both samples — 金河区 (``data/sample``) and the foreign city
(``data/city``) — and rebuilt through the real ingest (``tests/_partial.py``): traffic only, fire
only, petitions only, crimes without coordinates, thefts only, no polygons (so no population), one
month, data ending a year before the samples', a source covering only the last four months, a
source that stopped half-way, and a year of records carrying late reports of earlier years whose
coverage was recorded wrong. Each is briefed in Chinese and English with the code the notebook
runs (one computation, both languages); a few go through ``zz briefing`` itself.

For each case the test asserts that no section failed, that no unfilled value leaks, that every
rise or fall carries its test, that sentences agree with their tables, and that the claims the
case's data cannot support are absent — and the same claims present on the full stores, so the
test fails when a claim is never made at all.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import _partial as P  # noqa: N812
import duckdb
import pandas as pd
import pytest
from _briefing import unqualified_changes, visible_text
from typer.testing import CliRunner

from zzanalytics.cli import app
from zzanalytics.report import briefing as B  # noqa: N812

runner = CliRunner()

CLAIMS = {
    # name: (Chinese, English) patterns of a claim in the visible text
    "change": (r"(上升|下降)[\d,]+\.\d%", r"(?<!make )\b(up|down) [\d,]+\.\d%"),
    "criminal_total": (r"发生各类刑事案件", r"recorded [\d,]+ criminal cases"),
    "trend": (r"刑事发案(呈|总体平稳)", r"Criminal cases are (rising|falling|stable)"),
    "share": (r"侵财类案件占", r"theft and fraud make up"),
    "year_end": (r"全年预计发生", r"for the whole year"),
    "fraud_forecast": (r"诈骗[\d,]+起\(80%区间", r"fraud [\d,]+ \(80% interval"),
    "targets": (r"年度控制目标", r": ceiling [\d,]"),
    "traffic_targets": (r"交通事故死亡人数年度控制目标", r"Traffic deaths: ceiling"),
    "hot": (r"空间聚集分析|空间分布未发现显著热点", r"Burglary hot spots \(|show no significant hot spot"),
    "hot_none": (r"未发现显著热点", r"no significant hot spot"),
    "hot_map": (r"入室盗窃热点分布", r"Burglary hot spots, "),
    "emerging": (r"时空热点分析", r"Emerging hot spots of"),
    "located": (r"其中有坐标的", r"of them located"),
    "none_located": (r"均无坐标", r"None of the [\d,]+"),
    "scored": (r"逐一与", r"was compared with"),
    "score_none": (r"未发现案件显著上升的", r"no \w+ worsened significantly"),
    "score_three": (r"前三年同期平均水平", r"previous 3 years"),
    "sites_by_cases": (r"按未覆盖案件数量测算", r"cover the most uncovered cases"),
    "rates": (r"发案率最高的是", r"Highest rates of .{0,60} per 10,000 residents:"),
    "traffic_figures": (r"发生道路交通事故[\d,]+起", r"had [\d,]+ road traffic accidents"),
    "fire_figures": (r"发生火灾[\d,]+起", r"had [\d,]+ fires"),
    "petition_figures": (r"赴区上访[\d,]+批", r"of petitions to the district"),
    "thefts": (r"发生盗窃[\d,]+起", r"recorded [\d,]+ cases of theft"),
    "no_baseline": (r"去年同期无(\S*)数据", r"no data for the same period last year"),
    "partial": (r"只覆盖本期的一部分", r"cover only part of (this|the) period"),
    "not_counting": (r"刑事案件[\d,]+起\(不含", r"criminal cases \(not counting"),
    # a count of major accidents the data hold, said to be missing (their few records alone once
    # cut the coverage to the days around them)
    "major_missing": (r"其中重大道路交通事故—", r"— were major accidents"),
}

SPATIAL = ("hot", "hot_none", "hot_map", "emerging", "located", "sites_by_cases")
CRIMINAL = ("criminal_total", "trend", "share", "year_end", "rates", *SPATIAL)
ENDS = {"sample": pd.Timestamp("2026-10-31"), "city": pd.Timestamp("2021-12-31")}
"""Last day of each sample's criminal cases."""


def _ago(sample: str, **offset: int) -> str:
    return str((ENDS[sample] - pd.DateOffset(**offset)).date())


def cut(sample: str, case: str) -> P.Cut:
    """What each case keeps of a sample (dates relative to the sample's criminal data; records of
    the last three years and the current one only, to keep the stores small)."""
    since = f"{ENDS[sample].year - 3}-01-01"
    return dataclasses.replace(_cut(sample, case), since=since)


def _cut(sample: str, case: str) -> P.Cut:
    end = str(ENDS[sample].date())
    month = str((ENDS[sample] - pd.offsets.MonthBegin(1)).date())
    half = {"sample": ("traffic", "2026-05-31"), "city": ("fire", "2021-06-30")}[sample]
    return {
        "traffic": P.Cut(sources=("traffic",)),
        "fire": P.Cut(sources=("fire",)),
        "petitions": P.Cut(sources=("petitions",)),
        "no_points": P.Cut(sources=("criminal",), points=False),
        "thefts": P.Cut(sources=("criminal",), categories=("theft",)),
        "no_polygons": P.Cut(reference=("streets", "cameras", "peers", "targets")),
        "one_month": P.Cut(windows={s: (month, end) for s in P.SOURCES}),
        "year_ago": P.Cut(windows={s: ("2000-01-01", _ago(sample, years=1)) for s in P.SOURCES}),
        # (the year before: the store ends a year before the sample does)
        "last_four": P.Cut(split=("fraud",), windows={"fraud": (_ago(sample, months=4, days=-1), end)}),
        "halfway": P.Cut(windows={half[0]: ("2000-01-01", half[1])}),
        "crumbs": P.Cut(
            sources=("criminal",),
            windows={"criminal": (f"{ENDS[sample].year}-01-01", end)},
            crumbs=("criminal", f"{ENDS[sample].year - 3}-01-01", f"{ENDS[sample].year - 1}-12-31", 100),
        ),
    }[case]


# (case, claims that must be absent, claims that must be present) — both languages
EXPECT = {
    "traffic": (CRIMINAL, ("traffic_figures",)),
    "fire": ((*CRIMINAL, "traffic_figures"), ("fire_figures",)),
    "petitions": ((*CRIMINAL, "traffic_figures", "fire_figures", "scored"), ("petition_figures",)),
    "no_points": (("hot", "hot_none", "hot_map", "emerging", "located", "sites_by_cases"), ("none_located",)),
    "thefts": (("criminal_total", "trend", "share", "fraud_forecast"), ("thefts",)),
    "no_polygons": (("rates",), ("criminal_total",)),
    "one_month": (
        ("change", "year_end", "emerging", "scored", "score_none", "score_three", "trend", "major_missing"),
        ("no_baseline",),
    ),
    "year_ago": ((), ("change", "criminal_total")),
    "last_four": (("fraud_forecast", "share"), ("not_counting", "partial")),
    "halfway": ((), ("partial",)),
    "crumbs": (("change", "trend", "scored", "score_three", "year_end"), ("no_baseline",)),
}
HALFWAY_ABSENT = {"sample": ("traffic_figures", "traffic_targets"), "city": ("fire_figures",)}
FULL_PRESENT = {
    "sample": (
        "change",
        "criminal_total",
        "trend",
        "share",
        "year_end",
        "fraud_forecast",
        "targets",
        "traffic_targets",
        "hot",
        "hot_map",
        "emerging",
        "located",
        "scored",
        "score_three",
        "sites_by_cases",
        "rates",
        "traffic_figures",
        "fire_figures",
        "petition_figures",
    ),
    "city": (
        "change",
        "criminal_total",
        "trend",
        "share",
        "hot",
        "hot_map",
        "emerging",
        "located",
        "scored",
        "score_three",
        "score_none",
        "rates",
        "fire_figures",
    ),
}
CASES = [(s, c) for s in ("sample", "city") for c in EXPECT if not (s == "city" and c == "petitions")]
SLOW = {("city", c) for c in ("traffic", "fire", "thefts", "no_polygons", "year_ago", "last_four")}
"""Cases of the city whose sample twin runs in ``make test-fast`` (they all run in ``make test``)."""


FIGURE_CLAIMS = ("hot_map",)
"""Claims made by a figure's title (inside the page's plotly JSON, not its visible text)."""


def figure_titles(html: str) -> str:
    """The titles of a page's figures, decoded."""
    titles = re.findall(r'"title":\{"text":"((?:[^"\\]|\\.)*)"', html)
    return " | ".join(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), t) for t in titles)


def claims_in(doc: dict, lang: str) -> set[str]:
    """The claims a briefing makes: in its visible text before the data notes (which describe
    methods), and in its figures' titles."""
    i = 0 if lang == "zh" else 1
    text = doc["text"].split(" 数据说明 " if lang == "zh" else " Data notes ")[0]
    titles = figure_titles(doc["html"])
    return {
        name for name, pats in CLAIMS.items() if re.search(pats[i], titles if name in FIGURE_CLAIMS else text)
    }


def tables(html: str) -> dict[str, list[list[str]]]:
    """Each table's rows (header first) by its caption's first word (``表6`` / ``Table 6.``)."""
    out = {}
    for body in re.findall(r"<table[^>]*>(.*?)</table>", html, flags=re.S):
        cap = re.search(r"<caption>(.*?)</caption>", body, flags=re.S)
        key = (cap.group(1) if cap else "").split(" ")[0]
        if key == "Table":
            key = " ".join((cap.group(1)).split(" ")[:2])
        rows = []
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)
            rows.append([re.sub(r"<[^>]+>", " ", c).strip() for c in cells])
        out[key] = rows
    return out


def _n(text: str) -> int:
    return int(text.replace(",", ""))


def check_agreement(html: str, text: str) -> None:
    """Numbers in the Chinese sentences equal the same values in their tables."""
    t = tables(html)
    m = re.search(r"发生各类刑事案件([\d,]+)起", text)
    if m:
        total = next(r for r in t["表1"] if r[0] in ("刑事案件合计", "已有数据的刑事案件合计"))
        assert _n(m.group(1)) == _n(total[1].rstrip("起")), (m.group(0), total)
    m = re.search(r"发生道路交通事故([\d,]+)起.{0,40}?死亡([\d,]+)人", text)
    if m:
        rows = {r[0]: r for r in t["表3"]}
        assert _n(m.group(1)) == _n(rows["道路交通事故"][1].rstrip("起"))
        assert _n(m.group(2)) == _n(rows["交通事故死亡人数"][1].rstrip("人"))
    m = re.search(r"对([\d,]+)个\S+?、([\d,]+)类案件", text)
    if m:
        sc = t["表6"]
        assert _n(m.group(1)) == len(sc) - 1 and _n(m.group(2)) == len(sc[0]) - 1, (m.group(0), sc[0])
        worse = re.search(r"等([\d,]+)个单位案件上升显著", text)
        flagged = sum(any("▲" in c for c in r) for r in sc[1:])
        assert (_n(worse.group(1)) if worse else 0) == flagged, (worse, flagged)
        if flagged == 0 and "未发现案件显著上升" in text:
            assert any("%" in c for r in sc[1:] for c in r[1:]), "no township worsened, yet nothing compared"


def render(store: Path | str, **kwargs) -> dict[str, dict]:
    """Both languages of a store's briefing with the notebook's code: html, visible text, context."""
    ctx = B.load(str(store), lang="zh", **kwargs)
    out = {}
    for lang in ("zh", "en"):
        c = ctx.in_lang(lang)
        html = str(B.title(c)) + "".join(B.render_sections(c))
        out[lang] = {"html": html, "text": visible_text(html), "ctx": c}
    return out


def assert_sound(doc: dict[str, dict]) -> None:
    """What every briefing must satisfy, whatever its data."""
    for lang, d in doc.items():
        assert not d["ctx"].failures, [(f["section"], f["error"], f["where"]) for f in d["ctx"].failures]
        assert "zz-failed" not in d["html"]
        assert unqualified_changes(d["text"]) == [], lang
        for bad in ("nan", "None", "NaN", "NaT", "inf", "{", "}"):
            m = re.search(rf"(?<![A-Za-z]){re.escape(bad)}(?![A-Za-z]| of the)", d["text"])
            assert not m, (lang, bad, d["text"][max(0, m.start() - 120) : m.end() + 60])
    check_agreement(doc["zh"]["html"], doc["zh"]["text"])


@pytest.fixture(scope="module")
def full(sample_store, city_store) -> dict[str, dict[str, dict]]:
    return {"sample": render(sample_store.path), "city": render(city_store.path)}


@pytest.fixture(scope="module")
def fulls(sample_store, city_store) -> dict[str, object]:
    return {"sample": sample_store, "city": city_store}


@pytest.mark.parametrize("sample", ["sample", "city"])
def test_the_full_stores_make_every_claim(full, sample: str) -> None:
    doc = full[sample]
    assert_sound(doc)
    for lang, d in doc.items():
        missing = set(FULL_PRESENT[sample]) - claims_in(d, lang)
        assert not missing, (lang, missing)


def test_totals_agree_across_sections(full) -> None:
    """Records without a township count in the district everywhere: the criminal total is the sum
    of its categories and of the townships plus those without one (the city has some)."""
    for sample, doc in full.items():
        r = doc["zh"]["ctx"].results
        total = r.overall.total["current"]
        firsts = r.overall.by1.set_index("category")["current"]
        assert total == firsts.loc[list(r.scope.counted)].sum(), sample
        assert total == r.rates.counts.sum() + r.rates.unassigned, sample
    assert full["city"]["zh"]["ctx"].results.scorecard.unassigned > 0
    assert re.search(r"另有[\d,]+起未标明", full["city"]["zh"]["text"])


@pytest.mark.parametrize(
    ("sample", "case"),
    [pytest.param(s, c, id=f"{s}-{c}", marks=[pytest.mark.slow] if (s, c) in SLOW else []) for s, c in CASES],
)
def test_a_partial_store_briefs_without_false_claims(fulls, tmp_path_factory, sample: str, case: str) -> None:
    folder = tmp_path_factory.mktemp(f"{sample}-{case}")
    store = P.build(fulls[sample], cut(sample, case), folder)
    if case == "crumbs":  # ingest got coverage wrong: the late reports stretch every span back
        con = duckdb.connect(str(store))
        con.execute(f"UPDATE coverage SET \"first\" = DATE '{ENDS[sample].year - 3}-01-01'")
        con.close()
    doc = render(store)
    assert_sound(doc)
    absent, present = EXPECT[case]
    if case == "halfway":
        absent = HALFWAY_ABSENT[sample]
    ctx = doc["zh"]["ctx"]
    assert ctx.covers(list(ctx.coverage.categories()) or None, whole=False) or ctx.covers(
        table="petitions", whole=False
    ), "the default period lies outside the data"
    for lang, d in doc.items():
        made = claims_in(d, lang)
        assert not made & set(absent), (lang, made & set(absent))
        assert set(present) <= made, (lang, set(present) - made)
    if case == "one_month":
        assert ctx.start == ENDS[sample] - pd.offsets.MonthBegin(1) and ctx.end == ENDS[sample]
    if case == "year_ago":  # the year the data end in, up to their last complete month
        assert ctx.end == ENDS[sample] - pd.DateOffset(years=1) and ctx.start.month == 1


def test_a_short_history_gets_the_simpler_forecast(fulls, tmp_path) -> None:
    """22 months of criminal cases: under the 24 a seasonal forecast needs, the year end is the
    average of the last 12 months carried forward, and said so; no seasonality is claimed."""
    store = P.build(fulls["sample"], P.Cut(sources=("criminal",), since="2025-01-01"), tmp_path / "s")
    ctx = B.load(str(store), lang="zh")
    assert ctx.results.year_end.totals["method"].eq("simple").all()
    zh = visible_text(B.render_section("forecast", ctx))
    en = visible_text(B.render_section("forecast", ctx.in_lang("en")))
    assert "全区按近12个月月均水平推算(数据不足24个月,不计季节规律),全年预计发生刑事案件" in zh
    assert "On the monthly average of the last 12 months (under 24 months of data" in en
    assert "季节规律预测" not in zh and "past seasonality" not in en


def test_traffic_only_through_zz_briefing(fulls, tmp_path) -> None:
    """The crash of the issue (``KeyError: 'label'`` in section 1), through the real pipeline:
    the command says which period it chose and why, exits 0 and the page has no failed section."""
    store = P.build(fulls["sample"], cut("sample", "traffic"), tmp_path / "store")
    res = runner.invoke(app, ["briefing", "--store", str(store), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "period 2026-01-01:2026-10-31" in res.output and "other incidents cover" in res.output
    page = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert "zz-failed" not in page and "未导入刑事案件数据。" in visible_text(page)


def test_petitions_only_through_zz_briefing_in_english(fulls, tmp_path) -> None:
    store = P.build(fulls["sample"], cut("sample", "petitions"), tmp_path / "store")
    res = runner.invoke(
        app, ["briefing", "--store", str(store), "--lang", "en", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 0, res.output
    assert "petitions cover" in res.output
    text = visible_text(next((tmp_path / "o").glob("*.html")).read_text(encoding="utf-8"))
    assert "of petitions to the district" in text and "No criminal-case records were ingested." in text


def test_a_period_is_refused_only_when_no_source_reaches_it(fulls, tmp_path) -> None:
    """2026 traffic with thefts that ended in 2025: a 2026 briefing is briefed (the thefts say they
    have no data for it); a period no source reaches is refused naming the coverage."""
    store = P.build(
        fulls["sample"],
        P.Cut(
            sources=("criminal", "traffic"),
            categories=("theft", "traffic"),
            windows={"criminal": ("2019-01-01", "2025-12-31")},
        ),
        tmp_path / "store",
    )
    chosen = B.default_period(store)
    assert (str(chosen.start.date()), str(chosen.end.date())) == ("2025-01-01", "2025-12-31")
    assert "criminal cases cover (2019-01-01 to 2025-12-31)" in chosen.why
    doc = render(store, start="2026-01-01", end="2026-10-31")
    assert_sound(doc)
    assert "本期无刑事案件数据(现有刑事案件数据的时间范围为2019年1月1日至2025年12月31日)" in doc["zh"]["text"]
    assert re.search(CLAIMS["traffic_figures"][0], doc["zh"]["text"])
    res = runner.invoke(app, ["briefing", "--store", str(store), "--period", "2030-01-01:2030-06-30"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "no data of the store cover any day of it" in res.output
    assert (
        "criminal cases 2019-01-01 to 2025-12-31" in res.output
        and "traffic 2019-01-01 to 2026-10-31" in res.output
    )
