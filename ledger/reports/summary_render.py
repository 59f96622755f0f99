"""Drawing the meeting figures for a terminal: summary, period comparison, breakdowns, targets, brief.

Every table keeps to 80 columns: few columns, short headers, 万元 without a unit per cell
(the title says 金额单位:万元). rich is imported inside the functions so `--json` stays lean.
"""

from __future__ import annotations


from ..money import fmt_wan
from .wording import cn_date, percent_words, period_words, signed_percent

WIDTH = 80


def console(stderr: bool = False):
    """A console at the terminal's width, or 80 columns when the output is not a terminal (control characters escaped)."""
    from .render import console as visible_console

    return visible_console(stderr=stderr, width=WIDTH)


def _table(title: str):
    """A plain table at least as wide as its title (so the title is not folded), at most 80 columns."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, min_width=min(cell_len(title), WIDTH))


def _value(value, is_money: bool) -> str:
    return fmt_wan(value) if is_money else f"{value:,}"


def cumulative_table(s):
    """Cumulative figures to a date, in 万元."""
    from .summary import FIGURES, figure

    t = _table(f"知识价值信用贷款汇总(截至{cn_date(s.as_of)},金额单位:万元)")
    t.add_column("项目")
    t.add_column("累计", justify="right")
    for group, name, label, money in FIGURES:
        t.add_row(label, _value(figure(s, group, name), money))
    return t


def period_table(p):
    """The period beside the same period a year before, the change, and the cumulative figures."""
    from .summary import FIGURES, figure

    t = _table(f"知识价值信用贷款汇总 {period_words(p.start, p.end)}(金额单位:万元)")
    t.caption = f"上年同期: {period_words(p.year_before_start, p.year_before.as_of)};累计截至{cn_date(p.end)}"
    t.caption_justify = "left"
    t.add_column("项目")
    t.add_column("本期", justify="right")
    t.add_column("上年同期", justify="right")
    t.add_column("同比", justify="right")
    t.add_column("累计", justify="right")
    changes = p.changes()
    for group, name, label, money in FIGURES:
        t.add_row(
            label,
            _value(figure(p.period, group, name), money),
            _value(figure(p.year_before, group, name), money),
            signed_percent(changes[(group, name)].share),
            _value(figure(p.cumulative, group, name), money),
        )
    return t


def breakdown_table(b, period_label: str):
    """One breakdown (by bank, district, grade or month) in 万元, with the period's totals last."""
    from .render import figure_column, name_column

    t = _table(f"按{b.label}({period_label},金额单位:万元)")
    name_column(t, b.label)
    for header in ("申报\n(家)", "申报\n金额", "获贷\n(家)", "放款\n笔数", "放款\n金额", "引导\n其他"):
        figure_column(t, header)
    for r in b.rows:
        t.add_row(
            r.key,
            f"{r.applications.enterprises:,}",
            fmt_wan(r.applications.amount),
            f"{r.loans.enterprises:,}",
            f"{r.loans.count:,}",
            fmt_wan(r.loans.amount),
            fmt_wan(r.guided.amount),
        )
    if not b.rows:
        t.caption = "本期无申报或放款记录"
    return t


def targets_table(p):
    """The registry's counts against each 双倍增 milestone."""
    who = p.district or "企业名录"
    t = _table(f"“双倍增”目标进度({who},截至{cn_date(p.as_of)})")
    if p.effective_from is not None:
        from ..policy import origin

        t.caption = f"依据: {origin(p.source, p.source_district)}"
        t.caption_justify = "left"
    t.add_column("指标")
    t.add_column("现有(家)", justify="right")
    for year in p.years:
        t.add_column(f"{year}年目标", justify="right")
        t.add_column("完成率", justify="right")
    for measure, label in (("hnte", "高新技术企业"), ("tech_sme", "科技型企业")):
        cells = [label, f"{p.hnte if measure == 'hnte' else p.tech_sme:,}"]
        for year in p.years:
            g = p.goal(measure, year)
            cells += [f"{g.target:,}", percent_words(g.share)] if g else ["—", "—"]
        t.add_row(*cells)
    return t


def brief_renderable(b):
    """The brief's paragraphs as rich text, wrapped to the console, a blank line between them."""
    from rich.text import Text

    return Text("\n\n".join(b.paragraphs))
