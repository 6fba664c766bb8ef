"""Page, styles and fonts of the Word briefing: GB/T 9704-2012 in Chinese, a plain report in English.

:func:`apply` sets a new ``python-docx`` document up; :mod:`zzanalytics.report.docx` then fills
it. Everything python-docx has an API for goes through it (margins, sizes, alignment, indents,
line spacing, fonts' Latin names); the rest is set through its ``oxml`` helpers: the East Asian
font (``w:rFonts/@w:eastAsia``), the character grid (``w:docGrid``), indents in characters
(``w:firstLineChars``), snapping to the grid (``w:snapToGrid``), the ``PAGE`` field of the page
number and the font table's alternative names.

**zh — GB/T 9704-2012 (党政机关公文格式)**

- A4 (210 × 297 mm); margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, which leave the
  type area (版心) of 156 × 225 mm.
- 22 lines × 28 characters a page: a line grid (``w:docGrid w:type="lines"``) whose pitch is the
  largest whole number of twips that fits 22 lines into the type area (579 twips, 28.95 pt; body
  paragraphs are exactly that far apart), and body text set 0.25 pt tighter (``w:spacing
  w:val="-5"``), the least that fits 28 characters of 16 pt on a 156 mm line (28 × 15.75 pt =
  441 pt). Word's own template does the same with a character grid (``linesAndChars``, ``w:charSpace
  ="-842"``), which Word squeezes into, but LibreOffice 7.4 then gives every 16 pt character two
  grid cells (14 a line): the line grid and the spacing give 28 × 22 in both.
- Title 二号 (22 pt) 方正小标宋简体, centred; a dated subtitle in 三号 楷体_GB2312; one empty line
  before the body (空一行).
- Body 三号 (16 pt) 仿宋_GB2312, justified, first line indented two characters (空二字).
  First-level headings (``一、``) in 三号 黑体, second-level (``(一)``) in 三号 楷体_GB2312, third in
  仿宋_GB2312 bold; all indented two characters like the body.
- Page numbers ``— 1 —`` in 4号 (14 pt) 宋体 with 半角 Arabic numerals (a ``PAGE`` field between
  two 一字线), 7 mm below the type area; odd pages on the right, one character in from the edge
  of the type area, even pages on the left (``w:evenAndOddHeaders``).
- The issuing unit (发文机关署名) and the date (成文日期, ``2026年11月5日``) at the end, when given,
  placed as the standard places an unsealed document's: the unit two characters from the right,
  the date on the next line starting two characters to the right of the unit (the date two
  characters from the right and the unit moved left when the date is the longer).
- Tables in 小四 (12 pt; 五号 10.5 pt for wide tables) 仿宋_GB2312, headers in 黑体; captions in
  黑体 四号 above the table; notes in 四号 仿宋_GB2312.

**Fonts that are not installed.** The document names the fonts of the standard; a Chinese
government PC has them, a Linux box has none of them. The run properties keep the names
(``w:eastAsia="仿宋_GB2312"``, Latin text and numbers in Times New Roman) and the document's font
table gives each an alternative name and its character set (GB2312, ``w:charset="86"``):
仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 宋体, 黑体 → SimHei, 宋体 → SimSun. Word
keeps a missing font's name in the document (an office that installs it later sees the intended
face) and lays the text out with a substitute: the font table's alternative name when that font
is installed (仿宋 and 楷体 ship with Windows since Windows 7), otherwise a font of the same
character set and family, and says which under Options → Advanced → Font Substitution.
LibreOffice (used here only to look at the result) has no GB fonts either and substitutes through
fontconfig, which gives Noto Serif CJK SC or Noto Sans CJK SC from ``fonts-noto-cjk``; the line
and character grid stay those of the standard, so the page holds the same 22 lines.

**en.** A4 with 25 mm margins, Times New Roman 11 pt (Liberation Serif where it is missing),
bold serif headings as numbered in the briefing, ``Page N of M`` centred at the foot.

Examples
--------
>>> import docx
>>> d = docx.Document()
>>> apply(d, ZH)
>>> s = d.sections[0]
>>> round(s.page_width.mm), round(s.top_margin.mm), round(s.left_margin.mm)
(210, 37, 28)
>>> grid_pitch(s, ZH)
(579, -5)
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import PartFactory, XmlPart
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

# the font table is a generic part in python-docx; read it as XML so that it can be added to
PartFactory.part_type_for.setdefault(CT.WML_FONT_TABLE, XmlPart)

TITLE, SUBTITLE, BODY = "Title", "Subtitle", "Normal"
HEADINGS = ("Heading 1", "Heading 2", "Heading 3")
NOTE, CAPTION, FIGURE = "ZZ Note", "Caption", "ZZ Figure"
CELL, CELL_HEAD, CODE = "ZZ Table Text", "ZZ Table Heading", "ZZ Code"
ITEM, SIGNATURE, PAGE_NUMBER = "List Bullet", "ZZ Signature", "ZZ Page Number"
KEY_FIGURES = "ZZ Key Figures"
"""Table style of the key-figure boxes (a Table Grid), so that a reader can tell them from data tables."""
TABLE = "Table Grid"

LATIN = "Times New Roman"
FANGSONG, KAITI, HEITI, SONGTI, XIAOBIAOSONG = "仿宋_GB2312", "楷体_GB2312", "黑体", "宋体", "方正小标宋简体"
ALT_NAMES = {FANGSONG: "仿宋", KAITI: "楷体", XIAOBIAOSONG: SONGTI, HEITI: "SimHei", SONGTI: "SimSun"}
"""The font table's alternative name of each GB font (see the module docstring)."""


