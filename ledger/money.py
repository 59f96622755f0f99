"""Money as officials write it: exact 元 in data, 万元 / 亿元 in reports.

Amounts are `Decimal` 元 with two places everywhere; these helpers only format them.
Rounding is ROUND_HALF_UP, as in official documents (not banker's rounding).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
WAN = Decimal(10000)
YI = Decimal(100000000)


def yuan(value) -> Decimal:
    """An amount in 元 with exactly two places (None and NULL sums are 0)."""
    return Decimal(value or 0).quantize(FEN, rounding=ROUND_HALF_UP)


def json_yuan(value) -> str:
    """The JSON form of an amount: a string in 元 with two decimals, e.g. "241280000.00"."""
    return f"{yuan(value):.2f}"


def to_wan(value, places: int = 2) -> Decimal:
    """元 to 万元, rounded half-up to `places`."""
    return (yuan(value) / WAN).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_wan(value, places: int = 2) -> str:
    """A 万元 figure for tables: thousands separators, `places` decimals."""
    return f"{to_wan(value, places):,.{places}f}"


def ratio(numerator, denominator, places: int = 2) -> Decimal | None:
    """numerator ÷ denominator rounded half-up, or None when the denominator is zero."""
    num, den = Decimal(numerator or 0), Decimal(denominator or 0)
    if den == 0:
        return None
    return (num / den).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
