"""The export files of the sample district and the mapping files that ingest them.

:data:`FILES` names each export, its mapping file and its order in
``sources.toml`` (reference tables first, so that out-of-district points are
detected when the incidents arrive).
"""

from __future__ import annotations

from zzanalytics.sample.exports import toml_table

AREAS_FILE = "乡镇街道.geojson"
STREETS_FILE = "道路.geojson"
ZONES_FILE = "用地分区.geojson"
CAMERAS_FILE = "视频监控点位.csv"
PEERS_FILE = "全省县市信访排名.csv"
TARGETS_FILE = "安全生产目标.csv"
CRIMINAL_FILE = "110警情_刑事案件_2019-2026.csv"
TRAFFIC_FILE = "交通事故_2019-2026.xlsx"
TRAFFIC_CSV_FILE = "交通事故_2019-2026.csv"
FIRE_FILE = "火灾_2019-2026.csv"
PETITIONS_FILE = "信访登记.csv"
DISPUTES_FILE = "矛盾纠纷排查.xlsx"

CRIMINAL_COLUMNS = [
    "案件编号",
    "案件类别",
    "发案时间",
    "发案起始时间",
    "发案终止时间",
    "报案时间",
    "所属街道",
    "发案场所",
    "经度",
    "纬度",
    "简要案情",
]
TRAFFIC_COLUMNS = [
    "事故编号",
    "事故时间",
    "事故等级",
    "乡镇街道",
    "道路名称",
    "经度",
    "纬度",
    "天气",
    "事故原因",
    "死亡人数",
    "受伤人数",
]
FIRE_COLUMNS = [
    "起火时间",
    "乡镇街道代码",
    "起火地点",
    "起火场所",
    "起火原因",
    "直接经济损失(万元)",
    "死亡人数",
    "受伤人数",
    "经度",
    "纬度",
]
PETITION_COLUMNS = [
    "登记编号",
    "登记日期",
    "信访层级",
    "信访形式",
    "是否非正常上访",
    "人数",
    "所属乡镇",
    "信访事项",
]
DISPUTE_COLUMNS = ["纠纷编号", "排查日期", "所属乡镇", "纠纷类型", "化解日期", "化解状态"]
CAMERA_COLUMNS = ["点位编号", "点位名称", "点位类型", "经度", "纬度", "安装日期", "运行状态"]
PEER_COLUMNS = ["县市区", "排名范围", "季度", "指标", "数值"]
TARGET_COLUMNS = ["年度", "指标", "控制数"]

LEVEL_ZH = {"capital": "进京", "province": "赴省", "city": "赴市", "district": "赴区"}
FORM_ZH = {"individual": "个体访", "collective": "集体访"}
KIND_ZH = {"camera": "视频监控", "checkpoint": "智能卡口"}
STATUS_ZH = {"working": "正常", "broken": "故障"}
SCOPE_ZH = {"province": "全省", "city": "全市"}
METRIC_ZH = {"petitions.irregular": "非正常上访批次"}
TARGET_ZH = {
    "fire.count": "火灾起数",
    "fire.loss_yuan": "火灾直接经济损失(元)",
    "traffic.deaths": "道路交通事故死亡人数",
    "traffic.major": "重大道路交通事故起数",
}
ZONE_ZH = {
    "rental_housing": "出租房屋集中区",
    "commercial": "商业中心",
    "industrial": "工业园区",
    "village": "村庄",
}
CLASS_ZH = {"main": "主干道", "secondary": "次干道"}


def _inv(d: dict[str, str]) -> dict[str, str]:
    return {v: k for k, v in d.items()}


def _source(
    table: str,
    *,
    encoding: str = "auto",
    crs: str | None = None,
    date_format: str = "",
    sheet: str | None = None,
    date_floor: str | None = None,
) -> dict:
    s: dict = {"encoding": encoding, "timezone": "Asia/Shanghai", "table": table, "date_format": date_format}
    if crs:
        s["crs"] = crs
    if sheet is not None:
        s["sheet"] = sheet
    if date_floor:
        s["date_floor"] = date_floor
    return s