@dataclass(frozen=True)
class Style:
    """Font and paragraph of one style: sizes in points, ``east_asia`` the CJK font."""

    font: str
    size: float
    east_asia: str | None = None
    bold: bool = False
    italic: bool = False
    align: str = "justify"
    indent_chars: float = 0  # first-line indent in characters of the body size
    grid: bool = False  # exactly one line pitch (zh) or the body's spacing (en)
    before: float = 0
    after: float = 0
    keep_next: bool = False


@dataclass(frozen=True)
class Format:
    """A document format: page, grid, styles and page numbers."""

    lang: str
    margins_mm: tuple[float, float, float, float]  # top, bottom, left, right
    footer_mm: float  # footer distance from the page's bottom edge
    styles: dict[str, Style]
    lines: int | None = None  # character grid: lines per page ...
    chars: int | None = None  # ... and characters per line
    line_spacing: float = 1.0  # en: multiple of single spacing for the body
    page_label: tuple[str, str, str] = ("— ", "", " —")  # before PAGE, between PAGE and NUMPAGES, after
    outer_page_numbers: bool = False  # odd pages right, even pages left
    east_asian_lang: str = "zh-CN"
    lang_tag: str = "zh-CN"
    latin_tag: str = "en-US"  # the language of Latin-script text in the document's defaults
    blank_after_title: bool = False  # 空一行 between the title block and the body


FOOTER_LINE_PT = 18.0
"""Height of the page number's line (14 pt type, single spacing)."""

ZH = Format(
    lang="zh",
    margins_mm=(37, 35, 28, 26),
    # the page number's line starts 7 mm below the type area (GB/T 9704-2012, 7.5)
    footer_mm=35 - 7 - FOOTER_LINE_PT * 25.4 / 72,
    lines=22,
    chars=28,
    outer_page_numbers=True,
    blank_after_title=True,
    styles={
        BODY: Style(LATIN, 16, FANGSONG, indent_chars=2, grid=True),
        TITLE: Style(LATIN, 22, XIAOBIAOSONG, align="center", grid=True, keep_next=True),
        SUBTITLE: Style(LATIN, 16, KAITI, align="center", grid=True, keep_next=True),
        HEADINGS[0]: Style(LATIN, 16, HEITI, indent_chars=2, grid=True, keep_next=True),
        HEADINGS[1]: Style(LATIN, 16, KAITI, indent_chars=2, grid=True, keep_next=True),
        HEADINGS[2]: Style(LATIN, 16, FANGSONG, bold=True, indent_chars=2, grid=True, keep_next=True),
        NOTE: Style(LATIN, 14, FANGSONG, indent_chars=2, after=6),
        CAPTION: Style(LATIN, 14, HEITI, align="center", before=6, after=3, keep_next=True),
        FIGURE: Style(LATIN, 16, FANGSONG, align="center", before=3, after=3),
        CELL: Style(LATIN, 12, FANGSONG, align="left"),
        CELL_HEAD: Style(LATIN, 12, HEITI, align="center"),
        CODE: Style("Courier New", 10.5, FANGSONG, align="left"),
        ITEM: Style(LATIN, 16, FANGSONG, grid=True),
        SIGNATURE: Style(LATIN, 16, FANGSONG, align="right", grid=True),
        PAGE_NUMBER: Style(SONGTI, 14, SONGTI),
    },
)
"""GB/T 9704-2012 (see the module docstring)."""

