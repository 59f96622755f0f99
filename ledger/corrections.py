"""Corrections: voiding a whole import batch or one row, never deleting or editing it.

A void is a `voids` row plus a journal entry (action "void") naming the target, the reason,
who and when, written in one transaction. The rows stay in their table; the `v_*` views
that every report reads leave them out, and the importer's existing-key check reads the
same views, so a voided batch's contract numbers can be imported again from a corrected file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import duckdb

from . import journal
from .errors import Refused, UsageError
from .store import FACT_TABLES_QUERY, Store, sql_text

MAX_REASON = 500


@dataclass(frozen=True)
class Target:
    """What to void: a batch (`row_id` None) or one row of a fact table."""

    batch_id: int | None = None
    table: str | None = None
    row_id: int | None = None

    @property
    def label(self) -> str:
        """How the journal and the log name the target: `批次 12` or `loans:17`."""
        return f"批次 {self.batch_id}" if self.row_id is None else f"{self.table}:{self.row_id}"


@dataclass(frozen=True)
class Voided:
    """What a void did: the entry that records it and what it took out of the figures."""

    void_id: int
    seq: int
    target: str
    batch_id: int
    file_name: str
    sheet: str
    reason: str
    os_user: str
    recorded_at: str
    removed: dict  # table → {"rows": n, "sums": {column: "元"}}

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _table_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every name a user may give a fact table: the table, its import kind and its Chinese title."""
    from .importing.schema import kinds

    tables = {r[0] for r in con.execute(FACT_TABLES_QUERY).fetchall()}
    names = {t: t for t in tables}
    for spec in kinds().values():
        if spec.table in tables:
            names[spec.kind] = spec.table
            names[spec.title] = spec.table
    return names


def parse_target(con: duckdb.DuckDBPyConnection, text: str) -> Target:
    """`12` is batch 12; `loans:17` (or `放款明细:17`) is row id 17 of the loans table."""
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        return Target(batch_id=int(text))
    m = re.fullmatch(r"(.+?)\s*[:：]\s*(\d+)", text)
    if not m:
        raise UsageError(
            f"无法识别的作废对象: {text}",
            "作废整个批次写批次号,如 `ledger void 12`;作废一行写 表:行号,如 `ledger void loans:17`(批次号与行号见 `ledger log`)。",
        )
    names = _table_names(con)
    table = names.get(m.group(1))
    if table is None:
        raise UsageError(f"没有名为「{m.group(1)}」的数据表", f"可作废的表: {'、'.join(sorted(set(names.values())))}")
    return Target(table=table, row_id=int(m.group(2)))


def check_reason(reason: str) -> str:
    """The reason of a void, stripped; a usage error when empty or too long."""
    reason = (reason or "").strip()
    if not reason:
        raise UsageError("作废必须写明原因", "例如 --reason \"农商行2024年10月重报,原表金额有误\"。")
    if len(reason) > MAX_REASON:
        raise UsageError(f"作废原因过长({len(reason)} 字)", f"请控制在 {MAX_REASON} 字以内。")
    return reason


def _resolve(con: duckdb.DuckDBPyConnection, target: Target) -> tuple[int, dict]:
    """The batch the target belongs to and the totals it would take out; refusals if it cannot be voided."""
    if target.row_id is None:
        batch = journal.batch_record(con, target.batch_id)
        if batch is None:
            raise UsageError(f"账本中没有批次 {target.batch_id}", "批次号见 `ledger log`。")
        done = con.execute("SELECT id, reason FROM voids WHERE batch_id = ? AND row_id IS NULL", [target.batch_id]).fetchone()
        if done:
            raise Refused(f"批次 {target.batch_id} 已于作废记录 {done[0]} 作废(原因: {done[1]}),不能重复作废", "作废记录见 `ledger log`。")
        entry = con.execute(
            "SELECT detail FROM journal WHERE action = 'import' AND batch_id = ? ORDER BY seq LIMIT 1", [target.batch_id]
        ).fetchone()
        named = json.loads(entry[0]).get("tables", {}) if entry else {}
        facts = {r[0] for r in con.execute(FACT_TABLES_QUERY).fetchall()}
        # rows voided one by one before are not counted as taken out a second time
        removed = {t: _live_totals(con, t, target.batch_id) for t in sorted(named) if t in facts}
        return target.batch_id, removed
    row = con.execute(f"SELECT batch_id FROM {target.table} WHERE id = ?", [target.row_id]).fetchone()
    if row is None:
        raise UsageError(f"{target.table} 表中没有 id 为 {target.row_id} 的行", "行号 (id) 可用 `ledger export --parquet` 或报表明细查到。")
    batch_id = row[0]
    done = con.execute(
        "SELECT id, reason FROM voids WHERE (table_name = ? AND row_id = ?) OR (batch_id = ? AND row_id IS NULL)",
        [target.table, target.row_id, batch_id],
    ).fetchone()
    if done:
        raise Refused(f"{target.label} 已于作废记录 {done[0]} 作废(原因: {done[1]}),不能重复作废", "作废记录见 `ledger log`。")
    cols = journal.money_columns(con, target.table)
    sums = "".join(f", CAST(coalesce({c}, 0) AS VARCHAR)" for c in cols)
    values = con.execute(f"SELECT 1{sums} FROM {target.table} WHERE id = ?", [target.row_id]).fetchone()
    return batch_id, {target.table: {"rows": 1, "sums": dict(zip(cols, values[1:]))}}


