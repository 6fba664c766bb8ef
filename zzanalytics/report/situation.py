"""Sections 1-4 of the briefing: overall situation, petitions and stability, traffic and fire, disputes.

Sentences follow the register of the speech (``1-6月,全区发生各类刑事案件1,234起,比去年同期
上升5.2%(显著)``); a change is only called 上升/下降 together with its test.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts, theme
from zzanalytics.report import text as tx
from zzanalytics.report.context import (
    HEADINGS,
    INDENT,
    Context,
    _change,
    _change_table,
    _criminal,
    _local,
    _monthly,
    _prefix,
    _row,
    _within,
    compare,
)
from zzanalytics.schema import CRIMINAL_PREFIXES

# ------------------------------------------------------------------ 1. overall


def overall(ctx: Context) -> B.Html:
    """一、总体治安形势: criminal cases, theft, fraud and the high-incidence subcategories."""
    inc = _local(ctx, ctx.incidents)
    crim = _criminal(inc)
    total = _row(compare(ctx, crim))
    by1 = compare(ctx, crim, by=["category"], level=1)
    by2 = compare(ctx, crim, by=["category"])
    theft, fraud = _row(by1, category="theft"), _row(by1, category="fraud")
    burglary, vehicle = _row(by2, category="theft.burglary"), _row(by2, category="theft.vehicle")
    telecom = _row(by2, category="fraud.telecom")
    ctx.cache["overall"] = {"total": total, "by1": by1, "by2": by2}
    if ctx.zh:
        s1 = (
            f"{ctx.period},{ctx.subject}发生各类刑事案件{tx.count(total['current'])},"
            f"{_change(ctx, total, '比去年同期')};盗窃案件{tx.count(theft['current'])},{_change(ctx, theft)};"
            f"诈骗案件{tx.count(fraud['current'])},{_change(ctx, fraud)}。"
        )
        s2 = (
            f"其中入室盗窃{tx.count(burglary['current'])},{_change(ctx, burglary)};"
            f"机动车盗窃{tx.count(vehicle['current'])},{_change(ctx, vehicle)};"
            f"电信网络诈骗{tx.count(telecom['current'])},{_change(ctx, telecom)}。"
        )
        share = (theft["current"] + fraud["current"]) / total["current"] * 100 if total["current"] else np.nan
        trend = {"up": "刑事发案呈上升态势", "down": "刑事发案呈下降态势"}.get(
            str(total.get("direction")), "刑事发案总体平稳,变化在正常波动范围内"
        )
        s3 = f"{trend}" + (
            f",盗窃、诈骗等侵财类案件占刑事案件总数的{tx.pct(share)}。" if np.isfinite(share) else "。"
        )
    else:
        s1 = (
            f"In {ctx.period}, {ctx.subject} recorded {tx.count(total['current'], lang='en')} "
            "criminal cases, "
            f"{_change(ctx, total)}; theft {tx.count(theft['current'], lang='en')}, {_change(ctx, theft)}; "
            f"fraud {tx.count(fraud['current'], lang='en')}, {_change(ctx, fraud)}."
        )
        s2 = (
            f"Burglary {tx.count(burglary['current'], lang='en')}, {_change(ctx, burglary)}; "
            f"vehicle theft {tx.count(vehicle['current'], lang='en')}, {_change(ctx, vehicle)}; "
            f"telecom fraud {tx.count(telecom['current'], lang='en')}, {_change(ctx, telecom)}."
        )
        share = (theft["current"] + fraud["current"]) / total["current"] * 100 if total["current"] else np.nan
        trend = {"up": "Criminal cases are rising", "down": "Criminal cases are falling"}.get(
            str(total.get("direction")), "Criminal cases are stable, within normal variation"
        )
        s3 = trend + (f"; theft and fraud make up {tx.pct(share)} of them." if np.isfinite(share) else ".")
    rows = [(ctx.t("刑事案件合计", "All criminal cases"), total)]
    for code in CRIMINAL_PREFIXES:
        rows.append((ctx.label(code), _row(by1, category=code)))
        for sub in ("theft.burglary", "theft.vehicle", "theft.other", "fraud.telecom", "fraud.other"):
            if sub.startswith(code + "."):
                rows.append((INDENT + ctx.label(sub), _row(by2, category=sub)))
    tab = _change_table(ctx, rows)
    kpi = B.kpis(
        [
            (
                ctx.t("刑事案件", "Criminal cases"),
                tx.count(total["current"], lang=ctx.lang),
                _change(ctx, total, "同比"),
            ),
            (
                ctx.t("盗窃案件", "Theft"),
                tx.count(theft["current"], lang=ctx.lang),
                _change(ctx, theft, "同比"),
            ),
            (
                ctx.t("诈骗案件", "Fraud"),
                tx.count(fraud["current"], lang=ctx.lang),
                _change(ctx, fraud, "同比"),
            ),
        ]
    )
    monthly = _monthly(ctx, crim)
    fig1 = charts.year_on_year(
        monthly,
        ctx.end.year,
        last_month=ctx.end.month,
        lang=ctx.lang,
        title=ctx.t("刑事案件月度发案与去年同期对比", "Criminal cases per month, this year vs last"),
    )
    cmp = pd.DataFrame([{"label": lbl.strip(), **r} for lbl, r in rows[1:] if not lbl.startswith(INDENT)])
    fig2 = charts.change_bars(cmp, lang=ctx.lang, title=ctx.t("分类案件同比变化", "Change by category"))
    return B.join(
        B.heading(ctx.t(*HEADINGS["overall"])),
        kpi,
        B.para(s1, s2, s3),
        B.figure(fig1),
        B.figure(
            fig2,
            caption=ctx.t(
                "注:▲/▼为经检验的显著上升/下降,△/▽为在正常波动范围内的变化。",
                "▲/▼ significant rise/fall; △/▽ change within normal variation.",
            ),
        ),
        B.table(
            tab,
            caption=ctx.t(f"表1 {ctx.period}刑事案件分类统计", f"Table 1. Criminal cases, {ctx.period}"),
            highlight="_flag",
        ),
    )


# ------------------------------------------------------------------ 2. petitions

PETITION_GROUPS = (
    # key, zh, en, filter
    ("province_capital_irregular", "赴省进京非正常上访", "irregular petitions to the province and Beijing"),
    ("city_collective", "赴市集体上访", "collective petitions to the city"),
    ("district", "赴区上访", "petitions to the district"),
)


def _petition_subset(pet: pd.DataFrame, key: str) -> pd.DataFrame:
    if key == "province_capital_irregular":
        irregular = pet["irregular"].fillna(False).astype(bool)
        return pet[pet["level"].isin(["capital", "province"]) & irregular]
    if key == "city_collective":
        return pet[(pet["level"] == "city") & (pet["form"] == "collective")]
    return pet[pet["level"] == "district"]


def petition_rows(ctx: Context) -> list[dict[str, Any]]:
    """Batches and persons of each petition group this period and last year, with their tests."""
    pet = _local(ctx, ctx.tables["petitions"])
    out = []
    for key, zh, en in PETITION_GROUPS:
        sub = _petition_subset(pet, key)
        b = _row(compare(ctx, sub, date_col="received_on"))
        p = _row(compare(ctx, sub, date_col="received_on", weight="persons"))
        out.append({"key": key, "label": zh if ctx.zh else en, "batches": b, "persons": p})
    return out


def _peer_ranks(ctx: Context) -> str:
    """``第一季度省、市信访案件通报中,我区排全省X个县市的第X位,在全市排第X位``, from the peers table."""
    from zzanalytics.aggregate import peer_rank

    peers = ctx.tables["peers"]
    if ctx.area is not None or peers is None or peers.empty:
        return ""
    home = _home_county(peers, ctx.county)
    if home is None:
        return ""
    metric = (
        "petitions.irregular" if (peers["metric"] == "petitions.irregular").any() else peers["metric"].iloc[0]
    )
    rows = peers[(peers["metric"] == metric) & (peers["county"] == home)]
    periods = sorted(p for p in rows["period"].astype(str).unique() if p.startswith(str(ctx.end.year)))
    if not periods:
        periods = sorted(rows["period"].astype(str).unique())
    if not periods:
        return ""
    period = periods[-1]
    parts = []
    for scope in ("province", "city"):
        try:
            r = peer_rank(peers, home, metric, period, scope=scope if "scope" in peers.columns else None)
        except Exception:
            continue
        parts.append(tx.rank(r["rank"], r["n"], scope, ctx.lang))
    if not parts:
        return ""
    q = _quarter_label(period, ctx.lang)
    if ctx.zh:
        return (
            f"{q}省、市信访案件通报中,我区" + ",".join(parts) + "(按非正常上访批次由多到少排序,第1位为最多)。"
        )
    return (
        f"In the {q} provincial and city petition reports, the district "
        + " and ".join(parts)
        + " (rank 1 = most irregular petitions)."
    )


def _home_county(peers: pd.DataFrame, county: str | None = None) -> str | None:
    """Our county in the peers table: ``county`` (the store's district name) when given, else 本区/我区."""
    names = set(peers["county"].astype(str))
    if county:
        return county if county in names else None
    for name in ("本区", "我区"):
        if name in names:
            return name
    return None


def _quarter_label(period: str, lang: str) -> str:
    p = str(period)
    if "Q" in p:
        q = p.split("Q")[-1]
        zh = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}.get(q, p)
        return zh if lang == "zh" else f"Q{q}"
    return p


