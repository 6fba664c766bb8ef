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


# -- validation, done before any work starts ------------------------------------------------------
STORE_KEYS = ("category", "area_code", "premises", "cause")
"""Incident columns ``--by`` may name when counting from a store."""


def check_by(by: list[str], allowed: list[str] | tuple[str, ...], where: str) -> list[str]:
    """Raise a :class:`ZZError` naming every ``--by`` key that ``where`` does not have."""
    bad = [b for b in by if b not in allowed]
    if bad:
        raise ZZError(f"--by {','.join(bad)}: not a key of {where}; its keys are {', '.join(allowed)}")
    if len(set(by)) < len(by):
        raise ZZError(f"--by {','.join(by)}: a key is repeated; name each once")
    return by


def check_date(value: str | None, option: str) -> str | None:
    """A date option (``--until``, ``--start``) as ISO text, or a :class:`ZZError` with the fix."""
    if value is None:
        return None
    import pandas as pd

    try:
        ts = pd.Timestamp(str(value).strip())
    except (ValueError, TypeError, OverflowError):
        ts = pd.NaT
    if pd.isna(ts):
        raise ZZError(f"{option} {value!r}: not a date; write it like 2026-06-30")
    return ts.date().isoformat()


def check_out_file(out: Path, suffixes: tuple[str, ...]) -> Path:
    """``--out FILE``: a known suffix, not a folder, in a folder that exists or can be made."""
    if out.is_dir():
        raise ZZError(f"--out {out}: is a folder; give a file name such as {out / ('result' + suffixes[0])}")
    suffix = out.suffix.lower()
    if suffix not in suffixes:
        raise ZZError(f"--out {out}: unknown file type {suffix or '(none)'!r}; use {' or '.join(suffixes)}")
    _writable_folder(out.parent, f"--out {out}")
    return out


def check_out_dir(out: Path) -> Path:
    """``--out DIR``: a folder that exists or can be made, and that we may write in."""
    if out.exists() and not out.is_dir():
        raise ZZError(f"--out {out}: is a file, not a folder; give a folder (it is created if missing)")
    _writable_folder(out, f"--out {out}")
    return out


