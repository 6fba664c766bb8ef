"""Part of 六、治安热点与视频监控覆盖: cameras and checkpoints, their coverage of main streets and of
the period's criminal cases, and where new cameras should go.

The share of cases covered needs located criminal cases of the period; without them the sentence
says nothing about cases, and new sites are chosen by the length of uncovered main street they
cover (and said to be), never "by uncovered cases".

Examples
--------
>>> PHRASES.say("sites.streets", "en", n_sites="10", after="")[:81]
'10 new sites are proposed (stars), chosen to cover the most uncovered main street'
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.report import blocks as B  # noqa: N812
from zzanalytics.report import maps
from zzanalytics.report.briefing.context import Context
from zzanalytics.report.briefing.results import shared
from zzanalytics.report.briefing.scope import Scope
from zzanalytics.report.briefing.select import area_polygons, criminal, local, located, with_prefix, within
from zzanalytics.report.phrases import Phrases

PHRASES = Phrases(
    {
        "cameras": (
            "{subject}现有视频监控点{cameras}、智能卡口{checkpoints}。",
            "{subject!u} has {cameras} cameras and {checkpoints} smart checkpoints.",
        ),
        "streets": (
            "主要街道监控覆盖率为{street_share}{gap}{incidents}",
            "{street_share} of main streets are covered{gap}{incidents}",
        ),
        "gap": (
            ",尚有{gap_km}公里未覆盖(图中红线),尚未实现全覆盖",
            ", leaving {gap_km} km uncovered (red lines)",
        ),
        "gap.none": (",已实现全覆盖", ", all of them"),
        "incidents": (
            ";{period}{incident_share}的有坐标{what}发生在监控点{radius}米范围内。",
            "; {incident_share} of the located {what!l} in {period} occurred within {radius} m of a camera.",
        ),
        "incidents.none": ("。", "."),
        "sites": (
            "按未覆盖案件数量测算,建议优先在{n_sites}处新增监控点位(图中星号){after}",
            "{n_sites} new sites are proposed (stars), chosen to cover the most uncovered cases{after}",
        ),
        "sites.streets": (
            "本期无有坐标的刑事案件,按未覆盖主要街道长度测算,建议优先在{n_sites}处新增监控点位(图中星号){after}",
            "{n_sites} new sites are proposed (stars), chosen to cover the most uncovered main street "
            "(no located criminal cases this period){after}",
        ),
        "after": (
            ",建成后案件监控覆盖率可提高到{after_share}。",
            ", which would raise the share of cases covered to {after_share}.",
        ),
        "after.none": ("。", "."),
        "cameras.data": ("视频监控点位", "camera"),
        "cameras.map": ("视频监控点位与主要街道覆盖", "Cameras and main-street coverage"),
    },
    name="hotspots",
)

COVERAGE_RADIUS_M = 100.0
"""A camera covers this many metres around it (streets and incidents)."""
NEW_SITES = 10
"""Sites proposed for new cameras."""
FULL_COVERAGE = 99.95
"""Street coverage (percent) worded as full."""


@dataclass(frozen=True)
class Cameras:
    """Cameras of the area (``cams``: working ones) and their coverage: street and incident shares
    (percent, None where not computed), the uncovered street segments (``gaps``), proposed
    ``sites`` and how they were chosen (``by``: ``incidents`` or ``streets``), and an ``error`` when
    the coverage could not be computed on these data (noted in the data notes)."""

    cams: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    by: str = "incidents"
    error: str = ""


@shared("cameras")
def compute(ctx: Context, scope: Scope) -> Cameras:
    """Cameras of the area and their coverage (``ctx.results.cameras``).

    Examples
    --------
    >>> compute(Context.empty(), Scope((), (), ())).cams.empty
    True
    """
    cams = ctx.tables.get("cameras")
    if cams is None or cams.empty:
        return Cameras(pd.DataFrame())
    if "status" in cams.columns:
        cams = cams[cams["status"].fillna("working").astype(str) != "planned"]
    polys = area_polygons(ctx)
    if ctx.area is not None and polys is not None and len(polys):
        import geopandas as gpd

        pts = gpd.GeoSeries(gpd.points_from_xy(cams["lon"], cams["lat"]), crs="EPSG:4326")
        cams = cams[pts.within(polys.union_all()).to_numpy()]
    inc = within(local(ctx, ctx.incidents), "occurred_at", ctx.start, ctx.end)
    inc = located(with_prefix(criminal(inc), scope.counted)) if scope.counted else inc.iloc[0:0]
    by = "incidents" if len(inc) else "streets"
    try:  # a coverage failure on these data must not sink the whole briefing
        summary = coverage_summary(ctx, cams, inc, by)
    except Exception as exc:
        return Cameras(cams, {}, by, f"camera coverage: {type(exc).__name__}: {exc}")
    return Cameras(cams, summary, by)


def coverage_summary(ctx: Context, cams: pd.DataFrame, inc: pd.DataFrame, by: str) -> dict[str, Any]:
    """Coverage of main streets and of the period's located criminal cases (``inc``), and
    :data:`NEW_SITES` proposed sites (by uncovered cases, or by uncovered street length when
    ``by`` is ``streets``). Shares are in percent.

    Examples
    --------
    >>> from zzanalytics.report.briefing import load
    >>> ctx = load(None, "2026-01-01", "2026-06-30")  # doctest: +SKIP
    >>> round(ctx.results.cameras.summary["gap_km"], 1)  # doctest: +SKIP
    """
    from zzanalytics.spatial import coverage

    streets = ctx.streets
    polys = area_polygons(ctx)
    if streets is None or len(streets) == 0:
        return {}
    if ctx.area is not None and polys is not None and len(polys):
        streets = streets.clip(polys.union_all())
        streets = streets[~streets.geometry.is_empty]
        if streets.empty:
            return {}
    weight = 0.0 if by == "incidents" else 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = coverage.camera_coverage(cams, streets, inc, radius=COVERAGE_RADIUS_M, date=ctx.end)
        sit = coverage.site_cameras(
            cams, streets, inc, k=NEW_SITES, radius=COVERAGE_RADIUS_M, date=ctx.end, length_weight=weight
        )
    after = sit.after.get("incident_share") if isinstance(sit.after, dict) and len(inc) else None
    return {
        "street_share": res.street_share * 100 if np.isfinite(res.street_share) else None,
        "incident_share": res.incident_share * 100 if len(inc) and np.isfinite(res.incident_share) else None,
        "gaps": res.uncovered,
        "sites": sit.sites,
        "n_sites": len(sit.sites),
        "incident_share_after": after * 100 if after is not None and np.isfinite(after) else None,
        "gap_km": float(res.uncovered["length_m"].sum() / 1000) if len(res.uncovered) else 0.0,
    }


def cameras_block(ctx: Context, cameras: Cameras, scope: Scope) -> B.Html:
    """Cameras and checkpoints, coverage of main streets and incidents, proposed sites.

    Examples
    --------
    >>> "未导入视频监控点位数据" in cameras_block(Context.empty(), Cameras(pd.DataFrame()), Scope((), (), ()))
    True
    """
    cams, cov = cameras.cams, cameras.summary
    if cams is None or cams.empty:
        return B.para(ctx.no_data(PHRASES["cameras.data"], "not_ingested"), cls="note")
    w = {
        **ctx.basics(),
        "cameras": ctx.count(int((cams["kind"] == "camera").sum()), "个"),
        "checkpoints": ctx.count(int((cams["kind"] == "checkpoint").sum()), "个"),
        "radius": ctx.number(COVERAGE_RADIUS_M),
        "what": scope.noun(ctx) if scope.any else "",
    }
    sentences = [ctx.say(PHRASES["cameras"], w)]
    if cov.get("street_share") is not None:
        w["street_share"] = ctx.pct(cov["street_share"])
        w["gap_km"] = ctx.number(cov["gap_km"], 1)
        w["gap"] = ctx.say(PHRASES["gap" if cov["street_share"] < FULL_COVERAGE else "gap.none"], w)
        if cov.get("incident_share") is not None:
            w["incident_share"] = ctx.pct(cov["incident_share"])
            w["incidents"] = ctx.say(PHRASES["incidents"], w)
        else:
            w["incidents"] = ctx.say(PHRASES["incidents.none"])
        sentences.append(ctx.say(PHRASES["streets"], w))
    if cov.get("n_sites"):
        w["n_sites"] = ctx.number(cov["n_sites"])
        after = cov.get("incident_share_after")
        w["after_share"] = ctx.pct(after)
        w["after"] = ctx.say(PHRASES["after" if after is not None else "after.none"], w)
        sentences.append(ctx.say(PHRASES["sites" if cameras.by == "incidents" else "sites.streets"], w))
    polys = area_polygons(ctx)
    streets = ctx.streets
    if streets is not None and len(streets) and polys is not None and len(polys) and ctx.area is not None:
        streets = streets.clip(polys.union_all())
        streets = streets[~streets.geometry.is_empty]
    fig = maps.camera_map(
        cams,
        areas=polys,
        streets=streets,
        gaps=cov.get("gaps"),
        sites=cov.get("sites"),
        lang=ctx.lang,
        title=ctx.say(PHRASES["cameras.map"]),
    )
    return B.join(B.para(*sentences), B.figure(fig))
