"""Drawing the subsidy audit for a terminal (rich); the verdicts never change here.

A compact table has one row per payment with its verdict and the rules it broke; the
reasons, parameters and evidence of the ineligible ones follow as plain lines, which wrap
readably at any width.
"""

from __future__ import annotations

from ..money import fmt_wan
from .audit_render import totals_table
from .render import figure_column, name_column, narrow_table


def verdict_table(audit):
    """One row per payment: what was paid, when, the verdict and the rules it broke."""
    from rich.markup import escape
    from rich.table import Table

    t = narrow_table(f"孵化载体补助逐笔审计(政策: {escape(audit.policy_name)};金额单位:万元)")
    t.add_column("拨付编号", no_wrap=True)
    name_column(t, "载体")
    t.add_column("补助项目", overflow="fold")
    figure_column(t, "金额")
    t.add_column("拨付日期", no_wrap=True)
    t.add_column("结论", no_wrap=True)
    t.add_column("不合规规则", overflow="fold")
    for v in audit.verdicts:
        p = v.payment
        verdict = "[green]合规[/]" if v.eligible else "[bold red]不合规[/]"
        rules = "、".join(dict.fromkeys(f.title for f in v.findings))
        t.add_row(escape(p.payment_no), escape(p.carrier_name), escape(p.label), fmt_wan(p.amount), f"{p.paid_on:%Y-%m-%d}", verdict, rules)
    return t


def verdict_lines(audit) -> list[str]:
    """One line per payment (for output piped to a file, or a narrow terminal): whole, for grep."""
    lines = []
    for v in audit.verdicts:
        p = v.payment
        rules = "、".join(dict.fromkeys(f.title for f in v.findings))
        verdict = "合规" if v.eligible else f"不合规: {rules}"
        lines.append(f"{p.payment_no}  {p.carrier_name}  {p.label}  {fmt_wan(p.amount)}万元  {p.paid_on:%Y-%m-%d}  {verdict}")
    return lines


def finding_lines(audit) -> list[str]:
    """Every ineligible payment with each reason, the parameter in force and the evidence."""
    lines = []
    for v in audit.ineligible:
        p = v.payment
        lines.append(f"{p.payment_no} {p.carrier_name} {p.label} {p.amount:,.2f}元 {p.paid_on:%Y-%m-%d} 超出政策 {v.excess:,.2f}元  拨付记录: {p.source}")
        for i, f in enumerate(v.findings, 1):
            lines.append(f"  {i}. 【{f.title}】{f.detail}")
            if f.parameter:
                lines.append(f"     参数: {f.parameter}")
            if f.recognition:
                lines.append(f"     认定记录: {f.recognition},{f.recognition.source}")
    return lines


def print_audit(audit, out) -> None:
    """The verdicts, the reasons of the ineligible ones, the totals, and a closing line with the counts.

    Every reason is printed whole on its line (never wrapped by the console), so `grep` on a
    piped report finds each message; on a wide terminal the verdicts are a table, otherwise
    (piped, redirected, narrow) one line per payment.
    """
    from rich.text import Text

    from .render import TABLE_WIDTH

    if out.is_terminal and out.width >= TABLE_WIDTH:
        out.print(verdict_table(audit))
    else:
        out.print(Text(f"孵化载体补助逐笔审计(政策: {audit.policy_name};金额单位:万元)", style="bold"), soft_wrap=True)
        for line in verdict_lines(audit):
            out.print(Text(line), soft_wrap=True)
    if audit.ineligible:
        out.print(Text("不合规明细", style="bold"))
        for line in finding_lines(audit):
            out.print(Text(line), soft_wrap=True)
    out.print(totals_table("按补助项目汇总", "补助项目", audit.by_programme, audit.total))
    out.print(totals_table("按载体汇总", "载体", audit.by_carrier, audit.total))
    t = audit.total
    out.print(
        Text(
            f"共 {t.count} 笔拨付:合规 {t.eligible} 笔,不合规 {t.ineligible} 笔,不合规金额(有问题的拨付合计){t.amount_ineligible:,.2f} 元,"
            f"其中超出政策金额 {t.amount_excess:,.2f} 元。"
            f"政策文件 {audit.policy_file}(sha256 {audit.policy_sha256[:12]}…)"
        ),
        soft_wrap=True,
    )
