"""One masking policy for everything a person reads: briefings (HTML, PDF), CSV and Parquet exports,
the quarantine listing, messages and logs.

The store keeps what the sources said; every output shows it only through this module.

What is masked
--------------
* **Numbers that identify a person**, in any written form: ID card numbers (18 digits, the last
  may be ``X``; the old 15-digit form), mobile numbers (``1[3-9]`` + 9 digits, with or without
  ``+86``/``0086``), landlines with an area code (``0931-8123456``), bank cards and any other run
  of 15 or more digits. Digits may be ASCII, full-width (``１３８``), other Unicode digits
  (``𝟏``, ``①``) or Chinese numerals (``一三八``, ``壹叁捌``); groups may be separated by spaces,
  dashes, dots, slashes, brackets, ``+`` or invisible characters (``138.1234.5678``,
  ``110101 19900307 4518``), and letters or words may touch them (``ID110101…``,
  ``身份证号110101…``). Within a run of digit groups, every run of whole groups that forms a
  mobile or landline number is masked, so a number next to another number is still found.
  A run of at least five digits right after a word such as 身份证, 电话, 手机, 银行卡, QQ or
  phone is masked whatever its length. The first three and last two digits of a long number
  stay visible (``138******78``), shorter numbers are masked whole.
* **Names after a role word** (当事人, 驾驶员, 车主, 报警人, 嫌疑人, 受害人, 姓名, driver, victim …)
  starting with a common surname: ``驾驶员王小明醉酒`` → ``驾驶员王**醉酒``.
* **Licence plates** (``甘A·12345`` → ``甘A*****``), **e-mail addresses** and **house numbers**
  (``3单元401室`` → ``*单元***室``).
* **Columns the mapping declares personal** (``[personal] columns = [...]``): their values are
  masked whole at ingest (first character kept, :func:`mask_value`), and removed from the same
  row's free text, so a name written into the cause is masked too (:func:`masked_source_sql`).

Free text (cause, description) is shown only through :func:`mask_text`, and only where a
section of the briefing needs it.

Examples
--------
>>> mask_text("ID110101199003074518,电话138.1234.5678")
'ID110*************18,电话138******78'
>>> mask_text("身份证 １１０１０１ １９９００３０７ ４５１Ｘ")
'身份证 110*************1X'
>>> mask_text("驾驶员王小明醉酒驾驶,车牌甘A·12345")
'驾驶员王**醉酒驾驶,车牌甘A*****'
>>> mask_text("2026年5月6日发生火灾3起,损失12.5万元")
'2026年5月6日发生火灾3起,损失12.5万元'
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = [
    "PERSON_COLUMNS",
    "is_personal_header",
    "mask_frame",
    "mask_json",
    "mask_name",
    "mask_text",
    "mask_value",
    "masked_source_sql",
    "scrub",
]

PERSON_COLUMNS = ("name", "person", "victim", "suspect", "driver", "reporter", "contact", "姓名", "当事人")
"""Columns of a detail list that hold people's names (masked whole by :func:`mask_frame`)."""

_PERSONAL_HEADER = re.compile(
    r"姓名|名字|当事人|报警人|报案人|举报人|联系人|嫌疑人|受害人|被害人|驾驶员|驾驶人|司机|车主|户主|住址|"
    r"家庭地址|居住地|户籍|身份证|证件|电话|手机|联系方式|邮箱|车牌|号牌|"
    r"(?<![a-z])(?:name|names|person|address|phone|mobile|tel|e-?mail|id_?card|id_?no|contact|plate|"
    r"driver|victim|suspect|reporter|owner|tenant)(?![a-z])",
    re.IGNORECASE,
)
_PLACE_HEADER = re.compile(
    r"区|街道|乡|镇|社区|村|area|town|street|place|categor|类别|类型|kind", re.IGNORECASE
)

# ------------------------------------------------------------------ characters

