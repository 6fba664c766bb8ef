"""The briefing's context: data loaded once from the store, and the helpers every section shares.

:func:`load` reads everything a briefing needs (read-only) into a :class:`Context`;
the section modules (:mod:`~zzanalytics.report.situation`,
:mod:`~zzanalytics.report.outlook`) build sentences, tables and charts from it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.clock import wall_time
from zzanalytics.report import text as tx
from zzanalytics.schema import category_label, is_criminal, matches

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
        county = county or st.meta().get("district")
    names = {}
    if areas is not None and len(areas):
        col = "name_en" if lang == "en" and "name_en" in areas.columns else "name"
        names = {str(c): tx.clean(n) or str(c) for c, n in zip(areas["area_code"], areas[col], strict=False)}
    if area not in (None, "", "district") and str(area) not in names:
        from zzanalytics.errors import ReportError

        raise ReportError(f"area {area!r} is not a township of the store; townships: {sorted(names)}")
    area = None if area in (None, "", "district") else str(area)
    return Context(
        start=start,
        end=end,
        area=area,
        lang=lang,
        incidents=incidents,
        areas=areas,
        names=names,
        tables=tables,
        targets=dict(targets or {}),
        store_path=path,
        county=county,
        streets=streets,
        ingest_log=log,
        quarantine=quarantine,
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


def _within(frame: pd.DataFrame, col: str, start: Any, end: Any) -> pd.DataFrame:
    d = wall_time(frame[col], what=col)
    return frame[(d >= pd.Timestamp(start)) & (d < pd.Timestamp(end) + pd.Timedelta(days=1))]


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