def _writable_folder(folder: Path, what: str) -> None:
    import os

    probe = folder if str(folder) else Path(".")
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise ZZError(
            f"{what}: {probe} is a file, so the folder {folder} cannot be made; choose another place"
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ZZError(
            f"{what}: cannot write in {probe} (permission denied); choose a folder you can write to"
        )


def _write_frame(frame: Any, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        frame.to_parquet(out, index=False)
    else:
        frame.to_csv(out, index=False, encoding="utf-8")
    typer.echo(f"wrote {len(frame):,} rows to {out}")


# -- glue between the store and the models ---------------------------------------------------------
def load_counts(
    store: Any, counts_file: Path | None, freq: str, by: list[str], level: int | None
) -> tuple[Any, list[str], str]:
    """Counts to model, from a published counts file or from the store: (frame, keys, value column).

    ``by`` is checked against what the source has; a counts file's own key columns are used
    when ``by`` is empty. Counts from the store carry ``attrs["last_day"]`` (the last day with
    records) so that an incomplete last period is left out of training.
    """
    if counts_file is not None:
        from zzanalytics.models.panel import read_counts_file

        frame, keys, value = read_counts_file(counts_file)
        if by:
            check_by(by, keys, str(counts_file))
            frame = frame.groupby([*by, "period"], as_index=False)[value].sum()
            keys = list(by)
        return frame, keys, value
    from zzanalytics.aggregate import counts
    from zzanalytics.clock import wall_day
    from zzanalytics.workspace import open_store

    keys = check_by(by, STORE_KEYS, "the store's incidents") if by else ["category"]
    with open_store(store) as st:
        inc = st.incidents()
    frame = counts(inc, freq=freq, by=keys, level=level)
    if len(inc):
        frame.attrs["last_day"] = wall_day(inc["occurred_at"].max())
    return frame, keys, "count"


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
    city: Annotated[
        bool,
        typer.Option(
            "--city",
            help="The foreign sample city instead (Lakeport: English headers, America/Toronto, "
            "compressed exports), written to data/city unless --out is given.",
        ),
    ] = False,
) -> None:
    """Generate the sample district's exports, mappings and truth manifest (or, with --province,
    a province of counties for scale tests, written to data/province unless --out is given;
    with --city, the foreign sample city)."""
    if city:
        from zzanalytics.sample.city import generate_city

        target = Path("data/city") if out == Path("data/sample") else out
        typer.echo(str(generate_city(target, seed=seed)))
        return
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
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="FILES are a full re-export of the mapping's source: its records missing from them "
            "are retired (reported and counted). Without it, a record deleted from a re-export stays.",
        ),
    ] = False,
) -> None:
    """Ingest source exports into the store; prints read = accepted + updated + duplicate + quarantined."""
    from zzanalytics.ingest import ingest_files

    report = ingest_files(files, mapping=mapping, store=store, replace=replace)
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
    from zzanalytics.workspace import open_store

    if out is not None:
        check_out_file(out, (".csv", ".parquet"))
    with open_store(store) as st:
        frame = st.quarantine()
    if file:
        frame = frame[frame["source_file"] == file]
    if out is not None:
        _write_frame(frame, out)
        return
    from zzanalytics.ingest.reasons import reason_text

    frame = frame.assign(
        reason=[reason_text(r, column=c) for r, c in zip(frame["reason"], frame["column"], strict=True)]
    )
    summary = frame.groupby(["source_file", "reason"]).size()
    typer.echo(f"{len(frame):,} quarantined rows")
    for (src, reason), n in summary.items():
        typer.echo(f"  {n:>8,}  {src}: {reason}")
    shown = frame if limit <= 0 else frame.head(limit)
    if len(shown):
        typer.echo(shown[["source_file", "row", "reason", "value"]].to_string(index=False))
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
    from zzanalytics.workspace import open_store

    keys = check_by(_split(by), STORE_KEYS, "the store's incidents")
    check_out_file(out, (".csv", ".parquet"))
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
    """Forecast every series: KEYS..., period, mean, lo80, hi80, lo95, hi95, model.

    The rows are the series of the keys (no district rows are added; ``forecast()`` with its
    default ``reconcile="bottom_up"`` gives townships that add up to their district).
    """
    from zzanalytics.models.forecast import forecast as _forecast

    check_out_file(out, (".csv", ".parquet"))
    until = check_date(until, "--until")
    frame, keys, value = load_counts(store, counts_file, freq, _split(by), level)
    if until is None and "last_day" in frame.attrs:
        until = frame.attrs["last_day"]
    frame = _forecast(
        frame,
        horizon=horizon,
        freq=freq,
        by=keys,
        until=until,
        value=value,
        reconcile=None,
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
    import pandas as pd

    from zzanalytics.models.backtest import backtest as _backtest
    from zzanalytics.models.features import period_range, period_start

    check_out_file(out, (".csv", ".parquet"))
    frame, keys, value = load_counts(store, counts_file, freq, _split(by), level)
    if "last_day" in frame.attrs:  # leave out a last period the records do not complete
        last = frame.attrs["last_day"]
        first = period_start(pd.DatetimeIndex([last]), freq)[0]
        if last < period_range(first, 2, freq)[1] - pd.Timedelta(days=1):
            frame = frame[pd.to_datetime(frame["period"]) < first]
    result = _backtest(
        frame,
        horizon=horizon,
        origins=origins,
        freq=freq,
        by=keys,
        value=value,
        workers=workers,
        scheduler=scheduler,
    )
    summary = result.attrs["summary"]
    table = (
        f"rolling-origin backtest: {origins} origins x {horizon} periods, "
        f"{result[keys].drop_duplicates().shape[0] if keys else 1} series; "
        "MASE scaled by the in-sample seasonal naive\n"
        + summary.to_string(index=False, float_format=lambda v: f"{v:.3f}")
    )
    frame = result
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
    """Grid hotspots: cell_id, count, risk, gi_z, gi_p, hotspot for every cell of the grid.

    The study area is the district's polygons, or the records' extent when there are none.
    """
    import pandas as pd

    from zzanalytics.errors import SpatialError
    from zzanalytics.spatial.grid import make_grid
    from zzanalytics.spatial.hotspots import hotspots as _hotspots
    from zzanalytics.workspace import open_store

    check_out_file(out, (".geojson", ".json"))
    start, end = check_date(start, "--start"), check_date(end, "--end")
    if pd.Timestamp(end) < pd.Timestamp(start):
        raise ZZError(f"--start {start} is after --end {end}; swap the two dates")
    if not cell > 0:
        raise ZZError(f"--cell {cell}: the cell size must be a positive number of metres, e.g. 250")
    with open_store(store) as st:
        areas = st.areas()
        inc = st.incidents(end=end, category=category)
    inc = inc[inc["lon"].notna() & inc["lat"].notna()] if len(inc) else inc
    if len(areas):
        grid = make_grid(areas, cell=cell)
    elif len(inc):
        grid = make_grid(inc, cell=cell)
    else:
        raise SpatialError(
            f"zz hotspots: the store has no areas and no located {category!r} incidents up to {end}; "
            "ingest areas.geojson or incidents with lon/lat"
        )
    frame = _hotspots(inc, grid, start, end)
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
    from zzanalytics.report.batch import batch_briefings
    from zzanalytics.report.briefing import parse_period
    from zzanalytics.report.render import render_briefing

    if lang not in ("zh", "en"):
        raise ZZError(f"--lang {lang!r}: use zh or en")
    if period is not None:
        parse_period(period)
    if out is not None:
        check_out_dir(out)
    if area == "all":
        res = batch_briefings(
            store,
            period=period,
            areas="all",
            lang=lang,
            pdf=pdf,
            out=out,
            workers=workers,
            scheduler=scheduler,
            progress=True,
        )
        for p in res.paths:
            typer.echo(str(p))
        if res.failed:
            lines = "; ".join(f"{r.area}: {r.error}" for r in res.failed)
            typer.echo(
                f"error: {len(res.failed)} of {len(res.results)} briefings failed ({lines}); "
                f"the others and {res.index} were written",
                err=True,
            )
            raise typer.Exit(2)
        return
    paths = render_briefing(store, period=period, area=area, lang=lang, pdf=pdf, out=out)
    for p in paths:
        typer.echo(str(p))


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
