"""Drawing `ledger rows` as a plain-text table (万元), CSV or a workbook (元); the data never changes here.

The terminal table is plain text, one line per row, each line whole (no wrapping), so that it
prints fast at ten thousand rows and `grep` finds a contract. CSV and the workbook carry the
exact amounts in 元, every column, and the full sha256; the workbook adds the 合计 and the
字段说明 (each column's Chinese label and unit).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys

from pathlib import Path

from ..fields import field_sheet
from ..xlsx_print import printable
from ..money import fmt_wan
from .rows import Rows

HASH_SHOWN = 12  # the terminal shows the sha256's first characters; CSV, JSON and xlsx the whole


def filters_text(r: Rows) -> str:
    """The filters in words: 银行 重庆银行;期间 2021-10-01 至 2021-10-31;仅知识价值信用贷款."""
    f = r.filters
    parts = []
    if f.bank is not None:
        parts.append(f"银行 {f.bank}")
    if f.start is not None or f.end is not None:
        parts.append(f"期间 {f.start.isoformat() if f.start else '开始'} 至 {f.end.isoformat() if f.end else '今'}")
    if f.district is not None:
        parts.append(f"区县 {f.district}")
    if f.grade is not None:
        parts.append(f"评价等级 {f.grade}")
    if f.programme is not None:
        parts.append("仅知识价值信用贷款" if f.programme else "仅引导其他商业贷款")
    if f.enterprise is not None:
        parts.append(f"企业 {f.enterprise}")
    if f.batch is not None:
        parts.append(f"批次 {f.batch}")
    parts.append("含已作废行(合计不含)" if f.include_voided else "不含已作废行")
    return ";".join(parts)


def total_text(r: Rows) -> str:
    """合计: 12 行,8 家企业,放款金额 630.00 万元(已作废 3 行未计入)."""
    labels = {f.name: f.label for f in r.fields}
    parts = [f"{r.count} 行"]
    if r.enterprises is not None:
        parts.append(f"{r.enterprises} 家企业")
    parts += [f"{labels[c]} {fmt_wan(v)} 万元" for c, v in r.sums.items()]
    tail = f"(另列已作废 {r.voided} 行,未计入)" if r.voided else ""
    return "合计: " + ",".join(parts) + tail


# Display width in a terminal: a Chinese character (3 bytes in UTF-8) takes two columns, ASCII one;
# (bytes + characters) / 2 gives both, cheaply enough for DuckDB to reckon at ten thousand rows.
def _width_sql(cell: str) -> str:
    return f"((strlen({cell}) + length({cell})) // 2)"


def _width(text: str) -> int:
    return (len(text.encode("utf-8")) + len(text)) // 2


def _shown_sql(r: Rows, name: str, cell: str) -> str:
    """SQL for a cell as the terminal shows it: 万元 with separators, 是/否, the sha256's first characters."""
    kind = r.selection.types.get(name, "")
    if name in r.money:
        return f"format('{{:,.2f}}', CAST(round({cell} / 10000, 2) AS DOUBLE))"
    if kind == "BOOLEAN":
        return f"CASE WHEN {cell} THEN '是' WHEN NOT {cell} THEN '否' END"
    if name == "file_sha256":
        return f"left({cell}, {HASH_SHOWN})"
    return f"CAST({cell} AS VARCHAR)"


def text(con, r: Rows) -> str:
    """The rows as a plain-text table in 万元, with its title, filters and 合计.

    DuckDB formats and pads the cells and joins the lines (Python objects for every cell of
    ten thousand rows would cost more than the query); the widths count a Chinese character
    as two columns.
    """
    money = set(r.money)
    heads = [f"{f.label}(万元)" if f.name in money else f.label.split("(")[0] for f in r.fields]
    right = [f.name in money or r.selection.types.get(f.name, "") in ("INTEGER", "BIGINT") for f in r.fields]
    sel = r.selection
    shown = [f"coalesce({_shown_sql(r, f.name, cell)}, '')" for f, cell in zip(r.fields, sel.cells)]
    n = len(shown)
    widths_sql = ", ".join(f"max({_width_sql(f'c{i}')}) OVER () AS w{i}" for i in range(n))
    padded = []
    for i, (head, rt) in enumerate(zip(heads, right)):
        pad = f"repeat(' ', greatest(w{i}, {_width(head)}) - {_width_sql(f'c{i}')})"
        padded.append(f"{pad} || c{i}" if rt else f"c{i} || {pad}")
    line = " || '  ' || ".join(padded)
    query = f"""
        WITH c AS (SELECT row_number() OVER (ORDER BY {sel.order}) AS rn, {', '.join(f'{e} AS c{i}' for i, e in enumerate(shown))} {sel.body}),
        w AS (SELECT *, {widths_sql} FROM c)
        SELECT coalesce(string_agg(rtrim({line}), chr(10) ORDER BY rn), ''), {', '.join(f'coalesce(max(w{i}), 0)' for i in range(n))} FROM w
    """
    body, *widths = con.execute(query, sel.params).fetchall()[0]
    widths = [max(w, _width(h)) for w, h in zip(widths, heads)]
    header = "  ".join(" " * (w - _width(h)) + h if rt else h + " " * (w - _width(h)) for h, w, rt in zip(heads, widths, right)).rstrip()
    lines = [f"{r.title}({filters_text(r)};金额单位:万元)", header]
    if body:
        lines.append(body)
    lines.append(total_text(r))
    return "\n".join(lines) + "\n"


