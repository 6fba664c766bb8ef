"""The Word document (``--docx``), read back with python-docx: the GB/T 9704-2012 page, fonts and
sizes, the page-number field, and the same tables, key figures, sentences and numbers as the HTML.

The HTML side is read from the page nbconvert wrote (``<main>``, scripts dropped), not from the
notebook outputs the document is built from, so the two paths meet only in the numbers.
"""

from __future__ import annotations

import re

import docx
import lxml.html
import pandas as pd
import pytest
from _briefing import district_briefing, shared_root
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.table import Table
from typer.testing import CliRunner

from zzanalytics.cli import app
from zzanalytics.report import blocks as bk
from zzanalytics.report import docx_format as df
from zzanalytics.report.docx import notebook_fragments, signature, write_docx

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@pytest.fixture(scope="module")
def briefing(tmp_path_factory, worker_id):
    return district_briefing(shared_root(tmp_path_factory, worker_id))


@pytest.fixture(scope="module")
def doc(briefing):
    return docx.Document(str(briefing["docx"]))


@pytest.fixture(scope="module")
def page(briefing):
    root = lxml.html.parse(str(briefing["html"])).getroot()
    main = root.find(".//main")
    for el in main.xpath(".//script|.//style"):
        el.drop_tree()
    return main


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _east_asia(style) -> str | None:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def _data_tables(d) -> list[Table]:
    return [t for t in d.tables if t.style.name != df.KEY_FIGURES]


def _text(el) -> str:
    """The text of an HTML element, its pieces apart (``<h1>…2021</h1><h2>1. …`` is not 20211)."""
    return "\n".join(el.itertext())


def _body_text(d) -> str:
    """Paragraphs and table cells in document order."""
    out = []
    for item in d.iter_inner_content():
        if isinstance(item, Table):
            out += [c.text for row in item.rows for c in row.cells]
        else:
            out.append(item.text)
    return "\n".join(out)


def test_zh_page_is_gbt_9704(briefing, doc):
    assert briefing["docx"].name == "briefing-district-2026-01-01_2026-10-31.docx"
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    margins = [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)]
    assert margins == [37, 35, 28, 26]
    width, height = df.type_area_twips(s)
    assert (round(width / 56.6929), round(height / 56.6929)) == (156, 225)  # twips per mm
    grid = s._sectPr.find(qn("w:docGrid"))
    pitch = int(grid.get(qn("w:linePitch")))
    assert grid.get(qn("w:type")) == "lines" and 22 * pitch <= height < 23 * pitch  # 22 lines
    normal = doc.styles["Normal"]
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing.twips == pitch  # 28.95 pt
    spacing = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")))  # twentieths of a point
    assert 28 * (16 * 20 + spacing) <= width < 29 * (16 * 20 + spacing)  # 28 characters a line
    assert normal.paragraph_format.first_line_indent.pt == 32  # 空二字
    assert normal.element.pPr.ind.get(qn("w:firstLineChars")) == "200"


def test_zh_fonts_and_sizes(doc):
    want = {
        "Normal": ("仿宋_GB2312", 16),
        "Title": ("方正小标宋简体", 22),
        "Heading 1": ("黑体", 16),
        "Heading 2": ("楷体_GB2312", 16),
        df.PAGE_NUMBER: ("宋体", 14),
    }
    for name, (font, size) in want.items():
        style = doc.styles[name]
        assert (_east_asia(style), style.font.size.pt, style.font.bold) == (font, size, False), name
    title = next(p for p in doc.paragraphs if p.style.name == "Title")
    assert title.text == "金河区综治信访维稳形势分析"
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["一、总体治安形势", "二、信访维稳形势"]
    # no run overrides the styles' fonts: an office restyles the document by its styles
    runs = [r for p in doc.paragraphs if p.style.name in want for r in p.runs]
    assert runs and not [r for r in runs if r.element.rPr is not None and r.element.rPr.rFonts is not None]
    fonts = doc.part.rels  # the font table names each GB font's fallback and its GB2312 charset
    table = next(r.target_part for r in fonts.values() if r.reltype.endswith("/fontTable")).element
    entry = {f.get(qn("w:name")): f for f in table.findall(qn("w:font"))}["仿宋_GB2312"]
    assert entry.find(qn("w:altName")).get(qn("w:val")) == "仿宋"
    assert entry.find(qn("w:charset")).get(qn("w:val")) == "86"


