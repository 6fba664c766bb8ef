"""The design in docs/ cannot drift from the code: every mapping key, canonical column, command and
option the code has is documented, and everything documented exists."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from zzanalytics.cli import app
from zzanalytics.ingest.mapping import SECTIONS, SOURCE_KEYS
from zzanalytics.ingest.reasons import REASONS
from zzanalytics.schema import TABLES

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _section(text: str, heading: str) -> str:
    """The text under a ``## heading`` up to the next ``## ``."""
    start = text.index(f"## {heading}\n")
    nxt = text.find("\n## ", start + 1)
    return text[start : nxt if nxt > 0 else len(text)]


def test_every_mapping_section_and_source_key_is_documented_and_exists() -> None:
    text = (DOCS / "mapping.md").read_text(encoding="utf-8")
    documented_sections = set(re.findall(r"^## `\[(\w+)\]`$", text, flags=re.M))
    assert documented_sections == set(SECTIONS)
    source = _section(text, "`[source]`")
    documented_keys = set(re.findall(r"^\| `(\w+)` \|", source, flags=re.M))
    assert documented_keys == set(SOURCE_KEYS)


def test_every_reason_code_is_documented() -> None:
    text = (DOCS / "mapping.md").read_text(encoding="utf-8")
    assert {c for c in REASONS if f"`{c}`" not in text} == set()


def test_every_canonical_column_is_in_the_design() -> None:
    text = (DOCS / "design.md").read_text(encoding="utf-8")
    tables = _section(text, "Canonical tables")
    missing = [f"{t.name}.{c}" for t in TABLES.values() for c in t.names if f"`{c}`" not in tables]
    assert missing == []


def test_every_command_and_option_is_in_the_contract_and_nothing_else() -> None:
    text = (DOCS / "contract.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    documented = set(re.findall(r"^## `zz (\w+)`$", text, flags=re.M))
    assert documented == set(group.commands)
    for name, cmd in group.commands.items():
        block = _section(text, f"`zz {name}`")
        options = {o for p in cmd.params for o in p.opts if o.startswith("--")}
        written = set(re.findall(r"(--[a-z][a-z-]*)", block))
        assert options - written == set(), f"zz {name}: options not in docs/contract.md"
        assert written - options == set(), f"zz {name}: docs/contract.md names options zz does not have"


def test_the_docs_link_to_pages_that_exist() -> None:
    for page in DOCS.glob("*.md"):
        for target in re.findall(
            r"\]\(([\w.-]+\.(?:md|txt))(?:#[\w-]+)?\)", page.read_text(encoding="utf-8")
        ):
            assert (DOCS / target).exists(), f"{page.name} links to missing {target}"
