"""The ``zz`` command line: a stable contract (see DESIGN.md).

Each command is a thin shell over the public API: it parses options, calls one
library function and prints or writes its tidy result. Errors derived from
:class:`~zzanalytics.errors.ZZError` are printed as one readable message with
exit code 2, never as a traceback.
"""

from __future__ import annotations

import os
import sys
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from zzanalytics.cli.checks import (
    FREQS,
    STORE_KEYS,
    check_by,
    check_category,
    check_choice,
    check_date,
    check_in_file,
    check_model_options,
    check_out_dir,
    check_out_file,
    check_range,
    check_store_to_read,
)
from zzanalytics.cli.glue import load_counts
from zzanalytics.cli.identity import CurrencyOpt, DistrictOpt, IdentitySetOpt, ingest_identity, set_command
from zzanalytics.cli.report import ParametersCommand, briefing_command, report_command
from zzanalytics.cli.risk import periods_ahead, risk_command
from zzanalytics.errors import ZZError


class ZZGroup(TyperGroup):
    """The ``zz`` group: every error ends as one line on stderr and a non-zero exit, never a traceback.

    Usage errors (a missing or malformed option) exit 2 with click's message on one line; a
    :class:`ZZError` exits 2 with its message; an operating-system error (permission denied,
    disk full) exits 2 naming the file; anything else is a bug: one line saying so and exit 1
    (``ZZ_DEBUG=1`` shows the traceback). Every message is masked (:mod:`zzanalytics.privacy`).
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        from typer.exceptions import TyperException

        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except TyperException as exc:  # typer's click: usage errors, bad or missing options
            if type(exc).__name__ == "NoArgsIsHelpError":
                typer.echo(exc.format_message())
                code = 0
            else:
                ctx = getattr(exc, "ctx", None)
                where = f"{ctx.command_path}: " if ctx is not None else ""
                hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
                _fail(f"{where}{exc.format_message()}{hint}")
                code = getattr(exc, "exit_code", 2)
        except typer.Abort:
            _fail("aborted")
            code = 1
        except ZZError as exc:
            _fail(str(exc))
            code = 2
        except OSError as exc:
            if os.environ.get("ZZ_DEBUG"):
                raise
            _fail(_os_message(exc))
            code = 2
        except Exception as exc:
            if os.environ.get("ZZ_DEBUG"):
                raise
            _fail(
                f"internal error ({type(exc).__name__}: {exc}); this is a bug in zzanalytics, not in "
                "your input: run again with ZZ_DEBUG=1 for the traceback and report it"
            )
            code = 1
        else:
            if not standalone_mode:
                return rv
            code = rv if isinstance(rv, int) else 0
        if not standalone_mode:
            return code
        sys.exit(code)


def _fail(message: str) -> None:
    """Print one masked line ``error: …`` on stderr."""
    from zzanalytics.outputs import printable

    typer.echo(f"error: {printable(message, one_line=True)}", err=True)


def _os_message(exc: OSError) -> str:
    what = exc.strerror or type(exc).__name__
    where = exc.filename if exc.filename is not None else ""
    return f"{where}: {what.lower()}; check the path and its permissions" if where else f"{what}"


app = typer.Typer(
    name="zz",
    help="zzanalytics: public-security statistics, forecasts, hotspots and briefings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=ZZGroup,
)
app.command("set")(set_command)

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
    """Turn a ZZError into a one-line (masked) message and exit code 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ZZError as exc:
            _fail(str(exc))
            raise typer.Exit(2) from None

    return wrapper


def _split(by: str | None) -> list[str]:
    return [b.strip() for b in by.split(",") if b.strip()] if by else []


def _write_frame(frame: Any, out: Path) -> None:
    from zzanalytics.outputs import write_table

    write_table(frame, out)
    typer.echo(f"wrote {len(frame):,} rows to {out}")


def _echo_path(path: Any) -> None:
    """Print a path we wrote (its name is built from safe parts): printable, not masked."""
    import re

    typer.echo(re.sub(r"[\x00-\x1f\x7f]", "?", str(path)))


