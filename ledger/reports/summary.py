"""The programme summary: applications, programme loans and guided lending as of a date.

Pure functions of what is stored (the void-aware `v_` views): computed in DuckDB, returned
as plain data, drawn elsewhere as a table, JSON or the meeting workbook. Besides the
cumulative figures (`summary`), a period's figures come beside the cumulative ones and the
same period a year before (`period_summary`), and any of them split by bank, district,
grade or month (`breakdown`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from ..money import json_yuan, yuan


@dataclass(frozen=True)
class Applications:
    enterprises: int
    count: int
    amount: Decimal

    def to_json(self) -> dict:
        return {"enterprises": self.enterprises, "count": self.count, "amount": json_yuan(self.amount)}


@dataclass(frozen=True)
class Loans:
    banks: int
    enterprises: int
    count: int
    amount: Decimal

    def to_json(self) -> dict:
        return {"banks": self.banks, "enterprises": self.enterprises, "count": self.count, "amount": json_yuan(self.amount)}


@dataclass(frozen=True)
class Guided:
    enterprises: int
    amount: Decimal

    def to_json(self) -> dict:
        return {"enterprises": self.enterprises, "amount": json_yuan(self.amount)}


def figures_json(applications: Applications, loans: Loans, guided: Guided) -> dict:
    """The three programme figures in the JSON shape every summary uses."""
    return {"applications": applications.to_json(), "loans": loans.to_json(), "guided": guided.to_json()}


@dataclass(frozen=True)
class Summary:
    """Cumulative programme figures up to and including `as_of`."""

    as_of: dt.date
    applications: Applications
    loans: Loans
    guided: Guided

    def to_json(self) -> dict:
        """The `--json` object: counts as numbers, amounts as strings in 元."""
        return {"as_of": self.as_of.isoformat(), **figures_json(self.applications, self.loans, self.guided)}


# One pass over the loans, grouped by enterprise: at a million loans this is twice as fast as
# counting distinct enterprises of each kind of loan separately (bench/run.py measures it).
SUMMARY_SQL = """
WITH a AS (
    SELECT count(DISTINCT credit_code) AS enterprises, count(*) AS n, sum(amount) AS amount
    FROM v_applications WHERE applied_on BETWEEN $since AND $as_of
),
e AS (
    SELECT count(*) FILTER (WHERE is_programme) AS pn, sum(amount) FILTER (WHERE is_programme) AS pa,
           count(*) FILTER (WHERE NOT is_programme) AS gn, sum(amount) FILTER (WHERE NOT is_programme) AS ga
    FROM v_loans WHERE disbursed_on BETWEEN $since AND $as_of
    GROUP BY credit_code
)
SELECT (SELECT enterprises FROM a), (SELECT n FROM a), (SELECT amount FROM a),
       (SELECT count(DISTINCT bank) FROM v_loans WHERE is_programme AND disbursed_on BETWEEN $since AND $as_of),
       count(*) FILTER (WHERE pn > 0), coalesce(sum(pn), 0), sum(pa),
       count(*) FILTER (WHERE gn > 0), sum(ga)
FROM e
"""


def summary(con: duckdb.DuckDBPyConnection, as_of: dt.date, since: dt.date = dt.date.min) -> Summary:
    """Programme figures for dates in [since, as_of]; with no `since`, cumulative to `as_of`.

    Guided lending (引导/撬动) is every loan of another product that the cooperating banks
    report: the office counts it beside the programme's own loans.
    """
    r = con.execute(SUMMARY_SQL, {"as_of": as_of, "since": since}).fetchone()
    return Summary(
        as_of=as_of,
        applications=Applications(r[0], r[1], yuan(r[2])),
        loans=Loans(r[3], r[4], r[5], yuan(r[6])),
        guided=Guided(r[7], yuan(r[8])),
    )


# ---------------------------------------------------------------- periods and comparisons

# (group, field, label, is_money): every figure of a Summary, in the order reports show them.
FIGURES = (
    ("applications", "enterprises", "申报企业(家)", False),
    ("applications", "count", "申报笔数", False),
    ("applications", "amount", "申报金额", True),
    ("loans", "banks", "放款合作银行(家)", False),
    ("loans", "enterprises", "获贷企业(家)", False),
    ("loans", "count", "放款笔数", False),
    ("loans", "amount", "放款金额", True),
    ("guided", "enterprises", "获其他贷款企业(家)", False),
    ("guided", "amount", "引导其他贷款", True),
)


def figure(s: Summary, group: str, name: str):
    """One figure of a summary by its JSON path, e.g. figure(s, "loans", "amount")."""
    return getattr(getattr(s, group), name)


def year_earlier(day: dt.date) -> dt.date:
    """The same day a year before; a month's last day maps to that month's last day (29 Feb ↔ 28 Feb)."""
    month_end = (day + dt.timedelta(days=1)).day == 1
    if month_end:
        first_next = dt.date(day.year - 1 + (day.month == 12), day.month % 12 + 1, 1)
        return first_next - dt.timedelta(days=1)
    return day.replace(year=day.year - 1)


def month_bounds(text: str) -> tuple[dt.date, dt.date]:
    """"2021-10" (or 2021/10, 2021年10月) → (2021-10-01, 2021-10-31); ValueError if it is not a month."""
    import re

    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*月?\s*", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(text)
    start = dt.date(int(m.group(1)), int(m.group(2)), 1)
    end = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class Change:
    """A figure of the period against the same period a year before."""

    now: Decimal | int
    before: Decimal | int
    is_money: bool

    @property
    def difference(self):
        """now − before, in the figure's own terms (元 or a count)."""
        return self.now - self.before

    @property
    def share(self) -> Decimal | None:
        """(now − before) ÷ before; None when the year before had nothing."""
        if not self.before:
            return None
        return (Decimal(self.now) - Decimal(self.before)) / Decimal(self.before)

    def to_json(self) -> dict:
        """The difference (元 string for money) and the share as a 4-place decimal string, or null."""
        from ..money import ratio

        share = self.share
        diff = self.difference
        return {
            "difference": json_yuan(diff) if self.is_money else diff,
            "share": None if share is None else f"{ratio(share, 1, 4):.4f}",
        }


