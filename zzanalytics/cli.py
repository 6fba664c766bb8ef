"""The ``zz`` command line: a stable contract (see DESIGN.md).

Each command is a thin shell over the public API: it parses options, calls one
library function and prints or writes its tidy result. Errors derived from
:class:`~zzanalytics.errors.ZZError` are printed as one readable message with
exit code 2, never as a traceback.
"""

from __future__ import annotations

import sys
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from zzanalytics.errors import ZZError

app = typer.Typer(
    name="zz",
    help="zzanalytics: public-security statistics, forecasts, hotspots and briefings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="DuckDB store; default: the sample district's store (built on first use)."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler address (or ZZ_SCHEDULER); default: local processes."),
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", help="Local worker processes; default: CPU count.")
]


def _friendly(fn: Any) -> Any:
    """Turn a ZZError into a one-line message and exit code 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ZZError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None

    return wrapper


def _split(by: str | None) -> list[str]:
    return [b.strip() for b in by.split(",") if b.strip()] if by else []


def _write_frame(frame: Any, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix == ".parquet":
        frame.to_parquet(out, index=False)
    elif suffix in (".csv", ""):
        frame.to_csv(out, index=False, encoding="utf-8")
    else:
        raise ZZError(f"--out {out}: unknown file type {suffix!r}; use .csv or .parquet")
    typer.echo(f"wrote {len(frame):,} rows to {out}")


@app.command()
@_friendly
def sample(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("data/sample"),
    scale: Annotated[float, typer.Option("--scale", help="Multiply record counts (benchmarks).")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same bytes.")] = 0,
    province: Annotated[
        bool,
        typer.Option("--province", help="A province instead: 100 counties, ~10M incidents x --scale."),
    ] = False,
    counties: Annotated[int, typer.Option("--counties", help="Counties of --province.")] = 100,
) -> None:
    """Generate the sample district's exports, mappings and truth manifest (or, with --province,
    a province of counties for scale tests, written to data/province unless --out is given)."""
    if province:
        from zzanalytics.sample.province import generate_province

        target = Path("data/province") if out == Path("data/sample") else out
        typer.echo(str(generate_province(target, counties=counties, scale=scale, seed=seed)))
        return
    from zzanalytics.sample import generate_sample

    summary = generate_sample(out=out, scale=scale, seed=seed)
    typer.echo(str(summary))


@app.command()
@_friendly
def ingest(
    files: Annotated[list[Path], typer.Argument(help="Source files (CSV, XLSX, Parquet, GeoJSON).")],
    mapping: Annotated[Path, typer.Option("--mapping", help="Mapping file (TOML) describing the files.")],
    store: StoreOpt = None,
) -> None:
    """Ingest source exports into the store; prints read = accepted + updated + duplicate + quarantined."""
    from zzanalytics.ingest import ingest_files

    report = ingest_files(files, mapping=mapping, store=store)
    typer.echo(report.render())


@app.command()
@_friendly
def quarantine(
    file: Annotated[
        str | None, typer.Option("--file", help="Only rows from this source file (name as ingested).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows to print (0: all).")] = 50,
    out: Annotated[Path | None, typer.Option("--out", help="Write every row to CSV or Parquet.")] = None,
    store: StoreOpt = None,
) -> None:
    """List quarantined rows: source file, row, reason, column, value (raw rows with --out)."""
    from zzanalytics.store import open_store

    with open_store(store) as st:
        frame = st.quarantine()
    if file:
        frame = frame[frame["source_file"] == file]
    if out is not None:
        _write_frame(frame, out)
        return
    summary = frame.groupby(["source_file", "reason"]).size()
    typer.echo(f"{len(frame):,} quarantined rows")
    for (src, reason), n in summary.items():
        typer.echo(f"  {n:>8,}  {src}: {reason}")
    shown = frame if limit <= 0 else frame.head(limit)
    if len(shown):
        typer.echo(shown[["source_file", "row", "reason", "column", "value"]].to_string(index=False))
    if len(shown) < len(frame):
        typer.echo(f"... {len(frame) - len(shown):,} more; use --limit 0 or --out FILE")


@app.command()
@_friendly
def counts(
    out: Annotated[Path, typer.Option("--out", help="Output CSV or Parquet.")],
    freq: Annotated[str, typer.Option("--freq", help="day | week | month")] = "month",
    by: Annotated[str | None, typer.Option("--by", help="Keys, e.g. category,area_code")] = None,
    level: Annotated[
        int | None, typer.Option("--level", help="Roll categories up to N dotted parts.")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Counts per period (first day) x keys, complete grid with zeros: KEYS..., period, count."""
    from zzanalytics.aggregate import counts as _counts
    from zzanalytics.store import open_store

    keys = _split(by)
    with open_store(store) as st:
        areas = st.areas() if "area_code" in keys else None
        frame = _counts(st.incidents(), freq=freq, by=keys, level=level, areas=areas)
    _write_frame(frame, out)


