"""One file into the ledger: read → find header → type → validate → rules → one transaction.

`import_file` is the Python API behind `ledger import`. It never prints and never lets a
bad file raise: everything wrong is returned as problems, and when any is an error
nothing is written. A file already imported (same sha256) is refused; rows whose
natural key exists are listed as warnings and skipped; `dry_run` runs every step,
writes inside a transaction and rolls it back, so it reports exactly what would happen.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .. import programs
from ..problems import ERROR, WARNING, Problem, errors, sort_key
from ..store import Store
from . import schema as S
from .header import detect
from .readers import ReadError, read_sheets


@dataclass
class SheetResult:
    """What happened to one sheet of the file."""

    sheet: str
    kind: str
    title: str
    header_row: int
    rows: int
    added: int = 0
    existing: int = 0
    batch_id: int | None = None


@dataclass
class ImportResult:
    """The outcome of importing one file: sheets taken, and every problem found."""

    file: str
    sha256: str
    dry_run: bool
    sheets: list[SheetResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    several_sheets: bool = False  # the file holds more than one sheet: locations name theirs
    replaced: object = None  # replace.Replaced when the import replaced earlier rows (--replaces)

    @property
    def refused(self) -> bool:
        return bool(errors(self.problems))

    @property
    def added(self) -> int:
        return sum(s.added for s in self.sheets)

    @property
    def batches(self) -> list[int]:
        """The batch number of each sheet imported (none when refused; in a dry run, what they would have been)."""
        return [s.batch_id for s in self.sheets if s.batch_id is not None]


def file_sha256(path: Path) -> str:
    """The file's sha256, the identity of an import: the same bytes are never imported twice."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _refuse(result: ImportResult, code: str, message: str, hint: str, detail: str = "") -> ImportResult:
    result.problems.append(Problem(code=code, message=message, hint=hint, file=result.file, detail=detail))
    return result


def import_file(
    store: Store,
    path: Path,
    kind: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    replacement=None,
    policy=None,
) -> ImportResult:
    """Import every sheet of `path` that matches a kind (or only `sheet` / only `kind`).

    With `replacement` (see `replace.resolve`), the rows it names are voided in the same
    transaction, before the file's rows go in, and the result carries the difference.
    `policy` (a `ledger.policy.Policy`, passed in by the caller) sets the plausibility ceilings
    of amounts (`[[limits]]`); without one they are not checked.
    """
    # A big sheet makes millions of objects and hardly any reference cycles: the cyclic
    # collector would walk them all again and again (7% of an import) to find next to nothing.
    # The few cycles made meanwhile are collected at once afterwards, when the sheet's cells
    # are gone: left for later, their finalizers could run inside any allocation (CPython
    # 3.11's ast.parse, for one, fails when that happens in the middle of it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import_file(store, path, kind, sheet, dry_run, mapping, replacement, policy)
    finally:
        if collecting:
            gc.enable()
            gc.collect()


