"""From raw cells under a found header to a typed frame, one column at a time.

Values are parsed column-wise (see `values`); a cell that cannot be parsed becomes a
problem naming its cell and an empty value in the frame. Blank rows are dropped, a
合计/总计/小计 row is taken out and checked against the rows above it (a totals row is an
assertion), and note lines below the table are skipped with a warning.

Money and other decimals are carried as scaled integers (fen for 元, 1e-4 for rates) so
that nothing on the way to DuckDB is ever a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from operator import add, is_not, itemgetter

from ..problems import WARNING, Problem
from . import values as V
from .header import Layout, Placed

TOTAL_WORDS = ("合计", "总计", "小计", "合 计", "总 计")
SCALE = {"amount": 2, "rate": 4, "decimal": 2}


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


def _total_text(text: str) -> bool:
    """Whether a cell's text marks a totals row: 合计, 总计 or 小计 (spaces inside allowed)."""
    return text.strip().replace(" ", "").replace("\u3000", "").startswith(("合计", "总计", "小计"))


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _column(rows: list[list], col: int, rectangular: bool) -> list:
    """One column of `rows`, None where a row is too short to have it."""
    if rectangular:
        return list(map(itemgetter(col), rows))
    return [row[col] if col < len(row) else None for row in rows]


def _where(column: list, chosen: set) -> list[int]:
    """Indices of the cells holding one of the `chosen` values."""
    if not chosen:
        return []
    return [i for i, v in enumerate(column) if v in chosen]


def _distinct_texts(column: list) -> list[str]:
    """The distinct text values of a column (columns repeat values: banks, products, dates)."""
    return [v for v in set(column) if type(v) is str]


def _blank_texts(texts: list[str]) -> set[str]:
    """The texts that are white space only (a cell a user sees as empty)."""
    if "" not in texts and not any(map(str.isspace, texts)):
        return set()
    return {v for v in texts if not v.strip()}


def _total_texts(texts: list[str]) -> set[str]:
    """The texts that mark a totals row; only texts holding 计 are looked at closely."""
    if "计" not in "\x00".join(texts):
        return set()
    return {v for v in texts if "计" in v and _total_text(v)}


def _parse(placed: Placed, raw: list) -> tuple[list, list[tuple[int, str, str]]]:
    kind = placed.spec.type
    if kind == "amount":
        return V.parse_amounts(raw, placed.multiplier)
    if kind == "decimal":
        return V.parse_amounts(raw, 1)
    if kind == "rate":
        parsed, problems = V.parse_rates(raw)
        scaled = {p: int(p.scaleb(SCALE["rate"])) for p in set(parsed) if p is not None}
        return [None if p is None else scaled[p] for p in parsed], problems
    if kind == "date":
        return V.parse_dates(raw)
    if kind == "code":
        return V.parse_codes(raw)
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

    Works a column at a time: the cells of each placed column are taken out whole, blank,
    totals and note rows are found from the columns (testing each distinct value once),
    and only the rows kept are parsed.
    """
    first = layout.header_index + 1
    data = rows[first:]
    placed = list(layout.placed.values())
    cols = [p.col for p in placed]
    short = min(map(len, data), default=0)  # every row has at least this many cells
    longest = max(map(len, data), default=0)
    cells = [_column(data, c, c < short) for c in cols]

    # Cells filled per row, among the placed columns.
    texts = [_distinct_texts(column) for column in cells]
    filled = [0] * len(data)
    for column, distinct in zip(cells, texts):
        filled = list(map(add, filled, map(is_not, column, repeat(None))))
        for i in _where(column, _blank_texts(distinct)):
            filled[i] -= 1
    # Rows whose first eight cells hold 合计/总计/小计.
    totals_at: set[int] = set()
    for c in range(min(8, longest)):
        if c in cols:
            column, distinct = cells[cols.index(c)], texts[cols.index(c)]
        else:
            column = _column(data, c, c < short)
            distinct = _distinct_texts(column)
        totals_at.update(_where(column, _total_texts(distinct)))

    problems: list[Problem] = []
    totals: list[tuple[int, list]] = []
    dropped: list[int] = []
    for i, count in enumerate(filled):
        if count > 1 and i not in totals_at:
            continue
        if count == 0:
            dropped.append(i)
            continue
        excel_row = first + i + 1
        if i in totals_at:
            totals.append((excel_row, [column[i] for column in cells]))
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
    if dropped:
        gone = set(dropped)
        keep = [i for i in range(len(data)) if i not in gone]
        cells = [[column[i] for i in keep] for column in cells]
        source_rows = [first + i + 1 for i in keep]
    else:
        source_rows = list(range(first + 1, first + 1 + len(data)))

    columns: dict[str, list] = {}
    raws: dict[str, list] = {}
    for p, raw in zip(placed, cells):
        parsed, bad = _parse(p, raw)
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
                    value=str(raw[i]),
                )
            )
    problems.extend(_check_totals(totals, placed, columns, file, sheet))
    return TypedSheet(layout, columns, source_rows, raws, problems)


def _check_totals(totals, placed: list[Placed], columns: dict, file: str, sheet: str) -> list[Problem]:
    """A totals row asserts the sum of the rows above it; a mismatch names both figures."""
    problems = []
    for excel_row, cells in totals:
        for j, p in enumerate(placed):
            if p.spec.type != "amount" or not _filled(cells[j]):
                continue
            (stated,), bad = V.parse_amounts([cells[j]], p.multiplier)
            if bad or stated is None:
                continue
            actual = sum(v for v in columns[p.spec.field] if v is not None)
            if stated != actual:
                problems.append(
                    Problem(
                        code="total_mismatch",
                        message=f"合计行的{p.header}为 {_fmt_fen(stated)} 元,明细加总为 {_fmt_fen(actual)} 元,相差 {_fmt_fen(stated - actual)} 元",
                        hint="请核对合计行或明细行;合计行本身不会被导入。",
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
    "bad_amount": "金额请填写数字,如 1600000.00 或 1,600,000.00;单位由表头(元)/(万元)决定。",
    "amount_precision": "金额最多精确到分(0.01元)。",
    "bad_date": "日期可写作 2021-03-05、2021/3/5、2021.3.5、2021年3月5日 或 20210305。",
    "bad_rate": "年利率请填写百分数,如 4.35 或 4.35%。",
    "bad_bool": "请填写「是」或「否」。",
    "bad_int": "请填写整数。",
}