def petitions(ctx: Context) -> B.Html:
    """二、信访维稳形势: batches and persons per level with same-period change, provincial and city rank."""
    if ctx.tables["petitions"] is None or ctx.tables["petitions"].empty:
        return B.join(
            B.heading(ctx.t(*HEADINGS["petitions"])),
            B.para(ctx.t("未导入信访登记数据。", "No petition records were ingested."), cls="note"),
        )
    rows = petition_rows(ctx)
    ctx.cache["petitions"] = rows
    sentences = []
    for i, r in enumerate(rows):
        b, p = r["batches"], r["persons"]
        if b["current"] == 0 and b["baseline"] == 0:
            first = f"{ctx.period},{ctx.subject}" if ctx.zh else f"In {ctx.period}, {ctx.subject} had "
            prefix = first if i == 0 else ""
            sentences.append(
                f"{prefix}{r['label']}0批,与去年同期均为0"
                if ctx.zh
                else f"{prefix}no {r['label']}, none in the same period last year either"
            )
            continue
        if ctx.zh:
            lead = "与去年同期相比" if i == 0 else "同比"
            prefix = f"{ctx.period},{ctx.subject}" if i == 0 else ""
            change = (
                f"{_change(ctx, b, lead, '批数')}、{_change(ctx, p, '', '人数')}"
                if b["baseline"]
                else "去年同期为0"
            )
            sentences.append(f"{prefix}{r['label']}{tx.batches(b['current'], p['current'])},{change}")
        else:
            prefix = f"In {ctx.period}, {ctx.subject} had " if i == 0 else ""
            sentences.append(
                f"{prefix}{tx.batches(b['current'], p['current'], 'en')} of {r['label']}: "
                f"{_change(ctx, b, what='batches')}, {_change(ctx, p, what='persons')}"
            )
    text = ";".join(sentences) + "。" if ctx.zh else "; ".join(sentences) + "."
    rank = _peer_ranks(ctx)
    table_rows = []
    for r in rows:
        for what, unit, key in (
            (ctx.t("批数", "batches"), "批", "batches"),
            (ctx.t("人次", "persons"), "人次", "persons"),
        ):
            table_rows.append((f"{r['label']}({what})" if ctx.zh else f"{r['label']} ({what})", r[key], unit))
    tab = pd.concat(
        [_change_table(ctx, [(lbl, rr)], unit) for lbl, rr, unit in table_rows], ignore_index=True
    )
    from zzanalytics.aggregate import petition_counts

    pet = _local(ctx, ctx.tables["petitions"])
    levels = (
        petition_counts(
            pet, freq="year", by=("level",), start=pd.Timestamp(ctx.end.year - 1, 1, 1), end=ctx.end
        )
        if len(pet)
        else pd.DataFrame(columns=["level", "period", "batches"])
    )
    fig = None
    if len(levels):
        cur = _within(pet, "received_on", ctx.start, ctx.end)
        prev = _within(
            pet, "received_on", ctx.start - pd.DateOffset(years=1), ctx.end - pd.DateOffset(years=1)
        )
        lv = {
            "capital": ("进京", "Beijing"),
            "province": ("赴省", "Province"),
            "city": ("赴市", "City"),
            "district": ("赴区", "District"),
        }
        frame = pd.DataFrame(
            {
                "level": [lv[k][0 if ctx.zh else 1] for k in lv],
                "cur": [int((cur["level"] == k).sum()) for k in lv],
                "prev": [int((prev["level"] == k).sum()) for k in lv],
            }
        )
        fig = charts.grouped_bars(
            frame,
            "level",
            {"prev": ctx.t("去年同期", "Same period last year"), "cur": ctx.t("本期", "This period")},
            title=ctx.t("各层级上访批次(含正常与非正常)", "Petition batches by level"),
            colors=["#c7c7c7", theme.BLUE],
            height=300,
        )
    return B.join(
        B.heading(ctx.t(*HEADINGS["petitions"])),
        B.para(text, rank),
        B.figure(fig) if fig is not None else "",
        B.table(
            tab,
            caption=ctx.t(f"表2 {ctx.period}信访情况统计", f"Table 2. Petitions, {ctx.period}"),
            highlight="_flag",
        ),
    )


