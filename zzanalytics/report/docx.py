"""The briefing as an editable Word document (``zz briefing --docx``).

Offices amend the briefing before the meeting, and HTML and PDF cannot be edited. The document is
built with ``python-docx`` from **the same HTML the page shows**: the executed notebook's outputs,
in order (:func:`notebook_fragments`: ``text/html`` outputs, images, Markdown cells, printed text),
parsed into blocks (:func:`blocks`) — the markup :mod:`zzanalytics.report.blocks` writes (title,
section headings, lead and note paragraphs, key figures, tables, figures) and plain HTML from any
notebook (pandas tables, lists). Every number in the document is a string of that HTML, so it
equals the page's by construction; ``tests/test_docx.py`` reads the document back to check.

- Headings, paragraphs and notes become paragraphs in named styles (Title, Subtitle, Heading 1–3,
  Normal, ZZ Note), so an office can restyle the whole document at once.
- Tables become Word tables: header rows repeated on every page, rows never split, short tables
  (``keep``) kept on one page, numbers right-aligned, rows flagged as significant rises in bold,
  column widths from their contents, ``colspan``/``rowspan`` merged.
- Key figures become a one-row table in the style ``ZZ Key Figures``.
- Charts become PNG pictures (2× their pixel size, the page's width): each plotly figure's JSON
  is read from its ``Plotly.newPlot`` call and drawn by **kaleido** (≥ 1), which drives the same
  headless Chromium as the PDF (:func:`~zzanalytics.report.render.find_chromium`: ``ZZ_CHROMIUM``
  or Debian's ``/usr/bin/chromium``) with plotly.js from the installed plotly package and MathJax
  off, so nothing is downloaded. kaleido draws every chart of a document in one browser (about
  2 s to start, 0.4 s a chart); printing each chart through our own Chromium command line
  (:mod:`~zzanalytics.report.printer`) would start a browser per chart, or need the pictures cut
  out of one screenshot.

Page, fonts and styles (GB/T 9704-2012 for ``zh``, a plain report for ``en``) are in
:mod:`zzanalytics.report.docx_format`.

Examples
--------
>>> from zzanalytics.report import blocks as bk
>>> [b.role for b in blocks([bk.title_block("全区综治形势", "(1-10月)"), bk.heading("一、总体形势")])]
['title', 'subtitle', 'h1']
>>> path = write_docx([str(bk.para("全区发生1,234起。"))], "reports/x.docx")  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import json
import os
import shutil
import socket
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from zzanalytics.errors import DependencyMissingError, ReportError
from zzanalytics.outputs import atomic_path
from zzanalytics.report import docx_format as df
from zzanalytics.report.docx_blocks import (
    Block,
    Cell,
    Figure,
    KeyFigures,
    Para,
    Span,
    Table,
    blocks,
    notebook_fragments,
)

__all__ = [
    "Cell",
    "Figure",
    "KeyFigures",
    "Para",
    "Span",
    "Table",
    "blocks",
    "build_document",
    "chart_pngs",
    "notebook_fragments",
    "write_docx",
]

SCALE = 2
"""Charts are drawn at twice their pixel size, sharp when printed."""
PX_MM = 25.4 / 96
"""Millimetres per CSS pixel."""


# ------------------------------------------------------------------ charts


def chart_pngs(
    figures: Sequence[Figure], *, chromium: str | None = None, timeout: float = 120
) -> list[bytes]:
    """Draw plotly figures to PNG with kaleido in one headless Chromium (no download, no CDN).

    The browser's profile lives in a private folder of the printer's kind
    (:mod:`zzanalytics.report.printer`): removed when done, and by the next print or drawing when
    this process was killed. The browser itself exits when this process dies (its pipe closes).

    Raises :class:`DependencyMissingError` when Chromium or kaleido is missing and
    :class:`ReportError` when a chart cannot be drawn.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> fig = Figure(go.Figure(go.Bar(x=[1], y=[2])).to_plotly_json(), width=300, height=200)
    >>> chart_pngs([fig])[0][:8] == b"\\x89PNG\\r\\n\\x1a\\n"  # doctest: +SKIP
    True
    """
    if not figures:
        return []
    from zzanalytics.report.render import find_chromium

    browser = chromium or find_chromium()
    try:
        import kaleido
    except ImportError as exc:  # pragma: no cover - a dependency
        raise DependencyMissingError(
            "drawing charts for --docx needs kaleido: pip install 'kaleido>=1'"
        ) from exc

    from zzanalytics.report.printer import OWNER, PRINTER_PREFIX, reap_printers

    reap_printers()  # what killed printers and chart drawers left
    private = Path(tempfile.mkdtemp(prefix=PRINTER_PREFIX))  # the browser's profile goes in here
    (private / OWNER).write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid()}))

    async def draw() -> list[bytes]:
        kwargs = {"path": browser, "mathjax": False, "n": 1, "timeout": timeout, "tmp_dir": str(private)}
        async with kaleido.Kaleido(**kwargs) as k:
            pngs = []
            for i, f in enumerate(figures, start=1):
                opts = {"format": "png", "width": f.width, "height": f.height, "scale": SCALE}
                try:
                    pngs.append(await k.calc_fig(f.spec, opts=opts))
                except Exception as exc:  # kaleido raises its own errors and the browser's
                    raise ReportError(f"chart {i} of {len(figures)} could not be drawn: {exc}") from exc
            return pngs

    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(draw())
        with concurrent.futures.ThreadPoolExecutor(1) as pool:  # called from a notebook's running loop
            return pool.submit(asyncio.run, draw()).result()
    finally:  # the browser ends with its pipe; a killed run's folder is reaped by the next print
        shutil.rmtree(private, ignore_errors=True)


# ------------------------------------------------------------------ the document


def issued_on(date: Any, lang: str = "zh") -> str:
    """The date of issue (成文日期) as GB/T 9704-2012 writes it: year in full, no padding.

    Examples
    --------
    >>> issued_on("2026-11-05"), issued_on("2026-11-05", "en")
    ('2026年11月5日', '5 November 2026')
    """
    from zzanalytics.report.periods import day_span

    return day_span(date, date, lang)


def signature(store: Any = None, lang: str = "zh") -> tuple[str | None, str | None]:
    """The issuing unit (发文机关署名) and the date of issue (成文日期) that close the document, as
    the store's identity records them: its issuer (in ``lang``) and its meeting's date; ``None``
    for what it does not record (nothing is made up: the office adds it in Word).

    Examples
    --------
    >>> signature(None, "zh")  # the sample district records its issuer, not a meeting date
    ('金河区综治委办公室', None)
    """
    from zzanalytics.report.district import identity_words

    if hasattr(store, "identity"):
        ident = store.identity()
    else:
        from zzanalytics.workspace import open_store

        with open_store(store) as st:
            ident = st.identity()
    return identity_words(ident, lang)["issuer"] or None, ident.meeting_date or None


_STYLE = {
    "title": df.TITLE,
    "subtitle": df.SUBTITLE,
    "h1": df.HEADINGS[0],
    "h2": df.HEADINGS[1],
    "h3": df.HEADINGS[2],
    "lead": df.BODY,
    "note": df.NOTE,
    "caption": df.NOTE,
    "pre": df.CODE,
    "item": df.ITEM,
}


def build_document(
    items: Sequence[Block], lang: str = "zh", *, issuer: str | None = None, date: Any = None
) -> Any:
    """A ``python-docx`` document of the blocks (charts must carry their PNG), in the language's format.

    ``issuer`` and ``date`` (the issuing unit and the date of issue) close the document when given.

    Examples
    --------
    >>> doc = build_document([Para("title", [Span("全区综治形势")]), Para("lead", [Span("甲。")])])
    >>> [(p.style.name, p.text) for p in doc.paragraphs]
    [('Title', '全区综治形势'), ('Normal', ''), ('Normal', '甲。')]
    """
    import docx

    fmt = df.format_for(lang)
    doc = docx.Document()
    df.apply(doc, fmt)
    width, height = df.type_area_twips(doc.sections[0])
    box = (width * 635, height * 635)  # EMU
    heading_block = False
    for b in items:
        in_title = isinstance(b, Para) and b.role in ("title", "subtitle")
        if heading_block and not in_title and fmt.blank_after_title:
            doc.add_paragraph(style=df.BODY)  # 空一行 between the title and the body
        heading_block = in_title
        if isinstance(b, Para):
            p = doc.add_paragraph(style=_STYLE[b.role])
            _runs(p, b.spans)
            if b.new_page:
                p.paragraph_format.page_break_before = True
        elif isinstance(b, Table) and b.rows:
            _table_out(doc, b, fmt, box[0])
        elif isinstance(b, KeyFigures) and b.items:
            _key_figures_out(doc, b, fmt, box[0])
        elif isinstance(b, Figure) and b.png:
            _figure_out(doc, b, box)
    if issuer or date is not None:
        _signature(doc, issuer or "", issued_on(date, lang) if date is not None else "", fmt)
    _properties(doc, items, fmt, issuer)
    return doc


def _runs(p: Any, spans: Iterable[Span], size: float | None = None) -> None:
    from docx.shared import Pt, RGBColor

    for s in spans:
        for i, part in enumerate(s.text.split("\n")):
            if not (i or part):
                continue
            run = p.add_run()
            if i:
                run.add_break()
            if part:
                run.add_text(part)
            if s.bold:
                run.bold = True
            if s.muted:
                run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
            if size:
                run.font.size = Pt(size)


def _width(text: str) -> float:
    return max(
        (sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in text.split("\n")),
        default=0,
    )


def _grid(rows: list[list[Cell]]) -> tuple[list[tuple[int, int, Cell]], int]:
    """Place cells on a grid, honouring ``colspan``/``rowspan``: ``[(row, col, cell)]`` and the width."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(min(cell.rowspan, len(rows) - r)):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return placed, max((c for _, c in taken), default=-1) + 1


