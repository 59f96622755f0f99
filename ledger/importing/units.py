"""The grammar of headers and money units: how a header names its column and its unit.

`贷款金额\n（万元）` and `贷款金额(万)` are one header in one unit; a line `单位:千元` above a
table sets the unit of its amounts. Units the importer does not convert (美元, 千万元) are
recognised too, so that a sheet in them is refused by name rather than read in 元.
"""

from __future__ import annotations

import re

from .text import BLANK_RUN, HALF_WIDTH, text_of

# The money units the importer converts, to 元: a column's unit comes from its header
# (放款金额(千元)), else from a unit line above the table (单位:亿元), else 元.
UNITS = {"元": 1, "千元": 1000, "万元": 10000, "百万元": 1000000, "亿元": 100000000}
UNIT_NAMES = "、".join(UNITS)
# How a unit may be shortened where it cannot be mistaken: 放款金额(万), 160万.
_BARE_UNITS = {"千": "千元", "万": "万元", "百万": "百万元", "亿": "亿元"}

# A unit in a header's trailing brackets: (万元), (单位:千元), (人民币亿元), (万), (人民币,万元),
# (本金,元), and also units the importer does not convert, such as (美元) or (千万元), so that
# those are named and refused rather than left in the header, where they hid the column.
_UNIT_IN_BRACKETS = r"\((?:[^()]*?[,、/])?(?:金额)?(?:单位:?)?(?:人民币)?(?P<unit>[^():,、/]{0,4}元|百万|千|万|亿)\)"
_HEADER_UNIT = re.compile(f"(?P<base>.+?){_UNIT_IN_BRACKETS}")
_UNIT_SPELLING = re.compile(f"{_UNIT_IN_BRACKETS}$")
# "单位:" and what follows it up to a space or the end of the sentence ("单位:户、万元", "单位:万元(人民币)").
_UNIT_LABEL = re.compile(r"单位\s*:\s*(?P<seg>[^\s;;。]*)")
# One item of it that is a money unit, whole: 万元, 人民币千元, 美元, 万 (not 万州支行, not 元通小贷公司).
_MONEY_UNIT = re.compile(r"(?:人民币)?(?:[十百千万亿美港澳台欧英日韩]{0,3}元|百万|千|万|亿)")
_UNIT_ITEMS = re.compile(r"[、,，/／()（）]")


def canonical_unit(word: str) -> str:
    """A unit as UNITS names it: 万 → 万元, 人民币千元 → 千元; a unit not in UNITS comes back as written."""
    word = word.removeprefix("人民币")
    return _BARE_UNITS.get(word, word)


def unit_multiplier(unit: str | None) -> int | None:
    """元 per one of `unit` (千元 → 1000); None for a unit the importer does not convert (美元)."""
    return UNITS.get(canonical_unit(unit)) if unit else None


def normalize_header(text) -> str:
    """A header cell in comparable form: half-width punctuation, no whitespace of any kind.

    Banks type headers with full-width brackets and line breaks inside the cell, so
    ' 贷款金额\\n（万元） ' and '贷款金额(万元)' must compare equal. A trailing money unit
    is spelled one way: (万), (单位:万元) and (人民币万元) become (万元); (人民币元) becomes (元);
    (单位:千元) becomes (千元).
    """
    if text is None:
        return ""
    t = text if isinstance(text, str) else text_of(text) or ""
    t = BLANK_RUN.sub("", t.translate(HALF_WIDTH))
    if t.endswith(")"):
        t = _UNIT_SPELLING.sub(lambda m: f"({canonical_unit(m['unit'])})", t)
    return t


def header_unit(text: str) -> tuple[str, str | None]:
    """Split a normalized header into (base name, unit or None): '贷款金额(千元)' -> ('贷款金额', '千元').

    Only a money unit in trailing brackets is split off, known or not ('放款金额(美元)' ->
    ('放款金额', '美元'): the column is found and its unit refused by name, see
    unit_multiplier); anything else, such as '年利率(%)', stays part of the name.
    """
    m = _HEADER_UNIT.fullmatch(text)
    if not m:
        return text, None
    return m["base"], canonical_unit(m["unit"])


def unit_line(text) -> str | None:
    """The unit a line above a table declares: '单位:千元' -> '千元', '单位:美元' -> '美元', else None.

    The unit may share its cell with other words ('填报单位:XX银行  单位:万元'). Units the
    importer does not convert are returned too, so that the sheet is refused naming them
    instead of being read in 元 (a 千元 sheet read in 元 is 1,000 times too small).
    """
    if not isinstance(text, str):
        return None
    for label in _UNIT_LABEL.finditer(text.translate(HALF_WIDTH)):
        for item in _UNIT_ITEMS.split(label["seg"]):
            if _MONEY_UNIT.fullmatch(item):
                return canonical_unit(item)
    return None
