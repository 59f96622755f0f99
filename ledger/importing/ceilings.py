"""Plausibility ceilings for amounts: a figure no real sheet holds is refused by cell.

A 放款金额 of 9e15 元 is a slip (a pasted account number, a unit read wrong), not a loan. The
policy file's `[[limits]]` section sets a ceiling per kind and amount column (`loan_amount =
"100000000.00"`: a single loan at most 1亿元), effective-dated like every other figure: a row
is judged by the version in force on its date (the kind's first date column). A ledger whose
policy has no `[[limits]]` version for a date is not checked for that date.
"""

from __future__ import annotations

from decimal import Decimal

from ..problems import Problem

# The policy key of each amount column: <kind in the singular>_<column>.
LIMIT_KEYS = {
    ("applications", "amount"): "application_amount",
    ("loans", "amount"): "loan_amount",
    ("repayments", "principal"): "repayment_principal",
    ("repayments", "interest"): "repayment_interest",
    ("claims", "overdue_principal"): "claim_overdue_principal",
    ("claims", "approved_amount"): "claim_approved_amount",
    ("recoveries", "amount"): "recovery_amount",
    ("contributions", "amount"): "contribution_amount",
    ("subsidies", "amount"): "subsidy_amount",
}
SECTION = "limits"


def over_ceiling(pending, policy) -> list[Problem]:
    """The amount cells of a typed sheet above the ceiling in force on their row's date, as errors.

    The cells refused are emptied in the frame, so that no rule judges a figure already refused.
    """
    import pandas as pd

    if policy is None or not policy.versions(SECTION):
        return []
    spec = pending.typed.layout.kind
    frame = pending.frame
    day_field = next((c.field for c in spec.columns if c.type == "date" and c.field in frame.columns), None)
    days = pd.to_datetime(frame[day_field], errors="coerce") if day_field else None
    versions = policy.versions(SECTION)
    problems = []
    for (kind, field), key in LIMIT_KEYS.items():
        if kind != spec.kind or field not in frame.columns:
            continue
        amounts = frame[field]
        refused = pd.Series(False, index=frame.index)
        for version in versions:
            if key not in version.params:
                continue
            limit = version.money(key)
            over = (amounts > int(limit * 100)).fillna(False).astype(bool)
            if days is not None:
                start = pd.Timestamp(version.effective_from)
                within = days >= start if version.effective_to is None else (days >= start) & (days < pd.Timestamp(version.effective_to))
                within[days.isna()] = version is versions[-1]  # an undated row: the latest version
                over &= within.astype(bool)
            for i in frame.index[over.to_numpy()]:
                problems.append(_problem(pending, field, int(i), limit, version, key))
            refused |= over
        if refused.any():
            frame.loc[refused, field] = pd.NA
    return problems


def _problem(pending, field: str, i: int, limit: Decimal, version, key: str) -> Problem:
    header = pending.typed.layout.placed[field].header
    source = version.source or "政策文件"
    return pending.problem(
        field,
        i,
        "implausible_amount",
        f"{header}超过合理上限 {limit:,.2f} 元(规则 {version.cite(key)},来源: {source}),不予导入",
        "请核对金额及其单位(表头的「(万元)」、表上方的「单位:」);如确属实,请在政策文件的 [[limits]] 中调高该上限。",
    )
