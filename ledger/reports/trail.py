"""The audit trail: every journal entry (who, when, what, why), and a batch's rows with their state.

This is what `ledger log` shows: imports with their file, sheet and rows added; voids with
their target, reason and what they took out of the figures; for each import, the entry
that voided it, if any. The newest entry's hash is the anchor an auditor writes down.
A batch's rows are listed with their id (the `TABLE:ID` a row void names), their source
row in the bank's sheet, their natural key and whether they still count.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from .. import journal
from ..money import json_yuan


@dataclass
class TrailEntry:
    """One journal entry as an auditor reads it."""

    seq: int
    recorded_at: dt.datetime  # naive UTC, as stored
    os_user: str
    action: str  # import | void | close
    batch_id: int | None
    entry_hash: str
    file_name: str = ""
    sheet: str = ""
    kind: str = ""
    rows_added: int | None = None
    target: str = ""
    reason: str = ""
    removed: dict = field(default_factory=dict)  # void: table → {"rows", "sums"}
    voided_by: int | None = None  # import: the seq of the entry that voided the whole batch

    def to_json(self) -> dict:
        d = dict(self.__dict__)
        d["recorded_at"] = self.recorded_at.isoformat() + "Z"
        return d


@dataclass
class BatchRow:
    """One row a batch added: its id, where it came from, its key, amount, and whether it counts."""

    table: str
    id: int
    source_row: int
    key: str
    amount: Decimal | None
    voided: bool

    def to_json(self) -> dict:
        return {
            "table": self.table,
            "id": self.id,
            "source_row": self.source_row,
            "key": self.key,
            "amount": json_yuan(self.amount) if self.amount is not None else None,
            "voided": self.voided,
        }


@dataclass
class Trail:
    """The journal as an audit trail (optionally only one batch's entries, with its rows)."""

    entries: list[TrailEntry]
    total: int
    head: str
    batch_id: int | None = None
    rows: list[BatchRow] = field(default_factory=list)
    rows_total: int = 0

    def to_json(self) -> dict:
        out = {"entries": [e.to_json() for e in self.entries], "total": self.total, "journal_head": self.head}
        if self.batch_id is not None:
            out["batch_id"] = self.batch_id
            out["rows"] = [r.to_json() for r in self.rows]
            out["rows_total"] = self.rows_total
        return out


def _entry(row) -> TrailEntry:
    seq, when, user, action, batch_id, detail_text, entry_hash = row
    e = TrailEntry(seq, when, user, action, batch_id, entry_hash)
    try:
        detail = json.loads(detail_text)
    except ValueError:
        return e
    batch = detail.get("batch") or {}
    e.file_name, e.sheet, e.kind = batch.get("file_name", ""), batch.get("sheet", ""), batch.get("kind", "")
    e.rows_added = detail.get("added")
    e.target, e.reason, e.removed = detail.get("target", ""), detail.get("reason", ""), detail.get("removed", {})
    if action == "close":  # the period closed and its note
        e.target, e.reason = detail.get("period", ""), detail.get("note", "")
    return e


def trail(con: duckdb.DuckDBPyConnection, batch_id: int | None = None, row_limit: int = 500) -> Trail:
    """The journal entries (all, or those of one batch) and, for one batch, its rows."""
    where = "WHERE batch_id = ?" if batch_id is not None else ""
    rows = con.execute(
        f"SELECT seq, recorded_at, os_user, action, batch_id, detail, entry_hash FROM journal {where} ORDER BY seq",
        [batch_id] if batch_id is not None else [],
    ).fetchall()
    entries = [_entry(r) for r in rows]
    voiders = {
        b: s
        for b, s in con.execute(
            "SELECT j.batch_id, min(j.seq) FROM journal j JOIN voids v ON v.id = CAST(json_extract(j.detail, '$.void.id') AS INTEGER) "
            "WHERE j.action = 'void' AND v.row_id IS NULL GROUP BY j.batch_id"
        ).fetchall()
    }
    # the batch record of a void entry's batch names the file it took rows from
    files = {e.batch_id: (e.file_name, e.sheet, e.kind) for e in entries if e.action == "import"}
    for e in entries:
        if e.action == "import":
            e.voided_by = voiders.get(e.batch_id)
        elif e.batch_id is not None and not e.file_name:
            known = files.get(e.batch_id) or _batch_file(con, e.batch_id)
            e.file_name, e.sheet, e.kind = known
    out = Trail(entries, journal.size(con), journal.head(con), batch_id)
    if batch_id is not None:
        out.rows, out.rows_total = _batch_rows(con, batch_id, row_limit)
    return out


def _batch_file(con, batch_id: int) -> tuple[str, str, str]:
    row = con.execute("SELECT file_name, sheet, kind FROM import_batches WHERE id = ?", [batch_id]).fetchone()
    return tuple(row) if row else ("", "", "")


def _batch_rows(con: duckdb.DuckDBPyConnection, batch_id: int, limit: int) -> tuple[list[BatchRow], int]:
    """The rows one batch added to its kind's table, key and first money column, voided or not."""
    from ..importing.schema import kinds

    kind = _batch_file(con, batch_id)[2]
    spec = next((s for s in kinds().values() if s.kind == kind), None)
    if spec is None:
        return [], 0
    table = spec.table
    key = list(spec.key) + (["occurrence"] if spec.repeatable else [])
    key_sql = " || ' / ' || ".join(f"coalesce(CAST(t.{k} AS VARCHAR), '')" for k in key)
    money = journal.money_columns(con, table)
    amount_sql = f"t.{money[0]}" if money else "NULL"
    total = con.execute(f"SELECT count(*) FROM {table} WHERE batch_id = ?", [batch_id]).fetchone()[0]
    rows = con.execute(
        f"""
        SELECT t.id, t.source_row, {key_sql}, {amount_sql}, t.id NOT IN (SELECT id FROM v_{table} WHERE batch_id = ?)
        FROM {table} t WHERE t.batch_id = ? ORDER BY t.source_row, t.id LIMIT {int(limit)}
        """,
        [batch_id, batch_id],
    ).fetchall()
    return [BatchRow(table, *r) for r in rows], total
