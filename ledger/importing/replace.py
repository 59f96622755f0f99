"""A resubmission in one step: `ledger import FILE --replaces 3 --reason R`.

The earlier batch (or rows, `--replaces loans:17`) is voided with `corrections.void_in` and
the file's rows are imported in the same transaction, each action its own journal entry,
chained. What the user is shown is the difference between the rows taken out and the rows
put in, matched by natural key: rows added, rows taken out, rows whose cells changed (old →
new), and the unchanged rows as a count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from ..corrections import Target, Voided, check_reason, parse_target, void_in
from ..errors import UsageError
from ..store import sql_text
from . import schema as S


@dataclass(frozen=True)
class Replacement:
    """What a file replaces (checked against the ledger) and why."""

    targets: tuple[Target, ...]
    kinds: tuple[str, ...]  # the import kind of each target
    reason: str


def _kind_of_table(table: str) -> S.KindSpec:
    return next(s for s in S.kinds().values() if s.table == table)


def resolve(con: duckdb.DuckDBPyConnection, texts: list[str], reason: str | None) -> Replacement:
    """Parse and check `--replaces` before the file is read: every mistake a usage error, in Chinese.

    A target that does not exist or is voided already cannot be replaced; a reason is
    required, as for any void.
    """
    if not (reason or "").strip():
        raise UsageError("--replaces 必须同时写明 --reason", '例如 --replaces 3 --reason "农商行重报10月,原表金额有误"。')
    reason = check_reason(reason)
    targets, kinds = [], []
    for text in texts:
        target = parse_target(con, text)
        if target.row_id is None:
            row = _one(con, "SELECT kind FROM import_batches WHERE id = ?", [target.batch_id])
            if row is None:
                raise UsageError(f"账本中没有批次 {target.batch_id},无法替换", "批次号见 `ledger log`(每次导入也会打印批次号)。")
            done = _one(con, "SELECT id, reason FROM voids WHERE batch_id = ? AND row_id IS NULL", [target.batch_id])
            kind = row[0]
        else:
            row = _one(con, f"SELECT batch_id FROM {target.table} WHERE id = ?", [target.row_id])
            if row is None:
                raise UsageError(f"{target.table} 表中没有 id 为 {target.row_id} 的行,无法替换", "行号见 `ledger rows` 或 `ledger log --batch N`。")
            done = _one(
                con,
                "SELECT id, reason FROM voids WHERE (table_name = ? AND row_id = ?) OR (batch_id = ? AND row_id IS NULL) ORDER BY id",
                [target.table, target.row_id, row[0]],
            )
            kind = _kind_of_table(target.table).kind
        if done:
            raise UsageError(
                f"{target.label} 已于作废记录 {done[0]} 作废(原因: {done[1]}),不能再替换",
                "它已不计入任何数字:直接导入新文件即可(不带 --replaces)。",
            )
        if target in targets:
            raise UsageError(f"--replaces 重复给出了 {target.label}", "每个批次或行只需写一次。")
        targets.append(target)
        kinds.append(kind)
    return Replacement(tuple(targets), tuple(kinds), reason)


def _one(con: duckdb.DuckDBPyConnection, query: str, params: list):
    """The first row of a query, or None, with the result read to its end (a frame is registered next)."""
    rows = con.execute(query, params).fetchall()
    return rows[0] if rows else None


def check_kinds(replacement: Replacement, file_kinds: list[str]) -> None:
    """Each target must be of a kind the file holds: replacing 放款明细 with a 还款明细 sheet is a usage error."""
    for target, kind in zip(replacement.targets, replacement.kinds):
        if kind not in file_kinds:
            mine = S.kind(kind).title
            theirs = "、".join(S.kind(k).title for k in dict.fromkeys(file_kinds)) or "无可识别的表"
            raise UsageError(
                f"{target.label} 是{mine},而本文件是{theirs},不能替换",
                "请核对批次号(`ledger log`);替换须用同类表格。",
            )


def live_ids(con: duckdb.DuckDBPyConnection, replacement: Replacement) -> dict[str, list[int]]:
    """The rows each table would lose, taken before the void: table → ids still counted."""
    out: dict[str, list[int]] = {}
    for target, kind in zip(replacement.targets, replacement.kinds):
        table = S.kind(kind).table
        if target.row_id is None:
            ids = [r[0] for r in con.execute(f"SELECT id FROM v_{table} WHERE batch_id = ? ORDER BY id", [target.batch_id]).fetchall()]
        else:
            ids = [target.row_id]
        out.setdefault(table, []).extend(ids)
    return out


def void_targets(con: duckdb.DuckDBPyConnection, replacement: Replacement) -> list[Voided]:
    """Void every target inside the caller's transaction, one journal entry each."""
    voids = [void_in(con, target, replacement.reason) for target in replacement.targets]
    con.execute("SELECT 1").fetchall()  # no result left open: DuckDB refuses to register the sheet's frame while one is
    return voids


