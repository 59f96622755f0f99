"""风险补偿基金 rules over the whole ledger: each `rule(facts, policy) -> list[Finding]` (see `findings`).

Each rule judges the stored facts (the void-aware `v_` views, up to `facts.as_of`) by the
`[[risk_fund]]` policy version in force on the fact's own date (a claim: its 申请日期), names the
row and the column it is about, cites the parameter in force and the version's public source,
and, where it can, says the amount beyond what the policy allows (`Finding.excess`, in terms of
the claim's 核定补偿金额: a claim the fund should not pay at all is in excess by all of it).
Nothing here depends on the order in which files were imported: a loan's first claim and a
bank's loss ratio are defined by `fund_losses` from the facts' own dates and numbers, and a
running total (repaid, recovered) counts every row of one day together.

`RULES` lists them all (what `ledger check` runs); `CLAIM_RULES` are those judging
compensation claims (what `ledger audit claims` runs). `RULE_TITLES` gives each its Chinese title.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..money import yuan
from .findings import Facts, Finding
from .fund_losses import BANK_DAYS, CLAIM_ORDER, loss_ratio, past_ceiling
from .risk_fund import CONTRIBUTORS, SECTION

END = dt.date(9999, 12, 31)  # the as-of date of a rule judging everything there is
FEN = Decimal("0.01")


def _params(facts: Facts) -> dict:
    return {"as_of": facts.as_of or END}


def money_text(value) -> str:
    """An amount in 元 for messages: 1,234,567.89."""
    return f"{yuan(value):,.2f}"


def rule_ref(name: str, cite: str = "") -> str:
    """How a message names its rule and the parameter in force: (规则 risk_fund.claim_share;risk_fund.fund_share=0.8(…))."""
    return f"(规则 {SECTION}.{name}{';' + cite if cite else ''})"


def _judging(policy, c: "ClaimFact", rule: str, field: str, name: str):
    """The `risk_fund` version a claim is judged by for parameter `name`, or a finding saying it cannot be.

    Returns (version, None) or (None, finding); (None, None) when no version is in force on the
    claim date at all, which `claim_policy_in_force` says once for the claim.
    """
    v = policy.in_force(SECTION, c.claimed_on)
    if v is None:
        return None, None
    if name in v.params:
        return v, None
    return None, Finding(
        rule=rule,
        table="claims",
        row_id=c.id,
        field=field,
        message=f"{c.who}申请日期 {c.claimed_on:%Y-%m-%d} 有效的政策版本({v.since})未规定 {SECTION}.{name},无法按政策检查 {rule_ref(rule)}",
        hint=f"请在政策文件该日期适用的 [[{SECTION}]] 版本中写明 {name}。",
        cites=(f"{SECTION}.{name}(未规定,{v.since})",),
        source=v.source,
    )


# ---------------------------------------------------------------- the claims as the rules see them


@dataclass(frozen=True)
class ClaimFact:
    """One stored claim with its loan (None fields when the ledger has no live loan of that contract)."""

    id: int
    claim_no: str
    contract_no: str
    claimed_on: dt.date
    overdue: Decimal
    approved: Decimal
    paid_on: dt.date | None
    rank: int  # 1: the loan's first claim (its loss); 2, 3…: later claims on it
    first_id: int
    first_no: str
    first_on: dt.date
    loan_id: int | None
    bank: str | None
    credit_code: str | None
    enterprise: str | None
    product: str | None
    is_programme: bool | None
    maturity_on: dt.date | None
    lent: Decimal | None
    repaid: Decimal  # principal repaid on or before the claim date

    @property
    def who(self) -> str:
        return f"补偿申请「{self.claim_no}」(贷款合同「{self.contract_no}」)"

    @property
    def unpaid(self) -> Decimal | None:
        """Principal still unpaid on the claim date: 放款 − 归还 (None without the loan)."""
        return None if self.lent is None else self.lent - self.repaid

    @property
    def loan(self) -> tuple[tuple[str, int], ...]:
        return (("loans", self.loan_id),) if self.loan_id is not None else ()


CLAIMS_SQL = f"""
WITH c AS {CLAIM_ORDER},
first AS (SELECT contract_no, id AS first_id, claim_no AS first_no, claimed_on AS first_on FROM c WHERE claim_rank = 1),
l AS (
    SELECT id, contract_no, bank, credit_code, enterprise_name, product, is_programme, maturity_on, amount FROM v_loans
    WHERE disbursed_on <= $as_of AND contract_no IN (SELECT contract_no FROM c)
),
r AS (
    SELECT c.id, sum(r.principal) AS repaid FROM c JOIN v_repayments r ON r.contract_no = c.contract_no AND r.repaid_on <= c.claimed_on
    GROUP BY c.id
)
SELECT c.id, c.claim_no, c.contract_no, c.claimed_on, c.overdue_principal, c.approved_amount, c.paid_on, c.claim_rank,
       f.first_id, f.first_no, f.first_on, l.id, l.bank, l.credit_code, l.enterprise_name, l.product, l.is_programme, l.maturity_on,
       l.amount, coalesce(r.repaid, 0)
