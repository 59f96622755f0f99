"""The auditor's eligibility check of incubator subsidies: one verdict per payment.

A pure function of the store (the void-aware `v_subsidies` and `v_carriers` views) and of a
policy file. The payments and recognitions are read with their evidence (file, sheet, row,
sha256 from `import_batches`), judged by the rules of `programs.incubator` (each payment by
the policy version in force on its date), and the totals per 补助项目 and per carrier are
summed in DuckDB over the verdicts. Nothing is written to the ledger; the auditor's
workbook is written only where asked (`write_xlsx`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from ..money import json_yuan, yuan
from ..programs import incubator as I
from .audit_totals import Audit, Total
from .audit_workbook import table

PAYMENTS_SQL = """
SELECT s.id, s.payment_no, s.operator_code, s.carrier_name, s.item, s.programme, s.category, s.amount, s.paid_on,
       s.basis_doc, s.matter, s.matter_code, b.file_name, b.sheet, s.source_row, b.file_sha256
FROM v_subsidies s JOIN import_batches b ON b.id = s.batch_id
ORDER BY s.paid_on, s.id
"""

RECOGNITIONS_SQL = """
SELECT c.carrier_name, c.operator_code, c.carrier_type, c.level, c.recognized_on, c.doc_no,
       b.file_name, b.sheet, c.source_row, b.file_sha256
FROM v_carriers c JOIN import_batches b ON b.id = c.batch_id
ORDER BY c.recognized_on, c.id
"""

# Totals over the payments, with `bad` marking the ineligible ones (ids passed as $bad, the
# amount of each beyond what the policy allows as $excess, in the same order).
TOTALS_SQL = """
WITH x AS (SELECT unnest($bad::INTEGER[]) AS id, unnest($excess::DECIMAL(18,2)[]) AS excess),
s AS (
  SELECT v.*, x.id IS NOT NULL AS bad, coalesce(x.excess, 0) AS excess,
         programme || coalesce('-' || category, '') AS label,
         CASE programme WHEN '能力建设补助' THEN 1 WHEN '国家级配套补助' THEN 2 ELSE 3 END AS rank
  FROM v_subsidies v LEFT JOIN x USING (id)
)
SELECT {name}, count(*), coalesce(sum(amount), 0), count(*) FILTER (WHERE NOT bad),
       count(*) FILTER (WHERE bad), coalesce(sum(amount) FILTER (WHERE bad), 0), coalesce(sum(excess), 0)
FROM s {group}
"""


def _recognition_json(r: I.Recognition | None) -> dict | None:
    if r is None:
        return None
    return {
        "carrier": r.carrier_name,
        "level": r.level,
        "carrier_type": r.carrier_type,
        "doc_no": r.doc_no,
        "recognized_on": r.recognized_on.isoformat(),
        **r.source.to_json(),
    }


@dataclass(frozen=True)
class Verdict:
    """One payment judged: eligible or not, every reason, what the policy allowed, the evidence."""

    payment: I.Payment
    findings: tuple[I.Finding, ...]
    basis: I.Basis

    @property
    def eligible(self) -> bool:
        return not self.findings

    @property
    def excess(self) -> Decimal:
        """What was paid beyond what the policy allows: the most any finding says (all of it when not allowed at all)."""
        return max((f.excess for f in self.findings), default=Decimal("0.00"))

    @property
    def recognition(self) -> I.Recognition | None:
        """The recognition the verdict rests on: the basis's, else the first one a finding names."""
        return self.basis.recognition or next((f.recognition for f in self.findings if f.recognition), None)

    @property
    def policy_ref(self) -> str:
        return I.version_ref(self.basis.version) if self.basis.version else ""

    def reasons_json(self) -> list[dict]:
        return [
            {
                "rule": f.rule,
                "title": f.title,
                "detail": f.detail,
                "parameter": f.parameter,
                "recognition": _recognition_json(f.recognition),
            }
            for f in self.findings
        ]

    def evidence_json(self) -> dict:
        return {"payment": self.payment.source.to_json(), "recognition": _recognition_json(self.recognition)}

    def to_json(self) -> dict:
        p = self.payment
        return {
            "payment": p.payment_no,
            "carrier": p.carrier_name,
            "operator_code": p.operator_code,
            "item": p.label,
            "item_as_written": p.item,
            "matter": p.matter,
            "matter_code": p.matter_code,
            "amount": json_yuan(p.amount),
            "paid_on": p.paid_on.isoformat(),
            "verdict": "eligible" if self.eligible else "ineligible",
            "expected_amount": json_yuan(self.basis.expected) if self.basis.expected is not None else None,
            "excess": json_yuan(self.excess),
            "parameters": list(self.basis.parameters),
            "policy": self.policy_ref,
            "reasons": self.reasons_json(),
            "evidence": self.evidence_json(),
        }

    def finding_json(self) -> dict:
        """The entry of `findings` in the JSON: the payment, the carrier, every reason, the evidence."""
        p = self.payment
        return {
            "payment": p.payment_no,
            "carrier": p.carrier_name,
            "item": p.label,
            "amount": json_yuan(p.amount),
            "paid_on": p.paid_on.isoformat(),
            "excess": json_yuan(self.excess),
            "reasons": self.reasons_json(),
            "evidence": self.evidence_json(),
        }


