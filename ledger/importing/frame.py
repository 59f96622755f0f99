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


def _is_total(row: list) -> bool:
    for cell in row[:8]:
        if isinstance(cell, str):
            text = cell.strip().replace(" ", "").replace("\u3000", "")
            if text.startswith(("合计", "总计", "小计")):
                return True
    return False


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _parse(placed: Placed, raw: list) -> tuple[list, list[tuple[int, str, str]]]:
    kind = placed.spec.type
    if kind == "amount":
        return V.parse_amounts(raw, placed.multiplier)
    if kind == "decimal":
        return V.parse_amounts(raw, 1)
    if kind == "rate":
        parsed, problems = V.parse_rates(raw)
        return [None if p is None else int(p.scaleb(SCALE["rate"])) for p in parsed], problems
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
    """Parse the data rows under `layout`'s header into typed columns, collecting every problem."""
    first = layout.header_index + 1
    placed = list(layout.placed.values())
    cols = [p.col for p in placed]
    problems: list[Problem] = []
    kept: list[list] = []
    source_rows: list[int] = []
    totals: list[tuple[int, list]] = []
    for offset, row in enumerate(rows[first:]):
        excel_row = first + offset + 1
        cells = [row[c] if c < len(row) else None for c in cols]
        filled = sum(1 for v in cells if _filled(v))
        if filled == 0:
            continue
        if _is_total(row):
            totals.append((excel_row, cells))
            continue
        if filled == 1 and len(cols) > 2:
            note = next(v for v in row if _filled(v))
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
            continue
        kept.append(cells)
        source_rows.append(excel_row)

    columns: dict[str, list] = {}
    raws: dict[str, list] = {}
    for j, p in enumerate(placed):
        raw = [cells[j] for cells in kept]
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
