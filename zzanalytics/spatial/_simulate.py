"""Simulated incident points with known structure, for tests and benchmarks.

A square district of ``size_km`` around ``centre`` receives, per year:
uniform background noise, a smooth inhomogeneous background, stable hotspots
(Gaussian, 80–300 m), point-like micro-spots (30 m: shops, stations), drifting
hotspots (centre moving ~400 m a year), emerging hotspots (rate ramping up from
year 2) and fading ones. Everything is drawn from ``numpy.random.default_rng(seed)``.

Examples
--------
>>> inc, truth = simulate_incidents(years=2, seed=0, scale=0.2)
>>> sorted(inc.columns)
['category', 'incident_id', 'lat', 'lon', 'occurred_at']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

__all__ = ["simulate_etas", "simulate_incidents"]


def simulate_incidents(
    years: int = 4,
    seed: int = 0,
    scale: float = 1.0,
    size_km: float = 8.0,
    centre: tuple[float, float] = (103.83, 36.06),
    start: str = "2022-01-01",
    drift: float = 1.0,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Draw ``years`` of incidents; returns ``(incidents, truth)``.

    ``truth`` holds the projected CRS, the bbox (lon/lat) and the hotspot centres.
    ``scale`` multiplies every rate; ``drift`` multiplies the dynamic components.
    """
    rng = np.random.default_rng(seed)
    half = size_km * 500.0
    zone = int((centre[0] + 180) // 6) + 1
    crs = f"EPSG:{32600 + zone}"
    fwd = Transformer.from_crs(4326, crs, always_xy=True)
    inv = Transformer.from_crs(crs, 4326, always_xy=True)
    cx, cy = fwd.transform(*centre)

    def uni(k: int) -> np.ndarray:
        return rng.uniform(-half * 0.9, half * 0.9, size=(k, 2))

    stable = uni(12)
    stable_sd = rng.uniform(80, 300, 12)
    stable_rate = rng.uniform(20, 120, 12)
    micro = uni(40)
    micro_rate = rng.uniform(4, 15, 40)
    broad = uni(4)
    drift_c = uni(3)
    drift_v = rng.normal(0, 1, (3, 2))
    drift_v = drift_v / np.linalg.norm(drift_v, axis=1, keepdims=True) * 400.0
    emerg = uni(2)
    fade = uni(2)
    xs, ts = [], []
    t0 = pd.Timestamp(start)
    for yr in range(years):
        parts = []

        def blob(c: np.ndarray, sd: float, rate: float, parts: list = parts) -> None:
            k = rng.poisson(rate * scale)
            parts.append(c + rng.normal(0, sd, (k, 2)))

        parts.append(uni(rng.poisson(600 * scale)))
        for c in broad:
            blob(c, 1500.0, 300.0)
        for c, sd, r in zip(stable, stable_sd, stable_rate, strict=True):
            blob(c, sd, r)
        for c, r in zip(micro, micro_rate, strict=True):
            blob(c, 30.0, r)
        for c, v in zip(drift_c, drift_v, strict=True):
            blob(c + v * yr * drift, 150.0, 60.0 * drift)
        for c in emerg:
            blob(c, 120.0, drift * 50.0 * max(0, yr - 1) ** 1.5)
        for c in fade:
            blob(c, 150.0, drift * 80.0 * max(0.0, 1 - yr / 3))
        pts = np.concatenate(parts)
        pts = pts[(np.abs(pts) < half).all(axis=1)]
        xs.append(pts)
        start_y = t0 + pd.DateOffset(years=yr)
        end_y = t0 + pd.DateOffset(years=yr + 1)
        secs = rng.uniform(0, (end_y - start_y).total_seconds(), len(pts))
        ts.append(start_y + pd.to_timedelta(secs, unit="s"))
    xy = np.concatenate(xs)
    lon, lat = inv.transform(xy[:, 0] + cx, xy[:, 1] + cy)
    when = pd.DatetimeIndex(np.concatenate([t.to_numpy() for t in ts])).tz_localize("Asia/Shanghai")
    inc = pd.DataFrame(
        {
            "incident_id": [f"S{i:07d}" for i in range(len(lon))],
            "occurred_at": when,
            "category": "theft.other",
            "lon": lon,
            "lat": lat,
        }
    )
    lo0, la0 = inv.transform(cx - half, cy - half)
    lo1, la1 = inv.transform(cx + half, cy + half)

    def ll(p: np.ndarray) -> list[tuple[float, float]]:
        a, b = inv.transform(p[:, 0] + cx, p[:, 1] + cy)
        return list(zip(np.asarray(a).tolist(), np.asarray(b).tolist(), strict=True))

    truth = {
        "crs": crs,
        "bbox": (lo0, la0, lo1, la1),
        "stable": ll(stable),
        "emerging": ll(emerg),
        "years": years,
        "start": t0,
    }
    return inc, truth


def simulate_etas(
    mu: float,
    theta: float,
    omega: float,
    sigma: float,
    *,
    size: float,
    days: float,
    hotspots: list[tuple[float, float, float, float]] = (),
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An ETAS process on the square ``[0, size]²`` over ``[0, days]`` by its branching structure.

    Background: ``mu`` incidents per m² per day everywhere, plus ``hotspots`` given as
    ``(x0, y0, side, rate per day)``: uniform squares with their lower-left corner at ``(x0, y0)``.
    Every incident triggers Poisson(``theta``) children, each ``Exp(omega)`` days later and ``N(0, sigma²)``
    metres away in each coordinate (children outside the window are not observed, but
    still count in the branching).

    Returns ``(t, xy, parent)``, sorted by time; ``parent`` is the index of the
    triggering incident or -1 for a background one.
    """
    rng = np.random.default_rng(seed)
    k = rng.poisson(mu * size * size * days)
    bx = [rng.uniform(0, size, (k, 2))]
    for x, y, side, rate in hotspots:
        bx.append(np.array([x, y]) + rng.uniform(0, side, (rng.poisson(rate * days), 2)))
    xy = [np.concatenate(bx)]
    t = [rng.uniform(0, days, len(xy[0]))]
    par = [np.full(len(t[0]), -1)]
    first, gen_t, gen_xy = 0, t[0], xy[0]
    while len(gen_t):
        kids = rng.poisson(theta, len(gen_t))
        src = np.repeat(np.arange(len(gen_t)), kids)
        ct = gen_t[src] + rng.exponential(1.0 / omega, len(src))
        cxy = gen_xy[src] + rng.normal(0, sigma, (len(src), 2))
        keep = ct <= days
        t.append(ct[keep])
        xy.append(cxy[keep])
        par.append(first + src[keep])
        first += len(gen_t)
        gen_t, gen_xy = ct[keep], cxy[keep]
    t_all, xy_all, par_all = np.concatenate(t), np.concatenate(xy), np.concatenate(par)
    inside = ((xy_all >= 0) & (xy_all <= size)).all(axis=1)
    order = np.argsort(t_all, kind="stable")
    order = order[inside[order]]
    new = np.full(len(t_all), -1)
    new[order] = np.arange(len(order))
    parent = np.where(par_all[order] >= 0, new[np.maximum(par_all[order], 0)], -1)
    return t_all[order], xy_all[order], parent
