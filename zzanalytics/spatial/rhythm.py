"""When incidents happen: hour-of-day × day-of-week profiles with aoristic weighting, and peak windows.

A record's time is often a window (a burglary found on return: 离家 18:00, 回家 23:30).
*Aoristic* analysis (Ratcliffe 2002) spreads each record's unit weight over the
hours of the week its window covers, in proportion to the overlap, so the weights
of every record sum to one; a record with a point time (no window, or
``occurred_from == occurred_to``) puts its whole weight in one hour. Windows longer
than a week spread whole weeks evenly and the remainder by overlap. Times are read
on the data's wall clock (:func:`zzanalytics.clock.wall_time`); hours are those of
the wall clock, weekday 0 is Monday.

The **peak window** of a profile is the block of consecutive weekdays × consecutive
hours (up to 12 hours and a quarter of the week's hours, possibly running past midnight:
"Friday to Sunday, 20:00 to 02:00 the next day") with the largest Kulldorff
likelihood ratio against an even spread over the week's 168 hours,
``LLR = N [s ln(s / e) + (1 − s) ln((1 − s) / (1 − e))]`` for a window holding the share
``s`` of the ``N`` records and ``e`` of the week's hours (the scan statistic of
Kulldorff 1997, here on the weekly clock). Its ``p`` is Monte Carlo: the largest
LLR of ``permutations`` maps of ``N`` records spread evenly over the week
(so a window is reported only when the rhythm is more than chance).

Examples
--------
>>> import pandas as pd
>>> inc = pd.DataFrame({"occurred_at": pd.to_datetime(["2026-03-06 21:00", "2026-03-07 22:30"]),
...     "occurred_from": pd.to_datetime(["2026-03-06 20:00", None]),
...     "occurred_to": pd.to_datetime(["2026-03-06 22:00", None])})
>>> w = aoristic_weights(inc)
>>> w.groupby("row").weight.sum().tolist()
[1.0, 1.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zzanalytics.clock import wall_time
from zzanalytics.errors import SchemaError, SpatialError

__all__ = ["RhythmResult", "aoristic_weights", "peak_window", "rhythm"]

WEEK = 168
_MONDAY = pd.Timestamp("1970-01-05")  # a Monday, 00:00


def _hours(ts: Any) -> np.ndarray:
    t = wall_time(ts) if len(ts) else pd.Series([], dtype="datetime64[ns]")
    return ((t - _MONDAY).dt.total_seconds() / 3600.0).to_numpy(dtype=float)


def aoristic_weights(incidents: pd.DataFrame) -> pd.DataFrame:
    """Each record's unit weight spread over the hours of the week its time window covers.

    Parameters
    ----------
    incidents : DataFrame
        ``occurred_at``; optional ``occurred_from``/``occurred_to`` (a window is used
        when both are given and ``occurred_to >= occurred_from``). A date without its time of day
        carries the window of its whole day, recorded at ingest in the source's zone; a point time
        (even exactly midnight) is a point.

    Returns
    -------
    DataFrame
        ``row`` (position in ``incidents``), ``weekday`` (0 = Monday), ``hour``, ``weight``;
        the weights of each row sum to 1. Rows without any time are left out.

    Examples
    --------
    A window from 23:30 to 01:30 puts a quarter in 23:00, half in 00:00, a quarter in 01:00:

    >>> inc = pd.DataFrame({"occurred_at": pd.to_datetime(["2026-03-02 23:30"]),
    ...     "occurred_from": pd.to_datetime(["2026-03-02 23:30"]),
    ...     "occurred_to": pd.to_datetime(["2026-03-03 01:30"])})
    >>> w = aoristic_weights(inc)
    >>> w.weekday.tolist(), w.hour.tolist(), w.weight.tolist()
    ([0, 1, 1], [23, 0, 1], [0.25, 0.5, 0.25])
    """
    if "occurred_at" not in incidents.columns:
        raise SchemaError(
            f"aoristic_weights: incidents lack occurred_at; columns are {list(incidents.columns)}"
        )
    n = len(incidents)
    at = _hours(incidents["occurred_at"])
    a = np.full(n, np.nan)
    b = np.full(n, np.nan)
    if {"occurred_from", "occurred_to"} <= set(incidents.columns):
        a = _hours(incidents["occurred_from"])
        b = _hours(incidents["occurred_to"])
    window = np.isfinite(a) & np.isfinite(b) & (b > a)
    point = ~window & np.isfinite(at)
    rows_p = np.flatnonzero(point)
    bins_p = np.floor(at[point]).astype(np.int64) % WEEK
    parts_row = [rows_p]
    parts_bin = [bins_p]
    parts_w = [np.ones(len(rows_p))]
    rows_w = np.flatnonzero(window)
    if len(rows_w):
        s, e = a[window], b[window]
        length = e - s
        full = np.floor(length / WEEK)
        re = s + (length - full * WEEK)  # the remainder [s, re) after whole weeks
        lo = np.floor(s).astype(np.int64)
        hi = np.ceil(re).astype(np.int64)
        k = np.maximum(hi - lo, 0)
        rr = np.repeat(np.arange(len(s)), k)
        hb = np.repeat(lo, k) + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
        ov = np.minimum(re[rr], hb + 1.0) - np.maximum(s[rr], hb.astype(float))
        keep = ov > 0
        parts_row.append(rows_w[rr[keep]])
        parts_bin.append(hb[keep] % WEEK)
        parts_w.append(ov[keep] / length[rr[keep]])
        wk = np.flatnonzero(full > 0)
        if len(wk):  # whole weeks: every hour of the week gets full / length
            parts_row.append(np.repeat(rows_w[wk], WEEK))
            parts_bin.append(np.tile(np.arange(WEEK), len(wk)))
            parts_w.append(np.repeat(full[wk] / length[wk], WEEK))
    row = np.concatenate(parts_row)
    hb = np.concatenate(parts_bin)
    w = np.concatenate(parts_w)
    out = pd.DataFrame({"row": row, "bin": hb, "weight": w})
    out = out.groupby(["row", "bin"], as_index=False, sort=True)["weight"].sum()
    out.insert(1, "weekday", (out["bin"] // 24).astype(int))
    out.insert(2, "hour", (out["bin"] % 24).astype(int))
    return out.drop(columns="bin").reset_index(drop=True)


def _window_sums(v: np.ndarray, max_hours: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums of every (first day, days, first hour, hours) window of the weekly vector ``v``.

    Returns ``(sums, spec)`` with ``spec`` rows ``(first_day, days, first_hour, hours)``.
    """
    c = np.concatenate([[0.0], np.cumsum(np.concatenate([v, v]))])
    lengths = np.arange(2, max_hours + 1)
    seg = c[np.arange(WEEK)[:, None] + lengths[None, :]] - c[np.arange(WEEK)[:, None]]  # (168, L)
    d0, nd, h0 = (x.ravel() for x in np.meshgrid(np.arange(7), np.arange(1, 8), np.arange(24), indexing="ij"))
    k = np.arange(7)
    starts = (((d0[:, None] + k[None, :]) % 7) * 24 + h0[:, None]) % WEEK  # (B, 7)
    used = k[None, :] < nd[:, None]
    sums = (seg[starts] * used[:, :, None]).sum(axis=1)  # (B, L)
    spec = np.column_stack(
        [
            np.repeat(d0, len(lengths)),
            np.repeat(nd, len(lengths)),
            np.repeat(h0, len(lengths)),
            np.tile(lengths, len(d0)),
        ]
    )
    return sums.ravel(), spec


