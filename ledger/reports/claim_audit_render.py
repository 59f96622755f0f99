"""Drawing the compensation audit for a terminal (rich); the verdicts never change here.

A compact table has one row per claim with its verdict and the rules it broke; the reasons,
parameters and evidence of the claims not allowed follow as plain lines, then the totals per
bank and a closing line with both totals: the amount of the claims not allowed, and the part
of it beyond what the policy allows.
"""

from __future__ import annotations

from ..money import fmt_wan
from ..programs.fund_rules import RULE_TITLES
from .audit_render import totals_table


def verdict_table(audit):
    """One row per claim: the loan, the bank, what was approved, when, the verdict and the rules it broke."""
    from rich.markup import escape
    from rich.table import Table

    when = f"截至 {audit.as_of:%Y-%m-%d};" if audit.as_of else ""
    t = Table(title=f"风险补偿逐笔审计({when}政策: {escape(audit.policy_name)};金额单位:万元)", title_justify="left")
    t.add_column("补偿申请编号", no_wrap=True)
    t.add_column("贷款合同")
    t.add_column("合作银行")
    t.add_column("核定补偿", justify="right")
    t.add_column("申请日期", no_wrap=True)
    t.add_column("结论", no_wrap=True)
    t.add_column("超出政策", justify="right")
    t.add_column("不合规规则")
    for v in audit.verdicts:
        c = v.claim
        verdict = "[green]合规[/]" if v.eligible else "[bold red]不合规[/]"
        rules = "、".join(dict.fromkeys(RULE_TITLES[f.rule] for f in v.findings))
        excess = fmt_wan(v.excess) if v.excess else ""
        t.add_row(escape(c.claim_no), escape(c.contract_no), escape(c.bank or "—"), fmt_wan(c.approved), f"{c.claimed_on:%Y-%m-%d}", verdict, excess, rules)
    return t


def finding_lines(audit) -> list[str]:
    """Every claim not allowed with each reason, the parameter in force, its source and the evidence."""
    lines = []
    for v in audit.ineligible:
        c = v.claim
        loan = f"  放款记录: {v.loan_source}" if v.loan_source else ""
        lines.append(f"{c.claim_no} {c.contract_no} {c.bank or ''} 核定补偿 {c.approved:,.2f}元 {c.claimed_on:%Y-%m-%d}  补偿记录: {v.source}{loan}")
        for i, f in enumerate(v.findings, 1):
            lines.append(f"  {i}. 【{RULE_TITLES[f.rule]}】{f.message}")
            if f.excess is not None:
                lines.append(f"     超出政策: {f.excess:,.2f}元")
            if f.source:
                lines.append(f"     依据: {f.source}")
    return lines


def print_audit(audit, out) -> None:
    """The verdicts, the reasons of the claims not allowed, the totals, and a closing line with the counts."""
    from rich.text import Text

    out.print(verdict_table(audit))
    if audit.ineligible:
        out.print(Text("不合规明细", style="bold"))
        for line in finding_lines(audit):
            out.print(Text(line))
    out.print(totals_table("按合作银行汇总", "合作银行", audit.by_bank, audit.total, "核定补偿(万元)"))
    t = audit.total
    out.print(
        Text(
            f"共 {t.count} 笔补偿申请:合规 {t.eligible} 笔,不合规 {t.ineligible} 笔;"
            f"不合规金额(有问题的补偿合计){t.amount_ineligible:,.2f} 元,其中超出政策金额 {t.amount_excess:,.2f} 元。"
            f"政策文件 {audit.policy_file}(sha256 {audit.policy_sha256[:12]}…)"
        )
    )
