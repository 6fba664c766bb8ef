"""HTML to the blocks of the Word document: what :mod:`zzanalytics.report.docx` lays out.

:func:`notebook_fragments` reads an executed notebook's visible outputs in order, as the
``zzbriefing`` page shows them; :func:`blocks` parses that HTML into paragraphs (with a role:
title, subtitle, h1–h3, lead, note, caption, pre, item), tables, key figures and figures. It reads
the markup :mod:`zzanalytics.report.blocks` writes (``h1``/``div.subtitle``, ``h2.zz-section``,
``p.lead``/``p.note``, ``div.zz-kpis``, ``table.zz`` with ``caption``, ``td.num`` and
``tr.flag-up``, ``div.zz-figure`` around a ``Plotly.newPlot`` call) and plain HTML from any
notebook (pandas tables with ``colspan``/``rowspan``, lists, Markdown cells, PNG images). Text is
taken as the browser shows it: white space collapsed, ``<br>`` a line break.

Examples
--------
>>> from zzanalytics.report import blocks as bk
>>> [b.role for b in blocks([bk.title_block("全区综治形势", "(1-10月)"), bk.heading("一、总体形势")])]
['title', 'subtitle', 'h1']
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PLOTLY_MIME",
    "Block",
    "Cell",
    "Figure",
    "KeyFigures",
    "Para",
    "Span",
    "Table",
    "blocks",
    "notebook_fragments",
]


@dataclass(frozen=True)
class Span:
    """A piece of text with its emphasis; ``"\\n"`` is a line break."""

    text: str
    bold: bool = False
    muted: bool = False


@dataclass
class Para:
    """A paragraph: ``role`` is title, subtitle, h1–h3, lead, note, caption, pre or item."""

    role: str
    spans: list[Span]
    new_page: bool = False

    @property
    def text(self) -> str:
        """The paragraph's text (line breaks as ``\\n``)."""
        return "".join(s.text for s in self.spans)


@dataclass
class Cell:
    """A table cell: its text, whether it is a number or a header, and its spans."""

    spans: list[Span]
    numeric: bool = False
    head: bool = False
    colspan: int = 1
    rowspan: int = 1

    @property
    def text(self) -> str:
        """The cell's text (line breaks as ``\\n``)."""
        return "".join(s.text for s in self.spans)


@dataclass
class Table:
    """A table: rows of cells (header rows first), its caption and layout hints."""

    rows: list[list[Cell]]
    caption: str = ""
    compact: bool = False
    keep: bool = False
    flagged: list[bool] = field(default_factory=list)


@dataclass
class KeyFigures:
    """The key figures of a section: ``(label, value, comment)`` triples."""

    items: list[tuple[str, str, str]]


@dataclass
class Figure:
    """A chart (plotly JSON, drawn later) or a picture (PNG bytes); size in CSS pixels."""

    spec: dict[str, Any] | None = None
    png: bytes | None = None
    width: int = 700
    height: int = 450


Block = Para | Table | KeyFigures | Figure

PLOTLY_MIME = "application/vnd.plotly.v1+json"
"""A figure shown with ``fig.show()`` in a papermill kernel."""
_DISPLAY = (PLOTLY_MIME, "text/html", "image/png", "text/markdown")


def notebook_fragments(nb: Any) -> list[str]:
    """The HTML of an executed notebook's visible outputs, in order, as the page shows them.

    Cells tagged ``remove`` and code are left out, as are errors and stderr (the ``zzbriefing``
    template's rules); each output gives its richest form among HTML, PNG and Markdown.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
    ...     "display_data", data={"text/html": "<p>甲</p>", "text/plain": "甲"})])
    >>> notebook_fragments(nbformat.v4.new_notebook(cells=[cell]))
    ['<p>甲</p>']
    >>> fig = {"data": [{"type": "bar", "y": [1]}], "layout": {"title": {"text": "</script>"}}}
    >>> cell.outputs = [nbformat.v4.new_output("display_data", data={PLOTLY_MIME: fig})]
    >>> [(f.spec["layout"], f.width) for f in blocks(notebook_fragments(
    ...     nbformat.v4.new_notebook(cells=[cell])))]
    [({'title': {'text': '</script>'}}, 680)]
    """
    from nbconvert.filters import markdown2html

    out: list[str] = []
    for cell in nb.cells:
        if "remove" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "markdown":
            out.append(markdown2html(cell.source))
            continue
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                if o.get("name") == "stdout":
                    out.append(f'<pre class="zz-text">{html.escape(o.get("text", ""))}</pre>')
                continue
            data = o.get("data", {})
            kind = next((k for k in _DISPLAY if k in data), None)
            if kind == PLOTLY_MIME:
                out.append(_plotly_call(data[kind]))
            elif kind == "text/html":
                out.append("".join(data[kind]) if isinstance(data[kind], list) else data[kind])
            elif kind == "image/png":
                out.append(f'<img src="data:image/png;base64,{data[kind]}">')
            elif kind == "text/markdown":
                out.append(markdown2html(data[kind]))
    return out


