"""The headline figures of summary, fund and leverage at a date: what a period close records.

One flat, ordered list of figures (key, Chinese label, kind, value), computed by the reports'
own functions so that they are exactly the figures `report summary|fund|leverage` print.
None depends on the policy file (the fund's ceiling and warnings are left out), so a close
and a later `report changes` compare like with like whatever policy is in force. The JSON
form (`values_json`) is what a close entry stores; its digest is `journal.record_digest`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from ..money import json_yuan, yuan

MONEY, COUNT, RATIO = "money", "count", "ratio"


@dataclass(frozen=True)
class Figure:
    """One headline figure: its key (e.g. `loans.amount`), label, kind and value (元, a count or a ratio)."""

    key: str
    label: str
    kind: str  # money | count | ratio
    value: Decimal | int | None


def figure_json(kind: str, value) -> str | int | None:
    """A figure's JSON value: 元 string, integer count, or ratio string with two places (null if none)."""
    if value is None:
        return None
    if kind == MONEY:
        return json_yuan(value)
    if kind == COUNT:
        return int(value)
    return f"{Decimal(value):.2f}"


def figure_value(kind: str, text):
    """The inverse of `figure_json`: a figure's value read back from a close entry."""
    if text is None:
        return None
    if kind == MONEY:
        return yuan(Decimal(text))
    if kind == COUNT:
        return int(text)
    return Decimal(text)


def headline(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[Figure]:
    """The headline figures, cumulative to `as_of`, from the store's `v_` views (as known at, if shadowed)."""
    from .fund import CLAIMS_SQL, flows
    from .leverage import leverage_of
    from .summary import FIGURES, figure, summary

    s = summary(con, as_of)
    out = [Figure(f"{g}.{f}", label, MONEY if money else COUNT, figure(s, g, f)) for g, f, label, money in FIGURES]
    fl = flows(con, as_of)
    claims, paid, _paid_amount, pending_count, pending = con.execute(CLAIMS_SQL, {"as_of": as_of}).fetchone()
    out += [
        Figure("fund.capital", "基金到位资本", MONEY, fl.capital),
        Figure("fund.compensation_paid", "已拨付风险补偿", MONEY, fl.compensation_paid),
        Figure("fund.recoveries_returned", "追偿分回基金", MONEY, fl.recoveries_returned),
        Figure("fund.balance", "基金余额", MONEY, fl.balance),
        Figure("fund.claims", "风险补偿申请(笔)", COUNT, int(claims)),
        Figure("fund.claims_paid", "已拨付补偿(笔)", COUNT, int(paid)),
        Figure("fund.claims_pending", "待拨付补偿(笔)", COUNT, int(pending_count)),
        Figure("fund.pending", "待拨付补偿金额", MONEY, yuan(pending)),
    ]
    lev = leverage_of(as_of, s.loans.amount, s.guided.amount, fl)  # the summary's lending is the leverage's
    out += [Figure(f"leverage.{name}", m.label, RATIO, m.value) for name, m in lev.measures()]
    return out


def values_json(figures: list[Figure]) -> dict:
    """{key: JSON value} of the figures, in their order: what a close records and digests."""
    return {f.key: figure_json(f.kind, f.value) for f in figures}


def digest(figures: list[Figure]) -> str:
    """sha256 of the figures' canonical JSON (the close entry's content hash)."""
    from ..journal import record_digest

    return record_digest(values_json(figures))


def from_json(values: dict, like: list[Figure]) -> list[Figure]:
    """Figures recorded as `values_json`, labelled and typed as `like` (the current headline list)."""
    return [Figure(f.key, f.label, f.kind, figure_value(f.kind, values.get(f.key))) for f in like if f.key in values]