def json_text(con, r: Rows) -> str:
    """The `--json` object of `ledger rows` as text; DuckDB writes the rows (amounts as 元 strings, dates ISO)."""
    import json

    from .render import PRETTY_JSON_LIMIT

    sel = r.selection
    values = []
    for f, cell in zip(r.fields, sel.cells):
        kind = sel.types.get(f.name, "")
        plain = kind in ("INTEGER", "BIGINT", "BOOLEAN", "VARCHAR", "DATE")
        values.append(f"{json.dumps(f.name)} := {cell if plain else f'CAST({cell} AS VARCHAR)'}")
    rows = con.execute(
        f"SELECT coalesce('[' || string_agg(to_json(struct_pack({', '.join(values)})), ',' ORDER BY {sel.order}) || ']', '[]') {sel.body}",
        sel.params,
    ).fetchall()[0][0]
    head = r.head_json()
    if len(rows) < PRETTY_JSON_LIMIT:
        return json.dumps({**head, "rows": json.loads(rows)}, ensure_ascii=False, indent=2) + "\n"
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ' + rows + "}\n"


def _header(r: Rows) -> list[str]:
    return [f"{f.label}({f.unit})" if f.unit in ("元", "%(年利率)", "分") else f.label for f in r.fields]


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def write_csv(con, r: Rows, out: Path | None) -> None:
    """The rows as CSV, amounts in 元: to `out` (UTF-8 with BOM, which Excel and WPS read), or to stdout."""
    r.fetch(con)
    buffer = io.StringIO()
    w = csv.writer(buffer)
    w.writerow(_header(r))
    for row in r.rows:
        w.writerow([_plain(v) for v in row])
    if out is None:
        sys.stdout.write(buffer.getvalue())
    else:
        out.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def write_xlsx(con, r: Rows, out: Path) -> Path:
    """A workbook: the rows (元, #,##0.00), the 合计 with the filters, and the 字段说明."""
    from openpyxl import Workbook

    r.fetch(con)
    from .. import xlsx_safe

    wb = Workbook()
    ws = wb.active
    ws.title = r.title[:31]
    ws.append(xlsx_safe.row(ws, _header(r)))
    money = {i for i, f in enumerate(r.fields) if f.name in set(r.money)}
    for row in r.rows:
        ws.append(xlsx_safe.row(ws, [_plain(v) if i not in money else v for i, v in enumerate(row)]))
    for i in money:
        for c in ws.iter_cols(min_col=i + 1, max_col=i + 1, min_row=2):
            for cell in c:
                cell.number_format = "#,##0.00"
    ws.freeze_panes = "A2"
    printable(ws)
    total = wb.create_sheet("合计")
    total.append(xlsx_safe.row(total, ["筛选条件", filters_text(r)]))
    total.append(["行数(不含已作废)", r.count])
    if r.enterprises is not None:
        total.append(["企业数", r.enterprises])
    labels = {f.name: f.label for f in r.fields}
    for c, v in r.sums.items():
        cell_row = xlsx_safe.row(total, [f"{labels[c]}(元)", v])
        total.append(cell_row)
        total.cell(row=total.max_row, column=2).number_format = "#,##0.00"
    if r.voided:
        total.append(["另列已作废行数(未计入合计)", r.voided])
    printable(total)
    field_sheet(wb, [(r.title, f.name, f.label, f.unit) for f in r.fields])
    wb.save(out)
    return out