EN = Format(
    lang="en",
    margins_mm=(25, 25, 25, 25),
    footer_mm=12.5,
    line_spacing=1.15,
    page_label=("Page ", " of ", ""),
    east_asian_lang="zh-CN",
    lang_tag="en-GB",
    latin_tag="en-GB",
    styles={
        BODY: Style(LATIN, 11, "SimSun", grid=True, after=6),
        TITLE: Style(LATIN, 18, "SimSun", bold=True, align="center", after=4, keep_next=True),
        SUBTITLE: Style(LATIN, 12, "SimSun", italic=True, align="center", after=12, keep_next=True),
        HEADINGS[0]: Style(LATIN, 14, "SimSun", bold=True, align="left", before=14, after=6, keep_next=True),
        HEADINGS[1]: Style(LATIN, 12, "SimSun", bold=True, align="left", before=10, after=4, keep_next=True),
        HEADINGS[2]: Style(
            LATIN, 11, "SimSun", bold=True, italic=True, align="left", before=8, after=3, keep_next=True
        ),
        NOTE: Style(LATIN, 9.5, "SimSun", align="left", after=6),
        CAPTION: Style(LATIN, 10, "SimSun", bold=True, align="left", before=6, after=3, keep_next=True),
        FIGURE: Style(LATIN, 11, "SimSun", align="center", before=3, after=3),
        CELL: Style(LATIN, 9.5, "SimSun", align="left"),
        CELL_HEAD: Style(LATIN, 9.5, "SimSun", bold=True, align="center"),
        CODE: Style("Courier New", 9, "SimSun", align="left"),
        ITEM: Style(LATIN, 11, "SimSun", grid=True, after=3),
        SIGNATURE: Style(LATIN, 11, "SimSun", align="right", grid=True),
        PAGE_NUMBER: Style(LATIN, 9, "SimSun", align="center"),
    },
)
"""A plain English report (see the module docstring)."""

COMPACT_PT = {"zh": 10.5, "en": 8.5}
"""Font size of wide tables (class ``compact``, or many columns)."""

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
# elements of w:pPr that follow w:snapToGrid (ECMA-376 order)
_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:jc", "w:outlineLvl", "w:rPr", "w:sectPr")
_AFTER_AUTOSPACE = ("w:bidi", "w:adjustRightInd", "w:snapToGrid", *_AFTER_SNAP)
# elements of w:rPr that follow w:spacing
_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:lang")


def format_for(lang: str) -> Format:
    """The format of a language: GB/T 9704-2012 for ``zh``, the plain report for anything else.

    Examples
    --------
    >>> format_for("zh").lines, format_for("en").lines
    (22, None)
    """
    return {"zh": ZH}.get(lang, EN)


def apply(doc: Any, fmt: Format) -> None:
    """Set up a new document: page and grid, default and named styles, fonts, page-number footers."""
    section = doc.sections[0]
    _page(section, fmt)
    _defaults(doc, fmt)
    for name, style in fmt.styles.items():
        _style(doc, name, style, fmt, section)
    _table_style(doc)
    _footers(doc, section, fmt)
    _font_table(doc, {s.east_asia for s in fmt.styles.values() if s.east_asia} | {LATIN})


def _page(section: Any, fmt: Format) -> None:
    top, bottom, left, right = fmt.margins_mm
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = Mm(min(15, top / 2))
    section.footer_distance = Mm(fmt.footer_mm)
    section.gutter = 0
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    if fmt.lines:
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(grid_pitch(section, fmt)[0]))
        grid.attrib.pop(qn("w:charSpace"), None)
    else:
        grid.attrib.pop(qn("w:type"), None)
        grid.set(qn("w:linePitch"), "360")


def type_area_twips(section: Any) -> tuple[int, int]:
    """Width and height of the type area (版心) in twips, as Word computes them from the section.

    Examples
    --------
    >>> import docx
    >>> d = docx.Document(); apply(d, ZH)
    >>> type_area_twips(d.sections[0])
    (8845, 12756)
    """
    w = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    h = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    return w, h