@dataclass(frozen=True)
class SubsidyAudit(Audit):
    """The whole audit: the policy file it used, every verdict, totals per 补助项目 and per carrier."""

    by_programme: tuple[Total, ...]
    by_carrier: tuple[Total, ...]

    def to_json(self) -> dict:
        """The `--json` object: counts, amounts in 元 as strings, a finding per ineligible payment."""
        return {
            "payments": self.total.count,
            "eligible": self.total.eligible,
            "ineligible": self.total.ineligible,
            "amount": json_yuan(self.total.amount),
            "amount_ineligible": json_yuan(self.total.amount_ineligible),
            "amount_excess": json_yuan(self.total.amount_excess),
            "policy": self.policy_json(),
            "findings": [v.finding_json() for v in self.ineligible],
            "verdicts": [v.to_json() for v in self.verdicts],
            "totals": {
                "by_programme": [t.to_json("payments") for t in self.by_programme],
                "by_carrier": [t.to_json("payments") for t in self.by_carrier],
            },
        }


def load_facts(con: duckdb.DuckDBPyConnection) -> tuple[list[I.Payment], list[I.Recognition]]:
    """Every payment and recognition in force in the ledger, each with where it was read from."""
    payments = [
        I.Payment(r[0], r[1], r[2], r[3], r[4], r[5], r[6], yuan(r[7]), r[8], r[9], r[10], r[11], I.Source(r[12], r[13], r[14], r[15]))
        for r in con.execute(PAYMENTS_SQL).fetchall()
    ]
    recognitions = [
        I.Recognition(r[0], r[1], r[2], r[3], r[4], r[5], I.Source(r[6], r[7], r[8], r[9]))
        for r in con.execute(RECOGNITIONS_SQL).fetchall()
    ]
    return payments, recognitions


def _totals(con: duckdb.DuckDBPyConnection, bad: list[Verdict], name: str, group: str) -> list[Total]:
    params = {"bad": [v.payment.id for v in bad], "excess": [v.excess for v in bad]}
    rows = con.execute(TOTALS_SQL.format(name=name, group=group), params).fetchall()
    return [Total(r[0], r[1], yuan(r[2]), r[3], r[4], yuan(r[5]), yuan(r[6])) for r in rows]


