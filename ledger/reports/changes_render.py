"""Drawing `report changes` for a terminal (rich, 万元) and as the meeting's 情况说明 workbook; the data never changes here."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..money import WAN, fmt_wan
from .closes_render import figure_text
from .effects import field_label
from .headline import COUNT, MONEY
from .trail_render import ACTIONS, MONEY_NAMES, local_time, title
from .wording import cn_date


def since_words(c) -> str:
    """"2021-10 结账(第13条日志)" or "第12条日志"."""
    if c.close is not None:
        note = f",{c.close.note}" if c.close.note else ""
        return f"{c.close.period} 结账(第{c.close.seq}条日志{note})"
    return f"第{c.then.entry}条日志"


def heading(c) -> str:
    return f"差异说明: 自{since_words(c)}以来,截至{cn_date(c.as_of)}的指标变化(金额单位:万元)"


def difference_text(f) -> str:
    d = f.difference
    if d is None:
        return "—"
    if not d:
        return "0" if f.kind == COUNT else "0.00"
    sign = "+" if d > 0 else "−"
    return sign + figure_text(f.kind, abs(d))


def entry_where(e) -> str:
    """批次 3(农商行放款明细.xlsx [放款明细])."""
    if e.batch_id is None:
        return ""
    return f"批次 {e.batch_id}" + (f"({e.file_name} [{e.sheet}])" if e.file_name else "")


def totals_text(totals: dict) -> str:
    """"放款明细 新增 87 行、金额 2,446.80 万元;…" from `EntryChange.totals()`."""
    parts = []
    for table, sides in sorted(totals.items()):
        for side, verb in (("added", "新增"), ("removed", "作废")):
            t = sides[side]
            if t["rows"]:
                sums = "".join(f"、{MONEY_NAMES.get(col, col)} {fmt_wan(v)} 万元" for col, v in t["sums"].items())
                parts.append(f"{title(table)}{verb} {t['rows']} 行{sums}")
    return ";".join(parts)


def diff_text(d) -> str:
    """What one key's rows say differently: "放款金额 150.00 → 160.00 万元" or the row added / taken out."""
    if d.status == "changed":
        parts = []
        for f, old, new in d.changed_fields():
            if _is_money(old, new) and (old is not None or new is not None):
                parts.append(f"{field_label(d.table, f)} {fmt_wan(old)} → {fmt_wan(new)} 万元")
            else:
                parts.append(f"{field_label(d.table, f)} {_shown(old)} → {_shown(new)}")
        return ";".join(parts) + f"(第{d.old.seq}条作废,第{d.new.seq}条导入)"
    row = d.new or d.old
    verb = "新增" if d.status == "added" else "作废"
    return f"{verb}(第{row.seq}条日志)"


def _is_money(*values) -> bool:
    return all(isinstance(v, Decimal) and v.as_tuple().exponent == -2 for v in values if v is not None)


def _shown(v) -> str:
    if v is None:
        return "空"
    if isinstance(v, bool):
        return "是" if v else "否"
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def row_amount(row) -> str:
    money = [v for v in row.fields.values() if _is_money(v) and v is not None]
    return fmt_wan(money[0]) if money else ""


def net_words(c) -> list[str]:
    """One line per table: the net rows and money the differences add up to."""
    lines = []
    for table, t in sorted(c.net().items()):
        sums = "、".join(f"{MONEY_NAMES.get(col, col)} {_signed_wan(v)} 万元" for col, v in t["sums"].items())
        line = f"{title(table)}: 新增 {t['rows_added']} 行、作废 {t['rows_removed']} 行、更正 {t['rows_changed']} 行,净变动 {sums or '无金额'}"
        if "by_product" in t:
            p, o = t["by_product"]["programme"], t["by_product"]["other"]
            line += f"(其中知识价值信用贷款 {_signed_wan(sum(p.values(), Decimal(0)))} 万元,其他产品 {_signed_wan(sum(o.values(), Decimal(0)))} 万元)"
        lines.append(line)
    return lines


