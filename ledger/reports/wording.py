"""Figures as officials write them in meeting papers and replies: 24128万元, 3.69亿元, 2.6倍.

The ledger keeps exact 元; these helpers only word them. Rounding is ROUND_HALF_UP (as in
official documents, not banker's rounding), at most two decimals, trailing zeros dropped
("15899.8万元", "2.6亿元", "24128万元"). Whether a figure is written in 亿元 or 万元 is
decided after rounding, so 9999.996万元 is written 1亿元, never 10000万元.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from ..money import WAN, YI, yuan

PLACES = Decimal("0.01")
UNITS = {"万元": WAN, "亿元": YI}
AUTO = "auto"


def trim(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 24128.00 → "24128", 15899.80 → "15899.8"."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def rounded(value, unit: Decimal, places: Decimal = PLACES) -> Decimal:
    """元 divided into `unit` (万 or 亿) and rounded half-up to `places`."""
    return (yuan(value) / unit).quantize(places, rounding=ROUND_HALF_UP)


def unit_for(amount) -> str:
    """"亿元" for a figure that reads 1亿元 or more once rounded, else "万元"."""
    return "亿元" if abs(rounded(amount, WAN)) >= WAN else "万元"


def money_words(amount, unit: str = AUTO) -> str:
    """An amount of 元 as written in a reply: "24128万元", "3.69亿元" (unit "auto", "万元" or "亿元").

    In a unit asked for, an amount too small to show in it (2万元 is 0亿元 to two decimals)
    is written in 万元 instead: a paragraph never says 0 of something that was paid.
    """
    name = unit_for(amount) if unit == AUTO else unit
    if name not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    value = rounded(amount, UNITS[name])
    if value == 0 and name == "亿元" and yuan(amount) != 0:
        return money_words(amount, "万元")
    return f"{trim(value)}{name}"


def times_words(multiple: Decimal | None) -> str:
    """A multiple as in "放大倍数2.6倍" (one or two decimals, half-up); "—" when undefined."""
    if multiple is None:
        return "—"
    return f"{trim(Decimal(multiple).quantize(PLACES, rounding=ROUND_HALF_UP))}倍"


def percent_words(share: Decimal | None, places: Decimal = Decimal("0.1")) -> str:
    """A share (0.235) as a percentage "23.5%", half-up to one decimal; "—" when undefined."""
    if share is None:
        return "—"
    return f"{trim((Decimal(share) * 100).quantize(places, rounding=ROUND_HALF_UP))}%"


def change_share(now, before) -> Decimal | None:
    """(now − before) ÷ before, or None when there is nothing to compare with (before is 0)."""
    now, before = Decimal(now or 0), Decimal(before or 0)
    if before == 0:
        return None
    return (now - before) / before


def change_words(now, before, prefix: str = "同比") -> str:
    """"同比增长23.5%", "同比下降4%", "与上年同期持平", or "上年同期为零" when no base."""
    share = change_share(now, before)
    if share is None:
        return "上年同期为零" if Decimal(now or 0) else "与上年同期均为零"
    text = percent_words(abs(share))
    if text == "0%":
        return "与上年同期持平"
    return f"{prefix}{'增长' if share > 0 else '下降'}{text}"


def signed_percent(share: Decimal | None) -> str:
    """A change as a signed percentage for tables: "+23.5%", "-4%", "—" when undefined."""
    if share is None:
        return "—"
    text = percent_words(abs(share))
    if text == "0%":
        return "0%"
    return f"{'+' if share > 0 else '-'}{text}"


def cn_date(day: dt.date) -> str:
    """A date as Chinese documents write it: 2021年3月5日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def date_words(day: dt.date) -> str:
    """The date as in "截至2021年底": year end → "2021年底", month end → "2021年10月底", else "2021年10月15日"."""
    if day.month == 12 and day.day == 31:
        return f"{day.year}年底"
    if (day + dt.timedelta(days=1)).day == 1:
        return f"{day.year}年{day.month}月底"
    return cn_date(day)


def period_words(start: dt.date, end: dt.date) -> str:
    """A period as officials name it: "2021年10月", "2021年", or "2021年3月5日至2021年10月15日"."""
    month_end = (end + dt.timedelta(days=1)).day == 1
    if start.day == 1 and month_end and start.year == end.year:
        if start.month == 1 and end.month == 12:
            return f"{start.year}年"
        if start.month == end.month:
            return f"{start.year}年{start.month}月"
        return f"{start.year}年{start.month}—{end.month}月"
    return f"{cn_date(start)}至{cn_date(end)}"
