"""The risk-compensation fund statement (风险补偿基金情况) at a date.

What the fund holds, what it has paid out and got back, what it still owes banks, and each
bank's loss ratio against the ceiling in force (熔断). Computed in DuckDB from the
void-aware `v_` views; only the aggregates come back to Python. Definitions:

- capital: contributions (基金出资) whose 到位日期 is on or before the date, by 出资方;
- compensation paid: 核定补偿金额 of claims whose 拨付日期 is on or before the date;
- claims pending: claims made (申请日期) by the date and not paid by it — owed to banks;
- recoveries returned: for each recovery by the date, the fund's pro-rata share
  回收金额 × 核定补偿金额 ÷ 逾期本金 of the loan's first claim made by the date, rounded
  half-up to the fen per recovery, once the fund has paid that claim (by the date): a
  recovery on a loan without a claim, or before the fund paid anything on it, returns nothing
  yet — the fund can only get back what it paid out;
- balance = capital − compensation paid + recoveries returned;
- a bank's losses and loss ratio, and when it is past the ceiling (熔断), as `programs.fund_losses`
  defines them (the same definition `bank_loss_ceiling` judges claims by), with the
  `risk_fund.loss_ratio_ceiling` in force on the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from ..money import json_yuan, yuan
from ..programs.fund_losses import BANK_DAYS, FIRST_CLAIMS, loss_ratio, past_ceiling

SOURCES = ("市级", "区级", "其他")

CAPITAL_SQL = """
SELECT contributor, sum(amount) FROM v_contributions WHERE paid_on <= $as_of GROUP BY 1
"""

CLAIMS_SQL = """
SELECT
  count(*) FILTER (WHERE claimed_on <= $as_of),
  count(*) FILTER (WHERE paid_on <= $as_of),
  coalesce(sum(approved_amount) FILTER (WHERE paid_on <= $as_of), 0),
  count(*) FILTER (WHERE claimed_on <= $as_of AND (paid_on IS NULL OR paid_on > $as_of)),
  coalesce(sum(approved_amount) FILTER (WHERE claimed_on <= $as_of AND (paid_on IS NULL OR paid_on > $as_of)), 0)
