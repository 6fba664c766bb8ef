"""Hour x weekday profiles: aoristic weights by hand and by simulation, planted rhythm, ingest of windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zzanalytics.spatial.rhythm import aoristic_weights, peak_window, rhythm


def _windows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.uniform(0, 365 * 24, n), unit="h")
    hours = np.where(rng.random(n) < 0.05, rng.uniform(170, 400, n), rng.exponential(6.0, n))
    hours[rng.random(n) < 0.2] = 0.0  # point times
    end = start + pd.to_timedelta(hours, unit="h")
    return pd.DataFrame({"occurred_at": start, "occurred_from": start, "occurred_to": end})


def test_aoristic_weights_sum_to_one_per_record():
    inc = _windows(3000, 1)
    inc.loc[5, ["occurred_from", "occurred_to"]] = pd.NaT  # no window: the point time
    w = aoristic_weights(inc)
    per = w.groupby("row").weight.sum()
    assert len(per) == len(inc) and np.allclose(per.to_numpy(), 1.0, atol=1e-12)
    assert w.weekday.between(0, 6).all() and w.hour.between(0, 23).all() and (w.weight > 0).all()


def test_aoristic_weights_by_hand():
    t = pd.to_datetime
    inc = pd.DataFrame(
        {
            "occurred_at": t(["2026-03-06 21:10", "2026-03-02 00:00", "2026-03-04 10:00"]),
            # Friday 20:00-23:00; two weeks and one hour from Monday 00:00; a point time on Wednesday
            "occurred_from": t(["2026-03-06 20:00", "2026-03-02 00:00", None]),
            "occurred_to": t(["2026-03-06 23:00", "2026-03-16 01:00", None]),
        }
    )
    w = aoristic_weights(inc).set_index(["row", "weekday", "hour"]).weight
    assert w.loc[0].to_dict() == pytest.approx({(4, 20): 1 / 3, (4, 21): 1 / 3, (4, 22): 1 / 3})
    # 337 hours: every hour of the week 2/337, Monday 00:00 one more hour -> 3/337
    assert w.loc[1].loc[(0, 0)] == pytest.approx(3 / 337)
    assert w.loc[1].loc[(3, 15)] == pytest.approx(2 / 337) and len(w.loc[1]) == 168
    assert w.loc[2].to_dict() == {(2, 10): 1.0}


def test_aoristic_profile_is_the_expectation_of_uniform_times_in_the_windows():
    inc = _windows(400, 2)
    w = aoristic_weights(inc)
    prof = np.zeros(168)
    np.add.at(prof, (w.weekday * 24 + w.hour).to_numpy(), w.weight.to_numpy())
    rng = np.random.default_rng(3)
    a = inc.occurred_from.to_numpy()
    span = (inc.occurred_to - inc.occurred_from).dt.total_seconds().to_numpy()
    draws = 500
    mc = np.zeros(168)
    for _ in range(draws):
        t = pd.DatetimeIndex(a + pd.to_timedelta(rng.uniform(0, 1, len(a)) * span, unit="s"))
        np.add.at(mc, np.asarray(t.dayofweek * 24 + t.hour), 1.0)
    mc /= draws
    assert np.abs(mc - prof).max() < 0.6  # 500 draws of 400 records: sd of a bin about 0.1
    assert prof.sum() == pytest.approx(400)


def _planted(n: int, seed: int) -> pd.DataFrame:
    """Burglaries: 45% Friday-Sunday 20:00-02:00, the rest spread; found 0-10 hours after."""
    rng = np.random.default_rng(seed)
    weeks = rng.integers(0, 52, n)
    peak = rng.random(n) < 0.45
    day = np.where(peak, rng.integers(4, 7, n), rng.integers(0, 7, n))
    hour = np.where(peak, 20 + rng.uniform(0, 6, n), rng.uniform(0, 24, n))
    true = pd.Timestamp("2026-01-05") + pd.to_timedelta((weeks * 7 + day) * 24 + hour, unit="h")
    before = pd.to_timedelta(rng.uniform(0, 5, n), unit="h")
    after = pd.to_timedelta(rng.uniform(0, 5, n), unit="h")
    return pd.DataFrame(
        {
            "occurred_at": true - before,
            "occurred_from": true - before,
            "occurred_to": true + after,
            "category": "theft.burglary",
        }
    )


def test_planted_weekend_night_rhythm_is_the_peak_window():
    inc = _planted(2000, 4)
    r = rhythm(inc, permutations=99)
    pk = r.peaks.set_index("category").loc["theft.burglary"]
    assert (pk.first_day, pk.days) == (4, 3)  # Friday to Sunday
    assert 19 <= pk.first_hour <= 21 and pk.past_midnight and 1 <= pk.end_hour <= 3
    assert pk.p < 0.05 and pk.lift > 2
    assert r.windows["theft.burglary"] == 1.0
    f = r.to_frame()
    assert len(f) == 168 and f.share.sum() == pytest.approx(1.0)
    # the window's start as the time (no aoristic weighting) puts the peak hours earlier
    plain = rhythm(inc.drop(columns=["occurred_from", "occurred_to"]), permutations=19)
    assert plain.peaks.first_hour.iloc[0] < pk.first_hour


def test_no_peak_claimed_for_an_even_spread():
    rng = np.random.default_rng(5)
    t = pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.uniform(0, 168 * 52, 500), unit="h")
    pk = peak_window(rhythm(pd.DataFrame({"occurred_at": t, "category": "x"})).profiles["x"])
    assert pk["p"] > 0.05


def test_ingest_fills_occurred_from_and_to(tmp_path):
    from zzanalytics.ingest import ingest_files
    from zzanalytics.workspace import open_store

    src = tmp_path / "burglary.csv"
    src.write_text(
        "编号,发案时间,发案起始时间,发案终止时间,类别,街道\n"
        "B1,2026-03-06 20:00,2026-03-06 20:00,2026-03-06 23:00,入室盗窃,A\n"
        "B2,2026-03-07 09:00,,,入室盗窃,A\n",
        encoding="utf-8",
    )
    mapping = {
        "source": {"table": "incidents", "timezone": "Asia/Shanghai"},
        "columns": {
            "incident_id": "编号",
            "occurred_at": "发案时间",
            "occurred_from": "发案起始时间",
            "occurred_to": "发案终止时间",
            "category": "类别",
            "area_code": "街道",
        },
        "categories": {"入室盗窃": "theft.burglary"},
    }
    rep = ingest_files([src], mapping, store=tmp_path / "zz.duckdb")
    assert rep.accepted == 2
    with open_store(tmp_path / "zz.duckdb") as st:
        inc = st.incidents()
    assert str(inc.occurred_to.iloc[0]) == "2026-03-06 23:00:00+08:00" and pd.isna(inc.occurred_from.iloc[1])
    w = aoristic_weights(inc)
    assert w[w.row == 0].weight.tolist() == pytest.approx([1 / 3] * 3) and w[w.row == 1].weight.tolist() == [
        1.0
    ]


def test_sample_burglary_peaks_friday_to_sunday_nights(sample_store):
    import json

    m = json.loads((sample_store.path.parent.parent / "manifest.json").read_text(encoding="utf-8"))
    plant = m["rhythm"]
    inc = sample_store.incidents(category="theft.burglary")
    assert 0.6 < inc.occurred_from.notna().mean() < 0.8  # manifest time_windows share 0.7
    pk = rhythm(inc, permutations=99).peaks.iloc[0]
    assert [pk.first_day + k for k in range(pk.days)] == plant["days"]
    assert pk.first_hour == plant["first_hour"] and pk.hours == plant["hours"] and pk.p < 0.05


def test_a_date_without_its_hour_is_its_days_window_and_midnight_is_a_time():
    """A date-only export carries the window of its whole day (recorded at ingest): each record
    spreads over its day, no hour stands out and the share with a known time of day is 0. A point
    time of exactly 00:00 is a real midnight: it stays in hour 0."""
    days = pd.date_range("2021-01-04", periods=70, freq="D", tz="Asia/Shanghai")  # ten whole weeks
    inc = pd.DataFrame(
        {
            "occurred_at": days,
            "occurred_from": days,
            "occurred_to": days + pd.Timedelta(days=1),
            "category": "x",
        }
    )
    w = aoristic_weights(inc)
    assert np.allclose(w.groupby("row")["weight"].sum(), 1.0)
    assert len(w) == 70 * 24 and np.allclose(w["weight"], 1 / 24)
    r = rhythm(inc, permutations=19)
    assert np.allclose(r.profiles["x"], 10 / 24)  # flat over every hour of the week
    assert r.timed["x"] == 0.0
    midnight = pd.DataFrame({"occurred_at": days, "category": "x"})  # no window: a real midnight
    assert (
        aoristic_weights(midnight)["hour"].eq(0).all() and rhythm(midnight, permutations=19).timed["x"] == 1.0
    )


def test_date_only_records_of_another_zone_spread_over_their_own_day(tmp_path):
    """A date-only export from Toronto ingested into a Shanghai store: each record's window is its
    Toronto day (13:00 to 13:00 the next day on Shanghai's clock in winter), not Shanghai's 00:00 to
    24:00; a record that is a real Toronto midnight (written 00:00) is one point at 13:00."""
    from zzanalytics.ingest import ingest_files
    from zzanalytics.workspace import open_store

    src = tmp_path / "mci.csv"
    src.write_text(
        "id,date,offence\n"
        + "".join(f"D{i},2021-01-{4 + i:02d},Burglary\n" for i in range(7))
        + "M1,2021-01-05 00:00,Burglary\n",
        encoding="utf-8",
    )
    m = {
        "source": {"timezone": "America/Toronto"},
        "columns": {"incident_id": "id", "occurred_at": "date", "category": "offence"},
        "categories": {"Burglary": "theft.burglary"},
    }
    rep = ingest_files([src], m, store=tmp_path / "zz.duckdb", timezone="Asia/Shanghai")
    assert rep.accepted == 8
    with open_store(tmp_path / "zz.duckdb") as st:
        inc = st.incidents().sort_values("incident_id").reset_index(drop=True)
    day = inc[inc.incident_id == "D0"].iloc[0]
    assert (
        str(day.occurred_from) == "2021-01-04 13:00:00+08:00"
        and str(day.occurred_to) == "2021-01-05 13:00:00+08:00"
    )
    real = inc[inc.incident_id == "M1"].iloc[0]
    assert pd.isna(real.occurred_from) and str(real.occurred_at) == "2021-01-05 13:00:00+08:00"
    w = aoristic_weights(inc)
    dated = w[w.row.isin(inc.index[inc.incident_id.str.startswith("D")])]
    assert np.allclose(dated.groupby("row").weight.sum(), 1.0) and np.allclose(dated.weight, 1 / 24)
    assert w[w.row == inc.index[inc.incident_id == "M1"][0]].hour.tolist() == [13]
