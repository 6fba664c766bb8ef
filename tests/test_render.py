"""Rendering: one offline HTML page and an A4 PDF, numbers worded right, no personal data, batch isolation.

The district briefing is rendered once per session (``tests/_briefing.py``); the batch tests use a
tiny notebook so that failure isolation and atomic writes are tested in seconds.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from _briefing import (
    dirty_values,
    district_briefing,
    pdf_text,
    shared_root,
    unqualified_changes,
    visible_text,
)
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from zzanalytics.errors import DependencyMissingError, ReportError
from zzanalytics.report import briefing as B  # noqa: N812
from zzanalytics.report.batch import batch_briefings
from zzanalytics.report.render import FAILED_DIR, atomic_path, briefing_filename, print_pdf, render_briefing
from zzanalytics.schema import is_criminal
from zzanalytics.workspace import open_store


@pytest.fixture(scope="module")
def briefing(tmp_path_factory, worker_id):
    return district_briefing(shared_root(tmp_path_factory, worker_id))


@pytest.fixture(scope="module")
def html(briefing):
    return briefing["html"].read_text(encoding="utf-8")


def test_file_names_follow_the_period(briefing):
    assert briefing["html"].name == "briefing-district-2026-01-01_2026-10-31.html"
    assert briefing["pdf"].name == "briefing-district-2026-01-01_2026-10-31.pdf"
    assert not list(briefing["dir"].glob("*.tmp")) and not list(briefing["dir"].glob(".*.tmp"))


def test_page_is_self_contained_and_offline(html):
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, flags=re.I)  # no external script at all
    markup = re.sub(r"<script.*?</script>", "", html, flags=re.S)  # plotly.js itself mentions URLs
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup, flags=re.I)
    assert "require.min.js" not in html and "MathJax.js" not in html and "mathjax@" not in html
    assert '<html lang="zh">' in html
    signature = get_plotlyjs()[:400]
    assert html.count(signature) == 1  # plotly.js embedded exactly once
    assert html.count("Plotly.newPlot") >= 8  # charts and maps
    assert len(html.encode("utf-8")) < 8_000_000


def test_sections_and_sentences_in_the_register_of_the_speech(html):
    text = visible_text(html)
    from zzanalytics.report.district import unit_words
    from zzanalytics.workspace import open_store

    with open_store() as st:  # the sample's sources.toml names its area unit 乡镇(街道)
        words = unit_words(st.identity(), "zh")
    headings = [s.title("zh", number, words) for number, s in B.registry.numbered()]
    assert headings[0] == "一、总体治安形势" and headings[-1] == "数据说明"
    positions = [text.find(f" {h} ") for h in headings]
    assert -1 not in positions and positions == sorted(positions)  # every heading, in the registry's order
    lead = r"1–10月,全区发生各类刑事案件[\d,]+起,比去年同期(上升|下降)\d+\.\d%\((显著|在正常波动范围内)\)"
    assert re.search(lead, text)
    assert re.search(r"赴省进京非正常上访[\d,]+批[\d,]+人次,与去年同期相比批数", text)
    assert re.search(r"排全省\d+个县市的第\d+位,在全市排第\d+位", text)
    assert re.search(r"直接经济损失[\d,]+\.\d万元", text)
    assert re.search(r"超过目标的概率为(<1%|>99%|\d+%)", text)
    # every rise or fall carries its test
    assert unqualified_changes(text) == []
    for bad in ("X起", "X%", "nan", "None", "inf", "NaN", "NaT"):
        assert not re.search(rf"(?<![A-Za-z]){re.escape(bad)}(?![A-Za-z])", text), bad


def test_criminal_total_matches_an_independent_count(html):
    m = re.search(r"全区发生各类刑事案件([\d,]+)起", visible_text(html))
    with open_store() as st:
        inc = st.incidents("2026-01-01", "2026-10-31")
    expected = int(inc["category"].map(is_criminal).sum())
    assert int(m.group(1).replace(",", "")) == expected


def test_ingest_table_in_the_data_notes_adds_up(html):
    tables = [t for t in re.findall(r"<table.*?</table>", html, flags=re.S) if "读入" in t]
    assert tables, "the data notes carry no ingest table"
    head = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<th.*?</th>", tables[-1], flags=re.S)]
    rows = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", r, flags=re.S)]
        for r in re.findall(r"<tr.*?</tr>", tables[-1], flags=re.S)
    ]
    t = pd.DataFrame([r for r in rows if r], columns=head)
    num = t[["读入", "入库", "更新", "重复", "隔离"]].replace(",", "", regex=True).astype(int)
    assert (num["读入"] == num["入库"] + num["更新"] + num["重复"] + num["隔离"]).all(), t
    assert num["重复"].sum() > 0  # the sample plants duplicate ids: they must show, not vanish


def test_no_personal_data_or_markup_from_data_in_any_output(briefing, html):
    dirty = dirty_values()
    text = pdf_text(briefing["pdf"])
    for value in (dirty["id_card"], dirty["phone"], dirty["script"], "alert(1)"):
        assert value not in html
        assert value not in text


def test_pdf_pages_render_and_chinese_text_is_extractable(briefing, html, tmp_path):
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(briefing["pdf"]), str(tmp_path / "p")],
        check=True,
    )
    page = next(tmp_path.glob("p*.png"))
    assert page.stat().st_size > 5_000
    text = re.sub(r"\s+", "", pdf_text(briefing["pdf"]))
    assert "金河区综治信访维稳形势分析" in text and "一、总体治安形势" in text  # the name from the store
    total = re.search(r"全区发生各类刑事案件([\d,]+)起", visible_text(html)).group(1)
    assert f"刑事案件{total}起" in text
    assert "第1页,共" in text  # page numbers in the footer
    info = subprocess.run(["pdfinfo", str(briefing["pdf"])], capture_output=True, text=True).stdout
    assert "(A4)" in info


def test_period_wording_follows_the_period():
    ctx = B.load(None, "2026-01-01", "2026-06-30")
    assert ctx.period == "上半年"
    assert "上半年,全区发生各类刑事案件" in visible_text(B.render_section("overall", ctx))
    en = B.load(None, "2026-01-01", "2026-06-30", lang="en")
    assert "In H1, Jinhe District recorded" in visible_text(B.render_section("overall", en))


def test_township_briefing_sections():
    ctx = B.load(None, "2026-01-01", "2026-10-31", area="620102005")
    text = visible_text(B.render_section("overall", ctx)) + visible_text(B.render_section("scorecard", ctx))
    assert "滨河街道发生各类刑事案件" in text
    assert "与前三年同期平均水平相比,滨河街道" in text
    with pytest.raises(ReportError, match="not a township"):
        B.load(None, "2026-01-01", "2026-10-31", area="999999999")


def test_notable_incidents_carry_no_personal_data():
    ctx = B.load(None, "2026-01-01", "2026-10-31")
    notable = B.notable_incidents(ctx)
    assert len(notable) > 0
    allowed = {"date", "area_code", "category", "cause", "deaths", "injuries", "loss_yuan", "severity"}
    assert set(notable.columns) <= allowed
    assert pd.to_datetime(notable["date"]).is_monotonic_increasing


# ------------------------------------------------------------------ PDF dependency


def test_missing_chromium_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("ZZ_CHROMIUM", str(tmp_path / "no-chromium"))
    (tmp_path / "a.html").write_text("<p>x</p>")
    with pytest.raises(DependencyMissingError, match="apt-get install chromium fonts-noto-cjk"):
        print_pdf(tmp_path / "a.html", tmp_path / "a.pdf")
    monkeypatch.delenv("ZZ_CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DependencyMissingError, match="apt-get install chromium"):
        print_pdf(tmp_path / "a.html", tmp_path / "a.pdf")
    assert not (tmp_path / "a.pdf").exists()


# ------------------------------------------------------------------ atomic writes and batches


def test_atomic_path_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "r.html"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


@pytest.fixture(scope="module")
def tiny_notebook(tmp_path_factory):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    params = nbformat.v4.new_code_cell(
        'store = None\nstart = None\nend = None\narea = None\nlang = "zh"\ntargets = {}'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            "import plotly.graph_objects as go\n"
            "from zzanalytics.report import blocks as B, theme\n"
            'B.show(B.heading(f"区域 {area}"), B.figure(theme.apply(go.Figure(go.Bar(x=["甲"], y=[1])))))'
        ),
    ]
    path = tmp_path_factory.mktemp("nb") / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_batch_keeps_the_others_when_one_area_fails(tmp_path, tiny_notebook):
    out = tmp_path / "reports"
    areas = ["district", "620102001", "999999999"]
    res = batch_briefings(
        period="2026-01-01:2026-06-30",
        areas=areas,
        out=out,
        workers=2,
        notebook=tiny_notebook,
        progress=False,
    )
    assert [r.ok for r in res.results] == [True, True, False]
    assert "999999999" in res.failed[0].error and "not a township" in res.failed[0].error
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            briefing_filename(None, "2026-01-01", "2026-06-30"),
            briefing_filename("620102001", "2026-01-01", "2026-06-30"),
            "index.html",
        ]
    )
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "999999999" in index and "失败" in index and "鼓楼街道" in index
    assert index.count('<a href="briefing-') == 2
    # re-running overwrites atomically: new files, no temporary left behind
    first = (out / names[0]).stat().st_mtime_ns
    batch_briefings(
        period="2026-01-01:2026-06-30",
        areas=areas[:1],
        out=out,
        workers=1,
        notebook=tiny_notebook,
        progress=False,
    )
    assert (out / names[0]).stat().st_mtime_ns >= first
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_cli_reports_an_unknown_area_without_a_traceback(tmp_path):
    from zzanalytics.cli import app

    res = CliRunner().invoke(
        app, ["briefing", "--area", "999999999", "--period", "2026-01-01:2026-06-30", "--out", str(tmp_path)]
    )
    assert res.exit_code == 2
    assert "not a township" in res.output and "620102001" in res.output
    assert not list(Path(tmp_path).iterdir())


# ------------------------------------------------------------------ a failing section


FAILING_CELL = """import sys, dataclasses
sys.path.insert(0, {tests!r})
from _briefing import failing_body
from zzanalytics.report.briefing import registry
registry.SECTIONS = tuple(
    dataclasses.replace(s, body=failing_body) if s.key == "safety" else s for s in registry.SECTIONS
)"""


@pytest.mark.slow
def test_a_failing_section_is_a_notice_its_traceback_saved_and_the_render_fails(tmp_path):
    """A section that raises (here: ``KeyError: 'x'`` in section 3) does not stop the briefing: the
    page is written with a visible notice in its place and every other section, the traceback is
    saved beside it, and the render raises an error naming the section, the error, where it was
    raised and both files (``zz briefing`` exits 2)."""
    nb = nbformat.read(B.notebook_path(), as_version=4)
    loop = next(i for i, c in enumerate(nb.cells) if "render_sections" in c.source)
    nb.cells.insert(loop, nbformat.v4.new_code_cell(FAILING_CELL.format(tests=str(Path(__file__).parent))))
    notebook = tmp_path / "briefing.ipynb"
    nbformat.write(nb, notebook)
    out = tmp_path / "reports"
    with pytest.raises(ReportError) as info:
        render_briefing(
            period="2026-01-01:2026-06-30",
            out=out,
            notebook=notebook,
            parameters={"maps": False, "forecasts": False},
        )
    err = info.value
    message = str(err)
    assert "briefing section 'safety' (三、交通和消防安全) failed: KeyError: 'x'" in message
    assert "raised at _briefing.py:" in message and "in failing_body" in message
    html = out / briefing_filename(None, "2026-01-01", "2026-06-30")
    saved = html.with_name(html.stem + ".failed.txt")
    assert str(html) in message and str(saved) in message
    assert "failing_body" in err.traceback and "KeyError" in err.traceback
    assert "failing_body" in saved.read_text(encoding="utf-8")
    page = html.read_text(encoding="utf-8")
    assert 'class="zz-failed" data-section="safety"' in page
    text = visible_text(page)
    assert "三、交通和消防安全 本节生成失败(KeyError)" in text
    assert "一、总体治安形势" in text and "四、矛盾纠纷排查化解" in text  # the others are all there
    assert not (out / FAILED_DIR).exists()


def test_a_failing_notebook_keeps_its_traceback_and_the_executed_notebook(tmp_path, tiny_notebook):
    """A cell that raises outside the sections fails the render with an error naming the cell,
    the error and where it was raised, and leaves the executed notebook with the traceback in
    ``<out>/.failed/``; no briefing is written."""
    nb = nbformat.read(tiny_notebook, as_version=4)
    tests = str(Path(__file__).parent)
    cell = f"import sys\nsys.path.insert(0, {tests!r})\nfrom _briefing import failing_body\n"
    nb.cells.append(nbformat.v4.new_code_cell(cell + "failing_body(None)"))
    notebook = tmp_path / "failing.ipynb"
    nbformat.write(nb, notebook)
    out = tmp_path / "reports"
    with pytest.raises(ReportError) as info:
        render_briefing(period="2026-01-01:2026-06-30", out=out, notebook=notebook)
    err = info.value
    message = str(err)
    assert (
        "KeyError: 'x'" in message and "raised at _briefing.py:" in message and "in failing_body" in message
    )
    failed = out / FAILED_DIR / briefing_filename(None, "2026-01-01", "2026-06-30", suffix=".ipynb")
    assert err.notebook == failed and str(failed) in message
    assert type(err.__cause__).__name__ == "PapermillExecutionError"
    executed = nbformat.read(failed, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert len(errors) == 1 and "failing_body" in "\n".join(errors[0]["traceback"])
    assert not list(out.glob("*.html"))
