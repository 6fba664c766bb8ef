"""The built-in dictionary of police and accident labels (private to ingest): which house category a
source's label most likely is, for the draft mapping that ``zz map`` writes.

Labels are compared after folding traditional characters onto simplified ones
(:func:`zzanalytics.ingest.hanzi.simplified`), case, spaces and punctuation, so ``住宅竊盜``,
``住宅窃盗`` and ``Burglary - Residence`` each find their rule. Rules are tried in order (the
specific before the general: ``theft from motor vehicle`` is not vehicle theft, ``identity theft``
is fraud, ``sexual assault`` is not assault). A label no rule knows becomes a category of its own
(:func:`own_code`) below the family most of the file's labels belong to.

Examples
--------
>>> [propose(x)[0] for x in ["住宅竊盜", "機車竊盜", "诈骗", "Auto Theft", "THEFT FROM MOTOR VEHICLE"]]
['theft.burglary', 'theft.vehicle', 'fraud.other', 'theft.vehicle', 'theft.other']
>>> propose("妨害公務")
(None, '')
>>> own_code("OTHER OFFENSES", "other"), own_code("妨害公務", "other_criminal")
('other.other_offenses', 'other_criminal.妨害公務')
"""

from __future__ import annotations

import re

from zzanalytics.ingest.hanzi import simplified
from zzanalytics.schema import CRIMINAL_PREFIXES

__all__ = ["RULES", "family", "normalise", "own_code", "propose"]

RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "fraud.telecom",
        (
            "电信网络诈骗",
            "电信诈骗",
            "网络诈骗",
            "电信诈欺",
            "网路诈欺",
            "网络诈欺",
            "电诈",
            "电话诈骗",
            "刷单",
            "telecom fraud",
            "telephone fraud",
            "phone scam",
            "online fraud",
            "internet fraud",
            "cyber fraud",
            "wire fraud",
        ),
    ),
    (
        "fraud.other",
        (
            "诈骗",
            "诈欺",
            "骗取",
            "伪造",
            "fraud",
            "swindl",
            "scam",
            "false pretense",
            "identity theft",
            "forgery",
            "counterfeit",
            "credit card",
            "bad check",
        ),
    ),
    ("other_criminal.sexual", ("强奸", "强制性交", "性侵", "猥亵", "rape", "sexual", "sex offen", "sodomy")),
    ("other_criminal.homicide", ("杀人", "杀害", "谋杀", "murder", "homicide", "manslaughter")),
    ("robbery", ("抢劫", "抢夺", "强盗", "robbery", "mugging", "snatch", "carjack", "hold up", "holdup")),
    (
        "theft.other",
        (
            "车内财物",
            "盗窃车内",
            "车内盗窃",
            "theft from motor vehicle",
            "theft from vehicle",
            "theft from auto",
            "theft from car",
            "burglary of motor vehicle",
            "burglary of vehicle",
            "burglary vehicle",
            "vehicle burglary",
            "auto burglary",
            "car break",
        ),
    ),
    (
        "theft.vehicle",
        (
            "盗窃机动车",
            "机动车盗窃",
            "盗抢机动车",
            "盗窃汽车",
            "汽车盗窃",
            "盗窃摩托车",
            "摩托车盗窃",
            "汽车窃盗",
            "机车窃盗",
            "汽机车窃盗",
            "vehicle theft",
            "auto theft",
            "motor vehicle theft",
            "theft of motor vehicle",
            "theft of vehicle",
            "stolen vehicle",
            "stolen auto",
            "stolen car",
            "car theft",
            "motorcycle theft",
            "grand theft auto",
        ),
    ),
    (
        "theft.burglary",
        (
            "入室盗窃",
            "入户盗窃",
            "入民宅盗窃",
            "住宅窃盗",
            "侵入住宅",
            "入屋盗窃",
            "爆窃",
            "burglary",
            "break and enter",
            "breaking and entering",
            "b e",
            "housebreaking",
            "break in",
        ),
    ),
    (
        "theft.other",
        (
            "盗窃",
            "窃盗",
            "偷窃",
            "扒窃",
            "窃取",
            "theft",
            "larceny",
            "shoplift",
            "pickpocket",
            "stolen",
            "steal",
        ),
    ),
    ("other_criminal.arson", ("放火", "纵火", "arson")),
    (
        "other_criminal.drugs",
        ("毒品", "吸毒", "贩毒", "drug", "narcotic", "controlled substance", "cannabis", "marijuana"),
    ),
    ("other_criminal.kidnapping", ("绑架", "掳人", "拐卖", "kidnap", "abduct")),
    ("assault", ("故意伤害", "伤害", "殴打", "斗殴", "assault", "battery", "wounding", "bodily harm")),
    ("traffic.major", ("重大交通事故", "重大道路交通事故", "重大事故")),
    ("traffic.fatal", ("a1", "死亡事故", "fatal")),
    (
        "traffic",
        (
            "交通事故",
            "道路交通",
            "车祸",
            "交通",
            "a2",
            "a3",
            "collision",
            "crash",
            "traffic accident",
            "motor vehicle accident",
            "accident",
            "mva",
            "mvc",
        ),
    ),
    ("fire", ("火灾", "火警", "失火", "起火", "fire")),
)
"""(category code, keywords) in the order they are tried; a keyword matches inside the normalised label
(:func:`normalise`), a short English one only as whole words."""

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise(label: str) -> str:
    """``label`` folded for the dictionary: simplified characters, lower case, punctuation as one space.

    Examples
    --------
    >>> normalise(" Burglary - Residence "), normalise("住宅竊盜")
    ('burglary residence', '住宅窃盗')
    """
    return _PUNCT.sub(" ", simplified(str(label)).casefold()).strip()


