"""``zz backtest --risk``: the risk map's PAI, PEI and PEI* at rolling origins against counting
(see :func:`zzanalytics.spatial.risk_eval.evaluate_risk`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zzanalytics.errors import ZZError

__all__ = ["parse_horizons", "periods_ahead", "risk_backtest", "risk_command", "summary_table"]


def periods_ahead(horizon: str) -> int:
    """``--horizon`` without ``--risk``: a whole number of periods.

    Examples
    --------
    >>> periods_ahead(" 6 ")
    6
    """
    if not str(horizon).strip().lstrip("+-").isdigit():
        raise ZZError(
            f"--horizon {horizon!r}: a whole number of periods, e.g. 6 (days such as 7D need --risk)"
        )
    return int(horizon)


def risk_command(
    store: Path | None,
    horizon: str,
    origins: int | None,
    cell: float | None,
    category: str | None,
    until: str | None,
    out: Path,
) -> None:
    """``zz backtest --risk``: check the options, evaluate, print the summary, write the table."""
    import typer

    from zzanalytics.cli.checks import (
        check_category,
        check_date,
        check_out_file,
        check_range,
        check_store_to_read,
    )
    from zzanalytics.outputs import printable, write_table

    check_range(origins, "--origins", lo=1, hi=120, example=13)
    check_range(cell, "--cell", lo=10, hi=100_000, example=250)
    check_out_file(out, (".csv", ".parquet"))
    check_store_to_read(store)
    cat = check_category(category) if category else None
    frame = risk_backtest(store, horizon, origins, cell, cat, check_date(until, "--until"))
    typer.echo(
        printable("risk map vs counts per cell: pooled PAI over rolling origins\n" + summary_table(frame))
    )
    write_table(frame, out)
    typer.echo(f"wrote {len(frame):,} rows to {out}")


def parse_horizons(text: str) -> list[str]:
    """``--horizon 7D,31D,92D`` (a bare number is days); a one-line error otherwise.

    Examples
    --------
    >>> parse_horizons("7D, 31d,92")
    ['7D', '31D', '92D']
    """
    import pandas as pd

    out = []
    for part in [p.strip() for p in str(text).split(",") if p.strip()]:
        label = part.upper() if not part.isdigit() else f"{part}D"
        try:
            days = pd.Timedelta(label).total_seconds() / 86400.0
        except ValueError:
            days = float("nan")
        if not days >= 1 or days > 3660:
            raise ZZError(f"--horizon {part!r}: with --risk give days such as 7D,31D,92D (1 to 3660 days)")
        out.append(label)
    if not out:
        raise ZZError("--horizon: with --risk give days such as 7D,31D,92D")
    return out


def summary_table(frame: Any) -> str:
    """Pooled PAI per category, horizon and area share: each model, and zz over the better baseline."""
    import numpy as np

    p = frame[frame.scope == "pooled"]
    if p.empty:
        return "no origin had enough covered history (see --origins and the store's coverage)"
    w = p.pivot_table(index=["category", "horizon_days", "frac"], columns="model", values="pai")
    base = [c for c in ("prev_year", "prev_3_years") if c in w.columns]
    if "zz" in w.columns and base:
        w["zz / best count"] = w["zz"] / w[base].max(axis=1)
    w = w.reset_index()
    w["frac"] = (w["frac"] * 100).map(lambda v: f"{v:g}%")
    w["horizon_days"] = w["horizon_days"].map(lambda v: f"{v:g}D")
    return w.rename(columns={"horizon_days": "horizon", "frac": "area"}).to_string(
        index=False, float_format=lambda v: "" if not np.isfinite(v) else f"{v:.3f}"
    )


def risk_backtest(
    store: Path | None,
    horizon: str,
    origins: int | None,
    cell: float | None,
    category: str | None,
    until: Any,
) -> Any:
    """The evaluation table of the store's incidents (a category, or every category)."""
    from zzanalytics.spatial.grid import make_grid
    from zzanalytics.spatial.risk_eval import evaluate_risk
    from zzanalytics.workspace import open_store

    horizons = parse_horizons(horizon)
    with open_store(store) as st:
        inc, areas, cov = st.incidents(), st.areas(), st.coverage()
    if inc.empty:
        raise ZZError("zz backtest --risk: the store holds no incidents; ingest some first (zz ingest)")
    grid = make_grid(areas if len(areas) else inc[["lon", "lat"]].dropna(), cell=cell or 250.0)
    cats = [category] if category else None
    return evaluate_risk(
        inc, grid, horizons=horizons, origins=origins or 13, categories=cats, end=until, coverage=cov
    )
