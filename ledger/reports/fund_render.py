"""Drawing the fund statement, leverage, outstanding principal and the policy file as rich tables.

Only drawing: every figure is computed in `fund`, `leverage`, `outstanding` and `policy`.
Amounts in 万元 (two places) as the office reports them; ratios as computed.
"""

from __future__ import annotations

import datetime as dt

from ..money import fmt_wan
from .render import figure_column, name_column, narrow_table
from .wording import cn_date


def fund_tables(s) -> list:
    """The fund statement: money of the fund, then banks' loss ratios; warnings are separate."""
    from rich.table import Table

    f = s.flows
    t = Table(title=f"风险补偿基金情况(截至 {cn_date(s.as_of)},金额单位:万元)", title_justify="left")
    t.add_column("项目")
    t.add_column("金额(万元)", justify="right")
    t.add_column("说明")
    for source, amount in f.capital_by_source.items():
        t.add_row(f"  {source}出资到位", fmt_wan(amount), "")
    t.add_row("基金到位资本", fmt_wan(f.capital), "按到位日期")
    t.add_row("已拨付补偿", fmt_wan(f.compensation_paid), f"{s.paid_count} 笔,按拨付日期")
    t.add_row("追偿分回", fmt_wan(f.recoveries_returned), f"银行回收 {fmt_wan(f.recovered)} 万元中基金按比例分回")
    t.add_row("基金余额", fmt_wan(f.balance), "到位资本 − 已拨付补偿 + 追偿分回")
    t.add_row("待拨付补偿", fmt_wan(s.pending), f"{s.pending_count} 笔已申请未拨付(共 {s.claim_count} 笔申请)")

    ceiling = f",熔断上限 {s.ceiling}" if s.ceiling is not None else ",当日无适用的熔断上限"
    b = narrow_table(f"合作银行损失率(金额单位:万元;损失 = 首次补偿申请的逾期本金{ceiling})")
    name_column(b, "合作银行")
    for header in ("放款\n笔数", "累计放款", "损失\n笔数", "损失", "损失率", "已拨付\n补偿"):
        figure_column(b, header)
    for bank in s.banks:
        r = bank.loss_ratio
        shown = "—" if r is None else f"{r:.4f}"
        if bank.past_ceiling:
            shown = f"[bold red]{shown}\n超上限[/]"
        b.add_row(bank.bank, str(bank.loan_count), fmt_wan(bank.loans), str(bank.defaults), fmt_wan(bank.losses), shown, fmt_wan(bank.compensation_paid))
    return [t, b]


def print_fund(s, out) -> None:
    """Print the fund statement and its warnings (banks past the ceiling)."""
    for table in fund_tables(s):
        out.print(table)
    for w in s.warnings:
        out.print(f"[yellow]警告[/] {w}")
    out.print(f"[dim]政策文件: {s.policy_name}(sha256 {s.policy_sha256[:12]}…)[/]")


def leverage_table(lev):
    """Each leverage figure beside its numerator and denominator."""
    from rich.table import Table

    t = Table(title=f"放大效应(截至 {cn_date(lev.as_of)})", title_justify="left")
    t.add_column("指标", overflow="fold")
    t.add_column("数值", justify="right", no_wrap=True)
    t.add_column("分子", overflow="fold")
    t.add_column("分子(万元)", justify="right")
    t.add_column("分母", overflow="fold")
    t.add_column("分母(万元)", justify="right")
    for _name, m in lev.measures():
        v = m.value
        t.add_row(m.label, "—" if v is None else f"{v:.2f} {m.unit}", m.numerator_label, fmt_wan(m.numerator), m.denominator_label, fmt_wan(m.denominator))
    return t


def outstanding_table(o):
    """Outstanding principal by loan, bank or enterprise, with the total last.

    A loan or an enterprise is one cell of stacked lines (contract, enterprise, bank; or
    name, credit code), each whole, so the table keeps to 80 columns without breaking a name.
    """
    t = narrow_table(f"知识价值信用贷款余额(截至 {cn_date(o.as_of)},按{o.label},金额单位:万元)")
    name_column(t, {"loan": "贷款合同 / 企业 / 银行", "enterprise": "企业 / 统一社会信用代码"}.get(o.by, o.label))
    for name in ("笔数", "放款", "归还", "核销", "余额")[o.by == "loan" :]:  # a loan is one loan: no 笔数
        figure_column(t, name)

    def row(key, b):
        label = key if o.by == "bank" or not b.name else "\n".join(
            [key, *b.name.split(" / ")] if o.by == "loan" else [b.name, key]
        )
        count = [] if o.by == "loan" else [str(b.loans)]
        return [label, *count, fmt_wan(b.disbursed), fmt_wan(b.repaid), fmt_wan(b.written_off), fmt_wan(b.outstanding)]

    for b in o.rows:
        t.add_row(*row(b.key, b))
    t.add_section()
    t.add_row(*row("合计", o.total))
    return t


def policy_tables(policy) -> list:
    """Every section of a policy file: one table per section, one row per version and parameter."""
    import json

    from rich.markup import escape
    from rich.table import Table

    def shown(value) -> str:
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False, default=str)
        return str(value)

    tables = []
    for section, versions in policy.sections.items():
        t = Table(title=escape(f"[[{section}]]"), title_justify="left", show_lines=True)
        t.add_column("生效期间", no_wrap=True)
        t.add_column("参数", overflow="fold")
        t.add_column("来源(区县: 文件)", overflow="fold")
        for v in versions:
            until = f"至 {v.effective_to - dt.timedelta(days=1):%Y-%m-%d}" if v.effective_to else "至今"
            params = "\n".join(escape(f"{k} = {shown(val)}") for k, val in v.params.items())
            t.add_row(f"{v.effective_from:%Y-%m-%d} 起\n{until}", params, escape(v.origin))
        tables.append(t)
    return tables
