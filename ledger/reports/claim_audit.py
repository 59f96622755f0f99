"""The auditor's check of the fund's compensation: one verdict per claim (风险补偿逐笔审计).

Compensation paid from the fund is fiscal money, checked as subsidies are: each claim is
judged by the fund's claim rules (`programs.fund_rules.CLAIM_RULES`: the loan is a programme
loan, compensated once, claimed after the overdue period, 逾期本金 within the unpaid principal,
核定补偿金额 within the fund's share, the bank not past its loss ceiling (熔断)) under the
`[[risk_fund]]` version in force on the claim's 申请日期, with the evidence of the claim and of
its loan (file, sheet, row, sha256). A pure function of the store and a policy: nothing is written.

Two totals say what they count: `amount_ineligible` is the 核定补偿金额 of the claims with a
finding; `amount_excess` the part of it beyond what the policy allows (a claim not allowed at
all counts whole, one approved above the fund's share counts the amount above it).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from ..money import json_yuan, yuan
from ..programs import fund_rules as R
from ..programs.evidence import Source
from ..programs.findings import Facts, Finding
from .audit_totals import Audit, Total
from .audit_workbook import table

# Where each claim, and each claim's loan, was read (ids passed as $claims and $loans).
SOURCES_SQL = """
SELECT 'claims', c.id, b.file_name, b.sheet, c.source_row, b.file_sha256
FROM claims c JOIN import_batches b ON b.id = c.batch_id WHERE c.id IN (SELECT unnest($claims::BIGINT[]))
UNION ALL
SELECT 'loans', l.id, b.file_name, b.sheet, l.source_row, b.file_sha256
FROM loans l JOIN import_batches b ON b.id = l.batch_id WHERE l.id IN (SELECT unnest($loans::BIGINT[]))
"""


# The parameters a claim is judged by, cited for every verdict.
PARAMETERS = ("fund_share", "claim_after_overdue_days", "loss_ratio_ceiling")
NO_BANK = "(贷款不在账本中)"


@dataclass(frozen=True)
class Verdict:
    """One claim judged: allowed or not, every reason, the amount beyond what the policy allows, the evidence."""

    claim: R.ClaimFact
    source: Source  # where the claim was read
    loan_source: Source | None  # where its loan was read (None: no live loan)
    findings: tuple[Finding, ...]
    parameters: tuple[str, ...]
    policy_ref: str

    @property
    def eligible(self) -> bool:
        return not self.findings

    @functools.cached_property
    def excess(self) -> Decimal:
        """What was approved beyond what the policy allows: the largest any finding says, at most the whole claim."""
        said = [f.excess for f in self.findings if f.excess is not None]
        return min(max(said), self.claim.approved) if said else Decimal("0.00")

    @property
    def allowed(self) -> Decimal:
        """The most the policy allows paying on this claim."""
        return self.claim.approved - self.excess

    def reasons_json(self) -> list[dict]:
        return [
            {
                "rule": f.rule,
                "title": R.RULE_TITLES[f.rule],
                "field": f.field,
                "detail": f.message,
                "parameters": list(f.cites),
                "source": f.source,
                "excess": json_yuan(f.excess) if f.excess is not None else None,
            }
            for f in self.findings
        ]

    def evidence_json(self) -> dict:
        return {"claim": self.source.to_json(), "loan": self.loan_source.to_json() if self.loan_source else None}

    def finding_json(self) -> dict:
        """The entry of `findings` in the JSON: the claim, every reason, the excess, the evidence."""
        c = self.claim
        return {
            "claim": c.claim_no,
            "contract_no": c.contract_no,
            "bank": c.bank,
            "amount": json_yuan(c.approved),
            "claimed_on": c.claimed_on.isoformat(),
            "excess": json_yuan(self.excess),
            "reasons": self.reasons_json(),
            "evidence": self.evidence_json(),
        }

    def to_json(self) -> dict:
        c = self.claim
        return {
            "claim": c.claim_no,
            "contract_no": c.contract_no,
            "bank": c.bank,
            "credit_code": c.credit_code,
            "enterprise": c.enterprise,
            "product": c.product,
            "claimed_on": c.claimed_on.isoformat(),
            "overdue_principal": json_yuan(c.overdue),
            "amount": json_yuan(c.approved),
            "paid_on": c.paid_on.isoformat() if c.paid_on else None,
            "verdict": "eligible" if self.eligible else "ineligible",
            "allowed_amount": json_yuan(self.allowed),
            "excess": json_yuan(self.excess),
            "parameters": list(self.parameters),
            "policy": self.policy_ref,
            "reasons": self.reasons_json(),
            "evidence": self.evidence_json(),
        }


def total_of(name: str, verdicts) -> Total:
    """The figures of `verdicts` under `name`."""
    bad = [v for v in verdicts if not v.eligible]
    return Total(
        name,
        len(verdicts),
        yuan(sum((v.claim.approved for v in verdicts), Decimal(0))),
        len(verdicts) - len(bad),
        len(bad),
        yuan(sum((v.claim.approved for v in bad), Decimal(0))),
        yuan(sum((v.excess for v in bad), Decimal(0))),
    )


@dataclass(frozen=True)
class ClaimAudit(Audit):
    """The whole audit: the date, the policy file used, every verdict, totals in all and per bank."""

    as_of: dt.date | None
    by_bank: tuple[Total, ...]

    def to_json(self) -> dict:
        """The `--json` object: counts, amounts in 元 as strings, a finding per claim not allowed, every verdict."""
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "claims": self.total.count,
            "eligible": self.total.eligible,
            "ineligible": self.total.ineligible,
            "amount": json_yuan(self.total.amount),
            "amount_ineligible": json_yuan(self.total.amount_ineligible),
            "amount_excess": json_yuan(self.total.amount_excess),
            "policy": self.policy_json(),
            "findings": [v.finding_json() for v in self.ineligible],
            "verdicts": [v.to_json() for v in self.verdicts],
            "totals": {"by_bank": [t.to_json("claims") for t in self.by_bank]},
        }


def _cited(policy, day: dt.date, memo: dict) -> tuple[tuple[str, ...], str]:
    """The parameters of the `risk_fund` version in force on `day`, and how the version is named (worked out once per version)."""
    v = policy.in_force(R.SECTION, day)
    if id(v) not in memo:
        memo[id(v)] = ((), "") if v is None else (tuple(v.cite(n) for n in PARAMETERS if n in v.params), f"{v.section}({v.since},{v.source})")
    return memo[id(v)]


def evidence(facts: Facts, claims: list[R.ClaimFact]) -> dict[tuple[str, int], Source]:
    """Where each claim and each claim's loan was read, by (table, id)."""
    params = {"claims": [c.id for c in claims], "loans": [c.loan_id for c in claims if c.loan_id is not None]}
    return {(table, rid): Source(*rest) for table, rid, *rest in facts.con.execute(SOURCES_SQL, params).fetchall()}


