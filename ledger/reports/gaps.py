"""What a report lacks: the notes that say why a figure is empty and what to import or add.

A report over a ledger without the facts it needs (no 放款明细 yet, no fund contributions,
no targets in the policy file) is not an error: it prints its (empty) figures, exit 0,
and a note per missing kind of fact saying which sheet to import, or which policy section
to add. Every report and audit asks here, so the wording is the same everywhere; `--json`
carries the same notes as `"notes": [{"code", "message", "hint"}]`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module at start-up: no duckdb before a command runs
    import duckdb


@dataclass(frozen=True)
class Note:
    """Why a report shows nothing (or less than it could): a code, a Chinese message and a hint."""

    code: str
    message: str
    hint: str

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message, "hint": self.hint}


@dataclass(frozen=True)
class Fact:
    """A kind of fact a report needs: the view holding it, its date column, the sheet it comes from."""

    view: str
    date: str | None
    what: str  # what the ledger lacks, in words
    sheet: str  # the sheet to import (the import kind's title)
    kind: str  # the import kind, for `ledger template`
    where: str = "TRUE"


FACTS = {
    "applications": Fact("v_applications", "applied_on", "知识价值信用贷款申报记录", "贷款申报", "applications"),
    "loans": Fact("v_loans", "disbursed_on", "知识价值信用贷款放款记录", "放款明细", "loans", "is_programme"),
    "contributions": Fact("v_contributions", "paid_on", "风险补偿基金出资记录", "基金出资", "contributions"),
    "enterprises": Fact("v_enterprises", None, "企业名录", "企业名录", "enterprises"),
    "carriers": Fact("v_carriers", "recognized_on", "孵化载体认定记录", "孵化载体认定", "carriers"),
    "subsidies": Fact("v_subsidies", "paid_on", "孵化载体补助拨付记录", "补助拨付", "subsidies"),
}

# (section, what it holds, what to write): the policy sections reports read.
SECTIONS = {
    "risk_fund": ("风险补偿基金参数", "fund_share、loss_ratio_ceiling 等"),
    "incubator": ("孵化载体补助标准", "municipal_incubator_award、performance_awards 等"),
    "targets": ("“双倍增”目标", "milestones = [{ year = 2025, hnte = 80, tech_sme = 700 }]"),
}


def _span(since: dt.date | None, until: dt.date) -> str:
    from .wording import cn_date

    return f"{cn_date(since)}至{cn_date(until)}" if since else f"截至{cn_date(until)}"


def missing_facts(
    con: duckdb.DuckDBPyConnection, needs: tuple[str, ...], as_of: dt.date, since: dt.date | None = None
) -> list[Note]:
    """A note for each kind of fact in `needs` that the ledger lacks, or lacks in [since, as_of].

    Absent from the ledger altogether: import that sheet. Present but dated outside the
    period: the dates the ledger does hold, so the user can pick another --as-of / --month.
    """
    from .wording import cn_date

    notes = []
    for name in needs:
        f = FACTS[name]
        if f.date is None:
            (count,) = con.execute(f"SELECT count(*) FROM {f.view} WHERE {f.where}").fetchone()
            first = last = None
            inside = count
        else:
            count, first, last, inside = con.execute(
                f"SELECT count(*), min({f.date}), max({f.date}), "
                f"count(*) FILTER (WHERE {f.date} BETWEEN $since AND $as_of) FROM {f.view} WHERE {f.where}",
                {"since": since or dt.date.min, "as_of": as_of},
            ).fetchone()
        if not count:
            notes.append(
                Note(
                    f"no_{name}",
                    f"账本中还没有{f.what}。",
                    f"请导入{f.sheet}表: ledger import {f.sheet}.xlsx(空白模板: ledger template {f.kind})。",
                )
            )
        elif not inside:
            notes.append(
                Note(
                    f"no_{name}_in_period",
                    f"{_span(since, as_of)}没有{f.what};账本中的记录日期在{cn_date(first)}至{cn_date(last)}之间。",
                    "请用 --as-of(或 --month、--from/--to)选择有记录的日期;若本期的表尚未导入,请先导入。",
                )
            )
    return notes


def missing_section(policy, section: str, as_of: dt.date) -> list[Note]:
    """A note when the policy file has no version of `section` in force on `as_of`."""
    from .wording import cn_date

    if policy.in_force(section, as_of) is not None:
        return []
    what, keys = SECTIONS[section]
    return [
        Note(
            f"no_policy_{section}",
            f"政策文件「{policy.name}」中没有{cn_date(as_of)}生效的{what}([[{section}]])。",
            f"请在政策文件中加入 [[{section}]] 一节: effective_from、source 与 {keys}(格式见内置默认政策);"
            "或用 --policy 指定含该节的政策文件。",
        )
    ]


def with_notes(obj: dict, notes: list[Note]) -> dict:
    """A report's JSON object with its notes added as `"notes"` (an empty list when nothing is missing)."""
    obj["notes"] = [n.to_json() for n in notes]
    return obj


def print_notes(out, notes: list[Note]) -> None:
    """Each note on its own unbroken lines (so grep finds it whole), after the report."""
    from rich.text import Text

    for n in notes:
        out.print(Text(f"说明: {n.message}", style="yellow"), soft_wrap=True)
        out.print(Text(f"  提示: {n.hint}", style="dim"), soft_wrap=True)
