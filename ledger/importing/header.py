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
from .values import header_unit, normalize_header, unit_line_multiplier

SCAN_ROWS = 30


@dataclass(frozen=True)
class Placed:
    """Where a column of the kind stands in the sheet and in which unit its amounts are."""

    spec: ColumnSpec
    col: int
    header: str  # as written in the file
    multiplier: int  # 1 for 元, 10000 for 万元


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


def _match(row: list, kind: KindSpec, extra: dict[str, str] | None) -> dict[str, list[tuple[int, str, int | None]]]:
    """Fields of `kind` named in `row`: field -> [(col, header as written, unit multiplier or None)]."""
    found: dict[str, list[tuple[int, str, int | None]]] = {}
    for col, cell in enumerate(row):
        if not isinstance(cell, str) or not cell.strip():
            continue
        base, mult = header_unit(normalize_header(cell))
        spec = kind.resolve(base, extra)
        if spec is not None:
            explicit = mult if _has_unit(normalize_header(cell)) else None
            found.setdefault(spec.field, []).append((col, cell.strip(), explicit))
    return found


def _has_unit(normalized: str) -> bool:
    return normalized.endswith("(万元)") or normalized.endswith("(元)")


def _score(found: dict, kind: KindSpec) -> tuple[float, int]:
    required = kind.required
    hit = sum(1 for c in required if c.field in found)
    return (hit / len(required) if required else 0.0, len(found))


def _sheet_unit(rows: list[list], upto: int) -> int | None:
    """The unit declared in a line such as "单位:万元" above (or on) the header row."""
    for row in rows[: upto + 1]:
        for cell in row:
            if isinstance(cell, str):
                mult = unit_line_multiplier(cell)
                if mult is not None:
                    return mult
    return None


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
    sheet_unit = _sheet_unit(rows, index) or 1
    placed: dict[str, Placed] = {}
    problems: list[Problem] = []
    for fld, hits in found.items():
        col, header, mult = hits[0]
        placed[fld] = Placed(spec.column(fld), col, header, mult if mult is not None else sheet_unit)
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
