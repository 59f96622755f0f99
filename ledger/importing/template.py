"""Import templates: an empty workbook a bank or incubator can fill for one kind.

Generated from the kind's declarative schema, so a template can never disagree with what
the importer accepts: the first sheet carries the canonical headers (required ones
marked in the 填报说明 sheet), the second explains every column, its type and the other
header names the importer also recognises.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError
from .schema import KindSpec

TYPE_NOTES = {
    "text": "文字",
    "id": "编号,最多64个字符,不能换行",
    "name": "名称,最多200个字符",
    "code": "18位统一社会信用代码",
    "amount": "金额,单位见表头(元、千元、万元、百万元或亿元,未注明为元),可带千分位",
    "date": "日期,如 2021-03-05、2021/3/5、2021年3月5日",
    "rate": "年利率百分数,如 4.35 或 4.35%",
    "bool": "是 / 否",
    "int": "整数",
    "score": "评价分,0~100,最多两位小数,如 85 或 85.5",
}


def check_target(out: Path, force: bool = False, example: str = "放款明细模板.xlsx") -> None:
    """Refuse, before writing anything, an --out that is not a new .xlsx file.

    The template is an .xlsx whatever its name says, so another suffix would mislead the
    next program that opens it. An existing file is most likely a template already being
    filled in (the default name is the same every time): it is replaced only with --force.
    """
    out = Path(out)
    if out.is_dir():
        raise UsageError(f"--out 指向的是一个目录,不是文件: {out}", f"请给出文件名,例如 --out {out / example}")
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"模板只能保存为 .xlsx 文件: {out}", f"请把文件名改为以 .xlsx 结尾,例如 --out {out.with_suffix('.xlsx').name}")
    if out.exists() and not force:
        raise UsageError(f"文件已存在,未覆盖: {out}", "请换一个文件名;确需覆盖(例如旧模板不再需要)时加 --force。")


def write_template(spec: KindSpec, out: Path, force: bool = False) -> Path:
    """Write the fill-in template of `spec` to `out` (.xlsx) and return the path.

    `out` must be a new .xlsx file (an existing one only with `force`); anything else, and a
    folder that cannot be made or written to, is a UsageError with a hint, never a traceback.
    The workbook is written beside `out` and renamed onto it, so a failed write leaves no
    half-written file and an existing one intact.
    """
    check_target(out, force, f"{spec.title}模板.xlsx")
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
    from ..xlsx_print import printable, wrapped

    printable(ws, 1)
    printable(notes, 1, dict(zip("ABCD", (22, 10, 40, 40))))
    wrap = wrapped()
    for row in notes.iter_rows(min_col=3, max_col=4):
        for c in row:
            c.alignment = wrap
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        part = out.with_name(f".{out.name}.{os.getpid()}.part")
        try:
            wb.save(part)
            os.replace(part, out)
        finally:
            if os.path.exists(part):
                os.unlink(part)
    except OSError as exc:
        raise UsageError(f"无法写入模板 {out}: {exc.strerror or exc}", "请检查该目录是否存在、是否有写入权限、磁盘是否已满,或换一个位置(例如当前目录)。") from None
    return out