def _table_out(doc: Any, t: Table, fmt: df.Format, width: int) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    placed, n_cols = _grid(t.rows)
    if n_cols == 0:
        return
    if t.caption:
        doc.add_paragraph(t.caption, style=df.CAPTION)
    table = doc.add_table(rows=len(t.rows), cols=n_cols)
    table.style = doc.styles[df.TABLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = df.COMPACT_PT[fmt.lang] if (t.compact or n_cols >= 7) else None
    widths = _column_widths(placed, n_cols, width, size or fmt.styles[df.CELL].size)
    for col, w in zip(table.columns, widths, strict=True):
        col.width = w
    head_rows = {r for r, _, cell in placed if cell.head}
    ids = {True: doc.styles[df.CELL_HEAD].style_id, False: doc.styles[df.CELL].style_id}
    rows = table.rows
    grid_cells = [rows[r].cells for r in range(len(t.rows))]
    for r, c, cell in placed:
        target = grid_cells[r][c]
        for i in range(c, c + cell.colspan):
            if i < n_cols:
                grid_cells[r][i].width = widths[i]
        if cell.colspan > 1 or cell.rowspan > 1:
            far = grid_cells[min(r + cell.rowspan, len(t.rows)) - 1][min(c + cell.colspan, n_cols) - 1]
            target = target.merge(far)
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = target.paragraphs[0]
        # the style by its id: python-docx's Paragraph.style looks the default style up every time
        p.paragraph_format.element.get_or_add_pPr().style = ids[cell.head]
        if cell.head:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif cell.numeric:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        bold = bool(t.flagged and r < len(t.flagged) and t.flagged[r])
        spans = [Span(s.text, s.bold or bold, s.muted) for s in cell.spans]
        _runs(p, spans, size)
    last = len(t.rows) - 1
    for r, row in enumerate(rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))  # a row is never split across pages
        if r in head_rows and r < last:
            tr_pr.append(OxmlElement("w:tblHeader"))  # header rows repeat on every page
        if (t.keep or r in head_rows) and r < last:  # a short table stays on one page
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True
    doc.add_paragraph(style=df.NOTE).paragraph_format.space_after = 0


