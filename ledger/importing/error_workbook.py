"""The workbook sent back to a bank: its sheet as read, bad cells highlighted and explained.

`ledger import FILE --errors OUT.xlsx` writes a new workbook (never an edit of the bank's
own file, which may be .xls, .csv or damaged): a 问题清单 sheet listing every problem
(sheet, cell, column, value, rule, message, hint), then a copy of each sheet that has a
problem, holding the cells exactly as read. A cell with an error is filled red, one with
only a warning yellow, and each carries a comment with the message and the hint. A problem
about a whole row (a note line, a missing column) marks the row's first cell.

Every value goes through `xlsx_safe`, so text from the bank that starts with = + - @ is
written as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from .. import xlsx_safe
from ..errors import UsageError
from ..problems import ERROR, Problem, sort_key
from .readers import RawSheet, ReadError, read_sheets

LIST_SHEET = "问题清单"
ERROR_FILL = "FFC7CE"  # Excel's "bad" red
WARNING_FILL = "FFEB9C"  # Excel's "neutral" yellow
LIST_HEADER = ["序号", "级别", "工作表", "单元格", "列", "值", "规则", "问题", "提示"]
SEVERITY = {ERROR: "错误", "warning": "提示"}
# Widths (characters) of the list's columns: 序号 … 提示 fit one A4 landscape page wide at a
# readable scale; 工作表, 值, 规则, 问题 and 提示 wrap inside them, every cell top-aligned.
LIST_WIDTHS = [5, 5, 12, 7, 14, 16, 14, 40, 36]
WRAPPED_COLUMNS = (0, 1, 2, 3, 4, 5, 6, 7, 8)  # every column: top-aligned, the long ones wrapped
COMMENT_LIMIT = 2000  # characters in one comment; more is cut, the list sheet has everything


def check_target(source: Path, out: Path) -> None:
    """Refuse, before anything is imported, an --errors path that is not a new .xlsx beside the source."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--errors 的文件名应以 .xlsx 结尾: {out}", "例如 --errors 退回建行.xlsx")
    try:
        same = out.exists() and Path(source).exists() and out.samefile(source)
    except OSError:
        same = False
    if same:
        raise UsageError(f"--errors 不能写到被导入的文件本身: {out}", "请另取一个文件名,银行的原文件保持不动。")


def write_error_workbook(source: Path, problems: list[Problem], out: Path) -> Path:
    """Write the bank's workbook with `problems` marked to `out` (.xlsx) and return `out`.

    The sheets are read again from `source`; when that fails (the file itself was refused
    as unreadable) the workbook holds the problem list alone. A workbook that cannot be
    written (no such folder, no permission, disk full) is a UsageError.
    """
    from openpyxl import Workbook

    problems = sorted(problems, key=sort_key)
    by_sheet: dict[str, list[Problem]] = defaultdict(list)
    for p in problems:
        if p.sheet and p.row is not None:
            by_sheet[p.sheet].append(p)
    sheets: list[RawSheet] = []
    if by_sheet:
        try:
            sheets = [s for s in read_sheets(source) if s.name in by_sheet]
        except ReadError:
            sheets = []

    wb = Workbook(write_only=True)
    _problem_list(wb.create_sheet(LIST_SHEET), problems)
    taken = {LIST_SHEET}
    for sheet in sheets:
        title = _sheet_title(sheet.name, taken)
        _marked_copy(wb.create_sheet(title), sheet, by_sheet[sheet.name])
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(out)
    except OSError as exc:
        raise UsageError(f"无法写入问题工作簿 {out}: {exc.strerror or exc}", "请检查该目录是否存在、是否有写入权限、磁盘是否已满。") from None
    return out


def _problem_list(ws, problems: list[Problem]) -> None:
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    from ..xlsx_print import printable, row_height, wrapped

    printable(ws, 1, {_letter(i): w for i, w in enumerate(LIST_WIDTHS)})
    ws.freeze_panes = "A2"
    wrap = wrapped()
    bold = Font(bold=True)
    header = []
    for text in LIST_HEADER:
        c = WriteOnlyCell(ws, value=text)
        c.font = bold
        header.append(c)
    ws.append(header)
    fills = {ERROR: PatternFill("solid", fgColor=ERROR_FILL), "warning": PatternFill("solid", fgColor=WARNING_FILL)}
    for n, p in enumerate(problems, 1):
        values = [n, SEVERITY.get(p.severity, p.severity), p.sheet, p.cell, p.column, p.value, p.code, p.message, p.hint]
        height = row_height(values, LIST_WIDTHS, WRAPPED_COLUMNS)
        if height:
            ws.row_dimensions[n + 1].height = height
        cells = xlsx_safe.row(ws, values)
        level = cells[1]
        if not isinstance(level, Cell):
            level = cells[1] = WriteOnlyCell(ws, value=level)
        level.fill = fills.get(p.severity, fills["warning"])
        for i in WRAPPED_COLUMNS:  # long text wraps within its column: the list prints one page wide
            if cells[i] is not None:
                if not isinstance(cells[i], Cell):
                    cells[i] = WriteOnlyCell(ws, value=cells[i])
                cells[i].alignment = wrap
        ws.append(cells)


def _marked_copy(ws, sheet: RawSheet, problems: list[Problem]) -> None:
    """The sheet's cells as read, problem cells filled and commented."""
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from ..xlsx_print import printable

    printable(ws, header_rows=0)  # the bank's own layout: where its header is, is not known here
    marks: dict[int, dict[int, list[Problem]]] = defaultdict(lambda: defaultdict(list))
    for p in problems:
        marks[p.row - 1][p.col if p.col is not None else 0].append(p)
    fills = {True: PatternFill("solid", fgColor=ERROR_FILL), False: PatternFill("solid", fgColor=WARNING_FILL)}
    width = max([len(r) for r in sheet.rows] + [c + 1 for cols in marks.values() for c in cols] + [0])
    height = max([len(sheet.rows), *(r + 1 for r in marks)])
    for r in range(height):
        row = sheet.rows[r] if r < len(sheet.rows) else []
        cells = xlsx_safe.row(ws, [_cell_value(row[c]) if c < len(row) else None for c in range(width)])
        for col, found in marks.get(r, {}).items():
            c = cells[col]
            if not isinstance(c, Cell):
                c = cells[col] = WriteOnlyCell(ws, value=c)
            if isinstance(c.value, dt.date):
                c.number_format = "yyyy-mm-dd" if not isinstance(c.value, dt.datetime) else "yyyy-mm-dd hh:mm:ss"
            c.fill = fills[any(p.severity == ERROR for p in found)]
            comment = Comment(_comment_text(found), "ledger")
            comment.width, comment.height = 320, 60 + 60 * len(found)
            c.comment = comment
        ws.append(cells)


def _cell_value(value):
    """A cell read from the bank's file as openpyxl can write it back."""
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def _comment_text(found: list[Problem]) -> str:
    parts = []
    for p in found:
        level = SEVERITY.get(p.severity, p.severity)
        text = f"【{level}】{p.message}"
        if p.hint:
            text += f"\n提示: {p.hint}"
        parts.append(text)
    text = "\n\n".join(parts)
    return text if len(text) <= COMMENT_LIMIT else text[: COMMENT_LIMIT - 1] + "…"


def _sheet_title(name: str, taken: set[str]) -> str:
    """An Excel-legal, unique sheet title (≤ 31 characters, none of []:*?/\\)."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")[:31] or "Sheet"
    title, n = base, 1
    while title in taken:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title)
    return title


def _letter(i: int) -> str:
    from ..problems import column_letter

    return column_letter(i)
