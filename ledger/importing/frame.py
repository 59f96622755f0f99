"""From raw cells under a found header to a typed frame, one column at a time.

Values are parsed column-wise (see `values`); a cell that cannot be parsed becomes a
problem naming its cell and an empty value in the frame. Blank rows are dropped, a
合计/总计/小计 row is taken out and checked against the rows above it (a totals row is an
assertion), and note lines below the table are skipped with a warning.

Money and other decimals are carried as scaled integers (fen for 元, 1e-4 for rates) so
that nothing on the way to DuckDB is ever a float.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import is_, itemgetter

from ..problems import WARNING, Problem
from . import values as V
from .header import Layout, Placed
from .text import cell_text

TOTAL_WORDS = ("合计", "总计", "小计", "合 计", "总 计")
SCALE = {"amount": 2, "rate": 4, "score": 2}


@dataclass
class TypedSheet:
    """The parsed rows of one sheet: columns by field, their Excel rows, and the problems met."""

    layout: Layout
    columns: dict[str, list]
    source_rows: list[int]  # 1-based Excel row of each parsed row
    raw: dict[str, list]  # the cells as read, for messages that quote what the user wrote
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.source_rows)


def _total_text(text: str) -> str | None:
    """The totals word a cell's text starts with (合计, 总计 or 小计, spaces inside allowed), or None."""
    word = text.strip().replace(" ", "").replace("\u3000", "")[:2]
    return word if word in ("合计", "总计", "小计") else None


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _column(rows: list[list], col: int, rectangular: bool) -> list:
    """One column of `rows`, None where a row is too short to have it."""
    if rectangular:
        return list(map(itemgetter(col), rows))
    return [row[col] if col < len(row) else None for row in rows]


def _totals_at(data, placed, cells, parsed_columns, bad_cells, incomplete: list[int]) -> dict[int, str]:
    """Rows whose first eight cells hold 合计/总计/小计, found without a test per cell.

    In a text column, one C-level search for 计 in the column's joined text says whether
    any cell needs a closer look; in a typed column (dates, amounts) a totals word cannot
    parse, so only the cells that failed are looked at; a column the kind does not read
    is looked at only on rows that leave some of the kind's columns empty (a totals row
    never names a contract, an enterprise and its dates).
    """
    at: dict[int, str] = {}
    cols = [p.col for p in placed]
    for c in range(min(8, max(map(len, data), default=0))):
        if c in cols:
            j = cols.index(c)
            raw = cells[j]
            if placed[j].spec.type in ("text", "code", "id", "name"):
                if "计" not in "\x00".join(filter(None, parsed_columns[j])):
                    continue
                candidates = (i for i, v in enumerate(raw) if type(v) is str and "计" in v)
            else:
                candidates = (i for i, _, _ in bad_cells[j] if type(raw[i]) is str)
            texts = ((i, raw[i]) for i in candidates)
        else:
            texts = ((i, data[i][c]) for i in incomplete if c < len(data[i]) and type(data[i][c]) is str)
        for i, text in texts:
            word = _total_text(text)
            if word and i not in at:
                at[i] = word
    return at


def _take(column: list, keep: list[tuple[int, int]]) -> list:
    """The cells of `column` in the kept [start, end) runs of rows."""
    if len(keep) == 1:
        start, end = keep[0]
        return column[start:end]
    return list(chain.from_iterable(column[start:end] for start, end in keep))


def _runs(count: int, dropped: list[int]) -> list[tuple[int, int]]:
    """[start, end) runs of 0..count-1 without the (sorted) dropped indices."""
    runs, start = [], 0
    for i in dropped:
        if i > start:
            runs.append((start, i))
        start = i + 1
    if start < count:
        runs.append((start, count))
    return runs


def _parse(placed: Placed, raw: list) -> tuple[list, list[tuple[int, str, str]]]:
    kind = placed.spec.type
    if kind == "amount":
        if placed.multiplier is None:  # a unit refused by name (see header): only whether they are amounts
            parsed, problems = V.parse_amounts(raw, 1)
            return parsed, [p for p in problems if p[1] != "amount_precision"]
        return V.parse_amounts(raw, placed.multiplier)
    if kind == "score":
        return V.parse_scores(raw)
    if kind == "rate":
        parsed, problems = V.parse_rates(raw)
        scaled = {p: int(p.scaleb(SCALE["rate"])) for p in set(parsed) if p is not None}
        return [None if p is None else scaled[p] for p in parsed], problems
    if kind == "date":
        return V.parse_dates(raw)
    if kind == "code":
        return V.parse_codes(raw)
    if kind == "id":
        return V.parse_identifiers(raw)
    if kind == "name":
        return V.parse_names(raw)
    if kind == "bool":
        return V.parse_bools(raw)
    if kind == "int":
        return V.parse_ints(raw)
    return V.parse_texts(raw)