def _import_file(store: Store, path: Path, kind, sheet, dry_run: bool, mapping, replacement, policy) -> ImportResult:
    name = path.name
    try:
        digest = file_sha256(path)
    except OSError as exc:
        from ..errors import os_words

        return _refuse(ImportResult(name, "", dry_run), "unreadable", f"无法读取文件 {path}: {os_words(exc)}", "请检查文件路径和权限。", str(exc))
    result = ImportResult(name, digest, dry_run)
    replaced_batches = [t.batch_id for t in replacement.targets if t.row_id is None] if replacement else []
    earlier = _earlier_batches(store.con, digest, replaced_batches)
    counted = [b for b in earlier if b[3] > 0]
    if counted:
        batch, file_name, when, _rows = counted[0]
        return _refuse(
            result,
            "duplicate_file",
            f"此文件已于 {when:%Y-%m-%d %H:%M} 导入过(批次 {batch},当时文件名 {file_name}),内容完全相同,未重复导入",
            _duplicate_hint(path, batch, replacement),
        )
    warm = _warm_up()
    try:
        raw_sheets = read_sheets(path, only=sheet)
    except ReadError as exc:
        return _refuse(result, exc.code, exc.message, exc.hint, exc.detail)
    finally:
        warm.join()

    result.several_sheets = len(raw_sheets) > 1 or any(raw.workbook_sheets > 1 for raw in raw_sheets)
    candidates = [S.kind(kind)] if kind else list(S.kinds().values())
    pending: list[programs.PendingSheet] = []
    for raw in raw_sheets:
        layout = detect(raw.rows, candidates, mapping, forced=bool(kind))
        if layout is None:
            result.skipped_sheets.append(raw.name)
            continue
        problems = [_locate(p, name, raw.name) for p in layout.problems]
        # Formula cells go first: a cell that reads empty because its value was not saved
        # is reported as a formula, not as a missing value (one problem per cell is kept).
        result.problems.extend(_formula_cells(raw, layout, name) + problems)
        if any(p.code not in _CELLS_STILL_READ for p in errors(problems)):  # the header is wrong: rows unreadable
            continue
        pending.append(_typed(raw.rows, layout, name, raw.name, result))
    if not pending and not result.problems:
        expected = "; ".join(f"{s.title}: {'、'.join(c.header for c in s.required)}" for s in candidates)
        where = f"工作表「{sheet}」" if sheet else "任何工作表"
        return _refuse(result, "no_matching_sheet", f"{where}中都没有找到可识别的表头", f"各类表格的必需列 — {expected}。可用 --kind 指定类型,或用 --map 提供表头映射。")

    if replacement is not None and pending:
        from .replace import check_kinds

        check_kinds(replacement, [p.kind for p in pending])
    result.problems.extend(_duplicate_keys_across_sheets(pending))
    result.problems.extend(_without_rows(p) for p in pending if len(p.frame) == 0)
    pending.sort(key=lambda p: programs.load_rank(p.kind))
    from .ceilings import over_ceiling

    for p in pending:
        result.problems.extend(over_ceiling(p, policy))
    ctx = programs.ImportContext(store.con, pending)
    named_rules = programs.rules()
    for p in pending:
        for col in p.typed.layout.kind.columns:
            for check in col.checks:
                if check in named_rules and col.field in p.frame.columns:
                    result.problems.extend(named_rules[check](p, ctx))
    result.problems = _one_per_cell(result.problems)
    if result.refused:
        return result

    from .load import existing_keys, insert_sheet

    try:
        with store.transaction() as con:
            if replacement is not None:
                from . import replace

                old = replace.live_ids(con, replacement)
                voids = replace.void_targets(con, replacement)
            repeated: list[int] = []
            for p in pending:
                found = existing_keys(con, p, digest, str(path))
                result.problems.extend(found.problems)
                repeated += found.batches
                loaded = insert_sheet(con, p, name, digest)
                result.sheets.append(
                    SheetResult(p.sheet, p.kind, p.typed.layout.kind.title, p.typed.layout.header_index + 1, len(p.frame), loaded.added, loaded.existing, loaded.batch_id)
                )
            if earlier and result.added == 0:  # the same file again, and again it adds nothing
                raise _Unchanged
            if replacement is not None:
                tables = {p.typed.layout.kind.table: [] for p in pending}
                for p, s in zip(pending, result.sheets):
                    tables[p.typed.layout.kind.table].append(s.batch_id)
                diffs = [replace.difference(con, t, old.get(t, []), tables.get(t, [])) for t in dict.fromkeys([*old, *tables])]
                result.replaced = replace.Replaced(replacement.reason, voids, diffs)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except _Unchanged:
        batch, file_name, when, _rows = earlier[-1]
        kept = [b for b in dict.fromkeys(repeated) if b != batch]
        hint = (
            f"如这是批次 {'、'.join(map(str, kept))} 的更正重报,请运行 `ledger import {name} --replaces {kept[0]} --reason \"…\"`,一步作废原批次并导入本文件。"
            if kept
            else "同一文件无需再次导入。"
        )
        result.sheets.clear()
        result.problems = [
            Problem(
                code="duplicate_file",
                message=f"此文件已于 {when:%Y-%m-%d %H:%M} 导入过(批次 {batch},当时文件名 {file_name}),当时与本次都没有新增任何行,未重复导入",
                hint=hint,
                file=name,
            )
        ]
    return result


def _duplicate_hint(path: Path, batch: int, replacement) -> str:
    """What to do about a file already in the ledger: nothing, or, when replacing, replace its batch too."""
    if replacement is not None:
        given = " ".join(f"--replaces {t.batch_id if t.row_id is None else f'{t.table}:{t.row_id}'}" for t in replacement.targets)
        return (
            f"此文件的数据已在批次 {batch}(多半是先不带 --replaces 导入过一次)。连同它一起替换: "
            f'`ledger import {path} {given} --replaces {batch} --reason "{replacement.reason}"`。'
        )
    return (
        f"同一文件无需再次导入。如银行重报了更正后的数据,请导入新文件(`ledger import 新文件 --replaces {batch} --reason …`);"
        f"如要撤回此文件的数据,用 `ledger void {batch} --reason …`。"
    )