def _signed_wan(v) -> str:
    return ("+" if v > 0 else "−" if v < 0 else "") + fmt_wan(abs(v))


def print_changes(c, out) -> None:
    """The report on a terminal: figures table, the entries, the rows that differ, the net, both bases."""
    from rich.table import Table
    from rich.text import Text

    out.print(heading(c), soft_wrap=True)
    t = Table()
    t.add_column("指标")
    then_head = "结账时" if c.close is not None else f"第{c.then.entry}条日志时"
    for name in (then_head, f"现在(第{c.now.entry}条日志)", "差额"):
        t.add_column(name, justify="right")
    for f in c.figures:
        t.add_row(f.label + ("(万元)" if f.kind == MONEY else ""), figure_text(f.kind, f.then), figure_text(f.kind, f.now), difference_text(f))
    out.print(t)
    if not c.entries:
        out.print("其间没有改动这些数据的导入或作废。", soft_wrap=True)
    else:
        out.print(f"造成差异的日志({len(c.entries)} 条):", soft_wrap=True)
        for e in c.entries:
            i = e.entry
            why = f";原因: {i.reason}" if i.reason else ""
            out.print(Text(f"  第{i.seq}条 {ACTIONS.get(i.action, i.action)} {entry_where(i)} {local_time(i.recorded_at)} {i.os_user}{why}"), soft_wrap=True)
            out.print(Text(f"    {totals_text(e.totals())}"), soft_wrap=True)
    if c.diffs:
        rows = Table(title="逐行差异(作废后重新导入的行按编号比对)", title_justify="left")
        for name, justify in (("类别", "left"), ("表", "left"), ("编号", "left"), ("业务日期", "left"), ("金额(万元)", "right"), ("说明", "left")):
            rows.add_column(name, justify=justify, overflow="fold")
        for d in c.diffs:
            row = d.new or d.old
            amount = f"{row_amount(d.old)} → {row_amount(d.new)}" if d.status == "changed" else row_amount(row)
            status = {"changed": "更正", "added": "新增", "removed": "作废"}[d.status]
            day = row.day.isoformat() if row.day else ""
            rows.add_row(status, title(d.table), Text(d.key), day, amount, Text(diff_text(d)))
        out.print(rows)
    if c.unchanged:
        out.print(f"另有 {c.unchanged} 行作废后原样重新导入,不影响指标。", soft_wrap=True)
    for line in net_words(c):
        out.print(f"合计 {line}", soft_wrap=True)
    if c.other_entries:
        seqs = "、".join(str(e.seq) for e in c.other_entries)
        out.print(f"其间另有第 {seqs} 条日志,不改动截至{cn_date(c.as_of)}的数据(结账,或业务日期在其后的行)。", soft_wrap=True)
    out.print(f"当时 {c.then.words()}", soft_wrap=True)
    out.print(f"现在 {c.now.words()}", soft_wrap=True)


def _wan(v):
    return (Decimal(v) / WAN).quantize(Decimal("0.000001"))


