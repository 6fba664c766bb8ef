"""How good a risk map is for patrols: PAI, PEI and PEI* at rolling origins, against counting.

:func:`evaluate_risk` replays the forecast as it would have been made: at each origin ``o`` a
model sees only the records before ``o`` and ranks the cells for the next ``h`` days
(``o <= t < o + h``); the cells ranked first, covering ``frac`` of the area, are compared with
where the held-out incidents fell. The origins step back from the end of the data every
``step`` days (the last target period ends on the last covered day), one set per horizon.

For one origin, with ``n`` the held-out incidents in the flagged cells (area ``a = frac · A``),
``N`` all held-out incidents and ``n*`` the most incidents that cells of the same area held
(the cells ranked by the held-out counts themselves):

* **PAI** ``= (n / N) / (a / A)`` (Chainey, Tompson & Uhlig 2008);
* **PEI** ``= n / n*`` (Hunt 2016; :func:`zzanalytics.spatial.risk.pei`);
* **PEI*** ``= PAI / PAI*`` with ``PAI* = (n* / N) / (a* / A)`` and ``a*`` the least area that
  holds ``n*`` (NIJ's Real-Time Crime Forecasting Challenge): ``PEI · a* / a``. It differs from
  PEI when fewer cells than ``a`` saw any incident (short horizons, sparse crimes): flagging more
  area than needed is then penalised.

Ties in the ranking (two cells with the same count) share the area in proportion, the
expectation under random tie-breaking, so a baseline gains nothing from arbitrary order.
**Pooled** over origins: ``PAI = (Σn / ΣN) / (a / A)``, ``PEI = Σn / Σn*``,
``PEI* = (Σn / Σn*) · (Σa* / Σa)`` — each incident counts once, so busy origins weigh
more. An origin without held-out incidents has no PAI ("no data"), and is left out of the pool.

Models: ``"zz"`` is :func:`zzanalytics.spatial.risk.risk_surface` (its default model: up to half a
year ahead the horizon-aware choice of :mod:`zzanalytics.spatial.risk_select`, which runs its own
backtest on the records before the origin) refitted at every origin on the records before it;
``"prev_year"`` and ``"prev_3_years"`` are the count baselines, each cell's count in the 365 or
1,095 days before the origin.

Examples
--------
>>> import numpy as np
>>> r = _metrics(np.array([3.0, 1, 0, 0]), np.array([2.0, 0, 1, 0]), np.ones(4), 0.5)
>>> [float(v) for v in r]  # n, N, n*, a*, a
[2.0, 3.0, 3.0, 2.0, 2.0]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zzanalytics.errors import ModelError, SchemaError
from zzanalytics.spatial.risk import _local_days, _take
from zzanalytics.store.coverage import Coverage, coverage_for

__all__ = ["evaluate_risk"]

_EPOCH = pd.Timestamp("1970-01-01")
BASELINES = {"prev_year": 365.0, "prev_3_years": 1095.0}
COLUMNS = [
    "category",
    "horizon",
    "horizon_days",
    "cell",
    "model",
    "frac",
    "scope",
    "origin",
    "origins",
    "hits",
    "incidents",
    "best_hits",
    "pai",
    "pei",
    "pei_star",
    "seconds",
    "chosen",
]


# --------------------------------------------------------------------------- metrics
def _metrics(pred: np.ndarray, y: np.ndarray, area: np.ndarray, frac: float) -> np.ndarray:
    """``n, N, n*, a*, a`` of one prediction at area share ``frac`` (see the module docstring)."""
    a = frac * area.sum()
    n = _take(pred / area, y, area, a)
    best = _take(y / area, y, area, a)
    a_star = min(a, float(area[y > 0].sum()))
    return np.array([n, float(y.sum()), best, a_star, a])


def _summary(m: np.ndarray, total_area: float) -> tuple[float, float, float]:
    """PAI, PEI, PEI* from (pooled) ``n, N, n*, a*, a``."""
    n, N, best, a_star, a = m
    if N <= 0 or best <= 0:
        return float("nan"), float("nan"), float("nan")
    pai = (n / N) / (a / total_area)
    return float(pai), float(n / best), float(n / best * a_star / a)


# --------------------------------------------------------------------------- models
def _window(days: float) -> Callable[..., np.ndarray]:
    def counts(cell: np.ndarray, age: np.ndarray, h: float, n: int, **_: Any) -> np.ndarray:
        return np.bincount(cell[age < days], minlength=n).astype(float)

    return counts


def _zz(
    cell: np.ndarray, age: np.ndarray, h: float, n: int, *, env: dict, origin: float, **_: Any
) -> np.ndarray:
    from zzanalytics.spatial.risk import risk_surface

    # the whole frame with ``end``: risk_surface leaves the later rows out itself, and its coverage
    # is not cut short where a sparse category happens to pause before the origin
    end = _EPOCH + pd.Timedelta(days=origin - 1)
    r = risk_surface(
        env["incidents"], env["grid"], end=end, horizon=h, coverage=env["coverage"], **env["options"]
    )
    env.setdefault("chosen", {})[(origin, h)] = str(r.attrs.get("model", ""))
    return r["risk"].to_numpy(float)


def _models(names: Sequence[str]) -> dict[str, Callable[..., np.ndarray]]:
    known: dict[str, Callable[..., np.ndarray]] = {"zz": _zz}
    known.update({k: _window(v) for k, v in BASELINES.items()})
    bad = [m for m in names if m not in known]
    if bad:
        raise ModelError(f"evaluate_risk: models {bad} unknown; use some of {list(known)}")
    return {m: known[m] for m in names}


# --------------------------------------------------------------------------- helpers
def _days(horizon: Any) -> tuple[str, float]:
    if isinstance(horizon, int | float | np.integer | np.floating):
        d = float(horizon)
        label = f"{d:g}D"
    else:
        label = str(horizon).strip()
        try:
            d = pd.Timedelta(label).total_seconds() / 86400.0
        except ValueError:
            raise ModelError(
                f"evaluate_risk: horizon {label!r} is not a duration; use days such as '7D', '31D', '92D'"
            ) from None
    if not np.isfinite(d) or d < 1:
        raise ModelError(f"evaluate_risk: horizon {label!r} must be at least one day, e.g. '7D'")
    return label, float(np.round(d))


def _stretch(cov: Coverage, category: str | None, days: np.ndarray, end: Any) -> tuple[float, float]:
    """First covered day and the day after the last (days since 1970) of the latest covered stretch."""
    if cov.basis == "complete":
        first, stop = float(np.floor(days.min())), float(np.floor(days.max()) + 1)
    else:
        spans = cov.span([category] if category is not None else None)
        if not spans:
            return np.nan, np.nan
        a, b = spans[-1]
        first = (pd.Timestamp(a) - _EPOCH).total_seconds() / 86400.0
        stop = (pd.Timestamp(b) - _EPOCH).total_seconds() / 86400.0 + 1
    if end is not None:
        stop = min(stop, (pd.Timestamp(end).normalize() - _EPOCH).total_seconds() / 86400.0 + 1)
    return first, stop


# --------------------------------------------------------------------------- public
def evaluate_risk(
    incidents: pd.DataFrame,
    grid: gpd.GeoDataFrame | None = None,
    *,
    horizons: Sequence[Any] = ("7D", "31D", "92D"),
    origins: int = 13,
    step: Any = "28D",
    cell: float = 250.0,
    fracs: Sequence[float] = (0.01, 0.05),
    categories: Sequence[str] | None = None,
    models: Sequence[str] = ("zz", "prev_year", "prev_3_years"),
    end: Any = None,
    min_history: Any = "365D",
    coverage: Any = None,
    **options: Any,
) -> pd.DataFrame:
    """PAI, PEI and PEI* of the risk surface and the count baselines at rolling origins.

    Parameters
    ----------
    incidents : DataFrame
        Canonical incidents with ``occurred_at``, ``lon``, ``lat`` and (optional) ``category``.
    grid : GeoDataFrame, optional
        Cells (:func:`~zzanalytics.spatial.grid.make_grid`); default square cells of ``cell``
        metres over the records.
    horizons : sequence of str or int
        Forecast periods, e.g. ``"7D"``, ``"31D"``, ``"92D"`` (ints are days).
    origins : int
        Rolling origins per horizon, ``step`` apart; the latest one's target period ends on the
        last covered day. Origins with less than ``min_history`` of covered history before them
        are skipped.
    step : str
        Spacing of the origins (default 28 days).
    cell : float
        Cell side in metres when ``grid`` is not given.
    fracs : sequence of float
        Shares of the area flagged (0.01 = 1%).
    categories : sequence of str, optional
        Category codes or prefixes, each evaluated on its own (default: every category of the
        records, or all records as one when there is no ``category`` column).
    models : sequence of str
        ``"zz"`` (:func:`~zzanalytics.spatial.risk.risk_surface`), ``"prev_year"``,
        ``"prev_3_years"`` (counts per cell in the 365 / 1,095 days before the origin).
    end : date-like, optional
        Last day the evaluation may use (default: the end of the coverage).
    min_history : str
        Least covered history before an origin.
    coverage : Coverage, Store or None
        What the sources cover (``st`` or ``st.coverage()``); the origins and the training
        records stay inside the latest covered stretch. ``None``: inferred from the records with a
        :class:`zzanalytics.CoverageWarning`.
    **options
        Passed to :func:`~zzanalytics.spatial.risk.risk_surface` for model ``"zz"``.

    Returns
    -------
    DataFrame
        One row per category, horizon, model, area share and origin (``scope="origin"``) and one
        pooled over the origins (``scope="pooled"``, ``origin`` missing): ``hits`` (n),
        ``incidents`` (N), ``best_hits`` (n*), ``pai``, ``pei``, ``pei_star``, ``seconds`` (fitting
        time), ``chosen`` (the model ``risk_surface`` chose, for ``"zz"``). PAI is missing for an
        origin without held-out incidents.

    Examples
    --------
    >>> import zzanalytics as zz
    >>> from zzanalytics.spatial._simulate import simulate_incidents
    >>> inc, truth = simulate_incidents(years=2, seed=1, scale=0.2)
    >>> g = zz.make_grid(truth["bbox"], cell=500)
    >>> t = zz.evaluate_risk(inc, g, horizons=["31D"], origins=3, models=["prev_year", "prev_3_years"],
    ...                      coverage=zz.Coverage.complete())
    >>> p = t[(t.scope == "pooled") & (t.frac == 0.01)]
    >>> p[["horizon", "model", "origins"]].to_string(index=False)
    'horizon        model  origins\\n    31D    prev_year        3\\n    31D prev_3_years        3'
    """
    from zzanalytics.spatial.grid import assign_cells, make_grid, projected

    need = {"occurred_at"} - set(incidents.columns)
    if not ({"lon", "lat"} <= set(incidents.columns) or isinstance(incidents, gpd.GeoDataFrame)):
        need |= {"lon", "lat"}
    if need:
        raise SchemaError(
            f"evaluate_risk: incidents lack {sorted(need)}; columns are {list(incidents.columns)}"
        )
    if origins < 1:
        raise ModelError(f"evaluate_risk: origins must be at least 1, got {origins}")
    bad = [f for f in fracs if not 0 < f < 1]
    if bad:
        raise ModelError(f"evaluate_risk: area shares {bad} must lie between 0 and 1, e.g. 0.01")
    fns = _models(models)
    hs = [_days(h) for h in horizons]
    step_days = pd.Timedelta(step).total_seconds() / 86400.0
    min_hist = pd.Timedelta(min_history).total_seconds() / 86400.0
    if grid is None:
        grid = make_grid(incidents[["lon", "lat"]], cell=cell)
    cell_m = float(grid.attrs.get("cell") or np.sqrt(np.median(projected(grid).area)))
    cov = coverage_for(coverage, incidents, table="incidents", call="evaluate_risk()")
    area = projected(grid).area.to_numpy()
    ids = grid["cell_id"].to_numpy()
    n = len(ids)
    cells = assign_cells(incidents, grid)
    ok = cells.notna().to_numpy()
    inc = incidents[ok]
    cidx = pd.Series(np.arange(n), index=ids).reindex(cells[ok].to_numpy()).to_numpy().astype(int)
    day = _local_days(inc["occurred_at"]) if len(inc) else np.zeros(0)
    has_cat = "category" in inc.columns
    cat_col = inc["category"].astype(str) if has_cat else None
    if categories is None:
        cats: list[str | None] = sorted(cat_col.unique()) if has_cat else [None]
    else:
        cats = list(categories)
    rows: list[dict] = []
    for cat in cats:
        mine = np.ones(len(inc), dtype=bool)
        if cat is not None and cat_col is not None:
            mine = ((cat_col == cat) | cat_col.str.startswith(cat + ".")).to_numpy()
        if not mine.any():
            continue
        first, stop = _stretch(cov, cat, day[mine], end)
        if not np.isfinite(first):
            continue
        keep = mine & (day >= first) & (day < stop)
        c, d = cidx[keep], day[keep]
        env = {
            "incidents": inc[keep],
            "day": d,
            "grid": grid,
            "coverage": cov,
            "options": options,
            "area": area,
        }
        for label, h in hs:
            res: dict[tuple[str, float], list] = {}
            for k in range(origins):
                o = stop - h - k * step_days
                if o - first < min_hist:
                    break
                train = d < o
                y = np.bincount(c[(d >= o) & (d < o + h)], minlength=n).astype(float)
                for name, fn in fns.items():
                    t0 = time.perf_counter()
                    pred = fn(c[train], o - d[train], h, n, env=env, origin=o)
                    sec = time.perf_counter() - t0
                    chosen = env.get("chosen", {}).get((o, h), "") if name == "zz" else name
                    for f in fracs:
                        m = _metrics(pred, y, area, f)
                        res.setdefault((name, f), []).append((o, m, sec, chosen))
            for (name, f), items in res.items():
                base = {
                    "category": cat if cat is not None else "all",
                    "horizon": label,
                    "horizon_days": h,
                    "cell": cell_m,
                    "model": name,
                    "frac": f,
                }
                for o, m, sec, chosen in items:
                    pai, pei, pei_star = _summary(m, area.sum())
                    rows.append(
                        {
                            **base,
                            "scope": "origin",
                            "origin": _EPOCH + pd.Timedelta(days=o),
                            "origins": 1,
                            "hits": m[0],
                            "incidents": m[1],
                            "best_hits": m[2],
                            "pai": pai,
                            "pei": pei,
                            "pei_star": pei_star,
                            "seconds": sec,
                            "chosen": chosen,
                        }
                    )
                ms = np.array([m for _, m, _, _ in items])
                pooled = ms.sum(axis=0)
                pai, pei, pei_star = _summary(pooled, area.sum() * len(items))
                rows.append(
                    {
                        **base,
                        "scope": "pooled",
                        "origin": pd.NaT,
                        "origins": len(items),
                        "hits": pooled[0],
                        "incidents": pooled[1],
                        "best_hits": pooled[2],
                        "pai": pai,
                        "pei": pei,
                        "pei_star": pei_star,
                        "seconds": float(sum(s for _, _, s, _ in items)),
                        "chosen": _mode([ch for _, _, _, ch in items]),
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def _mode(values: list[str]) -> str:
    return pd.Series(values).mode().iloc[0] if values else ""