def claim_audit(con: duckdb.DuckDBPyConnection, policy, as_of: dt.date | None = None) -> ClaimAudit:
    """Judge every compensation claim in the ledger (made by `as_of`) by the policy in force on its date."""
    facts = Facts(con, as_of)
    claims = R.claim_facts(facts)
    sources = evidence(facts, claims)
    found: dict[int, list[Finding]] = {c.id: [] for c in claims}
    for rule in R.CLAIM_RULES:
        for f in rule(facts, policy):
            if f.table == "claims" and f.row_id in found:
                found[f.row_id].append(f)
    memo: dict = {}
    verdicts = tuple(
        Verdict(c, sources[("claims", c.id)], sources.get(("loans", c.loan_id)), tuple(found[c.id]), *_cited(policy, c.claimed_on, memo))
        for c in claims
    )
    banks = sorted({v.claim.bank or NO_BANK for v in verdicts})
    return ClaimAudit(
        as_of=as_of,
        policy_name=policy.name,
        policy_file=str(policy.path),
        policy_sha256=policy.sha256,
        verdicts=verdicts,
        total=total_of("合计", verdicts),
        by_bank=tuple(total_of(b, [v for v in verdicts if (v.claim.bank or NO_BANK) == b]) for b in banks),
    )


# --- the auditor's workbook ---------------------------------------------------------------------

VERDICT_HEADER = [
    "补偿申请编号", "贷款合同编号", "合作银行", "统一社会信用代码", "企业名称", "贷款品种", "申请日期", "逾期本金(元)",
    "核定补偿金额(元)", "拨付日期", "结论", "不合规原因", "不合规规则", "政策允许金额(元)", "超出政策金额(元)",
    "政策参数(申请日有效)", "政策版本",
    "补偿记录文件", "补偿记录工作表", "补偿记录行", "补偿记录文件SHA256",
    "放款记录文件", "放款记录工作表", "放款记录行", "放款记录文件SHA256",
]
TOTAL_HEADER = ["合作银行", "笔数", "核定补偿金额(元)", "合规笔数", "不合规笔数", "不合规金额(元)", "超出政策金额(元)"]


def _verdict_row(v: Verdict) -> list:
    c, loan = v.claim, v.loan_source
    reasons = "\n".join(f"{i}. 【{R.RULE_TITLES[f.rule]}】{f.message}" for i, f in enumerate(v.findings, 1))
    cited = list(v.parameters) + [p for f in v.findings for p in f.cites if p not in v.parameters]
    return [
        c.claim_no, c.contract_no, c.bank, c.credit_code, c.enterprise, c.product, c.claimed_on, c.overdue,
        c.approved, c.paid_on, "合规" if v.eligible else "不合规", reasons, "\n".join(f.rule for f in v.findings), v.allowed, v.excess,
        "\n".join(cited), v.policy_ref,
        v.source.file, v.source.sheet, v.source.row, v.source.sha256,
        loan.file if loan else None, loan.sheet if loan else None, loan.row if loan else None, loan.sha256 if loan else None,
    ]



def write_xlsx(audit: ClaimAudit, path: Path, ledger_file: str = "", basis: str = "") -> Path:
    """The workbook an auditor hands on: a row per claim with verdict, reasons and evidence; totals per bank; notes."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "审计结论"
    table(ws, VERDICT_HEADER, [_verdict_row(v) for v in audit.verdicts], wrap={12, 13, 16})
    table(wb.create_sheet("按合作银行汇总"), TOTAL_HEADER, [t.row() for t in (*audit.by_bank, audit.total)])
    notes = [
        ["账本文件", ledger_file],
        ["数据口径", basis],
        ["截至日期", audit.as_of or "全部"],
        ["政策文件", audit.policy_name],
        ["政策文件路径", audit.policy_file],
        ["政策文件SHA256", audit.policy_sha256],
        ["生成时间(UTC)", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")],
        ["补偿申请笔数", audit.total.count],
        ["合规笔数", audit.total.eligible],
        ["不合规笔数", audit.total.ineligible],
        ["不合规金额(元)(有问题的补偿的核定金额合计)", audit.total.amount_ineligible],
        ["超出政策金额(元)(超过政策允许的部分)", audit.total.amount_excess],
    ] + [[f"规则 {rule.__name__}", R.RULE_TITLES[rule.__name__]] for rule in R.CLAIM_RULES]
    table(wb.create_sheet("说明"), ["项目", "内容"], notes)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