def _earlier_batches(con, digest: str, replaced: list[int]) -> list[tuple]:
    """Batches of the same file (same sha256) still in force, with the rows each still counts.

    A batch voided, or being replaced now, does not stand in the way of its file coming again;
    nor does one that counts no row (its rows were all already in the ledger when it came, or
    voided one by one since): the same file may then come again, and is refused only if it
    would again add nothing.
    """
    batches = con.execute(
        "SELECT id, file_name, imported_at, kind FROM import_batches WHERE file_sha256 = ? "
        "AND id NOT IN (SELECT batch_id FROM voids WHERE row_id IS NULL) AND id NOT IN (SELECT unnest(?::INTEGER[])) ORDER BY id",
        [digest, replaced],
    ).fetchall()
    kinds = S.kinds()
    out = []
    for batch, file_name, when, kind in batches:
        table = kinds[kind].table if kind in kinds else None
        rows = con.execute(f"SELECT count(*) FROM v_{table} WHERE batch_id = ?", [batch]).fetchall()[0][0] if table else 0
        out.append((batch, file_name, when, rows))
    return out


class _Unchanged(Exception):
    pass


def _warm_up() -> threading.Thread:
    """Import what typing and validating need (pandas, pandera: 0.6 s) while the sheet is read.

    calamine parses without holding the GIL, so on a second core the imports cost no
    time. The caller joins the thread before using them; a failed import here is simply
    met again, and reported, where the module is used.
    """

    def load() -> None:
        try:
            from . import load, validate  # noqa: F401
            programs.rules()
        except Exception:
            pass

    thread = threading.Thread(target=load, name="import-warm-up", daemon=True)
    thread.start()
    return thread


# Sheet-level problems after which the cells are still read, so that the user sees every
# other problem of the sheet too: a unit that cannot be converted leaves its amounts
# unconverted but still checked for being numbers (the sheet is refused either way).
_CELLS_STILL_READ = {"unknown_unit"}


class _Rollback(Exception):
    pass


def _locate(p: Problem, file: str, sheet: str) -> Problem:
    from dataclasses import replace

    return replace(p, file=file, sheet=sheet)


def _formula_cells(raw, layout, file: str) -> list[Problem]:
    """Formula cells saved without their computed value: their figures are unknown, so refused.

    Each names its column as headed in the file and shows the formula when the file holds
    its text, so the bank can see which figure to recompute. They do not stop the rest of
    the sheet from being checked: every other problem is listed with them.
    """
    return [
        Problem(
            code="formula_without_value",
            message="此单元格是公式,但文件中没有保存公式的计算结果,无法得知其数值",
            hint="请在 Excel/WPS 中打开并保存一次,或将公式「选择性粘贴为数值」后再导入。",
            file=file,
            sheet=raw.name,
            row=row + 1,
            col=col,
            column=_header_above(raw.rows, layout, row, col),
            value=f"={raw.formula_text[row, col]}" if (row, col) in raw.formula_text else "",
        )
        for row, col in raw.uncached_formulas
    ]


def _header_above(rows, layout, row: int, col: int) -> str:
    """The header as written over cell (row, col), 0-based; '' for a cell in or above the header row."""
    for placed in layout.placed.values():
        if placed.col == col:
            return placed.header if row > layout.header_index else ""
    header = rows[layout.header_index] if layout.header_index < len(rows) else []
    cell = header[col] if col < len(header) and row > layout.header_index else None
    return str(cell).strip() if cell is not None else ""


def _typed(rows, layout, file: str, sheet: str, result: ImportResult) -> programs.PendingSheet:
    """Parse, derive and validate one sheet; its problems go to `result`."""
    from .frame import build
    from .validate import to_frame, validate

    typed = build(rows, layout, file, sheet)
    frame = to_frame(typed)
    spec = layout.kind
    result.problems.extend(typed.problems)
    # A column whose unit was refused has no amounts to judge (a cell of 1.234 美元 read as 元 is
    # neither empty nor too precise): only whether its cells are numbers at all is said.
    unconverted = {p.header for p in layout.unconverted}
    result.problems.extend(p for p in validate(typed, frame, file, sheet) if p.column not in unconverted)
    result.problems.extend(_duplicate_keys(typed, frame, file, sheet))
    _forget_unconverted(typed, frame)
    derive = programs.hooks(spec.kind).derive
    if derive is not None:
        frame = derive(frame)
    return programs.PendingSheet(file, sheet, typed, frame)


def _forget_unconverted(typed, frame) -> None:
    """Empty the amounts of a column whose unit was refused, once their cells are checked.

    Read as if in 元, they would make the programme rules (a loan over the enterprise cap,
    a repayment over the principal) report figures that are not the bank's.
    """
    import pandas as pd

    for placed in typed.layout.unconverted:
        if placed.spec.field in frame.columns:
            frame[placed.spec.field] = pd.array([None] * len(frame), dtype="Int64")


