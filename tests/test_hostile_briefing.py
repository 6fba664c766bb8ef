"""A hostile store through the real briefing: township codes from a GeoJSON that try to climb out
of --out (``x/../../../NAME``, an absolute path, ``..``), township names and causes carrying ID card
and phone numbers in hostile forms, names, markup and formulas. Files land only inside --out, under
safe names; no planted number or name survives in the HTML or in the PDF's text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from plotly.offline import get_plotlyjs
from test_privacy import digit_stream
from typer.testing import CliRunner

from zzanalytics.cli import app
from zzanalytics.config import default_store_path
from zzanalytics.report.batch import batch_briefings
from zzanalytics.workspace import open_store

runner = CliRunner()

HOSTILE_CODES = ("x/../../../NAME", "/tmp/zz-h12-evil-abs", "..")
PERIOD = "2026-01-01:2026-10-31"

# causes of the notable incidents (8 major accidents, 5 large fires): every hostile written form
CAUSES = (
    "驾驶员王小明醉酒驾驶,ID110101199003074518",
    "当事人电话138.1234.5678,超速",
    "身份证 110101 19900307 451X 疲劳驾驶",
    "旧证110101900307451逆行",
    "全角１１０１０１１９９００３０７４５１８",
    "手机+86 139-8765-4321 闯红灯",
    "联系0086 13712345678",
    "证件号一一〇一〇一一九九〇〇三〇七四五一八",
    "<script>alert(1)</script>车主李建国 15012345678",
    "报警人张伟 电话 0931-8123456",
    "ID:110101\u200b19900307\u200b4518",
    "车牌甘A·12345 货车起火 13612345678",
    "=cmd|' /C calc'!A0 电气故障 18612345678",
)
NUMBERS = (
    "110101199003074518",
    "13812345678",
    "11010119900307451X",
    "110101900307451",
    "13987654321",
    "13712345678",
    "15012345678",
    "09318123456",
    "13612345678",
    "18612345678",
)
NAMES = ("王小明", "李建国", "张伟", "甘A·12345")


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    open_store().close()  # the sample store, built if needed
    path = tmp_path_factory.mktemp("hostile-store") / "zz.duckdb"
    shutil.copyfile(default_store_path(), path)
    con = duckdb.connect(str(path))
    try:
        codes = [r[0] for r in con.execute("SELECT area_code FROM areas ORDER BY area_code").fetchall()]
        tables = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = 'area_code'"
            ).fetchall()
        ]
        for old, new in zip(codes, HOSTILE_CODES, strict=False):
            for t in tables:
                con.execute(f'UPDATE "{t}" SET area_code = ? WHERE area_code = ?', [new, old])
        con.execute(
            "UPDATE areas SET name = name || ' 13812345678<script>x</script>' WHERE area_code = ?",
            [HOSTILE_CODES[0]],
        )
        for i, cause in enumerate(CAUSES):
            fire = i >= 8
            con.execute(
                "INSERT INTO incidents BY NAME SELECT ? AS incident_id, ?::TIMESTAMP AS occurred_at, "
                "? AS category, ? AS area_code, ? AS deaths, ? AS injuries, ? AS loss_yuan, ? AS cause",
                [
                    f"H12-{i}",
                    f"2026-0{1 + i % 9}-1{i % 9} 10:00",
                    "fire" if fire else "traffic.major",
                    HOSTILE_CODES[0],
                    0 if fire else 90 + i,
                    3,
                    1e9 + i if fire else 0.0,
                    cause,
                ],
            )
    finally:
        con.close()
    return path


def _outputs_below(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _without_plotly(html: str) -> str:
    return html.replace(get_plotlyjs(), "")


def _assert_clean(text: str, where: str) -> None:
    stream = digit_stream(text)
    for n in NUMBERS:
        assert n not in stream, (where, n)
    for name in NAMES:
        assert name not in text, (where, name)
    assert "<script>alert" not in text, where  # markup from data never reaches a page as markup


@pytest.fixture(scope="module")
def township(hostile_store, tmp_path_factory):
    """``zz briefing --area 'x/../../../NAME' --pdf`` on the hostile store, in a folder of its own."""
    root = tmp_path_factory.mktemp("township")
    out = root / "a" / "b" / "c" / "reports"
    args = ["briefing", "--store", str(hostile_store), "--area", HOSTILE_CODES[0], "--pdf"]
    result = runner.invoke(app, [*args, "--period", PERIOD, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return {"root": root, "out": out, "output": result.output}


def test_a_township_briefing_stays_inside_out_under_a_safe_name(township):
    out, root = township["out"], township["root"]
    files = _outputs_below(root)
    assert files and all(p.parent == out for p in files), files  # nothing above or beside --out
    names = sorted(p.name for p in files)
    assert len(names) == 2 and names[0].endswith(".html") and names[1].endswith(".pdf"), names
    for name in names:
        assert name.startswith("briefing-x_NAME-") and "/" not in name and ".." not in name
    assert not Path("/tmp/zz-h12-evil-abs").exists()
    for line in township["output"].splitlines():
        assert Path(line).parent == out  # what zz printed is what it wrote


def test_no_planted_number_or_name_in_the_html_or_the_pdf(township):
    out = township["out"]
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    _assert_clean(_without_plotly(html), "HTML")
    pdf = next(out.glob("*.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    _assert_clean(text, "PDF text")
    # the notable incidents are listed, masked, not dropped
    flat = re.sub(r"\s+", "", text)
    assert "驾驶员王**" in flat and "138******78" in flat


def test_batch_over_hostile_codes_writes_every_file_inside_out(hostile_store, tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    params = nbformat.v4.new_code_cell(
        'store = None\nstart = None\nend = None\narea = None\nlang = "zh"\ntargets = {}'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print(area)")]
    notebook = tmp_path / "tiny.ipynb"
    nbformat.write(nb, notebook)
    out = tmp_path / "deep" / "reports"
    res = batch_briefings(
        hostile_store, period=PERIOD, areas="all", out=out, workers=2, notebook=notebook, progress=False
    )
    assert all(r.ok for r in res.results), [r.error for r in res.failed]
    files = _outputs_below(tmp_path / "deep")
    assert all(p.parent == out for p in files), files
    n_areas = len(res.results)
    assert len(files) == n_areas + 1  # one page per area and the index
    assert len({p.name for p in files}) == len(files)  # no two areas share a file
    index = (out / "index.html").read_text(encoding="utf-8")
    for href in re.findall(r'href="([^"]+)"', index):
        assert (out / href).is_file() and "/" not in href
    _assert_clean(index, "index.html")
    assert not Path("/tmp/zz-h12-evil-abs").exists()
