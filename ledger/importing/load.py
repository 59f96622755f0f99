"""Writing validated sheets into the ledger in bulk, inside the caller's transaction.

Frames go to DuckDB whole (registered as a relation, one INSERT … SELECT per sheet);
money arrives as integer fen and is turned into DECIMAL by DuckDB, never via float.
Rows whose natural key is already in the ledger are listed and left out, not doubled.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .. import journal
from ..problems import WARNING, Problem
from ..programs import PendingSheet, hooks
from ..store import registered, sql_text
from .frame import SCALE
from .legacy_keys import keyed_rows
from .text import cell_text

NOT_LOADED = {"id", "batch_id"}


@dataclass
class Loaded:
    """What one sheet added to the ledger."""

    batch_id: int
    added: int
    existing: int


def _select_list(pending: PendingSheet, table_columns: list[str]) -> tuple[list[str], list[str]]:
    spec = pending.typed.layout.kind
    types = {c.field: c.type for c in spec.columns}
    names, exprs = [], []
    for col in table_columns:
        if col in NOT_LOADED or col not in pending.frame.columns:
            continue
        scale = SCALE.get(types.get(col, ""))
        names.append(col)
        exprs.append(f"CAST(i.{col} AS DECIMAL(18,0)) * {10.0**-scale:.{scale}f}" if scale else f"i.{col}")
    return names, exprs


def _key_match(spec_key: tuple[str, ...]) -> str:
    """Incoming row i and stored row t have one natural key: their keys are equal (both as `text` reads keys)."""
    return " AND ".join(f"t.{k} = i.{k}" for k in spec_key)


@dataclass
class Existing:
    """Rows of a sheet the ledger already holds: the problems that say so, and the batches holding them."""

    problems: list[Problem]
    batches: list[int]  # batches of the ledger (not this file) holding rows of this sheet, in order


# Keys named in the one warning that counts a sheet's unchanged repeats of a batch.
KEYS_NAMED = 5


def existing_keys(con: duckdb.DuckDBPyConnection, pending: PendingSheet, sha256: str = "", file_path: str = "") -> Existing:
    """Rows of the sheet whose natural key the ledger already holds: listed, to be skipped.

    A resent row whose cells differ from the stored row is listed in full, saying which cells
    and how, with the command that replaces the batch (`ledger import FILE --replaces N`);
    resent rows identical to the stored ones are counted, one warning per batch they are in,
    not listed one by one (a resent sheet of 87 rows with one correction shows one changed
    row and one count). A row matched by an earlier sheet of this same file (`sha256`; kinds
    whose rows may repeat, as a sheet per month resending the month before) is said to be
    so, by sheet and row: its batch is only being written now, and does not exist at all in
    a dry run.
    """
    spec = pending.typed.layout.kind
    with registered(con, "incoming", pending.frame), keyed_rows(con, spec.table) as stored:
        rows = con.execute(
            f"""
            SELECT i.source_row, t.batch_id, t.source_row, b.file_name, b.sheet, b.file_sha256 = ?, {_changes(con, pending)}, t.id
            FROM incoming i JOIN {stored} t ON {_key_match(_key(pending))}
            JOIN import_batches b ON b.id = t.batch_id
            ORDER BY i.source_row
            """,
            [sha256],
        ).fetchall()
    key_col = pending.typed.layout.placed[spec.key[0]]
    header = spec.column(spec.key[0]).header
    raw_keys = dict(zip(pending.typed.source_rows, pending.typed.raw[spec.key[0]]))  # the cells as the bank wrote them
    labels = {row: cell_text(raw_keys[row]) for row, *_ in rows}
    command = f"ledger import {file_path or pending.file}"

    def listed(row, message: str, hint: str) -> Problem:
        return Problem(
            code="existing_key", message=message, hint=hint, file=pending.file, sheet=pending.sheet, row=row,
            col=key_col.col, column=key_col.header, value=str(labels[row]), severity=WARNING,
        )

    problems: list[Problem] = []
    same: dict[tuple, list] = {}
    for row, batch, src, file, sheet, same_file, changed, stored_id in rows:
        if same_file:
            problems.append(listed(row, _existing_message(header, labels[row], batch, file, sheet, src, True),
                                   "同一文件的前一张工作表已有此行,本行视为重报、未重复计入;如确是另一笔(同一合同同一天),请把两行放在同一张工作表中。"))
        elif changed:
            problems.append(listed(
                row,
                _existing_message(header, labels[row], batch, file, sheet, src, False) + _changed_words(changed),
                f'本行内容与账本中的记录不同。如为更正后的重报,请运行 `{command} --replaces {batch} --reason "…"`,'
                f"一步作废原批次 {batch} 并导入本文件;只更正这一行则用 --replaces {spec.table}:{stored_id}。",
            ))
        else:
            same.setdefault((batch, file), []).append(row)
    for (batch, file), repeated in same.items():
        keys = "、".join(str(labels[r]) for r in repeated[:KEYS_NAMED]) + (f" 等 {len(repeated)} 行" if len(repeated) > KEYS_NAMED else "")
        problems.append(Problem(
            code="existing_unchanged",
            message=f"{len(repeated)} 行已在账本中且内容相同(批次 {batch},{file}),视为重报,未重复导入: {header} {keys}",
            hint=f'如本文件是批次 {batch} 的更正重报,请运行 `{command} --replaces {batch} --reason "…"`(只导入新增的行则无需处理)。',
            file=pending.file, sheet=pending.sheet, row=repeated[0], col=key_col.col, column=key_col.header,
            value=str(labels[repeated[0]]), severity=WARNING,
        ))
    batches = list(dict.fromkeys(r[1] for r in rows if not r[5]))
    return Existing(problems, batches)


def _changes(con: duckdb.DuckDBPyConnection, pending: PendingSheet) -> str:
    """SQL for the cells of a resent row that differ from the stored row: [{header, was, now}], [] when none.

    Only columns read from the sheet are compared (a derived column follows from them), each
    in its stored form, so that a resent sheet whose figures were changed says which and how.
    """
    placed = pending.typed.layout.placed
    names, exprs = _select_list(pending, journal.table_columns(con, pending.typed.layout.kind.table))
    cases = [
        f"CASE WHEN ({expr}) IS DISTINCT FROM t.{name} THEN "
        f"struct_pack(header := {sql_text(placed[name].header)}, was := CAST(t.{name} AS VARCHAR), now := CAST(({expr}) AS VARCHAR)) END"
        for name, expr in zip(names, exprs)
        if name in placed and name not in _key(pending)
    ]
    return f"list_filter([{', '.join(cases)}], lambda x: x IS NOT NULL)" if cases else "[]"


def _changed_words(changed: list[dict]) -> str:
    """';但本次 放款金额为「999.00」(账本中为「1600000.00」)' for the cells that differ; '' when none."""
    if not changed:
        return ""
    return ";但本次" + "、".join(f"{c['header']}为「{c['now'] or '空'}」(账本中为「{c['was'] or '空'}」)" for c in changed)


def _existing_message(header: str, label, batch: int, file: str, sheet: str, src: int, same_file: bool) -> str:
    """Where the row already is: an earlier sheet of this file, or a batch of the ledger.

    Within one file only kinds whose rows may repeat get here, keyed by a date and a counter
    (the first, second … row of that contract on that day), hence "this one of that day".
    """
    if same_file:
        return f"{header}「{label}」同一日期的这一笔已在本文件工作表「{sheet}」第{src}行,本行未重复导入"
    return f"{header}「{label}」已在账本中(批次 {batch},{file} 第{src}行),本行未重复导入"


def _key(pending: PendingSheet) -> tuple[str, ...]:
    spec = pending.typed.layout.kind
    return (*spec.key, "occurrence") if spec.repeatable else spec.key


def insert_sheet(con: duckdb.DuckDBPyConnection, pending: PendingSheet, file_name: str, sha256: str) -> Loaded:
    """Add one sheet as an import batch: its rows, programme extras and a journal entry."""
    spec = pending.typed.layout.kind
    when = journal.now()
    batch_id = con.execute(
        "INSERT INTO import_batches (kind, file_name, file_sha256, sheet, header_row, row_count, os_user, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [spec.kind, file_name, sha256, pending.sheet, pending.typed.layout.header_index + 1, len(pending.frame), journal.os_user(), when],
    ).fetchone()[0]
    table_columns = journal.table_columns(con, spec.table)
    names, exprs = _select_list(pending, table_columns)
    with registered(con, "incoming", pending.frame), keyed_rows(con, spec.table) as stored:
        added = con.execute(
            f"""
            INSERT INTO {spec.table} (batch_id, {", ".join(names)})
            SELECT {batch_id}, {", ".join(exprs)} FROM incoming i
            WHERE NOT EXISTS (SELECT 1 FROM {stored} t WHERE {_key_match(_key(pending))})
            ORDER BY i.source_row
            """
        ).fetchone()[0]
    tables = {spec.table: table_columns}
    after = hooks(spec.kind).after_load
    for extra in after(con, batch_id) if after else []:
        tables[extra] = journal.table_columns(con, extra)
    detail = {"batch": journal.batch_record(con, batch_id), "tables": tables, "added": added}
    journal.append(con, "import", detail, batch_id, journal.content_hash(con, tables, batch_id), when=when)
    return Loaded(batch_id, added, len(pending.frame) - added)