PAD_PT = 2 * 5.4
"""Left and right cell margins of Table Grid (108 twips each)."""


def _column_widths(placed: list[tuple[int, int, Cell]], n_cols: int, width: int, size: float) -> list[int]:
    """Column widths (EMU) of a table ``width`` wide in ``size`` pt type.

    Each column wants its longest line (a CJK character is one em, anything else half) and needs at
    least its first four characters, or its longest word of Latin text; spare width goes in
    proportion to what each wants, a shortfall is taken from the text that wraps.
    """
    want, need = [2.0] * n_cols, [2.0] * n_cols
    for _, c, cell in placed:
        if cell.colspan != 1:
            continue
        text = cell.text
        want[c] = max(want[c], min(_width(text), 80))
        words = [_width(w) for line in text.split("\n") for w in line.split()]  # CJK breaks anywhere
        words = [
            min(w, 8) if any(unicodedata.east_asian_width(ch) in "WF" for ch in text) else w for w in words
        ]
        need[c] = max(need[c], min(max(words, default=0), 16), min(_width(text), 8))
    emu = size / 2 * 12700  # half an em
    want_emu = [w * emu + PAD_PT * 12700 for w in want]
    need_emu = [min(n * emu + PAD_PT * 12700, w) for n, w in zip(need, want_emu, strict=True)]
    if sum(want_emu) <= width:
        scale = width / sum(want_emu)
        return [int(w * scale) for w in want_emu]
    if sum(need_emu) >= width:
        scale = width / sum(need_emu)
        return [int(n * scale) for n in need_emu]
    share = (width - sum(need_emu)) / (sum(want_emu) - sum(need_emu))
    return [int(n + (w - n) * share) for n, w in zip(need_emu, want_emu, strict=True)]


