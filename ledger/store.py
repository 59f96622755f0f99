"""The ledger file: opening it, creating and migrating its schema, transactions, locking.

One DuckDB file per ledger. DuckDB lets one process write and refuses a second; that
refusal becomes `LedgerBusy` naming the holder's pid. Readers (reports, audit, verify)
open the file read-only. The schema comes from the SQLModel declarations in `models`,
which are imported only when a file has to be created or migrated, so that reading
commands start fast.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from . import ledger_file
from .errors import LedgerBusy, LedgerDamaged, LedgerError, UsageError, os_words

SCHEMA_VERSION = 2  # 2: keys and names compared as read (importing/legacy_keys)
READABLE_FROM = 1  # the oldest version readers open as is: version 2 added nothing a report reads
DEFAULT_FILE = "ledger.duckdb"

# Tables whose rows are facts from imported sheets: each has batch_id, source_row and id.
FACT_TABLES_QUERY = """
SELECT table_name FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND column_name = 'source_row'
  AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE database_name = current_database())
ORDER BY table_name
"""


def default_path() -> Path:
    """The ledger file used when `--db` is not given: `$LEDGER_DB`, else ./ledger.duckdb."""
    return Path(os.environ.get("LEDGER_DB") or DEFAULT_FILE)


# How DuckDB says another process holds the file: its own words on POSIX ("Could not set lock
# on file … Conflicting lock is held in … (PID 123)"), the system's on Windows, in English or
# in a Chinese Windows' words (ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION).
BUSY_WORDS = (
    "lock",
    "being used by another process",
    "another process has locked",
    "另一个程序正在使用此文件",
    "另一个进程已锁定",
    "正由另一进程使用",
)


def busy_error(path: Path, text: str, read_only: bool) -> LedgerBusy | None:
    """`LedgerBusy` naming the holder's pid when DuckDB's error is a lock conflict, else None."""
    lowered = text.lower()
    # the word "lock" (not "block" of a damaged file), or the system's words on Windows
    if not (re.search(r"\block\b", lowered) or any(words in lowered for words in BUSY_WORDS[1:])):
        return None
    pid = re.search(r"PID (\d+)", text)
    holder = f"(进程号 {pid.group(1)})" if pid else ""
    if read_only:
        hint = "另一进程正在写入(如导入);请待其结束后再查询。只读查询之间可以同时进行。"
    else:
        hint = "同一时间只能有一个进程写入账本,正在查询或写入的进程结束后请重试。"
    return LedgerBusy(f"账本正被其他进程使用{holder}: {path}", hint)


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        text = str(exc)
        busy = busy_error(path, text, read_only)
        if busy is not None:
            raise busy from None
        if "Permission denied" in text:
            raise UsageError(f"没有打开账本文件的权限: {path}", "请检查文件及其所在目录的权限。") from None
        raise ledger_file.open_failed(path, exc) from None


def _merge_wal(path: Path) -> None:
    """Merge committed changes waiting in the `.wal` into the ledger file, if a writer's open is possible.

    A reading command does this first, so that any command completes a merge that an earlier
    one could not (disk full). Where the file cannot be opened for writing (busy, read-only
    medium, foreign log) nothing happens here: the read-only open that follows says what matters.
    """
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error:
        return
    with contextlib.suppress(duckdb.Error):
        con.execute("CHECKPOINT")
    with contextlib.suppress(duckdb.Error):
        con.close()


def _is_write_failure(exc: BaseException) -> bool:
    """Whether DuckDB gave up writing (disk full, file size limit, I/O error, database invalidated)."""
    return isinstance(exc, (duckdb.IOException, duckdb.FatalException, duckdb.OutOfMemoryException))


def _write_failed(path: Path, exc: BaseException) -> LedgerDamaged:
    return LedgerDamaged(
        f"写入账本失败,本次操作未写入任何数据: {path}",
        "请检查磁盘空间或文件大小限制后重试;可运行 `ledger verify` 确认账本完好。",
        detail=str(exc) or type(exc).__name__,
    )


class Store:
    """An open ledger: a DuckDB connection plus the operations every command shares."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool):
        self.con = con
        self.path = path
        self.read_only = read_only
        # committed changes still only in the `.wal` (a reader could not merge them); see `ledger_file.pending_note`
        self.pending_wal = False
        self.known: tuple[int, str] | None = None  # (entry, hash) the reader is known at, set by `known_at`

    @classmethod
    def create(cls, path: Path) -> "Store":
        """Create a new, empty ledger at `path` (refused if a file is already there)."""
        if path.exists():
            raise UsageError(f"账本已存在: {path}", "如需新账本,请指定另一个 --db 路径。")
        if ledger_file.wal_path(path).exists():
            raise UsageError(
                f"此路径旁留有另一账本的日志文件 {ledger_file.wal_path(path)}",
                "它可能保存着某个账本已提交的更改:请找到它所属的账本文件放回原处,或把它移走妥善保存后重试。",
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(path))
        except (OSError, duckdb.Error) as exc:
            why = os_words(exc) if isinstance(exc, OSError) else ledger_file.duckdb_reason(exc)
            raise UsageError(f"无法在此处创建账本: {path}({why})", "请检查所在目录是否存在、是否可写、磁盘空间是否足够。", detail=str(exc)) from None
        store = cls(con, path, read_only=False)
        with store.transaction():
            create_schema(store.con)
        return store

    @classmethod
    def open(cls, path: Path, read_only: bool = False, merge: bool = True) -> "Store":
        """Open an existing ledger; writers migrate an older schema in place.

        A directory, a file that is not DuckDB, a file cut short, another program's database
        or a `.wal` of another file is refused (`LedgerDamaged`, exit 3) before anything is
        read. A reader first merges committed changes left in the `.wal` unless `merge` is
        False (`--read-only`); when it cannot, `pending_wal` says so.
        """
        if not path.exists():
            raise UsageError(f"账本不存在: {path}", "请先运行 `ledger init` 创建账本,或用 --db 指定账本文件。")
        ledger_file.check(path)
        if read_only and merge and ledger_file.has_wal(path):
            _merge_wal(path)
        store = cls(_connect(path, read_only=read_only), path, read_only)
        try:
            version = store.schema_version()
        except BaseException:
            store.con.close()
            raise
        store.pending_wal = read_only and ledger_file.has_wal(path)
        if version > SCHEMA_VERSION:
            raise LedgerDamaged(
                f"账本的结构版本 {version} 比本程序支持的 {SCHEMA_VERSION} 新", "请升级 ledger 后再打开此账本。"
            )
        if version < SCHEMA_VERSION:
            if read_only and version >= READABLE_FROM:
                return store
            if read_only:
                raise LedgerDamaged(f"账本的结构版本 {version} 需要升级", "请先以写模式运行一次任意导入或 `ledger init`。")
            with store.transaction():
                create_schema(store.con)
                if version < 2:
                    from .importing.legacy_keys import migrate

                    migrate(store.con)
        return store

    def schema_version(self) -> int:
        """The schema version recorded in the file (0 if the file is not a ledger)."""
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.CatalogException:
            raise ledger_file.not_a_ledger(self.path) from None
        except duckdb.Error as exc:
            raise ledger_file.read_failed(self.path, exc) from None
        return int(row[0]) if row else 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: commit when the block ends, roll back if it raises.

        A write the disk refuses (full, over a size limit, I/O error) becomes `LedgerDamaged`
        with a Chinese message instead of a DuckDB traceback; DuckDB's write-ahead log keeps
        the file as it was before the transaction, which `ledger verify` then confirms.
        """
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException as exc:
            try:
                self.con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # the failed write may have closed the database; nothing was committed
            if _is_write_failure(exc):
                raise _write_failed(self.path, exc) from None
            raise
        try:
            self.con.execute("COMMIT")
        except duckdb.Error as exc:  # a commit that fails wrote nothing (the WAL entry is incomplete)
            raise _write_failed(self.path, exc) from None

    def known_at(self, text: str | None) -> "Store":
        """Read the ledger as known at a journal entry or local date-time (`--known-at`); None: as it is now.

        The `v_` views of this connection are shadowed by temporary views (see `known_at.shadow`),
        so every report computed afterwards sees the rows as they stood after that entry.
        """
        if text is None:
            return self
        from . import journal, known_at

        self.known = known_at.resolve(self.con, text)
        if self.known[0] != journal.last(self.con)[0]:
            known_at.shadow(self.con, self.known[0])
        return self

    def basis(self, as_of):
        """The `known_at.Basis` of figures as of `as_of` read from this store (its known-at entry, else the head)."""
        from .known_at import basis

        return basis(self.con, as_of, self.known)

    def fact_tables(self) -> list[str]:
        """Tables holding imported facts (they carry batch_id and source_row)."""
        return [r[0] for r in self.con.execute(FACT_TABLES_QUERY).fetchall()]

    def close(self) -> None:
        """Close the ledger; a writer first merges what it committed into the main file.

        DuckDB commits into the `.wal` and merges (checkpoints) on close, silently giving up
        when the disk is full. Here the merge is explicit, and its failure is `NotMerged`
        (exit 3): the change is safe in the `.wal`, which must stay beside the file.
        """
        if not self.read_only:
            try:
                self.con.execute("CHECKPOINT")
            except duckdb.Error as exc:
                with contextlib.suppress(duckdb.Error):
                    self.con.close()
                raise ledger_file.not_merged(self.path, exc) from None
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
            return
        with contextlib.suppress(duckdb.Error, LedgerError):  # the block's own error is the one to tell
            self.close()


def sql_text(text) -> str:
    """`text` as a SQL string literal (for what DuckDB takes only literally: ATTACH, COPY … TO, struct labels)."""
    return "'" + str(text).replace("'", "''") + "'"


@contextlib.contextmanager
def _undone_after(undo) -> Iterator[None]:
    """Run `undo` when the block ends.

    When a query of the block fails, DuckDB has aborted the transaction and refuses even the
    clean-up: that refusal must not replace the error that caused it.
    """
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            undo()
        raise
    undo()


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame) -> Iterator[None]:
    """`frame` queryable as `name` inside the block, and gone after it."""
    con.register(name, frame)
    with _undone_after(lambda: con.unregister(name)):
        yield


@contextlib.contextmanager
def temp_view(con: duckdb.DuckDBPyConnection, name: str, query: str) -> Iterator[None]:
    """A temporary view `name` of `query` inside the block, dropped after it."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {query}")
    with _undone_after(lambda: con.execute(f"DROP VIEW IF EXISTS {name}")):
        yield


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every missing table, sequence and index from the models; refresh the views.

    Safe to run on an existing ledger: that is how an older file is migrated in place.
    """
    import duckdb_engine
    from sqlalchemy.schema import CreateIndex, CreateSequence, CreateTable
    from sqlmodel import SQLModel

    from . import models  # noqa: F401  (registers the tables)

    dialect = duckdb_engine.Dialect()
    existing = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in existing:
            continue
        for column in table.columns:
            if column.default is not None and hasattr(column.default, "name") and column.default.is_sequence:
                con.execute(str(CreateSequence(column.default, if_not_exists=True).compile(dialect=dialect)))
        con.execute(str(CreateTable(table).compile(dialect=dialect)))
        for index in table.indexes:
            con.execute(str(CreateIndex(index).compile(dialect=dialect)))
    _create_views(con)
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
        [str(SCHEMA_VERSION)],
    )


def live_rows_sql(table: str) -> str:
    """The rows of a fact table that no void has reversed: the definition of its `v_` view.

    `journal.verify` compares each view against this text, so a view redefined behind the
    ledger's back (to show voided rows again, or hide some) is caught.
    """
    return f"""
            SELECT t.* FROM {table} t
            WHERE t.batch_id NOT IN (SELECT batch_id FROM voids WHERE batch_id IS NOT NULL AND row_id IS NULL)
              AND t.id NOT IN (SELECT row_id FROM voids WHERE table_name = '{table}' AND row_id IS NOT NULL)
            """


def _create_views(con: duckdb.DuckDBPyConnection) -> None:
    """`v_<table>` shows the rows of a fact table that no void has reversed; reports read these."""
    for (table,) in con.execute(FACT_TABLES_QUERY).fetchall():
        con.execute(f"CREATE OR REPLACE VIEW v_{table} AS {live_rows_sql(table)}")
