"""Finding the header row of a sheet, its kind, and where each column is.

Bank sheets carry titles, a "单位:万元" line and merged cells above the header, so the
header is found by its column names, not by its position: every row near the top is
matched against every kind's headers and aliases, and the row that names most of a
kind's required columns wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..problems import Problem
from .schema import ColumnSpec, KindSpec
from .units import UNIT_NAMES, header_unit, normalize_header, unit_line, unit_multiplier

SCAN_ROWS = 30


@dataclass(frozen=True)
class Placed:
    """Where a column of the kind stands in the sheet and in which unit its amounts are."""

    spec: ColumnSpec
    col: int
    header: str  # as written in the file
    multiplier: int | None  # 元 per unit: 1 for 元, 10000 for 万元; None for a unit refused (美元)


@dataclass
class Layout:
    """A sheet's header row (0-based index into its rows), kind and placed columns."""

    kind: KindSpec
    header_index: int
    placed: dict[str, Placed]
    problems: list[Problem] = field(default_factory=list)

    @property
    def missing(self) -> list[ColumnSpec]:
        return [c for c in self.kind.required if c.field not in self.placed]

    @property
    def unconverted(self) -> list[Placed]:
        """Amount columns whose unit was refused (美元): their cells can be checked, not converted."""
        return [p for p in self.placed.values() if p.spec.type == "amount" and p.multiplier is None]


def _match(row: list, kind: KindSpec, extra: dict[str, str] | None) -> dict[str, list[tuple[int, str, str | None]]]:
    """Fields of `kind` named in `row`: field -> [(col, header as written, unit in the header or None)]."""
    found: dict[str, list[tuple[int, str, str | None]]] = {}
    for col, cell in enumerate(row):
        if not isinstance(cell, str) or not cell.strip():
            continue
        base, unit = header_unit(normalize_header(cell))
        spec = kind.resolve(base, extra)
        if spec is not None:
            found.setdefault(spec.field, []).append((col, cell.strip(), unit))
    return found


def _score(found: dict, kind: KindSpec) -> tuple[float, int]:
    required = kind.required
    hit = sum(1 for c in required if c.field in found)
    return (hit / len(required) if required else 0.0, len(found))


@dataclass(frozen=True)
class UnitLine:
    """A line such as "单位:千元" above (or on) the header row: its unit and where it is written."""

    unit: str
    row: int  # 0-based index into the sheet's rows
    col: int
    text: str


def _sheet_unit(rows: list[list], upto: int) -> UnitLine | None:
    """The first unit line above (or on) the header row, whether or not its unit is one we convert."""
    for index, row in enumerate(rows[: upto + 1]):
        for col, cell in enumerate(row):
            if isinstance(cell, str):
                unit = unit_line(cell)
                if unit is not None:
                    return UnitLine(unit, index, col, cell.strip())
    return None


_UNIT_HINT = f"金额单位可为 {UNIT_NAMES}(如「单位:万元」或表头「放款金额(万元)」);外币请先折算为人民币元。"


def _unknown_unit(header: str, unit: str, col: int, header_index: int, line: UnitLine | None) -> Problem:
    """A money column whose unit the importer does not convert: refused by name, never read as 元."""
    if line is None:
        return Problem(
            code="unknown_unit",
            message=f"列「{header}」的金额单位「{unit}」无法识别,不能换算为元",
            hint=_UNIT_HINT,
            row=header_index + 1,
            col=col,
            column=header,
            value=header,
        )
    return Problem(
        code="unknown_unit",
        message=f"「{line.text}」中的金额单位「{unit}」无法识别,本表金额不能换算为元",
        hint=_UNIT_HINT,
        row=line.row + 1,
        col=line.col,
        value=line.text,
    )


def _place(spec: KindSpec, fld: str, col: int, header: str, unit: str | None, line: UnitLine | None, header_index: int, problems: list[Problem]) -> Placed:
    """A found column with its unit: from its header, else from the sheet's unit line, else 元.

    Only amount columns take a unit; one the importer cannot convert adds a problem (the
    unit line's once, however many columns use it) and leaves the multiplier None.
    """
    column = spec.column(fld)
    if column.type != "amount":
        return Placed(column, col, header, 1)
    from_line = unit is None and line is not None
    unit = unit if unit is not None else line.unit if line is not None else "元"
    multiplier = unit_multiplier(unit)
    if multiplier is None:
        problem = _unknown_unit(header, unit, col, header_index, line if from_line else None)
        if problem not in problems:
            problems.append(problem)
    return Placed(column, col, header, multiplier)


def detect(
    rows: list[list],
    candidates: list[KindSpec],
    extra: dict[str, str] | None = None,
    forced: bool = False,
) -> Layout | None:
    """The best header row and kind among `candidates`, or None when the sheet matches none.

    A sheet matches a kind when its header names at least half of the kind's required
    columns (two at least); the missing ones become problems rather than a silent skip.
    With `forced` (the user named the kind) any header naming one column is taken.
    """
    best = None
    for index, row in enumerate(rows[:SCAN_ROWS]):
        for spec in candidates:
            found = _match(row, spec, extra)
            if not found:
                continue
            score = _score(found, spec)
            if best is None or score > best[0]:
                best = (score, index, spec, found)
    if best is None:
        return None
    (fraction, count), index, spec, found = best
    if not forced and (fraction < 0.5 or count < 2):
        return None
    line = _sheet_unit(rows, index)
    placed: dict[str, Placed] = {}
    problems: list[Problem] = []
    for fld, hits in found.items():
        col, header, unit = hits[0]
        placed[fld] = _place(spec, fld, col, header, unit, line, index, problems)
        for dup_col, dup_header, _ in hits[1:]:
            problems.append(
                Problem(
                    code="duplicate_column",
                    message=f"列「{dup_header}」与「{header}」指同一项({spec.column(fld).header})",
                    hint="请删除重复的列,或用表头映射文件指明各列含义。",
                    row=index + 1,
                    col=dup_col,
                    column=dup_header,
                    value=dup_header,
                )
            )
    layout = Layout(spec, index, placed, problems)
    for col_spec in layout.missing:
        names = "、".join((col_spec.header, *col_spec.aliases[:3]))
        problems.append(
            Problem(
                code="missing_column",
                message=f"缺少必需列「{col_spec.header}」",
                hint=f"表头中应有以下名称之一: {names};或用 --map 指定银行自己的表头。",
                row=index + 1,
                column=col_spec.header,
            )
        )
    return layout