def _plotly_call(fig: dict[str, Any]) -> str:
    """A plotly-mimetype figure as the page draws it: a box of its size and one ``Plotly.newPlot``."""
    from zzanalytics.report.theme import FIG_HEIGHT, FIG_WIDTH

    layout = dict(fig.get("layout") or {})
    w, h = int(layout.get("width") or FIG_WIDTH), int(layout.get("height") or FIG_HEIGHT)
    data, lay = (
        json.dumps(x, ensure_ascii=False).replace("</", "<\\/") for x in (fig.get("data") or [], layout)
    )
    call = f'<script>Plotly.newPlot("zzfig", {data}, {lay}, {{}})</script>'
    return f'<div style="height:{h}px; width:{w}px;">{call}</div>'


def blocks(fragments: Iterable[str]) -> list[Block]:
    """Parse HTML fragments into the document's blocks, in order.

    Examples
    --------
    >>> b = blocks(['<table class="zz keep"><caption>表1</caption><thead><tr><th>乡镇</th>'
    ...             '<th>案件</th></tr></thead><tbody><tr class="flag-up"><td>东关</td>'
    ...             '<td class="num">12起</td></tr></tbody></table>'])
    >>> t = b[0]; t.caption, [[c.text for c in r] for r in t.rows], t.rows[1][1].numeric, t.flagged
    ('表1', [['乡镇', '案件'], ['东关', '12起']], True, [False, True])
    """
    import lxml.html

    out: list[Block] = []
    for frag in fragments:
        if not frag or not frag.strip():
            continue
        root = lxml.html.fragment_fromstring(frag, create_parent="div")
        _walk(root, out)
    return out


_HEADINGS = {"h1": "title", "h2": "h1", "h3": "h2", "h4": "h3", "h5": "h3", "h6": "h3"}
_BLOCK_TAGS = {"p", "div", "table", "ul", "ol", "pre", "img", "script", "section", "main", "figure"}
_BLOCK_TAGS |= set(_HEADINGS)
_SKIP = {"style", "head", "title", "meta", "link", "noscript", "svg", "button", "input"}


def _classes(el: Any) -> set[str]:
    return set((el.get("class") or "").split())


def _walk(el: Any, out: list[Block]) -> None:
    """Append the blocks of ``el``'s children (``el`` itself is a container)."""
    loose: list[Span] = _clean([Span(el.text)]) if el.text else []
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _BLOCK_TAGS:
            if loose:
                out.append(Para("lead", _clean(loose)))
                loose = []
            _block(child, tag, out)
        elif tag and tag not in _SKIP:
            loose += _spans(child)
        if child.tail and child.tail.strip():
            loose.append(Span(child.tail))
    if _clean(loose):
        out.append(Para("lead", _clean(loose)))


def _block(el: Any, tag: str, out: list[Block]) -> None:
    cls = _classes(el)
    if tag in _HEADINGS:
        out.append(Para(_HEADINGS[tag], _clean(_spans(el)), new_page="zz-newpage" in cls))
    elif tag == "p":
        spans = _clean(_spans(el))
        if spans:
            out.append(Para("note" if "note" in cls else "lead", spans))
    elif tag == "pre":
        out.append(Para("pre", [Span(el.text_content().rstrip("\n"))]))
    elif tag in ("ul", "ol"):
        for i, li in enumerate(el.findall("li"), start=1):
            spans = _clean(_spans(li))
            out.append(Para("item", ([Span(f"{i}. ")] if tag == "ol" else []) + spans))
    elif tag == "table":
        out.append(_table(el))
    elif tag == "img":
        src = el.get("src") or ""
        if src.startswith("data:image/png;base64,"):
            out.append(Figure(png=base64.b64decode(src.split(",", 1)[1])))
    elif tag == "script":
        out.extend(_plotly(el))
    elif "zz-kpis" in cls:
        out.append(_key_figures(el))
    elif "subtitle" in cls:
        out.append(Para("subtitle", _clean(_spans(el))))
    elif "caption" in cls:
        out.append(Para("caption", _clean(_spans(el))))
    else:
        _walk(el, out)