def grid_pitch(section: Any, fmt: Format) -> tuple[int, int]:
    """``(linePitch, spacing)``: the largest line pitch in twips that fits ``fmt.lines`` lines into the
    type area, and the body's character spacing in twentieths of a point, the largest that fits
    ``fmt.chars`` characters of the body size on a line."""
    width, height = type_area_twips(section)
    body = fmt.styles[BODY].size
    pitch = height // fmt.lines
    spacing = math.floor((width / fmt.chars - body * 20) + 1e-9)
    return int(pitch), min(spacing, 0)


def _line_pitch_pt(doc: Any, fmt: Format) -> float | None:
    return grid_pitch(doc.sections[0], fmt)[0] / 20 if fmt.lines else None


def _fonts(rpr: Any, latin: str, east_asia: str | None) -> None:
    """Name the Latin and East Asian fonts of ``rpr`` (a ``w:rPr``), dropping theme fonts."""
    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attr}"), latin)
    if east_asia:
        fonts.set(qn("w:eastAsia"), east_asia)


def _defaults(doc: Any, fmt: Format) -> None:
    """Document defaults: the body's fonts and size, languages, no spacing after paragraphs."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    body = fmt.styles[BODY]
    _fonts(rpr, body.font, body.east_asia)
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), str(round(body.size * 2)))
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), fmt.latin_tag)
        lang.set(qn("w:eastAsia"), fmt.east_asian_lang)
    ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    if spacing is not None:
        ppr.remove(spacing)


def _reset(style: Any) -> None:
    """Drop a built-in style's fonts, colours, borders, numbering and spacing (keep outline level)."""
    el = style.element
    keep = {qn("w:keepNext"), qn("w:keepLines"), qn("w:outlineLvl")}
    for child in list(el):
        if child.tag == qn("w:rPr"):
            el.remove(child)
        elif child.tag == qn("w:pPr"):
            for sub in list(child):
                if sub.tag not in keep:
                    child.remove(sub)


def _style(doc: Any, name: str, spec: Style, fmt: Format, section: Any) -> None:
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles[BODY]
    style.hidden = False
    style.quick_style = True
    _reset(style)
    font = style.font
    font.name = spec.font
    font.size = Pt(spec.size)
    font.bold = spec.bold
    font.italic = spec.italic
    font.color.rgb = RGBColor(0, 0, 0)
    _fonts(style.element.get_or_add_rPr(), spec.font, spec.east_asia)
    pf = style.paragraph_format
    pf.alignment = _ALIGN[spec.align]
    pf.space_before, pf.space_after = Pt(spec.before), Pt(spec.after)
    pf.keep_with_next = spec.keep_next
    pf.widow_control = True
    pitch = _line_pitch_pt(doc, fmt)
    if spec.grid and pitch:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(pitch)
    elif spec.grid:
        pf.line_spacing = fmt.line_spacing
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if fmt.lines:  # off the grid: tables, notes and pictures keep their own line height
            snap = OxmlElement("w:snapToGrid")
            snap.set(qn("w:val"), "0")
            style.element.get_or_add_pPr().insert_element_before(snap, *_AFTER_SNAP)
    if fmt.lines and spec.grid and spec.size == fmt.styles[BODY].size:  # 28 characters to a line
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(grid_pitch(section, fmt)[1]))
        style.element.get_or_add_rPr().insert_element_before(spacing, *_AFTER_SPACING)
    if fmt.lines and name == BODY:  # no extra space between Chinese and Latin text or numbers
        for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
            el = OxmlElement(tag)
            el.set(qn("w:val"), "0")
            style.element.get_or_add_pPr().insert_element_before(el, *_AFTER_AUTOSPACE)
    indent = spec.indent_chars
    pf.first_line_indent = Pt(indent * fmt.styles[BODY].size) if indent else Pt(0)
    if indent:
        style.element.pPr.ind.set(qn("w:firstLineChars"), str(round(indent * 100)))


def _table_style(doc: Any) -> None:
    try:
        doc.styles[KEY_FIGURES]
    except KeyError:
        style = doc.styles.add_style(KEY_FIGURES, WD_STYLE_TYPE.TABLE)
        style.base_style = doc.styles[TABLE]
        style.hidden = False


