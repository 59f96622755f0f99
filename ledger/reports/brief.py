"""The official paragraph: the ledger's figures in the register of meeting papers and replies.

The seeds' own sentence is the model: "截至2021年底,共有253家科企申报知识价值信用贷款
49330万元,其中3家合作银行已为140家科企放贷24128万元,撬动试点银行放贷其他金融产品
15899.8万元". Each paragraph is built from figures computed in DuckDB (the summary, the
fund and subsidy reports when the ledger has those tables, the registry against the
targets in force) and worded by `wording`; a paragraph whose facts the ledger does not
hold is left out rather than written with zeros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from ..policy import Policy
from .summary import Summary, summary
from .targets import TargetProgress, target_progress
from .wording import AUTO, date_words, money_words, percent_words


@dataclass(frozen=True)
class Brief:
    """The paragraphs for a reply as of a date, and the figures they were worded from."""

    as_of: dt.date
    unit: str
    paragraphs: tuple[str, ...]
    figures: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def to_json(self) -> dict:
        """The `--json` object: the paragraphs and, beside them, the exact figures (元 strings)."""
        return {"as_of": self.as_of.isoformat(), "unit": self.unit, "paragraphs": list(self.paragraphs), "figures": self.figures}


def loans_paragraph(s: Summary, unit: str = AUTO) -> str:
    """Applications, programme loans and other financing brought in, in the seeds' sentence."""
    a, lo, g = s.applications, s.loans, s.guided
    head = f"截至{date_words(s.as_of)},"
    if not a.count and not lo.count and not g.amount:
        return head + "尚无知识价值信用贷款申报和放款记录。"
    parts = []
    if a.count:
        parts.append(f"共有{a.enterprises}家科企申报知识价值信用贷款{money_words(a.amount, unit)}")
    if lo.count:
        lent = f"{lo.banks}家合作银行已为{lo.enterprises}家科企放贷{money_words(lo.amount, unit)}"
        parts.append(("其中" + lent) if a.count else lent.replace("放贷", "发放知识价值信用贷款"))
    elif a.count:
        parts.append("合作银行尚未放款")
    if g.amount:
        parts.append(f"撬动试点银行放贷其他金融产品{money_words(g.amount, unit)}")
    return head + ",".join(parts) + "。"


