"""One plotly theme for every chart and map of a briefing: CJK fonts, print-legible sizes, A4 width.

Figures are laid out at a fixed width that fits the printable width of an A4
page (:data:`FIG_WIDTH` pixels at 96 dpi with 15 mm margins), so the screen
and the PDF show the same layout and nothing is cut at the page edge.

Examples
--------
>>> import plotly.graph_objects as go
>>> fig = apply(go.Figure(), title="标题")
>>> t = fig.layout.template.layout
>>> t.width == FIG_WIDTH and "Noto Sans CJK SC" in t.font.family
True
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"WenQuanYi Micro Hei", "SimHei", "Helvetica Neue", Arial, sans-serif'
)
"""CJK-capable font stack: Debian (Noto), Windows office PCs (Microsoft YaHei, SimHei), macOS (PingFang)."""

FIG_WIDTH = 680
"""Figure width in CSS pixels: A4 (210 mm) minus 2 x 15 mm margins at 96 dpi is ~680 px."""

FIG_HEIGHT = 340

# Print-safe palette (colour-blind friendly, distinguishable in greyscale)
BLUE, ORANGE, RED, GREEN, GREY, PURPLE = "#1f5fa8", "#e07b00", "#c0232c", "#2e8540", "#8c8c8c", "#6a3d9a"
COLORWAY = [BLUE, ORANGE, GREEN, RED, PURPLE, "#8c564b", "#17becf", GREY]
SEQUENTIAL = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"]
"""Five classes of a choropleth, light to dark (print-safe oranges)."""

HOT = {
    "hot99": "#b2182b",
    "hot95": "#ef8a62",
    "hot90": "#fddbc7",
    "cold90": "#d1e5f0",
    "cold95": "#67a9cf",
    "cold99": "#2166ac",
}

TEMPLATE_NAME = "zz"


def _template() -> go.layout.Template:
    t = go.layout.Template()
    t.layout = go.Layout(
        font={"family": FONT_FAMILY, "size": 13, "color": "#222"},
        title={"font": {"size": 16}, "x": 0.0, "xanchor": "left", "y": 0.97},
        colorway=COLORWAY,
        paper_bgcolor="white",
        plot_bgcolor="white",
        width=FIG_WIDTH,
        height=FIG_HEIGHT,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        xaxis={
            "showgrid": False,
            "linecolor": "#888",
            "ticks": "outside",
            "tickfont": {"size": 12},
            "automargin": True,
        },
        yaxis={
            "gridcolor": "#e5e5e5",
            "zeroline": False,
            "tickfont": {"size": 12},
            "automargin": True,
            "separatethousands": True,
        },
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "right",
            "x": 1.0,
            "font": {"size": 12},
            "bgcolor": "rgba(255,255,255,0.7)",
        },
        hoverlabel={"font": {"family": FONT_FAMILY}},
        separators=".,",
    )
    return t


pio.templates[TEMPLATE_NAME] = _template()

PLOT_CONFIG = {"displayModeBar": False, "responsive": False, "staticPlot": False, "typesetMath": False}
"""plotly.js config of every figure in a briefing (no mode bar in print, no MathJax)."""


def apply(fig: go.Figure, title: str | None = None, height: int | None = None) -> go.Figure:
    """Give ``fig`` the briefing theme, an optional title and height; returns the same figure.

    Examples
    --------
    >>> apply(go.Figure(), height=200).layout.height
    200
    """
    fig.update_layout(template=TEMPLATE_NAME)
    if title is not None:
        fig.update_layout(title_text=title)
    else:
        fig.update_layout(margin_t=30)
    if height is not None:
        fig.update_layout(height=height)
    return fig
