"""The compensation audit's headline figures in one DuckDB query: the bare work `audit claims` is timed against.

`ledger audit claims` judges every claim with the fund's claim rules (`ledger.programs.fund_rules`);
this module states the same rules once more as set operations over the base tables (voided rows
left out the way the `v_` views do), with the policy's `[[risk_fund]]` versions inlined as a
VALUES list. It counts what the audit's headline counts, per bank and in total: claims, eligible,
ineligible, 核定补偿金额, the amount of the claims with a finding (amount_ineligible) and the amount
beyond what the policy allows (amount_excess: all of a claim not allowed at all, the amount above
the fund's share of one approved too high). It builds no reasons, citations or evidence.

Two statements of one policy that must agree: bench/run.py compares the figures at city scale and
tests/test_claims_audit.py on the ledger that plants one claim per rule.
"""

from __future__ import annotations

import datetime as dt

SECTION = "risk_fund"
NO_BANK = "(贷款不在账本中)"


def _date(value) -> str:
    return f"DATE '{value.isoformat()}'" if isinstance(value, dt.date) else "NULL::DATE"


def _versions(policy) -> str:
    """The policy's risk_fund versions as a VALUES list (share, days, ceiling)."""
    rows = [
        f"({_date(v.effective_from)}, {_date(v.effective_to)}, {v.money('fund_share')}::DECIMAL(18,4), "
        f"{int(v['claim_after_overdue_days'])}, {v.money('loss_ratio_ceiling')}::DECIMAL(18,4))"
        for v in policy.versions(SECTION)
    ]
    return ", ".join(rows) or "(NULL::DATE, NULL::DATE, NULL::DECIMAL(18,4), NULL::INTEGER, NULL::DECIMAL(18,4))"


def statements(policy, live) -> list[str]:
    """The query, for `policy`; `live(table, alias)` is the condition that leaves voided rows out."""
    return [
        f"""
WITH ver(since, until, share, days, ceiling) AS (VALUES {_versions(policy)}),
c AS (SELECT * FROM claims c WHERE {live('claims', 'c')}),
lo AS (SELECT * FROM loans l WHERE {live('loans', 'l')}),
ranked AS (SELECT c.*, row_number() OVER (PARTITION BY contract_no ORDER BY claimed_on, claim_no, id) AS rk FROM c),
rep AS (
  SELECT r.contract_no, r.repaid_on, r.principal FROM repayments r
  WHERE {live('repayments', 'r')} AND r.contract_no IN (SELECT contract_no FROM c)
),
-- each bank's programme lending and losses (first claims) by day, cumulated
bank_day AS (
  SELECT bank, day, sum(lent) AS lent, sum(loss) AS loss FROM (
    SELECT bank, disbursed_on AS day, amount AS lent, 0 AS loss FROM lo WHERE is_programme
    UNION ALL
    SELECT l.bank, greatest(f.claimed_on, l.disbursed_on), 0, f.overdue_principal
    FROM ranked f JOIN lo l USING (contract_no) WHERE f.rk = 1 AND l.is_programme
  ) GROUP BY ALL
),
cum AS (
  SELECT bank, day, sum(lent) OVER (PARTITION BY bank ORDER BY day) AS lent, sum(loss) OVER (PARTITION BY bank ORDER BY day) AS loss
  FROM bank_day
),
x AS (
  SELECT k.id, k.approved_amount AS amount, k.overdue_principal AS overdue, k.claimed_on, k.paid_on, k.rk,
         l.id AS loan_id, l.bank, l.is_programme, l.maturity_on, l.amount - coalesce(p.repaid, 0) AS unpaid,
         ver.since IS NOT NULL AS in_force, ver.share, ver.days, ver.ceiling
  FROM ranked k
  LEFT JOIN lo l USING (contract_no)
  LEFT JOIN (SELECT k2.id, sum(rep.principal) AS repaid FROM ranked k2 JOIN rep ON rep.contract_no = k2.contract_no
             AND rep.repaid_on <= k2.claimed_on GROUP BY k2.id) p ON p.id = k.id
  LEFT JOIN ver ON ver.since <= k.claimed_on AND (ver.until IS NULL OR k.claimed_on < ver.until)
),
y AS (
  SELECT x.*, cum.lent AS bank_lent, cum.loss AS bank_loss,
         round(x.share * least(x.overdue, x.unpaid), 2) AS cap
  FROM x ASOF LEFT JOIN cum ON x.bank = cum.bank AND x.claimed_on >= cum.day
),
verdict AS (
  SELECT coalesce(bank, '{NO_BANK}') AS bank, amount,
    coalesce(NOT in_force                                                     -- claim_policy_in_force
    OR loan_id IS NULL                                                        -- contract_known
    OR NOT is_programme                                                       -- claim_programme_loan
    OR rk > 1                                                                 -- single_claim
    OR (claimed_on - maturity_on < days)                                      -- claim_overdue_period
    OR (is_programme AND coalesce(bank_loss, 0) > ceiling * coalesce(bank_lent, 0))  -- bank_loss_ceiling
      , false) AS whole,
    coalesce(loan_id IS NOT NULL AND overdue > unpaid, false)                 -- claim_unpaid_principal
    OR coalesce(in_force AND loan_id IS NOT NULL AND amount > cap, false)     -- claim_share
    OR coalesce(paid_on < claimed_on, false)                                  -- paid_after_claim
      AS partly,
    CASE WHEN in_force AND loan_id IS NOT NULL THEN greatest(amount - cap, 0) ELSE 0 END AS share_excess
  FROM y
)
SELECT GROUPING(bank) AS grouping, coalesce(bank, '合计'), count(*), coalesce(sum(amount), 0),
       count(*) FILTER (WHERE NOT (whole OR partly)), count(*) FILTER (WHERE whole OR partly),
       coalesce(sum(amount) FILTER (WHERE whole OR partly), 0),
       coalesce(sum(CASE WHEN whole THEN amount ELSE share_excess END), 0)
FROM verdict
GROUP BY GROUPING SETS ((bank), ())
ORDER BY grouping, bank
"""
    ]
