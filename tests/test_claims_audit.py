"""The auditor's check of the fund's compensation: one verdict per claim, through the real CLI.

The planted ledger has a clean claim (and a loan's first claim, clean too) beside one claim
breaking each claim rule; the audit must find exactly those, cite the parameter in force and
the policy version's source, point at the rows of the files they came from, and say how much
of each claim the policy did not allow (amounts in 元):

bank A (农商行): L0 4,900,000 (no claim) and L1…L6 of 1,000,000 each (L5 流动资金贷款), L8 voided
  CL-OK     L1 2022-04-15  逾期 1,000,000 核定 800,000  clean
  CL-EARLY  L2 2022-02-01  32 days after maturity       claim_overdue_period   excess 800,000
  CL-UNPAID L3 2022-04-15  逾期 1,000,000 > unpaid 400,000 (核定 320,000 is within the share)
                                                        claim_unpaid_principal excess 0
  CL-SHARE  L4 2022-04-15  核定 900,000 > 0.8 × 1,000,000 claim_share          excess 100,000
  CL-OTHER  L5 2022-04-15  流动资金贷款                 claim_programme_loan   excess 800,000
  CL-FIRST  L6 2022-04-15  the loan's first claim       clean
  CL-SECOND L6 2022-05-15  a second claim on L6         single_claim           excess 800,000
  CL-VOID   L8 2022-04-15  its loan voided afterwards   contract_known         excess 800,000
bank X (三峡银行): X1 1,000,000
  CL-FUSE   X1 2022-04-15  losses 1,000,000 ÷ lent 1,000,000 > 0.6   bank_loss_ceiling   excess 800,000
Bank A's losses: 5,000,000 ÷ 9,900,000 = 0.5051, within the ceiling 0.6.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ENTERPRISE_HEADER, LOAN_HEADER, Ledger, codes, write_xlsx

D = dt.date
C = codes(12, seed=61)
A, X = "重庆农村商业银行", "重庆三峡银行"
KV, OTHER = "知识价值信用贷款", "流动资金贷款"
CLAIM_HEADER = ["补偿申请编号", "贷款合同编号", "申请日期", "逾期本金", "核定补偿金额", "拨付日期"]
REPAYMENT_HEADER = ["贷款合同编号", "还款日期", "归还本金", "归还利息"]

POLICY = """
name = "测试区补偿审计政策"