# ------------------------------------------------------------------ 3. traffic and fire

NOTABLE_FIRE_LOSS = 100_000.0
"""Fires with a direct loss from this many yuan (or any death) are listed as notable."""


def _sum(frame: pd.DataFrame, col: str) -> float:
    return float(pd.to_numeric(frame[col], errors="coerce").fillna(0).sum()) if col in frame.columns else 0.0


def notable_incidents(ctx: Context, traffic_limit: int = 8, fire_limit: int = 5) -> pd.DataFrame:
    """Major traffic accidents and large or deadly fires of the period, without any personal data.

    The most serious major accidents (by deaths, then injuries) and fires (by deaths, then loss;
    only fires with a death or a loss of at least :data:`NOTABLE_FIRE_LOSS`), in date order, with a
    ``severity`` rank. Only date, township, category, cause, deaths, injuries and loss are kept
    (never the id, description, coordinates or reporter); text columns are cleaned and masked.
    """
    inc = _within(_local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)

    def num(frame: pd.DataFrame, col: str) -> pd.Series:
        if col not in frame.columns:
            return pd.Series(0.0, index=frame.index)
        return pd.to_numeric(frame[col], errors="coerce").fillna(0)

    major = _prefix(inc, "traffic.major")
    major = major.assign(_d=num(major, "deaths"), _i=num(major, "injuries"), _l=0.0)
    major = major.sort_values(["_d", "_i"], ascending=False).head(traffic_limit)
    fires = _prefix(inc, "fire")
    fires = fires.assign(_d=num(fires, "deaths"), _i=num(fires, "injuries"), _l=num(fires, "loss_yuan"))
    fires = fires[(fires["_l"] >= NOTABLE_FIRE_LOSS) | (fires["_d"] > 0)]
    fires = fires.sort_values(["_d", "_l"], ascending=False).head(fire_limit)
    rows = pd.concat([major, fires])
    if rows.empty:
        return pd.DataFrame()
    rows = rows.assign(
        severity=(rows["_d"] * 1e9 + rows["_i"] * 1e6 + rows["_l"] / 1e3)
        .rank(ascending=False, method="first")
        .astype(int)
    ).sort_values("occurred_at")
    keep = pd.DataFrame(
        {
            "date": rows["occurred_at"],
            "area_code": rows["area_code"].astype(str),
            "category": rows["category"],
            "cause": rows["cause"] if "cause" in rows.columns else None,
            "deaths": rows["_d"].astype(int),
            "injuries": rows["_i"].astype(int),
            "loss_yuan": rows["_l"],
            "severity": rows["severity"],
        }
    )
    return tx.mask_frame(keep)


