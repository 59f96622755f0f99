"""The append-only, hash-chained journal: every change to the ledger is an entry.

An entry records who, when, what (`action`, `detail`), a digest of the rows it added
(`content_hash`, computed inside DuckDB over the batch's rows) and the hash of the entry
before it. `verify` recomputes both, so an UPDATE or DELETE made behind the ledger's back,
with any DuckDB client, shows up as the first entry whose hash no longer matches.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass

import duckdb

GENESIS = "0" * 64


def os_user() -> str:
    """The operating-system user doing the change, recorded on every entry."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry / no env (containers)
        return "unknown"


def now() -> dt.datetime:
    """Naive UTC now, at microsecond precision (what DuckDB's TIMESTAMP keeps)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def canonical(obj) -> str:
    """Stable JSON text for hashing: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """A table's columns in their stored order."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database() ORDER BY column_index",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def rows_digest(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], batch_id: int) -> str:
    """sha256 over a batch's rows of one table, in id order, computed by DuckDB."""
    cells = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '\\N')" for c in columns)
    row = con.execute(
        f"SELECT count(*), sha256(coalesce(string_agg(concat_ws(chr(31), {cells}), chr(30) ORDER BY id), '')) "
        f"FROM {table} WHERE batch_id = ?",
        [batch_id],
    ).fetchone()
    return f"{row[0]}:{row[1]}"


def content_hash(con: duckdb.DuckDBPyConnection, tables: dict[str, list[str]], batch_id: int) -> str:
    """The digest of everything a batch added, over the named tables and columns."""
    parts = {t: rows_digest(con, t, cols, batch_id) for t, cols in sorted(tables.items())}
    return _sha256(canonical(parts))


BATCH_FIELDS = ("kind", "file_name", "file_sha256", "sheet", "header_row", "row_count", "os_user", "imported_at")


def batch_record(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict | None:
    """An import batch's row as the journal records it (None if the row is gone)."""
    row = con.execute(f"SELECT {', '.join(BATCH_FIELDS)} FROM import_batches WHERE id = ?", [batch_id]).fetchone()
    if row is None:
        return None
    return json.loads(canonical(dict(zip(BATCH_FIELDS, row))))


@dataclass(frozen=True)
class Entry:
    seq: int
    recorded_at: dt.datetime
    os_user: str
    action: str
    batch_id: int | None
    detail: str
    content_hash: str
    prev_hash: str
    entry_hash: str


def entry_hash(seq, recorded_at: dt.datetime, user, action, batch_id, detail: str, content: str, prev: str) -> str:
    """The hash that chains an entry to the one before it."""
    return _sha256(canonical([seq, recorded_at.isoformat(), user, action, batch_id, detail, content, prev]))


def last(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """The last entry's sequence number and hash (0 and the genesis hash when empty)."""
    row = con.execute("SELECT seq, entry_hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(
    con: duckdb.DuckDBPyConnection,
    action: str,
    detail: dict,
    batch_id: int | None = None,
    content: str = "",
    when: dt.datetime | None = None,
    user: str | None = None,
) -> Entry:
    """Add an entry at the end of the chain (inside the caller's transaction)."""
    seq, prev = last(con)
    seq += 1
    when = when or now()
    user = user or os_user()
    text = canonical(detail)
    digest = entry_hash(seq, when, user, action, batch_id, text, content, prev)
    con.execute(
        "INSERT INTO journal (seq, recorded_at, os_user, action, batch_id, detail, content_hash, prev_hash, entry_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, when, user, action, batch_id, text, content, prev, digest],
    )
    return Entry(seq, when, user, action, batch_id, text, content, prev, digest)


def entries(con: duckdb.DuckDBPyConnection) -> list[Entry]:
    """Every journal entry in order."""
    rows = con.execute(
        "SELECT seq, recorded_at, os_user, action, batch_id, detail, content_hash, prev_hash, entry_hash FROM journal ORDER BY seq"
    ).fetchall()
    return [Entry(*r) for r in rows]


@dataclass(frozen=True)
class Break:
    """The first place where the journal and the stored rows disagree."""

    seq: int
    what: str  # Chinese sentence


def verify(con: duckdb.DuckDBPyConnection) -> list[Break]:
    """Recompute the chain and each entry's content digest; list every entry that differs."""
    breaks: list[Break] = []
    prev = GENESIS
    expected_seq = 1
    for e in entries(con):
        if e.seq != expected_seq:
            breaks.append(Break(e.seq, f"日志序号不连续: 期望 {expected_seq},实为 {e.seq}(有日志被删除)"))
        expected_seq = e.seq + 1
        if e.prev_hash != prev:
            breaks.append(Break(e.seq, "日志链断裂: 本条记录的前一哈希与上一条不符"))
        if entry_hash(e.seq, e.recorded_at, e.os_user, e.action, e.batch_id, e.detail, e.content_hash, e.prev_hash) != e.entry_hash:
            breaks.append(Break(e.seq, "日志记录本身被修改(哈希不符)"))
        detail = json.loads(e.detail)
        if "batch" in detail and e.batch_id is not None and batch_record(con, e.batch_id) != detail["batch"]:
            breaks.append(Break(e.seq, f"批次 {e.batch_id} 的导入记录(文件名、哈希、行数等)被修改或删除"))
        tables = detail.get("tables")
        if tables and e.batch_id is not None:
            if content_hash(con, tables, e.batch_id) != e.content_hash:
                breaks.append(Break(e.seq, f"批次 {e.batch_id} 的数据行被修改或删除(内容哈希不符)"))
        prev = e.entry_hash
    return breaks
