"""``zz report``: an analyst's own notebook, with its own parameters, through the house pipeline.

One third-party-style notebook (pandas, ``fig.show()``, the public API, parameters of its own) is
rendered for every area of a three-area store — the district and two townships — with PDFs and
the index, in a real ``zz`` process, so that what reaches the terminal is exactly what a user
sees. A failing cell, a parameter the notebook lacks and the ``-p`` values are checked without
rendering pages.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import nbformat
import pytest
from _briefing import visible_text
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from zzanalytics.cli import app
from zzanalytics.config import default_store_path
from zzanalytics.report import text as tx
from zzanalytics.report.notebook import parse_value
from zzanalytics.report.render import FAILED_DIR
from zzanalytics.workspace import open_store

runner = CliRunner()
ZZ = str(Path(sys.executable).with_name("zz"))
KERNEL = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
PERIOD = "2026-01-01:2026-06-30"


def _notebook(path: Path, cells: list[str], params: str, heading: str = "# 盗窃警情月度分析") -> Path:
    nb = nbformat.v4.new_notebook(metadata=KERNEL)
    p = nbformat.v4.new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(heading), p, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nbformat.write(nb, path)
    return path


THEFT_PARAMS = """store = None
start = "2026-01-01"
end = "2026-03-31"
area = None
lang = "zh"
category = "theft"  # its own parameters
top = 12"""

THEFT_CELLS = [
    "import pandas as pd\nimport plotly.express as px\nimport zzanalytics as zz",
    "with zz.open_store(store) as st:\n    inc = st.incidents(start, end, category=category)\n"
    "if area is not None:\n    inc = inc[inc['area_code'] == area]\n"
    "monthly = zz.counts(inc, freq='month', by=['category'], start=start, end=end)",
    "from IPython.display import HTML, display\n"
    'display(HTML(f\'<p class="lead" id="total">{category} {area or "all"}: {len(inc)}</p>\'))\n'
    "monthly.sort_values('count', ascending=False).head(top)",
    "px.bar(monthly, x='period', y='count', color='category', title='monthly').show()",
    "import sys\nprint('to stderr', file=sys.stderr)",
]


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    """The sample store with two townships left in ``areas`` (their incidents and the others' kept)."""
    open_store().close()
    path = tmp_path_factory.mktemp("small-store") / "zz.duckdb"
    shutil.copyfile(default_store_path(), path)
    con = duckdb.connect(str(path))
    try:
        con.execute("DELETE FROM areas WHERE area_code NOT IN ('620102001', '620102005')")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def theft_batch(small_store, tmp_path_factory):
    """``zz report theft.ipynb --area all --pdf -p top 2`` in a real process: (result, out folder)."""
    root = tmp_path_factory.mktemp("theft")
    notebook = _notebook(root / "theft_review.ipynb", THEFT_CELLS, THEFT_PARAMS)
    out = root / "reports"
    cmd = [ZZ, "report", str(notebook), "-p", "top", "2", "--store", str(small_store)]
    cmd += ["--area", "all", "--period", PERIOD, "--pdf", "--out", str(out), "--workers", "2"]
    tmp = root / "tmp"  # the run's own temporary folder: kernels and printers must leave nothing in it
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    return res, out, tmp


def test_a_notebook_of_its_own_is_rendered_per_area_with_pdfs_and_an_index(theft_batch, small_store):
    res, out, tmp = theft_batch
    assert res.returncode == 0, res.stderr
    names = ["district", "620102001", "620102005"]
    stems = [f"theft_review-{a}-2026-01-01_2026-06-30" for a in names]
    expected = [str(out / f"{s}{x}") for s in stems for x in (".html", ".pdf")] + [str(out / "index.html")]
    assert res.stdout.splitlines() == expected  # our lines, in order, and nothing else
    assert res.stderr == ""  # no kernel, papermill or progress noise
    with open_store(small_store) as st:
        inc = st.incidents("2026-01-01", "2026-06-30", category="theft")
    for area, stem in zip(names, stems, strict=True):
        page = (out / f"{stem}.html").read_text(encoding="utf-8")
        text = visible_text(page)
        # the injected parameters reached the notebook: --period, --area, and -p top 2
        rows = inc if area == "district" else inc[inc["area_code"] == area]
        label = "all" if area == "district" else area
        assert f"theft {label}: {len(rows)}" in text
        tables = re.findall(r'<table[^>]*class="dataframe".*?</table>', page, flags=re.S)
        assert len(tables) == 1 and tables[0].count("<tr") == 1 + 2  # header and `top` rows
        # the house page: code hidden, stderr dropped, plotly.js once, fig.show() drawn, offline
        assert "import pandas" not in page and "to stderr" not in page
        assert page.count(get_plotlyjs()[:300]) == 1 and page.count("Plotly.newPlot") == 1
        assert not re.search(r"<script[^>]*\bsrc\s*=", page)
        assert "盗窃警情月度分析" in text
        info = subprocess.run(["pdfinfo", str(out / f"{stem}.pdf")], capture_output=True, text=True).stdout
        assert "(A4)" in info
    index = (out / "index.html").read_text(encoding="utf-8")
    period = tx.period_label("2026-01-01", "2026-06-30", "zh", with_year=True)
    assert f"盗窃警情月度分析 {period}" in index and "鼓楼街道" in index
    assert [h for h in re.findall(r'href="([^"]+)"', index)] == [Path(p).name for p in expected[:-1]]
    assert not list(out.glob(".*tmp*")) and not (out / FAILED_DIR).exists()
    assert sorted(p.name for p in tmp.iterdir()) == []  # no kernel's or printer's folder left behind


def test_a_failing_cell_is_one_line_naming_the_cell_and_the_executed_notebook_is_kept(tmp_path):
    cells = [
        "import zzanalytics as zz",
        "counts = {'theft': 3}",
        "# look up the month's count\nvalue = counts[category]\nprint(value)",
    ]
    notebook = _notebook(tmp_path / "broken.ipynb", cells, 'category = "fraud"', heading="# broken")
    out = tmp_path / "reports"
    res = runner.invoke(app, ["report", str(notebook), "-p", "category", "robbery", "--out", str(out)])
    assert res.exit_code == 2
    message = res.output.strip()
    assert len(message.splitlines()) == 1, message
    kept = out / FAILED_DIR / "broken.ipynb"
    assert message == (
        "error: notebook broken.ipynb failed in cell 5 of 5 (value = counts[category]): "
        f"KeyError: 'robbery'; the executed notebook, with the traceback, is {kept}"
    )
    executed = nbformat.read(kept, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "KeyError"
    assert not list(out.glob("*.html"))


def test_a_parameter_the_notebook_lacks_is_refused_before_anything_runs(tmp_path):
    notebook = _notebook(tmp_path / "no_area.ipynb", ["x = 1"], "store = None\nmonth = 6")
    res = runner.invoke(app, ["report", str(notebook), "--area", "all", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "--area: notebook no_area.ipynb has no parameter 'area' in its 'parameters' cell" in res.output
    assert "(it has: store, month)" in res.output and "`area = None`" in res.output
    res = runner.invoke(app, ["report", str(notebook), "-p", "monht", "7"])
    assert res.exit_code == 2 and "no parameter 'monht'" in res.output
    res = runner.invoke(app, ["report", str(notebook), "-p", "store", "x", "--store", str(notebook)])
    assert res.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_p_values_are_read_as_papermill_reads_them():
    from papermill.cli import _resolve_type

    for text in (
        "True",
        "False",
        "None",
        "3",
        "-4",
        "1_000",
        "2.5",
        "1e3",
        "nan",
        "2026-06-30",
        "金河区",
        "",
    ):
        expected, got = _resolve_type(text), parse_value(text)
        assert type(got) is type(expected) and (got == expected or got != got), text


def test_render_report_is_the_public_api(tmp_path):
    import zzanalytics as zz

    notebook = _notebook(tmp_path / "hello.ipynb", ["print(f'hello {who}')"], 'who = "world"', "# Hello")
    paths = zz.render_report(notebook, parameters={"who": "Lakeport"}, out=tmp_path / "r")
    assert [p.name for p in paths] == ["hello.html"]
    page = paths[0].read_text(encoding="utf-8")
    assert "hello Lakeport" in page and "<title>Hello</title>" in page
    assert get_plotlyjs()[:300] not in page  # no figure, no plotly.js
    assert json.loads(json.dumps(zz.__all__)).count("render_report") == 1


def test_the_holiday_report_is_rendered_per_area(small_store, tmp_path):
    """The shipped holiday-period notebook through ``zz report --area all``: a page per area, the
    district's with its township table, each township's without, and the index."""
    from zzanalytics.report.pipeline import report_notebooks

    notebook = report_notebooks()[1]
    out = tmp_path / "reports"
    args = ["report", str(notebook), "--store", str(small_store), "--area", "all", "--out", str(out)]
    res = runner.invoke(app, [*args, "-p", "holiday", "春节", "-p", "year", "2026", "--workers", "2"])
    assert res.exit_code == 0, res.output
    pages = {a: out / f"holiday_review-{a}.html" for a in ("district", "620102001", "620102005")}
    assert res.output.splitlines() == [*map(str, pages.values()), str(out / "index.html")]
    for area, page in pages.items():
        text = visible_text(page.read_text(encoding="utf-8"))
        assert "2026年春节假期治安形势分析" in text and ("二、乡镇(街道)" in text) == (area == "district")
    district = visible_text(pages["district"].read_text(encoding="utf-8"))
    assert "与平常相比上升显著的有:火灾。" in district  # the planted fires of 春节
    assert "滨河街道2026年春节假期治安形势分析" in visible_text(
        pages["620102005"].read_text(encoding="utf-8")
    )
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<title>金河区2026年春节假期治安形势分析</title>" in index


def test_the_holiday_report_of_a_foreign_city(city_store, tmp_path):
    """Another country's holidays, in English, on the foreign sample city's store."""
    import zzanalytics as zz
    from zzanalytics.report.pipeline import report_notebooks

    params = {"holiday": "Christmas", "country": "CA"}
    [page] = zz.render_report(
        report_notebooks()[1], store=city_store.path, lang="en", parameters=params, out=tmp_path
    )
    text = visible_text(page.read_text(encoding="utf-8"))
    assert text.startswith(" Christmas Day 2021: public security in City of Lakeport "), text[:200]
    assert "City of Lakeport recorded" in text and "a day" in text and "金河" not in text
    assert "no data to compare" not in text.split("By category")[0]  # 2020 and 2021 are both covered