def _notable_sentence(ctx: Context, r: pd.Series) -> str:
    place = ctx.names.get(r["area_code"], r["area_code"])
    cause = tx.clean(r.get("cause") or "")
    if cause in ("其他", "其它", "other", "unknown", "不详"):
        cause = ""
    fire = str(r["category"]).startswith("fire")
    what = ctx.label(r["category"])
    if ctx.zh:
        harm = []
        if r["deaths"]:
            harm.append(f"{r['deaths']}人死亡")
        if r["injuries"]:
            harm.append(f"{r['injuries']}人受伤")
        if r["loss_yuan"] and fire:
            harm.append(f"直接经济损失{tx.money(r['loss_yuan'])}")
        why = f"({'起火原因' if fire else '事故原因'}:{cause})" if cause else ""
        tail = ",造成" + "、".join(harm) if harm else ""
        return f"{tx.date(r['date'])},{place}发生一起{what}{why}{tail}。"
    harm = []
    if r["deaths"]:
        harm.append(f"{r['deaths']} killed")
    if r["injuries"]:
        harm.append(f"{r['injuries']} injured")
    if r["loss_yuan"] and fire:
        harm.append(f"direct loss {tx.money(r['loss_yuan'], 'en')}")
    cause_en = f" (cause: {cause})" if cause else ""
    return f"{tx.date(r['date'], 'en')}: {what.lower()}{cause_en} in {place}" + (
        f", {', '.join(harm)}." if harm else "."
    )


