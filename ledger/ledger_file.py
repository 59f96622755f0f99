"""What can be wrong with a ledger file, found before DuckDB reads it, and told in Chinese.

A path given as `--db` may be a directory, a spreadsheet or text file, another program's
DuckDB database, a ledger cut short by a failed copy, or a ledger beside a `.wal` that
belongs to another file. Each is `LedgerDamaged` (exit 3) naming the file and what to do;
DuckDB's own English words go to `detail` only (shown in `--json` output).

A DuckDB file starts with three 4 KiB headers: the main one (magic `DUCK` at byte 8) and
two database headers, the newer of which (higher `iteration`) gives the number of blocks
and the block size; after them come whole blocks (see `_cut_short`).
"""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path

from .errors import LedgerDamaged, NotMerged, UsageError

HEADER_SIZE = 4096
HEADERS = 3  # main header + two database headers
MAGIC = b"DUCK"
MAGIC_AT = 8

RESTORE = "请从备份恢复(`ledger backup` 生成的副本),恢复后运行 `ledger verify` 核验;在此之前请勿再向此文件写入。"


def wal_path(path: Path) -> Path:
    """DuckDB's write-ahead log of the ledger at `path`: committed changes not yet merged into it."""
    return path.with_name(path.name + ".wal")


def has_wal(path: Path) -> bool:
    """Whether committed changes wait in the ledger's `.wal` (an empty log holds none)."""
    try:
        return os.stat(wal_path(path)).st_size > 0
    except OSError:
        return False


def check(path: Path) -> None:
    """Refuse, before DuckDB opens it, a `--db` that is a directory, not DuckDB, or cut short."""
    if path.is_dir():
        raise LedgerDamaged(f"账本路径是一个目录,不是账本文件: {path}", f"请用 --db 指定账本文件本身,例如 --db {path / 'ledger.duckdb'}。")
    try:
        with open(path, "rb") as f:
            head = f.read(HEADER_SIZE * HEADERS)
            size = os.fstat(f.fileno()).st_size
    except PermissionError:
        raise UsageError(f"没有读取账本文件的权限: {path}", "请检查文件权限,或请管理员授予读取权限。") from None
    except OSError as exc:
        raise LedgerDamaged(f"无法读取账本文件: {path}", RESTORE, detail=str(exc)) from None
    if len(head) < HEADER_SIZE * HEADERS or head[MAGIC_AT : MAGIC_AT + len(MAGIC)] != MAGIC:
        raise foreign_file(path, size)
    if _cut_short(head, size) and not has_wal(path):
        raise LedgerDamaged(f"账本文件不完整(被截断): {path} 只有 {size:,} 字节,不是完整的数据块", RESTORE)


def _cut_short(head: bytes, size: int) -> bool:
    """Whether the file ends inside a block, short of the blocks its newer database header counts.

    DuckDB writes whole blocks and may trim free ones from the end, so a sound file is
    headers plus whole blocks. A write that failed for lack of space can leave part of a
    block at the end, but then the commit it was merging waits in the `.wal` (the caller
    checks): a file ending mid-block with no `.wal` beside it was cut short (an interrupted
    copy or download), even where DuckDB would notice only when a query reaches a lost block.
    """
    newest = max((struct.unpack_from("<QQQQQQ", head, HEADER_SIZE * i) for i in (1, 2)), key=lambda h: h[1])
    _checksum, _iteration, _meta, _free, blocks, block_size = newest
    if block_size < HEADER_SIZE or block_size > 1 << 30 or block_size & (block_size - 1) or blocks > 1 << 40:
        return False  # an older or newer storage format: leave the judgement to DuckDB
    body = size - HEADER_SIZE * HEADERS
    return body % block_size != 0 and size < HEADER_SIZE * HEADERS + blocks * block_size


def foreign_file(path: Path, size: int | None = None) -> LedgerDamaged:
    """The file is not a DuckDB database at all (a spreadsheet, text, random bytes, an empty file)."""
    what = "空文件" if size == 0 else "可能是表格、文本或其他程序的文件"
    return LedgerDamaged(
        f"文件不是 ledger 账本(不是 DuckDB 数据库,{what}): {path}",
        "请检查 --db 或 $LEDGER_DB 所指的文件;若它本是账本,则已损坏:" + RESTORE,
    )


