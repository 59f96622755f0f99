"""The files named on `ledger import`: glob patterns expanded by ledger itself.

POSIX shells expand `10月/*.xlsx` before ledger sees it; Windows cmd and PowerShell pass
it through as written. A name that is not an existing file and holds a pattern character
(* ? [) is expanded here, in name order; a pattern matching nothing is a usage error
naming it, so a typo never passes as "nothing to import".
"""

from __future__ import annotations

import glob
from pathlib import Path

from ..errors import UsageError

PATTERN_CHARACTERS = "*?["


def expand(names: list[str]) -> list[Path]:
    """Each name as a path, patterns replaced by the files they match (sorted); a file named twice counts once."""
    out: list[Path] = []
    for name in names:
        path = Path(name)
        if path.exists() or not any(c in name for c in PATTERN_CHARACTERS):
            out.append(path)
            continue
        matches = sorted(Path(m) for m in glob.glob(name, recursive=True) if Path(m).is_file())
        if not matches:
            raise UsageError(f"没有与「{name}」匹配的文件", "请检查文件夹与文件名;通配符 * 代表任意多个字符,? 代表一个字符。")
        out.extend(matches)
    return list(dict.fromkeys(out))