@dataclass
class RowChange:
    """One row present before and after, with the cells that differ (stored form: 元, ISO dates)."""

    key: str
    was_row: int
    now_row: int
    cells: list[dict]  # [{"column", "was", "now"}]

    def to_json(self) -> dict:
        return {"key": self.key, "was_source_row": self.was_row, "source_row": self.now_row, "cells": self.cells}


@dataclass
class TableDifference:
    """What replacing did to one table, by natural key."""

    table: str
    title: str
    added: list[dict] = field(default_factory=list)  # [{"key", "source_row", "id"}]
    removed: list[dict] = field(default_factory=list)  # [{"key", "source_row", "id"}]
    changed: list[RowChange] = field(default_factory=list)
    unchanged: int = 0

    def to_json(self) -> dict:
        return {
            "table": self.table,
            "title": self.title,
            "added": self.added,
            "removed": self.removed,
            "changed": [c.to_json() for c in self.changed],
            "unchanged": self.unchanged,
        }


def difference(con: duckdb.DuckDBPyConnection, table: str, old_ids: list[int], new_batches: list[int]) -> TableDifference:
    """The rows taken out (`old_ids`) against the rows the new batches added, matched by natural key."""
    spec = _kind_of_table(table)
    key = list(spec.key) + (["occurrence"] if spec.repeatable else [])
    stored = set(_columns(con, table))
    compared = [c for c in spec.columns if c.field in stored and c.field not in key]
    key_text = " || ' / ' || ".join(f"coalesce(CAST(coalesce(n.{k}, o.{k}) AS VARCHAR), '')" for k in key)
    cases = ", ".join(
        f"CASE WHEN o.{c.field} IS DISTINCT FROM n.{c.field} THEN struct_pack(\"column\" := {sql_text(c.header)}, "
        f"was := CAST(o.{c.field} AS VARCHAR), now := CAST(n.{c.field} AS VARCHAR)) END"
        for c in compared
    )
    changes = f"list_filter([{cases}], lambda x: x IS NOT NULL)" if compared else "[]"
    rows = con.execute(
        f"""
        WITH o AS (SELECT * FROM {table} WHERE id IN (SELECT unnest($old::INTEGER[]))),
             n AS (SELECT * FROM {table} WHERE batch_id IN (SELECT unnest($new::INTEGER[])))
        SELECT {key_text}, o.id, o.source_row, n.id, n.source_row, {changes}
        FROM o FULL OUTER JOIN n ON {' AND '.join(f'o.{k} = n.{k}' for k in key)}
        ORDER BY coalesce(n.source_row, o.source_row), o.id, n.id
        """,
        {"old": old_ids, "new": new_batches},
    ).fetchall()
    out = TableDifference(table, spec.title)
    for label, old_id, old_row, new_id, new_row, cells in rows:
        if old_id is None:
            out.added.append({"key": label, "source_row": new_row, "id": new_id})
        elif new_id is None:
            out.removed.append({"key": label, "source_row": old_row, "id": old_id})
        elif cells:
            out.changed.append(RowChange(label, old_row, new_row, [dict(c) for c in cells]))
        else:
            out.unchanged += 1
    return out


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    from ..journal import table_columns

    return table_columns(con, table)


@dataclass
class Replaced:
    """What `--replaces` did: the voids (journal entries), the reason, and the difference per table."""

    reason: str
    voids: list[Voided]
    tables: list[TableDifference]

    def to_json(self) -> dict:
        return {
            "reason": self.reason,
            "voids": [v.to_json() for v in self.voids],
            "difference": [t.to_json() for t in self.tables],
        }
