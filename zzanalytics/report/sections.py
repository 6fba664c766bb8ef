"""Sections of the briefing, in DESIGN.md's order: each builds its sentences, tables and charts from
the store's frames through the public API and returns one :class:`~zzanalytics.report.blocks.Html`.

The notebook holds one short call per section (``show(sections.overall(ctx))``); everything
computed here is tested through the rendered briefing and the unit tests.

Sentences are generated from the numbers in the register of the speech:
``1-6月,全区发生各类刑事案件1,234起,比去年同期上升5.2%(显著)``. A change is only called
上升/下降 together with its test (``significant`` from
:func:`zzanalytics.models.compare.compare_periods`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import charts
from zzanalytics.report import text as tx
from zzanalytics.schema import CRIMINAL_PREFIXES, category_label, is_criminal, matches

INDENT = "\u3000\u3000"
"""Indent of sub-items in tables (ideographic spaces survive HTML whitespace collapsing)."""

HEADINGS = {
    "overall": ("一、总体治安形势", "1. Overall situation"),
    "petitions": ("二、信访维稳形势", "2. Petitions and stability"),
    "safety": ("三、交通和消防安全", "3. Traffic and fire safety"),
    "disputes": ("四、矛盾纠纷排查化解", "4. Dispute resolution"),
    "forecast": ("五、年底预测与目标完成风险", "5. Forecasts to year end and target risk"),
    "hotspots": ("六、治安热点与视频监控覆盖", "6. Hotspots and camera coverage"),
    "scorecard": ("七、乡镇(街道)考核评估", "7. Township scorecard"),
    "notes": ("数据说明", "Data notes"),
}


# ------------------------------------------------------------------ context


@dataclass
class Context:
    """Everything a briefing needs, loaded once from the store (read-only)."""

    start: pd.Timestamp
    end: pd.Timestamp
    area: str | None
    lang: str
    incidents: pd.DataFrame
    areas: Any
    names: dict[str, str]
    tables: dict[str, pd.DataFrame]
    targets: dict[str, float] = field(default_factory=dict)
    store_path: str | None = None
    county: str | None = None
    streets: Any = None
    ingest_log: pd.DataFrame | None = None
    quarantine: pd.DataFrame | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def zh(self) -> bool:
        """True for a Chinese briefing."""
        return self.lang == "zh"

    @property
    def subject(self) -> str:
        """``全区`` / the township's name (en: ``the district`` / the name)."""
        if self.area is None:
            return "全区" if self.zh else "the district"
        return self.names.get(self.area, self.area)

    @property
    def period(self) -> str:
        """``1-10月`` (en ``January–October``)."""
        return tx.period_label(self.start, self.end, self.lang)

    def t(self, zh: str, en: str) -> str:
        """Pick the text of the briefing's language."""
        return zh if self.zh else en

    def label(self, code: str) -> str:
        """Category label in the briefing's language."""
        return category_label(code, self.lang)


def load(
    store: Any = None,
    start: Any = None,
    end: Any = None,
    area: str | None = None,
    lang: str = "zh",
    targets: dict[str, float] | None = None,
    county: str | None = None,
) -> Context:
    """Load the briefing's data from a store (path, open Store or ``None`` for the sample).

    Incidents are loaded up to ``end`` (the training data of the forecasts never sees later
    records), for the whole district (the scorecard compares townships) — sections filter to
    ``area`` themselves.

    Examples
    --------
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> ctx.period, ctx.subject  # doctest: +SKIP
    ('1-6月', '全区')
    """
    from zzanalytics.report.briefing import _Opened, resolve_period

    with _Opened(store) as st:
        if start is None or end is None:
            start, end = resolve_period(st, None)
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        incidents = st.incidents(end=end)
        areas = st.areas()
        streets = st.streets()
        tables = {name: st.table(name) for name in ("petitions", "disputes", "cameras", "peers", "targets")}
        log = _ingest_log(st)
        quarantine = st.quarantine()
        path = str(st.path)
    names = {}
    if areas is not None and len(areas):
        col = "name_en" if lang == "en" and "name_en" in areas.columns else "name"
        names = {str(c): tx.clean(n) or str(c) for c, n in zip(areas["area_code"], areas[col], strict=False)}
    if area not in (None, "", "district") and str(area) not in names:
        from zzanalytics.errors import ReportError

        raise ReportError(f"area {area!r} is not a township of the store; townships: {sorted(names)}")
    area = None if area in (None, "", "district") else str(area)
    return Context(
        start=start, end=end, area=area, lang=lang, incidents=incidents, areas=areas, names=names,
        tables=tables, targets=dict(targets or {}), store_path=path, county=county, streets=streets,
        ingest_log=log, quarantine=quarantine,
    )


# ------------------------------------------------------------------ helpers


def _ingest_log(st: Any) -> pd.DataFrame:
    """``st.ingest_log()``, tolerating a store whose log query fails (the notes then omit the sources)."""
    try:
        return st.ingest_log()
    except Exception:
        try:
            return st.con.execute('SELECT * FROM ingest_log ORDER BY "at"').df()
        except Exception:
            return pd.DataFrame()


