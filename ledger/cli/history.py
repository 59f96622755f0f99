"""Commands of the ledger over time: `close`, `closes` and `report changes`.

`close` writes (one journal entry); `closes` and `report changes` open the ledger read-only.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import KnownAt, app, committing, friendly, open_reader, open_store, parse_day, report_app
from .fund import AsJson


@app.command()
@friendly
def close(
    period: Annotated[str, typer.Argument(help="结账期间(月),如 2021-10")],
    note: Annotated[str, typer.Option("--note", help="结账说明,如 \"10月联席会议\"")] = "",
    as_json: AsJson = False,
) -> None:
    """期末结账 (close a month: record its headline figures, their digest and the journal head)."""
    from ..closing import close as close_period
    from ..reports import render

    with committing() as unmerged:
        with open_store() as store:
            done = close_period(store, period, note)
    c = done.close
    if as_json:
        render.print_json(c.to_json())
        unmerged.raise_if_any()
        return
    from ..reports.closes_render import figure_text
    from ..reports.headline import MONEY, figure_value

    lent = figure_text(MONEY, figure_value(MONEY, c.figures.get("loans.amount")))
    typer.echo(
        f"已结账 {c.period}(截至 {c.end:%Y-%m-%d}),记入日志第 {c.seq} 条;知识价值信用贷款放款 {lent} 万元;"
        f"指标摘要 {c.digest[:12]};依据账本第 {c.head_entry} 条日志,哈希 {c.head_hash[:12]}\n"
        f"复现: ledger report summary --as-of {c.end:%Y-%m-%d} --known-at {c.head_entry} --json"
    )
    unmerged.raise_if_any()


@app.command("closes")
@friendly
def closes_(as_json: AsJson = False) -> None:
    """结账记录 (the closes: period, figures recorded, the journal head they rest on, later adjustments)."""
    from .. import journal
    from ..reports import render
    from ..reports.closes import adjustments, closes

    with open_reader() as store:
        head = journal.last(store.con)[0]
        found = [(c, len(adjustments(store.con, c, head).entries)) for c in closes(store.con)]
    if as_json:
        render.print_json({"closes": [{**c.to_json(), "adjustments": n} for c, n in found], "journal_head": head})
        return
    from ..reports.closes_render import closes_table

    render.console().print(closes_table(found))


@report_app.command("changes")
@friendly
def report_changes(
    since: Annotated[str, typer.Option("--since", help="比较起点: 已结账期间 (2021-10) 或日志序号 (12)")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="业务截至日期;默认为结账期末,或今天")] = None,
    as_json: AsJson = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="写出情况说明工作簿 (.xlsx)")] = None,
    known_at: KnownAt = None,
) -> None:
    """差异说明: 指标当时与现在的数值、差额,及造成差异的导入与作废逐行列出 (what changed since a close or an entry)."""
    from ..errors import UsageError
    from ..reports.changes import changes

    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        raise UsageError(f"工作簿文件名应以 .xlsx 结尾: {xlsx}", "例如 --xlsx 10月数据更正情况说明.xlsx")
    day = parse_day(as_of)
    with open_reader(known_at) as store:
        c = changes(store.con, since, day, store.known, today=dt.date.today())
    written = None
    if xlsx is not None:
        from ..reports.changes_render import write_changes_xlsx

        try:
            written = write_changes_xlsx(c, xlsx)
        except OSError as exc:
            raise UsageError(f"无法写出工作簿 {xlsx}: {exc.strerror or exc}", "请检查路径与权限;若该文件正在 Excel/WPS 中打开,请先关闭。") from None
    if as_json:
        from ..reports.render import print_json

        print_json(c.to_json())
    else:
        from ..reports import render
        from ..reports.changes_render import print_changes

        print_changes(c, render.console())
    if written is not None:
        (sys.stderr if as_json else sys.stdout).write(f"已写出情况说明: {xlsx}(工作表: {'、'.join(written)})\n")
