"""Leverage of the programme (放大倍数) at a date, each figure with its numerator and denominator.

- fund leverage = programme loans disbursed ÷ fund capital paid in (梁平: 2.6亿 ÷ 1亿 = 2.60);
- guided ratio = other financing the cooperating banks lent to programme enterprises
  (引导其他商业贷款, every non-programme product in 放款明细) ÷ programme loans
  (江北: 2.06亿 ÷ 3.69亿 = 0.56);
- net loss rate = fiscal cost per 万元 of programme lending: (compensation paid −
  recoveries returned to the fund) ÷ programme loans × 10000, in 元 per 万元.

All cumulative up to and including the date; ratios rounded half-up to two places;
null when the denominator is zero. Money sums come from DuckDB (`v_` views) and the fund
statement's definitions (`reports.fund.flows`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from ..money import WAN, json_yuan, ratio, yuan
from .fund import flows

LOANS_SQL = """
SELECT coalesce(sum(amount) FILTER (WHERE is_programme), 0), coalesce(sum(amount) FILTER (WHERE NOT is_programme), 0)
FROM v_loans WHERE disbursed_on <= $as_of
"""


@dataclass(frozen=True)
class Measure:
    """A ratio with the two figures it is made of; `scale` multiplies the quotient (10000 for per 万元)."""

    label: str
    numerator: Decimal
    denominator: Decimal
    unit: str
    numerator_label: str
    denominator_label: str
    scale: Decimal = Decimal(1)

    @property
    def value(self) -> Decimal | None:
        return ratio(self.numerator * self.scale, self.denominator, 2)

    def to_json(self) -> dict:
        v = self.value
        return {
            "value": None if v is None else f"{v:.2f}",
            "numerator": json_yuan(self.numerator),
            "denominator": json_yuan(self.denominator),
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Leverage:
    """The three leverage figures at `as_of`."""

    as_of: dt.date
    fund_leverage: Measure
    guided_ratio: Measure
    net_loss_rate: Measure

    def measures(self) -> tuple[tuple[str, Measure], ...]:
        return (("fund_leverage", self.fund_leverage), ("guided_ratio", self.guided_ratio), ("net_loss_rate", self.net_loss_rate))

    def to_json(self) -> dict:
        out: dict = {"as_of": self.as_of.isoformat()}
        out.update({name: m.to_json() for name, m in self.measures()})
        return out


def leverage(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> Leverage:
    """Fund leverage, guided financing per programme 元, and net fiscal cost per 万元 lent, to `as_of`."""
    programme, guided = con.execute(LOANS_SQL, {"as_of": as_of}).fetchone()
    return leverage_of(as_of, yuan(programme), yuan(guided), flows(con, as_of))


def leverage_of(as_of: dt.date, programme: Decimal, guided: Decimal, f) -> Leverage:
    """The three measures from their parts: programme and guided lending to `as_of` and the fund's `Flows`."""
    net = f.compensation_paid - f.recoveries_returned
    return Leverage(
        as_of=as_of,
        fund_leverage=Measure("基金放大倍数", programme, f.capital, "倍", "知识价值信用贷款累计放款", "基金到位资本"),
        guided_ratio=Measure("引导其他融资比", guided, programme, "元/元", "引导其他商业贷款", "知识价值信用贷款累计放款"),
        net_loss_rate=Measure(
            "每万元贷款财政净成本", net, programme, "元/万元", "已拨付补偿 − 已分回追偿", "知识价值信用贷款累计放款", scale=WAN
        ),
    )
