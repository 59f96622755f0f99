"""Per-bank header mappings kept beside the ledger and picked by the file's name.

A bank whose headers match no alias (借据号, 客户证件号码 …) is mapped once, in a small TOML
file under `imports/mappings/` next to the ledger file (or the folder `$LEDGER_MAPPINGS`
names):

    files = ["*建行*", "*建设银行*"]          # the bank's file names (glob patterns)
    [headers]
    "借据号" = "贷款合同编号"
    "客户证件号码" = "统一社会信用代码"

Every month, a file whose name matches one of a mapping's `files` patterns is read with
that mapping; `--map FILE` names a mapping explicitly (its `files` are then not needed).
A mapping only adds spellings: the standard headers and aliases keep working. When two
mapping files match one name, the import is a usage error rather than a guess.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError, file_format_reason
from .schema import kinds, load_mapping

MAPPINGS_DIR = Path("imports") / "mappings"


@dataclass(frozen=True)
class Mapping:
    """A bank's header spellings (normalised: bank header -> standard header) and where they came from."""

    path: Path
    headers: dict[str, str]


def mappings_dir(ledger_path: Path) -> Path:
    """`$LEDGER_MAPPINGS`, else `imports/mappings/` in the ledger file's folder."""
    env = os.environ.get("LEDGER_MAPPINGS")
    return Path(env) if env else Path(ledger_path).resolve().parent / MAPPINGS_DIR


def _patterns(path: Path) -> list[str]:
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"无法读取表头映射文件 {path}: {file_format_reason(exc)}", "映射文件格式见 imports/mappings/ 中的示例。") from None
    files = data.get("files", [])
    if isinstance(files, str):
        files = [files]
    return [unicodedata.normalize("NFC", f) for f in files if isinstance(f, str) and f.strip()]


def matching(file: Path, folder: Path) -> list[Path]:
    """The mapping files in `folder` whose `files` patterns match `file`'s name."""
    if not folder.is_dir():
        return []
    name = unicodedata.normalize("NFC", Path(file).name)
    return [p for p in sorted(folder.glob("*.toml")) if any(fnmatch.fnmatchcase(name, pat) for pat in _patterns(p))]


def mapping_for(file: Path, ledger_path: Path, explicit: Path | None = None) -> Mapping | None:
    """The mapping to read `file` with: `explicit` (--map) if given, else the one matching its name, else None."""
    if explicit is not None:
        return _checked(Path(explicit))
    folder = mappings_dir(ledger_path)
    found = matching(file, folder)
    if not found:
        return None
    if len(found) > 1:
        names = "、".join(p.name for p in found)
        raise UsageError(f"文件名 {Path(file).name} 同时匹配多个表头映射: {names}", "请修改映射文件中的 files 使其只匹配一个,或用 --map 指定。")
    return _checked(found[0])


def _checked(path: Path) -> Mapping:
    """A mapping whose every target is a header some import kind knows (a typo would map to nothing)."""
    headers = load_mapping(path)
    known = {name for spec in kinds().values() for name in spec.headers}
    unknown = [f"「{bank}」→「{ours}」" for bank, ours in headers.items() if ours not in known]
    if unknown:
        raise UsageError(
            f"表头映射 {path.name} 中有无法识别的标准表头: {'、'.join(unknown)}",
            "等号右边应是账本的标准表头或其别名,如 贷款合同编号、统一社会信用代码、放款金额(见 schemas/import/*.toml)。",
        )
    return Mapping(path, headers)