def _duplicate_keys(typed, frame, file: str, sheet: str) -> list[Problem]:
    """The same natural key twice in one sheet: an error, unless the kind's rows may repeat."""
    spec = typed.layout.kind
    if any(k not in frame.columns for k in spec.key):
        return []
    if spec.repeatable:
        frame["occurrence"] = frame.groupby(list(spec.key), dropna=False).cumcount() + 1
        return []
    keyed = frame.dropna(subset=list(spec.key))
    dup = keyed.duplicated(subset=list(spec.key), keep="first")
    if not dup.any():
        return []
    first_row = keyed.drop_duplicates(subset=list(spec.key)).set_index(list(spec.key))["source_row"]
    problems = []
    for i in keyed.index[dup]:
        key = tuple(keyed.loc[i, list(spec.key)]) if len(spec.key) > 1 else keyed.at[i, spec.key[0]]
        problems.append(
            _duplicate_key(
                typed.layout, file, sheet, int(keyed.at[i, "source_row"]), typed.raw[spec.key[0]][i],
                f"第{first_row[key]}行", "同一编号在一张表中只能出现一次;请删除重复行或更正编号。",
            )
        )
    return problems


def _duplicate_key(layout, file: str, sheet: str, row: int, value, first: str, hint: str) -> Problem:
    """A `duplicate_key` at the key cell of `row` (`value` as the bank wrote it): its key already stands at `first`."""
    from .text import cell_text

    value = cell_text(value)
    key = layout.kind.key[0]
    placed = layout.placed[key]
    return Problem(
        code="duplicate_key",
        message=f"{layout.kind.column(key).header}「{value}」与{first}重复",
        hint=hint,
        file=file,
        sheet=sheet,
        row=row,
        col=placed.col,
        column=placed.header,
        value=str(value),
    )


def _without_rows(p: programs.PendingSheet) -> Problem:
    """A sheet with its header and no data: imported (a bank may report a month without loans), and said."""
    return Problem(
        code="no_data_rows",
        message=f"工作表「{p.sheet}」只有表头,没有数据行;记录为一个 0 行的批次",
        hint="如该月确无业务,无需处理;如是误传了空模板,请导入填好数据的文件。",
        file=p.file,
        sheet=p.sheet,
        row=p.typed.layout.header_index + 1,
        severity=WARNING,
    )


def _duplicate_keys_across_sheets(pending: list[programs.PendingSheet]) -> list[Problem]:
    """The same natural key on two sheets of one file: an error, as within one sheet.

    A workbook with a sheet per month that lists a contract twice is a mistake to be put
    right by the sender, not a resubmission: the later row would otherwise be skipped as
    "already in the ledger" although nothing was, and the rules would count it. Kinds whose
    rows may repeat (repayments, recoveries, contributions) are left alone: there a repeat is
    data. Sheets are compared in workbook order; each later row names the first one.
    """
    first: dict[tuple, tuple[str, int]] = {}
    problems: list[Problem] = []
    sheets_of_kind = Counter(p.kind for p in pending)
    for p in pending:
        spec = p.typed.layout.kind
        if sheets_of_kind[p.kind] < 2 or spec.repeatable or any(k not in p.frame.columns for k in spec.key):
            continue  # one sheet of its kind: `_duplicate_keys` has checked it
        keyed = p.frame.dropna(subset=list(spec.key)).drop_duplicates(subset=list(spec.key))
        keys = zip(*(keyed[k] for k in spec.key), keyed["source_row"], keyed.index)
        for *key, row, i in keys:
            seen = first.setdefault((spec.kind, *key), (p.sheet, int(row)))
            if seen[0] == p.sheet:
                continue
            problems.append(
                _duplicate_key(
                    p.typed.layout, p.file, p.sheet, int(row), p.typed.raw[spec.key[0]][i], f"工作表「{seen[0]}」第{seen[1]}行",
                    "同一编号在一个文件中只能出现一次(各工作表合计);请删除重复行或更正编号后再导入。",
                )
            )
    return problems


def _one_per_cell(problems: list[Problem]) -> list[Problem]:
    """Keep the first problem of each cell (a cell that failed to parse is also empty) and sort."""
    seen = set()
    out = []
    for p in problems:
        key = (p.file, p.sheet, p.row, p.col) if p.row is not None and p.col is not None and p.severity == ERROR else id(p)
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
    return sorted(out, key=sort_key)