[[risk_fund]]
effective_from = 2019-01-01
source = "测试区知识价值信用贷款风险补偿基金管理办法(2019)"
fund_share = "0.8"
claim_after_overdue_days = 90
single_enterprise_cap = "5000000.00"
loss_ratio_ceiling = "0.6"
"""

START, DUE = D(2021, 1, 1), D(2021, 12, 31)
LOANS = [
    ["L0", C[0], "重庆甲科技有限公司", A, KV, START, DUE, 4900000, 4.0],
    *[[f"L{i}", C[i], f"重庆{i}号科技有限公司", A, KV, START, DUE, 1000000, 4.0] for i in (1, 2, 3, 4, 6, 8)],
    ["L5", C[5], "重庆五号贸易有限公司", A, OTHER, START, DUE, 1000000, 5.0],
    ["X1", C[9], "重庆九号科技有限公司", X, KV, START, DUE, 1000000, 4.0],
]
LATE = D(2022, 4, 15)
# (补偿申请编号, 合同, 申请日期, 逾期本金, 核定补偿金额, 拨付日期) -> (rules, excess)
CLAIMS = [
    (["CL-OK", "L1", LATE, 1000000, 800000, D(2022, 5, 1)], (set(), "0.00")),
    (["CL-EARLY", "L2", D(2022, 2, 1), 1000000, 800000, None], ({"claim_overdue_period"}, "800000.00")),
    (["CL-UNPAID", "L3", LATE, 1000000, 320000, None], ({"claim_unpaid_principal"}, "0.00")),
    (["CL-SHARE", "L4", LATE, 1000000, 900000, D(2022, 5, 1)], ({"claim_share"}, "100000.00")),
    (["CL-OTHER", "L5", LATE, 1000000, 800000, None], ({"claim_programme_loan"}, "800000.00")),
    (["CL-FIRST", "L6", LATE, 1000000, 800000, None], (set(), "0.00")),
    (["CL-SECOND", "L6", D(2022, 5, 15), 1000000, 800000, None], ({"single_claim"}, "800000.00")),
    (["CL-VOID", "L8", LATE, 1000000, 800000, None], ({"contract_known"}, "800000.00")),
    (["CL-FUSE", "X1", LATE, 1000000, 800000, None], ({"bank_loss_ceiling"}, "800000.00")),
]
EXPECTED = {row[0]: rules for row, (rules, _) in CLAIMS}
EXCESS = {row[0]: excess for row, (_, excess) in CLAIMS}
ROW_OF = {row[0]: i + 2 for i, (row, _) in enumerate(CLAIMS)}


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ok(result):
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def district(tmp_path, monkeypatch):
    path = tmp_path / "测试区政策.toml"
    path.write_text(POLICY, encoding="utf-8")
    monkeypatch.setenv("LEDGER_POLICY", str(path))
    return path


def ok_loans(ledger: Ledger, tmp_path, loans: list) -> Path:
    """Import a workbook of the enterprises and `loans`; its path."""
    path = write_xlsx(
        tmp_path / "放款明细.xlsx",
        [ENTERPRISE_HEADER] + [[C[i], f"企业{i}", "巴南区"] for i in range(12)],
        sheet="企业名录",
        more={"放款明细": [LOAN_HEADER] + loans},
    )
    ok(ledger.run("import", path))
    return path


@pytest.fixture
def planted(ledger: Ledger, district, tmp_path):
    """The ledger of the module docstring, imported through the CLI; L8 voided after its claim came in."""
    loans = ok_loans(ledger, tmp_path, LOANS)
    ok(ledger.run("import", write_xlsx(tmp_path / "还款明细.xlsx", [REPAYMENT_HEADER, ["L3", D(2021, 6, 1), 600000, None]])))
    claims = write_xlsx(tmp_path / "风险补偿.xlsx", [CLAIM_HEADER] + [row for row, _ in CLAIMS], sheet="补偿")
    ok(ledger.run("import", claims))
    (loan_id,) = ledger.sql("SELECT id FROM loans WHERE contract_no = 'L8'")[0]
    ok(ledger.run("void", f"loans:{loan_id}", "--reason", "银行撤回该笔放款"))
    return ledger, loans, claims


def test_audit_finds_exactly_the_planted_claims(planted):
    ledger, _, _ = planted
    audit = ledger.json("audit", "claims")
    assert (audit["claims"], audit["eligible"], audit["ineligible"]) == (9, 2, 7)
    assert audit["amount"] == "6820000.00"
    assert audit["amount_ineligible"] == "5220000.00"  # 核定补偿 of the claims with a finding
    assert audit["amount_excess"] == "4100000.00"  # the part of it beyond what the policy allows
    found = {f["claim"]: {r["rule"] for r in f["reasons"]} for f in audit["findings"]}
    assert found == {no: rules for no, rules in EXPECTED.items() if rules}
    verdicts = {v["claim"]: v for v in audit["verdicts"]}
    assert {no: v["verdict"] for no, v in verdicts.items()} == {no: ("ineligible" if r else "eligible") for no, r in EXPECTED.items()}
    assert {no: v["excess"] for no, v in verdicts.items()} == EXCESS
    assert verdicts["CL-SHARE"]["allowed_amount"] == "800000.00"
    assert verdicts["CL-OK"]["allowed_amount"] == "800000.00"
    assert verdicts["CL-UNPAID"]["allowed_amount"] == "320000.00"


def test_each_reason_cites_parameter_source_and_evidence(planted):
    ledger, loans, claims = planted
    audit = ledger.json("audit", "claims")
    by_no = {f["claim"]: f for f in audit["findings"]}

    def reason(no):
        (r,) = by_no[no]["reasons"]
        return r

    source = "测试区知识价值信用贷款风险补偿基金管理办法(2019)"
    early = reason("CL-EARLY")
    assert "逾期仅 32 天" in early["detail"] and "不足 90 天" in early["detail"]
    assert early["parameters"] == ["risk_fund.claim_after_overdue_days=90(2019-01-01起)"] and early["source"] == source
    share = reason("CL-SHARE")
    assert "多 100,000.00 元" in share["detail"] and share["excess"] == "100000.00"
    assert share["parameters"] == ["risk_fund.fund_share=0.8(2019-01-01起)"]
    fuse = reason("CL-FUSE")
    assert "重庆三峡银行" in fuse["detail"] and "1.0000" in fuse["detail"]
    assert fuse["parameters"] == ["risk_fund.loss_ratio_ceiling=0.6(2019-01-01起)"] and fuse["source"] == source
    assert "400,000.00" in reason("CL-UNPAID")["detail"] and reason("CL-UNPAID")["excess"] is None
    assert "流动资金贷款" in reason("CL-OTHER")["detail"]
    assert "CL-FIRST" in reason("CL-SECOND")["detail"] and "2022-04-15" in reason("CL-SECOND")["detail"]
    assert "已作废" in reason("CL-VOID")["detail"]

    for no, f in by_no.items():
        assert f["evidence"]["claim"] == {"file": "风险补偿.xlsx", "sheet": "补偿", "row": ROW_OF[no], "sha256": sha(claims)}
    loan = by_no["CL-SHARE"]["evidence"]["loan"]
    assert loan == {"file": "放款明细.xlsx", "sheet": "放款明细", "row": 6, "sha256": sha(loans)}
    assert by_no["CL-VOID"]["evidence"]["loan"] is None  # the loan was voided: no live row to show

    clean = next(v for v in audit["verdicts"] if v["claim"] == "CL-OK")
    assert clean["parameters"] == [
        "risk_fund.fund_share=0.8(2019-01-01起)",
        "risk_fund.claim_after_overdue_days=90(2019-01-01起)",
        "risk_fund.loss_ratio_ceiling=0.6(2019-01-01起)",
    ]
    assert source in clean["policy"] and clean["bank"] == A


def test_totals_per_bank(planted):
    ledger, _, _ = planted
    banks = {t["name"]: t for t in ledger.json("audit", "claims")["totals"]["by_bank"]}
    assert banks[X] == {
        "name": X, "claims": 1, "amount": "800000.00", "eligible": 0, "ineligible": 1,
        "amount_ineligible": "800000.00", "amount_excess": "800000.00",
    }
    assert banks[A]["claims"] == 7 and banks[A]["amount_excess"] == "2500000.00"
    assert banks["(贷款不在账本中)"]["claims"] == 1


def test_exit_codes_and_terminal(planted):
    ledger, _, _ = planted
    plain = ok(ledger.run("audit", "claims"))
    text = plain.stdout.replace("\n", "")
    assert "CL-FUSE" in text and "按合作银行汇总" in text
    assert "共 9 笔补偿申请:合规 2 笔,不合规 7 笔" in text
    assert "5,220,000.00 元" in text and "超出政策金额 4,100,000.00 元" in text
    strict = ledger.run("audit", "claims", "--fail-on-findings", "--json")
    assert strict.exit_code == 1 and json.loads(strict.stdout)["ineligible"] == 7
    # as of a day before most claims: only CL-EARLY was made by then
    early = ledger.json("audit", "claims", "--as-of", "2022-03-01")
    assert early["as_of"] == "2022-03-01" and [v["claim"] for v in early["verdicts"]] == ["CL-EARLY"]
    bad = ledger.run("audit", "claims", "--as-of", "不是日期")
    assert bad.exit_code == 2


def test_a_clean_ledger_passes_fail_on_findings(ledger: Ledger, district, tmp_path):
    ok_loans(ledger, tmp_path, LOANS[:2])
    ok(ledger.run("import", write_xlsx(tmp_path / "c.xlsx", [CLAIM_HEADER] + [CLAIMS[0][0]])))
    result = ledger.run("audit", "claims", "--fail-on-findings", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["findings"] == [] and out["amount_excess"] == "0.00"


def test_audit_is_read_only(planted):
    ledger, _, _ = planted
    before = sha(ledger.path)
    ok(ledger.run("audit", "claims"))
    assert sha(ledger.path) == before


def test_a_claim_made_before_any_policy_is_not_allowed_once(ledger: Ledger, district, tmp_path):
    """Before the first [[risk_fund]] version no parameter can judge the claim: one finding says so, not one per rule."""
    ok_loans(ledger, tmp_path, [["L-OLD", C[0], "企业0", A, KV, D(2017, 1, 1), D(2017, 12, 31), 1000000, 4.0], LOANS[0]])
    ok(ledger.run("import", write_xlsx(tmp_path / "c.xlsx", [CLAIM_HEADER, ["CL-OLD", "L-OLD", D(2018, 6, 1), 1000000, 800000, None]])))
    audit = ledger.json("audit", "claims")  # the district's policy begins 2019-01-01
    (finding,) = audit["findings"]
    assert [r["rule"] for r in finding["reasons"]] == ["claim_policy_in_force"]
    assert "2019-01-01" in finding["reasons"][0]["detail"] and finding["excess"] == "800000.00"


def test_empty_ledger(ledger: Ledger):
    audit = ledger.json("audit", "claims")
    assert (audit["claims"], audit["amount_ineligible"], audit["amount_excess"], audit["findings"]) == (0, "0.00", "0.00", [])


def test_auditor_workbook(planted, tmp_path):
    from openpyxl import load_workbook

    ledger, _, claims = planted
    out = tmp_path / "底稿" / "补偿审计.xlsx"
    ok(ledger.run("audit", "claims", "--xlsx", out))
    wb = load_workbook(out)
    assert wb.sheetnames == ["审计结论", "按合作银行汇总", "说明"]
    ws = wb["审计结论"]
    header = [c.value for c in ws[1]]
    col = {name: i for i, name in enumerate(header)}
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert {no: r[col["结论"]] for no, r in rows.items()} == {no: ("不合规" if r else "合规") for no, r in EXPECTED.items()}
    assert {no: Decimal(str(r[col["超出政策金额(元)"]])) for no, r in rows.items()} == {no: Decimal(e) for no, e in EXCESS.items()}
    assert rows["CL-SHARE"][col["政策允许金额(元)"]] == 800000
    assert "【补偿不超过基金承担比例】" in rows["CL-SHARE"][col["不合规原因"]]
    assert rows["CL-FUSE"][col["不合规规则"]] == "bank_loss_ceiling"
    assert rows["CL-FUSE"][col["补偿记录行"]] == ROW_OF["CL-FUSE"]
    assert rows["CL-FUSE"][col["补偿记录文件SHA256"]] == sha(claims)
    assert rows["CL-FUSE"][col["放款记录工作表"]] == "放款明细"
    totals = {r[0]: r for r in wb["按合作银行汇总"].iter_rows(min_row=2, values_only=True)}
    assert totals["合计"][1:] == (9, 6820000, 2, 7, 5220000, 4100000)
    notes = dict(r for r in wb["说明"].iter_rows(min_row=2, values_only=True))
    assert notes["超出政策金额(元)(超过政策允许的部分)"] == 4100000


def test_json_output_matches_its_schema(planted):
    from json_schemas import validate

    ledger, _, _ = planted
    validate("audit-claims", ledger.json("audit", "claims"))


def test_a_new_claim_dated_before_a_stored_one_is_the_loss(ledger: Ledger, district, tmp_path):
    """The loan's first claim is the earliest by 申请日期 whatever order the files came in:
    the audit's second claim, the outstanding report's write-off and the fund's bank loss agree."""
    ok_loans(ledger, tmp_path, LOANS[:2])
    ok(ledger.run("import", write_xlsx(tmp_path / "c1.xlsx", [CLAIM_HEADER, ["CL-LATER", "L1", D(2022, 6, 1), 1000000, 800000, None]])))
    ok(ledger.run("import", write_xlsx(tmp_path / "c2.xlsx", [CLAIM_HEADER, ["CL-EARLIER", "L1", D(2022, 4, 15), 900000, 720000, None]])))
    audit = ledger.json("audit", "claims")
    found = {f["claim"]: [r["rule"] for r in f["reasons"]] for f in audit["findings"]}
    assert found == {"CL-LATER": ["single_claim"]}
    assert "CL-EARLIER" in audit["findings"][0]["reasons"][0]["detail"]
    outstanding = ledger.json("report", "outstanding", "--by", "loan", "--as-of", "2022-12-31")
    (l1,) = [r for r in outstanding["rows"] if r["key"] == "L1"]
    assert l1["written_off"] == "900000.00"
    fund = ledger.json("report", "fund", "--as-of", "2022-12-31")
    (bank,) = fund["banks"]
    assert bank["losses"] == "900000.00" and bank["defaults"] == 1


def test_bare_query_of_the_bench_agrees_on_every_planted_rule(planted, district):
    """bench/bare_claims.py states the claim rules once more in SQL; on a claim planted per rule the figures agree."""
    import sys

    import duckdb

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import run as bench_run

    from ledger.policy import load_policy

    ledger, _, _ = planted
    policy = load_policy(district)
    con = duckdb.connect(str(ledger.path), read_only=True)
    try:
        report = bench_run.claims_audit(con, policy)
        got = bench_run.bare(con, bench_run.bare_claims.statements(policy, bench_run.live), dt.date.today())
    finally:
        con.close()
    assert report.total.amount_excess == Decimal("4100000.00")
    assert bench_run.agree("claims", report, got)