def _local(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the briefing's area (all rows for the district)."""
    if ctx.area is None or "area_code" not in frame.columns:
        return frame
    return frame[frame["area_code"].astype(str) == ctx.area]


def _quiet() -> Any:
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore")
    return ctx


def compare(ctx: Context, frame: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """:func:`zzanalytics.compare_periods` of the briefing period with the same period last year."""
    from zzanalytics.models.compare import compare_periods

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare_periods(frame, ctx.start, ctx.end, baseline="last_year", **kwargs)


def _row(result: pd.DataFrame, **match: Any) -> dict[str, Any]:
    sel = result
    for k, v in match.items():
        sel = sel[sel[k] == v]
    if sel.empty:
        return {"current": 0, "baseline": 0, "significant": False, "direction": "flat"}
    return sel.iloc[0].to_dict()


def _change(ctx: Context, r: dict[str, Any], lead: str = "同比", what: str = "") -> str:
    s = tx.change(r["current"], r["baseline"], r.get("significant"), lang=ctx.lang, lead=lead)
    if ctx.zh and what:
        if s.startswith(lead) and ("上升" in s or "下降" in s):
            return lead + what + s[len(lead) :]
        if s == "去年同期为0":
            return f"去年同期{what}为0"
        if s == "与去年同期持平":
            return f"{what}与去年同期持平"
    if not ctx.zh and what:
        return f"{what} {s}"
    return s


def _criminal(frame: pd.DataFrame) -> pd.DataFrame:
    codes, uniques = pd.factorize(frame["category"])
    keep = np.array([is_criminal(str(u)) for u in uniques] + [False])[codes]
    return frame[keep]


def _prefix(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    codes, uniques = pd.factorize(frame["category"])
    keep = np.array([matches(str(u), prefix) for u in uniques] + [False])[codes]
    return frame[keep]


def _change_table(ctx: Context, rows: list[tuple[str, dict[str, Any]]], unit: str = "起") -> pd.DataFrame:
    """Worded comparison table: item, this period, same period last year, change, test."""
    out = []
    for label, r in rows:
        p = tx.pct_change(r["current"], r["baseline"])
        sig = bool(r.get("significant"))
        if np.isfinite(p):
            word = tx.pct(p, signed=True)
            verdict = ctx.t("显著", "significant") if sig else ctx.t("正常波动", "normal variation")
        else:
            word = ctx.t("去年同期为0", "none last year") if r["baseline"] == 0 and r["current"] else "—"
            verdict = "—"
        out.append(
            {
                ctx.t("项目", "Item"): label,
                ctx.t("本期", "This period"): tx.count(r["current"], unit, ctx.lang),
                ctx.t("去年同期", "Last year"): tx.count(r["baseline"], unit, ctx.lang),
                ctx.t("增减幅度", "Change"): word,
                ctx.t("检验结论", "Test"): verdict,
                "_flag": sig and np.isfinite(p) and p > 0,
            }
        )
    return pd.DataFrame(out)


def _monthly(ctx: Context, frame: pd.DataFrame, value: str = "count") -> pd.DataFrame:
    from zzanalytics.aggregate import counts

    first = pd.Timestamp(ctx.end.year - 1, 1, 1)
    return counts(frame, freq="month", by=(), start=first, end=ctx.end, value=value)


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
            f"In {ctx.period}, {ctx.subject} recorded {tx.count(total['current'], lang='en')} criminal cases, "
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
    """Our county in the peers table: ``county`` when given, else the sample manifest's district name."""
    names = set(peers["county"].astype(str))
    if county:
        return county if county in names else None
    for name in ("本区", "我区"):
        if name in names:
            return name
    import json

    from zzanalytics.config import sample_dir

    try:
        manifest = json.loads((sample_dir() / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    district = manifest.get("district") if isinstance(manifest, dict) else None
    name = district.get("name") if isinstance(district, dict) else None
    return str(name) if name in names else None


def _quarter_label(period: str, lang: str) -> str:
    p = str(period)
    if "Q" in p:
        q = p.split("Q")[-1]
        zh = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}.get(q, p)
        return zh if lang == "zh" else f"Q{q}"
    return p


def petitions(ctx: Context) -> B.Html:
    """二、信访维稳形势: batches and persons per level with same-period change, provincial and city rank."""
    rows = petition_rows(ctx)
    ctx.cache["petitions"] = rows
    sentences = []
    for i, r in enumerate(rows):
        b, p = r["batches"], r["persons"]
        if ctx.zh:
            lead = "与去年同期相比" if i == 0 else "同比"
            prefix = f"{ctx.period},{ctx.subject}" if i == 0 else ""
            sentences.append(
                f"{prefix}{r['label']}{tx.batches(b['current'], p['current'])},"
                f"{_change(ctx, b, lead, '批数')}、{_change(ctx, p, '', '人数')}"
            )
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


def _within(frame: pd.DataFrame, col: str, start: Any, end: Any) -> pd.DataFrame:
    d = pd.to_datetime(frame[col])
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    return frame[(d >= pd.Timestamp(start)) & (d < pd.Timestamp(end) + pd.Timedelta(days=1))]


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
    rows = rows.assign(severity=(rows["_d"] * 1e9 + rows["_i"] * 1e6 + rows["_l"] / 1e3).rank(
        ascending=False, method="first").astype(int)).sort_values("occurred_at")
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
        s1 = (
            f"{ctx.period},{ctx.subject}发生道路交通事故{tx.count(r_traffic['current'])},{_change(ctx, r_traffic)},"
            f"死亡{tx.count(d_all, '人')}、受伤{tx.count(i_all, '人')};其中重大道路交通事故"
            f"{tx.count(r_major['current'])},死亡{tx.count(d_major, '人')}、受伤{tx.count(i_major, '人')},"
            f"{_change(ctx, r_major)}。"
        )
        loss_change = f",{_change(ctx, r_loss, '', '损失')}" if r_loss else ""
        s2 = (
            f"{ctx.period},{ctx.subject}发生火灾{tx.count(r_fire['current'])},直接经济损失{tx.money(loss)};"
            f"与去年同期相比,{_change(ctx, r_fire, '', '起数')}{loss_change}。"
        )
    else:
        s1 = (
            f"In {ctx.period}, {ctx.subject} had {tx.count(r_traffic['current'], lang='en')} road traffic accidents"
            f" ({_change(ctx, r_traffic)}) with {tx.number(d_all)} deaths and {tx.number(i_all)} injuries; "
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
            f"{ctx.period},{ctx.subject}共排查矛盾纠纷{tx.count(tot['found'], '件')},已化解{tx.count(tot['resolved'], '件')},"
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


# ------------------------------------------------------------------ 5. forecasts and targets

FORECAST_SERIES = (
    # (label key, category prefix or "criminal")
    ("criminal", "criminal"),
    ("theft", "theft"),
    ("fraud", "fraud"),
    ("theft.burglary", "theft.burglary"),
)
TARGET_LABELS = {
    "fire.count": ("火灾起数", "Fires"),
    "fire.loss_yuan": ("火灾直接经济损失", "Fire losses"),
    "traffic.deaths": ("交通事故死亡人数", "Traffic deaths"),
    "traffic.major": ("重大道路交通事故起数", "Major traffic accidents"),
}


def _series_counts(ctx: Context) -> pd.DataFrame:
    """Monthly counts of the forecast series (``series`` key) from January five years back to ``end``."""
    from zzanalytics.aggregate import counts

    inc = _local(ctx, ctx.incidents)
    first = pd.Timestamp(ctx.end.year - 5, 1, 1)
    parts = []
    for key, prefix in FORECAST_SERIES:
        sub = _criminal(inc) if prefix == "criminal" else _prefix(inc, prefix)
        c = counts(sub, freq="month", by=(), start=first, end=ctx.end)
        parts.append(c.assign(series=key))
    return pd.concat(parts, ignore_index=True)[["series", "period", "count"]]


def year_end_forecast(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast each series to December and sum to year-end totals with 80% intervals.

    Returns the monthly forecast frame and a totals frame ``[series, observed, expected, lo80, hi80]``
    (intervals of the total from the forecast's simulated paths).
    """
    from zzanalytics.models.forecast import forecast

    monthly = _series_counts(ctx)
    horizon = 12 - ctx.end.month
    if horizon <= 0 or not ctx.end.is_month_end:
        return pd.DataFrame(), pd.DataFrame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc, paths = forecast(
            monthly,
            horizon=horizon,
            by=["series"],
            until=ctx.end,
            workers=1,
            progress=False,
            return_paths=True,
            n_paths=2000,
            seed=0,
        )
    keys = fc.drop_duplicates("series")["series"].tolist()
    ytd = monthly[monthly["period"].dt.year == ctx.end.year].groupby("series")["count"].sum()
    rows = []
    for i, key in enumerate(keys):
        totals = paths[i].sum(axis=1) + float(ytd.get(key, 0))
        rows.append(
            {
                "series": key,
                "observed": float(ytd.get(key, 0)),
                "expected": float(np.mean(totals)),
                "lo80": float(np.quantile(totals, 0.1)),
                "hi80": float(np.quantile(totals, 0.9)),
            }
        )
    return fc, pd.DataFrame(rows)


def targets_breach(ctx: Context) -> pd.DataFrame:
    """Probability of breaching each annual ceiling (``target_breach``), or an empty frame."""
    try:
        from zzanalytics.models.targets import target_breach
    except ImportError:
        return pd.DataFrame()
    tg = ctx.tables["targets"]
    tg = tg[tg["year"] == ctx.end.year] if len(tg) else tg
    ceilings = {str(m): float(c) for m, c in zip(tg.get("metric", []), tg.get("ceiling", []), strict=False)}
    ceilings.update(ctx.targets)
    if not ceilings or ctx.area is not None:
        return pd.DataFrame()
    inc = ctx.incidents
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _call_target_breach(target_breach, inc, ceilings, ctx)


def _call_target_breach(fn: Any, inc: pd.DataFrame, ceilings: dict[str, float], ctx: Context) -> pd.DataFrame:
    import inspect

    params = inspect.signature(fn).parameters
    kwargs: dict[str, Any] = {}
    targets_frame = pd.DataFrame(
        {"year": ctx.end.year, "metric": list(ceilings), "ceiling": list(ceilings.values())}
    )
    for name in params:
        if name in ("incidents", "frame"):
            kwargs[name] = inc
        elif name == "targets":
            kwargs[name] = targets_frame
        elif name in ("as_of", "until", "end"):
            kwargs[name] = ctx.end
        elif name == "year":
            kwargs[name] = ctx.end.year
        elif name in ("workers",):
            kwargs[name] = 1
        elif name == "progress":
            kwargs[name] = False
    return fn(**kwargs)


def forecasts(ctx: Context) -> B.Html:
    """五、年底预测与目标完成风险: year-end totals of key categories and target-breach probabilities."""
    blocks: list[Any] = [B.heading(ctx.t(*HEADINGS["forecast"]), new_page=False)]
    fc, totals = year_end_forecast(ctx)
    labels = {"criminal": ctx.t("刑事案件", "criminal cases")}
    if totals.empty:
        blocks.append(
            B.para(
                ctx.t("本期截至12月,无需预测全年发案。", "The period ends in December; no forecast needed.")
            )
        )
    else:
        parts = []
        for _, r in totals.iterrows():
            name = labels.get(r["series"]) or ctx.label(r["series"])
            if ctx.zh:
                parts.append(
                    f"{name}{tx.count(round(r['expected']))}(80%区间{tx.number(r['lo80'])}-{tx.count(r['hi80'])})"
                )
            else:
                parts.append(
                    f"{name.lower()} {tx.number(round(r['expected']))} (80% interval "
                    f"{tx.number(r['lo80'])}–{tx.number(r['hi80'])})"
                )
        if ctx.zh:
            s = (
                f"按{ctx.period}发案走势和历年季节规律预测,{ctx.subject}全年预计发生"
                + "、".join(parts)
                + "。"
            )
        else:
            s = (
                f"On the trend to {tx.date(ctx.end, 'en')} and past seasonality, {ctx.subject} can expect "
                + "; ".join(parts)
                + " for the whole year."
            )
        blocks.append(B.para(s))
        hist = _series_counts(ctx)
        crim_hist = hist[hist["series"] == "criminal"]
        crim_fc = fc[fc["series"] == "criminal"]
        blocks.append(
            B.figure(
                charts.forecast_fan(
                    crim_hist,
                    crim_fc,
                    since=pd.Timestamp(ctx.end.year - 1, 1, 1),
                    lang=ctx.lang,
                    title=ctx.t(
                        "刑事案件月度发案及年底前预测", "Criminal cases per month and forecast to December"
                    ),
                )
            )
        )
    breach = targets_breach(ctx)
    if not breach.empty:
        lab = {k: v[0 if ctx.zh else 1] for k, v in TARGET_LABELS.items()}
        parts = []
        for _, r in breach.iterrows():
            name = lab.get(r["metric"], r["metric"])
            money = str(r["metric"]).endswith("loss_yuan")
            fmt = (lambda v: tx.money(v, ctx.lang)) if money else (lambda v: tx.number(v))
            if ctx.zh:
                parts.append(
                    f"{name}年度控制目标{fmt(r['ceiling'])},截至目前{fmt(r['observed_to_date'])},"
                    f"预计全年{fmt(r['expected'])},超过目标的概率为{tx.probability(r['p_breach'])}"
                )
            else:
                parts.append(
                    f"{name}: ceiling {fmt(r['ceiling'])}, {fmt(r['observed_to_date'])} so far, "
                    f"{fmt(r['expected'])} expected, probability of breach {tx.probability(r['p_breach'], 'en')}"
                )
        risky = breach[breach["p_breach"] >= 0.5]
        if ctx.zh:
            s = "对照市对区安全生产目标责任书:" + ";".join(parts) + "。"
            if len(risky):
                s += (
                    "其中"
                    + "、".join(lab.get(m, m) for m in risky["metric"])
                    + "超标风险较大,完成年度目标压力较大。"
                )
        else:
            s = "Against the annual safety targets: " + "; ".join(parts) + "."
        blocks.append(B.para(s))
        blocks.append(
            B.figure(
                charts.target_gauge(
                    breach,
                    labels=lab,
                    lang=ctx.lang,
                    title=ctx.t("安全生产目标完成风险", "Annual targets: risk of breach"),
                )
            )
        )
    elif ctx.area is not None:
        blocks.append(
            B.para(
                ctx.t(
                    "安全生产目标按全区考核,见全区简报。",
                    "Safety targets are set for the district; see the district briefing.",
                ),
                cls="note",
            )
        )
    return B.join(*blocks)


# ------------------------------------------------------------------ 6. hotspots and cameras

HOTSPOT_CELL_M = 400.0
"""Cell side of the briefing's hotspot grid (metres)."""


def _area_polygons(ctx: Context) -> Any:
    if ctx.areas is None or len(ctx.areas) == 0:
        return ctx.areas
    if ctx.area is None:
        return ctx.areas
    return ctx.areas[ctx.areas["area_code"].astype(str) == ctx.area]


def _located(frame: pd.DataFrame) -> pd.DataFrame:
    if "lon" not in frame.columns:
        return frame.iloc[0:0]
    return frame[frame["lon"].notna() & frame["lat"].notna()]


def hotspot_cells(ctx: Context, category: str = "theft.burglary", permutations: int = 499) -> Any:
    """Gi* hot and cold spots of ``category`` in the period on a grid over the area."""
    from zzanalytics.spatial.grid import make_grid
    from zzanalytics.spatial.hotspots import hotspots

    polys = _area_polygons(ctx)
    inc = _located(_prefix(_local(ctx, ctx.incidents), category))
    if polys is None or len(polys) == 0 or inc.empty:
        return None
    grid = make_grid(polys, cell=HOTSPOT_CELL_M)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hotspots(inc, grid, ctx.start, ctx.end, permutations=permutations, risk=False)


def emerging_cells(ctx: Context, months: int = 12) -> Any:
    """Emerging hot spot patterns of criminal cases over the last ``months`` months."""
    from zzanalytics.spatial.emerging import emerging_hotspots
    from zzanalytics.spatial.grid import cell_counts, make_grid

    polys = _area_polygons(ctx)
    inc = _located(_criminal(_local(ctx, ctx.incidents)))
    if polys is None or len(polys) == 0 or inc.empty:
        return None
    grid = make_grid(polys, cell=HOTSPOT_CELL_M)
    first = (ctx.end - pd.DateOffset(months=months - 1)).replace(day=1)
    cube = cell_counts(inc, grid, freq="month", start=first, end=ctx.end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = emerging_hotspots(cube, grid, permutations=99)
    frame = res.to_frame()
    return grid.merge(frame[["cell_id", "pattern"]], on="cell_id", how="left")


def crime_rates(ctx: Context) -> pd.Series:
    """Criminal cases per 10,000 residents per township in the period."""
    from zzanalytics.aggregate import counts, rates

    inc = _criminal(ctx.incidents)
    c = counts(inc, freq="year", by=("area_code",), start=ctx.start, end=ctx.end, areas=ctx.areas)
    c = c.groupby("area_code", as_index=False)["count"].sum()
    r = rates(c, ctx.areas)
    return r.set_index(r["area_code"].astype(str))["rate"]


def hotspots_section(ctx: Context) -> B.Html:
    """六、治安热点与视频监控覆盖: rates by township, burglary hot spots, emerging hot spots, cameras."""
    from zzanalytics.report import maps

    blocks: list[Any] = [B.heading(ctx.t(*HEADINGS["hotspots"]))]
    polys = _area_polygons(ctx)
    if ctx.area is None and ctx.areas is not None and len(ctx.areas):
        rate = crime_rates(ctx)
        top = rate.sort_values(ascending=False).head(3)
        names = [ctx.names.get(c, c) for c in top.index]
        if ctx.zh:
            s = (
                "按常住人口计算,刑事案件发案率最高的是"
                + "、".join(f"{n}(每万人{tx.number(v, 1)}起)" for n, v in zip(names, top, strict=False))
                + "。"
            )
        else:
            s = (
                "Highest criminal-case rates per 10,000 residents: "
                + ", ".join(f"{n} ({tx.number(v, 1)})" for n, v in zip(names, top, strict=False))
                + "."
            )
        blocks.append(B.para(s))
        highlight = worse_areas(ctx)
        blocks.append(
            B.figure(
                maps.choropleth(
                    ctx.areas,
                    rate,
                    lang=ctx.lang,
                    unit=ctx.t("起/万人", " per 10k"),
                    highlight=highlight,
                    title=ctx.t(
                        f"{ctx.period}各乡镇(街道)每万人刑事案件数",
                        f"Criminal cases per 10,000 residents, {ctx.period}",
                    ),
                )
            )
        )
    hs = hotspot_cells(ctx)
    if hs is not None:
        n_hot = int(hs["hotspot"].astype(str).str.startswith("hot").sum())
        hot_count = int(hs.loc[hs["hotspot"].astype(str).str.startswith("hot"), "count"].sum())
        total = int(hs["count"].sum())
        share = hot_count / total * 100 if total else np.nan
        hot_cells = hs[hs["hotspot"].astype(str).str.startswith("hot")]
        hot_km2 = float(hot_cells.to_crs(hot_cells.estimate_utm_crs()).area.sum() / 1e6) if n_hot else 0.0
        if ctx.zh:
            s = (
                f"入室盗窃案件空间聚集分析(Getis-Ord Gi*,{int(HOTSPOT_CELL_M)}米网格,经错误发现率校正)显示,"
                f"共有{n_hot}个网格为显著热点,面积约{tx.number(hot_km2, 1)}平方公里,集中了"
                f"{tx.pct(share)}的入室盗窃案件,应作为巡逻防控的重点区域。"
                if n_hot
                else "入室盗窃案件空间分布未发现显著热点。"
            )
        else:
            s = (
                f"Burglary hot spots (Getis-Ord Gi*, {int(HOTSPOT_CELL_M)} m cells, FDR-corrected): {n_hot} cells "
                f"(about {tx.number(hot_km2, 1)} km²) hold {tx.pct(share)} of the burglaries."
                if n_hot
                else "Burglaries show no significant hot spot."
            )
        blocks.append(B.para(s))
        blocks.append(
            B.figure(
                maps.cell_map(
                    hs,
                    areas=polys,
                    lang=ctx.lang,
                    title=ctx.t(f"{ctx.period}入室盗窃热点分布", f"Burglary hot spots, {ctx.period}"),
                )
            )
        )
    em = emerging_cells(ctx)
    if em is not None:
        pat = em["pattern"].astype(str)
        hot = em[pat.str.contains("hot")]
        if len(hot):
            counts_by = hot["pattern"].value_counts()
            words = []
            for p, n in counts_by.items():
                key = maps._style_key(p)
                zh_name, en_name = maps.HOTSPOT_STYLE.get(key, (None, p, p))[1:]
                words.append(f"{zh_name}网格{n}个" if ctx.zh else f"{n} {en_name.lower()} cells")
            s = ctx.t(
                "近12个月刑事案件时空热点分析显示:", "Emerging hot spots of criminal cases over 12 months: "
            ) + ("、".join(words) + "。" if ctx.zh else ", ".join(words) + ".")
            blocks.append(B.para(s))
            blocks.append(
                B.figure(
                    maps.cell_map(
                        hot,
                        column="pattern",
                        areas=polys,
                        lang=ctx.lang,
                        title=ctx.t(
                            "近12个月刑事案件新增、持续和加剧热点", "Emerging hot spots, last 12 months"
                        ),
                    )
                )
            )
    blocks.append(cameras_block(ctx))
    return B.join(*blocks)


def cameras_block(ctx: Context) -> B.Html:
    """Cameras and checkpoints, coverage of main streets and incidents, proposed sites."""
    from zzanalytics.report import maps

    cams = ctx.tables["cameras"]
    if cams is None or cams.empty:
        return B.para(ctx.t("未导入视频监控点位数据。", "No camera data ingested."), cls="note")
    if "status" in cams.columns:
        cams = cams[cams["status"].fillna("working").astype(str) != "planned"]
    polys = _area_polygons(ctx)
    if ctx.area is not None and polys is not None and len(polys):
        import geopandas as gpd

        pts = gpd.GeoSeries(gpd.points_from_xy(cams["lon"], cams["lat"]), crs="EPSG:4326")
        cams = cams[pts.within(polys.union_all()).to_numpy()]
    n_cam = int((cams["kind"] == "camera").sum())
    n_chk = int((cams["kind"] == "checkpoint").sum())
    cov = camera_coverage_summary(ctx, cams)
    if ctx.zh:
        s = f"{ctx.subject}现有视频监控点{tx.count(n_cam, '个')}、智能卡口{tx.count(n_chk, '个')}。"
        if cov.get("street_share") is not None:
            s += f"主要街道监控覆盖率为{tx.pct(cov['street_share'])}"
            s += (f",尚有{tx.number(cov['gap_km'], 1)}公里未覆盖(图中红线),尚未实现全覆盖"
                  if cov["street_share"] < 99.95 else ",已实现全覆盖")
            s += (
                f";{ctx.period}{tx.pct(cov['incident_share'])}的刑事案件发生在监控点{int(COVERAGE_RADIUS_M)}米范围内。"
                if cov.get("incident_share") is not None
                else "。"
            )
        if cov.get("n_sites"):
            s += f"按未覆盖案件数量测算,建议优先在{cov['n_sites']}处新增监控点位(图中星号)"
            after = cov.get("incident_share_after")
            s += f",建成后案件监控覆盖率可提高到{tx.pct(after)}。" if after is not None else "。"
    else:
        s = f"{ctx.subject.capitalize()} has {tx.number(n_cam)} cameras and {tx.number(n_chk)} smart checkpoints."
        if cov.get("street_share") is not None:
            s += f" {tx.pct(cov['street_share'])} of main streets are covered"
            s += (
                f"; {tx.pct(cov['incident_share'])} of incidents occurred in view."
                if cov.get("incident_share") is not None
                else "."
            )
        if cov.get("n_sites"):
            s += f" {cov['n_sites']} new sites are proposed (stars)."
    streets = ctx.streets
    if streets is not None and len(streets) and polys is not None and len(polys) and ctx.area is not None:
        streets = streets[streets.intersects(polys.union_all())]
    fig = maps.camera_map(
        cams,
        areas=polys,
        streets=streets,
        gaps=cov.get("gaps"),
        sites=cov.get("sites"),
        lang=ctx.lang,
        title=ctx.t("视频监控点位与主要街道覆盖", "Cameras and main-street coverage"),
    )
    return B.join(B.para(s), B.figure(fig))


def camera_coverage_summary(ctx: Context, cams: pd.DataFrame) -> dict[str, Any]:
    """Coverage of main streets and of incidents and proposed sites, through ``spatial.coverage``.

    Returns an empty dict when the coverage module is not available or fails on these data.
    """
    try:
        from zzanalytics.spatial import coverage
    except ImportError:
        return {}
    try:
        return coverage_summary(coverage, ctx, cams)
    except Exception as exc:  # a coverage failure must not sink the whole briefing
        ctx.cache.setdefault("warnings", []).append(f"camera coverage: {type(exc).__name__}: {exc}")
        return {}


COVERAGE_RADIUS_M = 100.0
"""A camera covers this many metres around it (streets and incidents)."""
NEW_SITES = 10


def coverage_summary(coverage: Any, ctx: Context, cams: pd.DataFrame) -> dict[str, Any]:
    """Coverage of main streets and of the period's criminal cases, and :data:`NEW_SITES` proposed sites.

    Shares are in percent; ``gaps`` are the uncovered main-street segments, ``sites`` the proposals.
    """
    streets = ctx.streets
    polys = _area_polygons(ctx)
    if streets is None or len(streets) == 0:
        return {}
    if ctx.area is not None and polys is not None and len(polys):
        streets = streets.clip(polys.union_all())
        streets = streets[~streets.geometry.is_empty]
        if streets.empty:
            return {}
    inc = _located(_criminal(_within(_local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = coverage.camera_coverage(cams, streets, inc, radius=COVERAGE_RADIUS_M, date=ctx.end)
        sit = coverage.site_cameras(cams, streets, inc, k=NEW_SITES, radius=COVERAGE_RADIUS_M, date=ctx.end)
    sites = sit.sites
    after = sit.after.get("incident_share") if isinstance(sit.after, dict) else None
    return {
        "street_share": res.street_share * 100 if np.isfinite(res.street_share) else None,
        "incident_share": res.incident_share * 100 if np.isfinite(res.incident_share) else None,
        "gaps": res.uncovered,
        "sites": sites,
        "n_sites": len(sites),
        "incident_share_after": after * 100 if after is not None and np.isfinite(after) else None,
        "gap_km": float(res.uncovered["length_m"].sum() / 1000) if len(res.uncovered) else 0.0,
    }


# ------------------------------------------------------------------ 7. scorecard

SCORECARD_CATEGORIES = ("theft", "theft.burglary", "fraud", "robbery", "assault", "traffic", "fire")


def township_scorecard(ctx: Context) -> pd.DataFrame:
    """:func:`zzanalytics.models.compare.scorecard` of every township (FDR across all cells)."""
    from zzanalytics.models.compare import scorecard

    if "scorecard" not in ctx.cache:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ctx.cache["scorecard"] = scorecard(
                ctx.incidents, ctx.start, ctx.end, areas=ctx.areas, categories=SCORECARD_CATEGORIES
            )
    return ctx.cache["scorecard"]


def worse_areas(ctx: Context) -> list[str]:
    """Township codes with at least one category significantly up (FDR-corrected)."""
    sc = township_scorecard(ctx)
    bad = sc[sc["significant"].astype(bool) & (sc["direction"] == "up")]
    return sorted(bad["area_code"].astype(str).unique())


def scorecard_section(ctx: Context) -> B.Html:
    """七、乡镇(街道)考核评估: which units worsened significantly (candidates for 重点整治)."""
    sc = township_scorecard(ctx)
    if ctx.area is not None:
        sc = sc[sc["area_code"].astype(str) == ctx.area]
    bad = sc[sc["significant"].astype(bool) & (sc["direction"] == "up")]
    ctx.cache["worse_areas"] = sorted(bad["area_code"].astype(str).unique())
    items, own = [], []
    for code, grp in bad.groupby("area_code", sort=True):
        name = ctx.names.get(str(code), str(code))
        cats = [
            f"{ctx.label(c)}{_up_word(ctx, cu, ba)}"
            for c, cu, ba in zip(grp["category"], grp["current"], grp["baseline"], strict=False)
        ]
        own.extend(cats)
        items.append(f"{name}(" + "、".join(cats) + ")" if ctx.zh else f"{name} (" + ", ".join(cats) + ")")
    n_units = len(ctx.cache["worse_areas"])
    if ctx.area is None:
        if ctx.zh:
            s = (
                f"对{len(sc['area_code'].unique())}个乡镇(街道)、{len(SCORECARD_CATEGORIES)}类案件逐一与去年同期比较"
                f"(按历年波动幅度检验,并对多重比较作错误发现率校正):"
            )
            s += (
                "、".join(items) + f"等{n_units}个单位案件上升显著,建议列为重点整治对象,督促抓好整改落实。"
                if items
                else "未发现案件显著上升的乡镇(街道),各单位变化均在正常波动范围内。"
            )
        else:
            s = (
                f"Each of {len(sc['area_code'].unique())} townships × {len(SCORECARD_CATEGORIES)} categories was "
                "compared with the same period last year (tested against its usual variation, FDR-corrected): "
            )
            s += (
                "; ".join(items) + f" — {n_units} units worsened significantly and are candidates for "
                "targeted rectification."
                if items
                else "no township worsened significantly."
            )
    else:
        if ctx.zh:
            s = (
                f"与去年同期相比,{ctx.subject}" + "、".join(own) + ",经检验上升显著,属重点整治候选。"
                if own
                else f"与去年同期相比,{ctx.subject}各类案件变化均在正常波动范围内。"
            )
        else:
            s = "Significant rises: " + "; ".join(own) + "." if own else "No category rose significantly."
    table = scorecard_table(ctx, sc)
    return B.join(
        B.heading(ctx.t(*HEADINGS["scorecard"])),
        B.para(s),
        table,
        B.note(
            ctx.t(
                "注:表中数字为与去年同期相比的增减幅度;▲表示经检验显著上升,▼表示显著下降,其余为正常波动。",
                "Change on the same period last year; ▲ significant rise, ▼ significant fall.",
            )
        ),
    )


def _up_word(ctx: Context, cur: float, base: float) -> str:
    p = tx.pct_change(cur, base)
    if ctx.zh:
        return f"上升{tx.pct(p)}" if np.isfinite(p) else "去年同期为0"
    return f" up {tx.pct(p)}" if np.isfinite(p) else " none last year"


def scorecard_table(ctx: Context, sc: pd.DataFrame) -> B.Html:
    """Townships × categories: this period's count over its change; significant rises in red with ▲."""
    rows = []
    for code, grp in sc.groupby("area_code", sort=True):
        row: dict[str, Any] = {ctx.t("乡镇(街道)", "Township"): ctx.names.get(str(code), str(code))}
        for _, r in grp.iterrows():
            p = tx.pct_change(r["current"], r["baseline"])
            up = bool(r["significant"]) and r["direction"] == "up"
            down = bool(r["significant"]) and r["direction"] == "down"
            if np.isfinite(p):
                change = tx.pct(p, signed=True)
            else:
                change = ("新增" if ctx.zh else "new") if r["current"] else "—"
            mark = "▲" if up else ("▼" if down else "")
            cls = "flag-up" if up else ("flag-down" if down else "sub")
            row[ctx.label(r["category"])] = B.Html(
                f'{tx.number(r["current"])}<br><span class="{cls}">{tx.h(change)}{mark}</span>'
            )
        rows.append(row)
    return B.table(
        pd.DataFrame(rows),
        caption=ctx.t(
            f"表6 {ctx.period}各乡镇(街道)分类案件及同比变化", f"Table 6. Township scorecard, {ctx.period}"
        ),
        numeric=[c for c in (rows[0] if rows else {}) if c != ctx.t("乡镇(街道)", "Township")],
        cls="zz compact",
    )


# ------------------------------------------------------------------ notes


_REASONS_ZH = (
    ("future", "日期晚于当前"), ("floor", "日期早于有效范围"), ("date", "日期无法识别"),
    ("missing", "必填项缺失"), ("category", "类别无法识别"), ("area", "所属乡镇(街道)无法识别"),
    ("duplicate", "编号重复且内容冲突"), ("coordinate", "坐标无效"), ("number", "数值无效"),
)
_TABLES_ZH = {"incidents": "案件和事故", "petitions": "信访", "disputes": "矛盾纠纷", "cameras": "视频监控点位",
              "areas": "乡镇(街道)边界", "streets": "道路", "zones": "用地分区", "peers": "县市排名",
              "targets": "安全生产目标"}


def _reason_zh(reason: str) -> str:
    r = reason.lower()
    for key, zh in _REASONS_ZH:
        if key in r:
            return zh
    return "其他原因"


def notes(ctx: Context) -> B.Html:
    """数据说明: sources, period, rows quarantined, methods."""
    log = ctx.ingest_log if ctx.ingest_log is not None else pd.DataFrame()
    q = ctx.quarantine if ctx.quarantine is not None else pd.DataFrame()
    blocks: list[Any] = [B.heading(ctx.t(*HEADINGS["notes"]))]
    n_inc = len(_within(_local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end))
    if ctx.zh:
        s = [
            f"统计期间:{tx.period_label(ctx.start, ctx.end, 'zh', with_year=True)}"
            f"({ctx.start:%Y-%m-%d}至{ctx.end:%Y-%m-%d}),对比期为去年同期。",
            f"本期纳入统计的案件和事故{tx.count(n_inc, '条')}。",
        ]
        if len(q):
            reasons = q["reason"].astype(str).map(_reason_zh).value_counts().head(5)
            s.append(
                f"数据导入时共有{tx.count(len(q), '条')}记录因不符合规范未纳入统计(隔离待核),主要原因:"
                + "、".join(f"{r}{tx.count(n, '条')}" for r, n in reasons.items())
                + "。"
            )
        s.append(
            "“显著”指经统计检验(按各序列历年波动幅度校正的泊松检验,显著性水平5%)认定的真实变化;"
            "“在正常波动范围内”指变化幅度未超出随机波动。预测区间为80%区间。报告仅使用汇总数据,不含个人信息。"
        )
    else:
        s = [
            f"Period: {ctx.start:%Y-%m-%d} to {ctx.end:%Y-%m-%d}, compared with the same period last year.",
            f"{tx.number(n_inc)} incidents in the period.",
        ]
        if len(q):
            s.append(f"{tx.number(len(q))} source rows were quarantined at ingest and are not counted.")
        s.append(
            "'Significant' means a change beyond the series' usual variation (dispersion-aware Poisson "
            "test, 5% level). Forecast intervals are 80%. The report uses aggregates only, no personal data."
        )
    blocks.append(B.para(*s, cls="note"))
    if len(log):
        files = log.groupby("table", as_index=False)[["read", "accepted", "quarantined"]].sum()
        show = pd.DataFrame(
            {
                ctx.t("数据表", "Table"): files["table"].map(lambda t: _TABLES_ZH.get(t, t) if ctx.zh else t),
                ctx.t("读入", "Read"): [tx.number(v) for v in files["read"]],
                ctx.t("入库", "Accepted"): [tx.number(v) for v in files["accepted"]],
                ctx.t("隔离", "Quarantined"): [tx.number(v) for v in files["quarantined"]],
            }
        )
        blocks.append(B.table(show, caption=ctx.t("附表 数据来源与导入情况", "Sources and ingest")))
    for w in ctx.cache.get("warnings", []):
        blocks.append(B.note(w))
    return B.join(*blocks)


def title(ctx: Context) -> B.Html:
    """Title block: ``全区社会治安和综治信访维稳形势分析`` and the period."""
    period = tx.period_label(ctx.start, ctx.end, ctx.lang, with_year=True)
    if ctx.zh:
        return B.title_block(f"{ctx.subject}综治信访维稳形势分析", f"({period})")
    return B.title_block(f"Public security and stability briefing — {ctx.subject}", period)