def write_changes_xlsx(c, path: Path) -> list[str]:
    """The meeting's 情况说明 of corrections: figures then/now/difference, entries, rows; and every row in 变动明细."""
    from openpyxl import Workbook

    from .workbook import COUNT_FORMAT, MONEY_FORMAT, Sheet

    wb = Workbook()
    wb.properties.title = heading(c)
    wb.properties.creator = "ledger"
    ws = wb.active
    ws.title = "情况说明"
    sh = Sheet(ws)
    sh.put(1, 1, heading(c), bold=True, fit=False)
    sh.put(2, 1, f"当时 {c.then.words()}", fit=False)
    sh.put(3, 1, f"现在 {c.now.words()}", fit=False)
    row = 5
    heads = ["指标", "结账时" if c.close is not None else f"第{c.then.entry}条日志时", f"现在(第{c.now.entry}条日志)", "差额"]
    for col, head in enumerate(heads, 1):
        sh.put(row, col, head, bold=True)
    for f in c.figures:
        row += 1
        fmt = MONEY_FORMAT if f.kind == MONEY else (COUNT_FORMAT if f.kind == COUNT else "0.00")
        show = _wan if f.kind == MONEY else (lambda v: v)
        sh.put(row, 1, f.label + ("(万元)" if f.kind == MONEY else ""))
        for col, value in ((2, f.then), (3, f.now), (4, f.difference)):
            sh.put(row, col, "—" if value is None else show(value), None if value is None else fmt)
    row += 2
    sh.put(row, 1, "造成差异的日志", bold=True)
    for e in c.entries:
        i = e.entry
        row += 1
        why = f";原因: {i.reason}" if i.reason else ""
        sh.put(row, 1, f"第{i.seq}条 {ACTIONS.get(i.action, i.action)} {entry_where(i)}{why}: {totals_text(e.totals())}", fit=False)
    if not c.entries:
        row += 1
        sh.put(row, 1, "其间没有改动这些数据的导入或作废。", fit=False)
    row += 2
    sh.put(row, 1, "逐行差异", bold=True)
    row += 1
    for col, head in enumerate(["类别", "表", "编号", "业务日期", "原金额(万元)", "新金额(万元)", "说明"], 1):
        sh.put(row, col, head, bold=True)
    for d in c.diffs:
        row += 1
        r = d.new or d.old
        old = _money(d.old)
        new = _money(d.new)
        values = [{"changed": "更正", "added": "新增", "removed": "作废"}[d.status], title(d.table), d.key, r.day.isoformat() if r.day else ""]
        for col, value in enumerate(values, 1):
            sh.put(row, col, value)
        sh.put(row, 5, "" if old is None else _wan(old), MONEY_FORMAT)
        sh.put(row, 6, "" if new is None else _wan(new), MONEY_FORMAT)
        sh.put(row, 7, diff_text(d), fit=False)
    if c.unchanged:
        row += 1
        sh.put(row, 1, f"另有 {c.unchanged} 行作废后原样重新导入,不影响指标。", fit=False)
    for line in net_words(c):
        row += 1
        sh.put(row, 1, f"合计 {line}", fit=False)
    sh.fit_columns()
    _detail_sheet(wb.create_sheet("变动明细"), c)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return wb.sheetnames


def _money(row):
    if row is None:
        return None
    money = [v for v in row.fields.values() if _is_money(v) and v is not None]
    return money[0] if money else None


def _detail_sheet(ws, c) -> None:
    """Every row each entry added or took out, with its business fields and where it came from."""
    from .workbook import Sheet

    sh = Sheet(ws)
    fields: list[tuple[str, str]] = []
    for e in c.entries:
        for r in (*e.added, *e.removed):
            for k in r.fields:
                if (r.table, k) not in fields:
                    fields.append((r.table, k))
    names: list[str] = []
    for _table, k in fields:
        if k not in names:
            names.append(k)
    heads = ["日志", "操作", "文件", "批次", "表", "行号(id)", "原表行号", "编号", "业务日期"] + [field_label(t, k) for t, k in _first_tables(fields, names)]
    for col, head in enumerate(heads, 1):
        sh.put(1, col, head, bold=True)
    row = 1
    for e in c.entries:
        i = e.entry
        for r in (*e.added, *e.removed):
            row += 1
            values = [i.seq, "新增" if r.sign > 0 else "作废", i.file_name, r.batch_id, title(r.table), r.id, r.source_row, r.key, r.day.isoformat() if r.day else ""]
            values += [_cell(r.fields.get(k)) for k in names]
            for col, value in enumerate(values, 1):
                sh.put(row, col, value)
    sh.fit_columns()
    ws.freeze_panes = "A2"


def _first_tables(fields, names):
    first = {}
    for t, k in fields:
        first.setdefault(k, t)
    return [(first[k], k) for k in names]


def _cell(v):
    if isinstance(v, bool):
        return "是" if v else "否"
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v
