"""Phrase tables: every sentence in both languages with the same placeholders, no language branches
anywhere in the package or its notebooks, every phrase a section asks for exists, and the wording
of changes."""

from __future__ import annotations

import ast
import importlib
import json
import re
import string
from pathlib import Path

import pytest

from zzanalytics.errors import ReportError
from zzanalytics.report import batch, phrases
from zzanalytics.report.briefing import SECTIONS, all_phrases
from zzanalytics.report.phrases import COMMON, PARTICLES, Phrases, change

BRIEFING = Path(phrases.__file__).resolve().parent / "briefing"
PACKAGE = BRIEFING.parents[1]


def _package_tables() -> dict[str, Phrases]:
    """Every module-level :class:`Phrases` table of the package (found by reading the source)."""
    found: dict[str, Phrases] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", None) == "Phrases"
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(t, ast.Name)
        ]
        if names:
            rel = path.relative_to(PACKAGE.parent).with_suffix("")
            module = importlib.import_module(".".join(p for p in rel.parts if p != "__init__"))
            found.update({f"{module.__name__}.{n}": getattr(module, n) for n in names})
    return found


TABLES = {**all_phrases(), "index": batch.INDEX, **_package_tables()}


def _names(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_template_exists_in_both_languages_with_the_same_placeholders(table):
    for key, (zh, en) in TABLES[table].items():
        assert _names(zh) == _names(en), f"{table}.{key}: {zh!r} / {en!r}"
        if not key.startswith(PARTICLES):
            assert zh.strip() and en.strip(), f"{table}.{key} is empty in a language"
        assert not re.search(r"[\u4e00-\u9fff]", en), f"{table}.{key}: Chinese in the English text {en!r}"
        if key.endswith(".one"):
            assert key[: -len(".one")] in TABLES[table], f"{table}.{key} has no plural form"


def test_a_table_with_a_missing_or_mismatched_language_fails_when_built():
    with pytest.raises(ReportError, match="placeholders"):
        Phrases({"lead": ("{period}发生{n}起", "{n} cases")})
    with pytest.raises(ReportError, match="empty"):
        Phrases({"lead": ("全区发生", "")})
    with pytest.raises(ReportError, match="pair"):
        Phrases({"lead": "全区发生"})  # type: ignore[dict-item]


def test_sections_are_registered_once_with_both_headings():
    keys = [s.key for s in SECTIONS]
    assert len(keys) == len(set(keys))
    for s in SECTIONS:
        zh, en = s.heading
        assert zh and en and not re.search(r"[\u4e00-\u9fff]", en)
        assert s.phrases.name == s.key  # phrase ids in errors name the section


def _sources() -> list[Path]:
    return sorted(p for p in BRIEFING.glob("*.py"))


BRANCHES = (
    r"\bctx\.zh\b",
    r"lang\s*[!=]=\s*[\"'](zh|en)[\"']",
    r"[\"'](zh|en)[\"']\s*[!=]=\s*lang\b",
    r"\bctx\.t\(",
    r"\bif zh\b",
    r"\bzh\s*=\s*lang\b",
    r"\b0 if zh\b",
)
"""Ways of branching on the language instead of wording through a phrase table."""


def _code_files() -> list[Path]:
    """Every module of the package and every notebook (analyst notebooks and the briefing's)."""
    return (
        sorted(PACKAGE.rglob("*.py"))
        + sorted(PACKAGE.parent.joinpath("notebooks").glob("*.ipynb"))
        + sorted(BRIEFING.glob("*.ipynb"))
    )


def _code(path: Path) -> str:
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_the_scan_covers_the_whole_package_and_the_notebooks():
    names = {p.relative_to(PACKAGE.parent).as_posix() for p in _code_files()}
    assert {
        "zzanalytics/report/charts.py",
        "zzanalytics/spatial/rhythm.py",
        "zzanalytics/models/compare.py",
    } <= names
    assert (
        any(n.startswith("notebooks/") for n in names)
        and "zzanalytics/report/briefing/briefing.ipynb" in names
    )
    assert re.search(BRANCHES[1], 'x = "甲" if lang == "zh" else "a"')  # the scan sees a planted branch


@pytest.mark.parametrize("path", _code_files(), ids=lambda p: p.relative_to(PACKAGE.parent).as_posix())
def test_no_module_or_notebook_branches_on_the_language(path):
    code = _code(path)
    for pattern in BRANCHES:
        assert not re.search(pattern, code), f"{path.name}: {pattern} (word it through a phrase table)"


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.name)
def test_every_phrase_id_a_section_uses_exists(path):
    """``PHRASES["x"]`` and ``COMMON["x"]`` with literal ids must name phrases of those tables
    (ids built at run time, such as ``f"trend.{direction}"``, are checked by the section tests)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = {s.body.__module__: s.phrases for s in SECTIONS}.get(f"zzanalytics.report.briefing.{path.stem}")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)):
            continue
        if not (isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
            continue
        if node.value.id == "COMMON":
            assert node.slice.value in COMMON, f"{path.name}: COMMON[{node.slice.value!r}]"
        elif node.value.id == "PHRASES" and module is not None:
            assert node.slice.value in module, f"{path.name}: PHRASES[{node.slice.value!r}]"


# ------------------------------------------------------------------ wording of a change


@pytest.mark.parametrize(
    ("current", "baseline", "significant", "lang", "lead", "what", "expected"),
    [
        (1298, 1234, True, "zh", "first", None, "比去年同期上升5.2%(显著)"),
        (1298, 1234, False, "zh", "first", None, "比去年同期上升5.2%(在正常波动范围内)"),
        (1196, 1234, True, "zh", "later", None, "同比下降3.1%(显著)"),
        (1196, 1234, None, "zh", "later", None, "同比下降3.1%(在正常波动范围内)"),
        (5, 0, True, "zh", "later", None, "去年同期为0"),
        (0, 0, False, "zh", "later", None, "与去年同期均为0"),
        (1000, 1000, True, "zh", "later", None, "与去年同期持平"),
        (10001, 10000, True, "zh", "later", None, "与去年同期持平"),  # rounds to 0.0%
        (300, 100, True, "zh", "later", None, "同比上升200.0%(显著)"),
        (0, 7, True, "zh", "later", None, "同比下降100.0%(显著)"),
        (48, 21, True, "zh", "compared", "what.batches", "与去年同期相比批数上升128.6%(显著)"),
        (123, 88, False, "zh", "none", "what.persons", "人数上升39.8%(在正常波动范围内)"),
        (5, 0, False, "zh", "none", "what.count", "去年同期起数为0"),
        (7, 7, False, "zh", "none", "what.loss", "损失与去年同期持平"),
        (1298, 1234, True, "en", "first", None, "up 5.2% on the same period last year (significant)"),
        (1196, 1234, False, "en", "later", None, "down 3.1% (within normal variation)"),
        (48, 21, True, "en", "compared", "what.batches", "batches up 128.6% (significant)"),
        (5, 0, False, "en", "later", None, "none in the same period last year"),
        (None, 3, False, "zh", "later", None, ""),
    ],
)
def test_change(current, baseline, significant, lang, lead, what, expected):
    pair = COMMON[what] if what else None
    assert change(current, baseline, significant, lang, lead, pair) == expected


def test_a_rise_or_fall_is_never_worded_without_its_test():
    for cur, base in [(11, 10), (9, 10), (1000, 3), (3, 1000)]:
        for sig in (True, False, None):
            for lead in phrases.CHANGE_LEADS:
                zh, en = change(cur, base, sig, "zh", lead), change(cur, base, sig, "en", lead)
                assert ("上升" in zh or "下降" in zh) and zh.endswith(("(显著)", "(在正常波动范围内)"))
                assert en.endswith(("(significant)", "(within normal variation)"))
                assert zh.endswith("(显著)") == bool(sig)


def test_unknown_lead_or_language_is_an_error():
    with pytest.raises(ReportError, match="lead"):
        change(2, 1, True, "zh", "比去年同期")
    with pytest.raises(ReportError, match="'zh', 'en'"):
        change(2, 1, True, "fr")
