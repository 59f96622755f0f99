"""Writing imported text into .xlsx files so that no spreadsheet application runs it.

Banks' sheets are untrusted: a company name such as `=HYPERLINK("http://…")` or
`@SUM(1+1)*cmd|' /C calc'!A0` is imported as text and must come back out as text. openpyxl
turns any string starting with "=" into a formula (and "#N/A"-like strings into error
values), so every xlsx writer of the ledger passes its values through `cell`, `row` or
`put`: strings are forced to the string type, and those starting with = + - @ (or a tab
or carriage return, the other characters spreadsheet apps treat as a formula start) also
get Excel's quote prefix, so that editing the cell in Excel keeps it text. Characters
XML cannot hold are replaced by U+FFFD and over-long text is cut to Excel's cell limit,
so that a hostile value cannot make the export fail either.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32_767  # Excel's limit on characters in one cell
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TRUNCATED = "…(截断)"


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet application would read this text as a formula if typed in."""
    return text.startswith(FORMULA_START)


def clean_text(text: str) -> str:
    """The text as an xlsx cell can hold it: no XML-illegal characters, at most 32,767 characters."""
    text = _ILLEGAL.sub("\ufffd", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - len(TRUNCATED)] + TRUNCATED
    return text


def cell(ws, value: Any):
    """A cell for `ws.append([...])` (normal or write-only sheet): text stays text, other values pass.

    Numbers, Decimals, dates, booleans and None are returned unchanged; openpyxl stores them
    with their own types.
    """
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws, value=None)
    _set_text(c, value)
    return c


def row(ws, values) -> list:
    """`ws.append(row(ws, values))`: a whole row of safe cells."""
    return [cell(ws, v) for v in values]


def put(ws, row_no: int, column: int, value: Any):
    """Set the cell at (row, column) of a normal worksheet safely and return it (for styling)."""
    c = ws.cell(row=row_no, column=column)
    if isinstance(value, str):
        _set_text(c, value)
    else:
        c.value = value
    return c


def _set_text(c, text: str) -> None:
    text = clean_text(text)
    c.value = text  # may set data_type "f" (leading "=") or "e" ("#N/A") …
    c.data_type = "s"  # … which this undoes: the cell holds exactly the text
    if is_formula_like(text):
        c.quotePrefix = True