def test_zh_page_numbers_are_a_page_field_on_the_outer_side(doc):
    s = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in (
        (s.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        assert p.style.name == df.PAGE_NUMBER and p.alignment == align
        assert [t.text for t in p._p.iter(qn("w:instrText"))] == [" PAGE "]
        assert re.fullmatch(r"— \d+ —", p.text)
    assert s.footer.paragraphs[0].paragraph_format.right_indent.pt == 14  # one character in


def test_zh_tables_key_figures_and_sentences_equal_the_html(doc, page):
    html_tables = [
        [[_squash(c.text_content()) for c in tr.xpath("./th|./td")] for tr in t.iter("tr")]
        for t in page.iter("table")
    ]
    word_tables = [[[_squash(c.text) for c in row.cells] for row in t.rows] for t in _data_tables(doc)]
    assert len(word_tables) == len(html_tables) >= 6
    assert word_tables == html_tables
    kpis = [_squash(v.text_content()) for v in page.xpath('.//div[@class="v"]')]
    boxes = [t for t in doc.tables if t.style.name == df.KEY_FIGURES]
    assert (
        [c.paragraphs[1].text for t in boxes for c in t.rows[0].cells]
        == kpis
        == ["3,070起", "1,115起", "1,482起"]  # the planted unknown-area case counts (issue 21)
    )
    leads = [" ".join(p.text_content().split()) for p in page.xpath('.//p[@class="lead"]')]
    assert [p.text for p in doc.paragraphs if p.style.name == "Normal" and p.text] == leads
    # every number, in order: sentences, key figures, captions, tables, notes
    assert NUMBER.findall(_body_text(doc)) == NUMBER.findall(_text(page))
    # the store's identity closes it: its issuer two characters from the right, no date made up
    last = doc.paragraphs[-1]
    assert (last.text, last.style.name) == ("金河区综治委办公室", df.SIGNATURE)
    assert last.paragraph_format.element.pPr.ind.get(qn("w:rightChars")) == "200"


def test_zh_charts_are_pictures_of_the_type_area(doc, page):
    charts = page.xpath('.//div[contains(@class, "plotly-graph-div")]')
    pictures = doc.inline_shapes
    assert len(pictures) == len(charts) >= 8
    width = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin
    assert all(0.5 * width < p.width <= width for p in pictures)
    blobs = [r.target_part.blob for r in doc.part.rels.values() if r.reltype.endswith("/image")]
    assert all(b.startswith(b"\x89PNG") for b in blobs)


def test_en_city_document_is_a_plain_report_with_the_htmls_numbers(city_store, tmp_path):
    from zzanalytics.report import briefing as B  # noqa: N812

    ctx = B.load(city_store, "2021-01-01", "2021-12-31", None, "en")
    fragments = [str(B.title(ctx)), *(str(h) for h in B.render_sections(ctx, maps=False, forecasts=False))]
    out = write_docx(
        fragments, tmp_path / "city.docx", lang="en", issuer="Lakeport Office", date="2026-11-05"
    )
    d = docx.Document(str(out))
    issuer, date = d.paragraphs[-2:]  # flush right, no grid to place them on
    assert (issuer.text, date.text) == ("Lakeport Office", "5 November 2026")
    assert issuer.paragraph_format.right_indent is None and date.style.name == df.SIGNATURE
    s = d.sections[0]
    assert [round(m.mm) for m in (s.top_margin, s.left_margin)] == [25, 25]
    assert d.styles["Normal"].font.name == "Times New Roman" and d.styles["Normal"].font.size.pt == 11
    footer = s.footer.paragraphs[0]
    assert [t.text for t in footer._p.iter(qn("w:instrText"))] == [" PAGE ", " NUMPAGES "]
    assert footer.alignment == WD_ALIGN_PARAGRAPH.CENTER and footer.text.startswith("Page ")
    heads = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert heads[0] == "1. Overall situation" and "Lakeport" in d.paragraphs[0].text
    page = lxml.html.fragment_fromstring("".join(fragments), create_parent="main")
    for el in page.xpath(".//script"):
        el.drop_tree()
    tables = [
        [[_squash(c.text_content()) for c in tr.xpath("./th|./td")] for tr in t.iter("tr")]
        for t in page.iter("table")
    ]
    assert [[[_squash(c.text) for c in r.cells] for r in t.rows] for t in _data_tables(d)] == tables
    assert "CAD 7.2 million" in _body_text(d)  # the city's currency, not 万元
    assert NUMBER.findall(_body_text(d)) == [*NUMBER.findall(_text(page)), "5", "2026"]  # and the date
    assert len(d.inline_shapes) == len(page.xpath('.//div[contains(@class, "plotly-graph-div")]')) >= 1


def test_any_html_signature_and_merged_cells(tmp_path):
    frame = pd.DataFrame(
        [[1, 2], [3, 4]],
        index=pd.MultiIndex.from_tuples([("东关", "盗窃"), ("东关", "诈骗")]),
        columns=["本期", "去年"],
    )
    fragments = [
        bk.title_block("综治工作简报", "(2026年1-10月)"),
        bk.heading("一、总体形势"),
        frame.to_html(),  # a pandas table: index cells span rows
        "<ul><li>一项</li><li>二项</li></ul>",
    ]
    out = write_docx(
        fragments, tmp_path / "x.docx", issuer="金河区社会治安综合治理委员会办公室", date="2026-11-05"
    )
    d = docx.Document(str(out))
    texts = [p.text for p in d.paragraphs]
    assert texts[:3] == ["综治工作简报", "(2026年1-10月)", ""]  # 空一行 after the title
    assert texts[-2:] == ["金河区社会治安综合治理委员会办公室", "2026年11月5日"]
    issuer, date = d.paragraphs[-2:]
    # the date starts two characters right of the issuer's first: right indents in characters
    assert issuer.paragraph_format.element.pPr.ind.get(qn("w:rightChars")) == "200"
    assert date.paragraph_format.element.pPr.ind.get(qn("w:rightChars")) == "1050"
    t = d.tables[0]
    assert t.cell(1, 0)._tc is t.cell(2, 0)._tc and t.cell(1, 0).text == "东关"  # rowspan merged
    assert [p.style.name for p in d.paragraphs if p.text in ("一项", "二项")] == ["List Bullet"] * 2


def test_the_signature_is_the_stores_issuer_and_meeting_date(tmp_store):
    assert signature(tmp_store, "zh") == (None, None)
    tmp_store.set_meta(issuer="金河区综治委办公室", issuer_en="Jinhe CMC Office", meeting_date="2026-11-05")
    assert signature(tmp_store, "zh") == ("金河区综治委办公室", "2026-11-05")
    assert signature(tmp_store, "en") == ("Jinhe CMC Office", "2026-11-05")


def test_notebook_outputs_are_read_as_the_page_shows_them():
    import nbformat

    v4 = nbformat.v4
    cells = [
        v4.new_markdown_cell("notes for analysts", metadata={"tags": ["remove"]}),
        v4.new_markdown_cell("## 小结"),
        v4.new_code_cell(
            "x",
            outputs=[
                v4.new_output("stream", name="stderr", text="warning"),
                v4.new_output("display_data", data={"text/html": "<p>甲</p>", "text/plain": "甲"}),
                v4.new_output("error", ename="E", evalue="boom", traceback=[]),
            ],
        ),
    ]
    frags = notebook_fragments(v4.new_notebook(cells=cells))
    assert len(frags) == 2 and frags[1] == "<p>甲</p>"
    assert lxml.html.fromstring(frags[0]).text_content() == "小结¶"  # the anchor is dropped later


def test_cli_docx_without_chromium_names_the_install(monkeypatch, tmp_path):
    monkeypatch.setenv("ZZ_CHROMIUM", str(tmp_path / "no-chromium"))
    res = CliRunner().invoke(app, ["briefing", "--docx", "--out", str(tmp_path / "r")])
    assert res.exit_code != 0 and "apt-get install chromium" in res.output
    assert not (tmp_path / "r").exists()