def safety(ctx: Context) -> B.Html:
    """三、交通和消防安全: major accidents with deaths and injuries, fires and losses, notable incidents."""
    inc = _local(ctx, ctx.incidents)
    traffic = _prefix(inc, "traffic")
    major = _prefix(inc, "traffic.major")
    fire = _prefix(inc, "fire")
    cur_major = _within(major, "occurred_at", ctx.start, ctx.end)
    cur_traffic = _within(traffic, "occurred_at", ctx.start, ctx.end)
    cur_fire = _within(fire, "occurred_at", ctx.start, ctx.end)
    r_major, r_traffic, r_fire = (
        _row(compare(ctx, major)),
        _row(compare(ctx, traffic)),
        _row(compare(ctx, fire)),
    )
    r_deaths = _row(compare(ctx, traffic, weight="deaths")) if "deaths" in traffic.columns else None
    r_loss = _row(compare(ctx, fire, weight="loss_yuan")) if "loss_yuan" in fire.columns else None
    d_major, i_major = _sum(cur_major, "deaths"), _sum(cur_major, "injuries")
    d_all, i_all = _sum(cur_traffic, "deaths"), _sum(cur_traffic, "injuries")
    loss = _sum(cur_fire, "loss_yuan")
    if ctx.zh:
        if r_major["current"]:
            major_text = (
                f"其中重大道路交通事故{tx.count(r_major['current'])},死亡{tx.count(d_major, '人')}、"
                f"受伤{tx.count(i_major, '人')},{_change(ctx, r_major)}"
            )
        else:
            major_text = f"未发生重大道路交通事故(去年同期{tx.count(r_major['baseline'])})"
        s1 = (
            f"{ctx.period},{ctx.subject}发生道路交通事故{tx.count(r_traffic['current'])},"
            f"{_change(ctx, r_traffic)},死亡{tx.count(d_all, '人')}、受伤{tx.count(i_all, '人')};"
            f"{major_text}。"
        )
        loss_change = f",{_change(ctx, r_loss, '', '损失')}" if r_loss else ""
        s2 = (
            f"{ctx.period},{ctx.subject}发生火灾{tx.count(r_fire['current'])},直接经济损失{tx.money(loss)};"
            f"与去年同期相比,{_change(ctx, r_fire, '', '起数')}{loss_change}。"
        )
    else:
        s1 = (
            f"In {ctx.period}, {ctx.subject} had {tx.count(r_traffic['current'], lang='en')} "
            "road traffic accidents"
            f", {_change(ctx, r_traffic)}, with {tx.number(d_all)} deaths and {tx.number(i_all)} injuries; "
            f"{tx.count(r_major['current'], lang='en')} were major accidents ({tx.number(d_major)} deaths, "
            f"{tx.number(i_major)} injuries), {_change(ctx, r_major)}."
        )
        s2 = (
            f"There were {tx.count(r_fire['current'], lang='en')} fires with a direct economic loss of "
            f"{tx.money(loss, 'en')}; the number of fires is {_change(ctx, r_fire)}"
            + (f", the loss {_change(ctx, r_loss)}" if r_loss else "")
            + "."
        )
    rows = [
        (ctx.t("道路交通事故", "Traffic accidents"), r_traffic, "起"),
        (ctx.t("其中:重大事故", "of which major"), r_major, "起"),
    ]
    if r_deaths:
        rows.append((ctx.t("交通事故死亡人数", "Traffic deaths"), r_deaths, "人"))
    rows.append((ctx.t("火灾", "Fires"), r_fire, "起"))
    tab = pd.concat([_change_table(ctx, [(lbl, r)], unit) for lbl, r, unit in rows], ignore_index=True)
    if r_loss:
        money_row = _change_table(ctx, [(ctx.t("火灾直接经济损失", "Fire losses"), r_loss)], "")
        for col in (ctx.t("本期", "This period"), ctx.t("去年同期", "Last year")):
            money_row[col] = [
                tx.money(r_loss["current" if col == ctx.t("本期", "This period") else "baseline"], ctx.lang)
            ]
        tab = pd.concat([tab, money_row], ignore_index=True)
    notable = notable_incidents(ctx)
    blocks: list[Any] = [B.heading(ctx.t(*HEADINGS["safety"])), B.para(s1, s2)]
    monthly = _monthly(ctx, traffic)
    blocks.append(
        B.figure(
            charts.year_on_year(
                monthly,
                ctx.end.year,
                last_month=ctx.end.month,
                lang=ctx.lang,
                height=300,
                title=ctx.t("道路交通事故月度起数", "Traffic accidents per month"),
            )
        )
    )
    blocks.append(
        B.table(
            tab,
            caption=ctx.t(f"表3 {ctx.period}交通和火灾事故统计", f"Table 3. Traffic and fire, {ctx.period}"),
            highlight="_flag",
        )
    )
    blocks.append(B.heading(ctx.t("重大事故和较大火灾一览", "Notable incidents"), 3))
    if notable.empty:
        blocks.append(
            B.para(
                ctx.t(
                    "本期未发生重大道路交通事故和较大火灾。",
                    "No major traffic accident or large fire in the period.",
                ),
                cls="note",
            )
        )
    else:
        top = notable[notable["severity"] <= 3]
        blocks.append(B.para(*[_notable_sentence(ctx, r) for _, r in top.iterrows()]))
        show = pd.DataFrame(
            {
                ctx.t("日期", "Date"): [tx.date(d, ctx.lang) for d in notable["date"]],
                ctx.t("乡镇(街道)", "Township"): [ctx.names.get(a, a) for a in notable["area_code"]],
                ctx.t("类别", "Category"): [ctx.label(c) for c in notable["category"]],
                ctx.t("原因", "Cause"): notable["cause"].fillna("").replace("", "—"),
                ctx.t("死亡", "Deaths"): [tx.count(v, "人", ctx.lang) for v in notable["deaths"]],
                ctx.t("受伤", "Injured"): [tx.count(v, "人", ctx.lang) for v in notable["injuries"]],
                ctx.t("直接经济损失", "Loss"): [
                    tx.money(v, ctx.lang) if str(c).startswith("fire") else "—"
                    for v, c in zip(notable["loss_yuan"], notable["category"], strict=False)
                ],
            }
        )
        blocks.append(
            B.table(
                show,
                caption=ctx.t(
                    "表4 重大事故和较大火灾(不含个人信息)", "Table 4. Notable incidents (no personal data)"
                ),
            )
        )
    return B.join(*blocks)


