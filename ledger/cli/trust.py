"""Commands that keep the ledger trustworthy: `void`, `log`, `backup`, `export`.

`void` is the only one that writes; the others open the ledger read-only (they work with
`--read-only` and beside other readers, and are refused while an import is writing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import KnownAt, State, app, closed_period_adjustments, closed_period_mark, committing, db_path, friendly, open_store

AsJson = Annotated[bool, typer.Option("--json", help="以 JSON 输出")]


@app.command()
@friendly
def void(
    target: Annotated[str, typer.Argument(help="批次号 (batch, e.g. 12) 或 表:行号 (one row, e.g. loans:17);见 `ledger log`")],
    reason: Annotated[str, typer.Option("--reason", help="作废原因 (required), 记入日志")] = "",
    as_json: AsJson = False,
) -> None:
    """作废一个批次或一行 (void a batch or one row: a reversing entry with a reason; nothing is deleted)."""
    from ..corrections import void as void_target
    from ..reports import render
    from ..reports.trail_render import voided_text

    with committing() as unmerged:
        with open_store() as store:
            before = closed_period_mark(store)
            done = void_target(store, target, reason)
            adjusts = closed_period_adjustments(store, before)
    if as_json:
        render.print_json({**done.to_json(), "closed_period_adjustments": [a.to_json() for a in adjusts]})
    else:
        render.say(voided_text(done))
        for a in adjusts:
            render.say(a.words())
    unmerged.raise_if_any()


@app.command("log")
@friendly
def log(
    batch: Annotated[Optional[int], typer.Option("--batch", help="只看此批次的日志,并列出它的数据行")] = None,
    as_json: AsJson = False,
) -> None:
    """账本日志 (the audit trail: who imported or voided what, when and why; read-only)."""
    from ..reports import render
    from ..reports.trail import trail
    from ..reports.trail_render import rows_table, trail_table

    with open_store(read_only=True) as store:
        t = trail(store.con, batch)
    if batch is not None and not t.entries:
        from ..errors import UsageError

        raise UsageError(f"账本中没有批次 {batch}", "不带 --batch 运行 `ledger log` 可看到全部批次。")
    if as_json:
        render.print_json(t.to_json())
        return
    out = render.console()
    out.print(trail_table(t))
    if batch is not None:
        out.print(rows_table(t))


@app.command()
@friendly
def backup(
    out: Annotated[Path, typer.Argument(help="备份文件路径 (a new file; never overwritten)")],
    as_json: AsJson = False,
) -> None:
    """备份账本 (a consistent copy that opens as a ledger and verifies; read-only on the source)."""
    from ..backup import backup as make_backup
    from ..reports import render
    from ..reports.trail_render import copy_text

    copy = make_backup(db_path(), out, merge=not State.read_only)
    if as_json:
        render.print_json(copy.to_json())
    else:
        render.say(copy_text(copy))


@app.command()
@friendly
def export(
    parquet: Annotated[Optional[Path], typer.Option("--parquet", help="导出目录: 每张表一个 parquet 文件 + manifest.json")] = None,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="导出 Excel: 每张表一个工作表,另有说明与字段说明 (text stays text)")] = None,
    include_voided: Annotated[
        bool, typer.Option("--include-voided", help="同时导出已作废的行,加 voided / void_reason / void_entry 列(默认只导出未作废的行)")
    ] = False,
    as_json: AsJson = False,
    known_at: KnownAt = None,
) -> None:
    """导出账本全部表 (export every table for auditors' own tools; live rows only unless --include-voided; read-only)."""
    from ..backup import export_parquet, export_xlsx
    from ..errors import UsageError
    from ..reports import render
    from ..reports.trail_render import copy_text

    if parquet is None and xlsx is None:
        raise UsageError("请指定导出格式", "例如 `ledger export --parquet 导出目录` 或 `ledger export --xlsx 账本.xlsx`。")
    if known_at is not None and include_voided:
        raise UsageError("--known-at 与 --include-voided 不能同时使用", "按当时所知导出只含当时未作废的行;要看作废的行,请去掉 --known-at。")
    copies = []
    if parquet is not None:
        copies.append(export_parquet(db_path(), parquet, include_voided, merge=not State.read_only, known_at=known_at))
    if xlsx is not None:
        copies.append(export_xlsx(db_path(), xlsx, include_voided, merge=not State.read_only, known_at=known_at))
    if as_json:
        render.print_json({"exports": [c.to_json() for c in copies]})
    else:
        for c in copies:
            render.say(copy_text(c))
