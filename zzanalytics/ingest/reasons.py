"""Why a row was quarantined, or its point cleared: stable codes with their zh/en texts.

The store keeps the code (``quarantine.reason``, ``location_log.reason``) and the column it
concerns; people see the text in their language. Codes never change meaning; new ones are added.

Examples
--------
>>> reason_text("negative_number", "zh"), reason_text("negative_number", "en", column="deaths")
('数值为负', 'negative number (deaths)')
>>> reason_text("outside_district", "zh")
'位置在辖区以外'
>>> reason_text("some old free text", "en")
'some old free text'
"""

from __future__ import annotations

from dataclasses import dataclass

from zzanalytics.wording import fill, pick

__all__ = ["LOCATION_REASONS", "REASONS", "Reason", "reason_text"]


@dataclass(frozen=True)
class Reason:
    """One reason: its code, what it means in English and in Chinese, and whether the row is kept."""

    code: str
    en: str
    zh: str
    kept: bool = False  # True: the row still counts, only its point was cleared


REASONS: dict[str, Reason] = {
    r.code: r
    for r in (
        Reason("missing_value", "missing required value", "必填项缺失"),
        Reason("unparseable_date", "unparseable date", "日期无法识别"),
        Reason("date_before_floor", "date before the floor", "日期早于有效范围"),
        Reason("date_in_future", "date in the future", "日期晚于当前"),
        Reason("unknown_category", "unknown category", "类别无法识别"),
        Reason("unknown_area", "unknown area", "所属区域无法识别"),
        Reason("unknown_value", "unknown value", "取值无法识别"),
        Reason("unparseable_number", "unparseable number", "数值无效"),
        Reason("negative_number", "negative number", "数值为负"),
        Reason("missing_location", "missing location", "缺少位置"),
        Reason("conflicting_duplicate", "conflicting duplicate id in file", "编号重复且内容冲突"),
        Reason(
            "id_collision",
            "id of a record of another file with another date or category",
            "编号与其他文件中的记录相同但日期或类别不同",
        ),
        Reason("implausible_number", "number beyond the plausible limit ([limits])", "数值超出合理范围"),
        Reason(
            "rounded_id",
            "id rounded by a spreadsheet (scientific notation)",
            "编号被表格软件改写为科学计数法",
        ),
        Reason(
            "malformed_row",
            "malformed row (wrong number of fields or quoting)",
            "行格式错误(字段数或引号不符)",
        ),
        Reason("incomplete_coordinates", "incomplete coordinates", "坐标不完整", kept=True),
        Reason("unparseable_coordinates", "unparseable coordinates", "坐标无法识别", kept=True),
        Reason("impossible_coordinates", "impossible coordinates", "坐标超出有效范围", kept=True),
        Reason("outside_district", "outside the district", "位置在辖区以外", kept=True),
        Reason(
            "area_disagrees_with_point",
            "stated area differs from the polygon holding the point",
            "所填区域与坐标所在区域不一致",
            kept=True,
        ),
    )
}
"""Every reason code."""

LOCATION_REASONS: dict[int, str] = {
    1: "incomplete_coordinates",
    2: "unparseable_coordinates",
    3: "impossible_coordinates",
    4: "outside_district",
}
"""Location check result (as computed in SQL) → reason code."""


def reason_text(code: str, lang: str = "en", column: str | None = None) -> str:
    """Text of a reason code in ``lang`` (``zh`` or ``en``), with the column when given.

    Unknown codes (free text from stores built by older versions) are returned unchanged.
    """
    r = REASONS.get(str(code))
    if r is None:
        return str(code)
    text = pick((r.zh, r.en), lang)
    return fill(("{text}({column})", "{text} ({column})"), lang, text=text, column=column) if column else text