def mapping_files(area_names: dict[str, str], category_labels: dict[str, str]) -> dict[str, str]:
    """Text of every mapping file, by relative path.

    ``area_names`` maps township names to codes; ``category_labels`` maps the criminal export's
    labels to category codes.
    """
    areas = ("areas", area_names)
    head = "# Mapping of {what} ({file}); format: docs/mapping.md of zzanalytics.\n\n"
    specs: dict[str, tuple[str, str, list[tuple[str, dict]]]] = {
        "mappings/areas.toml": (
            "township polygons",
            AREAS_FILE,
            [
                ("source", _source("areas", encoding="utf-8", crs="gcj02")),
                (
                    "columns",
                    {
                        "area_code": "区划代码",
                        "name": "名称",
                        "name_en": "英文名称",
                        "population": "常住人口",
                    },
                ),
            ],
        ),
        "mappings/streets.toml": (
            "streets",
            STREETS_FILE,
            [
                ("source", _source("streets", encoding="utf-8", crs="gcj02")),
                ("columns", {"name": "名称", "class": "道路等级"}),
                ("values.class", _inv(CLASS_ZH)),
            ],
        ),
        "mappings/zones.toml": (
            "land-use zones",
            ZONES_FILE,
            [
                ("source", _source("zones", encoding="utf-8", crs="gcj02")),
                ("columns", {"zone_id": "编号", "kind": "类型", "name": "名称"}),
                ("values.kind", _inv(ZONE_ZH)),
            ],
        ),
        "mappings/cameras.toml": (
            "video points and checkpoints",
            CAMERAS_FILE,
            [
                ("source", _source("cameras", encoding="utf-8", crs="gcj02", date_format="%Y-%m-%d")),
                (
                    "columns",
                    {
                        "camera_id": "点位编号",
                        "kind": "点位类型",
                        "lon": "经度",
                        "lat": "纬度",
                        "installed_on": "安装日期",
                        "status": "运行状态",
                    },
                ),
                ("values.kind", _inv(KIND_ZH)),
                ("values.status", _inv(STATUS_ZH)),
            ],
        ),
        "mappings/peers.toml": (
            "the province's petition ranking",
            PEERS_FILE,
            [
                ("source", _source("peers", encoding="utf-8")),
                (
                    "columns",
                    {
                        "county": "县市区",
                        "scope": "排名范围",
                        "period": "季度",
                        "metric": "指标",
                        "value": "数值",
                    },
                ),
                ("values.scope", _inv(SCOPE_ZH)),
                ("values.metric", _inv(METRIC_ZH)),
            ],
        ),
        "mappings/targets.toml": (
            "annual safety targets",
            TARGETS_FILE,
            [
                ("source", _source("targets", encoding="utf-8")),
                ("columns", {"year": "年度", "metric": "指标", "ceiling": "控制数"}),
                ("values.metric", _inv(TARGET_ZH)),
            ],
        ),
        "mappings/criminal.toml": (
            "110 criminal cases (GB18030 CSV)",
            CRIMINAL_FILE,
            [
                (
                    "source",
                    _source(
                        "incidents",
                        encoding="gb18030",
                        crs="gcj02",
                        date_format="%Y/%m/%d %H:%M",
                        date_floor="2010-01-01",
                    ),
                ),
                (
                    "columns",
                    {
                        "incident_id": "案件编号",
                        "occurred_at": "发案时间",
                        "occurred_from": "发案起始时间",
                        "occurred_to": "发案终止时间",
                        "reported_at": "报案时间",
                        "category": "案件类别",
                        "area_code": "所属街道",
                        "premises": "发案场所",
                        "lon": "经度",
                        "lat": "纬度",
                        "description": "简要案情",
                    },
                ),
                ("categories", category_labels),
                areas,
            ],
        ),
        "mappings/traffic.toml": (
            "traffic accidents (traffic police XLSX)",
            TRAFFIC_FILE,
            [
                ("source", _source("incidents", crs="gcj02", sheet="交通事故", date_floor="2010-01-01")),
                (
                    "columns",
                    {
                        "incident_id": "事故编号",
                        "occurred_at": "事故时间",
                        "category": "事故等级",
                        "area_code": "乡镇街道",
                        "lon": "经度",
                        "lat": "纬度",
                        "cause": "事故原因",
                        "deaths": "死亡人数",
                        "injuries": "受伤人数",
                    },
                ),
                ("categories", {"轻微事故": "traffic", "一般事故": "traffic", "重大事故": "traffic.major"}),
                areas,
            ],
        ),
        "mappings/fire.toml": (
            "fires (fire brigade UTF-8 CSV, no id column)",
            FIRE_FILE,
            [
                ("source", _source("incidents", crs="gcj02", date_floor="2010-01-01")),
                (
                    "columns",
                    {
                        "occurred_at": "起火时间",
                        "area_code": "乡镇街道代码",
                        "premises": "起火场所",
                        "cause": "起火原因",
                        "loss_yuan": "直接经济损失(万元)",
                        "deaths": "死亡人数",
                        "injuries": "受伤人数",
                        "lon": "经度",
                        "lat": "纬度",
                    },
                ),
                ("constants", {"category": "fire"}),
                ("units", {"loss_yuan": 10000}),
            ],
        ),
        "mappings/petitions.toml": (
            "petition register",
            PETITIONS_FILE,
            [
                ("source", _source("petitions", encoding="utf-8", date_format="%Y%m%d")),
                (
                    "columns",
                    {
                        "petition_id": "登记编号",
                        "received_on": "登记日期",
                        "level": "信访层级",
                        "form": "信访形式",
                        "irregular": "是否非正常上访",
                        "persons": "人数",
                        "area_code": "所属乡镇",
                        "issue": "信访事项",
                    },
                ),
                ("values.level", _inv(LEVEL_ZH)),
                ("values.form", _inv(FORM_ZH)),
                ("values.irregular", {"是": True, "否": False}),
                areas,
            ],
        ),
        "mappings/disputes.toml": (
            "dispute screening ledger (XLSX)",
            DISPUTES_FILE,
            [
                ("source", _source("disputes", sheet="矛盾纠纷排查台账", date_format="%Y年%m月%d日")),
                (
                    "columns",
                    {
                        "dispute_id": "纠纷编号",
                        "found_on": "排查日期",
                        "area_code": "所属乡镇",
                        "kind": "纠纷类型",
                        "resolved_on": "化解日期",
                    },
                ),
                areas,
            ],
        ),
    }
    specs["mappings/traffic_csv.toml"] = (
        "traffic accidents as CSV (scaled samples)",
        TRAFFIC_CSV_FILE,
        [
            (k, v)
            if k != "source"
            else (
                "source",
                _source(
                    "incidents",
                    encoding="utf-8",
                    crs="gcj02",
                    date_format="%Y-%m-%d %H:%M",
                    date_floor="2010-01-01",
                ),
            )
            for k, v in specs["mappings/traffic.toml"][2]
        ],
    )
    out = {}
    for path, (what, file, tables) in specs.items():
        out[path] = head.format(what=what, file=file) + "\n".join(toml_table(n, t) for n, t in tables)
    return out