def _live_totals(con: duckdb.DuckDBPyConnection, table: str, batch_id: int) -> dict:
    cols = journal.money_columns(con, table)
    sums = "".join(f", CAST(coalesce(sum({c}), 0) AS VARCHAR)" for c in cols)
    row = con.execute(
        f"SELECT count(*){sums} FROM {table} WHERE batch_id = ? AND id NOT IN "
        f"(SELECT row_id FROM voids WHERE table_name = '{table}' AND row_id IS NOT NULL)",
        [batch_id],
    ).fetchone()
    return {"rows": row[0], "sums": dict(zip(cols, row[1:]))}


def void(store: Store, target_text: str, reason: str, user: str | None = None) -> Voided:
    """Void a batch or one row: a `voids` row and a journal entry, in one transaction.

    Refused (nothing written) when the target does not exist or is already voided, or
    when no reason is given: a correction without a reason is no audit trail.
    """
    reason = check_reason(reason)
    target = parse_target(store.con, target_text)
    with store.transaction() as con:
        return void_in(con, target, reason, user)


def void_in(con: duckdb.DuckDBPyConnection, target: Target, reason: str, user: str | None = None) -> Voided:
    """The void itself, inside the caller's transaction: `void`, and `import --replaces` before its rows go in."""
    batch_id, removed = _resolve(con, target)
    when = journal.now()
    who = user or journal.os_user()
    void_id = con.execute(
        "INSERT INTO voids (batch_id, table_name, row_id, reason, os_user, recorded_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [batch_id, target.table, target.row_id, reason, who, when],
    ).fetchone()[0]
    record = journal.void_record(con, void_id)
    detail = {"void": record, "target": target.label, "reason": reason, "removed": removed}
    entry = journal.append(con, "void", detail, batch_id, journal.record_digest(record), when=when, user=who)
    batch = journal.batch_record(con, batch_id) or {}
    return Voided(
        void_id=void_id,
        seq=entry.seq,
        target=target.label,
        batch_id=batch_id,
        file_name=batch.get("file_name", ""),
        sheet=batch.get("sheet", ""),
        reason=reason,
        os_user=who,
        recorded_at=record["recorded_at"],
        removed=removed,
    )

def voided_rows_sql(table: str) -> str:
    """SQL for each voided row of a fact table and the void that took it out first.

    Columns: id, void_reason, void_entry (the journal entry of that void). A row voided on its
    own and later with its whole batch is named by the earlier void. `ledger rows
    --include-voided` and `ledger export --include-voided` both join it to the table.
    """
    return f"""
        WITH v AS (
            SELECT v.id AS void_id, v.batch_id, v.table_name, v.row_id, v.reason, j.seq
            FROM voids v LEFT JOIN journal j
              ON j.action = 'void' AND j.batch_id = v.batch_id AND CAST(json_extract_string(j.detail, '$.void.id') AS INTEGER) = v.id
        ),
        hits AS (
            SELECT t.id, v.void_id, v.reason, v.seq FROM {table} t JOIN v ON v.row_id IS NULL AND v.batch_id = t.batch_id
            UNION ALL
            SELECT v.row_id, v.void_id, v.reason, v.seq FROM v WHERE v.table_name = {sql_text(table)} AND v.row_id IS NOT NULL
        )
        SELECT id, arg_min(reason, void_id) AS void_reason, arg_min(seq, void_id) AS void_entry FROM hits GROUP BY id
    """