def _fmt_fen(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def build(rows: list[list], layout: Layout, file: str, sheet: str) -> TypedSheet:
    """Parse the data rows under `layout`'s header into typed columns, collecting every problem.

    Works a column at a time, with no Python-level pass over every cell: the cells of each
    placed column are taken out whole and parsed, blank, note and totals rows are found
    from the parsed columns (see `_totals_at`), and those rows are then cut out of every
    column, their problems with them.
    """
    first = layout.header_index + 1
    data = rows[first:]
    placed = list(layout.placed.values())
    cols = [p.col for p in placed]
    short = min(map(len, data), default=0)  # every row has at least this many cells
    cells = [_column(data, c, c < short) for c in cols]

    # Every cell is parsed, blank and totals rows too (parsing is column-wise and cheap);
    # a parser gives None for a blank cell, so what it leaves None without a problem was empty.
    parsed_columns, bad_cells = [], []
    for p, raw in zip(placed, cells):
        parsed, bad = _parse(p, raw)
        parsed_columns.append(parsed)
        bad_cells.append(bad)
    # Empty cells per row, counted from the None indices of each column (C-level all the way):
    # most rows have none, and only rows with some can be blank, notes or totals.
    n, width = len(data), len(placed)
    empty: Counter[int] = Counter()
    for parsed in parsed_columns:
        empty.update(compress(range(n), map(is_, parsed, repeat(None))))
    for bad in bad_cells:
        empty.subtract(i for i, _, _ in bad)  # a cell that failed to parse was not empty
    incomplete = sorted(i for i, k in empty.items() if k > 0)
    totals_at = _totals_at(data, placed, cells, parsed_columns, bad_cells, incomplete)

    problems: list[Problem] = []
    totals: list[tuple[int, list]] = []
    dropped: list[int] = []
    for i in sorted(totals_at.keys() | set(incomplete)):
        count = width - empty[i]
        if count > 1 and i not in totals_at:
            continue
        if count == 0:
            dropped.append(i)
            continue
        excel_row = first + i + 1
        if i in totals_at:
            totals.append((excel_row, totals_at[i], [column[i] for column in cells]))
            dropped.append(i)
        elif count == 1 and len(cols) > 2:
            note = next(v for v in data[i] if _filled(v))
            problems.append(
                Problem(
                    code="note_row",
                    message=f"第{excel_row}行只有一个单元格有内容,视为说明行,未导入: 「{note}」",
                    hint="如这是一笔数据,请补全其余各列。",
                    file=file,
                    sheet=sheet,
                    row=excel_row,
                    value=str(note),
                    severity=WARNING,
                )
            )
            dropped.append(i)
    source_rows = list(range(first + 1, first + 1 + len(data)))
    if dropped:
        dropped.sort()
        gone = set(dropped)
        keep = _runs(len(data), dropped)
        cells = [_take(column, keep) for column in cells]
        parsed_columns = [_take(column, keep) for column in parsed_columns]
        bad_cells = [[(i - bisect_left(dropped, i), code, message) for i, code, message in bad if i not in gone] for bad in bad_cells]
        source_rows = _take(source_rows, keep)

    columns: dict[str, list] = {}
    raws: dict[str, list] = {}
    for p, raw, parsed, bad in zip(placed, cells, parsed_columns, bad_cells):
        columns[p.spec.field] = parsed
        raws[p.spec.field] = raw
        for i, code, message in bad:
            problems.append(
                Problem(
                    code=code,
                    message=message,
                    hint=_HINTS.get(code, ""),
                    file=file,
                    sheet=sheet,
                    row=source_rows[i],
                    col=p.col,
                    column=p.header,
                    value=cell_text(raw[i]),
                )
            )
    problems.extend(_check_totals(totals, placed, columns, source_rows, file, sheet))
    return TypedSheet(layout, columns, source_rows, raws, problems)


def _check_totals(totals, placed: list[Placed], columns: dict, source_rows: list[int], file: str, sheet: str) -> list[Problem]:
    """A totals row asserts a sum of the rows above it; a mismatch names both figures.

    合计 and 总计 sum every row above them; 小计 sums the rows since the totals row before it
    (a bank's subtotal per branch or per month), so subtotals and a grand total can share a sheet.
    """
    problems = []
    previous = 0
    for excel_row, word, cells in totals:
        start = bisect_left(source_rows, previous) if word == "小计" else 0
        end = bisect_left(source_rows, excel_row)
        previous = excel_row
        for j, p in enumerate(placed):
            if p.spec.type != "amount" or p.multiplier is None or not _filled(cells[j]):
                continue
            (stated,), bad = V.parse_amounts([cells[j]], p.multiplier)
            if bad or stated is None:
                continue
            actual = sum(filter(None, columns[p.spec.field][start:end]))
            if stated != actual:
                problems.append(
                    Problem(
                        code="total_mismatch",
                        message=f"{word}行的{p.header}为 {_fmt_fen(stated)} 元,明细加总为 {_fmt_fen(actual)} 元,相差 {_fmt_fen(stated - actual)} 元",
                        hint=f"请核对{word}行或明细行;{word}行本身不会被导入。",
                        file=file,
                        sheet=sheet,
                        row=excel_row,
                        col=p.col,
                        column=p.header,
                        value=str(cells[j]),
                        severity=WARNING,
                    )
                )
    return problems


_HINTS = {
    "bad_amount": "金额请填写数字,如 1600000.00 或 1,600,000.00;单位由表头(如「(万元)」)或表上方的「单位:万元」决定,未注明为元。",
    "amount_precision": "金额最多精确到分(0.01元)。",
    "bad_date": "日期可写作 2021-03-05、2021/3/5、2021.3.5、2021年3月5日 或 20210305。",
    "implausible_date": "请核对年份;1899-12-31 多为空单元格按 Excel 的第 0 天读出,请填写实际日期。",
    "bad_rate": "年利率请填写百分数,如 4.35 或 4.35%。",
    "bad_bool": "请填写「是」或「否」。",
    "control_char": "请删除单元格中的不可见控制字符(多由复制粘贴或系统导出带入)后再导入;编号中也不能换行。",
    "too_long": "编号最多 64 个字符,名称最多 200 个字符,其他单元格最多 2,000 个字符;请核对是否误粘贴了大段内容。",
    "bad_int": "请填写整数。",
    "bad_score": "评价分请填写 0~100 的数字,如 85 或 85.5(可带「分」字)。",
    "score_precision": "评价分最多两位小数,如 85.13;请按评价结果所载分数填写。",
    "score_out_of_range": "知识价值评价分为百分制。",
}