def _echo(text: Any) -> None:
    """Print text that may carry data (labels, values, file names): masked and printable."""
    from zzanalytics.outputs import printable

    typer.echo(printable(text))


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
    check_range(scale, "--scale", lo=1e-4, hi=1e4, example=1.0)
    check_range(seed, "--seed", lo=0, hi=2**32 - 1, example=0)
    check_range(counties, "--counties", lo=1, hi=10_000, example=100)
    if province and city:
        raise ZZError("--province and --city: choose one of the two samples")
    default = Path("data/province") if province else Path("data/city") if city else out
    check_out_dir(default if out == Path("data/sample") else out)
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
    store: Annotated[
        Path | None,
        typer.Option("--store", help="Store to write (created if missing); default: ZZ_STORE, else refused."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="FILES are a full re-export of the mapping's source: its records missing from them "
            "are retired (reported and counted). Without it, a record deleted from a re-export stays.",
        ),
    ] = False,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="The store's time zone (IANA, e.g. America/Toronto), recorded when the store is new; "
            "default: the mapping's timezone, else Asia/Shanghai.",
        ),
    ] = None,
    district: DistrictOpt = None,
    currency: CurrencyOpt = None,
    sets: IdentitySetOpt = None,
) -> None:
    """Ingest source exports into the store; prints read = accepted + updated + duplicate + quarantined."""
    from zzanalytics.clock import check_tz
    from zzanalytics.ingest import ingest_files

    for f in files:
        check_in_file(f, "FILE")
    check_in_file(mapping, "--mapping")
    if timezone is not None:
        check_tz(timezone)
    report = ingest_files(files, mapping, store, replace, timezone, ingest_identity(district, currency, sets))
    _echo(report.render())


@app.command()
@_friendly
def info(
    store: StoreOpt = None,
    areas: Annotated[
        bool, typer.Option("--areas", help="List every township: code, name, English name, population.")
    ] = False,
) -> None:
    """The store at a glance: district name, time zone, currency, rows per table, what each
    table and category covers (outside it: no data, not zero), quarantine; --areas lists the
    townships (their codes and names are what --area accepts)."""
    from zzanalytics.workspace import open_store

    with open_store(check_store_to_read(store)) as st:
        if not areas:
            _echo(st.summary())
            return
        frame = st.areas()
    if len(frame) == 0:
        typer.echo("the store has no townships (areas)")
        return
    from zzanalytics.schema import natural_key

    frame = frame.drop(columns="geometry").sort_values("area_code", key=lambda s: s.map(natural_key))
    _echo(f"{len(frame):,} townships")
    _echo(frame.to_string(index=False))


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
    """List quarantined rows: source file, row, reason, column, value (raw rows with --out).

    Values and raw rows are shown masked (ID card and phone numbers, names, ...), and CSV cells
    that a spreadsheet would run as formulas are neutralised.
    """
    from zzanalytics.privacy import mask_json, mask_text
    from zzanalytics.workspace import open_store

    check_range(limit, "--limit", lo=0, example=50)
    if out is not None:
        check_out_file(out, (".csv", ".parquet"))
    with open_store(check_store_to_read(store)) as st:
        frame = st.quarantine()
    if file:
        frame = frame[frame["source_file"] == file]
    if "raw" in frame.columns:
        frame = frame.assign(raw=frame["raw"].map(mask_json, na_action="ignore"))
    if out is not None:
        _write_frame(frame, out)
        return
    from zzanalytics.ingest.reasons import reason_text

    frame = frame.assign(
        reason=[reason_text(r, column=c) for r, c in zip(frame["reason"], frame["column"], strict=True)],
        value=frame["value"].map(lambda v: _one_line(mask_text(v)), na_action="ignore"),
        source_file=frame["source_file"].map(lambda v: _one_line(mask_text(v)), na_action="ignore"),
    )
    summary = frame.groupby(["source_file", "reason"]).size()
    _echo(f"{len(frame):,} quarantined rows")
    for (src, reason), n in summary.items():
        _echo(f"  {n:>8,}  {src}: {reason}")
    shown = frame if limit <= 0 else frame.head(limit)
    if len(shown):
        _echo(shown[["source_file", "row", "reason", "value"]].to_string(index=False))
    if len(shown) < len(frame):
        _echo(f"... {len(frame) - len(shown):,} more; use --limit 0 or --out FILE")


