"""The monthly meeting workbook (`ledger report summary --xlsx OUT`), written with openpyxl.

A cover sheet with the brief and the headline figures; one sheet per breakdown (bank,
district, grade, month) and one for the 双倍增 targets, each in 万元 number formats with
frozen headers, fitted column widths and a print area on A4 landscape; native Excel charts
(monthly lending trend, lending by bank, registry against targets). The workbook holds
values only: no formula cells at all, and any text that a spreadsheet could take for a
formula (= + - @ …) is stored as a string with a quote prefix, so names from imported
sheets can never become formulas.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from ..money import WAN, yuan
from ..policy import Policy, origin
from .brief import Brief, brief
from .summary import (
    FIGURES,
    Breakdown,
    PeriodSummary,
    Summary,
    breakdown,
    figure,
    period_summary,
    summary,
)
from .targets import TargetProgress, target_progress
from .wording import AUTO, cn_date, period_words

MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
SHARE_FORMAT = "0.0%"
NOTHING = "—"  # a figure that does not exist (a change against zero, a missing milestone)
SHEETS = {"bank": "按银行", "district": "按区县", "grade": "按评价等级", "month": "按月份"}
CHART_CM = (24.0, 9.0)  # width, height
FONT = "Calibri"  # openpyxl's default; a bold Font without a name would fall back to a serif face
PAGE_ROWS = 14  # a table longer than this prints on its own page, its chart on the next


@dataclass(frozen=True)
class MeetingPack:
    """Everything the meeting workbook shows, computed once from the store."""

    as_of: dt.date
    start: dt.date | None
    current: Summary  # the period's figures, or the cumulative ones when there is no period
    period: PeriodSummary | None
    breakdowns: dict[str, Breakdown]
    targets: TargetProgress | None
    brief: Brief
    sources: tuple[str, ...] = ()  # the policy in force: one line per section, naming its source district
    basis: str = ""  # `known_at.Basis.words()`: the business date, journal entry and hash the figures rest on

    @property
    def label(self) -> str:
        """The period in words ("2021年10月"), or "截至…累计" for cumulative figures."""
        if self.start is None:
            return f"截至{cn_date(self.as_of)}累计"
        return period_words(self.start, self.as_of)


def meeting_pack(
    con: duckdb.DuckDBPyConnection, policy: Policy, as_of: dt.date, start: dt.date | None = None, unit: str = AUTO, basis: str = ""
) -> MeetingPack:
    """The figures of the meeting: for a period (start given) or cumulative to `as_of`, with the basis they rest on."""
    period = period_summary(con, start, as_of) if start else None
    since = start or dt.date.min
    return MeetingPack(
        as_of=as_of,
        start=start,
        current=period.period if period else summary(con, as_of),
        period=period,
        breakdowns={by: breakdown(con, by, as_of, since) for by in SHEETS},
        targets=target_progress(con, policy, as_of),
        brief=brief(con, as_of, policy, unit),
        sources=policy_sources(policy, as_of),
        basis=basis,
    )


def policy_sources(policy: Policy, as_of: dt.date) -> tuple[str, ...]:
    """Where each policy section in force on `as_of` comes from: `[[incubator]] 江北区: …(2020-01-01起)`.

    A district's policy file may borrow sections from other districts' documents (the
    default takes its incubator figures from 江北区, its targets from 黔江区): the meeting
    pack says so beside its figures.
    """
    lines = [f"政策文件: {policy.name}"]
    for section in policy.sections:
        v = policy.in_force(section, as_of)
        if v is not None:
            lines.append(f"[[{section}]] {v.origin}({v.since})")
    return tuple(lines)


# ---------------------------------------------------------------- cells

def wan(amount) -> Decimal:
    """元 as an exact 万元 number for a cell (the sheet's number format shows two decimals)."""
    return (yuan(amount) / WAN).quantize(Decimal("0.000001"))


def text_width(text: str) -> int:
    """Display width in Excel character units: a CJK character is two."""
    from rich.cells import cell_len

    return cell_len(text)


class Sheet:
    """A worksheet being written: values only, widths fitted to what was written."""

    def __init__(self, ws):
        self.ws = ws
        self.widths: dict[int, int] = {}

    def put(self, row: int, col: int, value, fmt: str | None = None, bold: bool = False, fit: bool = True):
        """Write one value; text that looks like a formula or an error code stays text."""
        from openpyxl.styles import Alignment, Font

        from ..xlsx_safe import put

        cell = put(self.ws, row, col, value)
        if fmt:
            cell.number_format = fmt
        if value == NOTHING:
            cell.alignment = Alignment(horizontal="right")
        if bold:
            cell.font = Font(name=FONT, bold=True)
        if fit:
            self.widths[col] = max(self.widths.get(col, 0), text_width(self._shown(value, fmt)))
        return cell

    @staticmethod
    def _shown(value, fmt: str | None) -> str:
        if value is None:
            return ""
        if fmt == MONEY_FORMAT:
            return f"{value:,.2f}"
        if fmt == COUNT_FORMAT:
            return f"{value:,}"
        if fmt == SHARE_FORMAT:
            return f"{value * 100:.1f}%"
        return str(value)

    def fit_columns(self, minimum: int = 8, maximum: int = 60) -> None:
        """Column widths from the widest value written in each column."""
        from openpyxl.utils import get_column_letter

        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, minimum), maximum)

    def column_px(self, col: int) -> int:
        """A column's width in screen pixels, as Excel converts character widths."""
        from openpyxl.utils import get_column_letter

        width = self.ws.column_dimensions[get_column_letter(col)].width or 8.43
        return int(width * 7 + 5)

    def print_setup(self, last_row: int, last_col: int, title_rows: str | None = None) -> None:
        """A4 landscape, one page wide, over the given area (charts included)."""
        from openpyxl.utils import get_column_letter

        from ..xlsx_print import printable

        ws = self.ws
        ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
        printable(ws, header_rows=0)
        if title_rows:
            ws.print_title_rows = title_rows

    def chart_extent(self, anchor_row: int, first_col: int = 1, width_cm: float = CHART_CM[0]) -> tuple[int, int]:
        """The last row and column a chart anchored at (anchor_row, first_col) covers."""
        width_px = width_cm / 2.54 * 96
        col, acc = first_col, 0
        while acc < width_px:
            acc += self.column_px(col)
            col += 1
        rows = math.ceil(CHART_CM[1] / 2.54 * 72 / 15)  # default rows are 15pt high
        return anchor_row + rows, col - 1