def _llr(obs: np.ndarray, total: float, share_e: np.ndarray) -> np.ndarray:
    s = np.clip(obs / total, 1e-12, 1 - 1e-12)
    e = share_e
    with np.errstate(divide="ignore", invalid="ignore"):
        llr = total * (s * np.log(s / e) + (1 - s) * np.log((1 - s) / (1 - e)))
    return np.where(s > e, llr, 0.0)


def peak_window(
    profile: np.ndarray,
    max_hours: int = 12,
    permutations: int = 199,
    seed: int = 12345,
    max_share: float = 0.25,
) -> dict[str, Any]:
    """The weekday × hour block with the largest scan statistic of a 7 × 24 profile.

    Parameters
    ----------
    profile : array (7, 24)
        Weights per weekday (0 = Monday) and hour.
    max_hours : int
        Longest hour range considered (2 .. 24).
    permutations, seed : int
        Monte Carlo maps of evenly spread records for the window's ``p``.
    max_share : float
        Largest share of the week's hours a window may cover (a patrol window, not half the week).

    Returns
    -------
    dict
        ``first_day``, ``days`` (number of weekdays), ``first_hour``, ``hours``,
        ``end_hour`` (``(first_hour + hours) % 24``), ``past_midnight``, ``share`` (of all
        weight), ``expected_share`` (of the week's hours), ``lift``, ``llr``, ``p``, ``n``.

    Examples
    --------
    >>> prof = np.ones((7, 24)); prof[4:7, 20:24] += 9; prof[5:7, 0:2] += 9; prof[0, 0:2] += 9
    >>> w = peak_window(prof, permutations=19)
    >>> (w["first_day"], w["days"], w["first_hour"], w["end_hour"], w["past_midnight"])
    (4, 3, 20, 2, True)
    """
    v = np.asarray(profile, dtype=float).reshape(WEEK)
    total = float(v.sum())
    if total <= 0:
        raise SpatialError("peak_window: the profile is empty (no incidents with a time)")
    sums, spec = _window_sums(v, int(max_hours))
    share_e = spec[:, 1] * spec[:, 3] / WEEK
    allowed = share_e <= max_share + 1e-12
    llr = np.where(allowed, _llr(sums, total, share_e), 0.0)
    best = int(np.argmax(llr))
    rng = np.random.default_rng(seed)
    n_rec = max(1, round(total))
    exceed = 0
    for _ in range(permutations):
        sim = np.bincount(rng.integers(0, WEEK, n_rec), minlength=WEEK).astype(float)
        s2, _ = _window_sums(sim, int(max_hours))
        exceed += int((_llr(s2, float(n_rec), share_e) * allowed).max() * total / n_rec >= llr[best])
    d0, nd, h0, hrs = (int(x) for x in spec[best])
    share = float(sums[best] / total)
    return {
        "first_day": d0,
        "days": nd,
        "first_hour": h0,
        "hours": hrs,
        "end_hour": (h0 + hrs) % 24,
        "past_midnight": h0 + hrs > 24,
        "share": share,
        "expected_share": float(share_e[best]),
        "lift": share / float(share_e[best]),
        "llr": float(llr[best]),
        "p": (1.0 + exceed) / (permutations + 1.0),
        "n": total,
    }