# ------------------------------------------------------------------ 4. disputes


def disputes(ctx: Context) -> B.Html:
    """四、矛盾纠纷排查化解: found, resolved, resolution rate and backlog per township."""
    from zzanalytics.aggregate import dispute_summary

    d = ctx.tables["disputes"]
    local = _local(ctx, d)
    if local.empty:
        return B.join(
            B.heading(ctx.t(*HEADINGS["disputes"])),
            B.para(ctx.t("本期无矛盾纠纷排查数据。", "No dispute records in the period.")),
        )
    tot = dispute_summary(local, ctx.start, ctx.end, by=()).iloc[0]
    per = dispute_summary(d, ctx.start, ctx.end, by=("area_code",))
    per = per[per["found"] > 0].copy()
    per["name"] = per["area_code"].astype(str).map(lambda c: ctx.names.get(c, c))
    low = per.sort_values("resolution_rate").head(3) if ctx.area is None and len(per) > 3 else per.iloc[0:0]
    rate = tot["resolution_rate"] * 100 if np.isfinite(tot["resolution_rate"]) else np.nan
    if ctx.zh:
        s = (
            f"{ctx.period},{ctx.subject}共排查矛盾纠纷{tx.count(tot['found'], '件')},"
            f"已化解{tx.count(tot['resolved'], '件')},"
            f"化解率{tx.pct(rate)};截至{tx.date(ctx.end)}尚未化解{tx.count(tot['backlog'], '件')}"
            + (
                f",化解一件平均(中位数)用时{tx.number(tot['median_days_to_resolve'])}天"
                if np.isfinite(tot["median_days_to_resolve"])
                else ""
            )
            + "。"
        )
        if len(low):
            s += (
                "化解率较低的是"
                + "、".join(
                    f"{n}({tx.pct(r * 100)})"
                    for n, r in zip(low["name"], low["resolution_rate"], strict=False)
                )
                + ",要落实随排查、随调处,防止矛盾激化。"
            )
    else:
        s = (
            f"In {ctx.period}, {ctx.subject} found {tx.number(tot['found'])} disputes and resolved "
            f"{tx.number(tot['resolved'])} ({tx.pct(rate)}); {tx.number(tot['backlog'])} were still open on "
            f"{tx.date(ctx.end, 'en')}."
        )
        if len(low):
            s += (
                " Lowest resolution rates: "
                + ", ".join(
                    f"{n} ({tx.pct(r * 100)})"
                    for n, r in zip(low["name"], low["resolution_rate"], strict=False)
                )
                + "."
            )
    blocks: list[Any] = [B.heading(ctx.t(*HEADINGS["disputes"])), B.para(s)]
    if ctx.area is None and len(per):
        per = per.sort_values("found", ascending=False)
        blocks.append(
            B.figure(
                charts.grouped_bars(
                    per,
                    "name",
                    {
                        "found": ctx.t("排查", "Found"),
                        "resolved": ctx.t("化解", "Resolved"),
                        "backlog": ctx.t("积存未化解", "Open backlog"),
                    },
                    title=ctx.t("各乡镇(街道)矛盾纠纷排查化解情况", "Disputes by township"),
                    height=340,
                    text=False,
                )
            )
        )
        show = pd.DataFrame(
            {
                ctx.t("乡镇(街道)", "Township"): per["name"],
                ctx.t("排查", "Found"): [tx.count(v, "件", ctx.lang) for v in per["found"]],
                ctx.t("化解", "Resolved"): [tx.count(v, "件", ctx.lang) for v in per["resolved"]],
                ctx.t("化解率", "Rate"): [tx.pct(v * 100) for v in per["resolution_rate"]],
                ctx.t("积存未化解", "Backlog"): [tx.count(v, "件", ctx.lang) for v in per["backlog"]],
            }
        )
        blocks.append(B.table(show, caption=ctx.t("表5 矛盾纠纷排查化解", "Table 5. Disputes")))
    return B.join(*blocks)