def _chart_style(chart, number_format: str) -> None:
    """Size, visible axes (newer Excel hides axes openpyxl leaves unset), plain lines, whole numbers."""
    chart.width, chart.height = CHART_CM
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False
    chart.y_axis.number_format = number_format
    if chart.legend is not None:
        chart.legend.position = "b"
    for series in chart.series:
        series.smooth = False


def _place_chart(sheet: "Sheet", chart, table_end: int) -> tuple[int, int]:
    """Anchor a chart two rows under a table; a long table gets a page break so the chart prints whole."""
    from openpyxl.worksheet.pagebreak import Break

    anchor = table_end + 2
    if table_end > PAGE_ROWS:
        sheet.ws.row_breaks.append(Break(id=table_end))
    sheet.ws.add_chart(chart, f"A{anchor}")
    return sheet.chart_extent(anchor)


# ---------------------------------------------------------------- sheets

def _cover(wb, pack: MeetingPack) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.active
    ws.title = "封面"
    sh = Sheet(ws)
    widths = [22, 14, 14, 12, 14]
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    last_col = len(widths)
    title = sh.put(1, 1, "知识价值信用贷款月度会议材料", fit=False)
    title.font = Font(name=FONT, bold=True, size=16)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    sh.put(2, 1, f"{pack.label} · 数据截至{cn_date(pack.as_of)}", fit=False)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)
    sh.put(4, 1, "情况简述", bold=True, fit=False)
    row = 5
    span = sum(widths)
    for paragraph in pack.brief.paragraphs:
        cell = sh.put(row, 1, paragraph, fit=False)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
        lines = math.ceil(text_width(paragraph) * 1.1 / span) or 1
        ws.row_dimensions[row].height = 16 * lines + 4
        row += 1
    row += 1
    sh.put(row, 1, "主要指标(金额单位:万元)", bold=True, fit=False)
    row += 1
    p = pack.period
    heads = ["项目", "本期", "上年同期", "同比", "累计"] if p else ["项目", "累计"]
    for col, head in enumerate(heads, 1):
        sh.put(row, col, head, bold=True, fit=False)
    changes = p.changes() if p else {}
    for group, name, label, money in FIGURES:
        row += 1
        fmt = MONEY_FORMAT if money else COUNT_FORMAT
        show = (lambda v: wan(v)) if money else (lambda v: v)
        sh.put(row, 1, label, fit=False)
        if p:
            share = changes[(group, name)].share
            sh.put(row, 2, show(figure(p.period, group, name)), fmt, fit=False)
            sh.put(row, 3, show(figure(p.year_before, group, name)), fmt, fit=False)
            sh.put(row, 4, share.quantize(Decimal("0.0001")) if share is not None else NOTHING, SHARE_FORMAT if share is not None else None, fit=False)
            sh.put(row, 5, show(figure(p.cumulative, group, name)), fmt, fit=False)
        else:
            sh.put(row, 2, show(figure(pack.current, group, name)), fmt, fit=False)
    row += 2
    sh.put(row, 1, "数据口径", bold=True, fit=False)
    note = "金额单位:万元。数据来源:ledger 台账(各合作银行报送的申报、放款明细逐行汇总,已作废的批次不计)。"
    if p:
        note += f"上年同期为{period_words(p.year_before_start, p.year_before.as_of)}。"
    if pack.basis:
        note += pack.basis + "。"
    for text in (note, *pack.sources):
        row += 1
        cell = sh.put(row, 1, text, fit=False)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
        ws.row_dimensions[row].height = 16 * (math.ceil(text_width(text) * 1.1 / span) or 1) + 4
    sh.print_setup(row, last_col)


