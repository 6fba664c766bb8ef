"""No printed page is more than half blank but the last: the sample's briefing in Chinese and English,
and a page built to leave a gap (text to the middle of a page, then a figure taller than the rest)."""

from __future__ import annotations

import nbformat
import pytest
from _briefing import district_briefing, shared_root
from _pages import page_fill

from zzanalytics.report.formats import notebook_to_html
from zzanalytics.report.render import print_pdf, render_briefing

HALF = 0.5


def _assert_filled(pdf, label):
    fills = page_fill(pdf)
    assert len(fills) >= 2, (label, fills)
    blank = [(i + 1, f) for i, f in enumerate(fills[:-1]) if f < HALF]
    assert blank == [], f"{label}: pages more than half blank (page, fill): {blank}; all: {fills}"


def test_no_page_of_the_chinese_briefing_is_more_than_half_blank(tmp_path_factory, worker_id):
    _assert_filled(district_briefing(shared_root(tmp_path_factory, worker_id))["pdf"], "zh")


@pytest.mark.slow
def test_no_page_of_the_english_briefing_is_more_than_half_blank(tmp_path):
    _, pdf = render_briefing(lang="en", pdf=True, out=tmp_path)
    _assert_filled(pdf, "en")


def test_a_figure_taller_than_the_rest_of_a_page_is_scaled_not_pushed(tmp_path):
    """A paragraph filling the top half of page 1, then a 900 px figure: pushed whole to page 2 it
    would leave page 1 half blank; scaled to at most half a page it starts on page 1."""
    text = "<p class='lead'>" + "这是一段填充文字,用于占据页面的上半部分。" * 40 + "</p>"
    figure = (
        '<div class="zz-figure"><div class="plotly-graph-div" style="height:900px; width:680px; '
        'background:#333"></div><div class="caption">图</div></div>'
    )
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": text + figure + text})]
    page = tmp_path / "gap.html"
    page.write_text(notebook_to_html(nbformat.v4.new_notebook(cells=[cell]), "gap"), encoding="utf-8")
    _assert_filled(print_pdf(page, tmp_path / "gap.pdf"), "gap")