def _hit(word: str, text: str) -> bool:
    if word.isascii():  # English words match whole (so "b e" is B&E, never "tube entrance")
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}", text) is not None and (
            len(word) > 4 or re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) is not None
        )
    return word in text


def propose(label: str) -> tuple[str | None, str]:
    """(house code, the dictionary word that matched) for a source label; ``(None, "")`` if none knows it.

    Examples
    --------
    >>> propose("Aggravated Assault"), propose("Sexual Assault")[0], propose("盗窃电动自行车")[0]
    (('assault', 'assault'), 'other_criminal.sexual', 'theft.other')
    """
    text = normalise(label)
    for code, words in RULES:
        for w in words:
            if _hit(w, text):
                return code, w
    return None, ""


def family(proposed: dict[str, int]) -> str:
    """The group a file's own categories go under: ``other_criminal`` when most of its rows (by the codes
    the dictionary found, ``{code: rows}``) are crimes, ``traffic`` when most are accidents, else ``other``.

    Examples
    --------
    >>> family({"theft.burglary": 90, "fire": 5}), family({"traffic": 3}), family({})
    ('other_criminal', 'traffic', 'other')
    """
    total = sum(proposed.values())
    if not total:
        return "other"
    crime = sum(n for c, n in proposed.items() if c.split(".")[0] in CRIMINAL_PREFIXES)
    traffic = sum(n for c, n in proposed.items() if c.split(".")[0] == "traffic")
    if crime > total / 2:
        return "other_criminal"
    if traffic > total / 2:
        return "traffic"
    return "other"


def own_code(label: str, group: str) -> str:
    """A category code of its own for ``label`` below ``group``: the label in lower case with ``_`` for
    spaces and punctuation (Chinese kept as written), at most 40 characters.

    Examples
    --------
    >>> own_code("Criminal Mischief / Vandalism", "other")
    'other.criminal_mischief_vandalism'
    """
    part = _PUNCT.sub("_", str(label).strip().casefold()).strip("_")[:40].strip("_")
    return f"{group}.{part or 'unnamed'}"