def _key_figures_out(doc: Any, k: KeyFigures, fmt: df.Format, width: int) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(k.items))
    table.style = doc.styles[df.KEY_FIGURES]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    body = fmt.styles[df.BODY].size
    for cell, (label, value, comment) in zip(table.rows[0].cells, k.items, strict=True):
        cell.width = width // len(k.items)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cell.paragraphs[0].style = doc.styles[df.CELL_HEAD]
        _runs(cell.paragraphs[0], [Span(label)])
        v = cell.add_paragraph(style=df.CELL)
        v.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _runs(v, [Span(value, bold=True)], size=body + 2)
        if comment:
            c = cell.add_paragraph(style=df.CELL)
            c.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _runs(c, [Span(comment)], size=max(body - 4, 9))
    for col in table.columns:
        col.width = width // len(k.items)
    doc.add_paragraph(style=df.NOTE).paragraph_format.space_after = Pt(0)


def _figure_out(doc: Any, f: Figure, box: tuple[int, int]) -> None:
    from docx.shared import Emu

    p = doc.add_paragraph(style=df.FIGURE)
    pic = p.add_run().add_picture(io.BytesIO(f.png or b""))
    if f.spec is not None:  # a chart: its CSS size, not its 2x pixels
        pic.width, pic.height = Emu(int(f.width * PX_MM * 36000)), Emu(int(f.height * PX_MM * 36000))
    scale = min(1.0, box[0] / pic.width, 0.8 * box[1] / pic.height)
    pic.width, pic.height = Emu(int(pic.width * scale)), Emu(int(pic.height * scale))


