"""What the fund counts as a loss: the definitions the fund's rules and reports share, written once.

- A loan's loss (核销) is the 逾期本金 of its first claim: the earliest by 申请日期, then by
  补偿申请编号 (then by the order claims entered the ledger, for rows that name one claim twice).
  Every later claim on the same loan is a second claim: flagged by `single_claim`, adding no loss.
  The order never depends on the order files were imported in, only on the claims themselves.
- A bank's loss ratio on a day = the losses of its programme loans (each counted from the later
  of its first claim's 申请日期 and the loan's 放款日期) ÷ its programme loans disbursed, both up to
  and including that day. The bank is past the ceiling (熔断) when losses > ceiling × lent.

`FIRST_CLAIMS` and `BANK_DAYS` read the void-aware `v_` views and take the date as `$as_of`
(a rule judging the whole ledger binds the last date there is).
"""

from __future__ import annotations

from decimal import Decimal

from ..money import ratio

# Every claim made on or before $as_of, numbered per loan in the order that makes the first one the loss.
CLAIM_ORDER = """(
    SELECT c.*, row_number() OVER (PARTITION BY contract_no ORDER BY claimed_on, claim_no, id) AS claim_rank
    FROM v_claims c WHERE claimed_on <= $as_of
)"""

# The first claim of each loan made on or before $as_of: its 逾期本金 is the loan's loss.
FIRST_CLAIMS = f"(SELECT * FROM {CLAIM_ORDER} WHERE claim_rank = 1)"

# Per cooperating bank and day: programme loans disbursed (count, amount) and losses that day
# (first claims, with their count); a bank's figures at a day are the sums up to it.
BANK_DAYS = f"""(
    SELECT bank, day, sum(loans) AS loans, sum(lent) AS lent, sum(defaults) AS defaults, sum(loss) AS loss FROM (
        SELECT bank, disbursed_on AS day, 1 AS loans, amount AS lent, 0 AS defaults, 0 AS loss
        FROM v_loans WHERE is_programme AND disbursed_on <= $as_of
        UNION ALL
        SELECT l.bank, greatest(f.claimed_on, l.disbursed_on), 0, 0, 1, f.overdue_principal
        FROM {FIRST_CLAIMS} f JOIN v_loans l USING (contract_no) WHERE l.is_programme AND l.disbursed_on <= $as_of
    ) GROUP BY bank, day
)"""


def loss_ratio(losses, lent) -> Decimal | None:
    """A bank's loss ratio to four places: losses ÷ programme loans disbursed (None before any loan)."""
    return ratio(losses, lent, 4)


def past_ceiling(losses, lent, ceiling) -> bool:
    """熔断: the bank's losses exceed `ceiling` × its programme loans disbursed (exact decimals)."""
    return Decimal(losses) > Decimal(ceiling) * Decimal(lent)
