"""The auditor's workbooks: tables with a bold header, frozen panes, filters and widths that fit.

Shared by `audit subsidies` and `audit claims`: amounts in 元 with two places, dates as dates,
text a spreadsheet would run as a formula stored as text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

MONEY_FORMAT = "#,##0.00"
MAX_WIDTH = 22  # a wider column (reasons, a sha256) wraps, so the sheet prints one A4 page wide


def put(ws, row: int, col: int, value):
    """Write one cell; text that a spreadsheet would run as a formula is stored as plain text."""
    from ..xlsx_safe import put as put_text_safe

    cell = put_text_safe(ws, row, col, value)
    if isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def shown(value):
    """A cell's value as it shows (amounts with separators, dates as ISO), for fitting widths."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, dt.date):
        return "2024-01-01"
    return value


def table(ws, header: list[str], rows: list[list], wrap: set[int] = frozenset()) -> None:
    """Write `header` and `rows` on `ws` from A1: header bold on blue, panes frozen under it, a filter.

    Printable one A4 landscape page wide (`xlsx_print.printable`, header repeated on each
    page): a column is as wide as its text up to `MAX_WIDTH`; a wider one (reasons, a
    sha256) wraps inside it, and each row is as tall as its wrapped text needs.
    """
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from ..xlsx_print import fitted_widths, printable, row_height, wrapped

    widths, too_wide = fitted_widths(header, ([shown(v) for v in r] for r in rows), wrap_at=MAX_WIDTH)
    wrap = set(wrap) | too_wide
    per_column = [widths[j] for j in range(1, len(header) + 1)]
    printable(ws, 1, {get_column_letter(j): w for j, w in widths.items()})
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrapped_text = wrapped()  # one shared style: per-cell styles are slow
    for j, name in enumerate(header, 1):
        c = put(ws, 1, j, name)
        c.font, c.fill, c.alignment = bold, fill, wrapped_text
    height = row_height(header, per_column, range(len(header)))
    if height:
        ws.row_dimensions[1].height = height
    for i, row in enumerate(rows, 2):
        for j, value in enumerate(row, 1):
            c = put(ws, i, j, value)
            if j in wrap and value:
                c.alignment = wrapped_text
        height = row_height([shown(v) for v in row], per_column, [j - 1 for j in wrap])
        if height:
            ws.row_dimensions[i].height = height
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
