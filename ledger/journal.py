"""The append-only, hash-chained journal: every change to the ledger is an entry.

An entry records who, when, what (`action`, `detail`), a digest of the rows it added
(`content_hash`, computed inside DuckDB over the batch's rows) and the hash of the entry
before it. `verify` recomputes both, so an UPDATE or DELETE made behind the ledger's back,
with any DuckDB client, shows up as the first entry whose hash no longer matches.

What `verify` checks, and so what a change behind the ledger's back cannot hide:
- the chain: sequence numbers without gaps, each entry's hash and its link to the one before;
- import entries: the `import_batches` row as recorded, the digest of every row the batch
  added (the digest includes the row count, so an extra row in a batch shows), and the stored
  totals (rows and sums of the money columns per table, recorded at import time);
- void entries: the `voids` row as recorded;
- close entries: the head they name is the entry before them, and their figures match their digest;
- rows outside the journal: batches, voids, or rows of any table whose batch has no import
  entry naming that table (a row INSERTed with a made-up or borrowed batch id);
- the `v_*` views reports read: each must show exactly the rows of its table no void reversed.
What no check inside one file can catch is the removal of the newest entries together with
everything they added; the head hash printed by `ledger verify` and `ledger log`, and recorded
in every backup and export, is the anchor to compare against for that.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass

import duckdb

from .ledger_file import duckdb_reason

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


def record_digest(record: dict) -> str:
    """sha256 of a record's canonical JSON: the content hash of an entry that adds one record."""
    return _sha256(canonical(record))


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """A table's columns in their stored order."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database() ORDER BY column_index",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _digest_select(columns: list[str]) -> str:
    """The SELECT list that digests rows of one table: their count and the sha256 of their cells in id order.

    `rows_digest` (one batch, at import) and `batch_digests` (every batch at once, in `verify`)
    both build their query from it, so the two cannot drift apart.
    """
    cells = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '\\N')" for c in columns)
    return f"count(*), sha256(coalesce(string_agg(concat_ws(chr(31), {cells}), chr(30) ORDER BY id), ''))"


# What `rows_digest` gives for a batch without rows in the table (count 0, sha256 of '').
EMPTY_DIGEST = f"0:{hashlib.sha256(b'').hexdigest()}"

# Rows digested by one grouped query in `batch_digests`: string_agg holds every row's text of the
# batches it groups until it hashes them, so a million rows at once would take about 1 GiB.
DIGEST_CHUNK_ROWS = 50_000


def rows_digest(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], batch_id: int) -> str:
    """sha256 over a batch's rows of one table, in id order, computed by DuckDB."""
    row = con.execute(f"SELECT {_digest_select(columns)} FROM {table} WHERE batch_id = ?", [batch_id]).fetchone()
    return f"{row[0]}:{row[1]}"


