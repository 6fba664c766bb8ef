"""``zz set``: record the district's identity in a store, and the identity options of ``zz ingest``.

``zz set KEY=VALUE... [--store PATH]`` records keys of :data:`zzanalytics.store.district.KEYS`
(``KEY=`` removes one); with no ``KEY=VALUE`` it lists the keys with what the store records.
``zz ingest --district NAME --currency CODE --set KEY=VALUE`` records them on a new store.

Examples
--------
>>> from typer.testing import CliRunner
>>> from zzanalytics.cli import app
>>> args = ["set", "--store", "/tmp/zz_doc_set.duckdb", "name=Lakeport", "unit_en=beat"]
>>> CliRunner().invoke(app, args).exit_code  # doctest: +SKIP
0
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from zzanalytics.errors import ZZError

__all__ = ["DistrictOpt", "IdentitySetOpt", "ingest_identity", "set_command"]

DistrictOpt = Annotated[
    str | None,
    typer.Option(
        "--district", help="The district's name, recorded when the store has none (`zz set` changes it)."
    ),
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option("--currency", help="ISO 4217 code of losses (CNY, HKD, TWD, CAD), recorded on a new store."),
]
IdentitySetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="KEY=VALUE of the district's identity (unit=街道, unit_en=beat ...; see `zz set`)."
    ),
]


def ingest_identity(district: str | None, currency: str | None, items: list[str] | None) -> dict[str, str]:
    """The identity ``zz ingest`` was given (checked before any work starts).

    Examples
    --------
    >>> ingest_identity("Lakeport", "cad", ["unit_en=beat"])
    {'unit_en': 'beat', 'name': 'Lakeport', 'currency': 'cad'}
    """
    from zzanalytics.store.district import identity_meta, parse_assignments

    values: dict[str, str] = parse_assignments(items or [], "--set")
    values.update({k: v for k, v in (("name", district), ("currency", currency)) if v is not None})
    identity_meta(values)
    return values


def _check_sections(meta: dict[str, Any]) -> None:
    """Refuse a ``sections_off`` naming no section of the briefing."""
    if not meta.get("sections_off"):
        return
    from zzanalytics.report.briefing.registry import SECTIONS

    keys = [s.key for s in SECTIONS]
    bad = [s for s in str(meta["sections_off"]).split(",") if s not in keys]
    if bad:
        raise ZZError(f"sections_off: {bad} are not sections of the briefing; sections are {', '.join(keys)}")


def _check_targets(meta: dict[str, Any]) -> None:
    """Refuse a target whose metric the target model does not know."""
    from zzanalytics.models.targets import METRICS

    bad = [k for k in meta if k.startswith("target.") and k[len("target.") :] not in METRICS]
    if bad:
        raise ZZError(
            f"{', '.join(bad)}: not a target metric; metrics are {', '.join(METRICS)} (target.fire.count=120)"
        )


def _keys_table(ident: Any) -> str:
    from zzanalytics.store.district import KEYS

    rows = [f"  {k.name:<14} {k.help}" for k in KEYS]
    return (
        "keys (zz set KEY=VALUE..., KEY= removes one):\n"
        + "\n".join(rows)
        + "\n\nrecorded:\n"
        + "\n".join(ident.lines())
    )


def set_command(
    assignments: Annotated[
        list[str] | None, typer.Argument(help="KEY=VALUE pairs (KEY= removes); none: list the keys.")
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store", help="DuckDB store; default: ZZ_STORE (the sample store is built from sources.toml)."
        ),
    ] = None,
) -> None:
    """Record the district's identity in the store: name, issuing unit, meeting, what an area is
    called, currency and money unit, sections left out, annual targets (every report uses it)."""
    from zzanalytics import config
    from zzanalytics.cli.checks import check_store_to_read
    from zzanalytics.outputs import printable
    from zzanalytics.store import check_store_path
    from zzanalytics.store.district import identity_meta, parse_assignments, set_identity
    from zzanalytics.workspace import open_store, sample_store_path

    if not assignments:
        with open_store(check_store_to_read(store)) as st:
            typer.echo(printable(_keys_table(st.identity())))
        return
    target = check_store_path(Path(store) if store is not None else config.default_store_path())
    values = parse_assignments(assignments)
    meta = identity_meta(values)
    _check_sections(meta)
    _check_targets(meta)
    if os.path.abspath(target) == os.path.abspath(sample_store_path()):
        raise ZZError(
            f"{target} is the sample district's store, rebuilt from {config.sample_dir() / 'sources.toml'}: "
            "write these keys in its [district] table, or give --store PATH of your own store"
        )
    with open_store(target, read_only=False) as st:
        ident = set_identity(st, values)
    typer.echo(printable("\n".join([f"store {target}", *ident.lines()])))
