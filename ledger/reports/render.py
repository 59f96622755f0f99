"""Drawing computed results for a terminal (rich) or as JSON; the data never changes here.

Reports and import results are computed once, elsewhere, as plain data; these functions
only draw them. rich is imported inside the functions so that `--json` stays lean.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from ..money import fmt_wan
from .wording import cn_date
from ..problems import Problem, errors, warnings


def console(stderr: bool = False):
    """A rich console wide enough for Chinese tables (80 columns when not a terminal)."""
    from rich.console import Console

    return Console(stderr=stderr, width=None if sys.stdout.isatty() else 100, highlight=False)


PRETTY_JSON_LIMIT = 1 << 20


def print_json(obj) -> None:
    """One JSON object on stdout and nothing else (Chinese kept readable).

    Indented for reading, unless the text runs past a megabyte (an audit of thousands of
    payments): Python indents only with its pure-Python encoder, ten times slower than the
    compact one, so a large object is written compact.
    """
    text = json.dumps(obj, ensure_ascii=False)
    if len(text) < PRETTY_JSON_LIMIT:
        text = json.dumps(obj, ensure_ascii=False, indent=2)
    sys.stdout.write(text + "\n")


def summary_table(s):
    """The summary as a rich table in 万元."""
    from rich.table import Table

    t = Table(title=f"知识价值信用贷款汇总(截至 {cn_date(s.as_of)},金额单位:万元)", title_justify="left")
    t.add_column("项目")
    t.add_column("企业数", justify="right")
    t.add_column("笔数", justify="right")
    t.add_column("金额(万元)", justify="right")
    t.add_column("说明")
    a, lo, g = s.applications, s.loans, s.guided
    t.add_row("申报", str(a.enterprises), str(a.count), fmt_wan(a.amount), "")
    t.add_row("知识价值信用贷款放款", str(lo.enterprises), str(lo.count), fmt_wan(lo.amount), f"{lo.banks}家合作银行")
    t.add_row("引导其他商业贷款", str(g.enterprises), "", fmt_wan(g.amount), "同批企业获得的其他贷款产品")
    return t


PROBLEM_LIMIT = 200


def problems_table(problems: list[Problem], title: str):
    """Problems by cell: where, column, value, what is wrong, how to fix it."""
    from rich.table import Table

    t = Table(title=title, title_justify="left", show_lines=False)
    t.add_column("位置", no_wrap=True)
    t.add_column("列")
    t.add_column("值")
    t.add_column("问题", overflow="fold")
    t.add_column("提示", style="dim")
    for p in problems[:PROBLEM_LIMIT]:
        t.add_row(p.where, p.column, p.value, p.message, p.hint)
    if len(problems) > PROBLEM_LIMIT:
        t.caption = f"仅显示前 {PROBLEM_LIMIT} 条,共 {len(problems)} 条;完整清单请用 --json 或 --errors OUT.xlsx"
    return t


def by_code(problems: list[Problem]) -> str:
    """A one-line count of problems by rule code, e.g. "bad_date×3, required×1"."""
    counts = Counter(p.code for p in problems)
    return ", ".join(f"{code}×{n}" for code, n in counts.most_common())


def import_result(result, out=None) -> None:
    """Tell the user what an import did, or why it was refused."""
    out = out or console()
    errs, warns = errors(result.problems), warnings(result.problems)
    if errs:
        out.print(problems_table(errs, f"[bold red]导入被拒绝[/]: {result.file} 有 {len(errs)} 处错误({by_code(errs)}),账本未作任何改动"))
    if warns:
        out.print(problems_table(warns, f"[yellow]提示[/] {len(warns)} 条({by_code(warns)})"))
    if errs:
        return
    verb = "试导入(未写入)" if result.dry_run else "已导入"
    for s in result.sheets:
        extra = f",{s.existing} 行已在账本中未重复导入" if s.existing else ""
        out.print(f"{verb} {result.file} [{s.sheet}] {s.title}: {s.added} 行{extra}(表头在第 {s.header_row} 行)")
    if result.skipped_sheets:
        out.print(f"[dim]未识别、已跳过的工作表: {'、'.join(result.skipped_sheets)}[/]")


def import_json(result) -> dict:
    """The JSON form of an import result."""
    return {
        "file": result.file,
        "sha256": result.sha256,
        "dry_run": result.dry_run,
        "refused": result.refused,
        "sheets": [s.__dict__ for s in result.sheets],
        "skipped_sheets": result.skipped_sheets,
        "problems": [p.to_dict() for p in result.problems],
    }