FROM c JOIN first f USING (contract_no) LEFT JOIN l USING (contract_no) LEFT JOIN r ON r.id = c.id
ORDER BY c.claimed_on, c.claim_no, c.id
"""


_read: list = [None, None]  # the Facts object last read, and what was read of it


def claim_facts(facts: Facts) -> list[ClaimFact]:
    """Every claim made by the as-of date, in date order, with its loan, its rank and the principal repaid before it.

    Read once per `Facts` object (by identity): the claim rules, run in turn over the same
    facts, share one read of the claims and their loans. A new check or import makes its own
    `Facts`, so nothing read before a write is seen after it.
    """
    if _read[0] is not facts:
        _read[:] = [facts, [ClaimFact(*row) for row in facts.con.execute(CLAIMS_SQL, _params(facts)).fetchall()]]
    return _read[1]


# ---------------------------------------------------------------- rules of claims


def on_claim(c: ClaimFact, rule: str, field: str, message: str, hint: str, **more) -> Finding:
    """A finding of `rule` about claim `c`, at its column `field`."""
    return Finding(rule=rule, table="claims", row_id=c.id, field=field, message=message, hint=hint, **more)


def claim_policy_in_force(facts: Facts, policy) -> list[Finding]:
    """A claim made on a day no version of the `risk_fund` policy was in force is not allowed at all."""
    versions = policy.versions(SECTION)
    first = f"{SECTION}(最早版本 {versions[0].effective_from:%Y-%m-%d} 起)" if versions else f"{SECTION}(政策文件中没有此节)"
    return [
        on_claim(
            c,
            "claim_policy_in_force",
            "claimed_on",
            message=f"{c.who}申请日期 {c.claimed_on:%Y-%m-%d} 没有生效的风险补偿基金政策,{first} {rule_ref('claim_policy_in_force')}",
            hint=f"如该日已有本区县的补偿办法,请在政策文件中补充该日期适用的 [[{SECTION}]] 版本。",
            cites=(first,),
            excess=c.approved,
        )
        for c in claim_facts(facts)
        if policy.in_force(SECTION, c.claimed_on) is None
    ]


def claim_programme_loan(facts: Facts, policy) -> list[Finding]:
    """The fund compensates programme loans (知识价值信用贷款) only: a claim on another product is not allowed at all."""
    return [
        on_claim(
            c,
            "claim_programme_loan",
            "contract_no",
            message=f"{c.who}的贷款品种为「{c.product}」,不是知识价值信用贷款,风险补偿基金不予补偿 {rule_ref('claim_programme_loan')}",
            hint="请核对合同编号;非本项目贷款的损失不由风险补偿基金承担。",
            excess=c.approved,
            related=c.loan,
        )
        for c in claim_facts(facts)
        if c.loan_id is not None and not c.is_programme
    ]


def single_claim(facts: Facts, policy) -> list[Finding]:
    """A loan is compensated once: every claim after its first (by 申请日期, then 补偿申请编号) is not allowed."""
    return [
        on_claim(
            c,
            "single_claim",
            "contract_no",
            message=f"{c.who}:该贷款已有补偿申请「{c.first_no}」({c.first_on:%Y-%m-%d} 申请),同一笔贷款不应第二次申请补偿 {rule_ref('single_claim')}",
            hint="请核对是否重复申报;第二次申请不计入损失,如确需更正请作废原申请后重报。",
            excess=c.approved,
            related=(("claims", c.first_id),),
        )
        for c in claim_facts(facts)
        if c.rank > 1
    ]


def claim_overdue_period(facts: Facts, policy) -> list[Finding]:
    """A bank may claim only after the loan has been overdue `claim_after_overdue_days`, counted from 到期日期."""
    out = []
    for c in claim_facts(facts):
        if c.maturity_on is None:
            continue
        v, unjudged = _judging(policy, c, "claim_overdue_period", "claimed_on", "claim_after_overdue_days")
        if v is None:
            out += [unjudged] if unjudged else []
            continue
        days, needed = (c.claimed_on - c.maturity_on).days, int(v["claim_after_overdue_days"])
        if days >= needed:
            continue
        state = f"逾期仅 {days} 天" if days >= 0 else f"尚未到期(距到期还有 {-days} 天)"
        cite = v.cite("claim_after_overdue_days")
        out.append(
            on_claim(
                c,
                "claim_overdue_period",
                "claimed_on",
                message=f"{c.who}到期日期 {c.maturity_on:%Y-%m-%d},申请日期 {c.claimed_on:%Y-%m-%d},{state},不足 {needed} 天 {rule_ref('claim_overdue_period', cite)}",
                hint=f"逾期天数自到期日期起算;满 {needed} 天后方可申请补偿,请核对申请日期或到期日期。",
                cites=(cite,),
                source=v.source,
                excess=c.approved,
                related=c.loan,
            )
        )
    return out


def claim_unpaid_principal(facts: Facts, policy) -> list[Finding]:
    """逾期本金 is not more than the loan's principal still unpaid on the claim date (放款 − 归还).

    What the fund pays beyond its share of the unpaid principal is `claim_share`'s excess.
    """
    return [
        on_claim(
            c,
            "claim_unpaid_principal",
            "overdue_principal",
            message=(
                f"{c.who}逾期本金 {money_text(c.overdue)} 元,超过申请日 {c.claimed_on:%Y-%m-%d} 的未还本金 "
                f"{money_text(c.unpaid)} 元(放款 {money_text(c.lent)} 元 − 已归还本金 {money_text(c.repaid)} 元){rule_ref('claim_unpaid_principal')}"
            ),
            hint="请核对逾期本金与还款明细;未导入的还款请先导入。",
            related=c.loan,
        )
        for c in claim_facts(facts)
        if c.unpaid is not None and c.overdue > c.unpaid
    ]


def allowed_compensation(c: ClaimFact, share: Decimal) -> Decimal:
    """The most the fund may pay on a claim: `share` × the smaller of 逾期本金 and the principal unpaid, to the fen."""
    base = c.overdue if c.unpaid is None else min(c.overdue, c.unpaid)
    return (Decimal(share) * base).quantize(FEN, rounding=ROUND_HALF_UP)


def claim_share(facts: Facts, policy) -> list[Finding]:
    """核定补偿金额 ≤ fund_share × unpaid principal (the smaller of 逾期本金 and 放款 − 归还), to the fen."""
    out = []
    for c in claim_facts(facts):
        if c.loan_id is None:
            continue
        v, unjudged = _judging(policy, c, "claim_share", "approved_amount", "fund_share")
        if v is None:
            out += [unjudged] if unjudged else []
            continue
        cap = allowed_compensation(c, v.money("fund_share"))
        if c.approved <= cap:
            continue
        cite = v.cite("fund_share")
        base = c.overdue if c.unpaid is None else min(c.overdue, c.unpaid)
        out.append(
            on_claim(
                c,
                "claim_share",
                "approved_amount",
                message=(
                    f"{c.who}核定补偿金额 {money_text(c.approved)} 元,超过基金承担比例 {v['fund_share']} × 未还本金 {money_text(base)} 元 = "
                    f"{money_text(cap)} 元,多 {money_text(c.approved - cap)} 元 {rule_ref('claim_share', cite)}"
                ),
                hint="基金只承担本金损失的规定比例;请核对核定补偿金额,超出部分不应由基金支付。",
                cites=(cite,),
                source=v.source,
                excess=c.approved - cap,
                related=c.loan,
            )
        )
    return out


# Each bank's programme lending and losses in fen, cumulated day by day (the days in order; whole
# numbers come back to Python several times faster than decimals).
BANK_HISTORY_SQL = f"""
SELECT bank, day, CAST(sum(lent) OVER w * 100 AS HUGEINT), CAST(sum(loss) OVER w * 100 AS HUGEINT) FROM {BANK_DAYS}
WINDOW w AS (PARTITION BY bank ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY bank, day
"""


def bank_history(facts: Facts) -> dict[str, tuple[list, list, list]]:
    """Per bank: its days, and its programme loans disbursed and losses (in fen) up to and including each."""
    out: dict[str, tuple[list, list, list]] = {}
    for bank, day, lent, losses in facts.con.execute(BANK_HISTORY_SQL, _params(facts)).fetchall():
        days, lents, loss = out.setdefault(bank, ([], [], []))
        days.append(day)
        lents.append(lent)
        loss.append(losses)
    return out


def bank_loss_ceiling(facts: Facts, policy) -> list[Finding]:
    """熔断: the claiming bank's loss ratio on the claim date (this claim included) is not past the ceiling in force.

    Past it the fund stops paying that bank: the claim is not allowed at all.
    """
    history = bank_history(facts)
    out = []
    for c in claim_facts(facts):
        if not c.is_programme:
            continue
        v, unjudged = _judging(policy, c, "bank_loss_ceiling", "claimed_on", "loss_ratio_ceiling")
        if v is None:
            out += [unjudged] if unjudged else []
            continue
        days, lents, losses_by_day = history.get(c.bank, ([], [], []))
        at = bisect.bisect_right(days, c.claimed_on) - 1
        lent, losses = (lents[at], losses_by_day[at]) if at >= 0 else (0, 0)
        ceiling = v.money("loss_ratio_ceiling")
        if not past_ceiling(losses, lent, ceiling):
            continue
        share = loss_ratio(losses, lent)
        shown = f"{share:.4f}" if share is not None else "—(尚无放款)"
        cite = v.cite("loss_ratio_ceiling")
        out.append(
            on_claim(
                c,
                "bank_loss_ceiling",
                "claimed_on",
                message=(
                    f"{c.who}:{c.bank} 截至 {c.claimed_on:%Y-%m-%d} 损失率 {shown}(损失 {money_text(Decimal(losses).scaleb(-2))} 元 ÷ "
                    f"累计放款 {money_text(Decimal(lent).scaleb(-2))} 元),"
                    f"超过上限 {v['loss_ratio_ceiling']},基金应暂停对该行补偿 {rule_ref('bank_loss_ceiling', cite)}"
                ),
                hint="损失率超过熔断上限后,风险补偿基金暂停对该合作银行的补偿;请核实后再决定是否拨付。",
                cites=(cite,),
                source=v.source,
                excess=c.approved,
                related=c.loan,
            )
        )
    return out


def paid_after_claim(facts: Facts, policy) -> list[Finding]:
    """A claim is paid (拨付日期) on or after the day it was made (申请日期)."""
    return [
        on_claim(
            c,
            "paid_after_claim",
            "paid_on",
            message=f"{c.who}拨付日期 {c.paid_on:%Y-%m-%d} 早于申请日期 {c.claimed_on:%Y-%m-%d} {rule_ref('paid_after_claim')}",
            hint="请核对拨付日期与申请日期;尚未拨付的请留空。",
        )
        for c in claim_facts(facts)
        if c.paid_on is not None and c.paid_on < c.claimed_on
    ]


# ---------------------------------------------------------------- rules of every row naming a loan

def contract_known(facts: Facts, policy) -> list[Finding]:
    """A claim names a live loan of the ledger (not voided, not missing).

    A claim on no loan of the ledger cannot be shown to be on a programme loan: none of it is allowed.
    """
    return [
        on_claim(
            c,
            "contract_known",
            "contract_no",
            message=f"{c.who}所涉贷款合同不在账本的有效放款明细中(未导入或已作废){rule_ref('contract_known')}",
            hint="请先导入该笔贷款的放款明细,或核对合同编号。",
            excess=c.approved,
        )
        for c in claim_facts(facts)
        if c.loan_id is None
    ]


def loan_events_known(facts: Facts, policy) -> list[Finding]:
    """Every repayment and recovery names a live loan of the ledger (not voided, not missing)."""
    out = []
    for table, day, label in (("repayments", "repaid_on", "还款"), ("recoveries", "recovered_on", "追偿回收")):
        rows = facts.con.execute(
            f"SELECT t.id, t.contract_no, t.{day} FROM v_{table} t ANTI JOIN (SELECT contract_no FROM v_loans WHERE disbursed_on <= $as_of) l"
            f" USING (contract_no) WHERE t.{day} <= $as_of ORDER BY t.{day}, t.contract_no, t.id",
            _params(facts),
        ).fetchall()
        out += [
            Finding(
                rule="loan_events_known",
                table=table,
                row_id=rid,
                field="contract_no",
                message=f"{label}({when:%Y-%m-%d})所涉贷款合同「{no}」不在账本的有效放款明细中(未导入或已作废){rule_ref('loan_events_known')}",
                hint="请先导入该笔贷款的放款明细,或核对合同编号。",
            )
            for rid, no, when in rows
        ]
    return out


def recovery_after_claim(facts: Facts, policy) -> list[Finding]:
    """A recovery follows a claim on the same loan (on or before the recovery date)."""
    rows = facts.con.execute(
        """
        SELECT r.id, r.contract_no, r.recovered_on FROM v_recoveries r
        WHERE r.recovered_on <= $as_of AND NOT EXISTS (
            SELECT 1 FROM v_claims c WHERE c.contract_no = r.contract_no AND c.claimed_on <= r.recovered_on)
        ORDER BY r.recovered_on, r.contract_no, r.id
        """,
        _params(facts),
    ).fetchall()
    return [
        Finding(
            rule="recovery_after_claim",
            table="recoveries",
            row_id=rid,
            field="contract_no",
            message=f"贷款合同「{no}」在回收日期 {day:%Y-%m-%d} 前没有风险补偿申请,基金无可分回的份额 {rule_ref('recovery_after_claim')}",
            hint="追偿回收应在补偿申请之后;请核对合同编号,或先导入该笔贷款的风险补偿表。",
        )
        for rid, no, day in rows
    ]


def recovery_within_loss(facts: Facts, policy) -> list[Finding]:
    """What banks recover on a loan, in total up to each recovery's date, is not more than the loan's loss."""
    rows = facts.con.execute(
        f"""
        WITH c AS {CLAIM_ORDER}
        SELECT r.id, r.contract_no, r.amount, r.total, f.overdue_principal, f.id FROM (
            SELECT *, sum(amount) OVER (PARTITION BY contract_no ORDER BY recovered_on RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total
            FROM v_recoveries WHERE recovered_on <= $as_of) r
        JOIN c f ON f.contract_no = r.contract_no AND f.claim_rank = 1
        WHERE r.total > f.overdue_principal ORDER BY r.recovered_on, r.contract_no, r.id
        """,
        _params(facts),
    ).fetchall()
    return [
        Finding(
            rule="recovery_within_loss",
            table="recoveries",
            row_id=rid,
            field="amount",
            message=f"贷款合同「{no}」累计回收 {money_text(total)} 元,超过补偿申请的逾期本金(损失){money_text(loss)} 元 {rule_ref('recovery_within_loss')}",
            hint="请核对回收金额;回收超过损失的部分不属于本金追偿。",
            excess=yuan(min(amount, total - loss)),
            related=(("claims", claim_id),),
        )
        for rid, no, amount, total, loss, claim_id in rows
    ]


def repayment_within_principal(facts: Facts, policy) -> list[Finding]:
    """Principal repaid on a loan, in total up to each repayment's date, is not more than what is left of it.

    What is left is the amount lent, less the loss of a claim made on or before the repayment:
    that principal was written off to the fund, so money the bank gets back afterwards is a
    recovery (追偿回收), not a repayment.
    """
    rows = facts.con.execute(
        f"""
        WITH c AS {CLAIM_ORDER},
        r AS (
            SELECT *, sum(principal) OVER (PARTITION BY contract_no ORDER BY repaid_on RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total
            FROM v_repayments WHERE repaid_on <= $as_of
        )
        SELECT r.id, r.contract_no, r.principal, r.total, l.amount, coalesce(f.overdue_principal, 0), l.id, f.id
        FROM r JOIN v_loans l USING (contract_no)
        LEFT JOIN c f ON f.contract_no = r.contract_no AND f.claim_rank = 1 AND f.claimed_on <= r.repaid_on
        WHERE r.total + coalesce(f.overdue_principal, 0) > l.amount ORDER BY r.repaid_on, r.contract_no, r.id
        """,
        _params(facts),
    ).fetchall()

    def message(no, total, lent, written_off) -> str:
        if not written_off:
            return f"贷款合同「{no}」累计归还本金 {money_text(total)} 元,超过放款金额 {money_text(lent)} 元 {rule_ref('repayment_within_principal')}"
        return (
            f"贷款合同「{no}」累计归还本金 {money_text(total)} 元,加上已申请风险补偿的逾期本金 {money_text(written_off)} 元,"
            f"超过放款金额 {money_text(lent)} 元 {rule_ref('repayment_within_principal')}"
        )

    return [
        Finding(
            rule="repayment_within_principal",
            table="repayments",
            row_id=rid,
            field="principal",
            message=message(no, total, lent, written_off),
            hint="请核对归还本金(是否把利息计入了本金,或同一笔还款报了两次);申请风险补偿后银行收回的款项应作为追偿回收报送。",
            excess=yuan(min(principal, total + written_off - lent)),
            related=(("loans", loan_id),) + ((("claims", claim_id),) if claim_id is not None else ()),
        )
        for rid, no, principal, total, lent, written_off, loan_id, claim_id in rows
    ]


def contributor_kind(facts: Facts, policy) -> list[Finding]:
    """出资方 is one of 市级 / 区级 / 其他, so capital can be reported by source."""
    rows = facts.con.execute(
        "SELECT id, contributor FROM v_contributions WHERE paid_on <= $as_of AND NOT list_contains($kinds, contributor)"
        " ORDER BY paid_on, id",
        {**_params(facts), "kinds": list(CONTRIBUTORS)},
    ).fetchall()
    return [
        Finding(
            rule="contributor_kind",
            table="contributions",
            row_id=rid,
            field="contributor",
            message=f"出资方「{who}」不是 {'/'.join(CONTRIBUTORS)} 之一 {rule_ref('contributor_kind')}",
            hint=f"出资方请填写 {'、'.join(CONTRIBUTORS)} 之一(市级财政填「市级」,区县财政填「区级」)。",
        )
        for rid, who in rows
    ]


RULE_TITLES = {
    "claim_policy_in_force": "申请日有生效政策",
    "claim_programme_loan": "补偿对象为本项目贷款",
    "single_claim": "同一笔贷款只补偿一次",
    "claim_overdue_period": "逾期满规定天数后申请",
    "claim_unpaid_principal": "逾期本金不超过未还本金",
    "claim_share": "补偿不超过基金承担比例",
    "bank_loss_ceiling": "合作银行未触发熔断",
    "paid_after_claim": "拨付不早于申请",
    "contract_known": "所涉贷款在放款明细中",
    "loan_events_known": "还款与回收所涉贷款在放款明细中",
    "recovery_after_claim": "回收在补偿申请之后",
    "recovery_within_loss": "回收不超过损失",
    "repayment_within_principal": "归还本金不超过尚欠本金",
    "contributor_kind": "出资方为市级/区级/其他",
}

# The rules judging compensation claims, in the order an auditor reads a claim's reasons.
CLAIM_RULES = (
    claim_policy_in_force,
    contract_known,
    claim_programme_loan,
    single_claim,
    claim_overdue_period,
    claim_unpaid_principal,
    claim_share,
    bank_loss_ceiling,
    paid_after_claim,
)
RULES = CLAIM_RULES + (loan_events_known, recovery_after_claim, recovery_within_loss, repayment_within_principal, contributor_kind)

for _rule in RULES:
    _rule.title = RULE_TITLES[_rule.__name__]  # read by `ledger check` as the rule's title
