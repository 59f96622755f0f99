"""Drawing what every audit shows alike for a terminal: its totals table."""

from __future__ import annotations

from ..money import fmt_wan


def totals_table(title: str, what: str, totals, grand, amount_label: str = "金额(万元)"):
    """Payments, the amount of those with a finding and the amount beyond the policy, per group, with the grand total."""
    from rich.markup import escape

    from .render import figure_column, name_column, narrow_table

    t = narrow_table(title)
    name_column(t, what)  # names whole at 80 columns; long headers on two lines
    for name in ("笔数", amount_label.replace("(", "\n("), "不合规\n笔数", "不合规金额\n(万元)", "超出政策\n金额(万元)"):
        figure_column(t, name)
    for row in (*totals, grand):
        t.add_row(escape(row.name), str(row.count), fmt_wan(row.amount), str(row.ineligible), fmt_wan(row.amount_ineligible), fmt_wan(row.amount_excess))
    return t
