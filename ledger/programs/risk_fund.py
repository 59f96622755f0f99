"""风险补偿基金: capital paid in, repayments, claims for bad loans, recoveries — and their rules.

The fund bears a share of a cooperating bank's principal loss on a programme loan. The
rules below judge each row by the `risk_fund` policy version in force on the row's own
date (claims: 申请日期; loans: 放款日期) and name the rule and the parameter they used,
e.g. `risk_fund.fund_share=0.8(2017-01-01起)`. A claim that breaks a rule is imported and
flagged (WARNING), never silently corrected; only facts that cannot be placed at all (a
contract that is in neither the ledger nor the same import, an unknown 出资方, a payment
dated before its claim) refuse the file.

Definitions the rules and the fund report share:
- a loan is overdue from its 到期日期 (the sheets carry no separate overdue date), so a
  claim may be made `claim_after_overdue_days` after maturity at the earliest;
- a loan's loss (核销) is the 逾期本金 of its first claim (by 申请日期, then by the order
  claims entered the ledger); a second claim on the same loan is flagged and adds no loss;
- a bank's loss ratio on a day = losses of its programme loans claimed up to that day ÷ its
  programme loans disbursed up to that day; past `loss_ratio_ceiling` the fund stops paying;
- an enterprise's outstanding programme principal (放款 − 归还 − 核销) may not exceed
  `single_enterprise_cap` after any of its programme loans is disbursed.

Facts of the current import take part beside the stored ones: the rules see one relation
per kind, the ledger's `v_` rows plus the pending rows whose key is not stored yet.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal

from ..errors import UsageError
from ..money import ratio
from ..problems import ERROR, WARNING, Problem
from . import ImportContext, PendingSheet

SECTION = "risk_fund"
CONTRIBUTORS = ("市级", "区级", "其他")
PARAMETERS = ("fund_share", "claim_after_overdue_days", "single_enterprise_cap", "loss_ratio_ceiling")


# ---------------------------------------------------------------- policy


def policy():
    """The policy file in use ($LEDGER_POLICY or the shipped default), read once per path."""
    from ..policy import load_policy, policy_path

    return load_policy(policy_path())


def versions():
    """The `risk_fund` versions of the policy in use, each checked to carry every parameter."""
    pol = policy()
    found = pol.versions(SECTION)
    for v in found:
        missing = [p for p in PARAMETERS if p not in v.params]
        if missing:
            raise UsageError(
                f"政策文件 {pol.path} 中 {v.effective_from:%Y-%m-%d} 起的 [[{SECTION}]] 缺少参数: {'、'.join(missing)}",
                f"每个 [[{SECTION}]] 版本都须写全 {'、'.join(PARAMETERS)}。",
            )
    return found


def _params_frame(found):
    """The versions as a relation (vi, vfrom, vto, share, days, cap_fen, ceiling) for SQL joins."""
    import pandas as pd

    return pd.DataFrame(
        {
            "vi": pd.array(range(len(found)), dtype="Int64"),
            "vfrom": pd.Series([v.effective_from for v in found], dtype="object"),
            "vto": pd.Series([v.effective_to for v in found], dtype="object"),
            "share": pd.Series([str(v.money("fund_share")) for v in found], dtype="object"),
            "days": pd.array([int(v["claim_after_overdue_days"]) for v in found], dtype="Int64"),
            "cap_fen": pd.array([int(v.money("single_enterprise_cap") * 100) for v in found], dtype="Int64"),
            "ceiling": pd.Series([str(v.money("loss_ratio_ceiling")) for v in found], dtype="object"),
        }
    )


PARAMS = """(SELECT vi, CAST(vfrom AS DATE) AS vfrom, CAST(vto AS DATE) AS vto, CAST(share AS DECIMAL(38,6)) AS share,
    CAST(days AS INTEGER) AS days, CAST(cap_fen AS BIGINT) AS cap_fen, CAST(ceiling AS DECIMAL(38,6)) AS ceiling
    FROM rf_params)"""


def in_force(day_expr: str) -> str:
    """The join condition picking the version in force on `day_expr`."""
    return f"{day_expr} >= p.vfrom AND (p.vto IS NULL OR {day_expr} < p.vto)"


# ---------------------------------------------------------------- the facts a rule sees

# Per kind: stored rows (amounts in fen), and pending rows (frame `{name}`) not stored yet.
# Columns: the kind's facts, then pend (0 stored, 1 pending), si (pending sheet index), ord (row in sheet).
_FACTS = {
    "loans": (
        "SELECT contract_no, credit_code, bank, product, is_programme, disbursed_on, maturity_on,"
        " CAST(amount * 100 AS BIGINT) AS fen, 0 AS pend, -1 AS si, id AS ord FROM v_loans",
        "SELECT contract_no, credit_code, bank, product, CAST(is_programme AS BOOLEAN), CAST(disbursed_on AS DATE),"
        " CAST(maturity_on AS DATE), CAST(amount AS BIGINT), 1, si, ord FROM {name} i"
        " WHERE NOT EXISTS (SELECT 1 FROM v_loans t WHERE t.contract_no = i.contract_no)",
        ("contract_no", "credit_code", "bank", "product", "is_programme", "disbursed_on", "maturity_on", "amount"),
    ),
    "repayments": (
        "SELECT contract_no, repaid_on, CAST(principal * 100 AS BIGINT) AS fen, 0 AS pend, -1 AS si, id AS ord FROM v_repayments",
        "SELECT contract_no, CAST(repaid_on AS DATE), CAST(principal AS BIGINT), 1, si, ord FROM {name} i"
        " WHERE NOT EXISTS (SELECT 1 FROM v_repayments t WHERE t.contract_no = i.contract_no"
        " AND t.repaid_on = CAST(i.repaid_on AS DATE) AND t.occurrence = i.occurrence)",
        ("contract_no", "repaid_on", "principal", "occurrence"),
    ),
    "claims": (
        "SELECT claim_no, contract_no, claimed_on, CAST(overdue_principal * 100 AS BIGINT) AS overdue_fen,"
        " CAST(approved_amount * 100 AS BIGINT) AS approved_fen, paid_on, 0 AS pend, -1 AS si, id AS ord FROM v_claims",
        "SELECT claim_no, contract_no, CAST(claimed_on AS DATE), CAST(overdue_principal AS BIGINT),"
        " CAST(approved_amount AS BIGINT), CAST(paid_on AS DATE), 1, si, ord FROM {name} i"
        " WHERE NOT EXISTS (SELECT 1 FROM v_claims t WHERE t.claim_no = i.claim_no)",
        ("claim_no", "contract_no", "claimed_on", "overdue_principal", "approved_amount", "paid_on"),
    ),
    "recoveries": (
        "SELECT contract_no, recovered_on, CAST(amount * 100 AS BIGINT) AS fen, 0 AS pend, -1 AS si, id AS ord FROM v_recoveries",
        "SELECT contract_no, CAST(recovered_on AS DATE), CAST(amount AS BIGINT), 1, si, ord FROM {name} i"
        " WHERE NOT EXISTS (SELECT 1 FROM v_recoveries t WHERE t.contract_no = i.contract_no"
        " AND t.recovered_on = CAST(i.recovered_on AS DATE) AND t.occurrence = i.occurrence)",
        ("contract_no", "recovered_on", "amount", "occurrence"),
    ),
}

# A loan's first claim (its loss), by 申请日期 then by the order claims entered the ledger.
FIRST_CLAIMS = """(SELECT * FROM (
    SELECT c.*, row_number() OVER (PARTITION BY contract_no ORDER BY claimed_on, pend, si, ord) AS n
    FROM rf_claims c WHERE contract_no IS NOT NULL AND claimed_on IS NOT NULL) WHERE n = 1)"""


@contextlib.contextmanager
def facts(ctx: ImportContext, *kinds: str, params: bool = False) -> Iterator[dict[str, int]]:
    """Register, for the duration of a rule, one relation per kind (`rf_loans`, `rf_claims`, …)
    holding stored and pending facts, and `rf_params` with the policy versions.

    Yields the index of each pending sheet in `ctx.pending` (the `si` of its rows).
    """
    import pandas as pd

    from ..store import registered, temp_view

    con = ctx.con
    index = {id(p): i for i, p in enumerate(ctx.pending)}
    with contextlib.ExitStack() as stack:
        for kind in kinds:
            stored, pending, columns = _FACTS[kind]
            frames = []
            for p in ctx.pending_of(kind):
                f = pd.DataFrame({c: p.frame[c].reset_index(drop=True) if c in p.frame.columns else pd.Series([None] * len(p.frame), dtype="object") for c in columns})
                f["si"] = index[id(p)]
                f["ord"] = range(len(p.frame))
                frames.append(f.reset_index(drop=True))
            sql = stored
            if frames:
                name = f"rf_pending_{kind}"
                stack.enter_context(registered(con, name, pd.concat(frames, ignore_index=True)))
                sql = f"{stored} UNION ALL {pending.format(name=name)}"
            stack.enter_context(temp_view(con, f"rf_{kind}", sql))
        if params:
            stack.enter_context(registered(con, "rf_params", _params_frame(versions())))
        yield index


# ---------------------------------------------------------------- findings


def fmt_fen(fen) -> str:
    """An amount in fen as 元 for messages: 1,234,567.89."""
    return f"{Decimal(int(fen)).scaleb(-2):,.2f}"


def finding(sheet: PendingSheet, field: str, ord_: int, code: str, message: str, hint: str, severity: str = WARNING) -> Problem:
    """A problem at the cell of `field` in row `ord_` of the sheet (a warning unless told)."""
    return sheet.problem(field, ord_, code, message, hint, severity)


def _rule(name: str, cite: str | None = None) -> str:
    return f"(规则 {SECTION}.{name}{';' + cite if cite else ''})"


def _no_policy(sheet: PendingSheet, field: str, rows: list[int], rule: str) -> list[Problem]:
    """One warning for the rows dated before every version of the policy: they could not be judged."""
    if not rows:
        return []
    found = versions()
    first = f"{found[0].effective_from:%Y-%m-%d}" if found else "(无)"
    more = f"等 {len(rows)} 行" if len(rows) > 1 else ""
    return [
        finding(
            sheet,
            field,
            rows[0],
            "no_policy_in_force",
            f"此行{more}的日期早于政策文件中 {SECTION} 最早的生效日期 {first},无法按政策检查 {_rule(rule)}",
            f"请在政策文件中补充该日期适用的 [[{SECTION}]] 版本(ledger policy show 查看当前政策)。",
        )
    ]


def _by_policy(sheet: PendingSheet, field: str, rule: str, rows, vi_at: int, describe) -> list[Problem]:
    """Findings of a rule that judges each row by the policy version in force on its date.

    Each row starts with its sheet position and holds, at `vi_at`, the index of the version in
    force (None before the first one: those rows get one `_no_policy` warning); `describe(row,
    version)` gives the finding's code, message and hint.
    """
    found = versions()
    out, undated = [], []
    for row in rows:
        vi = row[vi_at]
        if vi is None:
            undated.append(row[0])
            continue
        code, message, hint = describe(row, found[vi])
        out.append(finding(sheet, field, row[0], code, message, hint))
    return out + _no_policy(sheet, field, undated, rule)


# ---------------------------------------------------------------- rules


def contract_known(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """Every repayment, claim or recovery names a loan in the ledger or in the same import."""
    frame = sheet.frame
    known = ctx.known(frame["contract_no"], "loans", "contract_no", "loans")
    return [
        finding(
            sheet,
            "contract_no",
            pos,
            "unknown_contract",
            f"贷款合同「{no}」不在放款明细中,本次导入的文件里也没有它的放款行",
            "请先导入该笔贷款的放款明细,或核对合同编号。",
            ERROR,
        )
        for pos, no in enumerate(frame["contract_no"])
        if isinstance(no, str) and no not in known
    ]


def contributor_kind(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """出资方 is one of 市级 / 区级 / 其他, so capital can be reported by source."""
    return [
        finding(
            sheet,
            "contributor",
            pos,
            "bad_contributor",
            f"出资方「{who}」不是 {'/'.join(CONTRIBUTORS)} 之一",
            f"出资方请填写 {'、'.join(CONTRIBUTORS)} 之一(市级财政填「市级」,区县财政填「区级」)。",
            ERROR,
        )
        for pos, who in enumerate(sheet.frame["contributor"])
        if isinstance(who, str) and who not in CONTRIBUTORS
    ]


def paid_after_claim(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """A claim is paid (拨付日期) on or after the day it was made (申请日期)."""
    frame = sheet.frame
    out = []
    for pos, (claimed, paid) in enumerate(zip(frame["claimed_on"], frame["paid_on"])):
        if claimed is not None and paid is not None and paid < claimed:
            out.append(
                finding(
                    sheet,
                    "paid_on",
                    pos,
                    "paid_before_claim",
                    f"拨付日期 {paid:%Y-%m-%d} 早于申请日期 {claimed:%Y-%m-%d}",
                    "请核对拨付日期与申请日期;尚未拨付的请留空。",
                    ERROR,
                )
            )
    return out


def claim_programme_loan(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """The fund compensates programme loans (知识价值信用贷款) only."""
    with facts(ctx, "loans", "claims") as index:
        rows = ctx.con.execute(
            "SELECT c.ord, c.contract_no, l.product FROM rf_claims c JOIN rf_loans l USING (contract_no)"
            " WHERE c.pend = 1 AND c.si = ? AND NOT l.is_programme ORDER BY c.ord",
            [index[id(sheet)]],
        ).fetchall()
    return [
        finding(
            sheet,
            "contract_no",
            pos,
            "claim_not_programme_loan",
            f"贷款合同「{no}」的贷款品种为「{product}」,不是知识价值信用贷款,风险补偿基金不予补偿 {_rule('claim_programme_loan')}",
            "请核对合同编号;非本项目贷款的损失不由风险补偿基金承担。",
        )
        for pos, no, product in rows
    ]


def single_claim(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """A loan is compensated once: a second claim on it (stored or earlier in this import) is flagged."""
    with facts(ctx, "claims") as index:
        rows = ctx.con.execute(
            """
            SELECT ord, contract_no, first_no, first_on, first_pend FROM (
                SELECT *, row_number() OVER w AS n, first_value(claim_no) OVER w AS first_no,
                       first_value(claimed_on) OVER w AS first_on, first_value(pend) OVER w AS first_pend
                FROM rf_claims WHERE contract_no IS NOT NULL
                WINDOW w AS (PARTITION BY contract_no ORDER BY pend, claimed_on NULLS LAST, si, ord
                             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
            WHERE pend = 1 AND si = ? AND n > 1 ORDER BY ord
            """,
            [index[id(sheet)]],
        ).fetchall()
    out = []
    for pos, no, first_no, first_on, first_pend in rows:
        where = "账本中已有" if first_pend == 0 else "本次导入中已有"
        day = f"{first_on:%Y-%m-%d} " if first_on else ""
        out.append(
            finding(
                sheet,
                "contract_no",
                pos,
                "second_claim",
                f"贷款合同「{no}」{where}补偿申请「{first_no}」({day}申请),同一笔贷款不应第二次申请补偿 {_rule('single_claim')}",
                "请核对是否重复申报;第二次申请不计入损失,如确需更正请作废原申请后重报。",
            )
        )
    return out


def claim_overdue_period(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """A bank may claim only after the loan has been overdue `claim_after_overdue_days`, counted from 到期日期."""
    with facts(ctx, "loans", "claims", params=True) as index:
        rows = ctx.con.execute(
            f"""
            SELECT c.ord, c.contract_no, c.claimed_on, l.maturity_on, date_diff('day', l.maturity_on, c.claimed_on), p.vi, p.days
            FROM rf_claims c JOIN rf_loans l USING (contract_no) LEFT JOIN {PARAMS} p ON {in_force('c.claimed_on')}
            WHERE c.pend = 1 AND c.si = ? AND c.claimed_on IS NOT NULL AND l.maturity_on IS NOT NULL
              AND (p.vi IS NULL OR date_diff('day', l.maturity_on, c.claimed_on) < p.days)
            ORDER BY c.ord
            """,
            [index[id(sheet)]],
        ).fetchall()

    def describe(row, version):
        _, no, claimed, maturity, days, _, needed = row
        state = f"逾期仅 {days} 天" if days >= 0 else f"尚未到期(距到期还有 {-days} 天)"
        return (
            "claim_too_early",
            f"贷款合同「{no}」到期日期 {maturity:%Y-%m-%d},申请日期 {claimed:%Y-%m-%d},{state},不足 {needed} 天 {_rule('claim_overdue_period', version.cite('claim_after_overdue_days'))}",
            f"逾期天数自到期日期起算;满 {needed} 天后方可申请补偿,请核对申请日期或到期日期。",
        )

    return _by_policy(sheet, "claimed_on", "claim_overdue_period", rows, 5, describe)


_UNPAID = """
SELECT c.ord, c.contract_no, c.overdue_fen, c.approved_fen, c.claimed_on,
       l.fen - coalesce((SELECT sum(r.fen) FROM rf_repayments r WHERE r.contract_no = c.contract_no AND r.repaid_on <= c.claimed_on), 0) AS unpaid
FROM rf_claims c JOIN rf_loans l USING (contract_no)
WHERE c.pend = 1 AND c.si = $si AND c.claimed_on IS NOT NULL
"""


def claim_unpaid_principal(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """逾期本金 is not more than the loan's principal still unpaid on the claim date (放款 − 归还)."""
    with facts(ctx, "loans", "claims", "repayments") as index:
        rows = ctx.con.execute(
            f"SELECT ord, contract_no, overdue_fen, unpaid, claimed_on FROM ({_UNPAID}) WHERE overdue_fen > unpaid ORDER BY ord",
            {"si": index[id(sheet)]},
        ).fetchall()
    return [
        finding(
            sheet,
            "overdue_principal",
            pos,
            "claim_above_unpaid",
            f"贷款合同「{no}」逾期本金 {fmt_fen(overdue)} 元,超过申请日 {claimed:%Y-%m-%d} 的未还本金 {fmt_fen(unpaid)} 元(放款 − 已归还本金){_rule('claim_unpaid_principal')}",
            "请核对逾期本金与还款明细;未导入的还款请先导入。",
        )
        for pos, no, overdue, unpaid, claimed in rows
    ]


def claim_share(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """核定补偿金额 ≤ fund_share × unpaid principal (the smaller of 逾期本金 and 放款 − 归还), to the fen."""
    with facts(ctx, "loans", "claims", "repayments", params=True) as index:
        rows = ctx.con.execute(
            f"""
            SELECT u.ord, u.contract_no, u.approved_fen, least(u.overdue_fen, u.unpaid) AS base, p.vi,
                   CAST(round(p.share * least(u.overdue_fen, u.unpaid), 0) AS BIGINT) AS cap
            FROM ({_UNPAID}) u LEFT JOIN {PARAMS} p ON {in_force('u.claimed_on')}
            WHERE u.approved_fen IS NOT NULL AND u.overdue_fen IS NOT NULL
              AND (p.vi IS NULL OR u.approved_fen > round(p.share * least(u.overdue_fen, u.unpaid), 0))
            ORDER BY u.ord
            """,
            {"si": index[id(sheet)]},
        ).fetchall()

    def describe(row, version):
        _, no, approved, base, _, cap = row
        return (
            "claim_above_share",
            f"贷款合同「{no}」核定补偿金额 {fmt_fen(approved)} 元,超过基金承担比例 {version['fund_share']} × 未还本金 {fmt_fen(base)} 元 = {fmt_fen(cap)} 元,多 {fmt_fen(approved - cap)} 元 {_rule('claim_share', version.cite('fund_share'))}",
            "基金只承担本金损失的规定比例;请核对核定补偿金额,超出部分不应由基金支付。",
        )

    return _by_policy(sheet, "approved_amount", "claim_share", rows, 4, describe)


def bank_loss_ceiling(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """The claiming bank's loss ratio on the claim date (this claim included) is not past the ceiling (熔断)."""
    with facts(ctx, "loans", "claims", params=True) as index:
        rows = ctx.con.execute(
            f"""
            WITH cur AS (
                SELECT c.ord, c.contract_no, c.claimed_on, l.bank FROM rf_claims c JOIN rf_loans l USING (contract_no)
                WHERE c.pend = 1 AND c.si = ? AND c.claimed_on IS NOT NULL AND l.is_programme
            ), fc AS (SELECT f.claimed_on, f.overdue_fen, l.bank FROM {FIRST_CLAIMS} f JOIN rf_loans l USING (contract_no) WHERE l.is_programme)
            SELECT b.ord, b.bank, b.claimed_on, b.losses, b.lent, p.vi, p.ceiling FROM (
                SELECT cur.*,
                    (SELECT coalesce(sum(fc.overdue_fen), 0) FROM fc WHERE fc.bank = cur.bank AND fc.claimed_on <= cur.claimed_on) AS losses,
                    (SELECT coalesce(sum(l.fen), 0) FROM rf_loans l WHERE l.bank = cur.bank AND l.is_programme AND l.disbursed_on <= cur.claimed_on) AS lent
                FROM cur) b
            LEFT JOIN {PARAMS} p ON {in_force('b.claimed_on')}
            WHERE p.vi IS NULL OR b.losses > p.ceiling * b.lent
            ORDER BY b.ord
            """,
            [index[id(sheet)]],
        ).fetchall()

    def describe(row, version):
        _, bank, claimed, losses, lent, _, _ = row
        share = ratio(losses, lent, 4)
        shown = f"{share:.4f}" if share is not None else "—(尚无放款)"
        return (
            "bank_past_loss_ceiling",
            f"{bank} 截至 {claimed:%Y-%m-%d} 损失率 {shown}(损失 {fmt_fen(losses)} 元 ÷ 累计放款 {fmt_fen(lent)} 元),超过上限 {version['loss_ratio_ceiling']},基金应暂停对该行补偿 {_rule('bank_loss_ceiling', version.cite('loss_ratio_ceiling'))}",
            "损失率超过熔断上限后,风险补偿基金暂停对该合作银行的补偿;请核实后再决定是否拨付。",
        )

    return _by_policy(sheet, "claimed_on", "bank_loss_ceiling", rows, 5, describe)


def recovery_after_claim(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """A recovery follows a claim on the same loan (on or before the recovery date)."""
    with facts(ctx, "claims", "recoveries") as index:
        rows = ctx.con.execute(
            """
            SELECT r.ord, r.contract_no FROM rf_recoveries r
            WHERE r.pend = 1 AND r.si = ? AND r.recovered_on IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM rf_claims c WHERE c.contract_no = r.contract_no AND c.claimed_on <= r.recovered_on)
            ORDER BY r.ord
            """,
            [index[id(sheet)]],
        ).fetchall()
    return [
        finding(
            sheet,
            "contract_no",
            pos,
            "recovery_without_claim",
            f"贷款合同「{no}」在回收日期前没有风险补偿申请,基金无可分回的份额 {_rule('recovery_after_claim')}",
            "追偿回收应在补偿申请之后;请核对合同编号,或先导入该笔贷款的风险补偿表。",
        )
        for pos, no in rows
    ]


def recovery_within_loss(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """What banks recover on a loan, in total up to each row, is not more than the loan's loss."""
    with facts(ctx, "claims", "recoveries") as index:
        rows = ctx.con.execute(
            f"""
            SELECT r.ord, r.contract_no, r.total, f.overdue_fen FROM (
                SELECT *, sum(fen) OVER (PARTITION BY contract_no ORDER BY recovered_on NULLS LAST, pend, si, ord
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total
                FROM rf_recoveries WHERE contract_no IS NOT NULL) r
            JOIN {FIRST_CLAIMS} f USING (contract_no)
            WHERE r.pend = 1 AND r.si = ? AND r.total > f.overdue_fen ORDER BY r.ord
            """,
            [index[id(sheet)]],
        ).fetchall()
    return [
        finding(
            sheet,
            "amount",
            pos,
            "recovery_above_loss",
            f"贷款合同「{no}」累计回收 {fmt_fen(total)} 元,超过补偿申请的逾期本金(损失){fmt_fen(loss)} 元 {_rule('recovery_within_loss')}",
            "请核对回收金额;回收超过损失的部分不属于本金追偿。",
        )
        for pos, no, total, loss in rows
    ]


def repayment_within_principal(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """Principal repaid on a loan, in total up to each row, is not more than what is left of it.

    What is left is the amount lent, less the overdue principal of a claim made on or before
    the repayment: that principal was written off to the fund, so money the bank gets back
    afterwards is a recovery (追偿回收), not a repayment.
    """
    with facts(ctx, "loans", "repayments", "claims") as index:
        rows = ctx.con.execute(
            f"""
            SELECT r.ord, r.contract_no, r.total, l.fen, coalesce(f.overdue_fen, 0) FROM (
                SELECT *, sum(fen) OVER (PARTITION BY contract_no ORDER BY repaid_on NULLS LAST, pend, si, ord
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total
                FROM rf_repayments WHERE contract_no IS NOT NULL) r
            JOIN rf_loans l USING (contract_no)
            LEFT JOIN {FIRST_CLAIMS} f ON f.contract_no = r.contract_no AND f.claimed_on <= r.repaid_on
            WHERE r.pend = 1 AND r.si = ? AND r.total + coalesce(f.overdue_fen, 0) > l.fen ORDER BY r.ord
            """,
            [index[id(sheet)]],
        ).fetchall()

    def message(no, total, lent, written_off) -> str:
        if not written_off:
            return f"贷款合同「{no}」累计归还本金 {fmt_fen(total)} 元,超过放款金额 {fmt_fen(lent)} 元 {_rule('repayment_within_principal')}"
        return (
            f"贷款合同「{no}」累计归还本金 {fmt_fen(total)} 元,加上已申请风险补偿的逾期本金 {fmt_fen(written_off)} 元,"
            f"超过放款金额 {fmt_fen(lent)} 元 {_rule('repayment_within_principal')}"
        )

    return [
        finding(
            sheet,
            "principal",
            pos,
            "repayment_above_principal",
            message(no, total, lent, written_off),
            "请核对归还本金(是否把利息计入了本金,或同一笔还款报了两次);申请风险补偿后银行收回的款项应作为追偿回收报送。",
        )
        for pos, no, total, lent, written_off in rows
    ]


def enterprise_cap(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """After each programme loan, its enterprise's outstanding programme principal is within the cap in force.

    Outstanding on the 放款日期 = programme loans disbursed − principal repaid − losses
    claimed, all up to and including that day, stored and pending alike.
    """
    if "is_programme" not in sheet.frame.columns:
        return []
    with facts(ctx, "loans", "repayments", "claims", params=True) as index:
        rows = ctx.con.execute(
            f"""
            WITH pl AS (SELECT * FROM rf_loans WHERE is_programme AND credit_code IS NOT NULL),
            ev AS (
                SELECT credit_code, disbursed_on AS day, fen FROM pl
                UNION ALL SELECT pl.credit_code, r.repaid_on, -r.fen FROM rf_repayments r JOIN pl USING (contract_no)
                UNION ALL SELECT pl.credit_code, f.claimed_on, -f.overdue_fen FROM {FIRST_CLAIMS} f JOIN pl USING (contract_no)
            ),
            cur AS (SELECT ord, credit_code, disbursed_on FROM pl WHERE pend = 1 AND si = ? AND disbursed_on IS NOT NULL),
            bal AS (
                SELECT cur.ord, cur.credit_code, cur.disbursed_on, sum(ev.fen) AS outstanding
                FROM cur JOIN ev ON ev.credit_code = cur.credit_code AND ev.day <= cur.disbursed_on
                GROUP BY ALL
            )
            SELECT bal.ord, bal.credit_code, bal.disbursed_on, bal.outstanding, p.vi, p.cap_fen
            FROM bal LEFT JOIN {PARAMS} p ON {in_force('bal.disbursed_on')}
            WHERE p.vi IS NULL OR bal.outstanding > p.cap_fen
            ORDER BY bal.ord
            """,
            [index[id(sheet)]],
        ).fetchall()
    names = sheet.frame["enterprise_name"].tolist() if "enterprise_name" in sheet.frame.columns else None

    def describe(row, version):
        pos, code, day, outstanding, _, cap = row
        name = f"({names[pos]})" if names is not None and isinstance(names[pos], str) else ""
        return (
            "enterprise_cap_exceeded",
            f"企业 {code}{name} 放款后 {day:%Y-%m-%d} 的知识价值信用贷款余额 {fmt_fen(outstanding)} 元,超过单户上限 {fmt_fen(cap)} 元 {_rule('enterprise_cap', version.cite('single_enterprise_cap'))}",
            "单户企业的本项目贷款余额不应超过上限;请核对放款金额,超出部分不属于风险补偿范围。",
        )

    return _by_policy(sheet, "amount", "enterprise_cap", rows, 4, describe)


IMPORT_RULES = {
    "contract_known": contract_known,
    "contributor_kind": contributor_kind,
    "paid_after_claim": paid_after_claim,
    "claim_programme_loan": claim_programme_loan,
    "single_claim": single_claim,
    "claim_overdue_period": claim_overdue_period,
    "claim_unpaid_principal": claim_unpaid_principal,
    "claim_share": claim_share,
    "bank_loss_ceiling": bank_loss_ceiling,
    "recovery_after_claim": recovery_after_claim,
    "recovery_within_loss": recovery_within_loss,
    "repayment_within_principal": repayment_within_principal,
    "enterprise_cap": enterprise_cap,
}