def subsidy_audit(con: duckdb.DuckDBPyConnection, policy) -> SubsidyAudit:
    """Judge every subsidy payment in the ledger by the policy in force on its date."""
    payments, recognitions = load_facts(con)
    carriers = I.Carriers(recognitions)
    found = I.judge(payments, carriers, policy)
    verdicts = tuple(Verdict(p, tuple(found[p.id]), I.basis(p, carriers, policy)) for p in payments)
    bad = [v for v in verdicts if not v.eligible]
    (total,) = _totals(con, bad, "'合计'", "")
    return SubsidyAudit(
        policy_name=policy.name,
        policy_file=str(policy.path),
        policy_sha256=policy.sha256,
        verdicts=verdicts,
        total=total,
        by_programme=tuple(_totals(con, bad, "label", "GROUP BY label, rank ORDER BY rank, label")),
        by_carrier=tuple(_totals(con, bad, "carrier_name", "GROUP BY carrier_name ORDER BY carrier_name")),
    )


# --- the auditor's workbook ---------------------------------------------------------------------

VERDICT_HEADER = [
    "拨付编号", "载体名称", "运营主体统一社会信用代码", "补助项目", "事项", "事项统一社会信用代码", "金额(元)", "拨付日期",
    "结论", "不合规原因", "不合规规则", "政策应付金额(元)", "超出政策金额(元)", "政策参数(拨付日有效)", "政策版本",
    "拨付记录文件", "拨付记录工作表", "拨付记录行", "拨付记录文件SHA256",
    "认定记录", "认定文件", "认定工作表", "认定行", "认定文件SHA256",
]
TOTAL_HEADER = ["{what}", "笔数", "金额(元)", "合规笔数", "不合规笔数", "不合规金额(元)", "超出政策金额(元)"]
def _verdict_row(v: Verdict) -> list:
    p, rec = v.payment, v.recognition
    reasons = "\n".join(f"{i}. 【{f.title}】{f.detail}" for i, f in enumerate(v.findings, 1))
    parameters = list(v.basis.parameters) + [f.parameter for f in v.findings if f.parameter and f.parameter not in v.basis.parameters]
    return [
        p.payment_no, p.carrier_name, p.operator_code, p.label, p.matter, p.matter_code, p.amount, p.paid_on,
        "合规" if v.eligible else "不合规", reasons, "\n".join(f.rule for f in v.findings), v.basis.expected, v.excess,
        "\n".join(parameters), v.policy_ref,
        p.source.file, p.source.sheet, p.source.row, p.source.sha256,
        str(rec) if rec else None, rec.source.file if rec else None, rec.source.sheet if rec else None,
        rec.source.row if rec else None, rec.source.sha256 if rec else None,
    ]



def write_xlsx(audit: SubsidyAudit, path: Path, ledger_file: str = "", basis: str = "") -> Path:
    """The workbook an auditor hands on: a row per payment with verdict, reasons and evidence; totals; notes."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "审计结论"
    table(ws, VERDICT_HEADER, [_verdict_row(v) for v in audit.verdicts], wrap={10, 11, 14})
    for what, totals in (("补助项目", audit.by_programme), ("载体名称", audit.by_carrier)):
        header = [h.format(what=what) for h in TOTAL_HEADER]
        table(wb.create_sheet(f"按{what}汇总"), header, [t.row() for t in (*totals, audit.total)])
    notes = [
        ["账本文件", ledger_file],
        ["数据口径", basis],
        ["政策文件", audit.policy_name],
        ["政策文件路径", audit.policy_file],
        ["政策文件SHA256", audit.policy_sha256],
        ["生成时间(UTC)", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")],
        ["拨付笔数", audit.total.count],
        ["合规笔数", audit.total.eligible],
        ["不合规笔数", audit.total.ineligible],
        ["不合规金额(元)(有问题的拨付金额合计)", audit.total.amount_ineligible],
        ["超出政策金额(元)(超过政策允许的部分)", audit.total.amount_excess],
    ] + [[f"规则 {name}", title] for name, title in I.RULE_TITLES.items()]
    table(wb.create_sheet("说明"), ["项目", "内容"], notes)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