@dataclass
class RhythmResult:
    """Hour × weekday profiles per category.

    Attributes
    ----------
    profiles : dict[str, ndarray (7, 24)]
        Aoristic weight per weekday (0 = Monday) and hour, per category.
    peaks : DataFrame
        One row per category: :func:`peak_window`'s fields.
    records : dict[str, int]
        Records per category; ``windows`` the share of them with a time window, ``timed`` the
        share whose time of day is known (a point time other than midnight, or a window shorter
        than a day): below one half, a category's hours say little and its peak is not worded.
    """

    profiles: dict[str, np.ndarray]
    peaks: pd.DataFrame
    records: dict[str, int]
    windows: dict[str, float]
    timed: dict[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """``category, weekday, hour, weight, share`` (share of the category's records)."""
        parts = []
        for cat, m in self.profiles.items():
            wd, hr = np.meshgrid(np.arange(7), np.arange(24), indexing="ij")
            tot = m.sum()
            parts.append(
                pd.DataFrame(
                    {
                        "category": cat,
                        "weekday": wd.ravel(),
                        "hour": hr.ravel(),
                        "weight": m.ravel(),
                        "share": m.ravel() / tot if tot > 0 else 0.0,
                    }
                )
            )
        cols = ["category", "weekday", "hour", "weight", "share"]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def rhythm(
    incidents: pd.DataFrame,
    *,
    categories: Any = None,
    max_hours: int = 12,
    permutations: int = 199,
    seed: int = 12345,
) -> RhythmResult:
    """Hour-of-day × day-of-week profiles per category (aoristic), with their peak windows.

    Parameters
    ----------
    incidents : DataFrame
        ``occurred_at``, ``category``; optional ``occurred_from``/``occurred_to``.
    categories : sequence of str, optional
        Codes or prefixes, each one profile (``"theft"`` pools every ``theft.*``);
        default every code present.
    max_hours, permutations, seed
        See :func:`peak_window`.

    Returns
    -------
    RhythmResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.integers(0, 24 * 7 * 20, 300), unit="h")
    >>> inc = pd.DataFrame({"occurred_at": t, "category": "fire"})
    >>> r = rhythm(inc, permutations=19)
    >>> r.profiles["fire"].shape, round(float(r.profiles["fire"].sum()))
    ((7, 24), 300)
    """
    need = {"occurred_at", "category"} - set(incidents.columns)
    if need:
        raise SchemaError(f"rhythm: incidents lack {sorted(need)}; columns are {list(incidents.columns)}")
    cat = incidents["category"].astype(str).to_numpy()
    if categories is None:
        categories = sorted(set(cat))
    w = aoristic_weights(incidents)
    has_window = np.zeros(len(incidents), dtype=bool)
    short = np.zeros(len(incidents), dtype=bool)
    if {"occurred_from", "occurred_to"} <= set(incidents.columns):
        f = pd.to_datetime(incidents["occurred_from"], errors="coerce")
        t = pd.to_datetime(incidents["occurred_to"], errors="coerce")
        has_window = (f.notna() & t.notna() & (t > f)).to_numpy()
        short = has_window & ((t - f) < pd.Timedelta(days=1)).to_numpy()
    at = _hours(incidents["occurred_at"])
    known = np.where(has_window, short, np.isfinite(at))  # a whole day's window says no hour
    profiles, rows, records, windows, timed = {}, [], {}, {}, {}
    for c in categories:
        sel = (cat == c) | np.char.startswith(cat.astype(str), c + ".")
        idx = np.flatnonzero(sel)
        ww = w[np.isin(w["row"].to_numpy(), idx)]
        m = np.zeros(WEEK)
        np.add.at(m, ww["weekday"].to_numpy() * 24 + ww["hour"].to_numpy(), ww["weight"].to_numpy())
        profiles[c] = m.reshape(7, 24)
        records[c] = len(idx)
        windows[c] = float(has_window[idx].mean()) if len(idx) else 0.0
        timed[c] = float(known[idx].mean()) if len(idx) else 0.0
        if m.sum() > 0:
            rows.append({"category": c, **peak_window(m.reshape(7, 24), max_hours, permutations, seed)})
    return RhythmResult(profiles, pd.DataFrame(rows), records, windows, timed)
