"""The planted truths of the sample district: the intensity model's parameters.

Every number here is a *truth* the statistics of later stages must recover: the
growth rate and seasonality of each category, the hotspots, the emerging hotspot,
the township whose burglary rose, the stable series, the overdispersion. The
generator draws the records from these parameters and writes them, with the
expected counts computed from the same model, to ``manifest.json``.

The model, per category ``c``, day ``d`` and township ``a``::

    lambda_c(d)   = base_c / 365.25 * (1 + growth_c) ** t_d
                    * exp(amp_c * cos(2 pi (doy_d - peak_doy_c) / 365.25))
                    * holiday_c(d) * weekday_c(d)
    mu_{c,a,m}    = share_{c,a} * sum_{d in m} lambda_c(d) * step_{c,a}(m)
    N_{c,a,m}     ~ NegativeBinomial(mean mu, size K)     (variance mu + mu^2 / K)

``t_d`` is years since 2019-01-01; ``share_{c,a}`` is the share of category ``c``'s
spatial density (a mixture of components, below) falling in township ``a``; days
within the month are drawn in proportion to ``lambda_c(d)``.
"""

from __future__ import annotations

SAMPLE_START = "2019-01-01"
SAMPLE_END = "2026-10-31"
"""Last day of the records: the last complete month before 'today' (2026-11-28), fixed."""

OVERDISPERSION_K = 12.0
"""Negative-binomial size of counts per category x township x month."""

# category: base (expected count in 2019 at growth 0), growth per year, seasonal amplitude (log scale),
# peak month, spatial mixture [(component, weight)], time-of-day profile key, report delay (median minutes)
CATEGORIES: dict[str, dict] = {
    "theft.other": {
        "base": 1050.0,
        "growth": -0.06,
        "amp": 0.25,
        "peak_month": 7,
        "space": [
            ("pop", 0.45),
            ("zone:commercial", 0.20),
            ("main:30", 0.10),
            ("hot:H1", 0.15),
            ("hot:H2", 0.10),
        ],
        "hours": "day",
        "delay": 40,
        "missing_xy": 0.01,
    },
    "theft.burglary": {
        "base": 420.0,
        "growth": -0.02,
        "amp": 0.12,
        "peak_month": 8,
        "space": [("zone:rental_housing", 0.60), ("pop", 0.28), ("hot:H4", 0.12)],
        "hours": "burglary",
        "delay": 240,
        "missing_xy": 0.01,
    },
    "theft.vehicle": {
        "base": 190.0,
        "growth": -0.04,
        "amp": 0.15,
        "peak_month": 8,
        "space": [("main:45", 0.85), ("pop", 0.15)],
        "hours": "night",
        "delay": 360,
        "missing_xy": 0.01,
    },
    "fraud.telecom": {
        "base": 330.0,
        "growth": 0.25,
        "amp": 0.05,
        "peak_month": 12,
        "space": [("pop", 1.0)],
        "hours": "office",
        "delay": 1440,
        "missing_xy": 0.08,
    },
    "fraud.other": {
        "base": 150.0,
        "growth": 0.0,
        "amp": 0.0,
        "peak_month": 1,
        "space": [("pop", 0.8), ("zone:commercial", 0.2)],
        "hours": "office",
        "delay": 720,
        "missing_xy": 0.03,
    },
    "robbery": {
        "base": 70.0,
        "growth": -0.10,
        "amp": 0.10,
        "peak_month": 12,
        "space": [("pop", 0.45), ("hot:H3", 0.25), ("main:30", 0.30)],
        "hours": "late",
        "delay": 15,
        "missing_xy": 0.01,
    },
    "assault": {
        "base": 180.0,
        "growth": 0.0,
        "amp": 0.20,
        "peak_month": 7,
        "space": [("pop", 0.6), ("zone:commercial", 0.2), ("zone:rental_housing", 0.2)],
        "hours": "late",
        "delay": 20,
        "missing_xy": 0.01,
    },
    "other_criminal": {
        "base": 380.0,
        "growth": 0.0,
        "amp": 0.0,
        "peak_month": 1,
        "space": [("pop", 0.8), ("zone:rental_housing", 0.1), ("zone:commercial", 0.1)],
        "hours": "day",
        "delay": 120,
        "missing_xy": 0.02,
    },
    "traffic": {
        "base": 1450.0,
        "growth": 0.02,
        "amp": 0.08,
        "peak_month": 8,
        "space": [("main:8", 0.75), ("secondary:8", 0.25)],
        "hours": "traffic",
        "delay": 10,
        "missing_xy": 0.0,
    },
    "traffic.major": {
        "base": 30.0,
        "growth": -0.03,
        "amp": 0.10,
        "peak_month": 8,
        "space": [("roads:8:金河绕城高速,金柳公路,东川公路,金石公路,滨河路", 0.75), ("main:8", 0.25)],
        "hours": "traffic_night",
        "delay": 10,
        "missing_xy": 0.0,
    },
    "fire": {
        "base": 190.0,
        "growth": 0.03,
        "amp": 0.35,
        "peak_month": 1,
        "space": [
            ("pop", 0.5),
            ("zone:village", 0.2),
            ("zone:industrial", 0.12),
            ("zone:rental_housing", 0.10),
            ("zone:commercial", 0.08),
        ],
        "hours": "fire",
        "delay": 5,
        "missing_xy": 0.0,
    },
}

