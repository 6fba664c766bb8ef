"""Section-level tests on a small synthetic context (``tests/_synthetic.py``): each sentence's
numbers against an independent pandas count of the frames built in the test, in both languages;
the registry's numbering, no-data notes and failures."""

from __future__ import annotations

import dataclasses
import re

import _synthetic as S  # noqa: N812
import pandas as pd
import pytest
from _briefing import unqualified_changes, visible_text

from zzanalytics.errors import ReportError
from zzanalytics.models.compare import compare_periods
from zzanalytics.report import blocks
from zzanalytics.report.briefing import registry, render_section, render_sections, select
from zzanalytics.report.phrases import Phrases
from zzanalytics.schema import is_criminal
from zzanalytics.store.coverage import Coverage

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def zh():
    return S.context("zh")


@pytest.fixture(scope="module")
def en():
    return S.context("en")


def in_period(frame: pd.DataFrame, col: str, years_back: int = 0) -> pd.DataFrame:
    d = pd.to_datetime(frame[col])
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    lo, hi = S.START - pd.DateOffset(years=years_back), S.END - pd.DateOffset(years=years_back)
    return frame[(d >= lo) & (d < hi + pd.Timedelta(days=1))]


def pct(cur: float, base: float) -> str:
    return f"{abs(cur - base) / base * 100:,.1f}%"


def n(x: float) -> str:
    return f"{x:,.0f}"


# ------------------------------------------------------------------ 1. overall


def test_overall_counts_and_changes_match_a_hand_count(zh, en):
    crim = S.incidents()
    crim = crim[crim["category"].map(is_criminal)]
    cur, last = len(in_period(crim, "occurred_at")), len(in_period(crim, "occurred_at", 1))
    telecom = crim[crim["category"] == "fraud.telecom"]
    t_cur, t_last = len(in_period(telecom, "occurred_at")), len(in_period(telecom, "occurred_at", 1))
    word = "上升" if cur > last else "下降"
    text = visible_text(render_section("overall", zh))
    assert "一、总体治安形势 " in text
    assert f"上半年,全区发生各类刑事案件{n(cur)}起,比去年同期{word}{pct(cur, last)}(" in text
    # the planted telecom fraud (about nine a month instead of one) is a tested rise
    assert f"电信网络诈骗{n(t_cur)}起,同比上升{pct(t_cur, t_last)}(显著)" in text
    text_en = visible_text(render_section("overall", en))
    assert (
        f"In H1, the district recorded {n(cur)} criminal cases, {'up' if cur > last else 'down'} " in text_en
    )
    assert f"telecom fraud {n(t_cur)}, up {pct(t_cur, t_last)} (significant)" in text_en


def test_changes_are_worded_by_their_test(zh):
    """上升/下降 carries the comparison's own test; the trend sentence follows the total's test.

    The reference comparisons take the coverage the section was given (``zh.cov``: complete, as
    the synthetic context has no store): inferred from these sparse frames (fraud.other's last
    record is in April) they would be "no data" and test nothing."""
    inc = S.incidents()
    text = visible_text(render_section("overall", zh))
    for label, prefix in (("盗窃案件", "theft"), ("诈骗案件", "fraud")):
        sub = inc[inc["category"].str.startswith(prefix)]
        r = compare_periods(sub, S.START, S.END, baseline="last_year", coverage=zh.cov)
        m = re.search(label + r"[\d,]+起,同比(上升|下降)[\d.]+%(\(.*?\))", text)
        assert m, text
        assert m.group(2) == ("(显著)" if r["significant"].iloc[0] else "(在正常波动范围内)")
    crim = inc[inc["category"].map(is_criminal)]
    total = compare_periods(crim, S.START, S.END, baseline="last_year", coverage=zh.cov).iloc[0]
    trend = {"up": "刑事发案呈上升态势", "down": "刑事发案呈下降态势"}.get(
        total["direction"], "刑事发案总体平稳,变化在正常波动范围内"
    )
    assert trend in text


# ------------------------------------------------------------------ 2. petitions


def test_petitions_batches_persons_and_rank(zh, en):
    pet = S.petitions()
    district = in_period(pet[pet["level"] == "district"], "received_on")
    text = visible_text(render_section("petitions", zh))
    assert f"赴区上访{n(len(district))}批{n(district['persons'].sum())}人次" in text
    assert "第二季度省、市信访案件通报中,我区排全省4个县市的第2位,在全市排第1位" in text
    text_en = visible_text(render_section("petitions", en))
    assert (
        f"{n(len(district))} batches ({n(district['persons'].sum())} persons) of petitions to the district"
        in text_en
    )
    assert "In the Q2 provincial and city petition reports, the district ranked 2nd of 4 counties" in text_en


