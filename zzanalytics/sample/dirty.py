"""Dirty rows planted in the exports, each recorded with the outcome ingest must give it.

Rows are appended at the end of a month's chunk (records entered late), so
they land in the same place at every scale. Every planted row is listed in
``manifest.json`` under ``dirty`` with its file, 1-based data row (``row``; the
header is not counted), file line / sheet row (``line``; header = 1), kind and
expected outcome.

Outcomes: ``quarantined`` (with the store's quarantine reason code), ``duplicate`` (an
exact copy of an earlier row: counted as duplicate, not stored twice),
``location_cleared`` (accepted, lon/lat set missing, with the store's location
reason), ``accepted`` (stored as is; e.g. free text carrying personal data that
reports must never print). A row with the id of an earlier row but other content
is quarantined as a conflicting duplicate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzanalytics.sample import mappings as M  # noqa: N812


def id_card(rng: np.random.Generator, region: str = "620102") -> str:
    """A fake 18-digit resident ID number with a valid ISO 7064 MOD 11-2 check digit.

    Examples
    --------
    >>> n = id_card(np.random.default_rng(0))
    >>> len(n), n[:6]
    (18, '620102')
    """
    birth = f"{rng.integers(1960, 2000)}{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}"
    body = region + birth + f"{rng.integers(0, 1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[s % 11]


# month index -> kinds, per file
CRIMINAL_PLAN = {
    3: ["bad_date_day"],
    15: ["bad_date_month"],
    20: ["missing_coordinates"],
    27: ["missing_date"],
    33: ["impossible_coordinates"],
    39: ["future_date"],
    40: ["ancient_date"],
    45: ["zero_coordinates"],
    50: ["exact_duplicate"],
    57: ["out_of_area", "out_of_area_far"],
    62: ["exact_duplicate"],
    69: ["unknown_category"],
    74: ["conflicting_duplicate"],
    80: ["missing_coordinates"],
    86: ["personal_data"],
    90: ["script_area"],
}
TRAFFIC_PLAN = {10: ["bad_text_date"], 30: ["exact_duplicate"], 60: ["missing_area"]}
FIRE_PLAN = {24: ["exact_duplicate"], 52: ["exact_duplicate"]}

OUTCOME = {
    "bad_date_day": ("quarantined", "unparseable_date"),
    "bad_date_month": ("quarantined", "unparseable_date"),
    "missing_date": ("quarantined", "missing_value"),
    "future_date": ("quarantined", "date_in_future"),
    "ancient_date": ("quarantined", "date_before_floor"),
    "bad_text_date": ("quarantined", "unparseable_date"),
    "missing_coordinates": ("accepted", None),
    "impossible_coordinates": ("location_cleared", "impossible_coordinates"),
    "zero_coordinates": ("location_cleared", "impossible_coordinates"),
    "out_of_area": ("location_cleared", "outside_district"),
    "out_of_area_far": ("location_cleared", "outside_district"),
    "exact_duplicate": ("duplicate", None),
    "conflicting_duplicate": ("quarantined", "conflicting_duplicate"),
    "unknown_category": ("quarantined", "unknown_category"),
    "personal_data": ("accepted", None),
    "script_area": ("accepted", None),  # an area that is no area's: kept, unassigned (or its point's)
    "missing_area": ("accepted", None),  # area taken from its point (area_code is optional)
    "bad_date_compact": ("quarantined", "unparseable_date"),
}


class Dirt:
    """Plants dirty rows and remembers where they went."""

    def __init__(self, rng: np.random.Generator, cal) -> None:
        self.rng = rng
        self.cal = cal
        self.records: list[dict] = []

    def _note(self, file: str, row: int, kind: str, record_id: str, detail: str = "") -> None:
        outcome, reason = OUTCOME[kind]
        self.records.append(
            {
                "file": file,
                "row": row,
                "line": row + 1,
                "kind": kind,
                "id": record_id,
                "outcome": outcome,
                "reason": reason,
                "detail": detail,
            }
        )

    def criminal(self, fc: pd.DataFrame, m: int, before: int) -> pd.DataFrame:
        """Append month ``m``'s planted rows to the criminal-case chunk ``fc``."""
        kinds = CRIMINAL_PLAN.get(m, [])
        if not kinds or not len(fc):
            return fc
        ym = self.cal.months[m].strftime("%Y%m")
        extra = []
        for j, kind in enumerate(kinds):
            src = fc.iloc[int(self.rng.integers(0, len(fc)))].copy()
            row = src.copy()
            row["案件编号"] = f"A620102{ym}9{j + 1:05d}"
            detail = ""
            y, mo = self.cal.months[m].year, self.cal.months[m].month
            if kind == "bad_date_day":
                row["发案时间"] = f"{y}/2/30 14:20"
            elif kind == "bad_date_month":
                row["发案时间"] = f"{y}/13/5 9:10"
            elif kind == "missing_date":
                row["发案时间"] = ""
            elif kind == "future_date":
                row["发案时间"] = "2027/3/1 10:00"
            elif kind == "ancient_date":
                row["发案时间"] = "1900/1/1 0:00"
            elif kind == "missing_coordinates":
                row["经度"], row["纬度"] = "", ""
            elif kind == "impossible_coordinates":
                row["纬度"] = "999.000000"
            elif kind == "zero_coordinates":
                row["经度"], row["纬度"] = "0.000000", "0.000000"
            elif kind == "out_of_area":
                row["经度"], row["纬度"] = "103.562310", "36.121870"
                detail = "valid point in the same city, about 22 km west of the district"
            elif kind == "out_of_area_far":
                row["经度"], row["纬度"] = "116.403963", "39.915119"
                detail = "valid point in Beijing"
            elif kind == "exact_duplicate":
                row = src.copy()
            elif kind == "conflicting_duplicate":
                row = src.copy()
                row["案件类别"] = "故意伤害" if src["案件类别"] != "故意伤害" else "抢劫"
                row["发案时间"] = f"{y}/{mo}/28 23:59"
                detail = "same 案件编号 as an earlier row, other category and time"
            elif kind == "unknown_category":
                row["案件类别"] = "盗窃古董"
            elif kind == "personal_data":
                card = id_card(self.rng)
                phone = "139" + "".join(str(d) for d in self.rng.integers(0, 10, 8))
                row["简要案情"] = f"报案人张某某(身份证号{card},联系电话{phone})称其住所被撬门入室"
                detail = f"ID card {card} and mobile {phone} in 简要案情; reports must never print them"
            elif kind == "script_area":
                row["所属街道"] = "鼓楼<script>alert(1)</script>街道"
            extra.append(row)
            self._note(M.CRIMINAL_FILE, before + len(fc) + j + 1, kind, row["案件编号"], detail)
        return pd.concat([fc, pd.DataFrame(extra)], ignore_index=True)

    def traffic(self, ft: pd.DataFrame, m: int, before: int) -> pd.DataFrame:
        """Append month ``m``'s planted rows to the traffic chunk."""
        kinds = TRAFFIC_PLAN.get(m, [])
        if not kinds or not len(ft):
            return ft
        ym = self.cal.months[m].strftime("%Y%m")
        extra = []
        for j, kind in enumerate(kinds):
            src = ft.iloc[int(self.rng.integers(0, len(ft)))].copy()
            row = src.copy()
            if kind != "exact_duplicate":
                row["事故编号"] = f"JT620102{ym}9{j + 1:05d}"
            if kind == "bad_text_date":
                row["事故时间"] = f"{self.cal.months[m].year}-02-30 08:00"
            elif kind == "missing_area":
                row["乡镇街道"] = ""
            extra.append(row)
            self._note(M.TRAFFIC_FILE, before + len(ft) + j + 1, kind, row["事故编号"])
        return pd.concat([ft, pd.DataFrame(extra)], ignore_index=True)

    def fire(self, ff: pd.DataFrame, m: int, before: int) -> pd.DataFrame:
        """Append month ``m``'s planted rows to the fire chunk (no id column: duplicates by content)."""
        kinds = FIRE_PLAN.get(m, [])
        if not kinds or not len(ff):
            return ff
        extra = []
        for j, kind in enumerate(kinds):
            extra.append(ff.iloc[int(self.rng.integers(0, len(ff)))].copy())
            self._note(M.FIRE_FILE, before + len(ff) + j + 1, kind, "", "exact copy of an earlier row")
        return pd.concat([ff, pd.DataFrame(extra)], ignore_index=True)

    def petitions(self, fp: pd.DataFrame) -> pd.DataFrame:
        """Insert one bad compact date into the petition register."""
        pos = len(fp) // 3
        fp = fp.copy()
        fp.iloc[pos, fp.columns.get_loc("登记日期")] = fp.iloc[pos]["登记日期"][:4] + "1345"
        self._note(M.PETITIONS_FILE, pos + 1, "bad_date_compact", fp.iloc[pos]["登记编号"])
        return fp