BREAKDOWN_HEADS = [
    ("申报企业(家)", COUNT_FORMAT),
    ("申报笔数", COUNT_FORMAT),
    ("申报金额(万元)", MONEY_FORMAT),
    ("获贷企业(家)", COUNT_FORMAT),
    ("放款笔数", COUNT_FORMAT),
    ("放款金额(万元)", MONEY_FORMAT),
    ("获其他贷款企业(家)", COUNT_FORMAT),
    ("引导其他贷款(万元)", MONEY_FORMAT),
]


def _row_values(applications, loans, guided) -> list:
    return [
        applications.enterprises,
        applications.count,
        wan(applications.amount),
        loans.enterprises,
        loans.count,
        wan(loans.amount),
        guided.enterprises,
        wan(guided.amount),
    ]


def _breakdown_sheet(wb, pack: MeetingPack, by: str) -> None:
    from openpyxl.chart import BarChart, LineChart, Reference

    b = pack.breakdowns[by]
    ws = wb.create_sheet(SHEETS[by])
    sh = Sheet(ws)
    months = by == "month"
    sh.put(1, 1, f"按{b.label}分组 · {pack.label}(金额单位:万元)", bold=True, fit=False)
    heads = [(b.label, None)] + BREAKDOWN_HEADS + ([("累计放款(万元)", MONEY_FORMAT)] if months else [])
    for col, (head, _fmt) in enumerate(heads, 1):
        sh.put(2, col, head, bold=True)
    row = 2
    for r in b.rows:
        row += 1
        values = [r.key] + _row_values(r.applications, r.loans, r.guided) + ([wan(r.cumulative_loans)] if months else [])
        for col, (value, (_head, fmt)) in enumerate(zip(values, heads), 1):
            sh.put(row, col, value, fmt)
    last_data = row
    row += 1
    c = pack.current
    total = ["合计"] + _row_values(c.applications, c.loans, c.guided)
    for col, (value, (_head, fmt)) in enumerate(zip(total, heads), 1):
        sh.put(row, col, value, fmt, bold=True)
    if months and b.rows:
        sh.put(row, len(heads), wan(b.rows[-1].cumulative_loans), MONEY_FORMAT, bold=True)
    sh.fit_columns()
    ws.freeze_panes = "B3"
    last_row, last_col = row, len(heads)
    if b.rows:
        if months:
            chart = LineChart()
            chart.title = "月度放款趋势(万元)"
            chart.y_axis.title = "万元"
            for col in (7, 9):  # 放款金额, 引导其他贷款
                chart.add_data(Reference(ws, min_col=col, min_row=2, max_row=last_data), titles_from_data=True)
        else:
            chart = BarChart()
            chart.type = "col"
            chart.title = f"各{b.label}知识价值信用贷款放款(万元)"
            chart.y_axis.title = "万元"
            chart.add_data(Reference(ws, min_col=7, min_row=2, max_row=last_data), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=last_data))
        _chart_style(chart, "#,##0")
        chart_row, chart_col = _place_chart(sh, chart, row)
        last_row, last_col = max(last_row, chart_row), max(last_col, chart_col)
    sh.print_setup(last_row, last_col, "1:2")


