"""Drawing the audit trail, voids, backups and exports for a terminal (rich); the data never changes here."""

from __future__ import annotations

import datetime as dt
import functools

from ..money import fmt_wan

ACTIONS = {"import": "导入", "void": "作废", "close": "结账", "migrate": "升级"}
MONEY_NAMES = {"amount": "金额", "principal": "本金", "interest": "利息", "overdue_principal": "逾期本金", "approved_amount": "核定补偿金额"}


def local_time(when: dt.datetime) -> str:
    """A stored naive-UTC timestamp in the machine's local time, to the second."""
    return when.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _removed_text(removed: dict) -> str:
    parts = []
    for table, totals in sorted(removed.items()):
        sums = "".join(f"、{MONEY_NAMES.get(c, c)} {fmt_wan(v)} 万元" for c, v in totals.get("sums", {}).items())
        parts.append(f"{title(table)} {totals.get('rows', 0)} 行{sums}")
    return ";".join(parts)


@functools.cache
def _titles() -> dict[str, str]:
    from ..importing.schema import kinds

    titles = {spec.table: spec.title for spec in kinds().values()}
    titles.update({k: spec.title for k, spec in kinds().items()})
    return titles


def title(name: str) -> str:
    """The Chinese title of an import kind or of its table (放款明细 for loans)."""
    return _titles().get(name, name)


def what(e) -> str:
    """One sentence for an entry: what was imported, or what was voided and why."""
    where = f"{e.file_name} [{e.sheet}]" if e.file_name else ""
    if e.action == "import":
        text = f"{where} {title(e.kind)}: 新增 {e.rows_added} 行" if e.rows_added is not None else where
        if e.voided_by is not None:
            text += f"(已由第 {e.voided_by} 条作废)"
        return text
    if e.action == "close":
        return f"结账 {e.target}" + (f"({e.reason})" if e.reason else "")
    if e.action == "void":
        removed = _removed_text(e.removed)
        return f"{e.target}({where}){',' + removed if removed else ''};原因: {e.reason}"
    if e.action == "migrate":
        return "账本结构升级到第 2 版: 编号与名称按规范化后的形式比对(见 docs/notes/ids.md)"
    return e.action


def trail_table(t):
    """The journal as a table: seq, local time, user, action, batch, hash prefix, what."""
    from rich.table import Table

    title = "账本日志" if t.batch_id is None else f"账本日志(批次 {t.batch_id})"
    table = Table(title=title, title_justify="left")
    table.add_column("序号", justify="right")
    table.add_column("时间")
    table.add_column("用户")
    table.add_column("操作")
    table.add_column("批次", justify="right")
    table.add_column("日志哈希", style="dim", no_wrap=True)
    table.add_column("内容")  # last, so that a long one wraps on rows the other columns leave blank
    for e in t.entries:
        table.add_row(
            str(e.seq),
            local_time(e.recorded_at),
            e.os_user,
            ACTIONS.get(e.action, e.action),
            "" if e.batch_id is None else str(e.batch_id),
            e.entry_hash[:8],
            what(e),
        )
    table.caption = f"共 {t.total} 条日志;末条日志哈希 {t.head}(可抄录留存,日后核对)"
    return table


def rows_table(t):
    """A batch's rows: the id to name in `ledger void TABLE:ID`, source row, key, amount, state."""
    from rich.table import Table

    table = Table(title=f"批次 {t.batch_id} 的数据行", title_justify="left")
    table.add_column("作废对象")
    table.add_column("原表行号", justify="right")
    table.add_column("编号")
    table.add_column("金额(万元)", justify="right")
    table.add_column("状态")
    for r in t.rows:
        table.add_row(
            f"{r.table}:{r.id}",
            str(r.source_row),
            r.key,
            "" if r.amount is None else fmt_wan(r.amount),
            "已作废" if r.voided else "有效",
        )
    if t.rows_total > len(t.rows):
        table.caption = f"仅显示前 {len(t.rows)} 行,共 {t.rows_total} 行;完整清单请用 --json"
    return table


def voided_text(v) -> str:
    """What a void did, in one sentence."""
    removed = _removed_text(v.removed)
    where = f"({v.file_name} [{v.sheet}])" if v.file_name else ""
    return (
        f"已作废 {v.target}{where}{',' + removed if removed else ''}。"
        f"原因: {v.reason};作废人 {v.os_user};记入日志第 {v.seq} 条。数据行保留在账本中,报表不再计入。"
    )


def copy_text(c) -> str:
    """What a backup or export wrote."""
    rows = sum(c.tables.values())
    kind = {"backup": "备份", "parquet": "Parquet 导出", "xlsx": "Excel 导出"}[c.kind]
    text = f"{kind}完成: {c.path}({len(c.tables)} 张表,{rows} 行;{c.entries} 条日志,末条日志哈希 {c.head})"
    return text if c.include_voided is None else f"{text}\n{c.rows_note}"