def sources_toml(files: list[tuple[str, str]], district: dict[str, str] | None = None) -> str:
    """``sources.toml``: the district's identity, then every export with its mapping, in ingest order."""
    parts = ["# What builds the default store, in order: reference tables first (docs/mapping.md).\n"]
    if district:
        parts.append("[district]\n" + "".join(f'{k} = "{v}"\n' for k, v in district.items()))
    for f, m in files:
        parts.append(f'[[source]]\nfiles = ["{f}"]\nmapping = "{m}"\n')
    return "\n".join(parts)


_README = """# 金河区 sample district (fictional)

Generated by `zz sample --seed {seed} --scale {scale:g}` (zzanalytics/sample); do not edit by hand:
the test suite regenerates this folder and compares every byte. Names, codes and numbers are synthetic.

The district: 12 street offices and towns (620102001-620102201) of a fictional urban district in a
river valley of Gansu, around lon 103.80, lat 36.05; records 2019-01-01 .. 2026-10-31. Coordinates in
every export are GCJ-02 (as Chinese map services give them); `manifest.json` gives the planted truths
in WGS-84. `sources.toml` lists what builds the default store (`data/sample/store/`, not committed).

| file | office | format | rows |
|---|---|---|---|
{rows}

Date formats: `2026/5/6 21:30` (110 criminal cases), Excel datetimes with a few text dates (traffic),
`2026-05-06T21:30:00+08:00` (fire), `20260506` (petitions), `2026年5月6日` (disputes), `2026-05-06`
(cameras). The fire export has no id column (ids are derived from content) and gives losses in 万元.
A few dozen dirty rows are planted on purpose; `manifest.json` → `dirty` lists each with its row and
the outcome ingest must give it.
"""

_ABOUT = {
    AREAS_FILE: ("民政 / 自然资源: township polygons", "GeoJSON"),
    STREETS_FILE: ("交通: main and secondary streets", "GeoJSON"),
    ZONES_FILE: ("自然资源: land-use zones", "GeoJSON"),
    CAMERAS_FILE: ("公安 科信: video points and checkpoints", "CSV UTF-8"),
    PEERS_FILE: ("市信访局: quarterly provincial ranking", "CSV UTF-8"),
    TARGETS_FILE: ("安委会: annual safety targets", "CSV UTF-8"),
    CRIMINAL_FILE: ("公安 110: criminal cases", "CSV GB18030"),
    TRAFFIC_FILE: ("交警: traffic accidents", "XLSX"),
    TRAFFIC_CSV_FILE: ("交警: traffic accidents", "CSV UTF-8"),
    FIRE_FILE: ("消防救援: fires", "CSV UTF-8 with BOM"),
    PETITIONS_FILE: ("信访局: petition register", "CSV UTF-8"),
    DISPUTES_FILE: ("综治中心: dispute screening ledger", "XLSX"),
}


def readme(rows: dict[str, int], seed: int, scale: float) -> str:
    """``README.md`` of the generated folder."""
    lines = [f"| `{f}` | {_ABOUT[f][0]} | {_ABOUT[f][1]} | {n:,} |" for f, n in rows.items()]
    return _README.format(seed=seed, scale=scale, rows="\n".join(lines))