def _targets_sheet(wb, pack: MeetingPack) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet("目标进度")
    sh = Sheet(ws)
    p = pack.targets
    if p is None:
        sh.put(1, 1, f"“双倍增”目标进度:截至{cn_date(pack.as_of)},政策文件中没有生效的目标([[targets]])。")
        sh.fit_columns(maximum=120)
        sh.print_setup(1, 1)
        return
    who = p.district or "企业名录"
    sh.put(1, 1, f"“双倍增”目标进度 · {who} · 截至{cn_date(p.as_of)}", bold=True, fit=False)
    heads = [("指标", None), ("现有(家)", COUNT_FORMAT)]
    for year in p.years:
        heads += [(f"{year}年目标(家)", COUNT_FORMAT), (f"{year}年完成率", SHARE_FORMAT)]
    for col, (head, _fmt) in enumerate(heads, 1):
        sh.put(2, col, head, bold=True)
    row = 2
    for measure, label, current in (("hnte", "高新技术企业", p.hnte), ("tech_sme", "科技型企业", p.tech_sme)):
        row += 1
        values = [label, current]
        for year in p.years:
            g = p.goal(measure, year)
            share = g.share if g else None
            values += [g.target if g else NOTHING, share.quantize(Decimal("0.0001")) if share is not None else NOTHING]
        for col, (value, (_head, fmt)) in enumerate(zip(values, heads), 1):
            sh.put(row, col, value, fmt if not isinstance(value, str) else None)
    row += 2
    sh.put(row, 1, f"依据: {origin(p.source, p.source_district)}({p.effective_from:%Y-%m-%d}起施行);现有数来自企业名录(科技型企业按入库编号、高新技术企业按是否高新技术企业)。", fit=False)
    # The charts' data: one column per measure, rows 现有 and each milestone (values, not formulas).
    row += 2
    data_head = row
    sh.put(row, 1, "图表数据", bold=True)
    sh.put(row, 2, "高新技术企业(家)", bold=True)
    sh.put(row, 3, "科技型企业(家)", bold=True)
    lines = [("现有", p.hnte, p.tech_sme)] + [
        (f"{y}年目标", *(g.target if g else 0 for g in (p.goal("hnte", y), p.goal("tech_sme", y)))) for y in p.years
    ]
    for label, hnte, tech in lines:
        row += 1
        sh.put(row, 1, label)
        sh.put(row, 2, hnte, COUNT_FORMAT)
        sh.put(row, 3, tech, COUNT_FORMAT)
    sh.fit_columns()
    ws.freeze_panes = "B3"
    anchor = row + 2
    half = (CHART_CM[0] / 2, CHART_CM[1])
    right_col = 1
    for col, title in ((2, "高新技术企业:现有与目标(家)"), (3, "科技型企业:现有与目标(家)")):
        chart = BarChart()
        chart.type = "col"
        chart.title = title
        chart.add_data(Reference(ws, min_col=col, min_row=data_head, max_row=row), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=data_head + 1, max_row=row))
        _chart_style(chart, "#,##0")
        chart.width, chart.height = half
        chart.legend = None
        ws.add_chart(chart, f"{get_column_letter(right_col)}{anchor}")
        # the next chart starts at the first column past this one
        chart_row, right_col = sh.chart_extent(anchor, right_col, half[0])
        right_col += 1
    sh.print_setup(chart_row, max(len(heads), right_col - 1), "1:2")


def write_workbook(pack: MeetingPack, path: Path) -> list[str]:
    """Write the meeting workbook to `path`; returns its sheet names."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.title = f"知识价值信用贷款月度会议材料 {pack.label}"
    wb.properties.creator = "ledger"
    _cover(wb, pack)
    for by in SHEETS:
        _breakdown_sheet(wb, pack, by)
    _targets_sheet(wb, pack)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return wb.sheetnames