def not_a_ledger(path: Path) -> LedgerDamaged:
    """A DuckDB database, but another program's: it has no `meta` table."""
    return LedgerDamaged(
        f"文件不是 ledger 账本(是其他程序的 DuckDB 数据库,没有账本结构): {path}",
        "请检查 --db 或 $LEDGER_DB 所指的文件;新建账本请用 `ledger --db 新文件.duckdb init`。",
    )


def open_failed(path: Path, exc: BaseException) -> LedgerDamaged:
    """DuckDB refused to open the file (other than for a lock): a foreign `.wal`, or damage."""
    text = str(exc)
    if "WAL" in text:
        wal = wal_path(path)
        return LedgerDamaged(
            f"账本旁的日志文件 {wal} 不属于账本文件 {path},无法打开",
            "这通常是账本文件被替换(从别处复制或恢复备份)而旧的 .wal 留在了原处。.wal 里可能有它所属账本已提交的更改,"
            "请勿删除:把它移到别处妥善保存(与它所属的账本文件放在一起),然后重试,并运行 `ledger verify` 核验。",
            detail=text,
        )
    if "not a valid DuckDB database" in text:
        return foreign_file(path)
    return LedgerDamaged(f"账本文件已损坏,无法打开: {path}", RESTORE, detail=text)


# DuckDB's words for why a read or write failed → the same in Chinese (first match wins).
_REASONS = (
    ("checksum", "账本文件的数据块已损坏(校验和不符)"),
    ("Corrupt", "账本文件的数据块已损坏"),
    ("Could not read enough bytes", "账本文件不完整(被截断)"),
    ("No space left", "磁盘已满"),
    ("File too large", "超出文件大小限制"),
    ("Permission denied", "没有权限"),
    ("No such file or directory", "文件或目录不存在"),
    ("Cannot open file", "无法打开文件"),
    ("Catalog Error", "账本的表结构被改动(表或列不存在)"),
)


def duckdb_reason(exc: BaseException) -> str:
    """A DuckDB error in a few Chinese words (the original goes to `detail`)."""
    text = str(exc)
    missing = re.search(r"(Table|View) with name (\S+) does not exist", text)
    if missing:
        return f"{'表' if missing.group(1) == 'Table' else '视图'} {missing.group(2)} 不存在"
    return next((words for key, words in _REASONS if key in text), "数据库读写出错")


def read_failed(path: Path, exc: BaseException) -> LedgerDamaged:
    """A query on an opened ledger failed inside DuckDB: a block is missing or unreadable."""
    return LedgerDamaged(
        f"读取账本时出错,账本文件可能已损坏: {path}({duckdb_reason(exc)})", "请先运行 `ledger verify` 核验;" + RESTORE, detail=str(exc)
    )


def copy_failed(path: Path, what: str, exc: BaseException) -> LedgerDamaged:
    """A backup or export stopped inside DuckDB: the target's disk, or a damaged ledger."""
    return LedgerDamaged(
        f"{what}失败({duckdb_reason(exc)}),未留下不完整的文件: 账本 {path}",
        "请检查目标磁盘空间与权限后重试;若原因是账本文件损坏,请运行 `ledger verify` 核验。",
        detail=str(exc),
    )


def not_merged(path: Path, exc: BaseException) -> NotMerged:
    """The commit is in the `.wal`, but merging it into the ledger file failed (disk full, size limit)."""
    wal = wal_path(path)
    return NotMerged(
        f"更改已提交,但未能并入账本文件 {path}(磁盘已满或超出文件大小限制);已提交的更改目前保存在 {wal} 中",
        f"切勿删除 {wal.name},也不要把它与账本文件分开(复制、移动账本时必须一并带上)。"
        "请腾出磁盘空间(或解除文件大小限制),之后运行任意 ledger 命令(如 `ledger verify`)即可完成并入。",
        detail=str(exc),
    )


def pending_note(path: Path) -> str:
    """What a reading command tells the user when committed changes still wait in the `.wal`."""
    wal = wal_path(path)
    return (
        f"提示: 账本有已提交但尚未并入账本文件的更改,保存在 {wal} 中(报表已包含这些更改)。"
        f"切勿删除该文件或把它与账本分开;腾出磁盘空间后运行任意写入或查询命令(不带 --read-only)即可并入。"
    )
