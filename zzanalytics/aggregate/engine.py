"""The counting engine of :mod:`zzanalytics.aggregate`: a complete grid over keys x periods, filled
with ``numpy.bincount`` over a flat index (factorised keys, integer period codes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.aggregate.periods import _DAY, _as_day, _check_freq, _code_start, _period_code
from zzanalytics.schema import check_columns, natural_key

__all__ = ["area_codes"]


def _key_codes(
    values: pd.Series, grid_values: Sequence[Any] | None, restrict: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Factorise ``values`` onto sorted levels; rows outside ``grid_values`` get -1 when ``restrict``."""
    codes, uniques = pd.factorize(values, sort=False)
    observed = [u for u in uniques if not (isinstance(u, float) and np.isnan(u))]
    if grid_values is None:
        levels = sorted(observed, key=natural_key)
    elif restrict:
        levels = list(dict.fromkeys(grid_values))
    else:
        levels = sorted(set(grid_values) | set(observed), key=natural_key)
    pos = {v: i for i, v in enumerate(levels)}
    lut = np.array([pos.get(u, -1) for u in uniques] + [-1], dtype=np.int64)
    return lut[codes], np.array(levels, dtype=object)  # code -1 (missing) maps to lut[-1] == -1


def _aggregate(
    keys: dict[str, pd.Series],
    times: np.ndarray,
    values: dict[str, np.ndarray | None],
    freq: str,
    start: Any,
    end: Any,
    grids: dict[str, tuple[Sequence[Any] | None, bool]],
) -> pd.DataFrame:
    """Shared engine: complete grid over keys × periods, sums of ``values`` (None = row count)."""
    _check_freq(freq)
    lo, hi = _as_day(start, "start"), _as_day(end, "end")
    mask = ~np.isnat(times)
    if lo is not None:
        mask &= times >= lo
    if hi is not None:
        mask &= times < hi + _DAY
    key_codes, key_levels = [], []
    for name, series in keys.items():
        grid_values, restrict = grids.get(name, (None, False))
        c, lev = _key_codes(series, grid_values, restrict)
        mask &= c >= 0
        key_codes.append(c)
        key_levels.append(lev)
    t = times[mask]
    codes = _period_code(t, freq)
    first = _period_code(np.array([lo]), freq)[0] if lo is not None else (codes.min() if t.size else None)
    last = _period_code(np.array([hi]), freq)[0] if hi is not None else (codes.max() if t.size else None)
    if first is None or last is None or first > last:
        periods = np.array([], dtype="datetime64[ns]")
    else:
        periods = _code_start(np.arange(first, last + 1), freq)
    n_p = periods.size
    sizes = [lev.size for lev in key_levels] + [n_p]
    total = int(np.prod(sizes)) if sizes else 0
    flat = np.zeros(t.size, dtype=np.int64)
    for c, size in zip(key_codes, sizes[:-1], strict=True):
        flat = flat * size + c[mask]
    if n_p:
        flat = flat * n_p + (codes - first)
    out: dict[str, Any] = {}
    if total:
        index = pd.MultiIndex.from_product([*key_levels, periods], names=[*keys, "period"])
        out = {name: index.get_level_values(i).to_numpy() for i, name in enumerate([*keys, "period"])}
    else:
        out = {name: np.array([], dtype=object) for name in keys}
        out["period"] = np.array([], dtype="datetime64[ns]")
    for name, v in values.items():
        if v is None:
            out[name] = np.bincount(flat, minlength=total).astype(np.int64)
        else:
            w = np.asarray(v, dtype=float)[mask]
            w = np.where(np.isnan(w), 0.0, w)
            summed = np.bincount(flat, weights=w, minlength=total) if total else np.zeros(0)
            out[name] = summed
    frame = pd.DataFrame(out)
    frame["period"] = frame["period"].astype("datetime64[ns]")
    return frame


def area_codes(areas: Any) -> list[str] | None:
    """Township codes of ``areas`` (a frame with ``area_code``, one code or an iterable), or None.

    Examples
    --------
    >>> area_codes(["620102001", 620102002])
    ['620102001', '620102002']
    """
    if areas is None:
        return None
    if isinstance(areas, pd.DataFrame):
        check_columns(areas.columns, ["area_code"], "areas")
        return [str(a) for a in areas["area_code"].dropna()]
    if isinstance(areas, str):
        return [areas]
    return [str(a) for a in areas]