def _one_line(text: str) -> str:
    from zzanalytics.outputs import printable

    return printable(text, one_line=True)


@app.command()
@_friendly
def counts(
    out: Annotated[Path, typer.Option("--out", help="Output CSV or Parquet.")],
    freq: Annotated[str, typer.Option("--freq", help="day | week | month | quarter | year")] = "month",
    by: Annotated[str | None, typer.Option("--by", help="Keys, e.g. category,area_code")] = None,
    level: Annotated[
        int | None, typer.Option("--level", help="Roll categories up to N dotted parts.")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Counts per period (first day) x keys: KEYS..., period, count. Inside a category's coverage
    a period without records is 0; outside it the period is absent (no data, not zero)."""
    from zzanalytics.aggregate import counts as _counts
    from zzanalytics.aggregate import partial_periods
    from zzanalytics.workspace import open_store

    keys = check_by(_split(by), STORE_KEYS, "the store's incidents")
    check_choice(freq, FREQS, "--freq")
    check_range(level, "--level", lo=1, hi=3, example=1)
    check_out_file(out, (".csv", ".parquet"))
    with open_store(check_store_to_read(store)) as st:
        areas = st.areas() if "area_code" in keys else None
        inc, cov = st.incidents(), st.coverage()
    spans = cov.table("incidents").spans
    span = (spans["start"].min(), spans["end"].max()) if len(spans) else (None, None)
    frame = _counts(
        inc, freq=freq, by=keys, level=level, areas=areas, start=span[0], end=span[1], coverage=cov
    )
    _write_frame(frame, out)
    typer.echo("".join(f"{note}\n" for note in partial_periods(*span, freq)), nl=False)


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
    """Forecast every series: KEYS..., period, mean, median, point, lo80, hi80, lo95, hi95, model.

    The rows are the series of the keys (no district rows are added; ``forecast()`` with its
    default ``reconcile="bottom_up"`` gives townships that add up to their district).
    """
    from zzanalytics.models.forecast import forecast as _forecast

    check_model_options(freq, level, horizon, workers, counts_file, store)
    check_out_file(out, (".csv", ".parquet"))
    until = check_date(until, "--until")
    frame, keys, value = load_counts(store, counts_file, freq, _split(by), level)
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
    horizon: Annotated[str, typer.Option("--horizon", help="Periods ahead; --risk: days, 7D,31D,92D.")] = "6",
    origins: Annotated[int | None, typer.Option("--origins", help="Rolling origins (6; --risk: 13).")] = None,
    counts_file: Annotated[
        Path | None, typer.Option("--counts", help="Counts file instead of the store.")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help="Last date of the data the backtest may use (default: each series' end)."
        ),
    ] = None,
    risk: Annotated[
        bool, typer.Option("--risk", help="Score the risk map (PAI, PEI, PEI*) against counts per cell.")
    ] = False,
    cell: Annotated[float | None, typer.Option("--cell", help="With --risk: cell metres (250).")] = None,
    category: Annotated[str | None, typer.Option("--category", help="--risk: one category (all).")] = None,
    store: StoreOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Rolling-origin backtest: MASE per model and series vs seasonal naive, interval coverage.

    Each series is scored on its own span (from the store: the periods its sources cover);
    --until ends the data earlier. With --risk: the risk map's PAI, PEI and PEI* per category,
    horizon and area share (1%, 5%), per origin and pooled, against last year's and the last
    three years' counts per cell."""
    from zzanalytics.aggregate import complete_until
    from zzanalytics.models.backtest import backtest as _backtest

    if risk:
        return risk_command(store, horizon, origins, cell, category, until, out)
    horizon_n, origins = periods_ahead(horizon), 6 if origins is None else origins
    check_model_options(freq, level, horizon_n, workers, counts_file, store)
    check_range(origins, "--origins", lo=1, hi=120, example=6)
    check_out_file(out, (".csv", ".parquet"))
    until = check_date(until, "--until")
    frame, keys, value = load_counts(store, counts_file, freq, _split(by), level)
    if until is not None:
        frame = complete_until(frame, until, freq)
    result = _backtest(
        frame,
        horizon=horizon_n,
        origins=origins,
        freq=freq,
        by=keys,
        value=value,
        workers=workers,
        scheduler=scheduler,
    )
    summary = result.attrs["summary"]
    table = (
        f"rolling-origin backtest: {origins} origins x {horizon_n} periods, "
        f"{result[keys].drop_duplicates().shape[0] if keys else 1} series; "
        "MASE scaled by the in-sample seasonal naive\n"
        + summary.to_string(index=False, float_format=lambda v: f"{v:.3f}")
    )
    frame = result
    _echo(table)
    _write_frame(frame, out)


@app.command()
@_friendly
def hotspots(
    category: Annotated[str, typer.Option("--category", help="Category code or prefix, e.g. theft.burglary")],
    start: Annotated[str, typer.Option("--start", help="First date, inclusive.")],
    end: Annotated[str, typer.Option("--end", help="Last date, inclusive.")],
    out: Annotated[Path, typer.Option("--out", help="Output GeoJSON (EPSG:4326).")],
    cell: Annotated[
        float | None,
        typer.Option("--cell", help="Cell size in metres; default: chosen from the district's size."),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Grid hotspots: cell_id, count, risk, gi_z, gi_p, hotspot for every cell of the grid.

    The study area is the district's polygons, or the records' convex hull when there are none.
    """
    import pandas as pd

    from zzanalytics.errors import SpatialError
    from zzanalytics.spatial.grid import cell_for, make_grid
    from zzanalytics.spatial.hotspot_frame import hotspots as _hotspots
    from zzanalytics.workspace import open_store

    check_out_file(out, (".geojson", ".json"))
    start, end = check_date(start, "--start"), check_date(end, "--end")
    if pd.Timestamp(end) < pd.Timestamp(start):
        raise ZZError(f"--start {start} is after --end {end}; swap the two dates")
    check_range(cell, "--cell", lo=10, hi=100_000, example=250)
    category = check_category(category)
    with open_store(check_store_to_read(store)) as st:
        areas, inc, context = st.areas(), st.incidents(end=end, category=category), st.incidents(end=end)
        layers = {"zones": st.zones(), "streets": st.streets(), "cameras": st.table("cameras")}
        cov = st.coverage()
    inc = inc[inc["lon"].notna() & inc["lat"].notna()] if len(inc) else inc
    if len(areas) or len(inc):  # the district's polygons, else the records' extent
        study = areas if len(areas) else inc
        grid = make_grid(study, cell=cell or cell_for(study))
    else:
        raise SpatialError(
            f"zz hotspots: the store has no areas and no located {category!r} incidents up to {end}; "
            "ingest areas.geojson or incidents with lon/lat"
        )
    frame = _hotspots(inc, grid, start, end, context=context, layers=layers, coverage=cov)
    from zzanalytics.outputs import atomic_path

    with atomic_path(out) as tmp:
        frame.to_file(tmp, driver="GeoJSON")
    typer.echo(f"wrote {len(frame):,} cells to {out}")


app.command("report", cls=ParametersCommand)(report_command)
app.command("briefing")(briefing_command)


@app.command()
@_friendly
def notebooks(
    out: Annotated[Path, typer.Option("--out", help="Folder to copy the notebooks into.")] = Path(
        "notebooks"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite notebooks that exist.")] = False,
) -> None:
    """Copy the analyst notebooks (ingest and quality, trends and forecasts, hotspots) and the report
    notebooks (the briefing, the holiday-period report; run them with zz report) into a folder."""
    from zzanalytics.report.pipeline import report_notebooks
    from zzanalytics.workspace import analyst_notebooks

    check_out_dir(out)
    sources = analyst_notebooks() + report_notebooks()
    clash = [p.name for p in sources if (out / p.name).exists()]
    if clash and not force:
        raise ZZError(
            f"--out {out}: {', '.join(clash)} already there; use --force to overwrite or another --out"
        )
    out.mkdir(parents=True, exist_ok=True)
    for p in sources:
        (out / p.name).write_bytes(p.read_bytes())
        typer.echo(str(out / p.name))


from zzanalytics.cli.map import map_files  # noqa: E402 - a verb of its own module

app.command("map")(map_files)


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