def batch_digests(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict[int, str]:
    """`rows_digest` of every batch of a table, in a few grouped scans instead of one scan per batch.

    A batch missing from the answer has no rows in the table: its digest is `EMPTY_DIGEST`.
    Batches are grouped by ranges of batch id holding about `DIGEST_CHUNK_ROWS` rows, which
    bounds the memory the row text takes (a single batch larger than that is digested alone).
    """
    sizes = con.execute(f"SELECT batch_id, count(*) FROM {table} WHERE batch_id IS NOT NULL GROUP BY batch_id ORDER BY batch_id").fetchall()
    out: dict[int, str] = {}
    for low, high in _id_ranges(sizes, DIGEST_CHUNK_ROWS):
        rows = con.execute(
            f"SELECT batch_id, {_digest_select(columns)} FROM {table} WHERE batch_id BETWEEN ? AND ? GROUP BY batch_id",
            [low, high],
        ).fetchall()
        out.update((batch_id, f"{n}:{sha}") for batch_id, n, sha in rows)
    return out


def _id_ranges(sizes: list[tuple[int, int]], rows: int) -> list[tuple[int, int]]:
    """Consecutive (first, last) id ranges over (id, count) pairs in id order, each up to about `rows` rows."""
    ranges: list[tuple[int, int]] = []
    held = 0
    for id_, count in sizes:
        if ranges and held + count <= rows:
            ranges[-1] = (ranges[-1][0], id_)
            held += count
        else:
            ranges.append((id_, id_))
            held = count
    return ranges


def _combine(parts: dict[str, str]) -> str:
    """The content hash of a batch from its per-table digests."""
    return _sha256(canonical(parts))


def content_hash(con: duckdb.DuckDBPyConnection, tables: dict[str, list[str]], batch_id: int) -> str:
    """The digest of everything a batch added, over the named tables and columns."""
    return _combine({t: rows_digest(con, t, cols, batch_id) for t, cols in sorted(tables.items())})


def money_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """A table's money columns (DECIMAL(18,2) 元), whose sums the journal records per batch."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database() "
        "AND data_type = 'DECIMAL(18,2)' ORDER BY column_index",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def batch_totals(con: duckdb.DuckDBPyConnection, tables, batch_id: int) -> dict:
    """Rows and money sums (元, as text) a batch holds in each table: the journal's stored totals."""
    out = {}
    for table in sorted(tables):
        cols = money_columns(con, table)
        sums = "".join(f", CAST(coalesce(sum({c}), 0) AS VARCHAR)" for c in cols)
        row = con.execute(f"SELECT count(*){sums} FROM {table} WHERE batch_id = ?", [batch_id]).fetchone()
        out[table] = {"rows": row[0], "sums": dict(zip(cols, row[1:]))}
    return out


def _totals_text(table: str, totals: dict) -> str:
    sums = "".join(f"、{c} 合计 {v} 元" for c, v in totals.get("sums", {}).items())
    return f"{totals.get('rows')} 行{sums}"


def totals_difference(recorded: dict, current: dict) -> str:
    """A sentence naming each table whose rows or sums differ from what the journal recorded."""
    parts = []
    for table in sorted(set(recorded) | set(current)):
        before, now_ = recorded.get(table, {}), current.get(table, {})
        if before != now_:
            parts.append(f"{table} 表日志记录 {_totals_text(table, before)},现为 {_totals_text(table, now_)}")
    return ";".join(parts)


BATCH_FIELDS = ("kind", "file_name", "file_sha256", "sheet", "header_row", "row_count", "os_user", "imported_at")


def _record(fields: tuple[str, ...], row) -> dict:
    """A row as the journal records it: JSON values, the way they read back from an entry's detail."""
    return json.loads(canonical(dict(zip(fields, row))))


def batch_record(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict | None:
    """An import batch's row as the journal records it (None if the row is gone)."""
    row = con.execute(f"SELECT {', '.join(BATCH_FIELDS)} FROM import_batches WHERE id = ?", [batch_id]).fetchone()
    return None if row is None else _record(BATCH_FIELDS, row)


def batch_records(con: duckdb.DuckDBPyConnection) -> dict[int, dict]:
    """Every import batch's row as the journal records it, by id (`verify` reads them in one query)."""
    rows = con.execute(f"SELECT id, {', '.join(BATCH_FIELDS)} FROM import_batches").fetchall()
    return {r[0]: _record(BATCH_FIELDS, r[1:]) for r in rows}


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
    """Add an entry at the end of the chain (inside the caller's transaction).

    An entry that names the tables a batch wrote (`detail["tables"]`) also records the
    batch's totals per table, so `verify` can say which figures changed, not only that some did.
    """
    seq, prev = last(con)
    seq += 1
    when = when or now()
    user = user or os_user()
    if batch_id is not None and detail.get("tables") and "totals" not in detail:
        detail = {**detail, "totals": batch_totals(con, detail["tables"], batch_id)}
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


def head(con: duckdb.DuckDBPyConnection) -> str:
    """The newest entry's hash: the anchor to write down and compare later (genesis when empty or unreadable)."""
    try:
        return last(con)[1]
    except duckdb.Error:
        return GENESIS


HEAD_PREFIX_MIN = 12


def head_prefix(text: str) -> str:
    """A head hash as written in minutes: at least `HEAD_PREFIX_MIN` hex digits, spaces and case ignored.

    A shorter prefix would match too easily to prove anything; it is a usage error.
    """
    from .errors import UsageError

    digits = "".join(text.split()).lower()
    if not all(c in "0123456789abcdef" for c in digits) or len(digits) > 64:
        raise UsageError(f"不是日志哈希: {text}", "末条日志哈希是 64 位十六进制数字(0-9、a-f),见 `ledger verify` 或 `ledger log` 的输出。")
    if len(digits) < HEAD_PREFIX_MIN:
        raise UsageError(
            f"--expect-head 的哈希只有 {len(digits)} 位,至少需要前 {HEAD_PREFIX_MIN} 位", "请抄录更长的末条日志哈希(完整为 64 位)。"
        )
    return digits


def size(con: duckdb.DuckDBPyConnection) -> int:
    """How many entries the journal holds (0 when the journal table is unreadable)."""
    try:
        return con.execute("SELECT count(*) FROM journal").fetchone()[0]
    except duckdb.Error:
        return 0


VOID_FIELDS = ("id", "batch_id", "table_name", "row_id", "reason", "os_user", "recorded_at")


def void_record(con: duckdb.DuckDBPyConnection, void_id: int) -> dict | None:
    """A `voids` row as the journal records it (None if the row is gone)."""
    row = con.execute(f"SELECT {', '.join(VOID_FIELDS)} FROM voids WHERE id = ?", [void_id]).fetchone()
    return None if row is None else _record(VOID_FIELDS, row)


def void_records(con: duckdb.DuckDBPyConnection) -> dict[int, dict]:
    """Every `voids` row as the journal records it, by id (`verify` reads them in one query)."""
    rows = con.execute(f"SELECT {', '.join(VOID_FIELDS)} FROM voids").fetchall()
    return {r[0]: _record(VOID_FIELDS, r) for r in rows}


BATCHED_TABLES_QUERY = """
SELECT table_name FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND column_name = 'batch_id'
  AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE database_name = current_database())
  AND table_name NOT IN ('journal', 'voids')
ORDER BY table_name
"""


@dataclass(frozen=True)
class Break:
    """A place where the journal and the stored rows disagree.

    `seq` is the entry that no longer matches; None for rows that no entry accounts for.
    """

    seq: int | None
    what: str  # Chinese sentence

    @property
    def where(self) -> str:
        """`第 N 条日志` or, for rows outside the journal, `日志之外`."""
        return f"第 {self.seq} 条日志" if self.seq is not None else "日志之外"


def verify(con: duckdb.DuckDBPyConnection) -> list[Break]:
    """Recompute the chain, each entry's rows and totals, and look for rows no entry accounts for.

    Returns every break found, entries in order first, then rows outside the journal; an
    empty list means the file is exactly what its journal says. Only reads, so it runs on a
    read-only connection.
    """
    try:
        all_entries = entries(con)
    except duckdb.Error:
        return [Break(None, "日志表缺失或无法读取")]
    stored = _Stored(con)
    breaks: list[Break] = []
    journaled: dict[str, set[int]] = {}  # table → batches whose rows an import entry accounts for
    batches: set[int] = set()
    voids: set[int] = set()
    prev = GENESIS
    expected_seq = 1
    for e in all_entries:
        if e.seq != expected_seq:
            breaks.append(Break(e.seq, f"日志序号不连续: 期望 {expected_seq},实为 {e.seq}(有日志被删除)"))
        expected_seq = e.seq + 1
        if e.prev_hash != prev:
            breaks.append(Break(e.seq, "日志链断裂: 本条记录的前一哈希与上一条不符"))
        if entry_hash(e.seq, e.recorded_at, e.os_user, e.action, e.batch_id, e.detail, e.content_hash, e.prev_hash) != e.entry_hash:
            breaks.append(Break(e.seq, "日志记录本身被修改(哈希不符)"))
        prev = e.entry_hash
        try:
            detail = json.loads(e.detail)
            if not isinstance(detail, dict):
                raise ValueError
        except ValueError:
            breaks.append(Break(e.seq, "日志内容无法解析(被改写)"))
            continue
        try:
            breaks.extend(_check_entry(stored, e, detail, journaled, batches, voids))
        except duckdb.Error as exc:
            breaks.append(Break(e.seq, f"日志所指的数据无法读取(表被删除或改动): {duckdb_reason(exc)}"))
    breaks.sort(key=lambda b: b.seq)
    try:
        breaks.extend(_outside_journal(con, journaled, batches, voids))
    except duckdb.Error as exc:
        breaks.append(Break(None, f"账本表结构被改动,无法核对: {duckdb_reason(exc)}"))
    return breaks


class _Stored:
    """What `verify` compares entries against, each read once, in bulk, when first needed.

    Reading every batch's rows in a few grouped scans instead of one scan per entry is what
    keeps `verify` fast on a ledger of thousands of batches. A read that fails (a table dropped
    or altered) fails again, with the same error, for each entry that needs it, so each such
    entry is reported as when the rows were read entry by entry.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self._read: dict = {}

    def _once(self, key, read):
        if key not in self._read:
            try:
                self._read[key] = read()
            except duckdb.Error as exc:
                self._read[key] = exc
        got = self._read[key]
        if isinstance(got, duckdb.Error):
            raise got.with_traceback(None)
        return got

    def batch_record(self, batch_id: int) -> dict | None:
        """`batch_record`, from one read of `import_batches`."""
        return self._once("batches", lambda: batch_records(self.con)).get(batch_id)

    def void_record(self, void_id: int) -> dict | None:
        """`void_record`, from one read of `voids`."""
        return self._once("voids", lambda: void_records(self.con)).get(void_id)

    def content_hash(self, tables: dict[str, list[str]], batch_id: int) -> str:
        """`content_hash`, from each table's `batch_digests` (one per table and column list)."""
        parts = {}
        for table, cols in sorted(tables.items()):
            digests = self._once(("digests", table, canonical(cols)), lambda: batch_digests(self.con, table, cols))
            parts[table] = digests.get(batch_id, EMPTY_DIGEST)
        return _combine(parts)


def _check_entry(stored: _Stored, e: Entry, detail: dict, journaled: dict, batches: set, voids: set) -> list[Break]:
    """What one entry says against what the file holds now."""
    out: list[Break] = []
    if e.action == "import" and e.batch_id is not None:
        batches.add(e.batch_id)
        if "batch" in detail and stored.batch_record(e.batch_id) != detail["batch"]:
            out.append(Break(e.seq, f"批次 {e.batch_id} 的导入记录(文件名、哈希、行数等)被修改或删除"))
        tables = detail.get("tables") or {}
        for table in tables:
            journaled.setdefault(table, set()).add(e.batch_id)
        if tables and stored.content_hash(tables, e.batch_id) != e.content_hash:
            what = f"批次 {e.batch_id} 的数据行被修改或删除(内容哈希不符)"
            if "totals" in detail:
                diff = totals_difference(detail["totals"], batch_totals(stored.con, tables, e.batch_id))
                what += f": {diff}" if diff else ": 行数与金额合计未变,某些字段被改动"
            out.append(Break(e.seq, what))
    elif e.action == "void":
        record = detail.get("void") or {}
        void_id = record.get("id")
        if void_id is None:
            out.append(Break(e.seq, "作废日志缺少作废记录"))
        else:
            voids.add(void_id)
            if stored.void_record(void_id) != record:
                out.append(Break(e.seq, f"作废记录 {void_id} 被修改或删除(作废对象、原因、人员或时间与日志不符)"))
            elif e.content_hash != record_digest(record):
                out.append(Break(e.seq, f"作废记录 {void_id} 的摘要与日志不符"))
    elif e.action == "close":
        out.extend(_check_close(e, detail))
    return out


def _check_close(e: Entry, detail: dict) -> list[Break]:
    """A close entry: the head it names is the entry before it, and its figures match their digest."""
    out: list[Break] = []
    head = detail.get("head") or {}
    if head.get("entry") != e.seq - 1 or head.get("hash") != e.prev_hash:
        out.append(Break(e.seq, f"结账日志({detail.get('period', '')})记录的账本末条日志与其前一条日志不符"))
    figures = detail.get("figures")
    if not isinstance(figures, dict) or record_digest(figures) != e.content_hash or detail.get("digest") != e.content_hash:
        out.append(Break(e.seq, f"结账日志({detail.get('period', '')})记录的指标与其摘要不符"))
    return out


def _outside_journal(con, journaled: dict[str, set[int]], batches: set[int], voids: set[int]) -> list[Break]:
    """Batches, voids and rows that no journal entry accounts for, and views that lie."""
    from .store import FACT_TABLES_QUERY

    out: list[Break] = []
    known = sorted(batches)
    stray = con.execute("SELECT id FROM import_batches WHERE id NOT IN (SELECT unnest(?::INTEGER[])) ORDER BY id", [known]).fetchall()
    if stray:
        out.append(Break(None, f"导入批次 {_ids(stray)} 没有对应的导入日志(在账本之外写入)"))
    stray = con.execute("SELECT id FROM voids WHERE id NOT IN (SELECT unnest(?::INTEGER[])) ORDER BY id", [sorted(voids)]).fetchall()
    if stray:
        out.append(Break(None, f"作废记录 {_ids(stray)} 没有对应的作废日志(在账本之外写入)"))
    for (table,) in con.execute(BATCHED_TABLES_QUERY).fetchall():
        rows = con.execute(
            f"SELECT batch_id, count(*) FROM {table} WHERE batch_id IS NULL OR batch_id NOT IN (SELECT unnest(?::INTEGER[])) "
            "GROUP BY batch_id ORDER BY batch_id",
            [sorted(journaled.get(table, ()))],
        ).fetchall()
        if rows:
            n = sum(r[1] for r in rows)
            out.append(Break(None, f"{table} 表有 {n} 行(批次 {_ids(rows)})不属于任何导入日志(在账本之外写入)"))
    for (table,) in con.execute(FACT_TABLES_QUERY).fetchall():
        if _view_lies(con, table):
            out.append(Break(None, f"报表视图 v_{table} 被改动或删除:它显示的行与未作废的 {table} 行不一致"))
    return out


def _view_lies(con, table: str) -> bool:
    """Whether `v_<table>` fails to show exactly the rows of `table` no void reversed (or cannot be read).

    A view whose stored definition is the one `store.live_rows_sql` creates shows those rows by
    construction, so it only has to be readable. Any other definition (redefined, dropped, or
    written by an older version) has its rows compared with the live rows, both ways with
    EXCEPT ALL: exact, but it holds whole tables in memory, so it runs only then.
    """
    from .store import live_rows_sql

    live = live_rows_sql(table)
    try:
        if _defined_as(con, f"v_{table}", live):
            con.execute(f"SELECT count(*) FROM v_{table}").fetchone()
            return False
        differ = con.execute(
            f"SELECT (SELECT count(*) FROM (SELECT * FROM v_{table} EXCEPT ALL {live})) "
            f"+ (SELECT count(*) FROM ({live} EXCEPT ALL SELECT * FROM v_{table}))"
        ).fetchone()[0]
    except duckdb.Error:
        return True
    return differ != 0


def _defined_as(con, view: str, query: str) -> bool:
    """Whether the file's view `view` is stored as `query`.

    DuckDB keeps a view as its parsed query and shows it rendered back to SQL
    (`CREATE VIEW v AS <query>;`); `json_serialize_sql` and `json_deserialize_sql` parse and
    render `query` the same way, so equal text means the same parsed query. False whenever
    that cannot be told (no such view, a rendering this DuckDB does not offer).
    """
    try:
        stored = con.execute(
            "SELECT sql FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND view_name = ?",
            [view],
        ).fetchall()
        rendered = con.execute("SELECT json_deserialize_sql(json_serialize_sql(?))", [query]).fetchone()[0]
    except duckdb.Error:
        return False
    return len(stored) == 1 and stored[0][0] == f"CREATE VIEW {view} AS {rendered};"


def _ids(rows) -> str:
    ids = [str(r[0]) for r in rows]
    return "、".join(ids[:10]) + (f" 等 {len(ids)} 个" if len(ids) > 10 else "")