# Stable hotspots: Gaussian blobs (metres from the district centre) carrying `share` of the category.
HOTSPOTS: dict[str, dict] = {
    "H1": {
        "category": "theft.other",
        "name": "鼓楼商圈",
        "xy": (-450.0, 750.0),
        "sigma_m": 150.0,
        "share": 0.15,
    },
    "H2": {
        "category": "theft.other",
        "name": "火车站广场",
        "xy": (4_300.0, -450.0),
        "sigma_m": 120.0,
        "share": 0.10,
    },
    "H3": {
        "category": "robbery",
        "name": "滨河夜市",
        "xy": (-2_600.0, -700.0),
        "sigma_m": 200.0,
        "share": 0.25,
    },
    "H4": {
        "category": "theft.burglary",
        "name": "南关城中村",
        "xy": (-200.0, -2_000.0),
        "sigma_m": 250.0,
        "share": 0.12,
    },
}

EMERGING = {
    "id": "E1",
    "category": "theft.other",
    "name": "新城高铁站片区",
    "xy": (9_200.0, 1_500.0),
    "sigma_m": 120.0,
    "share": 0.15,
    "start": "2025-11-01",
    "note": "from start on, this share of the district's theft.other falls in the blob; the other "
    "components shrink by (1 - share), so the district total keeps its trend",
}

RISING = {
    "category": "theft.burglary",
    "area_code": "620102005",
    "from": "2026-01-01",
    "multiplier": 2.0,
    "note": "township burglary intensity multiplied from 'from' on (new rental-housing tenants)",
}

FIRE_SURGE = {
    "category": "fire",
    "from": "2026-01-01",
    "multiplier": 1.5,
    "note": "district-wide fire intensity step in 2026: the annual fire target comes under pressure",
}

NEAR_REPEAT = {
    "category": "theft.burglary",
    "share": 0.25,
    "offspring": (1, 3),
    "distance_m": 150.0,
    "mean_days": 4.0,
    "max_days": 21.0,
    "note": "this share of burglaries starts a chain of 1-3 further burglaries at places within "
    "distance_m (pool points of the category) and an exponential time (mean_days, at most max_days) "
    "later; the first burglaries are thinned by 1 / (1 + share * mean offspring) so volumes keep "
    "the model",
}

RHYTHM = {
    "category": "theft.burglary",
    "days": [4, 5, 6],
    "first_hour": 20,
    "hours": 6,
    "share": 0.45,
    "note": "this share of the (first) burglaries falls on Friday-Sunday nights, 20:00 to 02:00 the "
    "next day (weekday 0 = Monday), in proportion to the day's intensity; the rest follow the "
    "category's hour profile",
}

WINDOWS = {
    "category": "theft.burglary",
    "share": 0.7,
    "hours": (1.0, 10.0),
    "note": "this share of burglaries is recorded with a time window (发案起始时间/发案终止时间, "
    "uniform length in hours, the true time uniform within it) and 发案时间 = the window's start; "
    "reported after the window's end",
}

STABLE_SERIES = [
    {
        "category": "fraud.other",
        "area_code": "620102002",
        "note": "growth 0, no seasonality, no step, no planted hotspot: nothing should be flagged",
    },
    {
        "category": "other_criminal",
        "area_code": "620102003",
        "note": "growth 0, no seasonality, no step, no planted hotspot: nothing should be flagged",
    },
]

# holiday and weather multipliers of the daily intensity
HOLIDAYS = {
    "fire": {
        "spring_festival_eve": 10.0,
        "spring_festival_day": 8.0,
        "days_2_to_6": 3.0,
        "lantern_festival": 4.0,
    },
    "theft.burglary": {"spring_festival_minus10_to_plus7": 1.3},
    "traffic": {
        "national_day_oct1_7": 1.5,
        "chunyun_minus15_to_plus24": 1.2,
        "snow_day": 1.8,
        "friday_saturday": 1.1,
    },
    "traffic.major": {
        "national_day_oct1_7": 1.8,
        "chunyun_minus15_to_plus24": 1.3,
        "snow_day": 2.0,
        "friday_saturday": 1.1,
    },
}
SNOW_DAY_PROBABILITY = 0.12
"""Chance that a day in December-February is a snow/ice day (drawn once, listed in the manifest)."""

