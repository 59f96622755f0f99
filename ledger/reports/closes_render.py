"""Drawing period closes and prior-period adjustments for a terminal (rich); the data never changes here."""

from __future__ import annotations

from ..money import fmt_wan
from .headline import MONEY, figure_value
from .trail_render import ACTIONS, MONEY_NAMES, local_time, title


def figure_text(kind: str, value) -> str:
    """A headline figure for a table: 万元 for money, as is for counts and ratios ("—" when none)."""
    if value is None:
        return "—"
    if kind == MONEY:
        return fmt_wan(value)
    return f"{value:,}" if isinstance(value, int) else f"{value}"


def closes_table(closes):
    """The closes: entry, period, when and by whom, the entry they rest on, lending as recorded, later adjustments, note."""
    from rich.table import Table

    table = Table(title="结账记录", title_justify="left")
    for name, justify in (("日志", "right"), ("期间", "left"), ("结账时间", "left"), ("用户", "left"), ("依据日志", "right"),
                          ("放款金额(万元)", "right"), ("以前期间调整", "right"), ("说明", "left")):
        table.add_column(name, justify=justify)
    for c, adjusted in closes:
        lent = figure_value(MONEY, c.figures.get("loans.amount"))
        table.add_row(
            str(c.seq), c.period, local_time(c.recorded_at), c.os_user, str(c.head_entry),
            figure_text(MONEY, lent), f"{adjusted} 条" if adjusted else "", c.note,
        )
    if not closes:
        table.caption = "尚无结账记录;结账用 `ledger close 2021-10`。"
    else:
        table.caption = "依据日志的哈希、各项指标及其摘要见 `ledger closes --json`;差异说明用 `ledger report changes --since 期间`。"
    return table


def _sides_text(tables: dict) -> str:
    parts = []
    for t, sides in sorted(tables.items()):
        for sign, verb in ((1, "新增"), (-1, "作废")):
            totals = sides.get(sign)
            if totals is None or not totals.rows:
                continue
            sums = "".join(f"、{MONEY_NAMES.get(c, c)} {fmt_wan(v)} 万元" for c, v in totals.sums.items())
            parts.append(f"{title(t)}{verb} {totals.rows} 行{sums}")
    return ";".join(parts)


def adjustments_lines(p) -> list[str]:
    """The prior-period adjustments a summary lists: one line per entry (nothing when there are none)."""
    if not p.entries:
        return []
    lines = [
        f"以前期间调整: 已结账期间 {p.close.period}(第{p.close.seq}条日志结账)之后,"
        f"有 {len(p.entries)} 条日志改动了 {p.close.end.isoformat()} 及以前的数据:"
    ]
    for a in p.entries:
        e = a.entry
        where = f"批次 {e.batch_id}({e.file_name} [{e.sheet}])" if e.file_name else (f"批次 {e.batch_id}" if e.batch_id else "")
        why = f",原因: {e.reason}" if e.reason else ""
        lines.append(f"  第{e.seq}条 {ACTIONS.get(e.action, e.action)} {where}{why}: {_sides_text(a.tables)}")
    lines.append(f"  差异说明: `ledger report changes --since {p.close.period}`")
    return lines