_CN_DIGITS = {
    **dict.fromkeys("〇零", "0"),
    **{c: str(i) for i, c in enumerate("〇一二三四五六七八九") if i},
    **{c: str(i + 1) for i, c in enumerate("壹贰叁肆伍陆柒捌玖")},
    "幺": "1",
    "貳": "2",
    "參": "3",
    "陸": "6",
}
"""Chinese numerals written digit by digit (一三八…, financial 壹叁捌…, 幺 for 1 in phone numbers)."""


def _other_digits() -> str:
    """Unicode characters with a digit value that ``\\d`` does not match (superscripts, circled …)."""
    ranges = [(0x00B0, 0x00C0), (0x2070, 0x20A0), (0x2460, 0x2500), (0x2776, 0x2794), (0x1F100, 0x1F10D)]
    out = []
    for lo, hi in ranges:
        for cp in range(lo, hi):
            ch = chr(cp)
            if unicodedata.digit(ch, None) is not None and not re.match(r"\d", ch):
                out.append(ch)
    return "".join(out)


_DIGIT_CLASS = r"\d" + re.escape(_other_digits() + "".join(_CN_DIGITS))
_SEP_CLASS = (
    r"\s"  # every space, including U+3000 and no-break spaces
    + re.escape("-‐‑‒–—―−﹣－﹘.．·•・‧∙/／\\＼_＿()（）[]［］【】+＋'\"‘’“”~～")
    + "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    + "\u3164\ufeff\uffa0\ufe00-\ufe0f\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
"""Characters that may stand between the digit groups of one number (and invisible ones)."""

_X_CLASS = "XxＸｘ×"
_RUN = re.compile(
    rf"[{_DIGIT_CLASS}](?:[{_SEP_CLASS}]{{0,4}}[{_DIGIT_CLASS}])*(?:[{_SEP_CLASS}]?[{_X_CLASS}])?"
)
"""A run of digit groups (separators of up to four characters between digits), maybe ending in X."""
_GROUP_SPLIT = re.compile(rf"[{_SEP_CLASS}]+")
_HAS_DIGIT = re.compile(rf"[{_DIGIT_CLASS}]")

_KEYWORDS = re.compile(
    r"(?:身份证|證件|证件|身份号码|公民身份|手机|電話|电话|联系方式|聯繫|座机|传真|银行卡|卡号|账号|帐号|"
    r"护照|QQ|微信|(?<![A-Za-z])(?:tel|phone|mobile|fax|card|passport|id)(?![a-z]))",
    re.IGNORECASE,
)
_KEYWORD_GAP = 8
"""Characters allowed between a keyword and the number it introduces (``号码:``, ``number is``)."""

_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
    "毕单季裴霍涂苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦"
    "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
    "明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强"
    "帅屠豆朴盖练廉禹井祖漆巴丰支卿狄计索宣晋初门云容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓"
    "修邰赫杭况宿鲜印逯隆茹诸战慕危玉银亢嵇哈湛宾戎勾茅於呼居揭尉冶斯束檀衣展阴昝智幸奉植"
    "衡富尧闭"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
    "端木",
    "西门",
    "南宫",
)
_ROLES = (
    "犯罪嫌疑人|嫌疑人|当事人|驾驶员|驾驶人|司机|车主|户主|房主|业主|租户|承租人|出租人|住户|报警人|报案人|"
    "举报人|求助人|受害人|被害人|死者|伤者|遇难者|患者|联系人|负责人|监护人|申请人|被申请人|上访人|信访人|"
    "投诉人|被投诉人|姓名|名字|店主|经营者|法定代表人|法人|肇事者|行人|乘客|男子|女子|老人|村民|居民|学生|"
    "员工|工人|民警|证人"
)
_NAME_AFTER_ROLE = re.compile(rf"(?:{_ROLES})(?:[:：=\s\"'“”‘’「」]|是|为|叫){{0,4}}(?=[\u4e00-\u9fff])")
_NAME_STOP = set(
    "某醉酒驾疲超逆闯违无未因在于的等与和及称说骑开被将把从向对到来去已曾也都又就才还并而且或但"
    "酒后驶车行人员家属发生死亡受伤了着过们所系其该此本几多个名位岁男女"
)
_EN_NAME = re.compile(
    r"\b(?i:name|driver|owner|victim|suspect|reporter|contact|complainant|tenant|resident|witness)"
    r"(?:[\"']?\s*[:=]\s*[\"']?|\s+(?i:is\s+|was\s+)?)((?:[A-Z][a-z'’-]+)(?:\s+[A-Z][a-z'’-]+){0,2})"
)
_PLATE = re.compile(
    r"([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领警学挂])"
    r"([A-Za-zＡ-Ｚａ-ｚ])[\s·•・.\-]?([A-Za-z0-9Ａ-Ｚａ-ｚ０-９]{5,6})(?![A-Za-z0-9])"
)
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_HOUSE = re.compile(rf"[{_DIGIT_CLASS}]+(?=\s*(?:号楼|栋|幢|单元|室))")
_MASK = "*"


