"""Commands of the monthly meeting pack: `report summary` (periods, breakdowns, workbook),
`report brief` and `report targets`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import UsageError, os_words
from ..reports.gaps import with_notes
from . import KnownAt, friendly, open_reader, parse_day, report_app, with_basis

BY_CHOICES = ("bank", "district", "grade", "month")
BY_ALIASES = {"银行": "bank", "区县": "district", "等级": "grade", "评价等级": "grade", "月份": "month", "月": "month"}
UNIT_ALIASES = {"auto": "auto", "wan": "万元", "万元": "万元", "万": "万元", "yi": "亿元", "亿元": "亿元", "亿": "亿元"}

PolicyOption = Annotated[
    Optional[Path], typer.Option("--policy", help="政策文件 (policy TOML); 默认 $LEDGER_POLICY 或内置默认政策")
]


def resolve_period(
    as_of: str | None, since: str | None, to: str | None, month: str | None, today: dt.date | None = None
) -> tuple[dt.date | None, dt.date]:
    """The (start, end) the options ask for; start is None for cumulative figures to `end`.

    --month names a calendar month (cut at --as-of when that falls inside it, for month-to-
    date figures); --from/--to a period; --as-of or --to alone a cumulative cut-off date.
    """
    from ..reports.summary import month_bounds

    today = today or dt.date.today()
    day = parse_day(as_of)
    end_opt = parse_day(to)
    if day and end_opt and day != end_opt:
        raise UsageError("--as-of 与 --to 的日期不一致", "期间截止日期只需给出其一。")
    if month:
        if since or to:
            raise UsageError("--month 不能与 --from/--to 同时使用", "按月统计用 --month 2021-10;任意期间用 --from/--to。")
        try:
            start, end = month_bounds(month)
        except ValueError:
            raise UsageError(f"无法识别的月份: {month}", "月份请写作 2021-10。") from None
        if day:
            if day < start:
                raise UsageError(f"--as-of {day:%Y-%m-%d} 早于所选月份 {month}", "截至日期应在该月之内或之后。")
            end = min(end, day)
        return start, end
    end = end_opt or day or today
    if since:
        start = parse_day(since)
        if start > end:
            raise UsageError(f"期间起始日期 {start:%Y-%m-%d} 晚于截止日期 {end:%Y-%m-%d}", "请检查 --from 与 --to。")
        return start, end
    return None, end


def _by(values: list[str] | None) -> list[str]:
    out = []
    for v in values or []:
        for part in v.split(","):
            key = BY_ALIASES.get(part.strip(), part.strip())
            if key not in BY_CHOICES:
                raise UsageError(f"不支持的分组: {part}", f"--by 可选 {', '.join(BY_CHOICES)}(银行、区县、评价等级、月份)。")
            if key not in out:
                out.append(key)
    return out


def _unit(text: str) -> str:
    unit = UNIT_ALIASES.get(text.strip().lower())
    if unit is None:
        raise UsageError(f"不支持的金额单位: {text}", "--unit 可选 auto(1亿元以上用亿元)、万元、亿元。")
    return unit


@report_app.command("summary")
@friendly
def report_summary(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="截至日期,默认今天 (cut-off date)")] = None,
    since: Annotated[Optional[str], typer.Option("--from", help="期间起始日期 (period start)")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="期间截止日期 (period end)")] = None,
    month: Annotated[Optional[str], typer.Option("--month", help="统计月份,如 2021-10 (one calendar month)")] = None,
    by: Annotated[
        Optional[list[str]], typer.Option("--by", help="分组: bank|district|grade|month,可重复 (breakdowns)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 (金额为元)")] = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="写出会议材料工作簿 (meeting workbook .xlsx)")] = None,
    unit: Annotated[str, typer.Option("--unit", help="工作簿封面简述的金额单位: auto|万元|亿元")] = "auto",
    policy_file: PolicyOption = None,
    known_at: KnownAt = None,
) -> None:
    """知识价值信用贷款汇总:累计、本期与上年同期对比、分组 (programme summary, periods, breakdowns, workbook)."""
    from ..reports.closes import prior_adjustments
    from ..reports.gaps import missing_facts
    from ..reports.summary import breakdown, period_summary, summary

    start, end = resolve_period(as_of, since, to, month)
    groups = _by(by)
    words = _unit(unit)
    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        raise UsageError(f"工作簿文件名应以 .xlsx 结尾: {xlsx}", "例如 --xlsx 2021年10月会议材料.xlsx")
    with open_reader(known_at) as store:
        basis = store.basis(end)
        adjusted = prior_adjustments(store.con, end, store.known)
        if start is None:
            current = summary(store.con, end)
            period = None
        else:
            period = period_summary(store.con, start, end)
            current = period.period
        parts = {g: breakdown(store.con, g, end, start or dt.date.min) for g in groups}
        notes = missing_facts(store.con, ("applications", "loans"), end, start)
        written = None
        if xlsx is not None:
            from ..policy import load_policy
            from ..reports.workbook import meeting_pack, write_workbook

            pack = meeting_pack(store.con, load_policy(policy_file), end, start, words, basis.words())
            try:
                written = write_workbook(pack, xlsx)
            except OSError as exc:
                raise UsageError(
                    f"无法写出工作簿 {xlsx}: {os_words(exc)}", "请检查路径与权限;若该文件正在 Excel/WPS 中打开,请先关闭。", detail=str(exc)
                ) from None
    if as_json:
        from ..reports.render import print_json

        obj = period.to_json() if period else current.to_json()
        if parts:
            obj["breakdowns"] = {g: b.to_json() for g, b in parts.items()}
        if adjusted is not None:
            obj["prior_period_adjustments"] = adjusted.to_json()
        print_json(with_basis(with_notes(obj, notes), basis))
    else:
        from ..reports import summary_render as R
        from ..reports.gaps import print_notes
        from ..reports.wording import cn_date, period_words

        out = R.console()
        out.print(R.period_table(period) if period else R.cumulative_table(current))
        label = period_words(start, end) if start else f"截至{cn_date(end)}累计"
        for b in parts.values():
            out.print(R.breakdown_table(b, label))
        print_notes(out, notes)
        if adjusted is not None:
            from ..reports.closes_render import adjustments_lines

            for line in adjustments_lines(adjusted):
                out.print(line, soft_wrap=True)
        out.print(basis.words(), soft_wrap=True)
    if written is not None:
        message = f"已写出会议材料: {xlsx}(工作表: {'、'.join(written)})\n"
        (sys.stderr if as_json else sys.stdout).write(message)


@report_app.command("brief")
@friendly
def report_brief(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="截至日期,默认今天 (cut-off date)")] = None,
    unit: Annotated[str, typer.Option("--unit", help="金额单位: auto(1亿元以上用亿元)|万元|亿元")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出段落与数字 (金额为元)")] = False,
    policy_file: PolicyOption = None,
    known_at: KnownAt = None,
) -> None:
    """公文口径的情况简述 (the official paragraph(s) for replies and meeting papers)."""
    from ..policy import load_policy
    from ..reports.brief import brief
    from ..reports.gaps import missing_facts, print_notes

    day = parse_day(as_of, dt.date.today())
    words = _unit(unit)
    with open_reader(known_at) as store:
        b = brief(store.con, day, load_policy(policy_file), words)
        notes = missing_facts(store.con, ("applications", "loans"), day)
        basis = store.basis(day)
    if as_json:
        from ..reports.render import print_json

        print_json(with_basis(with_notes(b.to_json(), notes), basis))
        return
    from ..reports import summary_render as R

    if sys.stdout.isatty():
        out = R.console()
        out.print(R.brief_renderable(b))
        print_notes(out, notes)
        out.print(basis.words(), soft_wrap=True)
    else:
        from ..reports.render import say

        say("\n\n".join(b.paragraphs))  # unwrapped, to paste into a document; the notes go beside it
        say(f"\n{basis.words()}")
        print_notes(R.console(stderr=True), notes)


@report_app.command("targets")
@friendly
def report_targets(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="截至日期,默认今天 (cut-off date)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
    policy_file: PolicyOption = None,
    known_at: KnownAt = None,
) -> None:
    """“双倍增”目标进度:企业名录对照政策文件中的目标 (registry against the district's targets)."""
    from ..policy import load_policy
    from ..reports.gaps import missing_facts, missing_section, print_notes
    from ..reports.targets import registry_progress

    day = parse_day(as_of, dt.date.today())
    policy = load_policy(policy_file, ("targets",))
    with open_reader(known_at) as store:
        progress = registry_progress(store.con, policy, day)
        notes = missing_section(policy, "targets", day) + missing_facts(store.con, ("enterprises",), day)
        basis = store.basis(day)
    if as_json:
        from ..reports.render import print_json

        print_json(with_basis(with_notes(progress.to_json(), notes), basis))
    else:
        from ..reports import summary_render as R

        out = R.console()
        out.print(R.targets_table(progress))
        print_notes(out, notes)
        out.print(basis.words(), soft_wrap=True)
