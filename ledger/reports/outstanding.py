"""Outstanding principal of programme loans at any date: per loan, per bank, per enterprise.

余额 = 放款 − 归还 − 核销, each counted up to and including the date. 核销 (write-off): a loan
with a claim on the fund is written off for the 逾期本金 of its first claim (`fund_losses`
defines which claim is first) from that claim's 申请日期; a second claim on the same loan is a
flagged anomaly and writes nothing off again. Only programme loans
(知识价值信用贷款) are carried: they are the fund's exposure. Computed in DuckDB from the
void-aware `v_` views; nothing is loaded row by row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from ..money import json_yuan, yuan
from ..programs.fund_losses import FIRST_CLAIMS

# One row per programme loan disbursed on or before $as_of, with what was repaid and written off.
LOAN_BALANCES = f"""(
    SELECT l.contract_no, l.credit_code, l.enterprise_name, l.bank, l.disbursed_on, l.maturity_on,
           l.amount AS disbursed,
           coalesce(r.repaid, 0) AS repaid,
           coalesce(w.overdue_principal, 0) AS written_off,
           l.amount - coalesce(r.repaid, 0) - coalesce(w.overdue_principal, 0) AS outstanding
    FROM v_loans l
    LEFT JOIN (SELECT contract_no, sum(principal) AS repaid FROM v_repayments WHERE repaid_on <= $as_of GROUP BY 1) r
        USING (contract_no)
    LEFT JOIN {FIRST_CLAIMS} w USING (contract_no)
    WHERE l.is_programme AND l.disbursed_on <= $as_of
)"""

BY = {
    # by → (label, key, name shown beside the key)
    "loan": ("贷款合同", "contract_no", "any_value(enterprise_name || ' / ' || bank)"),
    "bank": ("合作银行", "bank", "NULL"),
    "enterprise": ("企业", "credit_code", "any_value(enterprise_name)"),
}


@dataclass(frozen=True)
class Balance:
    """Principal of one loan, bank or enterprise (or of all) at the date, in 元."""

    key: str
    name: str | None
    loans: int
    disbursed: Decimal
    repaid: Decimal
    written_off: Decimal
    outstanding: Decimal

    def to_json(self) -> dict:
        out = {"key": self.key} if self.key else {}
        if self.name:
            out["name"] = self.name
        out.update(
            {
                "loans": self.loans,
                "disbursed": json_yuan(self.disbursed),
                "repaid": json_yuan(self.repaid),
                "written_off": json_yuan(self.written_off),
                "outstanding": json_yuan(self.outstanding),
            }
        )
        return out


@dataclass(frozen=True)
class Outstanding:
    """Outstanding programme principal at `as_of`, split by loan, bank or enterprise."""

    as_of: dt.date
    by: str
    label: str
    total: Balance
    rows: tuple[Balance, ...]

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "by": self.by,
            "total": self.total.to_json(),
            "rows": [r.to_json() for r in self.rows],
        }


def _balance(key, name, r) -> Balance:
    return Balance(key, name, int(r[0]), yuan(r[1]), yuan(r[2]), yuan(r[3]), yuan(r[4]))


def outstanding(con: duckdb.DuckDBPyConnection, as_of: dt.date, by: str = "bank") -> Outstanding:
    """Programme principal lent, repaid, written off and outstanding at `as_of`, by loan, bank or enterprise.

    Rows are ordered by outstanding principal, largest first; the total is over all rows.
    """
    if by not in BY:
        raise ValueError(by)
    label, key, name = BY[by]
    figures = "count(*), sum(disbursed), sum(repaid), sum(written_off), sum(outstanding)"
    # The rows and their total in one pass over the loans (the total row, grouping() = 1, comes last).
    rows = con.execute(
        f"SELECT grouping({key}) AS whole, {key}, {name}, {figures} FROM {LOAN_BALANCES} "
        f"GROUP BY GROUPING SETS (({key}), ()) ORDER BY whole, sum(outstanding) DESC, {key}",
        {"as_of": as_of},
    ).fetchall()
    *parts, total = rows
    return Outstanding(
        as_of=as_of,
        by=by,
        label=label,
        total=_balance("", None, total[3:]),
        rows=tuple(_balance(r[1], r[2], r[3:]) for r in parts),
    )
