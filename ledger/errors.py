"""Errors a user can meet, each with the exit code of the command-line contract.

0 ok; 1 the input was refused; 2 usage error; 3 the ledger is busy or damaged.
The CLI turns these into a Chinese message and the exit code; nothing else escapes.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every error meant for the user; `message` and `hint` are Chinese sentences."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "", detail: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.detail = detail  # the library's own (English) words, for `--json` output only


class Refused(LedgerError):
    """The input was refused (validation, duplicate file, unreadable file)."""

    exit_code = 1


class UsageError(LedgerError):
    """The command was called wrongly, e.g. a ledger that does not exist yet."""

    exit_code = 2


class LedgerBusy(LedgerError):
    """Another process holds the ledger for writing."""

    exit_code = 3


class LedgerDamaged(LedgerError):
    """The ledger file is damaged, or its journal does not verify."""

    exit_code = 3


class NotMerged(LedgerDamaged):
    """A change is committed, but only in the ledger's `.wal`: the merge into the main file failed.

    Raised after the command's work is done, so the CLI can still tell what was committed.
    """


_OS_WORDS = {
    "ENOENT": "文件或目录不存在",
    "EACCES": "没有权限",
    "EPERM": "没有权限",
    "EISDIR": "这是一个目录",
    "ENOTDIR": "路径中有一段不是目录",
    "ENOSPC": "磁盘已满",
    "EFBIG": "超出文件大小限制",
    "EDQUOT": "超出磁盘配额",
    "EROFS": "只读文件系统,不能写入",
    "EEXIST": "已存在",
    "ENAMETOOLONG": "文件名过长",
    "EBUSY": "文件正被占用",
    "EIO": "磁盘读写错误",
}


def os_words(exc: OSError) -> str:
    """Why the system refused a file, in Chinese (the system's English `strerror` is for `detail`)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_WORDS.get(name, f"系统错误 {name or exc.errno or type(exc).__name__}")


def file_format_reason(exc: Exception) -> str:
    """Why a TOML/text file could not be read, in Chinese: not UTF-8, or not TOML at line N."""
    import re

    if isinstance(exc, OSError):
        return os_words(exc)
    if isinstance(exc, UnicodeDecodeError):
        return "不是 UTF-8 编码的文本"
    at = re.search(r"at line (\d+), column (\d+)", str(exc))
    return f"不是有效的 TOML(第 {at[1]} 行第 {at[2]} 列)" if at else "不是有效的 TOML"