@dataclass(frozen=True)
class PeriodSummary:
    """A period's figures beside the cumulative ones and those of the same period a year before."""

    start: dt.date
    end: dt.date
    period: Summary
    cumulative: Summary
    year_before: Summary
    year_before_start: dt.date

    def changes(self) -> dict[tuple[str, str], Change]:
        """Every figure of the period against the year before, keyed by (group, field)."""
        return {
            (g, f): Change(figure(self.period, g, f), figure(self.year_before, g, f), money)
            for g, f, _label, money in FIGURES
        }

    def to_json(self) -> dict:
        """The period's figures at the top level (as `Summary.to_json`), the rest beside them."""
        from .wording import period_words

        out = self.period.to_json()
        out["period"] = {"from": self.start.isoformat(), "to": self.end.isoformat(), "label": period_words(self.start, self.end)}
        out["cumulative"] = self.cumulative.to_json()
        out["year_before"] = {
            "from": self.year_before_start.isoformat(),
            "to": self.year_before.as_of.isoformat(),
            **{k: v for k, v in self.year_before.to_json().items() if k != "as_of"},
        }
        changes: dict = {}
        for (g, f), c in self.changes().items():
            changes.setdefault(g, {})[f] = c.to_json()
        out["changes"] = changes
        return out


def period_summary(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> PeriodSummary:
    """Figures for [start, end], cumulative figures to `end`, and [start, end] a year earlier."""
    before_start, before_end = year_earlier(start), year_earlier(end)
    return PeriodSummary(
        start=start,
        end=end,
        period=summary(con, end, start),
        cumulative=summary(con, end),
        year_before=summary(con, before_end, before_start),
        year_before_start=before_start,
    )


# ---------------------------------------------------------------- breakdowns

@dataclass(frozen=True)
class BreakdownRow:
    """The programme figures of one bank, district, grade or month."""

    key: str
    applications: Applications
    loans: Loans
    guided: Guided
    cumulative_loans: Decimal | None = None  # months only: programme loans up to the month's end

    def to_json(self) -> dict:
        """One row as JSON: the group's key and its figures in the shape of `Summary.to_json`."""
        out = {"key": self.key, **figures_json(self.applications, self.loans, self.guided)}
        if self.cumulative_loans is not None:
            out["cumulative_loan_amount"] = json_yuan(self.cumulative_loans)
        return out


@dataclass(frozen=True)
class Breakdown:
    """Programme figures split one way, for dates in [since, as_of]."""

    by: str
    label: str
    since: dt.date
    as_of: dt.date
    rows: tuple[BreakdownRow, ...]

    def to_json(self) -> list[dict]:
        """The rows in report order."""
        return [r.to_json() for r in self.rows]


# by → (label, key of an application row `a`, key of a loan row `l`); `e` is the enterprise.
DIMENSIONS = {
    "bank": ("合作银行", "a.intended_bank", "l.bank"),
    "district": ("所属区县", "coalesce(e.district, '未登记企业')", "coalesce(e.district, '未登记企业')"),
    "grade": ("评价等级", "coalesce(nullif(trim(a.grade), ''), '未评级')", "coalesce(nullif(trim(l.grade), ''), '未评级')"),
    "month": ("月份", "strftime(a.applied_on, '%Y-%m')", "strftime(l.disbursed_on, '%Y-%m')"),
}


def graded_loans(loans: str = "v_loans") -> str:
    """The loans of `loans` with their grade: that of the enterprise's latest application on or before the loan."""
    return f"""(
    SELECT l.*, g.grade FROM {loans} l
    ASOF LEFT JOIN v_applications g ON l.credit_code = g.credit_code AND l.disbursed_on >= g.applied_on
)"""


GRADED_LOANS = graded_loans()

BREAKDOWN_SQL = """
WITH ent AS (SELECT credit_code, any_value(district) AS district FROM v_enterprises GROUP BY credit_code),
a AS (
    SELECT {akey} AS k, count(DISTINCT a.credit_code) AS ae, count(*) AS ac, sum(a.amount) AS aa
    FROM v_applications a LEFT JOIN ent e ON e.credit_code = a.credit_code
    WHERE a.applied_on BETWEEN $since AND $as_of
    GROUP BY 1
),
l AS (
    SELECT {lkey} AS k,
        count(DISTINCT l.bank) FILTER (WHERE l.is_programme) AS lb,
        count(DISTINCT l.credit_code) FILTER (WHERE l.is_programme) AS le,
        count(*) FILTER (WHERE l.is_programme) AS lc,
        sum(l.amount) FILTER (WHERE l.is_programme) AS la,
        count(DISTINCT l.credit_code) FILTER (WHERE NOT l.is_programme) AS ge,
        sum(l.amount) FILTER (WHERE NOT l.is_programme) AS ga
    FROM {loans} l LEFT JOIN ent e ON e.credit_code = l.credit_code
    WHERE l.disbursed_on BETWEEN $since AND $as_of
    GROUP BY 1
),
keys AS ({keys})
SELECT keys.k, coalesce(ae, 0), coalesce(ac, 0), aa, coalesce(lb, 0), coalesce(le, 0), coalesce(lc, 0), la,
       coalesce(ge, 0), ga, {cumulative}
FROM keys LEFT JOIN a ON a.k = keys.k LEFT JOIN l ON l.k = keys.k
ORDER BY {order}
"""

# Months in time order, grades by name (unrated last), banks and districts by lending.
ORDER = {"month": "keys.k", "grade": "keys.k = '未评级', keys.k"}

KEYS_PRESENT = "SELECT k FROM a UNION SELECT k FROM l"

# Every month of a period, quiet months included; cumulative figures start at the first activity.
KEYS_MONTHS = """
SELECT strftime(m, '%Y-%m') AS k FROM range(
    date_trunc('month', CASE WHEN $since > DATE '0001-01-01' THEN $since ELSE least(
        (SELECT min(applied_on) FROM v_applications WHERE applied_on <= $as_of),
        (SELECT min(disbursed_on) FROM v_loans WHERE disbursed_on <= $as_of)) END),
    date_trunc('month', $as_of) + INTERVAL 1 MONTH,
    INTERVAL 1 MONTH) t(m)
"""

CUMULATIVE_TO_MONTH_END = """(
    SELECT sum(c.amount) FROM v_loans c
    WHERE c.is_programme AND c.disbursed_on <= least(last_day(CAST(keys.k || '-01' AS DATE)), $as_of)
)"""


def breakdown(con: duckdb.DuckDBPyConnection, by: str, as_of: dt.date, since: dt.date = dt.date.min) -> Breakdown:
    """Programme figures for [since, as_of] split by bank, district, grade or month.

    Banks are those named on the loans (and, for applications, the intended bank); a
    district is the enterprise's district in the registry; a loan's grade is the grade of
    its enterprise's latest application before the loan. Months run without gaps and carry
    the programme's cumulative lending to each month's end, for the trend chart.
    """
    if by not in DIMENSIONS:
        raise ValueError(by)
    label, akey, lkey = DIMENSIONS[by]
    months = by == "month"
    sql = BREAKDOWN_SQL.format(
        akey=akey,
        lkey=lkey,
        loans=GRADED_LOANS if by == "grade" else "v_loans",
        keys=KEYS_MONTHS if months else KEYS_PRESENT,
        cumulative=CUMULATIVE_TO_MONTH_END if months else "NULL",
        order=ORDER.get(by, "la DESC NULLS LAST, aa DESC NULLS LAST, keys.k"),
    )
    rows = con.execute(sql, {"as_of": as_of, "since": since}).fetchall()
    return Breakdown(
        by=by,
        label=label,
        since=since,
        as_of=as_of,
        rows=tuple(
            BreakdownRow(
                key=str(r[0]),
                applications=Applications(r[1], r[2], yuan(r[3])),
                loans=Loans(r[4], r[5], r[6], yuan(r[7])),
                guided=Guided(r[8], yuan(r[9])),
                cumulative_loans=yuan(r[10]) if months else None,
            )
            for r in rows
        ),
    )
