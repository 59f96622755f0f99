"""The auditor's workbooks: tables with a bold header, frozen panes, filters and widths that fit.

Shared by `audit subsidies` and `audit claims`: amounts in 元 with two places, dates as dates,
text a spreadsheet would run as a formula stored as text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

MONEY_FORMAT = "#,##0.00"
MAX_WIDTH = 66  # a sha256 fits


def put(ws, row: int, col: int, value):
    """Write one cell; text that a spreadsheet would run as a formula is stored as plain text."""
    from ..xlsx_safe import put as put_text_safe

    cell = put_text_safe(ws, row, col, value)
    if isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def width(value) -> int:
    """Display width of a cell: CJK characters count two columns."""
    import unicodedata

    if value is None:
        return 0
    if isinstance(value, Decimal):
        text = f"{value:,.2f}"
    elif isinstance(value, dt.date):
        text = "2024-01-01"
    else:
        text = str(value)
    return max(len(line) if line.isascii() else sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in text.split("\n"))


def table(ws, header: list[str], rows: list[list], wrap: set[int] = frozenset()) -> None:
    """Write `header` and `rows` on `ws` from A1: header bold on blue, panes frozen under it, a filter, columns as wide as their text."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrapped = Alignment(wrap_text=True, vertical="top")  # one shared style: per-cell styles are slow
    for j, name in enumerate(header, 1):
        c = put(ws, 1, j, name)
        c.font, c.fill = bold, fill
    for i, row in enumerate(rows, 2):
        for j, value in enumerate(row, 1):
            c = put(ws, i, j, value)
            if j in wrap and value:
                c.alignment = wrapped
    ws.freeze_panes = "A2"
    for j, name in enumerate(header, 1):
        widest = max([width(name)] + [width(r[j - 1]) for r in rows])
        ws.column_dimensions[get_column_letter(j)].width = min(widest + 2, MAX_WIDTH)
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
