"""Problems found in an input file, as data (like beancount's error tuples).

A problem names the file, sheet, cell (`D17`), header, value, a rule code, a plain
Chinese message and a hint. Problems are collected, never raised one by one, so a user
sees everything wrong with a sheet at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

ERROR = "error"
WARNING = "warning"


def column_letter(index: int) -> str:
    """Excel column letters for a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int | None, col: int | None) -> str:
    """An A1 reference from a 1-based Excel row and a 0-based column; '' parts when unknown."""
    letters = column_letter(col) if col is not None else ""
    return f"{letters}{row if row is not None else ''}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error) or worth a look (warning) in an input, pointing at its cell."""

    code: str
    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    row: int | None = None  # 1-based Excel row
    col: int | None = None  # 0-based column index
    column: str = ""  # the header as written in the file
    value: str = ""
    severity: str = ERROR
    detail: str = ""  # a library's own (English) words behind the message: --json only, never in the message

    @property
    def cell(self) -> str:
        return cell_ref(self.row, self.col)

    @property
    def where(self) -> str:
        """`file!D17` as the user sees it in the spreadsheet."""
        ref = self.cell
        return f"{self.file}!{ref}" if ref else self.file

    def located(self, several_sheets: bool) -> str:
        """`file!D17`, or `file[10月]!D17` when the file has several sheets and the problem one of them.

        In a workbook of several sheets a bare cell is ambiguous (every sheet has a D17); in
        a file of one sheet its name adds nothing, so it is left out there.
        """
        if not (several_sheets and self.sheet):
            return self.where
        ref = self.cell
        return f"{self.file}[{self.sheet}]!{ref}" if ref else f"{self.file}[{self.sheet}]"

    def to_dict(self) -> dict:
        """The fields, then `cell`, for JSON (a shallow copy: every field is a str, int or None).

        dataclasses.asdict deep-copies field by field, eight times slower; an import that
        lists thousands of warnings spent 20 ms on it.
        """
        d = {f.name: getattr(self, f.name) for f in _FIELDS}
        d["cell"] = self.cell
        return d


_FIELDS = fields(Problem)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that refuse an import."""
    return [p for p in problems if p.severity == ERROR]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    """The problems reported but not refusing."""
    return [p for p in problems if p.severity == WARNING]


def sort_key(p: Problem):
    return (p.file, p.sheet, p.row or 0, p.col if p.col is not None else -1, p.code)