FROM v_claims
"""

# The fund's share of each recovery in fen, rounded half-up exactly in integers:
# floor((2·a·b + c) / (2·c)) = round(a·b/c) for a recovered, b approved, c overdue (all fen, c > 0).
RECOVERIES_SQL = f"""
WITH x AS (
    SELECT r.amount,
           CAST(r.amount * 100 AS HUGEINT) AS a,
           CASE WHEN f.paid_on <= $as_of THEN CAST(f.approved_amount * 100 AS HUGEINT) END AS b,
           nullif(CAST(f.overdue_principal * 100 AS HUGEINT), 0) AS c
    FROM v_recoveries r LEFT JOIN {FIRST_CLAIMS} f USING (contract_no)
    WHERE r.recovered_on <= $as_of
)
SELECT count(*), coalesce(sum(amount), 0), coalesce(sum((2 * a * b + c) // (2 * c)), 0) FROM x
"""

# Claims whose loan is not a live programme loan, and whether the ledger holds that loan as
# another product (a claim on it counts in that bank's compensation, but not in its losses).
ORPHAN_CLAIMS_SQL = """
WITH c AS (SELECT claim_no, contract_no, claimed_on FROM v_claims WHERE claimed_on <= $as_of)
SELECT c.claim_no, c.contract_no, any_value(l.product)
FROM c ANTI JOIN (SELECT contract_no FROM v_loans WHERE is_programme) p USING (contract_no)
LEFT JOIN v_loans l USING (contract_no)
GROUP BY c.claim_no, c.contract_no, c.claimed_on ORDER BY c.claimed_on, c.claim_no
"""

BANKS_SQL = f"""
WITH paid AS (
    SELECT l.bank, sum(c.approved_amount) AS paid FROM v_claims c JOIN v_loans l USING (contract_no)
    WHERE c.paid_on <= $as_of GROUP BY 1
)
SELECT b.bank, sum(b.loans), sum(b.lent), sum(b.loss), sum(b.defaults), coalesce(any_value(paid.paid), 0)
FROM {BANK_DAYS} b LEFT JOIN paid USING (bank)
GROUP BY b.bank ORDER BY sum(b.lent) DESC, b.bank
"""


@dataclass(frozen=True)
class BankLoss:
    """One cooperating bank's programme lending, losses and loss ratio at the date."""

    bank: str
    loan_count: int
    loans: Decimal
    losses: Decimal
    defaults: int  # loans with a claim
    compensation_paid: Decimal
    past_ceiling: bool

    @property
    def loss_ratio(self) -> Decimal | None:
        return loss_ratio(self.losses, self.loans)

    def to_json(self) -> dict:
        r = self.loss_ratio
        return {
            "bank": self.bank,
            "loans": json_yuan(self.loans),
            "loan_count": self.loan_count,
            "losses": json_yuan(self.losses),
            "defaults": self.defaults,
            "loss_ratio": None if r is None else f"{r:.4f}",
            "compensation_paid": json_yuan(self.compensation_paid),
            "past_ceiling": self.past_ceiling,
        }


@dataclass(frozen=True)
class Flows:
    """The fund's money at a date: paid in, paid out, got back."""

    capital_by_source: dict[str, Decimal]
    compensation_paid: Decimal
    recovered: Decimal  # what banks recovered in all
    recoveries_returned: Decimal  # the fund's share of it
    recovery_count: int

    @property
    def capital(self) -> Decimal:
        return yuan(sum(self.capital_by_source.values(), Decimal(0)))

    @property
    def balance(self) -> Decimal:
        return self.capital - self.compensation_paid + self.recoveries_returned


@dataclass(frozen=True)
class FundStatement:
    """The fund statement at `as_of`, with the ceiling in force and the banks past it."""

    as_of: dt.date
    flows: Flows
    claim_count: int
    paid_count: int
    pending_count: int
    pending: Decimal
    banks: tuple[BankLoss, ...]
    ceiling: Decimal | None
    ceiling_cite: str | None
    policy_name: str
    policy_sha256: str
    warnings: tuple[str, ...] = field(default=())

    def to_json(self) -> dict:
        """The `--json` object: amounts as strings in 元, ratios as strings with four places."""
        f = self.flows
        return {
            "as_of": self.as_of.isoformat(),
            "capital": json_yuan(f.capital),
            "capital_by_source": {k: json_yuan(v) for k, v in f.capital_by_source.items()},
            "compensation_paid": json_yuan(f.compensation_paid),
            "recoveries_returned": json_yuan(f.recoveries_returned),
            "recovered": json_yuan(f.recovered),
            "balance": json_yuan(f.balance),
            "claims": {
                "count": self.claim_count,
                "paid_count": self.paid_count,
                "pending_count": self.pending_count,
                "pending": json_yuan(self.pending),
            },
            "banks": [b.to_json() for b in self.banks],
            "loss_ratio_ceiling": None if self.ceiling is None else {"value": f"{self.ceiling}", "rule": self.ceiling_cite},
            "warnings": list(self.warnings),
            "policy": {"name": self.policy_name, "sha256": self.policy_sha256},
        }


def flows(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> Flows:
    """Capital paid in by source, compensation paid, and recoveries (and the fund's share) up to `as_of`."""
    params = {"as_of": as_of}
    by_source = {s: Decimal("0.00") for s in SOURCES}
    for source, amount in con.execute(CAPITAL_SQL, params).fetchall():
        by_source[source] = yuan(amount)
    paid = con.execute(CLAIMS_SQL, params).fetchone()[2]
    count, recovered, returned_fen = con.execute(RECOVERIES_SQL, params).fetchone()
    return Flows(by_source, yuan(paid), yuan(recovered), yuan(Decimal(int(returned_fen)).scaleb(-2)), int(count))


def _orphan_claims(con: duckdb.DuckDBPyConnection, params: dict, in_bank_rows: int) -> list[str]:
    """A warning per claim whose loan is not a live programme loan (so not in its bank's losses).

    The bank rows hold one first claim per loan; only when fewer than the loans claimed on
    are the claims looked up one by one (a scan of every loan, left out when all are there).
    """
    (claimed,) = con.execute("SELECT count(DISTINCT contract_no) FROM v_claims WHERE claimed_on <= $as_of", params).fetchone()
    if claimed == in_bank_rows:
        return []
    return [
        f"风险补偿「{claim_no}」所涉贷款合同「{contract_no}」是{product},不是本项目贷款:"
        f"补偿计入该行已拨付补偿,逾期本金未计入该行损失率"
        if product
        else f"风险补偿「{claim_no}」所涉贷款合同「{contract_no}」不在账本的有效放款中(已作废或未导入),"
        f"其逾期本金与补偿计入基金合计,但未计入任何银行"
        for claim_no, contract_no, product in con.execute(ORPHAN_CLAIMS_SQL, params).fetchall()
    ]


def fund_statement(con: duckdb.DuckDBPyConnection, as_of: dt.date, policy=None) -> FundStatement:
    """The fund statement at `as_of`, judging banks by the `risk_fund` ceiling in force that day."""
    from ..policy import load_policy, policy_path

    policy = policy or load_policy(policy_path())
    version = policy.in_force("risk_fund", as_of)
    ceiling = version.money("loss_ratio_ceiling") if version and "loss_ratio_ceiling" in version.params else None
    cite = version.cite("loss_ratio_ceiling") if ceiling is not None else None
    params = {"as_of": as_of}
    claim_count, paid_count, _paid, pending_count, pending = con.execute(CLAIMS_SQL, params).fetchone()
    banks = []
    for bank, n, lent, losses, defaults, paid in con.execute(BANKS_SQL, params).fetchall():
        past = ceiling is not None and past_ceiling(losses, lent, ceiling)
        banks.append(BankLoss(bank, int(n), yuan(lent), yuan(losses), int(defaults), yuan(paid), past))
    warnings = [
        f"{b.bank} 损失率 {b.loss_ratio:.4f}(损失 {b.losses:,.2f} 元 ÷ 累计放款 {b.loans:,.2f} 元)"
        f"超过上限 {ceiling},基金应暂停对该行补偿(规则 risk_fund.bank_loss_ceiling;{cite})"
        for b in banks
        if b.past_ceiling
    ]
    if ceiling is None and banks:
        warnings.append(
            f"政策文件「{policy.name}」在 {as_of:%Y-%m-%d} 没有生效的 risk_fund.loss_ratio_ceiling,各银行的损失率未与熔断上限比较"
        )
    warnings += _orphan_claims(con, params, sum(b.defaults for b in banks))
    return FundStatement(
        as_of=as_of,
        flows=flows(con, as_of),
        claim_count=int(claim_count),
        paid_count=int(paid_count),
        pending_count=int(pending_count),
        pending=yuan(pending),
        banks=tuple(banks),
        ceiling=ceiling,
        ceiling_cite=cite,
        policy_name=policy.name,
        policy_sha256=policy.sha256,
        warnings=tuple(warnings),
    )
