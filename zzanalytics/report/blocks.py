"""HTML building blocks of a briefing: headings, paragraphs, tables, figures, key figures.

Every block returns an :class:`Html` string; in a notebook, :func:`show` displays
it as a ``text/html`` output, which the ``zzbriefing`` nbconvert template copies
into the page. Text arguments are treated as data and escaped (through
:func:`zzanalytics.report.text.h`) unless they are already :class:`Html`.
Figures are emitted without plotly.js (the template inlines it once) and with a
deterministic ``div`` id.

Examples
--------
>>> str(heading("一、总体形势"))
'<h2 class="zz-section">一、总体形势</h2>'
>>> str(para("全区<script>x</script>发生1,234起"))
'<p class="lead">全区x发生1,234起</p>'
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from zzanalytics.report import text as tx
from zzanalytics.report.theme import PLOT_CONFIG


class Html(str):
    """A string that is already safe HTML (not escaped again); displays as HTML in Jupyter."""

    def _repr_html_(self) -> str:
        return str(self)


def _h(x: Any) -> str:
    return str(x) if isinstance(x, Html) else tx.h(x)


def heading(title: Any, level: int = 2, new_page: bool = False) -> Html:
    """A section heading (``h2``) or sub-heading (``h3``).

    Examples
    --------
    >>> str(heading("数据说明", 3))
    '<h3>数据说明</h3>'
    """
    if level == 2:
        cls = "zz-section zz-newpage" if new_page else "zz-section"
        return Html(f'<h2 class="{cls}">{_h(title)}</h2>')
    return Html(f"<h{level}>{_h(title)}</h{level}>")


def para(*sentences: Any, cls: str = "lead") -> Html:
    """One paragraph of sentences (empty sentences are skipped).

    Examples
    --------
    >>> str(para("甲。", "", "乙。", cls="note")), str(para("One.", "Two."))
    ('<p class="note">甲。乙。</p>', '<p class="lead">One. Two.</p>')
    >>> str(para("One.", "'Two'."))
    '<p class="lead">One. &#x27;Two&#x27;.</p>'
    """
    body, last = "", ""
    for s in sentences:  # Chinese sentences join directly; English ones need a space
        if not s:
            continue
        text = str(s)
        if last[-1:] in tuple(".;:)!?") and text[:1].isascii() and (text[:1].isalnum() or text[:1] in "'\"("):
            body += " "
        body += _h(s)
        last = text
    return Html(f'<p class="{cls}">{body}</p>') if body else Html("")


def note(*sentences: Any) -> Html:
    """A small grey note under a chart or table.

    Examples
    --------
    >>> str(note("注:单位为起。"))
    '<p class="note">注:单位为起。</p>'
    """
    return para(*sentences, cls="note")


def title_block(title: Any, subtitle: Any = "", lines: Iterable[Any] = ()) -> Html:
    """The briefing's title and subtitle, then ``lines`` (the issuing unit, the meeting).

    Examples
    --------
    >>> "<h1>" in title_block("全区综治形势分析")
    True
    """
    sub = f'<div class="subtitle">{_h(subtitle)}</div>' if subtitle else ""
    sub += "".join(f'<div class="subtitle">{_h(line)}</div>' for line in lines if line)
    return Html(f"<h1>{_h(title)}</h1>{sub}")


def kpis(items: Iterable[tuple[Any, Any, Any]]) -> Html:
    """A row of key figures: (label, value, comment) triples.

    Examples
    --------
    >>> "1,234起" in kpis([("刑事案件", "1,234起", "上升5.2%")])
    True
    """
    cells = "".join(
        f'<div class="zz-kpi"><div class="l">{_h(label)}</div><div class="v">{_h(value)}</div>'
        f'<div class="c">{_h(comment)}</div></div>'
        for label, value, comment in items
    )
    return Html(f'<div class="zz-kpis">{cells}</div>')


KEEP_ROWS = 8
"""Tables of at most this many rows are kept on one printed page."""


def table(
    frame: pd.DataFrame,
    caption: Any = "",
    numeric: Sequence[str] | None = None,
    highlight: str | None = None,
    cls: str = "zz",
) -> Html:
    """An HTML table of a small frame whose cells are already worded (strings).

    Parameters
    ----------
    frame : DataFrame
        Rows to show; column names are the headers. Cells are escaped.
    caption : str
        Table caption.
    numeric : sequence of str, optional
        Columns aligned right (default: columns whose values are all numbers or end in a unit).
    highlight : str, optional
        Boolean column (not shown) marking rows to print in the alert colour.
    cls : str
        CSS classes of the table (``"zz compact"`` for wide tables).

    Examples
    --------
    >>> t = table(pd.DataFrame({"乡镇": ["东关<b>"], "案件": ["12起"]}), caption="表1")
    >>> "<td>东关</td>" in t and 'class="num">12起' in t
    True
    """
    cols = [c for c in frame.columns if c != highlight]
    if numeric is None:
        numeric = [c for c in cols if frame[c].map(_looks_numeric).all()] if len(frame) else []
    head = "".join(f"<th>{_h(c)}</th>" for c in cols)
    rows = []
    for _, r in frame.iterrows():
        flag = ' class="flag-up"' if highlight and bool(r[highlight]) else ""
        tds = "".join(
            f'<td class="num">{_h(_cell(r[c]))}</td>' if c in numeric else f"<td>{_h(_cell(r[c]))}</td>"
            for c in cols
        )
        rows.append(f"<tr{flag}>{tds}</tr>")
    cap = f"<caption>{_h(caption)}</caption>" if caption else ""
    body = "".join(rows)
    if len(frame) <= KEEP_ROWS:  # a short table is printed whole, never its header alone at a page foot
        cls = f"{cls} keep"
    return Html(f'<table class="{cls}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def _cell(x: Any) -> Any:
    if isinstance(x, float | int) and not isinstance(x, bool):
        return tx.number(x, 0 if float(x).is_integer() else 1)
    if tx.is_missing(x):
        return tx.MISSING
    return x


_MONEY = re.compile(r"^[A-Z]{3} [\d.,]")  # an amount written with its ISO currency code: "CAD 7.2 million"


def _looks_numeric(x: Any) -> bool:
    s = str(x)
    return bool(s) and (s[0].isdigit() or s[0] in "+-<>—" or bool(_MONEY.match(s)))


_ids = itertools.count(1)


def figure(fig: go.Figure, caption: Any = "", div_id: str | None = None) -> Html:
    """A plotly figure as an HTML fragment without plotly.js (inlined once by the template).

    Examples
    --------
    >>> frag = figure(go.Figure(go.Bar(x=[1], y=[2])), div_id="f1")
    >>> 'id="f1"' in frag and "cdn.plot.ly" not in frag and "Plotly.newPlot" in frag
    True
    """
    div = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config=PLOT_CONFIG,
        div_id=div_id or f"zzfig{next(_ids)}",
        validate=False,
    )
    cap = f'<div class="caption">{_h(caption)}</div>' if caption else ""
    return Html(f'<div class="zz-figure">{div}{cap}</div>')


def join(*blocks: Any) -> Html:
    """Concatenate blocks (strings from data are escaped).

    Examples
    --------
    >>> str(join(heading("一、总体形势"), "<b>数据</b>"))
    '<h2 class="zz-section">一、总体形势</h2>数据'
    """
    return Html("".join(_h(b) if not isinstance(b, Html) else str(b) for b in blocks if b))


def show(*blocks: Any) -> None:
    """Display blocks in a notebook as one ``text/html`` output.

    Outside IPython (scripts, tests) this prints nothing and returns ``None``.

    Examples
    --------
    >>> show(heading("一、总体形势"), para("全区发生1,234起。"))  # doctest: +SKIP
    """
    try:
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - ipykernel is a dependency
        return
    display(HTML(str(join(*blocks))))
