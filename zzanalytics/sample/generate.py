"""Generate the sample district: exports, mapping files, ``sources.toml`` and ``manifest.json``."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from zzanalytics.errors import ZZError
from zzanalytics.sample import civil
from zzanalytics.sample import mappings as M  # noqa: N812
from zzanalytics.sample import truth as T  # noqa: N812
from zzanalytics.sample.attributes import LABELS, enrich
from zzanalytics.sample.dirty import Dirt
from zzanalytics.sample.exports import (
    CsvWriter,
    fmt_chinese,
    fmt_compact,
    fmt_coord,
    fmt_iso,
    fmt_slash,
    gcj,
    write_geojson,
    write_text,
    write_xlsx,
)
from zzanalytics.sample.geography import DISTRICT, build_geography, to_lonlat
from zzanalytics.sample.manifest import build_manifest
from zzanalytics.sample.records import build_calendar, build_category, month_records

CRIMINAL = [c for c in T.CATEGORIES if c in LABELS]


@dataclass
class SampleSummary:
    """What :func:`generate_sample` wrote."""

    out: Path
    scale: float
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f"sample district written to {self.out} (scale {self.scale:g}, seed {self.seed})"]
        for f in sorted(self.bytes):
            r = self.rows.get(f)
            lines.append(
                f"  {f:<40} {self.bytes[f]:>11,} bytes" + (f"  {r:>10,} rows" if r is not None else "")
            )
        return "\n".join(lines)


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def _ids(prefix: str, month: pd.Timestamp, n: int) -> list[str]:
    ym = month.strftime("%Y%m")
    return [f"{prefix}{ym}{i + 1:06d}" for i in range(n)]


def _month_frame(models: dict, cats: list[str], cal, geo, m: int, seed: int, scale: float) -> pd.DataFrame:
    parts = []
    for c in cats:
        i = list(T.CATEGORIES).index(c)
        fr = month_records(models[c], cal, m, _rng(seed, 10, i, m), scale)
        parts.append(enrich(fr, models[c], m, cal, geo, _rng(seed, 11, i, m)))
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["occurred_at", "category", "area", "pt"], kind="stable").reset_index(drop=True)


def _notable(geo, cal) -> pd.DataFrame:
    """The two accidents the speech names, placed on their roads."""
    rows = []
    for k, n in enumerate(T.NOTABLE):
        ln = next(s["geom"] for s in geo.streets if s["name"] == n["road"])
        pt = ln.interpolate(ln.length * (0.35 if k == 0 else 0.8))
        a = int(geo.area_of_points(np.array([pt.x]), np.array([pt.y]))[0])
        lon, lat = to_lonlat(np.array([pt.x]), np.array([pt.y]))
        rows.append(
            {
                "occurred_at": pd.Timestamp(n["date"]),
                "category": n["category"],
                "area": a,
                "pt": -1 - k,
                "lon": float(lon[0]),
                "lat": float(lat[0]),
                "area_code": geo.codes[a],
                "road": n["road"],
                "weather": "晴",
                "cause": n["cause"],
                "deaths": n["deaths"],
                "injuries": n["injuries"],
                "level": "重大事故",
            }
        )
    return pd.DataFrame(rows)


def _format_criminal(fr: pd.DataFrame, names: dict[str, str], ids: list[str]) -> pd.DataFrame:
    glon, glat = gcj(fr["lon"].to_numpy(), fr["lat"].to_numpy())
    frm = fr["occurred_from"] if "occurred_from" in fr else pd.Series(pd.NaT, index=fr.index)
    to = fr["occurred_to"] if "occurred_to" in fr else pd.Series(pd.NaT, index=fr.index)
    has = frm.notna().to_numpy()
    # a record with a time window gives the window's start as 发案时间, as such systems do
    start = fmt_slash(frm.where(frm.notna(), fr["occurred_at"])).to_numpy()
    end = fmt_slash(to.where(to.notna(), fr["occurred_at"])).to_numpy()
    return pd.DataFrame(
        {
            "案件编号": ids,
            "案件类别": fr["label"].to_numpy(),
            "发案时间": start,
            "发案起始时间": np.where(has, start, ""),
            "发案终止时间": np.where(has, end, ""),
            "报案时间": fmt_slash(fr["reported_at"]).to_numpy(),
            "所属街道": fr["area_code"].map(names).to_numpy(),
            "发案场所": fr["premises"].to_numpy(),
            "经度": fmt_coord(glon),
            "纬度": fmt_coord(glat),
            "简要案情": fr["description"].to_numpy(),
        }
    )


def _format_traffic(
    fr: pd.DataFrame, names: dict[str, str], ids: list[str], text_dates: np.ndarray
) -> pd.DataFrame:
    glon, glat = gcj(fr["lon"].to_numpy(), fr["lat"].to_numpy())
    when = pd.Series([t.to_pydatetime() for t in fr["occurred_at"]], dtype=object)
    when[text_dates] = fr["occurred_at"][text_dates].dt.strftime("%Y-%m-%d %H:%M")
    return pd.DataFrame(
        {
            "事故编号": ids,
            "事故时间": when.to_numpy(),
            "事故等级": fr["level"].to_numpy(),
            "乡镇街道": fr["area_code"].map(names).to_numpy(),
            "道路名称": fr["road"].to_numpy(),
            "经度": np.round(glon, 6),
            "纬度": np.round(glat, 6),
            "天气": fr["weather"].to_numpy(),
            "事故原因": fr["cause"].to_numpy(),
            "死亡人数": fr["deaths"].astype(int).to_numpy(),
            "受伤人数": fr["injuries"].astype(int).to_numpy(),
        }
    )


def _format_fire(fr: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    glon, glat = gcj(fr["lon"].to_numpy(), fr["lat"].to_numpy())
    return pd.DataFrame(
        {
            "起火时间": fmt_iso(fr["occurred_at"]).to_numpy(),
            "乡镇街道代码": fr["area_code"].to_numpy(),
            "起火地点": (fr["area_code"].map(names) + fr["place"]).to_numpy(),
            "起火场所": fr["premises"].to_numpy(),
            "起火原因": fr["cause"].to_numpy(),
            "直接经济损失(万元)": np.char.mod("%.2f", fr["loss_yuan"] / 10000),
            "死亡人数": fr["deaths"].astype(str).to_numpy(),
            "受伤人数": fr["injuries"].astype(str).to_numpy(),
            "经度": fmt_coord(glon),
            "纬度": fmt_coord(glat),
        }
    )


def generate_sample(out: str | Path = "data/sample", scale: float = 1.0, seed: int = 0) -> SampleSummary:
    """Write the sample district's exports, mapping files, ``sources.toml`` and ``manifest.json``.

    Parameters
    ----------
    out : str or Path
        Output folder (created; generated files are overwritten, ``store/`` is left alone).
    scale : float
        Multiplies incident volumes; at a scale other than 1 only CSV incident exports and the
        reference files are written (no XLSX), streamed month by month.
    seed : int
        Random seed: the same seed writes the same bytes.

    Returns
    -------
    SampleSummary
        Files, bytes and rows written.

    Examples
    --------
    >>> s = generate_sample("/tmp/zz_sample_doc", seed=0)  # doctest: +SKIP
    >>> s.rows["110警情_刑事案件_2019-2026.csv"] > 20_000  # doctest: +SKIP
    True
    """
    if not scale > 0:
        raise ZZError(
            f"--scale must be positive, got {scale}; use 1 for the committed sample, 200 for ~10M rows"
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in (out / "mappings",):
        if stale.exists():
            shutil.rmtree(stale)
    full = scale == 1.0
    summary = SampleSummary(out, scale, seed)
    geo = build_geography(_rng(seed, 0))
    cal = build_calendar(_rng(seed, 1))
    models = {c: build_category(c, cal, geo, _rng(seed, 2, i)) for i, c in enumerate(T.CATEGORIES)}
    names = {a["area_code"]: a["name"] for a in geo.areas}
    dirt = Dirt(_rng(seed, 9), cal)

    # reference tables
    summary.rows[M.AREAS_FILE] = write_geojson(
        out / M.AREAS_FILE,
        [
            (
                {
                    "区划代码": a["area_code"],
                    "名称": a["name"],
                    "英文名称": a["name_en"],
                    "常住人口": a["population"],
                },
                a["geom"],
            )
            for a in geo.areas
        ],
    )
    summary.rows[M.STREETS_FILE] = write_geojson(
        out / M.STREETS_FILE,
        [({"名称": s["name"], "道路等级": M.CLASS_ZH[s["class"]]}, s["geom"]) for s in geo.streets],
    )
    summary.rows[M.ZONES_FILE] = write_geojson(
        out / M.ZONES_FILE,
        [
            ({"编号": z["zone_id"], "类型": M.ZONE_ZH[z["kind"]], "名称": z["name"]}, z["geom"])
            for z in geo.zones
        ],
    )
    cams = civil.cameras(geo, _rng(seed, 3))
    glon, glat = gcj(cams["lon"], cams["lat"])
    w = CsvWriter(out / M.CAMERAS_FILE, M.CAMERA_COLUMNS, "utf-8")
    w.write(
        pd.DataFrame(
            {
                "点位编号": cams["camera_id"],
                "点位名称": cams["label"] + np.where(cams["kind"] == "camera", "监控点", ""),
                "点位类型": cams["kind"].map(M.KIND_ZH),
                "经度": fmt_coord(glon),
                "纬度": fmt_coord(glat),
                "安装日期": pd.to_datetime(cams["installed_on"]).dt.strftime("%Y-%m-%d"),
                "运行状态": cams["status"].map(M.STATUS_ZH),
            }
        )
    )
    summary.rows[M.CAMERAS_FILE] = w.rows
    pet = civil.petitions(cal, geo, _rng(seed, 4))
    peers = civil.peers(pet, _rng(seed, 6))
    w = CsvWriter(out / M.PEERS_FILE, M.PEER_COLUMNS, "utf-8")
    w.write(
        pd.DataFrame(
            {
                "县市区": peers["county"],
                "排名范围": peers["scope"].map(M.SCOPE_ZH),
                "季度": peers["period"],
                "指标": peers["metric"].map(M.METRIC_ZH),
                "数值": peers["value"].map("{:.0f}".format),
            }
        )
    )
    summary.rows[M.PEERS_FILE] = w.rows
    expected = {c: models[c].expected(cal) * scale for c in T.CATEGORIES}
    tgt = civil.targets(_target_expectations(expected, cal))
    w = CsvWriter(out / M.TARGETS_FILE, M.TARGET_COLUMNS, "utf-8")
    w.write(
        pd.DataFrame(
            {
                "年度": tgt["year"].astype(str),
                "指标": tgt["metric"].map(M.TARGET_ZH),
                "控制数": tgt["ceiling"].map("{:.0f}".format),
            }
        )
    )
    summary.rows[M.TARGETS_FILE] = w.rows

    # incidents, month by month
    crim_w = CsvWriter(out / M.CRIMINAL_FILE, M.CRIMINAL_COLUMNS, "gb18030", newline="\r\n")
    fire_w = CsvWriter(out / M.FIRE_FILE, M.FIRE_COLUMNS, "utf-8-sig")
    traffic_rows: list[pd.DataFrame] = []
    traffic_w = None if full else CsvWriter(out / M.TRAFFIC_CSV_FILE, M.TRAFFIC_COLUMNS, "utf-8")
    traffic_n = 0
    notable = _notable(geo, cal)
    for m, month in enumerate(cal.months):
        crim = _month_frame(models, CRIMINAL, cal, geo, m, seed, scale)
        fc = _format_criminal(crim, names, _ids("A620102", month, len(crim)))
        crim_w.write(dirt.criminal(fc, m, crim_w.rows))
        tr = _month_frame(models, ["traffic", "traffic.major"], cal, geo, m, seed, scale)
        nb = notable[notable["occurred_at"].dt.to_period("M") == month.to_period("M")]
        if len(nb):
            tr = pd.concat([tr, nb], ignore_index=True).sort_values(
                ["occurred_at", "category"], kind="stable"
            )
            tr = tr.reset_index(drop=True)
        text_dates = _rng(seed, 12, m).random(len(tr)) < 0.01
        ft = _format_traffic(tr, names, _ids("JT620102", month, len(tr)), text_dates)
        ft = dirt.traffic(ft, m, traffic_n)
        if full:
            traffic_rows.append(ft)
        else:
            ft = ft.assign(
                事故时间=[v if isinstance(v, str) else v.strftime("%Y-%m-%d %H:%M") for v in ft["事故时间"]],
                经度=fmt_coord(ft["经度"].to_numpy(dtype="float64")),
                纬度=fmt_coord(ft["纬度"].to_numpy(dtype="float64")),
            )
            traffic_w.write(ft)
        traffic_n += len(ft)
        fi = _month_frame(models, ["fire"], cal, geo, m, seed, scale)
        fire_w.write(dirt.fire(_format_fire(fi, names), m, fire_w.rows))
    summary.rows[M.CRIMINAL_FILE] = crim_w.rows
    summary.rows[M.FIRE_FILE] = fire_w.rows
    if full:
        tf = pd.concat(traffic_rows, ignore_index=True)
        summary.rows[M.TRAFFIC_FILE] = write_xlsx(
            out / M.TRAFFIC_FILE, "交通事故", M.TRAFFIC_COLUMNS, tf.itertuples(index=False, name=None)
        )
    else:
        summary.rows[M.TRAFFIC_CSV_FILE] = traffic_w.rows

    # petitions and disputes
    fp = pd.DataFrame(
        {
            "登记编号": pet["petition_id"],
            "登记日期": fmt_compact(pet["received_on"]),
            "信访层级": pet["level"].map(M.LEVEL_ZH),
            "信访形式": pet["form"].map(M.FORM_ZH),
            "是否非正常上访": np.where(pet["irregular"], "是", "否"),
            "人数": pet["persons"].astype(str),
            "所属乡镇": pet["area_code"].map(names),
            "信访事项": pet["issue"],
        }
    )
    w = CsvWriter(out / M.PETITIONS_FILE, M.PETITION_COLUMNS, "utf-8")
    w.write(dirt.petitions(fp))
    summary.rows[M.PETITIONS_FILE] = w.rows
    dis = civil.disputes(cal, geo, _rng(seed, 5))
    if full:
        fd = pd.DataFrame(
            {
                "纠纷编号": dis["dispute_id"],
                "排查日期": fmt_chinese(dis["found_on"]),
                "所属乡镇": dis["area_code"].map(names),
                "纠纷类型": dis["kind"],
                "化解日期": fmt_chinese(dis["resolved_on"]),
                "化解状态": np.where(dis["resolved_on"].notna(), "已化解", "化解中"),
            }
        )
        summary.rows[M.DISPUTES_FILE] = write_xlsx(
            out / M.DISPUTES_FILE,
            "矛盾纠纷排查台账",
            M.DISPUTE_COLUMNS,
            fd.itertuples(index=False, name=None),
        )

    # mappings, sources, manifest
    labels = {lab: code for code, labs in LABELS.items() for lab in labs}
    for path, text in M.mapping_files({v: k for k, v in names.items()}, labels).items():
        write_text(out / path, text)
    traffic = (
        (M.TRAFFIC_FILE, "mappings/traffic.toml")
        if full
        else (M.TRAFFIC_CSV_FILE, "mappings/traffic_csv.toml")
    )
    order = [
        (M.AREAS_FILE, "mappings/areas.toml"),
        (M.STREETS_FILE, "mappings/streets.toml"),
        (M.ZONES_FILE, "mappings/zones.toml"),
        (M.CAMERAS_FILE, "mappings/cameras.toml"),
        (M.PEERS_FILE, "mappings/peers.toml"),
        (M.TARGETS_FILE, "mappings/targets.toml"),
        (M.CRIMINAL_FILE, "mappings/criminal.toml"),
        traffic,
        (M.FIRE_FILE, "mappings/fire.toml"),
        (M.PETITIONS_FILE, "mappings/petitions.toml"),
    ]
    if full:
        order.append((M.DISPUTES_FILE, "mappings/disputes.toml"))
    identity = {
        "name": DISTRICT["name"],
        "name_en": DISTRICT["name_en"],
        "timezone": "Asia/Shanghai",
        "currency": "CNY",
        "unit": "乡镇(街道)",
        "unit_en": "township",
        "issuer": "金河区综治委办公室",
        "issuer_en": "Jinhe District Comprehensive Management Committee Office",
    }
    write_text(out / "sources.toml", M.sources_toml(order, identity))
    manifest = build_manifest(
        geo=geo,
        cal=cal,
        models=models,
        expected=expected,
        cams=cams,
        pet=pet,
        targets=tgt,
        dirt=dirt,
        files=summary.rows,
        seed=seed,
        scale=scale,
    )
    write_text(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    write_text(out / "README.md", M.readme(summary.rows, seed, scale))
    for f in [*summary.rows, "sources.toml", "manifest.json", "README.md"]:
        summary.bytes[f] = (out / f).stat().st_size
    return summary


def _target_expectations(expected: dict[str, np.ndarray], cal) -> dict[str, dict[int, float]]:
    """Expected annual values the targets are set from (fire without the 2026 surge)."""
    years = cal.months.year
    out: dict[str, dict[int, float]] = {
        m: {} for m in ("fire.count", "fire.loss_yuan", "traffic.deaths", "traffic.major")
    }
    surge = np.where(cal.months >= pd.Timestamp(T.FIRE_SURGE["from"]), T.FIRE_SURGE["multiplier"], 1.0)
    for y in range(2019, 2027):
        sel = years == y
        fires = float((expected["fire"].sum(axis=1) / surge)[sel].sum()) * (12 / max(int(sel.sum()), 1))
        major = float(expected["traffic.major"].sum(axis=1)[sel].sum()) * (12 / max(int(sel.sum()), 1))
        out["fire.count"][y] = fires
        out["fire.loss_yuan"][y] = fires * 16_000.0
        out["traffic.major"][y] = major
        out["traffic.deaths"][y] = major * 0.55 * 1.3
    return out