def test_a_section_without_its_table_says_so_in_both_languages():
    """No petition records: the section says so and gives no petition figure (the rank among the
    peer counties comes from the peers table, which the district has)."""
    for lang, note in (("zh", "未导入信访登记数据。"), ("en", "No petition records were ingested.")):
        ctx = S.context(lang, petitions=pd.DataFrame())
        text = visible_text(render_section("petitions", ctx))
        assert note in text and not re.search(r"\d+(批|人次| batches| persons)", text)
        assert ("第2位" if lang == "zh" else "ranked 2nd of 4") in text


# ------------------------------------------------------------------ 3. traffic and fire


def test_safety_counts_losses_and_notable_incidents(zh, en):
    inc = S.incidents()
    traffic = in_period(inc[inc["category"].str.startswith("traffic")], "occurred_at")
    fires = in_period(inc[inc["category"] == "fire"], "occurred_at")
    deaths, injuries = int(traffic["deaths"].sum()), int(traffic["injuries"].sum())
    text = visible_text(render_section("safety", zh))
    assert f"发生道路交通事故{n(len(traffic))}起," in text and f"死亡{deaths}人、受伤{injuries}人" in text
    assert f"发生火灾{n(len(fires))}起,直接经济损失{fires['loss_yuan'].sum() / 1e4:,.1f}万元" in text
    assert "5月6日,丙乡发生一起重大道路交通事故(事故原因:drunk driving),造成2人死亡、3人受伤。" in text
    assert "3月5日,乙镇发生一起火灾" in text and "直接经济损失25.0万元" in text
    text_en = visible_text(render_section("safety", en))
    noun = {1: "death"}.get(deaths, "deaths"), {1: "injury"}.get(injuries, "injuries")
    assert f"with {deaths} {noun[0]} and {injuries} {noun[1]}" in text_en
    assert (
        "6 May: major traffic accident (cause: drunk driving) in Bing Township, 2 killed, 3 injured."
        in text_en
    )
    for t in (text, text_en):
        assert S.PHONE not in t and "138******78" in t  # the planted phone number is masked


# ------------------------------------------------------------------ 4. disputes


def test_disputes_found_resolved_backlog_and_median_days(zh, en):
    # a median is called a median, not an average (平均)
    d = S.disputes()
    found = in_period(d, "found_on")
    resolved = found[found["resolved_on"] <= S.END]
    backlog = d[(d["found_on"] <= S.END) & ~(d["resolved_on"] <= S.END)]
    days = float((resolved["resolved_on"] - resolved["found_on"]).dt.days.median())
    rate = len(resolved) / len(found) * 100
    text = visible_text(render_section("disputes", zh))
    assert (
        f"共排查矛盾纠纷{n(len(found))}件,已化解{n(len(resolved))}件,化解率{rate:.1f}%;"
        f"截至6月30日尚未化解{n(len(backlog))}件,化解用时中位数为{days:,.0f}天。"
    ) in text
    text_en = visible_text(render_section("disputes", en))
    assert f"found {n(len(found))} disputes and resolved {n(len(resolved))} ({rate:.1f}%)" in text_en
    assert f"the median time to resolve one was {days:,.0f} days" in text_en  # English says what Chinese says


# ------------------------------------------------------------------ 7. scorecard and notes


def test_scorecard_names_the_planted_rise_in_both_languages(zh, en):
    text = visible_text(render_section("scorecard", zh))
    assert re.search(r"甲街道\(诈骗上升[\d,.]+%\)等1个单位案件上升显著", text), text
    assert "七、区域考核评估" in text  # a store that names no area unit: the neutral word
    text_en = visible_text(render_section("scorecard", en))
    assert re.search(
        r"Jia Subdistrict \(Fraud up [\d,.]+%\) — 1 unit worsened significantly and is a", text_en
    )


def test_notes_word_every_quarantine_reason_code(zh, en):
    text = visible_text(render_section("notes", zh))
    assert "数据导入时共有8条记录" in text
    assert (
        "主要原因:数值为负3条、日期无法识别2条、位置在辖区以外1条、必填项缺失1条、取值无法识别1条。" in text
    )
    assert "其他原因" not in text
    text_en = visible_text(render_section("notes", en))
    assert "main reasons: negative number (3), unparseable date (2), outside the district (1)" in text_en
    assert "数据说明" in text and "Data notes" in text_en


# ------------------------------------------------------------------ whole briefing (slow: forecasts and maps)


@pytest.fixture(scope="module")
def whole(zh, en):
    return {lang: visible_text("".join(render_sections(ctx))) for lang, ctx in (("zh", zh), ("en", en))}