def targets_paragraph(p: TargetProgress) -> str | None:
    """The registry against the next 双倍增 milestone: "现有高新技术企业…家,完成2025年目标的…"."""
    year = p.next_year()
    if year is None:
        return None
    goals = [g for g in (p.goal("hnte", year), p.goal("tech_sme", year)) if g is not None]
    who = f"{p.district}" if p.district else "企业名录中"
    have = "、".join(f"{g.label}{g.current}家" for g in goals)
    target = "、".join(f"{g.label}{g.target}家" for g in goals)
    done = "、".join(percent_words(g.share) for g in goals)
    both = "分别" if len(goals) > 1 else ""
    tail = ""
    gaps = [f"{g.label}{g.gap}家" for g in goals if g.gap]
    if gaps:
        tail = f",距目标尚差{'、'.join(gaps)}"
    whose = p.source_district if p.source_district and p.source_district != p.district else ""
    return f"{who}现有{have},对照{whose}{year}年“双倍增”目标({target}),{both}完成{done}{tail}。"


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables and views in the ledger (other programmes' tables may not exist yet)."""
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()").fetchall()}


def brief(con: duckdb.DuckDBPyConnection, as_of: dt.date, policy: Policy, unit: str = AUTO) -> Brief:
    """The official paragraphs as of `as_of`, each from figures the ledger holds."""
    s = summary(con, as_of)
    paragraphs = [loans_paragraph(s, unit)]
    figures: dict = {"summary": s.to_json()}
    present = tables(con)
    for extra in EXTRA_PARAGRAPHS:
        found = extra(con, as_of, policy, unit, present, s)
        if found is not None:
            text, key, data = found
            paragraphs.append(text)
            figures[key] = data
    progress = target_progress(con, policy, as_of)
    if progress is not None and progress.registered:
        text = targets_paragraph(progress)
        if text:
            paragraphs.append(text)
            figures["targets"] = progress.to_json()
    return Brief(as_of, unit, tuple(paragraphs), figures)


def fund_paragraph(con, as_of, policy, unit, present, s: Summary):
    """The fund's capital paid in, its leverage and the compensation paid, from the fund's own reports.

    The figures are those of `report fund` and `report leverage` (same definitions, same
    rounding), so the brief never disagrees with the fund statement.
    """
    if not {"v_contributions", "v_claims", "v_recoveries"} <= present:
        return None
    try:
        from .fund import fund_statement
        from .leverage import leverage
    except ImportError:  # a build without the fund programme
        return None
    from ..money import json_yuan
    from .wording import times_words

    statement = fund_statement(con, as_of, policy)
    f = statement.flows
    if not f.capital:
        return None
    lev = leverage(con, as_of).fund_leverage
    text = f"风险补偿基金已到位资金{money_words(f.capital, unit)},撬动知识价值信用贷款{money_words(lev.numerator, unit)}"
    if lev.value is not None:
        text += f",放大倍数{times_words(lev.value)}"
    pending = f"{statement.pending_count}笔、{money_words(statement.pending, unit)}"
    if statement.paid_count:
        text += f";已拨付风险补偿{statement.paid_count}笔、{money_words(f.compensation_paid, unit)}"
        if f.recoveries_returned:
            text += f",追偿分回基金{money_words(f.recoveries_returned, unit)}"
        if statement.pending_count:
            text += f",另有{pending}待拨付"
        text += "。"
    elif statement.pending_count:
        text += f";已受理风险补偿申请{pending},尚未拨付。"
    else:
        text += ",尚未发生风险补偿。"
    figures = {
        "capital": json_yuan(f.capital),
        "programme_loans": json_yuan(lev.numerator),
        "leverage": None if lev.value is None else f"{lev.value:.2f}",
        "claims_paid": statement.paid_count,
        "compensation_paid": json_yuan(f.compensation_paid),
        "claims_pending": statement.pending_count,
        "pending": json_yuan(statement.pending),
        "recoveries_returned": json_yuan(f.recoveries_returned),
    }
    return text, "fund", figures


SUBSIDIES_SQL = """
SELECT count(*), count(DISTINCT carrier_name), sum(amount),
       sum(amount) FILTER (WHERE programme = '能力建设补助'),
       sum(amount) FILTER (WHERE programme = '国家级配套补助'),
       sum(amount) FILTER (WHERE programme = '绩效奖励')
FROM v_subsidies WHERE paid_on <= $as_of
"""


def subsidies_paragraph(con, as_of, policy, unit, present, s: Summary):
    """Incubator subsidies paid to date, by programme."""
    from ..money import json_yuan, yuan

    if "v_subsidies" not in present:
        return None
    count, carriers, total, capacity, national, performance = con.execute(SUBSIDIES_SQL, {"as_of": as_of}).fetchone()
    if not count:
        return None
    parts = [
        f"{label}{money_words(amount, unit)}"
        for label, amount in (("能力建设补助", capacity), ("国家级配套补助", national), ("绩效奖励", performance))
        if amount
    ]
    text = f"累计向{carriers}家孵化载体兑现补助{count}笔、{money_words(total, unit)}"
    if len(parts) > 1:
        text += f",其中{'、'.join(parts)}"
    text += "。"
    figures = {
        "payments": count,
        "carriers": carriers,
        "amount": json_yuan(total),
        "by_programme": {
            "能力建设补助": json_yuan(yuan(capacity)),
            "国家级配套补助": json_yuan(yuan(national)),
            "绩效奖励": json_yuan(yuan(performance)),
        },
    }
    return text, "subsidies", figures


# Paragraphs of other programmes, each `(con, as_of, policy, unit, tables, summary) ->
# (text, figures key, figures) | None`, None when the ledger lacks their facts.
EXTRA_PARAGRAPHS: list = [fund_paragraph, subsidies_paragraph]