def _footers(doc: Any, section: Any, fmt: Format) -> None:
    """Page numbers: ``— N —`` on the outer side (zh), ``Page N of M`` centred (en)."""
    char = fmt.styles[PAGE_NUMBER].size
    if fmt.outer_page_numbers:
        doc.settings.odd_and_even_pages_header_footer = True
        targets = [
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ]
    else:
        targets = [(section.footer, WD_ALIGN_PARAGRAPH.CENTER)]
    for footer, align in targets:
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles[PAGE_NUMBER]
        p.alignment = align
        pf = p.paragraph_format
        if align == WD_ALIGN_PARAGRAPH.RIGHT:  # one character in from the type area's edge
            pf.right_indent = Pt(char)
        elif align == WD_ALIGN_PARAGRAPH.LEFT and fmt.outer_page_numbers:
            pf.left_indent = Pt(char)
        before, middle, after = fmt.page_label
        p.add_run(before)
        add_field(p, "PAGE", "1")
        if middle:
            p.add_run(middle)
            add_field(p, "NUMPAGES", "1")
        p.add_run(after)


def add_field(paragraph: Any, instruction: str, shown: str) -> None:
    """Append a field (``PAGE``, ``NUMPAGES`` ...) to a paragraph: Word and LibreOffice compute it;
    ``shown`` is the text until they do.

    Examples
    --------
    >>> import docx
    >>> p = docx.Document().add_paragraph()
    >>> add_field(p, "PAGE", "1")
    >>> p.text, [t.text for t in p._p.iter(qn("w:instrText"))]
    ('1', [' PAGE '])
    """
    for kind, text in (("begin", None), ("instr", f" {instruction} "), ("separate", None), ("text", shown)):
        run = paragraph.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run.element.append(el)
        elif kind == "text":
            run.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run.element.append(el)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run().element.append(end)


def _font_table(doc: Any, names: set[str]) -> None:
    """Add the fonts to the font table, each GB font with its alternative name and GB2312 charset."""
    rel = next((r for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    part = getattr(rel, "target_part", None)
    if not isinstance(part, XmlPart):
        return
    table = part.element
    have = {f.get(qn("w:name")) for f in table.findall(qn("w:font"))}
    for name in sorted(names - have):
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        alt = ALT_NAMES.get(name)
        chinese = any(ord(c) > 0x2E80 for c in name)
        if alt:
            sub = OxmlElement("w:altName")
            sub.set(qn("w:val"), alt)
            font.append(sub)
        for tag, val in (
            ("w:charset", "86" if chinese else "00"),
            ("w:family", "modern" if chinese else "roman"),
            ("w:pitch", "fixed" if chinese else "variable"),
        ):
            sub = OxmlElement(tag)
            sub.set(qn("w:val"), val)
            font.append(sub)
        table.append(font)


def text_width(text: str) -> float:
    """Width of a text in body characters: a CJK (full-width) character is 1, anything else ½.

    Examples
    --------
    >>> text_width("2026年11月5日"), text_width("金河区")
    (6.5, 3.0)
    """
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def signature_indents(issuer: str, date: str, chars: int = 28) -> tuple[float, float]:
    """Right indents (in characters) of the issuing unit and the date of an unsealed document
    (GB/T 9704-2012, 7.3.5.3): the unit two characters from the right, the date starting two
    characters right of the unit's first character; a date longer than that is put two characters
    from the right and the unit moved left to keep the two-character step. Neither is pushed past
    the start of a line of ``chars`` characters (a very long unit ends two characters from the
    right and wraps).

    Examples
    --------
    >>> signature_indents("金河区社会治安综合治理委员会办公室", "2026年11月5日")
    (2.0, 10.5)
    >>> signature_indents("综治办", "2026年11月5日")
    (7.5, 2.0)
    >>> signature_indents("City of Lakeport Community Safety and Well-Being Office", "2026年11月5日")
    (2.0, 21.0)
    """
    name, when = text_width(issuer), text_width(date)
    date_right = max(name - when, 2.0)
    issuer_right = date_right + when + 2.0 - name
    return min(issuer_right, max(chars - name, 2.0)), min(date_right, max(chars - when, 2.0))


def emu(value: float) -> Emu:
    """A length in EMU (python-docx lengths are ints; sums of them need wrapping back).

    Examples
    --------
    >>> round(emu(Mm(156)).mm)
    156
    """
    return Emu(int(value))
