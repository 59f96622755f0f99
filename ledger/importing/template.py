"""Import templates: an empty workbook a bank or incubator can fill for one kind.

Generated from the kind's declarative schema, so a template can never disagree with what
the importer accepts: the first sheet carries the canonical headers (required ones
marked in the 填报说明 sheet), the second explains every column, its type and the other
header names the importer also recognises.
"""

from __future__ import annotations

from pathlib import Path

from .schema import KindSpec

TYPE_NOTES = {
    "text": "文字",
    "code": "18位统一社会信用代码",
    "amount": "金额,单位见表头(元、千元、万元、百万元或亿元,未注明为元),可带千分位",
    "date": "日期,如 2021-03-05、2021/3/5、2021年3月5日",
    "rate": "年利率百分数,如 4.35 或 4.35%",
    "bool": "是 / 否",
    "int": "整数",
    "score": "评价分,0~100,最多两位小数,如 85 或 85.5",
}


def write_template(spec: KindSpec, out: Path) -> Path:
    """Write the fill-in template of `spec` to `out` (.xlsx) and return the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = spec.title
    ws.append([c.header for c in spec.columns])
    required = PatternFill("solid", fgColor="FFF2CC")
    for cell, col in zip(ws[1], spec.columns):
        cell.font = Font(bold=True)
        if col.required:
            cell.fill = required
        ws.column_dimensions[cell.column_letter].width = max(12, 2 * len(col.header) + 4)
    ws.freeze_panes = "A2"

    notes = wb.create_sheet("填报说明")
    notes.append(["列名", "是否必填", "内容", "也可使用的列名"])
    for col in spec.columns:
        notes.append([col.header, "必填" if col.required else "选填", TYPE_NOTES[col.type], "、".join(col.aliases)])
    notes.append([])
    notes.append(["黄色表头为必填列。金额列可在表头注明单位,如「放款金额(万元)」;未注明时按元计。"])
    for letter, width in zip("ABCD", (22, 10, 40, 60)):
        notes.column_dimensions[letter].width = width
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