@pytest.mark.slow
def test_target_breach_and_the_ceilings_at_risk(whole):
    fires = in_period(S.incidents().query("category == 'fire'"), "occurred_at")
    assert f"火灾起数年度控制目标1,截至目前{len(fires)},预计全年" in whole["zh"]
    assert "超过目标的概率为>99%" in whole["zh"]
    assert "其中火灾起数超标风险较大,完成年度目标压力较大。" in whole["zh"]
    assert f"Fires: ceiling 1, {len(fires)} so far" in whole["en"]
    assert "The ceilings at high risk of being exceeded: fires;" in whole["en"]


@pytest.mark.slow
def test_rates_by_township_match_a_hand_computation(whole):
    inc = S.incidents()
    crim = in_period(inc[inc["category"].map(is_criminal)], "occurred_at")
    pop = {code: v[2] for code, v in S.AREAS.items()}
    rates = {code: (crim["area_code"] == code).sum() / pop[code] * 1e4 for code in pop}
    top = max(rates, key=rates.get)
    assert f"刑事案件发案率最高的是{S.AREAS[top][0]}(每万人{rates[top]:.1f}起)" in whole["zh"]
    assert (
        f"Highest rates of criminal cases per 10,000 residents: {S.AREAS[top][1]}: {rates[top]:.1f}"
        in whole["en"]
    )


@pytest.mark.slow
def test_every_rise_carries_its_test_and_english_has_no_chinese(whole):
    for lang in ("zh", "en"):
        assert unqualified_changes(whole[lang]) == [], lang
    # the synthetic data carry no Chinese text, so any Chinese in the English briefing is a template leak
    assert not CJK.findall(whole["en"])
    for bad in ("nan", "None", "NaN", "NaT", "inf", "{", "}"):
        assert not re.search(rf"(?<![A-Za-z]){re.escape(bad)}(?![A-Za-z])", whole["zh"] + whole["en"]), bad


@pytest.mark.slow
def test_both_languages_carry_the_same_numbers(whole):
    """English is level with Chinese: every percentage of the Chinese sentences is in the English ones."""
    zh_pcts = set(re.findall(r"\d[\d,]*\.\d%", whole["zh"]))
    en_pcts = set(re.findall(r"\d[\d,]*\.\d%", whole["en"]))
    assert zh_pcts == en_pcts, zh_pcts ^ en_pcts


# ------------------------------------------------------------------ the registry


def test_headings_are_numbered_among_the_sections_shown(zh):
    shown = [s.key for _, s in registry.numbered(maps=False)]
    assert "hotspots" not in shown
    text = visible_text(render_section("scorecard", zh, maps=False))
    assert "六、区域考核评估" in text  # the hotspot section is off: the scorecard moves up
    with pytest.raises(ReportError, match="unknown briefing option"):
        registry.enabled(charts=False)


def test_a_failing_section_is_a_notice_and_keeps_the_original_error():
    def broken(ctx):
        return {}["no such key"]

    ctx = S.context("zh")
    section = dataclasses.replace(registry.section("safety"), body=broken)
    html = section.render(ctx, 3)  # no exception: a notice in the briefing, the failure recorded
    assert 'class="zz-failed" data-section="safety"' in html and "三、交通和消防安全" in html
    assert "本节生成失败(KeyError)" in visible_text(html)
    (failure,) = ctx.failures
    assert failure["section"] == "safety" and failure["error"].startswith("KeyError")
    assert "in broken" in failure["where"] and '{}["no such key"]' in failure["traceback"]
    with pytest.raises(
        ReportError, match=r"section 'safety' \(三、交通和消防安全\) failed: KeyError"
    ) as info:
        section.render(ctx, 3, strict=True)
    assert isinstance(info.value.__cause__, KeyError)
    assert info.value.__cause__.__traceback__ is not None


def test_a_new_section_is_one_registry_entry(zh, en, monkeypatch):
    phrases = Phrases(
        {
            "none": ("本期无{what}数据。", "No {what} data for this period."),
            "what": ("巡逻", "patrol"),
            "lead": ("{period},{subject}开展巡逻{n}。", "In {period}, {subject} ran {n} patrols."),
        },
        name="patrol",
    )

    def body(ctx):
        return blocks.para(ctx.say(phrases["lead"], ctx.basics(), n=ctx.count(12, "次")))

    patrol = registry.Section("patrol", ("巡逻防控", "Patrols"), body, phrases)
    monkeypatch.setattr(registry, "SECTIONS", (*registry.SECTIONS[:-1], patrol, registry.SECTIONS[-1]))
    assert visible_text(render_section("patrol", zh)).strip() == "八、巡逻防控 上半年,全区开展巡逻12次。"
    assert (
        visible_text(render_section("patrol", en)).strip() == "8. Patrols In H1, the district ran 12 patrols."
    )
    assert zh.no_data(phrases["what"]) == "本期无巡逻数据。"
    assert en.no_data(phrases["what"]) == "No patrol data for this period."


