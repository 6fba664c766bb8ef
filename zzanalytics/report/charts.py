"""Charts of a briefing, built from tidy frames with the one theme (:mod:`~zzanalytics.report.theme`).

Each function takes the tidy frame a library function returns (counts,
comparisons, forecasts, target breaches, dispute summaries) and returns a plotly
figure sized for A4, labelled in Chinese or English.

Examples
--------
>>> import pandas as pd
>>> months = pd.date_range("2025-01-01", "2026-06-01", freq="MS")
>>> monthly = pd.DataFrame({"period": months, "count": range(18)})
>>> fig = year_on_year(monthly, year=2026, title="刑事案件月度走势")
>>> [t.name for t in fig.data]
['2025年', '2026年']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from zzanalytics.report import text as tx
from zzanalytics.report import theme
from zzanalytics.wording import Phrases, pick

LABELS = Phrases(
    {
        "year": ("{year}年", "{year}"),
        "this": ("本期", "This period"),
        "last": ("去年同期", "Same period last year"),
        "new": ("新增", "new"),
        "band95": ("95%区间", "95% interval"),
        "band80": ("80%区间", "80% interval"),
        "observed": ("实际", "Observed"),
        "forecast": ("预测", "Forecast"),
        "month.axis": ("%Y年%-m月", "%Y-%m"),
        "to_date": ("截至目前", "To date"),
        "expected": ("预计全年(80%区间)", "Expected year end (80%)"),
        "breach": ("超标概率{p}", "P(breach) {p}"),
        "ceiling": ("目标上限", "ceiling"),
    },
    name="charts",
)
"""Labels of the charts, Chinese and English."""


def _months(lang: str) -> list[str]:
    return list(pick(tx.MONTH_ABBR, lang))


def year_on_year(
    monthly: pd.DataFrame,
    year: int,
    *,
    value: str = "count",
    title: str | None = None,
    lang: str = "zh",
    last_month: int | None = None,
    height: int | None = None,
) -> go.Figure:
    """This year's monthly values as bars against last year's as a line (同期对比).

    Parameters
    ----------
    monthly : DataFrame
        ``period`` (month starts) and ``value``.
    year : int
        The current year; the previous year is drawn for comparison.
    last_month : int, optional
        Last month of the current year to draw (months after it are not yet reported).
    """
    m = monthly.copy()
    m["period"] = pd.to_datetime(m["period"])
    months = _months(lang)
    fig = go.Figure()
    prev = m[m["period"].dt.year == year - 1]
    cur = m[m["period"].dt.year == year]
    if last_month is not None:
        cur = cur[cur["period"].dt.month <= last_month]
    fig.add_trace(
        go.Scatter(
            x=[months[i - 1] for i in prev["period"].dt.month],
            y=prev[value],
            mode="lines+markers",
            name=LABELS.say("year", lang, year=year - 1),
            line={"color": theme.GREY, "width": 2, "dash": "dot"},
        )
    )
    fig.add_trace(
        go.Bar(
            x=[months[i - 1] for i in cur["period"].dt.month],
            y=cur[value],
            name=LABELS.say("year", lang, year=year),
            marker_color=theme.BLUE,
            text=[tx.number(v) for v in cur[value]],
            textposition="outside",
            textfont={"size": 10},
            cliponaxis=False,
        )
    )
    theme.apply(fig, title=title, height=height)
    fig.update_xaxes(categoryorder="array", categoryarray=months)
    fig.update_yaxes(rangemode="tozero")
    return fig


def change_bars(
    comparison: pd.DataFrame,
    *,
    label: str = "label",
    title: str | None = None,
    lang: str = "zh",
    height: int | None = None,
) -> go.Figure:
    """Horizontal bars of this period vs the same period last year per category, change annotated.

    ``comparison`` has ``label``, ``current``, ``baseline`` and ``significant``; significant rises
    are marked in red with ``▲``, falls with ``▼``.

    Examples
    --------
    >>> c = pd.DataFrame({"label": ["盗窃", "诈骗"], "current": [120, 80], "baseline": [100, 90],
    ...                   "significant": [True, False]})
    >>> fig = change_bars(c)
    >>> fig.data[1].text
    ('▽11.1%', '▲20.0%')
    """
    c = comparison.iloc[::-1]
    this, last = LABELS.say("this", lang), LABELS.say("last", lang)
    fig = go.Figure()
    fig.add_trace(go.Bar(y=c[label], x=c["baseline"], orientation="h", name=last, marker_color="#c7c7c7"))
    notes, colors = [], []
    for cur, base, sig in zip(c["current"], c["baseline"], c["significant"], strict=False):
        p = tx.pct_change(cur, base)
        if not np.isfinite(p):
            notes.append("—" if base == 0 and cur == 0 else LABELS.say("new", lang))
            colors.append(theme.BLUE)
            continue
        up = p > 0
        arrow = ("▲" if sig else "△") if up else ("▼" if sig else "▽")
        notes.append(f"{arrow}{tx.pct(abs(p))}")
        colors.append(theme.RED if (sig and up) else theme.BLUE)
    fig.add_trace(
        go.Bar(
            y=c[label],
            x=c["current"],
            orientation="h",
            name=this,
            marker_color=colors,
            text=notes,
            textposition="outside",
            cliponaxis=False,
            textfont={"size": 11},
        )
    )
    n = len(c)
    theme.apply(fig, title=title, height=height or max(220, 60 + 46 * n))
    fig.update_layout(barmode="group", bargap=0.25, margin={"r": 70})
    fig.update_xaxes(rangemode="tozero", separatethousands=True, showgrid=True, gridcolor="#e5e5e5")
    return fig


def forecast_fan(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    *,
    value: str = "count",
    title: str | None = None,
    lang: str = "zh",
    since: Any = None,
    height: int | None = None,
) -> go.Figure:
    """Observed monthly values and the forecast mean with 80% and 95% intervals.

    ``forecast`` has ``period``, ``mean``, ``lo80``, ``hi80``, ``lo95``, ``hi95``.

    Examples
    --------
    >>> h = pd.DataFrame({"period": pd.date_range("2026-01-01", periods=6, freq="MS"), "count": [5] * 6})
    >>> f = pd.DataFrame({"period": pd.date_range("2026-07-01", periods=2, freq="MS"), "mean": [5.0, 5.0],
    ...                   "lo80": [3.0, 3], "hi80": [7.0, 7], "lo95": [2.0, 2], "hi95": [8.0, 8]})
    >>> [t.name for t in forecast_fan(h, f).data]
    ['95%区间', '80%区间', '实际', '预测']
    """
    h = history.copy()
    h["period"] = pd.to_datetime(h["period"])
    if since is not None:
        h = h[h["period"] >= pd.Timestamp(since)]
    f = forecast.sort_values("period")
    fp = pd.to_datetime(f["period"])
    fig = go.Figure()
    bands = (
        ("lo95", "hi95", LABELS.say("band95", lang), "rgba(31,95,168,0.13)"),
        ("lo80", "hi80", LABELS.say("band80", lang), "rgba(31,95,168,0.28)"),
    )
    for lo, hi, name, color in bands:
        fig.add_trace(
            go.Scatter(
                x=list(fp) + list(fp[::-1]),
                y=list(f[hi].clip(lower=0)) + list(f[lo].clip(lower=0)[::-1]),
                fill="toself",
                fillcolor=color,
                line={"width": 0, "color": color},
                name=name,
                hoverinfo="skip",
                mode="lines",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=h["period"],
            y=h[value],
            mode="lines",
            name=LABELS.say("observed", lang),
            line={"color": "#222", "width": 1.8},
        )
    )
    # join the forecast line to the last observation so there is no visual gap
    jx = ([h["period"].iloc[-1]] if len(h) else []) + list(fp)
    jy = ([h[value].iloc[-1]] if len(h) else []) + list(f["mean"])
    fig.add_trace(
        go.Scatter(
            x=jx,
            y=jy,
            mode="lines",
            name=LABELS.say("forecast", lang),
            line={"color": theme.BLUE, "width": 2.2, "dash": "dash"},
        )
    )
    theme.apply(fig, title=title, height=height)
    fig.update_xaxes(tickformat=LABELS.text("month.axis", lang), nticks=8)
    fig.update_yaxes(rangemode="tozero")
    return fig


def target_gauge(
    breach: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    lang: str = "zh",
    height: int | None = None,
) -> go.Figure:
    """Expected year-end totals against each annual ceiling, as a share of the ceiling.

    ``breach`` is :func:`zzanalytics.models.targets.target_breach`'s frame (``metric``, ``ceiling``,
    ``observed_to_date``, ``expected``, ``lo80``, ``hi80``, ``p_breach``). Bars show the observed share
    to date and the expected share by year end with its 80% interval; the 100% line is the ceiling.

    Examples
    --------
    >>> b = pd.DataFrame({"metric": ["fire.count"], "ceiling": [100.0], "observed_to_date": [70.0],
    ...                   "expected": [95.0], "lo80": [88.0], "hi80": [103.0], "p_breach": [0.3]})
    >>> fig = target_gauge(b, labels={"fire.count": "火灾起数"})
    >>> fig.data[1].error_x.array
    (8.0,)
    """
    b = breach.iloc[::-1].copy()
    ceiling = b["ceiling"].astype(float).replace(0, np.nan)
    names = [(labels or {}).get(m, m) for m in b["metric"]]
    obs = b["observed_to_date"] / ceiling * 100
    exp = b["expected"] / ceiling * 100
    err_hi = (b["hi80"] - b["expected"]).clip(lower=0) / ceiling * 100
    err_lo = (b["expected"] - b["lo80"]).clip(lower=0) / ceiling * 100
    fig = go.Figure()
    fig.add_trace(
        go.Bar(y=names, x=obs, orientation="h", name=LABELS.say("to_date", lang), marker_color=theme.BLUE)
    )
    texts = [f"{tx.probability(p, lang)}" for p in b["p_breach"]]
    fig.add_trace(
        go.Scatter(
            y=names,
            x=exp,
            mode="markers+text",
            name=LABELS.say("expected", lang),
            marker={"symbol": "diamond", "size": 12, "color": theme.ORANGE},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": err_hi.round(1).tolist(),
                "arrayminus": err_lo.round(1).tolist(),
                "color": theme.ORANGE,
                "thickness": 2,
            },
            text=[LABELS.say("breach", lang, p=t) for t in texts],
            textposition="top center",
            textfont={"size": 11},
            cliponaxis=False,
        )
    )
    fig.add_vline(x=100, line={"color": theme.RED, "width": 2, "dash": "dash"})
    fig.add_annotation(
        x=100,
        y=1.02,
        yref="paper",
        text=LABELS.say("ceiling", lang),
        showarrow=False,
        font={"color": theme.RED, "size": 11},
        yanchor="bottom",
    )
    xmax = float(np.nanmax(np.r_[exp + err_hi, obs, 110.0])) * 1.08
    theme.apply(fig, title=title, height=height or max(240, 90 + 70 * len(b)))
    fig.update_xaxes(range=[0, xmax], ticksuffix="%", showgrid=True, gridcolor="#e5e5e5")
    fig.update_layout(legend={"y": -0.08, "yanchor": "top", "x": 0, "xanchor": "left"}, margin={"b": 70})
    return fig


def grouped_bars(
    frame: pd.DataFrame,
    x: str,
    ys: Mapping[str, str],
    *,
    title: str | None = None,
    horizontal: bool = False,
    stacked: bool = False,
    height: int | None = None,
    text: bool = True,
    colors: list[str] | None = None,
) -> go.Figure:
    """Bars of several value columns per category (``ys`` maps column -> legend label).

    Examples
    --------
    >>> df = pd.DataFrame({"乡镇": ["东关", "西关"], "found": [10, 6], "resolved": [9, 6]})
    >>> [t.name for t in grouped_bars(df, "乡镇", {"found": "排查", "resolved": "化解"}).data]
    ['排查', '化解']
    """
    fig = go.Figure()
    for i, (col, name) in enumerate(ys.items()):
        vals = frame[col]
        palette = colors or theme.COLORWAY
        kw: dict[str, Any] = {"name": name, "marker_color": palette[i % len(palette)]}
        if text:
            kw.update(
                text=[tx.number(v) for v in vals],
                textposition="outside" if not stacked else "inside",
                textfont={"size": 10},
                cliponaxis=False,
            )
        if horizontal:
            fig.add_trace(go.Bar(y=frame[x], x=vals, orientation="h", **kw))
        else:
            fig.add_trace(go.Bar(x=frame[x], y=vals, **kw))
    n = len(frame)
    theme.apply(
        fig,
        title=title,
        height=height or (max(240, 70 + 28 * n * (1 if stacked else len(ys))) if horizontal else None),
    )
    fig.update_layout(barmode="stack" if stacked else "group")
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    else:
        fig.update_xaxes(tickangle=-30 if n > 8 else 0)
    return fig


def week_heatmap(
    matrix: Any,
    *,
    days: list[str],
    hour_label: str = "",
    value_label: str = "",
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Hour-of-day × day-of-week heat map of a 7 × 24 matrix (Monday first), e.g. shares in percent.

    The labels come from the caller (the briefing's phrase tables), so the chart has no language.

    Examples
    --------
    >>> fig = week_heatmap(np.ones((7, 24)), days=list("一二三四五六日"), value_label="%")
    >>> fig.data[0].z.shape, list(fig.data[0].y)[:2]
    ((7, 24), ['一', '二'])
    """
    z = np.asarray(matrix, dtype=float)
    n = len(theme.SEQUENTIAL) - 1
    scale = [[i / n, c] for i, c in enumerate(theme.SEQUENTIAL)]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(24)),
            y=list(days),
            colorscale=scale,
            colorbar={"title": {"text": value_label}, "ticksuffix": "%", "thickness": 12},
            hovertemplate="%{y} %{x}:00 %{z:.2f}%<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    theme.apply(fig, title=title, height=height or 300)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(dtick=2, title_text=hour_label, showgrid=False)
    return fig
