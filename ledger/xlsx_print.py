"""How every sheet ledger writes prints: A4 landscape, one page wide, its header on every page.

A clerk prints the returned `--errors` workbook, an auditor the audit workbook, a section
head the meeting pack; each on A4 from Excel or WPS. Every writer calls `printable` on each
sheet it makes (normal or write-only): landscape A4, scaled to one page wide and as many
pages tall as it needs (fitToWidth=1, fitToHeight=0), the header rows repeated on each
page, and — where the writer names them — long-text columns given a sensible width and
wrapped rather than spread over pages of their own. `wrapped` is the one cell style for
those columns (shared: one style object for all cells, as openpyxl writes styles fastest).
"""

from __future__ import annotations

from typing import Iterable

WRAP_WIDTH = 40  # characters: a long-text column wider than this wraps instead
HEADER_WIDTH = 10  # a header longer than this wraps onto two lines rather than widen its column


def printable(ws, header_rows: int = 1, widths: dict[str, float] | None = None) -> None:
    """Page setup of one worksheet: A4 landscape, one page wide, the first `header_rows` rows on every page.

    `widths` (column letter → width in characters) is applied too; a write-only sheet needs
    it before its first row is appended, so writers call this right after creating the sheet.
    """
    for letter, width in (widths or {}).items():
        ws.column_dimensions[letter].width = width
    setup = ws.page_setup
    setup.orientation = "landscape"
    setup.paperSize = 9  # A4 (openpyxl's Worksheet.PAPERSIZE_A4; write-only sheets lack the constant)
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if header_rows:
        ws.print_title_rows = f"1:{header_rows}"


def wrapped():
    """The cell alignment of long text: wrapped at the column's width, top-aligned."""
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=True, vertical="top")


def fitted_widths(header: list[str], rows: Iterable[list], wrap_at: int = WRAP_WIDTH, minimum: int = 6) -> tuple[dict[int, int], set[int]]:
    """Column widths (1-based column → characters, CJK counted twice) and the columns to wrap.

    A column is as wide as its widest value, at most `wrap_at`; a wider one is set to
    `wrap_at` and listed for wrapping, so a long message makes a taller row, not a wider page.
    """
    from rich.cells import cell_len

    widest = {j: min(cell_len(str(name)), HEADER_WIDTH) for j, name in enumerate(header, 1)}  # a long header wraps
    for row in rows:
        for j, value in enumerate(row, 1):
            if value is not None:
                width = max(cell_len(line) for line in str(value).split("\n"))
                if width > widest.get(j, 0):
                    widest[j] = width
    widths = {j: min(max(w + 2, minimum), wrap_at) for j, w in widest.items()}
    return widths, {j for j, w in widest.items() if w + 2 > wrap_at}


LINE_POINTS = 15  # height of one line of 11-point text, CJK included


def row_height(values: list, widths: list[float], wrap: Iterable[int]) -> float | None:
    """Points a row needs so that its wrapped cells show every line (None: one line is enough).

    Excel and WPS fit row heights when a file is opened; LibreOffice (and so a PDF made with
    it) does not, so a writer sets the height of each row whose wrapped text takes more lines.
    `values` and `widths` are per column (0-based); `wrap` lists the wrapped columns.
    """
    import math

    from rich.cells import cell_len

    lines = 1
    for i in wrap:
        value = values[i] if i < len(values) else None
        if value is None or i >= len(widths):
            continue
        room = max(widths[i] - 2, 1)  # a little short of the width: fonts differ, a line break never lands exactly
        lines = max(lines, sum(max(math.ceil(cell_len(part) * 1.1 / room), 1) for part in str(value).split("\n")))
    return None if lines == 1 else LINE_POINTS * lines + 2
