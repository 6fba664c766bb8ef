"""The district's identity in words: what every report calls the district, its areas, its issuer,
its meeting and its money, in Chinese and English.

:func:`identity_words` turns a store's :class:`~zzanalytics.store.district.Identity` into the
worded values a phrase template may use (``{name}``, ``{subject}``, ``{unit}``, ``{units}``,
``{issuer}``, ``{meeting}``, ``{meeting_date}``, ``{currency}``, ``{money_unit}``); a key the store
does not record is worded neutrally (:data:`IDENTITY`): no report assumes 金河区, 乡镇 or CNY.
:func:`district_words` reads them from a store, for any notebook (``zz report`` injects nothing
a notebook cannot ask for itself).

Examples
--------
>>> from zzanalytics.store.district import Identity
>>> w = identity_words(Identity(name="Lakeport", currency="CAD", unit_en="beat"), "en")
>>> w["name"], w["subject"], w["unit"], w["units"], w["money_unit"]
('Lakeport', 'Lakeport', 'beat', 'beats', 'CAD')
>>> w = identity_words(Identity(), "zh")
>>> w["name"], w["subject"], w["unit"], w["money_unit"]
('', '全区', '区域', '万元')
"""

from __future__ import annotations

from typing import Any

from zzanalytics.report import text as tx
from zzanalytics.store.district import Identity
from zzanalytics.wording import Phrases, pick

__all__ = ["IDENTITY", "KINDS", "district_words", "identity_words", "unit_words", "whole"]

IDENTITY = Phrases(
    {
        "unit": ("区域", "area"),
        "units": ("区域", "areas"),
        "unnamed": ("全区", "the district"),
        "whole": ("全{kind}", "all of the {kind}"),  # English names its whole by its name
    },
    name="identity",
)
"""Neutral words for what a store does not record, and how a district speaks of its whole."""

KINDS = "区县市旗州盟"
"""Last characters of Chinese names of districts, counties, cities, banners, prefectures and leagues:
a briefing speaks of its own as 全区, 全县, 全市 …"""


def whole(name: str | None, lang: str) -> str:
    """How a district speaks of all of itself: ``全区`` / ``全县`` / ``全市`` after the kind its
    Chinese name ends with (the name itself when it ends with none), in English its name;
    ``全区`` / ``the district`` without a name (a title then names no district at all).

    Examples
    --------
    >>> [whole(n, "zh") for n in ("金河区", "永登县", "Lakeport", None)]
    ['全区', '全县', 'Lakeport', '全区']
    >>> whole("City of Lakeport", "en"), whole(None, "en")
    ('City of Lakeport', 'the district')
    """
    if not name:
        return IDENTITY.say("unnamed", lang)
    kind = name[-1]
    return pick((IDENTITY.say("whole", "zh", kind=kind) if kind in KINDS else name, name), lang)


def identity_words(identity: Identity | None, lang: str = "zh") -> dict[str, str]:
    """The identity's worded values in ``lang`` (``""`` for an issuer or meeting not recorded).

    ``name`` is the district's name in that language (its English name in English when recorded,
    else its name; ``""`` when the store records none), ``subject`` how sentences speak of the
    whole (:func:`whole`), ``unit`` / ``units`` what one area / several are called.

    Examples
    --------
    >>> w = identity_words(Identity(name="金河区", name_en="Jinhe District", unit="乡镇(街道)",
    ...                             unit_en="township", meeting_date="2026-11-05"), "en")
    >>> w["name"], w["subject"], w["units"], w["meeting_date"]
    ('Jinhe District', 'Jinhe District', 'townships', '5 November 2026')
    >>> identity_words(Identity(name="金河区", money_unit="萬元"), "zh")["money_unit"]
    '萬元'
    """
    ident = identity or Identity()
    name = pick((ident.name, ident.name_en or ident.name), lang) or ""
    from zzanalytics.report.periods import day_span

    return {
        "name": name,
        "subject": whole(name, lang),
        "unit": pick((ident.unit, ident.unit_en), lang) or IDENTITY.say("unit", lang),
        "units": pick((ident.unit, ident.units_en), lang) or IDENTITY.say("units", lang),
        "issuer": pick((ident.issuer, ident.issuer_en or ident.issuer), lang) or "",
        "meeting": pick((ident.meeting, ident.meeting_en or ident.meeting), lang) or "",
        "meeting_date": day_span(ident.meeting_date, ident.meeting_date, lang) if ident.meeting_date else "",
        "currency": ident.currency,
        "money_unit": tx.money_unit(
            ident.currency, lang, pick((ident.money_unit, ident.money_unit_en), lang)
        ),
    }


def unit_words(identity: Identity | None, lang: str) -> dict[str, str]:
    """What a sentence calls one area (``area_unit``), several (``area_units``) and the whole district
    (``whole``); neutral words (``区域`` / ``area``) where the identity sets none.

    Examples
    --------
    >>> unit_words(Identity(name="金河区", name_en="Jinhe District", unit_en="township"), "en")
    {'area_unit': 'township', 'area_units': 'townships', 'whole': 'Jinhe District'}
    """
    w = identity_words(identity, lang)
    return {"area_unit": w["unit"], "area_units": w["units"], "whole": w["subject"]}


def district_words(store: Any = None, lang: str = "zh") -> dict[str, str]:
    """:func:`identity_words` of a store (a path, an open store, or ``None`` for the default one):
    what a notebook needs to name the district, its areas, its issuer and its money.

    Examples
    --------
    >>> district_words(None, "en")["units"]  # doctest: +SKIP
    'townships'
    """
    if hasattr(store, "identity"):
        return identity_words(store.identity(), lang)
    from zzanalytics.workspace import open_store

    with open_store(store) as st:
        return identity_words(st.identity(), lang)
