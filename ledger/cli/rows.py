"""`ledger rows KIND`: the rows behind a figure, with their source (parse, call reports.rows, render)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import UsageError
from . import KnownAt, app, friendly, open_reader


def period(month: str | None, since: str | None, to: str | None, as_of: str | None):
    """(start, end) as `report summary` reads --month, --from/--to and --as-of; (None, None) when none is given."""
    from .meeting import resolve_period

    if month is None and since is None and to is None and as_of is None:
        return None, None
    return resolve_period(as_of, since, to, month)


@app.command("rows")
@friendly
def rows_(
    kind: Annotated[str, typer.Argument(help="loans|applications|repayments|claims|recoveries|contributions|subsidies|carriers|enterprises(或中文表名,如 放款明细)")],
    bank: Annotated[Optional[str], typer.Option("--bank", help="银行(放款为贷款银行,申报为意向银行;还款、补偿、回收按其贷款)")] = None,
    month: Annotated[Optional[str], typer.Option("--month", help="月份,如 2021-10")] = None,
    since: Annotated[Optional[str], typer.Option("--from", help="期间起始日期")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="期间截止日期")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="截至日期(同 --to,累计数)")] = None,
    district: Annotated[Optional[str], typer.Option("--district", help="所属区县(按企业名录;未登记企业)")] = None,
    grade: Annotated[Optional[str], typer.Option("--grade", help="评价等级 A–E 或 未评级")] = None,
    programme: Annotated[bool, typer.Option("--programme", help="只列知识价值信用贷款")] = False,
    other: Annotated[bool, typer.Option("--other", help="只列引导的其他商业贷款")] = False,
    enterprise: Annotated[Optional[str], typer.Option("--enterprise", help="企业统一社会信用代码")] = None,
    batch: Annotated[Optional[int], typer.Option("--batch", help="只列此导入批次的行")] = None,
    include_voided: Annotated[bool, typer.Option("--include-voided", help="同时列出已作废的行(注明作废原因与日志;合计不含)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 (金额为元)")] = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="写出工作簿 (.xlsx, 金额为元, 含合计与字段说明)")] = None,
    csv_out: Annotated[Optional[str], typer.Option("--csv", help="写出 CSV (金额为元);写 - 输出到屏幕")] = None,
    known_at: KnownAt = None,
) -> None:
    """列出构成某个数字的明细行及其来源 (the rows behind a figure: business fields, file, sheet, row, sha256, batch)."""
    from ..reports.rows import Filters, rows
    from ..reports.rows_render import json_text, text, total_text, write_csv, write_xlsx

    if known_at is not None and include_voided:
        raise UsageError("--known-at 与 --include-voided 不能同时使用", "按当时所知列出的只是当时未作废的行;要看作废的行,请去掉 --known-at。")
    if programme and other:
        raise UsageError("--programme 与 --other 不能同时使用", "知识价值信用贷款用 --programme,引导的其他商业贷款用 --other;都不写则全部列出。")
    if xlsx is not None:
        if xlsx.suffix.lower() != ".xlsx":
            raise UsageError(f"工作簿文件名应以 .xlsx 结尾: {xlsx}", "例如 --xlsx 重庆银行10月放款.xlsx")
        if xlsx.exists():
            raise UsageError(f"文件已存在: {xlsx}", "为免覆盖已有文件,请指定一个新的文件名。")
    csv_path = None if csv_out in (None, "-") else Path(csv_out)
    if csv_path is not None and csv_path.exists():
        raise UsageError(f"文件已存在: {csv_path}", "为免覆盖已有文件,请指定一个新的文件名。")
    start, end = period(month, since, to, as_of)
    filters = Filters(
        bank=bank, start=start, end=end, district=district, grade=grade,
        programme=True if programme else False if other else None,
        enterprise=enterprise, batch=batch, include_voided=include_voided,
    )
    with open_reader(known_at) as store:
        con = store.con
        found = rows(con, kind, filters)
        try:
            if xlsx is not None:
                write_xlsx(con, found, xlsx)
            if csv_path is not None:
                write_csv(con, found, csv_path)
        except OSError as exc:
            raise UsageError(f"无法写出文件: {exc.filename}: {exc.strerror}", "请检查路径是否可写,以及文件是否正被 Excel/WPS 打开。") from None
        if csv_out == "-":
            write_csv(con, found, None)
        elif as_json:
            sys.stdout.write(json_text(con, found))
        elif xlsx is not None or csv_path is not None:
            written = "、".join(str(p) for p in (xlsx, csv_path) if p is not None)
            typer.echo(f"已写出 {found.title}明细 {found.count + found.voided} 行: {written}")
            typer.echo(total_text(found))
        else:
            sys.stdout.write(text(con, found))
