"""Attributes of drawn incidents: source labels, premises, causes, casualties, losses, free text.

:func:`enrich` turns the bare draws of :func:`zzanalytics.sample.records.month_records`
(time, township, pool point) into what the offices record: where exactly, what
kind of place, why, who was hurt, what was lost, and a short 简要案情.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzanalytics.sample import truth as T  # noqa: N812
from zzanalytics.sample.geography import Geography
from zzanalytics.sample.records import Calendar, CategoryModel

# source labels of the criminal-case export: label -> weight within the canonical code
LABELS: dict[str, dict[str, float]] = {
    "theft.burglary": {"入室盗窃": 1.0},
    "theft.vehicle": {"盗窃机动车": 1.0},
    "theft.other": {"扒窃": 0.3, "盗窃电动车": 0.25, "盗窃非机动车": 0.15, "其他盗窃": 0.3},
    "fraud.telecom": {"电信网络诈骗": 1.0},
    "fraud.other": {"合同诈骗": 0.3, "其他诈骗": 0.7},
    "robbery": {"抢劫": 0.6, "抢夺": 0.4},
    "assault": {"故意伤害": 1.0},
    "other_criminal": {"寻衅滋事": 0.4, "故意毁坏财物": 0.3, "其他刑事案件": 0.3},
}

PREMISES: dict[str, dict[str, float]] = {
    "theft.burglary": {"住宅小区": 0.5, "平房院落": 0.5},
    "theft.vehicle": {"道路": 0.6, "停车场": 0.4},
    "theft.other": {"商场超市": 0.25, "街面": 0.35, "公交车": 0.15, "农贸市场": 0.15, "住宅小区": 0.1},
    "fraud.telecom": {"住宅": 0.8, "单位": 0.2},
    "fraud.other": {"单位": 0.4, "商铺": 0.4, "住宅": 0.2},
    "robbery": {"街面": 0.7, "背街小巷": 0.3},
    "assault": {"娱乐场所": 0.35, "街面": 0.35, "住宅": 0.3},
    "other_criminal": {"街面": 0.4, "住宅": 0.3, "商铺": 0.3},
}

TEXT: dict[str, tuple[str, ...]] = {
    "theft.burglary": (
        "住户报称家中被撬门入室,丢失现金及财物",
        "报案人外出返回发现家中被盗",
        "住所窗户被撬,室内物品被翻动",
    ),
    "theft.vehicle": (
        "报案人停放于{road}的小型轿车被盗",
        "停放在路边的货车被盗",
        "停放于{road}附近的车辆被盗",
    ),
    "theft.other": ("报案人手机在人流密集处被盗", "停放的电动车被盗", "随身财物被扒窃"),
    "fraud.telecom": (
        "受害人被冒充客服以退款为由诈骗",
        "受害人参与刷单返利被骗",
        "受害人被冒充公检法人员诈骗",
        "受害人下载虚假投资理财APP被骗",
    ),
    "fraud.other": ("受害人被以介绍工作为由骗取费用", "合同履行中对方携款失联"),
    "robbery": ("受害人在{road}附近被抢走手机", "受害人夜间步行时被抢夺挎包"),
    "assault": ("双方因琐事发生纠纷致一人受伤", "酒后发生口角致人受伤"),
    "other_criminal": ("酒后滋事损坏他人财物", "因纠纷故意损毁他人车辆"),
}

TRAFFIC_CAUSES = {
    "traffic": {
        "未按规定让行": 0.22,
        "违法变道": 0.16,
        "操作不当": 0.16,
        "超速行驶": 0.1,
        "酒驾/醉驾": 0.06,
        "无证驾驶": 0.04,
        "疲劳驾驶": 0.05,
        "货车超载": 0.06,
        "路面结冰": 0.05,
        "其他": 0.1,
    },
    "traffic.major": {
        "酒驾/醉驾": 0.24,
        "超速行驶": 0.2,
        "货车超载": 0.16,
        "疲劳驾驶": 0.14,
        "无证驾驶": 0.1,
        "违法占道": 0.08,
        "操作不当": 0.08,
    },
}

FIRE_CAUSES = {
    "电气故障": 0.32,
    "用火不慎": 0.22,
    "吸烟": 0.1,
    "生产作业": 0.07,
    "玩火": 0.04,
    "自燃": 0.06,
    "放火": 0.02,
    "燃放烟花爆竹": 0.05,
    "其他": 0.12,
}
FIRE_PREMISES = {
    "village": ("农村柴草", "住宅"),
    "industrial": ("厂房", "仓库"),
    "rental_housing": ("出租屋",),
    "commercial": ("商铺",),
    "": ("住宅", "住宅", "车辆", "垃圾杂物", "商铺"),
}


def _pick(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    keys = list(table)
    w = np.array(list(table.values()), dtype="float64")
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=w / w.sum())]


def _fmt_text(templates: tuple[str, ...], roads: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    ix = rng.integers(0, len(templates), len(roads))
    return np.array(
        [templates[i].replace("{road}", r or "小区门口") for i, r in zip(ix, roads, strict=True)],
        dtype=object,
    )


def fire_loss(rng: np.random.Generator, zone_kind: np.ndarray) -> np.ndarray:
    """Direct losses in yuan: zeros, a lognormal body and a Pareto tail for industry and shops."""
    p = T.FIRE_LOSS
    n = len(zone_kind)
    loss = np.exp(np.log(p["lognormal_median_yuan"]) + p["lognormal_sigma"] * rng.normal(size=n))
    big_site = np.isin(zone_kind, ["industrial", "commercial"])
    tail = big_site & (rng.random(n) < p["pareto_share_industrial_commercial"])
    pareto = p["pareto_min_yuan"] * (1 - rng.random(n)) ** (-1 / p["pareto_alpha"])
    loss = np.where(tail, pareto, loss)
    loss = np.where(rng.random(n) < p["zero_share"], 0.0, loss)
    return np.minimum(np.round(loss, -2), p["cap_yuan"])


def enrich(
    frame: pd.DataFrame, model: CategoryModel, m: int, cal: Calendar, geo: Geography, rng: np.random.Generator
) -> pd.DataFrame:
    """Add location, area code and the category's recorded attributes to month ``m``'s draws."""
    cat = model.cat
    n = len(frame)
    pool = model.pool_for(cal.months[m])
    pt = frame["pt"].to_numpy()
    out: dict[str, object] = {}
    out["lon"] = pool.lon[pt]
    out["lat"] = pool.lat[pt]
    out["area_code"] = np.array(geo.codes, dtype=object)[frame["area"].to_numpy()]
    street_ix = pool.street[pt]
    names = np.array([s["name"] for s in geo.streets] + [""], dtype=object)
    roads = names[street_ix]  # -1 -> ""
    zone_kinds = np.array([z["kind"] for z in geo.zones] + [""], dtype=object)[pool.zone[pt]]
    spec = T.CATEGORIES[cat]
    missing = rng.random(n) < spec["missing_xy"]
    out["lon"] = np.where(missing, np.nan, out["lon"])
    out["lat"] = np.where(missing, np.nan, out["lat"])
    delay = np.exp(np.log(spec["delay"]) + 0.8 * rng.normal(size=n))
    occurred = frame["occurred_at"]
    out["reported_at"] = occurred + pd.to_timedelta(np.round(delay).astype(int), unit="m")
    if cat == T.WINDOWS["category"]:
        # a time window around the true time for a share of records (aoristic analysis)
        lo, hi = T.WINDOWS["hours"]
        has = rng.random(n) < T.WINDOWS["share"]
        length = pd.to_timedelta(np.round(rng.uniform(lo, hi, n) * 60).astype(int), unit="m")
        start = (occurred - length * rng.uniform(0, 1, n)).dt.floor("min")
        out["occurred_from"] = start.where(has)
        out["occurred_to"] = (start + length).where(has)
        out["reported_at"] = out["reported_at"].where(~has, start + length + (out["reported_at"] - occurred))
    if cat in LABELS:
        out["label"] = _pick(rng, LABELS[cat], n)
        prem = _pick(rng, PREMISES[cat], n)
        if cat == "theft.burglary":
            prem = np.where(zone_kinds == "rental_housing", "出租房屋", prem)
        out["premises"] = prem
        out["description"] = _fmt_text(TEXT[cat], roads, rng)
    elif cat.startswith("traffic"):
        major = cat == "traffic.major"
        out["road"] = roads
        day_ix = (occurred.dt.normalize() - cal.days[0]).dt.days.to_numpy()
        snow = cal.snow[day_ix]
        out["weather"] = np.where(snow, "雪", _pick(rng, {"晴": 0.6, "阴": 0.25, "雨": 0.15}, n))
        cause = _pick(rng, TRAFFIC_CAUSES[cat], n)
        cause = np.where(snow & (rng.random(n) < 0.4), "路面结冰", cause)
        out["cause"] = cause
        if major:
            fatal = rng.random(n) < 0.55
            out["deaths"] = np.where(fatal, 1 + rng.poisson(0.3, n), 0)
            out["injuries"] = np.where(fatal, rng.poisson(1.2, n), rng.integers(3, 11, n))
            out["level"] = "重大事故"
        else:
            out["deaths"] = 0
            out["injuries"] = np.minimum(rng.poisson(0.35, n), 4)
            out["level"] = np.where(rng.random(n) < 0.4, "轻微事故", "一般事故")
    else:  # fire
        sf_days = set()
        for sf in cal.spring_festival.values():
            sf_days |= {sf + pd.Timedelta(days=k) for k in (-1, 0, 1, 2, 3, 4, 5, 14)}
        on_sf = occurred.dt.normalize().isin(sf_days).to_numpy()
        cause = _pick(rng, FIRE_CAUSES, n)
        cause = np.where(on_sf & (rng.random(n) < 0.7), "燃放烟花爆竹", cause)
        out["cause"] = cause
        prem = np.array(
            [
                FIRE_PREMISES[z][int(i)]
                for z, i in zip(
                    zone_kinds,
                    rng.integers(0, 5, n) % np.array([len(FIRE_PREMISES[z]) for z in zone_kinds]),
                    strict=True,
                )
            ],
            dtype=object,
        )
        out["premises"] = prem
        out["loss_yuan"] = fire_loss(rng, zone_kinds)
        out["deaths"] = (rng.random(n) < 0.012).astype(int)
        out["injuries"] = np.where(rng.random(n) < 0.06, rng.integers(1, 4, n), 0)
        zone_names = np.array([z["name"] for z in geo.zones] + ["居民区"], dtype=object)[pool.zone[pt]]
        out["place"] = np.where(roads != "", roads, zone_names)
    return pd.concat([frame.reset_index(drop=True), pd.DataFrame(out)], axis=1)
