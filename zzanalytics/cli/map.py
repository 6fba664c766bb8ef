"""``zz map``: draft a mapping from exports as published (see :mod:`zzanalytics.ingest.draft`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zzanalytics.cli.checks import check_in_file
from zzanalytics.errors import ZZError

__all__ = ["map_files"]


def map_files(
    files: Annotated[list[Path], typer.Argument(help="Exports of one kind, as published (CSV, Excel, ...).")],
    table: Annotated[
        str, typer.Option("--table", help="Canonical table the files fill (incidents, petitions ...).")
    ] = "incidents",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write the draft to this .toml file (never over an existing one); default: print."
        ),
    ] = None,
    areas: Annotated[
        Path | None,
        typer.Option(
            "--areas",
            help="The district's polygons (GeoJSON, shapefile, GeoPackage, or a store): decides the "
            "coordinate system of projected x/y.",
        ),
    ] = None,
) -> None:
    """Draft a mapping for FILES: encoding, sheet, title and footer lines, delimiter, what each column is
    (dates incl. 民國 years, times and slots, ids, categories with proposed codes, areas or addresses,
    points and their coordinate system, casualties, counts per row, one row per party), each with its
    evidence and how sure it is. The draft ingests as it is: zz ingest FILES --mapping MAP.toml."""
    from zzanalytics.ingest.draft import draft_mapping
    from zzanalytics.schema import TABLES

    for f in files:
        check_in_file(f, "FILE")
    if areas is not None:
        check_in_file(areas, "--areas")
    if table not in TABLES:
        raise ZZError(f"--table {table!r}: not a table; use one of {', '.join(TABLES)}")
    if out is not None:
        if out.suffix.lower() != ".toml":
            raise ZZError(
                f"--out {out}: a mapping is a .toml file; give a name such as {out.with_suffix('.toml')}"
            )
        if out.exists():
            raise ZZError(
                f"--out {out}: exists already (a mapping you may have edited); remove it or give another name"
            )
    draft = draft_mapping(files, table=table, areas=areas)
    if out is None:
        typer.echo(draft.text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(draft.text, encoding="utf-8")
    typer.echo(f"wrote the draft mapping to {out}; check it, then: zz ingest FILE... --mapping {out}")
