"""Petitions, disputes, cameras, peer counties and annual targets of the sample district.

Each function takes its own random generator and returns a canonical frame
(column names of :data:`zzanalytics.schema.TABLES`); the exports module renames
and relabels them as the offices that keep them would.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from zzanalytics.sample import truth as T  # noqa: N812
from zzanalytics.sample.geography import DISTRICT, Geography, to_lonlat
from zzanalytics.sample.records import Calendar, negbin

ISSUES = (
    "征地拆迁",
    "劳资纠纷",
    "涉法涉诉",
    "城乡建设",
    "社会保障",
    "环境保护",
    "企业改制",
    "医疗纠纷",
    "其他",
)
ISSUE_P = (0.18, 0.2, 0.14, 0.12, 0.1, 0.06, 0.06, 0.05, 0.09)
DISPUTE_KINDS = (
    "邻里纠纷",
    "婚姻家庭",
    "土地纠纷",
    "劳资纠纷",
    "物业纠纷",
    "征地拆迁",
    "合同纠纷",
    "损害赔偿",
)
DISPUTE_P = (0.24, 0.18, 0.12, 0.14, 0.1, 0.06, 0.08, 0.08)


def _days_in(cal: Calendar, m: int) -> np.ndarray:
    return np.flatnonzero(cal.month_of_day == m)


def petitions(cal: Calendar, geo: Geography, rng: np.random.Generator) -> pd.DataFrame:
    """Petition batches (批) with level, form, irregular flag and persons (人次)."""
    p = T.PETITIONS
    pop = np.array([a["population"] for a in geo.areas], dtype="float64")
    share = pop / pop.sum()
    demo = p["demolition"]
    demo_a = geo.codes.index(demo["area_code"])
    levels = list(p["level_share"])
    rows = []
    for m, month in enumerate(cal.months):
        t = (month - cal.months[0]).days / 365.25
        mu = p["base_batches_per_year"] / 12 * (1 + p["growth"]) ** t * share
        if month.year == 2026:
            mu = mu * p["step_2026"]
        n_area = negbin(rng, mu, T.OVERDISPERSION_K)
        extra = (
            rng.poisson(demo["collective_batches_per_month"]) if month >= pd.Timestamp(demo["from"]) else 0
        )
        area = np.concatenate([np.repeat(np.arange(len(pop)), n_area), np.full(extra, demo_a)])
        n = len(area)
        is_demo = np.arange(n) >= n - extra
        lv = rng.choice(levels, size=n, p=list(p["level_share"].values()))
        dl = list(demo["level_share"])
        lv[is_demo] = rng.choice(dl, size=extra, p=list(demo["level_share"].values()))
        coll = rng.random(n) < np.array([p["collective_share"][v] for v in lv])
        coll |= is_demo
        irr = rng.random(n) < np.array([p["irregular_share"][v] for v in lv])
        persons = np.where(rng.random(n) < 0.8, 1, 2)
        big = np.minimum(5 + rng.negative_binomial(1.5, 1.5 / (1.5 + 13), n), 60)
        persons = np.where(coll, big, persons)
        issue = rng.choice(ISSUES, size=n, p=ISSUE_P)
        issue[is_demo] = "征地拆迁"
        day = cal.days[rng.choice(_days_in(cal, m), size=n)]
        rows.append(
            pd.DataFrame(
                {
                    "received_on": day,
                    "level": lv,
                    "form": np.where(coll, "collective", "individual"),
                    "irregular": irr,
                    "persons": persons,
                    "area_code": np.array(geo.codes)[area],
                    "issue": issue,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True).sort_values(["received_on", "area_code", "level"], kind="stable")
    out = out.reset_index(drop=True)
    ym = out["received_on"].dt.strftime("%Y%m")
    seq = out.groupby(ym).cumcount() + 1
    out.insert(0, "petition_id", "XF" + ym + seq.map("{:04d}".format))
    return out


def disputes(cal: Calendar, geo: Geography, rng: np.random.Generator) -> pd.DataFrame:
    """Disputes found by 排查 with their resolution date (missing while open)."""
    p = T.DISPUTES
    pop = np.array([a["population"] for a in geo.areas], dtype="float64")
    share = pop / pop.sum()
    demo = p["demolition"]
    demo_a = geo.codes.index(demo["area_code"])
    end = pd.Timestamp(T.SAMPLE_END)
    rows = []
    for m, month in enumerate(cal.months):
        season = np.exp(p["amp"] * np.cos(2 * np.pi * (month.month - p["peak_month"]) / 12))
        mu = p["base_per_year"] / 12 * season * share
        n_area = negbin(rng, mu, T.OVERDISPERSION_K)
        extra = rng.poisson(demo["extra_per_month"]) if month >= pd.Timestamp(demo["from"]) else 0
        area = np.concatenate([np.repeat(np.arange(len(pop)), n_area), np.full(extra, demo_a)])
        n = len(area)
        kind = rng.choice(DISPUTE_KINDS, size=n, p=DISPUTE_P)
        kind[n - extra :] = demo["kind"]
        found = cal.days[rng.choice(_days_in(cal, m), size=n)]
        delay = np.exp(np.log(p["resolution_median_days"]) + p["resolution_sigma"] * rng.normal(size=n))
        long = rng.random(n) < p["long_share"]
        delay = np.where(long, rng.uniform(30, 180, n), delay)
        resolved = found + pd.to_timedelta(np.round(delay).astype(int), unit="D")
        never = rng.random(n) < p["never_share"]
        open_ = never | (resolved > end)
        rows.append(
            pd.DataFrame(
                {
                    "found_on": found,
                    "area_code": np.array(geo.codes)[area],
                    "kind": kind,
                    "resolved_on": pd.Series(resolved).where(~open_).to_numpy(),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True).sort_values(["found_on", "area_code", "kind"], kind="stable")
    out = out.reset_index(drop=True)
    ym = out["found_on"].dt.strftime("%Y%m")
    out.insert(0, "dispute_id", "MD" + ym + (out.groupby(ym).cumcount() + 1).map("{:04d}".format))
    return out


def _spaced_along(rng: np.random.Generator, geo: Geography, n: int) -> tuple[np.ndarray, ...]:
    """n points along the main streets, denser in the urban core, skipping the planted gaps."""
    gaps = {}
    for name, a, b in T.CAMERAS["gaps"]:
        gaps.setdefault(name, []).append((a, b))
    xs, ys, ws, names = [], [], [], []
    for s in geo.main_streets():
        ln = s["geom"]
        d = np.arange(0, ln.length, 10.0)
        pts = shapely.get_coordinates(shapely.line_interpolate_point(ln, d))
        frac = d / ln.length
        ok = np.ones(len(d), dtype=bool)
        for a, b in gaps.get(s["name"], []):
            ok &= ~((frac >= a) & (frac <= b))
        area = geo.area_of_points(pts[:, 0], pts[:, 1])
        w = np.where(
            area < 0, 0.0, np.where(np.array([geo.areas[i]["kind"] == "street" for i in area]), 1.0, 0.2)
        )
        w = w * ok
        xs.append(pts[:, 0])
        ys.append(pts[:, 1])
        ws.append(w)
        names += [s["name"]] * len(d)
    x, y, w = np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)
    cum = np.cumsum(w) / w.sum()
    u = (np.arange(n) + rng.uniform(0.2, 0.8, n)) / n
    ix = np.searchsorted(cum, u)
    return x[ix] + rng.normal(0, 6, n), y[ix] + rng.normal(0, 6, n), np.array(names)[ix]


def cameras(geo: Geography, rng: np.random.Generator) -> pd.DataFrame:
    """480 video points and 5 smart checkpoints (卡口), mostly on main streets, with gaps."""
    c = T.CAMERAS
    n_main = round(c["cameras"] * c["main_street_share"])
    x1, y1, street = _spaced_along(rng, geo, n_main)
    n_rest = c["cameras"] - n_main
    zones = [z for z in geo.zones if z["kind"] in ("commercial", "rental_housing")]
    secs = [s for s in geo.streets if s["class"] == "secondary"]
    x2, y2, lab2 = [], [], []
    for i in range(n_rest):
        if i % 2 == 0:
            z = zones[(i // 2) % len(zones)]
            c0 = z["geom"].representative_point()
            x2.append(c0.x + rng.normal(0, 120))
            y2.append(c0.y + rng.normal(0, 120))
            lab2.append(z["name"])
        else:
            s = secs[(i // 2) % len(secs)]
            pt = s["geom"].interpolate(rng.uniform(0, s["geom"].length))
            x2.append(pt.x)
            y2.append(pt.y)
            lab2.append(s["name"])
    # checkpoints where the through roads enter the district, 150 m inside
    kx, ky, klab = [], [], []
    for name, at_end in (
        ("金河绕城高速", False),
        ("金河绕城高速", True),
        ("滨河路", False),
        ("滨河路", True),
        ("金石公路", True),
    ):
        ln = next(s["geom"] for s in geo.streets if s["name"] == name)
        pt = ln.interpolate(ln.length - 150 if at_end else 150)
        kx.append(pt.x)
        ky.append(pt.y)
        klab.append(name)
    x = np.concatenate([x1, np.array(x2), np.array(kx)])
    y = np.concatenate([y1, np.array(y2), np.array(ky)])
    labels = list(street) + lab2 + [f"{k}卡口" for k in klab]
    kind = ["camera"] * c["cameras"] + ["checkpoint"] * c["checkpoints"]
    n = len(x)
    early = rng.random(n) < 0.4
    start = np.where(early, pd.Timestamp("2019-01-01").value, pd.Timestamp("2024-01-01").value)
    stop = np.where(early, pd.Timestamp("2023-12-31").value, pd.Timestamp("2026-09-30").value)
    inst = pd.to_datetime(rng.uniform(start, stop)).normalize()
    kinst = pd.to_datetime(
        rng.uniform(pd.Timestamp("2025-03-01").value, pd.Timestamp("2026-06-30").value, c["checkpoints"])
    ).normalize()
    inst = inst.to_numpy().copy()
    inst[-c["checkpoints"] :] = kinst.to_numpy()
    status = np.where(rng.random(n) < c["broken_share"], "broken", "working")
    lon, lat = to_lonlat(x, y)
    out = pd.DataFrame(
        {
            "kind": kind,
            "lon": lon,
            "lat": lat,
            "installed_on": inst,
            "status": status,
            "label": labels,
            "x": x,
            "y": y,
        }
    )
    out.insert(
        0,
        "camera_id",
        [f"KK{i + 1:03d}" if k == "checkpoint" else f"SP{i + 1:04d}" for i, k in enumerate(kind)],
    )
    return out


_SYL1 = "安宝昌丹定丰福广嘉金景康乐隆庆清盛寿泰通文祥兴玉泽鸿瑞崇德恒"
_SYL2 = "安昌川丹德丰河和华宁平泉山水台远源泽州阳原"
_REAL = {
    "永昌",
    "永登",
    "永靖",
    "临洮",
    "临泽",
    "临潭",
    "靖远",
    "景泰",
    "古浪",
    "民勤",
    "天祝",
    "山丹",
    "民乐",
    "高台",
    "金塔",
    "玉门",
    "敦煌",
    "瓜州",
    "西和",
    "宁县",
    "正宁",
    "合水",
    "华池",
    "环县",
    "庆城",
    "镇原",
    "灵台",
    "崇信",
    "华亭",
    "泾川",
    "庄浪",
    "静宁",
    "清水",
    "秦安",
    "甘谷",
    "武山",
    "通渭",
    "陇西",
    "渭源",
    "岷县",
    "漳县",
    "文县",
    "康县",
    "成县",
    "徽县",
    "两当",
    "宕昌",
    "舟曲",
    "迭部",
    "玛曲",
    "碌曲",
    "夏河",
    "卓尼",
    "和政",
    "广河",
    "康乐",
    "东乡",
    "会宁",
    "平川",
    "白银",
    "安定",
    "西固",
    "安宁",
    "红古",
    "榆中",
    "皋兰",
    "城关",
    "金川",
    "凉州",
    "甘州",
    "肃州",
    "崆峒",
    "西峰",
    "秦州",
    "麦积",
    "武都",
    "合作",
    "金河",
    "安远",
    "宝丰",
    "丹凤",
    "泰安",
    "昌平",
    "广安",
    "清河",
    "嘉禾",
    "德阳",
    "通州",
    "兴平",
    "寿阳",
    "丰台",
    "文山",
    "祥云",
    "恒山",
    "玉泉",
    "乐山",
    "乐平",
    "福安",
    "康平",
    "昌宁",
    "兴安",
    "宝山",
    "文安",
    "隆昌",
    "清源",
    "泰和",
    "庆阳",
    "安丘",
    "广宁",
    "盛泽",
    "丹阳",
    "嘉兴",
    "定州",
    "定西",
    "兴和",
    "金昌",
    "崇川",
    "德安",
    "瑞丽",
    "瑞安",
    "福泉",
    "昌江",
    "泽州",
    "清丰",
    "安州",
    "通川",
    "安源",
    "丰宁",
    "广平",
    "乐安",
    "清水河",
    "宝安",
}


def peers(pet: pd.DataFrame, rng: np.random.Generator, last_quarter: str = "2026Q3") -> pd.DataFrame:
    """Quarterly 非正常上访 batches of the province's 80 counties and the city's 8 (ours included)."""
    names: list[str] = []
    for a in _SYL1:
        for b in _SYL2:
            nm = a + b
            if a != b and nm not in _REAL and nm not in names:
                names.append(nm)
    pick = rng.choice(len(names), size=79, replace=False)
    names = [names[i] + ("区" if j % 7 == 0 else "县") for j, i in enumerate(pick)]
    ours = DISTRICT["name"]
    city = [ours, *names[:7]]
    province = [ours, *names]
    q = pet.loc[pet["irregular"]].assign(period=lambda f: f["received_on"].dt.to_period("Q").astype(str))
    own = q.groupby("period").size()
    periods = [str(p) for p in pd.period_range("2019Q1", last_quarter, freq="Q")]
    level = {n: float(np.exp(rng.normal(np.log(max(own.mean(), 1.0)), 0.6))) for n in names}
    rows = []
    for per in periods:
        vals = {ours: float(own.get(per, 0))}
        for n in names:
            vals[n] = float(negbin(rng, np.array([level[n]]), 4.0)[0])
        for scope, members in (("province", province), ("city", city)):
            rows += [
                {
                    "county": n,
                    "scope": scope,
                    "period": per,
                    "metric": "petitions.irregular",
                    "value": vals[n],
                }
                for n in members
            ]
    return pd.DataFrame(rows)


def targets(expected: dict[str, dict[int, float]]) -> pd.DataFrame:
    """Annual ceilings of the safety responsibility letter, set from the expectation before the 2026 surge.

    ``expected`` maps metric -> year -> expected annual value without the 2026 fire surge.
    """
    rows = []
    for metric, by_year in expected.items():
        for year, v in sorted(by_year.items()):
            slack = 1.08 if year < 2026 else 1.05
            val = v * slack
            ceiling = round(val / 100_000) * 100_000 if metric == "fire.loss_yuan" else float(np.ceil(val))
            rows.append({"year": year, "metric": metric, "ceiling": float(ceiling)})
    return pd.DataFrame(rows).sort_values(["year", "metric"]).reset_index(drop=True)