def test_context_wording_helpers(zh, en):
    r = {"current": 11, "baseline": 10, "significant": True}
    assert zh.change(r) == "同比上升10.0%(显著)" and en.change(r) == "up 10.0% (significant)"
    assert (
        zh.count(1, "人", ("death", "deaths")) == "1人"
        and en.count(1, "人", ("death", "deaths")) == "1 death"
    )
    assert zh.join(["甲", "乙"]) == "甲、乙" and en.join(["a", "b"], "clause") == "a; b"
    assert en.subject == "the district" and zh.subject == "全区"
    assert select.row(zh, pd.DataFrame({"k": [], "current": []}), k=1) == {
        "current": 0,
        "baseline": 0,
        "significant": False,
        "direction": "flat",
    }


def test_peak_windows_in_words(zh, en):
    from types import SimpleNamespace

    from zzanalytics.report.briefing.rhythm import _peak_words

    def pk(first_day, days, first_hour, hours):
        end = first_hour + hours
        return SimpleNamespace(
            first_day=first_day,
            days=days,
            first_hour=first_hour,
            end_hour=end % 24,
            past_midnight=end > 24,
            share=0.312,
        )

    b = "theft.burglary"
    assert _peak_words(zh, b, pk(4, 3, 20, 6)) == "入室盗窃多发于周五至周日20时至次日2时(占31.2%)"
    assert (
        _peak_words(en, b, pk(4, 3, 20, 6))
        == "Burglary peaks Friday to Sunday, 20:00 to 02:00 the next day (31.2%)"
    )
    # six days: the day left out is named, not a range that wraps round the week
    assert _peak_words(zh, b, pk(6, 6, 23, 7)) == "入室盗窃多发于除周六外每天23时至次日6时(占31.2%)"
    assert _peak_words(en, b, pk(6, 6, 23, 7)).startswith("Burglary peaks every day but Saturday, ")
    assert _peak_words(zh, b, pk(0, 7, 8, 4)) == "入室盗窃多发于每天8时至12时(占31.2%)"
    assert _peak_words(zh, b, pk(2, 1, 8, 4)) == "入室盗窃多发于周三8时至12时(占31.2%)"
    assert _peak_words(zh, b, pk(1, 6, 17, 7)) == "入室盗窃多发于除周一外每天17时至24时(占31.2%)"
    assert "17:00 to 24:00 (31.2%)" in _peak_words(en, b, pk(1, 6, 17, 7))


def test_short_tables_print_whole_and_amounts_in_any_currency_align_right():
    from zzanalytics.report import blocks

    small = blocks.table(pd.DataFrame({"Item": ["Fire losses"], "This period": ["CAD 7.2 million"]}))
    assert '<table class="zz keep">' in small and '<td class="num">CAD 7.2 million</td>' in small
    long = blocks.table(pd.DataFrame({"k": [str(i) for i in range(blocks.KEEP_ROWS + 1)]}))
    assert '<table class="zz">' in long


def test_a_category_no_source_holds_is_worded_as_no_data(zh, en):
    """A police export without fraud (the store records what each source covers): fraud is "no
    data" in the lead, the key figures and table 1, never 0 or "none in this or last year"."""
    inc = S.incidents()
    inc = inc[~inc["category"].str.startswith("fraud")].copy()
    cov = S.coverage(inc, zh.tables)
    text = visible_text(render_section("overall", dataclasses.replace(zh, incidents=inc, coverage=cov)))
    assert "诈骗案件无数据" in text and "发生各类刑事案件38起(不含诈骗,无数据)" in text
    assert "诈骗案件0起" not in text and "均为0" not in text
    assert re.search(r"电信网络诈骗 — — 无数据", text)
    assert "侵财类案件占" not in text  # a share of theft and fraud needs both
    text_en = visible_text(render_section("overall", dataclasses.replace(en, incidents=inc, coverage=cov)))
    assert "no fraud data" in text_en and "none in this or the same period last year" not in text_en
    # only data said to be complete (Coverage.complete(), asked for by name) make the absent category a zero
    bare = dataclasses.replace(zh, incidents=inc, coverage=Coverage.complete())
    assert "诈骗案件0起" in visible_text(render_section("overall", bare))
