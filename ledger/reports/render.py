"""Drawing computed results for a terminal (rich) or as JSON; the data never changes here.

Reports and import results are computed once, elsewhere, as plain data; these functions
only draw them. rich is imported inside the functions so that `--json` stays lean.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter

from ..money import fmt_wan
from ..problems import Problem, errors, warnings
from .wording import cn_date


# Characters a terminal acts on instead of showing: C0 controls except tab and line break,
# DEL and C1 controls, line/paragraph separators and the bidi controls that reorder text.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Stored text as a terminal may show it: each control character written as `\\u001b` (never acted on)."""
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def console(stderr: bool = False, width: int = 100):
    """A rich console wide enough for Chinese tables (`width` columns when not a terminal).

    Every command draws through this console, and it shows control characters in stored
    text (a contract number holding ESC or BEL, a bank name with a right-to-left override)
    escaped, before tables are laid out; see `visible`.
    """
    return _visible_console()(stderr=stderr, width=None if sys.stdout.isatty() else width, highlight=False)


def _visible_console():
    """The rich Console class whose text goes through `visible` (built on first use: rich loads lazily)."""
    global _VisibleConsole
    if _VisibleConsole is None:
        from rich.console import Console
        from rich.text import Text

        class VisibleConsole(Console):
            def render_str(self, text: str, **kwargs):
                return super().render_str(visible(text), **kwargs)

            def render(self, renderable, options=None):
                if isinstance(renderable, Text) and CONTROL.search(renderable.plain):
                    shown = Text(style=renderable.style, justify=renderable.justify, overflow=renderable.overflow, no_wrap=renderable.no_wrap, end=renderable.end)
                    for segment in renderable.render(self, end=""):
                        shown.append(visible(segment.text), segment.style)
                    renderable = shown
                return super().render(renderable, options)

        _VisibleConsole = VisibleConsole
    return _VisibleConsole


_VisibleConsole = None


def say(text: str) -> None:
    """One line of plain output (no table) holding stored text, escaped like the console's."""
    sys.stdout.write(visible(text) + "\n")


def name_column(table, header: str, **options) -> None:
    """Add a column of names (banks, carriers, enterprises) to a rich table: a name is never broken.

    At 80 columns rich narrows the columns that may wrap (notes, rules, a long product) and
    leaves names whole, rather than splitting 重庆农村商业\n银行 in the middle.
    """
    table.add_column(header, no_wrap=True, **options)


def figure_column(table, header: str, **options) -> None:
    """Add a column of figures: right-aligned, never broken (a long header goes on two lines: "放款\n笔数")."""
    table.add_column(header, justify="right", no_wrap=True, **options)


def narrow_table(title: str, **options):
    """A table that spends few columns on borders (no vertical rules), for 80-column terminals."""
    from rich import box
    from rich.table import Table

    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, **options)


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
    # json escapes U+0000–U+001F itself; DEL, C1 and bidi controls (only inside strings) get the same \\u form
    sys.stdout.write(visible(text) + "\n")


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
TABLE_WIDTH = 120  # narrower, five columns of Chinese text fold into slivers: problems go one per block


def problems_table(problems: list[Problem], title: str, several_sheets: bool = False):
    """Problems by cell: where, column, value, what is wrong, how to fix it.

    Every column folds its text onto more lines rather than cutting it with …: a hint
    the user cannot read is no hint. Cells are plain text, never rich markup (a value
    like `[Sheet1]` from a bank's file is shown as written).
    """
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, title_justify="left", show_lines=True)
    for name in ("位置", "列", "值", "问题"):
        t.add_column(name, overflow="fold")
    t.add_column("提示", style="dim", overflow="fold")
    for p in problems[:PROBLEM_LIMIT]:
        t.add_row(*(Text(text) for text in (p.located(several_sheets), p.column, p.value, p.message, p.hint)))
    if len(problems) > PROBLEM_LIMIT:
        t.caption = _beyond_limit(problems)
    return t


def problems_lines(problems: list[Problem], several_sheets: bool = False) -> list:
    """Problems as blocks of lines: where, column and value; the message; the hint.

    For a narrow terminal and for output piped to a file or another program: each text
    stays whole on its own line (the caller prints without wrapping), so it can be read
    at any width and found with grep.
    """
    from rich.text import Text

    lines = []
    for p in problems[:PROBLEM_LIMIT]:
        head = Text(p.located(several_sheets), style="bold")
        if p.column:
            head.append(f"  列: {p.column}")
        if p.value:
            head.append(f"  值: {p.value}")
        lines.append(head)
        lines.append(Text(f"  {p.message}"))
        if p.hint:
            lines.append(Text(f"  提示: {p.hint}", style="dim"))
    if len(problems) > PROBLEM_LIMIT:
        lines.append(Text(_beyond_limit(problems)))
    return lines


def _beyond_limit(problems: list[Problem]) -> str:
    return f"仅显示前 {PROBLEM_LIMIT} 条,共 {len(problems)} 条;完整清单请用 --json 或 --errors OUT.xlsx"