def _spans(el: Any, bold: bool = False, muted: bool = False) -> list[Span]:
    """The inline text of ``el``: ``<br>`` as a line break, bold and muted emphasis kept."""
    out = [Span(el.text, bold, muted)] if el.text else []
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        cls = _classes(child)
        if tag == "br":
            out.append(Span("\n", bold, muted))
        elif tag and tag not in _SKIP | {"script"} and "anchor-link" not in cls:
            strong = bold or tag in ("b", "strong") or bool(cls & {"flag-up", "flag-down"})
            out += _spans(child, strong, muted or "sub" in cls)
        if child.tail:
            out.append(Span(child.tail, bold, muted))
    return out


_SPACE = re.compile(r"[ \t\r\n\f]+")


def _clean(spans: list[Span]) -> list[Span]:
    """Collapse white space as a browser does and trim the ends; drop empty spans."""
    out = []
    for s in spans:
        text = s.text if s.text == "\n" else _SPACE.sub(" ", s.text)
        if out and out[-1].text.endswith((" ", "\n")) and text.startswith(" "):
            text = text[1:]
        if text:
            out.append(Span(text, s.bold, s.muted))
    while out and not out[0].text.strip(" "):
        out.pop(0)
    if out:
        out[0] = Span(out[0].text.lstrip(" "), out[0].bold, out[0].muted)
    while out and not out[-1].text.strip(" "):
        out.pop()
    if out:
        out[-1] = Span(out[-1].text.rstrip(" "), out[-1].bold, out[-1].muted)
    return out


_NUMBER = re.compile(r"[-+−]?[\d,]*\.?\d+%?")


def _table(el: Any) -> Table:
    cap = el.find("caption")
    rows: list[list[Cell]] = []
    flagged: list[bool] = []
    for tr in el.xpath("./thead/tr|./tbody/tr|./tr|./tfoot/tr"):
        in_head = tr.getparent().tag == "thead"
        cells = []
        for td in tr.xpath("./th|./td"):
            spans = _clean(_spans(td))
            text = "".join(s.text for s in spans)
            cells.append(
                Cell(
                    spans,
                    numeric="num" in _classes(td) or bool(_NUMBER.fullmatch(text.strip())),
                    head=in_head or (td.tag == "th" and tr.getparent().tag != "tbody"),
                    colspan=_span(td.get("colspan")),
                    rowspan=_span(td.get("rowspan")),
                )
            )
        rows.append(cells)
        flagged.append("flag-up" in _classes(tr) or "flag-down" in _classes(tr))
    cls = _classes(el)
    caption = "".join(s.text for s in _clean(_spans(cap))) if cap is not None else ""
    return Table(rows, caption, compact="compact" in cls, keep="keep" in cls, flagged=flagged)


def _span(value: Any) -> int:
    try:
        return max(1, min(int(value), 1000))
    except (TypeError, ValueError):
        return 1


def _key_figures(el: Any) -> KeyFigures:
    items = []
    for kpi in el.xpath('./div[contains(concat(" ", @class, " "), " zz-kpi ")]'):
        parts = {}
        for part in kpi:
            for c in _classes(part) & {"l", "v", "c"}:
                parts[c] = "".join(s.text for s in _clean(_spans(part)))
        items.append((parts.get("l", ""), parts.get("v", ""), parts.get("c", "")))
    return KeyFigures(items)


_NEWPLOT = re.compile(r"Plotly\.(?:newPlot|react)\(\s*")
_SIZE = re.compile(r"(height|width)\s*:\s*(\d+(?:\.\d+)?)px")


def _plotly(script: Any) -> list[Figure]:
    """The figures drawn by a script's ``Plotly.newPlot(id, data, layout, config)`` calls."""
    text = script.text or ""
    decoder = json.JSONDecoder()
    box = dict(_SIZE.findall(script.getparent().get("style") or "")) if script.getparent() is not None else {}
    out = []
    for m in _NEWPLOT.finditer(text):
        try:
            _, i = decoder.raw_decode(text, m.end())
            parts = []
            for _ in range(2):
                i = text.index(",", i) + 1
                while text[i].isspace():
                    i += 1
                obj, i = decoder.raw_decode(text, i)
                parts.append(obj)
        except (ValueError, IndexError):
            continue
        data, layout = parts
        width = int(float(box.get("width") or layout.get("width") or 700))
        height = int(float(box.get("height") or layout.get("height") or 450))
        out.append(Figure({"data": data, "layout": layout}, width=width, height=height))
    return out