# hour-of-day weights (24 values) by profile key
HOURS: dict[str, list[float]] = {
    "day": [1, 1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 8, 8, 8, 9, 10, 10, 9, 7, 5, 3, 2],
    "burglary": [4, 5, 5, 4, 3, 2, 2, 3, 5, 7, 8, 8, 7, 7, 8, 8, 7, 5, 3, 2, 2, 2, 3, 3],
    "night": [8, 9, 9, 8, 6, 4, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5, 6, 7],
    "office": [1, 0.5, 0.5, 0.5, 0.5, 1, 2, 3, 6, 9, 10, 10, 8, 7, 9, 10, 10, 9, 7, 6, 6, 5, 3, 2],
    "late": [6, 5, 4, 2, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 9, 8],
    "traffic": [2, 1, 1, 1, 1, 2, 4, 9, 10, 6, 5, 5, 6, 5, 5, 6, 7, 10, 10, 7, 5, 4, 3, 2],
    "traffic_night": [5, 4, 4, 3, 3, 3, 4, 6, 6, 4, 4, 4, 5, 4, 4, 5, 6, 8, 8, 7, 7, 7, 6, 6],
    "fire": [3, 3, 2, 2, 2, 2, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 7, 7, 6, 6, 5, 5, 4, 4],
}

PETITIONS = {
    "base_batches_per_year": 520.0,
    "growth": 0.05,
    "step_2026": 1.2,
    "demolition": {
        "area_code": "620102100",
        "from": "2026-03-01",
        "collective_batches_per_month": 4.0,
        "level_share": {"district": 0.5, "city": 0.35, "province": 0.15},
    },
    "level_share": {"district": 0.62, "city": 0.22, "province": 0.11, "capital": 0.05},
    "collective_share": {"district": 0.12, "city": 0.22, "province": 0.15, "capital": 0.10},
    "irregular_share": {"district": 0.02, "city": 0.08, "province": 0.30, "capital": 0.50},
    "persons": {"individual": "1 (80%) or 2", "collective": "5 + NegBin(mean 13, size 1.5), at most 60"},
    "note": "step_2026 multiplies every township's batches in 2026; from 2026-03 the 新城镇 二期征地拆迁 "
    "adds collective batches (so batches and persons rise)",
}

DISPUTES = {
    "base_per_year": 1200.0,
    "growth": 0.0,
    "amp": 0.25,
    "peak_month": 1,
    "demolition": {
        "area_code": "620102100",
        "from": "2026-03-01",
        "extra_per_month": 10.0,
        "kind": "征地拆迁",
    },
    "resolution_median_days": 6.0,
    "resolution_sigma": 1.0,
    "long_share": 0.08,
    "never_share": 0.01,
    "note": "resolution delay lognormal (median, sigma) with a share taking 30-180 days and a share never "
    "resolved; open when found + delay is after SAMPLE_END",
}

CAMERAS = {
    "cameras": 480,
    "checkpoints": 5,
    "main_street_share": 0.85,
    "broken_share": 0.025,
    "gaps": [("南山路", 0.55, 1.0), ("滨河路", 0.80, 0.97), ("金柳公路", 0.0, 1.0), ("东川公路", 0.25, 1.0)],
    "note": "gaps: (street, from, to) fractions of the street's length deliberately left without cameras",
}

TRAFFIC_MAJOR = {
    "deaths": "55%: 1 + Poisson(0.3) deaths; otherwise 0 deaths and 3-10 injuries",
    "causes": ["酒驾/醉驾", "超速行驶", "货车超载", "疲劳驾驶", "无证驾驶", "违法占道", "操作不当"],
}

FIRE_LOSS = {
    "zero_share": 0.2,
    "lognormal_median_yuan": 4000.0,
    "lognormal_sigma": 1.5,
    "pareto_share_industrial_commercial": 0.10,
    "pareto_min_yuan": 100_000.0,
    "pareto_alpha": 1.5,
    "cap_yuan": 20_000_000.0,
}

NOTABLE = [
    {
        "date": "2026-05-06 23:40",
        "category": "traffic.major",
        "road": "金柳公路",
        "cause": "无证驾驶、醉酒驾驶",
        "deaths": 2,
        "injuries": 3,
        "text": "金柳公路发生无证醉驾交通事故",
    },
    {
        "date": "2026-05-18 04:15",
        "category": "traffic.major",
        "road": "金河绕城高速",
        "cause": "大型货车追尾起火",
        "deaths": 3,
        "injuries": 1,
        "text": "金河绕城高速发生大型货车追尾起火事故",
    },
]