def _missing(x: Any) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    return isinstance(x, float) and math.isnan(x)


def _digit_value(ch: str) -> str:
    if ch in _CN_DIGITS:
        return _CN_DIGITS[ch]
    value = unicodedata.digit(ch, None)
    return str(value) if value is not None else ""


def _digits(text: str) -> str:
    """The digits (and a final X) of a run, as ASCII."""
    out = []
    for ch in text:
        d = _digit_value(ch)
        if d:
            out.append(d)
        elif ch in _X_CLASS:
            out.append("X")
    return "".join(out)


def _masked_number(digits: str) -> str:
    """``138******78`` for a long number, all stars for a short one."""
    n = len(digits)
    if n == 13 and digits.startswith("86"):  # +86 written without a separator
        return "86" + _masked_number(digits[2:])
    if n >= 11:
        return digits[:3] + _MASK * (n - 5) + digits[-2:]
    return _MASK * n


def _is_phone(d: str, glued: bool, first: int = 0) -> bool:
    """A mobile or landline number; ``glued``: one group, where ``86`` may touch the number;
    ``first``: digits in the first group (a landline's area code is a group of its own: 0931-…)."""
    mobile = len(d) == 11 and d[0] == "1" and d[1] in "3456789"
    with_86 = glued and len(d) == 13 and d.startswith("86") and d[2] == "1" and d[3] in "3456789"
    landline = d[:1] == "0" and d[1:2] != "0" and 10 <= len(d) <= 12 and (glued or first in (3, 4))
    return mobile or with_86 or landline


def _birth(d: str) -> bool:
    """``YYYYMMDD`` (or ``YYMMDD``) that can be a date of birth."""
    if not d.isdigit():
        return False
    year, rest = (int(d[:4]), d[4:]) if len(d) == 8 else (1900 + int(d[:2]), d[2:])
    return 1900 <= year <= 2099 and 1 <= int(rest[:2]) <= 12 and 1 <= int(rest[2:]) <= 31


def _identifying(d: str, glued: bool, first: int = 0, short: bool = False) -> bool:
    """Digits (ASCII, maybe a final X) of whole groups that identify a person: an ID card number
    (region, date of birth, sequence), a bank card (one group, or groups of three or more
    digits), a mobile or a landline number. ``first``: digits in the first group; ``short``:
    some group has fewer than three digits (dates are written so)."""
    if "X" in d[:-1]:
        return False
    id18 = len(d) == 18 and d[0] != "0" and d[:17].isdigit() and _birth(d[6:14])
    id15 = len(d) == 15 and d[0] != "0" and d.isdigit() and _birth(d[6:12])
    card = 16 <= len(d) <= 19 and d[0] in "345689" and d.isdigit() and (glued or (first >= 4 and not short))
    return id18 or id15 or card or (d.isdigit() and _is_phone(d, glued, first))


def _datelike(d: str) -> bool:
    """A group of a date or time: up to four digits, ``YYYYMMDD``, ``HHMMSS`` or both."""
    if len(d) <= 4:
        return True
    if not d.isdigit():
        return False
    day = len(d) in (8, 14) and _birth(d[:8])
    clock = d[-6:] if len(d) in (6, 14) else ""
    time_ok = not clock or (int(clock[:2]) < 24 and int(clock[2:4]) < 60 and int(clock[4:]) < 60)
    return (day or len(d) == 6) and time_ok


