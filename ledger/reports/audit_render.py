"""Drawing what every audit shows alike for a terminal: its totals table."""

from __future__ import annotations

from ..money import fmt_wan


def totals_table(title: str, what: str, totals, grand, amount_label: str = "金额(万元)"):
    """Payments, the amount of those with a finding and the amount beyond the policy, per group, with the grand total."""
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    t.add_column(what)
    for name in ("笔数", amount_label, "不合规笔数", "不合规金额(万元)", "超出政策金额(万元)"):
        t.add_column(name, justify="right")
    for row in (*totals, grand):
        t.add_row(escape(row.name), str(row.count), fmt_wan(row.amount), str(row.ineligible), fmt_wan(row.amount_ineligible), fmt_wan(row.amount_excess))
    return t
