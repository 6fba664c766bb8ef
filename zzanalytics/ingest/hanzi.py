"""Chinese characters for telling encodings and labels apart (private to ingest).

:data:`COMMON` holds about 750 of the most frequent Chinese characters, simplified and traditional,
with the words of police, accident and address exports; a text decoded in the right encoding is
mostly made of them, the same bytes decoded in a wrong one are not (:func:`common_share`).
:func:`simplified` folds the traditional characters of those words onto simplified ones, so that
``住宅竊盜`` and ``住宅窃盗`` are one label to the dictionaries.

Examples
--------
>>> simplified("住宅竊盜"), round(common_share("臺北市大安區住宅竊盜"), 2)
('住宅窃盗', 1.0)
"""

from __future__ import annotations

import re

__all__ = ["COMMON", "cjk_count", "common_share", "simplified"]

COMMON = frozenset(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她"
    "里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老"
    "从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机"
    "给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产"
    "入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提"
    "感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛"
    "林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权"
    "往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式"
    "李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据"
    "导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴案号编类盗窃诈骗伤害抢劫夺故杀亡"
    "辆街镇乡村警局楼室栋段巷弄县省州旗码姓址纬坐标星备注料供填审核截止损摩托汽驾驶乘客货微财毒赌博纵"
    "奸猥亵绑架诱拐私侵占挪贪污贿伪妨寻衅滋聚斗殴拘禁敲勒索宅扒這來國個說們為時會著過學對裡後麼沒於還"
    "發當無開見經頭從動兩長樣現將與進實點種聲話兒問機給幾業間電門東聽氣關並內卻軍產萬體別處總場師書員"
    "華報馬張難數車應計親務臺記邊風戰幹許覺題統請愛讓認論義術結連遠資隊帶條變聯權該領傳紅決達辦運強區"
    "轉眾輕語滿寫識極黃臉錢黨設雙歷廣議際則單據導網專誰讀飛觀爭組視濟離雖壞興號編類盜竊詐騙傷搶奪殺輛"
    "鎮鄉樓棟縣碼緯座標備註製審損駕駛貨財賭縱姦褻綁誘佔貪汙賄偽尋釁鬥毆爲裏喫衆覈僞灣"
)
"""Frequent Chinese characters (simplified and traditional) and those of the exports' own words."""

_TRAD = (
    "這來國個說們為時會過學對裡後麼沒於還發當無開見經頭從動兩長樣現將與進實點種聲話兒問機給幾業間電門"
    "東聽氣關並內卻軍產萬體別處總場師書員華報馬張難數車應計親務臺記邊風戰幹許覺題統請愛讓認論義術結連"
    "遠資隊帶條變聯權該領傳紅決達辦運強區轉眾輕語滿寫識極黃臉錢黨設雙歷廣議際則單據導網專誰讀飛觀爭組"
    "視濟離雖壞興號編類盜竊詐騙傷搶奪殺輛鎮鄉樓棟縣碼緯標備註製審損駕駛貨財賭縱姦褻綁誘佔貪汙賄偽尋釁"
    "鬥毆爲裏喫衆覈僞灣禍腳擄贖贓嚇擄違槍彈藥剝筆轄"
)
_SIMP = (
    "这来国个说们为时会过学对里后么没于还发当无开见经头从动两长样现将与进实点种声话儿问机给几业间电门"
    "东听气关并内却军产万体别处总场师书员华报马张难数车应计亲务台记边风战干许觉题统请爱让认论义术结连"
    "远资队带条变联权该领传红决达办运强区转众轻语满写识极黄脸钱党设双历广议际则单据导网专谁读飞观争组"
    "视济离虽坏兴号编类盗窃诈骗伤抢夺杀辆镇乡楼栋县码纬标备注制审损驾驶货财赌纵奸亵绑诱占贪污贿伪寻衅"
    "斗殴为里吃众核伪湾祸脚掳赎赃吓掳违枪弹药剥笔辖"
)
_T2S = str.maketrans(_TRAD, _SIMP)
_CJK = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")


def simplified(text: str) -> str:
    """``text`` with the traditional characters of :data:`COMMON` written simplified.

    Examples
    --------
    >>> simplified("汽車竊盜 機車竊盜")
    '汽车窃盗 机车窃盗'
    """
    return text.translate(_T2S)


def cjk_count(text: str) -> int:
    """Number of Chinese characters (CJK unified ideographs) in ``text``."""
    return len(_CJK.findall(text))


def common_share(text: str) -> float:
    """Share of the Chinese characters of ``text`` that are in :data:`COMMON` (0 when it has none).

    Examples
    --------
    >>> common_share("abc"), common_share("的一")
    (0.0, 1.0)
    """
    chars = _CJK.findall(text)
    if not chars:
        return 0.0
    return sum(c in COMMON for c in chars) / len(chars)