def _number_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` to mask: identifying numbers, and numbers right after a keyword."""
    spans: list[tuple[int, int]] = []
    for m in _RUN.finditer(text):
        run = m.group(0)
        total = _digits(run)
        if len(total) < 5:
            continue
        # the run's groups with their offsets; any run of whole groups may be the number
        groups, pos = [], 0
        for part in _GROUP_SPLIT.split(run):
            at = run.index(part, pos)
            groups.append((at, at + len(part), _digits(part)))
            pos = at + len(part)
        found = False
        for i in range(len(groups)):
            first = groups[i][2]
            # a number starts at a group, or right after a country code written onto it (+861 3812…)
            codes = [len(cc) for cc in ("0086", "86") if first.startswith(cc) and len(first) > len(cc)]
            offsets = [0, *codes[:1]]
            for off in offsets:
                acc = first[off:]
                for j in range(i, len(groups)):
                    if j > i:
                        acc += groups[j][2]
                    if len(acc) > 19:
                        break
                    end = groups[j][1]
                    glued, head = i == j and off == 0, len(first) - off
                    short = any(len(g[2]) < 3 for g in groups[i + 1 : j + 1])
                    if acc.endswith("X") and not _identifying(acc, glued, head, short):
                        acc, end = acc[:-1], end - 1  # a letter x after the number (13812345678x)
                    if _identifying(acc, glued, head, short):
                        spans.append((m.start() + groups[i][0] + off, m.start() + end))
                        found = True
        if found:
            continue
        if len(total) >= 15 and not all(_datelike(g[2]) for g in groups):
            # long and grouped in some other way: mask it whole (not dates: 2026-01-01_2026-10-31)
            spans.append(m.span())
            continue
        before = text[max(0, m.start() - _KEYWORD_GAP - 12) : m.start()]
        hit = None
        for k in _KEYWORDS.finditer(before):
            hit = k
        near = hit is not None and len(before) - hit.end() <= _KEYWORD_GAP
        masked_already = text[m.end() : m.end() + 1] == _MASK or text[m.start() - 1 : m.start()] == _MASK
        if near and not masked_already and not _HAS_DIGIT.search(before[hit.end() :]):
            spans.append(m.span())
    return spans


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _mask_numbers(text: str) -> str:
    spans = _merge(_number_spans(text))
    if not spans:
        return text
    parts, last = [], 0
    for s, e in spans:
        parts.append(text[last:s])
        parts.append(_masked_number(_digits(text[s:e])))
        last = e
    parts.append(text[last:])
    return "".join(parts)


def _name_end(text: str, start: int) -> int:
    """End of a Chinese name that starts at ``start`` (0 when it is no name: no common surname)."""
    if text[start : start + 2] in _COMPOUND_SURNAMES:
        given = 2
    elif text[start : start + 1] in _SURNAMES:
        given = 1
    else:
        return 0
    end = start + given
    for _ in range(2):  # a given name of one or two characters
        if end < len(text) and "\u4e00" <= text[end] <= "\u9fff" and text[end] not in _NAME_STOP:
            end += 1
        else:
            break
    if end == start + given or "某" in text[start:end]:  # a surname alone, or already 张某
        return 0
    return end


def _mask_names(text: str) -> str:
    if not _NAME_AFTER_ROLE.search(text):
        return text
    out, last = [], 0
    for m in _NAME_AFTER_ROLE.finditer(text):
        s = m.end()
        if s < last:
            continue
        e = _name_end(text, s)
        if e:
            out.append(text[last:s])
            out.append(mask_value(text[s:e]))
            last = e
    out.append(text[last:])
    return "".join(out)


def _mask_en_name(m: re.Match) -> str:
    name = m.group(1)
    masked = " ".join(w[0] + _MASK * (len(w) - 1) for w in name.split())
    return m.group(0)[: m.start(1) - m.start(0)] + masked


def mask_text(s: Any) -> str:
    """Free text with every identifying number, name after a role word, plate, e-mail and house
    number masked (see the module docstring). ``None``/NaN give ``""``; the result is idempotent.

    Examples
    --------
    >>> mask_text("报警人李四,手机 +86 138-1234-5678,住幸福路12号3单元401室")
    '报警人李*,手机 +86 138******78,住幸福路12号*单元***室'
    >>> mask_text("案件编号A2026000123,1-6月发案1,234起")
    '案件编号A2026000123,1-6月发案1,234起'
    >>> mask_text("身份证号：一一〇一〇一一九九〇〇三〇七四五一八")
    '身份证号：110*************18'
    >>> mask_text(None)
    ''
    """
    if _missing(s):
        return ""
    text = str(s)
    if _HAS_DIGIT.search(text):
        text = _mask_numbers(text)
        text = _HOUSE.sub(lambda m: _MASK * len(m.group(0)), text)
    text = _PLATE.sub(lambda m: m.group(1) + m.group(2) + _MASK * len(m.group(3)), text)
    text = _EMAIL.sub(lambda m: m.group(1) + _MASK * 3 + m.group(2), text)
    text = _mask_names(text)
    return _EN_NAME.sub(_mask_en_name, text)


def mask_value(s: Any) -> str:
    """A value that is personal as a whole (a name, an address): its first character, then stars.

    Examples
    --------
    >>> mask_value("张三丰"), mask_value("李四"), mask_value("John Smith"), mask_value(None)
    ('张**', '李*', 'J*********', '')
    """
    if _missing(s):
        return ""
    text = str(s).strip()
    return text[:1] + _MASK * (len(text) - 1) if text else ""


mask_name = mask_value
"""A person's name, keeping the first character: ``张三丰`` → ``张**`` (same as :func:`mask_value`)."""


def scrub(text: Any, terms: Iterable[Any]) -> str:
    """``text`` with every occurrence of each term (a name, an address of the same record)
    masked as :func:`mask_value` masks it; terms shorter than two characters are ignored.

    Examples
    --------
    >>> scrub("王小明酒后驾驶,王小明受伤", ["王小明", None, "李"])
    '王**酒后驾驶,王**受伤'
    """
    out = "" if _missing(text) else str(text)
    for t in sorted({str(t).strip() for t in terms if not _missing(t)}, key=len, reverse=True):
        if len(t) >= 2:
            out = out.replace(t, mask_value(t))
    return out


def is_personal_header(header: Any) -> bool:
    """True for a column name that says it holds personal data (姓名, 住址, 联系电话, driver …),
    and is not the name of a place or category (``area_name``, ``街道名称``).

    Examples
    --------
    >>> [is_personal_header(h) for h in ("当事人姓名", "联系电话", "driver", "area_name", "cause")]
    [True, True, True, False, False]
    """
    h = str(header)
    return bool(_PERSONAL_HEADER.search(h)) and not _PLACE_HEADER.search(h)


def mask_json(s: Any) -> str:
    """A raw record kept as JSON (the quarantine's ``raw``), fit for an output: the values of
    personal columns (:func:`is_personal_header`) masked whole, every other text through
    :func:`mask_text`. Text that is not a JSON object goes through :func:`mask_text`.

    Examples
    --------
    >>> mask_json('{"姓名": "王小明", "原因": "王小明酒驾,电话13812345678", "死亡": 1}')
    '{"姓名": "王**", "原因": "王**酒驾,电话138******78", "死亡": 1}'
    """
    import json

    if _missing(s):
        return ""
    try:
        record = json.loads(str(s))
    except (ValueError, TypeError):
        return mask_text(s)
    if not isinstance(record, dict):
        return mask_text(s)
    terms = [str(v) for k, v in record.items() if v is not None and is_personal_header(k)]
    out = {}
    for k, v in record.items():
        key = mask_text(k)
        if isinstance(v, str):
            out[key] = mask_value(v) if is_personal_header(k) else mask_text(scrub(v, terms))
        elif v is not None and is_personal_header(k):
            out[key] = mask_value(str(v))
        else:
            out[key] = v if not isinstance(v, list | dict) else mask_text(json.dumps(v, ensure_ascii=False))
    return json.dumps(out, ensure_ascii=False)


def mask_frame(
    frame: pd.DataFrame, personal: Iterable[str] = PERSON_COLUMNS, *, columns: bool = True
) -> pd.DataFrame:
    """Copy of a frame fit for an output: ``personal`` columns and columns whose name says they
    are personal (:func:`is_personal_header`) masked whole, every other text column (and, with
    ``columns``, the column names) through :func:`mask_text`; numbers untouched.

    Examples
    --------
    >>> df = pd.DataFrame({"driver": ["王小明"], "cause": ["王小明醉驾,电话13912345678"], "deaths": [1]})
    >>> mask_frame(df).to_dict("records")
    [{'driver': '王**', 'cause': '王**醉驾,电话139******78', 'deaths': 1}]
    """
    out = frame.copy()
    names = set(personal)
    whole = [c for c in out.columns if c in names or is_personal_header(c)]
    if whole and len(out):  # a person's name written into the same row's free text
        text_cols = [c for c in out.columns if c not in whole and out[c].dtype == object]
        for col in text_cols:
            out[col] = [
                v if not isinstance(v, str) else scrub(v, terms)
                for v, terms in zip(out[col], out[whole].itertuples(index=False, name=None), strict=True)
            ]
    for col in out.columns:
        values = out[col]
        if col in whole:
            out[col] = values.map(mask_value)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            out[col] = values.map(lambda v: v if not isinstance(v, str) else mask_text(v))
        elif isinstance(values.dtype, pd.CategoricalDtype):
            out[col] = values.cat.rename_categories(lambda v: mask_text(v) if isinstance(v, str) else v)
    if columns:
        out.columns = [mask_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


# ------------------------------------------------------------------ ingest: declared personal columns


def mask_value_sql(expr: str) -> str:
    """SQL (DuckDB) of :func:`mask_value` over a VARCHAR expression (NULL stays NULL).

    Examples
    --------
    >>> import duckdb
    >>> sql = "SELECT " + mask_value_sql("' 张三丰 '")
    >>> duckdb.connect().execute(sql).fetchall()[0][0] == mask_value(" 张三丰 ")
    True
    """
    t = f"trim(CAST({expr} AS VARCHAR))"
    return f"CASE WHEN {t} = '' THEN {t} ELSE left({t}, 1) || repeat('{_MASK}', length({t}) - 1) END"


def masked_source_sql(
    source: str, headers: Sequence[str], personal: Sequence[str], free_text: Sequence[str]
) -> str:
    """SQL of ``source`` with its ``personal`` columns masked whole and their values (of the same
    row) masked wherever they occur in the ``free_text`` columns.

    Used by ingest for the mapping's ``[personal] columns``, so neither the store nor the
    quarantine (which keeps the raw row) ever holds them; an empty ``personal`` returns
    ``source`` unchanged. Values shorter than two characters are not searched for in free text.

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE t AS SELECT '王小明' AS 姓名, '王小明酒后驾驶' AS 原因, '1' AS n")
    >>> sql = masked_source_sql("t", ["姓名", "原因", "n"], ["姓名"], ["原因"])
    >>> con.execute(f"SELECT * FROM {sql}").fetchall()
    [('王**', '王**酒后驾驶', '1')]
    """
    from zzanalytics.sql import ident

    personal = [h for h in headers if h in set(personal)]
    if not personal:
        return source
    replace = []
    for h in headers:
        col = f"p.{ident(h)}"
        if h in personal:
            replace.append(f"{mask_value_sql(col)} AS {ident(h)}")
        elif h in free_text:
            expr = f"CAST({col} AS VARCHAR)"
            for p in personal:
                v = f"trim(CAST(p.{ident(p)} AS VARCHAR))"
                expr = (
                    f"CASE WHEN length(coalesce({v}, '')) >= 2 "
                    f"THEN replace({expr}, {v}, {mask_value_sql(v)}) ELSE {expr} END"
                )
            replace.append(f"{expr} AS {ident(h)}")
    return f"(SELECT * REPLACE ({', '.join(replace)}) FROM {source} p)"