@app.command()
@_friendly
def forecast(
    out: Annotated[Path, typer.Option("--out", help="Output CSV or Parquet.")],
    horizon: Annotated[int, typer.Option("--horizon", help="Periods ahead.")],
    freq: Annotated[str, typer.Option("--freq", help="month | week")] = "month",
    by: Annotated[str | None, typer.Option("--by", help="Keys, e.g. category,area_code")] = None,
    level: Annotated[
        int | None, typer.Option("--level", help="Roll categories up to N dotted parts.")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last date of the training data.")] = None,
    counts_file: Annotated[
        Path | None,
        typer.Option(
            "--counts", help="Forecast a counts file (KEYS..., period, count) instead of the store."
        ),
    ] = None,
    store: StoreOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Forecast every series: KEYS..., period, mean, lo80, hi80, lo95, hi95, model."""
    from zzanalytics.models.forecast import forecast_command

    frame = forecast_command(
        store=store,
        counts_file=counts_file,
        freq=freq,
        by=_split(by),
        level=level,
        horizon=horizon,
        until=until,
        workers=workers,
        scheduler=scheduler,
    )
    _write_frame(frame, out)


@app.command()
@_friendly
def backtest(
    out: Annotated[Path, typer.Option("--out", help="Output CSV.")],
    freq: Annotated[str, typer.Option("--freq", help="month | week")] = "month",
    by: Annotated[str | None, typer.Option("--by", help="Keys, e.g. category,area_code")] = None,
    level: Annotated[
        int | None, typer.Option("--level", help="Roll categories up to N dotted parts.")
    ] = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Periods ahead per origin.")] = 6,
    origins: Annotated[int, typer.Option("--origins", help="Rolling origins.")] = 6,
    counts_file: Annotated[
        Path | None, typer.Option("--counts", help="Counts file instead of the store.")
    ] = None,
    store: StoreOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Rolling-origin backtest: MASE per model and series vs seasonal naive, interval coverage."""
    from zzanalytics.models.backtest import backtest_command

    frame, table = backtest_command(
        store=store,
        counts_file=counts_file,
        freq=freq,
        by=_split(by),
        level=level,
        horizon=horizon,
        origins=origins,
        workers=workers,
        scheduler=scheduler,
    )
    typer.echo(table)
    _write_frame(frame, out)


@app.command()
@_friendly
def hotspots(
    category: Annotated[str, typer.Option("--category", help="Category code or prefix, e.g. theft.burglary")],
    start: Annotated[str, typer.Option("--start", help="First date, inclusive.")],
    end: Annotated[str, typer.Option("--end", help="Last date, inclusive.")],
    out: Annotated[Path, typer.Option("--out", help="Output GeoJSON (EPSG:4326).")],
    cell: Annotated[float, typer.Option("--cell", help="Cell size in metres.")] = 250.0,
    store: StoreOpt = None,
) -> None:
    """Grid hotspots: cell_id, count, risk, gi_z, gi_p, hotspot for every cell of the grid."""
    from zzanalytics.spatial.hotspots import hotspots_command

    frame = hotspots_command(store=store, category=category, start=start, end=end, cell=cell)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_file(out, driver="GeoJSON")
    typer.echo(f"wrote {len(frame):,} cells to {out}")


@app.command()
@_friendly
def briefing(
    store: StoreOpt = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="START:END dates; default 1 January to the last complete month."),
    ] = None,
    area: Annotated[
        str | None, typer.Option("--area", help="Township code, or 'all' for every township.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh | en")] = "zh",
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print an A4 PDF through headless Chromium.")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder; default reports/.")] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Render the plenary-meeting briefing (HTML, optionally PDF) for the district or townships."""
    from zzanalytics.report.batch import BatchError, briefing_command

    try:
        paths = briefing_command(
            store=store,
            period=period,
            area=area,
            lang=lang,
            pdf=pdf,
            out=out,
            workers=workers,
            scheduler=scheduler,
        )
    except BatchError as exc:  # some areas failed: list what was written, then the failures
        for p in exc.paths:
            typer.echo(str(p))
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for p in paths:
        typer.echo(str(p))


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