def _signature(doc: Any, issuer: str, date: str, fmt: df.Format) -> None:
    """The issuing unit and the date of issue: on a character grid placed as GB/T 9704-2012 places
    an unsealed document's, otherwise both flush right."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc.add_paragraph(style=df.BODY)  # 空一行
    body = fmt.styles[df.BODY].size
    indents = df.signature_indents(issuer, date, fmt.chars) if fmt.chars else (0.0, 0.0)
    for text, right in zip((issuer, date), indents, strict=True):
        if not text:
            continue
        p = doc.add_paragraph(style=df.SIGNATURE)
        _runs(p, [Span(text)])
        if right:
            p.paragraph_format.right_indent = Pt(right * body)
            p.paragraph_format.element.get_or_add_pPr().get_or_add_ind().set(
                qn("w:rightChars"), str(round(right * 100))
            )


def _properties(doc: Any, items: Sequence[Block], fmt: df.Format, issuer: str | None) -> None:
    from zzanalytics.clock import now

    cp = doc.core_properties
    titles = [b.text for b in items if isinstance(b, Para) and b.role == "title"]
    subtitles = [b.text for b in items if isinstance(b, Para) and b.role == "subtitle"]
    cp.title = titles[0] if titles else ""
    cp.subject = subtitles[0] if subtitles else ""
    cp.author = cp.last_modified_by = issuer or ""
    cp.comments = cp.keywords = cp.category = ""
    cp.language = fmt.lang_tag
    stamp = now("UTC").replace(tzinfo=None, microsecond=0)
    cp.created = cp.modified = stamp
    cp.revision = 1


def write_docx(
    source: Any,
    path: str | Path,
    *,
    lang: str | None = None,
    issuer: str | None = None,
    date: Any = None,
    chromium: str | None = None,
) -> Path:
    """Write the Word document of an executed notebook (or of HTML fragments) to ``path``, atomically.

    Parameters
    ----------
    source : notebook node, rendered report or sequence of str
        The executed notebook (its outputs are read with :func:`notebook_fragments`), a rendered
        report (anything with ``notebook`` and ``lang`` attributes) or the HTML fragments.
    path : path
        The ``.docx`` to write.
    lang : {"zh", "en"}, optional
        ``zh`` (default): GB/T 9704-2012; ``en``: a plain report. A rendered report gives its own.
    issuer, date : optional
        The issuing unit (发文机关署名) and the date of issue (成文日期) that close the document
        (a rendered report's are its store's, :func:`signature`).
    chromium : str, optional
        Browser that draws the charts (default :func:`~zzanalytics.report.render.find_chromium`).

    Returns
    -------
    Path

    Examples
    --------
    >>> from zzanalytics.report import blocks as bk
    >>> import tempfile
    >>> p = write_docx([bk.title_block("全区综治形势"), bk.para("发生1,234起。")],
    ...                Path(tempfile.mkdtemp()) / "b.docx", issuer="综治办", date="2026-11-05")
    >>> import docx
    >>> [p.text for p in docx.Document(p).paragraphs][-2:]
    ['综治办', '2026年11月5日']
    """
    if hasattr(source, "notebook"):  # a rendered report: its notebook, language and store's identity
        lang = lang or source.lang
        if issuer is None and date is None:
            issuer, date = signature((getattr(source, "parameters", None) or {}).get("store"), lang)
        source = source.notebook
    lang = lang or "zh"
    fragments = notebook_fragments(source) if hasattr(source, "cells") else [str(s) for s in source]
    items = blocks(fragments)
    charts = [b for b in items if isinstance(b, Figure) and b.png is None and b.spec is not None]
    for f, png in zip(charts, chart_pngs(charts, chromium=chromium), strict=True):
        f.png = png
    doc = build_document(items, lang, issuer=issuer, date=date)
    path = Path(path)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return path