def print_problems(out, problems: list[Problem], title: str, several_sheets: bool = False) -> None:
    """A table on a wide terminal; otherwise (narrow, piped, redirected) blocks of unbroken lines."""
    if out.is_terminal and out.width >= TABLE_WIDTH:
        out.print(problems_table(problems, title, several_sheets))
        return
    out.print(title, soft_wrap=True)
    for line in problems_lines(problems, several_sheets):
        out.print(line, soft_wrap=True)


def by_code(problems: list[Problem]) -> str:
    """A one-line count of problems by rule code, e.g. "bad_date×3, required×1"."""
    counts = Counter(p.code for p in problems)
    return ", ".join(f"{code}×{n}" for code, n in counts.most_common())


def import_result(result, out=None) -> None:
    """Tell the user what an import did, or why it was refused."""
    from rich.markup import escape

    out = out or console()
    errs, warns = errors(result.problems), warnings(result.problems)
    several = result.several_sheets
    if errs:
        print_problems(out, errs, f"[bold red]导入被拒绝[/]: {escape(result.file)} 有 {len(errs)} 处错误({by_code(errs)}),账本未作任何改动", several)
    if warns:
        print_problems(out, warns, f"[yellow]提示[/] {len(warns)} 条({by_code(warns)})", several)
    if errs:
        return
    verb = "试导入(未写入)" if result.dry_run else "已导入"
    if result.replaced is not None:
        replaced_lines(out, result)
    for s in result.sheets:
        extra = f",{s.existing} 行已在账本中未重复导入" if s.existing else ""
        batch = f"批次 {s.batch_id}(试导入,未保留)" if result.dry_run else f"批次 {s.batch_id}"
        out.print(escape(f"{verb} {result.file} [{s.sheet}] {s.title}: {s.added} 行{extra}(表头在第 {s.header_row} 行;{batch})"))
    if result.skipped_sheets:
        out.print(f"[dim]未识别、已跳过的工作表: {escape('、'.join(result.skipped_sheets))}[/]")


def replaced_lines(out, result) -> None:
    """What `--replaces` did: the voids, then per table rows added, taken out, changed (old → new), unchanged."""
    from rich.markup import escape

    r = result.replaced
    verb = "试替换(未写入)" if result.dry_run else "已替换"
    for v in r.voids:
        entry = "" if result.dry_run else f",作废日志第 {v.seq} 条"
        out.print(escape(f"{verb} {v.target}({v.file_name} [{v.sheet}]),原因: {r.reason}{entry}"), soft_wrap=True)
    for t in r.tables:
        out.print(escape(f"{t.title}: 新增 {len(t.added)} 行,撤下 {len(t.removed)} 行,更改 {len(t.changed)} 行,未变 {t.unchanged} 行"))
        for c in t.changed:
            cells = "、".join(f"{x['column']} {x['was'] or '空'} → {x['now'] or '空'}" for x in c.cells)
            out.print(escape(f"  更改 {c.key}(第 {c.now_row} 行): {cells}"), soft_wrap=True)
        for a in t.added:
            out.print(escape(f"  新增 {a['key']}(第 {a['source_row']} 行)"), soft_wrap=True)
        for x in t.removed:
            out.print(escape(f"  撤下 {x['key']}(原表第 {x['source_row']} 行)"), soft_wrap=True)


def escaped(text: str) -> str:
    """Text from a file or the command line, shown as written (never read as rich markup)."""
    from rich.markup import escape

    return escape(text)


def import_summary(out, paths, results) -> None:
    """After several files: one line per file (file, kind, batches, rows added, refused?) and the count refused."""
    from rich.table import Table

    t = Table(title="导入汇总", title_justify="left")
    for name, justify in (("文件", "left"), ("类型", "left"), ("批次", "left"), ("新增行数", "right"), ("结果", "left")):
        t.add_column(name, justify=justify, overflow="fold")
    for path, r in zip(paths, results):
        kinds = "、".join(dict.fromkeys(s.title for s in r.sheets))
        batches = "、".join(str(b) for b in r.batches)
        state = "被拒绝" if r.refused else "试导入(未写入)" if r.dry_run else "已导入"
        t.add_row(escaped(str(path)), kinds, batches, "" if r.refused else str(r.added), state)
    out.print(t)
    refused = [p for p, r in zip(paths, results) if r.refused]
    if refused:
        out.print(f"[bold red]{len(refused)} 个文件被拒绝[/],其余 {len(results) - len(refused)} 个已各自导入;被拒绝的文件未写入任何数据。")
        for p in refused:
            out.print(escaped(f"  改正后重新导入,或生成退回银行的问题工作簿: ledger import {p} --errors 退回_{p.stem}.xlsx"), soft_wrap=True)
    else:
        out.print(f"{len(results)} 个文件均已导入。")


def import_json(result) -> dict:
    """The JSON form of an import result."""
    return {
        "file": result.file,
        "sha256": result.sha256,
        "dry_run": result.dry_run,
        "refused": result.refused,
        "batches": result.batches,
        "sheets": [s.__dict__ for s in result.sheets],
        "skipped_sheets": result.skipped_sheets,
        "problems": [p.to_dict() for p in result.problems],
        "replaced": result.replaced.to_json() if result.replaced is not None else None,
    }
