"""Loan lifecycle and the risk-compensation fund, end to end through the real CLI.

The ledger built here has figures known by construction (all amounts in 元):

capital   市级 4,000,000.00 (2020-01-10) + 区级 6,000,000.00 (2020-01-20); 其他 1,000,000.00 on 2022-03-01
loans     HT-1 农商行 C0 4,500,000.00  2020-03-01 → 2021-02-28   repaid 1,000,000 + 3,500,000
          HT-2 农商行 C1 2,000,000.00  2020-04-01 → 2021-03-31   repaid   500,000; claim CL-001 (default)
          HT-3 重庆银行 C2 4,000,000.00 2020-05-01 → 2021-04-30   repaid 1,000,000 + 500,000 + 500,000 (a repeated row)
          HT-4 重庆银行 C3 1,500,000.00 2020-06-01 → 2021-05-31   repaid   300,000 + 200,000; claim CL-002 (default)
          HT-5 重庆银行 C4 2,500,000.00 流动资金贷款 (guided, not programme)
          HT-6 农商行 C5 4,800,000.00  2021-09-01 → 2022-08-31
claims    CL-001 HT-2 2021-07-15 逾期本金 1,500,000.00 核定 1,200,000.00 paid 2021-08-20
          CL-002 HT-4 2021-10-08 逾期本金 1,000,000.00 核定   800,000.00 unpaid
recovery  HT-2 2021-11-30 123,456.78 → fund's share × 1.2/1.5 = 98,765.42 (98,765.424 rounded)

The district's policy file has two versions: ceiling 0.25 from 2019, 0.15 from 2022.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from conftest import ENTERPRISE_HEADER, LOAN_HEADER, Ledger, codes, write_xlsx

D = dt.date
C = codes(8, seed=44)
NAMES = ["重庆智联科技有限公司", "重庆渝芯电子有限公司", "重庆云帆软件有限公司", "重庆华创新材有限公司",
         "重庆博远生物医药有限公司", "重庆精工智能装备有限公司", "重庆天极光电有限公司", "重庆锐达检测技术有限公司"]
A, B = "重庆农村商业银行", "重庆银行"
KV, OTHER = "知识价值信用贷款", "流动资金贷款"

CONTRIBUTION_HEADER = ["基金名称", "出资方", "到位日期", "出资金额"]
REPAYMENT_HEADER = ["贷款合同编号", "还款日期", "归还本金", "归还利息"]
CLAIM_HEADER = ["补偿申请编号", "贷款合同编号", "申请日期", "逾期本金", "核定补偿金额", "拨付日期"]
RECOVERY_HEADER = ["贷款合同编号", "回收日期", "回收金额"]
FUND = "知识价值信用贷款风险补偿基金"

POLICY = """
name = "测试区风险补偿政策"

[[risk_fund]]
effective_from = 2019-01-01
source = "测试区知识价值信用贷款风险补偿基金管理办法(2019)"
fund_share = "0.8"
claim_after_overdue_days = 90
single_enterprise_cap = "5000000.00"
loss_ratio_ceiling = "0.25"

[[risk_fund]]
effective_from = 2022-01-01
source = "测试区知识价值信用贷款风险补偿基金管理办法(2022修订)"
fund_share = "0.8"
claim_after_overdue_days = 90
single_enterprise_cap = "5000000.00"
loss_ratio_ceiling = "0.15"
"""

LOANS = [
    ["HT-1", C[0], NAMES[0], A, KV, D(2020, 3, 1), D(2021, 2, 28), 4500000, 4.35],
    ["HT-2", C[1], NAMES[1], A, KV, D(2020, 4, 1), D(2021, 3, 31), 2000000, 4.35],
    ["HT-3", C[2], NAMES[2], B, KV, D(2020, 5, 1), D(2021, 4, 30), 4000000, 4.2],
    ["HT-4", C[3], NAMES[3], B, KV, D(2020, 6, 1), D(2021, 5, 31), 1500000, 4.2],
    ["HT-5", C[4], NAMES[4], B, OTHER, D(2020, 7, 1), D(2021, 6, 30), 2500000, 5.0],
    ["HT-6", C[5], NAMES[5], A, KV, D(2021, 9, 1), D(2022, 8, 31), 4800000, 4.0],
]

REPAYMENTS = [
    ["HT-1", D(2020, 9, 1), 1000000, 16312.5],
    ["HT-1", D(2021, 2, 28), 3500000, 110250],
    ["HT-2", D(2020, 10, 1), 500000, 8000],
    ["HT-3", D(2021, 1, 15), 1000000, None],
    ["HT-3", D(2021, 4, 30), 500000, None],
    ["HT-3", D(2021, 4, 30), 500000, None],  # the same repayment twice on one day: both count
    ["HT-4", D(2020, 12, 1), 300000, None],
    ["HT-4", D(2021, 3, 1), "200,000.00", None],
]

CLAIMS = [
    ["CL-001", "HT-2", D(2021, 7, 15), 1500000, 1200000, D(2021, 8, 20)],
    ["CL-002", "HT-4", "2021/10/8", "100", "80", None],
]


@pytest.fixture
def district(tmp_path, monkeypatch):
    """A district's own policy file, in use through $LEDGER_POLICY."""
    path = tmp_path / "测试区政策.toml"
    path.write_text(POLICY, encoding="utf-8")
    monkeypatch.setenv("LEDGER_POLICY", str(path))
    return path


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def build(ledger: Ledger, tmp_path) -> None:
    """The ledger of the module docstring, imported file by file as an office would."""
    ok(
        ledger.run(
            "import",
            write_xlsx(
                tmp_path / "放款明细.xlsx",
                [ENTERPRISE_HEADER] + [[C[i], NAMES[i], "巴南区"] for i in range(8)],
                sheet="企业名录",
                more={"放款明细": [LOAN_HEADER] + LOANS},
            ),
        )
    )
    contributions = [
        ["风险补偿基金出资到位表"],
        CONTRIBUTION_HEADER[:3] + ["出资金额(万元)"],
        [FUND, "市级", D(2020, 1, 10), 400],
        [FUND, "区级", "2020年1月20日", 600],
        [FUND, "其他", D(2022, 3, 1), 100],
    ]
    ok(ledger.run("import", write_xlsx(tmp_path / "基金出资.xlsx", contributions)))
    result = ok(ledger.run("import", write_xlsx(tmp_path / "还款明细.xlsx", [REPAYMENT_HEADER] + REPAYMENTS)))
    assert "还款明细: 8 行" in result.stdout
    # claims in 万元 for CL-002, in 元 for CL-001: the unit comes from each sheet's header
    claims = write_xlsx(
        tmp_path / "风险补偿.xlsx",
        [CLAIM_HEADER] + [CLAIMS[0]],
        sheet="补偿一",
        more={
            "补偿二": [CLAIM_HEADER[:3] + ["逾期本金(万元)", "核定补偿金额(万元)", "拨付日期"], CLAIMS[1]],
            "追偿": [RECOVERY_HEADER, ["HT-2", D(2021, 11, 30), 123456.78]],
        },
    )
    result = ok(ledger.run("import", claims))
    assert "提示" not in result.stdout, result.stdout  # a clean claims file raises no finding


def test_fund_statement_to_the_fen(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    s = ledger.json("report", "fund", "--as-of", "2021-12-31")
    assert s.pop("basis")["as_of"] == "2021-12-31"  # the basis: see tests/test_history.py
    assert s == {
        "as_of": "2021-12-31",
        "capital": "10000000.00",
        "capital_by_source": {"市级": "4000000.00", "区级": "6000000.00", "其他": "0.00"},
        "compensation_paid": "1200000.00",
        "recoveries_returned": "98765.42",
        "recovered": "123456.78",
        "balance": "8898765.42",
        "claims": {"count": 2, "paid_count": 1, "pending_count": 1, "pending": "800000.00"},
        "banks": [
            {"bank": A, "loans": "11300000.00", "loan_count": 3, "losses": "1500000.00", "defaults": 1,
             "loss_ratio": "0.1327", "compensation_paid": "1200000.00", "past_ceiling": False},
            {"bank": B, "loans": "5500000.00", "loan_count": 2, "losses": "1000000.00", "defaults": 1,
             "loss_ratio": "0.1818", "compensation_paid": "0.00", "past_ceiling": False},
        ],
        "loss_ratio_ceiling": {"value": "0.25", "rule": "risk_fund.loss_ratio_ceiling=0.25(2019-01-01起)"},
        "warnings": [],
        "notes": [],
        "policy": {"name": "测试区风险补偿政策", "sha256": hashlib.sha256(district.read_bytes()).hexdigest()},
    }


def test_fund_statement_over_time_and_ceiling_in_force(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    # before the first claim was paid and before HT-6: nothing out, nothing owed
    early = ledger.json("report", "fund", "--as-of", "2021-07-14")
    assert (early["capital"], early["compensation_paid"], early["balance"]) == ("10000000.00", "0.00", "10000000.00")
    assert early["claims"] == {"count": 0, "paid_count": 0, "pending_count": 0, "pending": "0.00"}
    assert [(b["bank"], b["loans"], b["losses"], b["loss_ratio"]) for b in early["banks"]] == [
        (A, "6500000.00", "0.00", "0.0000"),
        (B, "5500000.00", "0.00", "0.0000"),
    ]
    # claimed but not yet paid: owed to the bank, not out of the fund
    claimed = ledger.json("report", "fund", "--as-of", "2021-08-19")
    assert claimed["claims"] == {"count": 1, "paid_count": 0, "pending_count": 1, "pending": "1200000.00"}
    assert claimed["balance"] == "10000000.00"
    # 2022: 其他 capital arrives; the 2022 version's ceiling 0.15 puts 重庆银行 (0.1818) past it
    late = ledger.json("report", "fund", "--as-of", "2022-06-30")
    assert late["capital"] == "11000000.00" and late["capital_by_source"]["其他"] == "1000000.00"
    assert late["balance"] == "9898765.42"
    assert late["loss_ratio_ceiling"] == {"value": "0.15", "rule": "risk_fund.loss_ratio_ceiling=0.15(2022-01-01起)"}
    assert [(b["bank"], b["past_ceiling"]) for b in late["banks"]] == [(A, False), (B, True)]
    assert len(late["warnings"]) == 1
    assert B in late["warnings"][0] and "0.1818" in late["warnings"][0] and "loss_ratio_ceiling=0.15(2022-01-01起)" in late["warnings"][0]
    # the table shows the same warning to a person
    table = ok(ledger.run("report", "fund", "--as-of", "2022-06-30"))
    assert "风险补偿基金情况" in table.stdout and "超上限" in table.stdout and "警告" in table.stdout
    assert "989.88" in table.stdout  # balance in 万元


def test_leverage_each_with_numerator_and_denominator(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    lev = ledger.json("report", "leverage", "--as-of", "2021-12-31")
    assert lev.pop("basis")["as_of"] == "2021-12-31"
    assert lev == {
        "as_of": "2021-12-31",
        # 16,800,000 programme loans ÷ 10,000,000 capital
        "fund_leverage": {"value": "1.68", "numerator": "16800000.00", "denominator": "10000000.00", "unit": "倍"},
        # 2,500,000 guided ÷ 16,800,000 = 0.1488
        "guided_ratio": {"value": "0.15", "numerator": "2500000.00", "denominator": "16800000.00", "unit": "元/元"},
        # (1,200,000 − 98,765.42) × 10000 ÷ 16,800,000 = 655.4968 元 per 万元 lent
        "net_loss_rate": {"value": "655.50", "numerator": "1101234.58", "denominator": "16800000.00", "unit": "元/万元"},
        "notes": [],
    }
    before = ledger.json("report", "leverage", "--as-of", "2020-12-31")
    assert before["fund_leverage"] == {"value": "1.20", "numerator": "12000000.00", "denominator": "10000000.00", "unit": "倍"}
    assert before["net_loss_rate"]["value"] == "0.00"
    assert ok(ledger.run("report", "leverage", "--as-of", "2021-12-31")).stdout.count("1.68") == 1


def test_leverage_of_lianping_shape(ledger: Ledger, district, tmp_path):
    """梁平: a 1亿元 fund, 2.6亿元 of programme loans → 2.60; 江北-style guided 2.06 ÷ 3.69 = 0.56."""
    rows = [LOAN_HEADER[:7] + ["放款金额(万元)", "年利率(%)"]]
    for i in range(4):
        rows.append([f"LP-{i}", C[i], NAMES[i], A, KV, D(2021, 1, 1), D(2022, 1, 1), 6500, 4.0])
    rows.append(["LP-G", C[4], NAMES[4], B, OTHER, D(2021, 1, 1), D(2022, 1, 1), 14500, 5.0])
    ok(ledger.run("import", write_xlsx(tmp_path / "l.xlsx", [ENTERPRISE_HEADER] + [[C[i], NAMES[i], "梁平区"] for i in range(5)], more={"放款": rows})))
    ok(ledger.run("import", write_xlsx(tmp_path / "c.xlsx", [CONTRIBUTION_HEADER[:3] + ["出资金额(万元)"], [FUND, "市级", D(2020, 6, 1), 4000], [FUND, "区级", D(2020, 6, 1), 6000]])))
    lev = ledger.json("report", "leverage", "--as-of", "2021-12-31")
    assert lev["fund_leverage"] == {"value": "2.60", "numerator": "260000000.00", "denominator": "100000000.00", "unit": "倍"}
    assert lev["guided_ratio"]["value"] == "0.56"


def test_outstanding_per_loan_bank_enterprise(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    loans = ledger.json("report", "outstanding", "--as-of", "2021-12-31", "--by", "loan")
    assert loans["total"] == {"loans": 5, "disbursed": "16800000.00", "repaid": "7500000.00", "written_off": "2500000.00", "outstanding": "6800000.00"}
    by_loan = {r["key"]: (r["repaid"], r["written_off"], r["outstanding"]) for r in loans["rows"]}
    assert by_loan == {
        "HT-6": ("0.00", "0.00", "4800000.00"),
        "HT-3": ("2000000.00", "0.00", "2000000.00"),
        "HT-1": ("4500000.00", "0.00", "0.00"),
        "HT-2": ("500000.00", "1500000.00", "0.00"),
        "HT-4": ("500000.00", "1000000.00", "0.00"),
    }
    assert [r["key"] for r in loans["rows"]][:2] == ["HT-6", "HT-3"]
    banks = ledger.json("report", "outstanding", "--as-of", "2021-12-31")
    assert [(r["key"], r["disbursed"], r["repaid"], r["written_off"], r["outstanding"]) for r in banks["rows"]] == [
        (A, "11300000.00", "5000000.00", "1500000.00", "4800000.00"),
        (B, "5500000.00", "2500000.00", "1000000.00", "2000000.00"),
    ]
    # mid-2021: HT-6 not lent, no claim yet, HT-3's two same-day repayments both counted
    mid = ledger.json("report", "outstanding", "--as-of", "2021-06-30", "--by", "enterprise")
    assert mid["total"]["outstanding"] == "4500000.00"
    assert {r["key"]: r["outstanding"] for r in mid["rows"]} == {
        C[0]: "0.00", C[1]: "1500000.00", C[2]: "2000000.00", C[3]: "1000000.00"
    }
    assert next(r for r in mid["rows"] if r["key"] == C[1])["name"] == NAMES[1]
    table = ok(ledger.run("report", "outstanding", "--by", "bank", "--as-of", "2021-12-31")).stdout
    assert "合计" in table and "1,680.00" in table and "480.00" in table
    bad = ledger.run("report", "outstanding", "--by", "区县")
    assert bad.exit_code == 2 and "--by" in bad.stderr


def test_stored_rows_and_journal(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    from decimal import Decimal

    assert ledger.sql("SELECT contract_no, occurrence, principal FROM repayments WHERE contract_no = 'HT-3' ORDER BY id") == [
        ("HT-3", 1, Decimal("1000000.00")), ("HT-3", 1, Decimal("500000.00")), ("HT-3", 2, Decimal("500000.00"))
    ]
    assert ledger.sql("SELECT claim_no, overdue_principal, approved_amount, paid_on FROM claims ORDER BY claim_no") == [
        ("CL-001", Decimal("1500000.00"), Decimal("1200000.00"), D(2021, 8, 20)),
        ("CL-002", Decimal("1000000.00"), Decimal("800000.00"), None),
    ]
    assert ledger.sql("SELECT sum(amount) FROM contributions") == [(Decimal("11000000.00"),)]
    assert ledger.run("verify").exit_code == 0


def test_resent_repayments_are_not_doubled(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    resent = write_xlsx(tmp_path / "还款明细-重报.xlsx", [REPAYMENT_HEADER] + REPAYMENTS[3:6] + [["HT-6", D(2021, 12, 1), 800000, None]])
    result = ok(ledger.run("import", resent))
    assert "1 行" in result.stdout and "3 行已在账本中" in result.stdout
    assert ledger.sql("SELECT count(*) FROM repayments") == [(9,)]
    o = ledger.json("report", "outstanding", "--as-of", "2021-12-31", "--by", "loan")
    assert {r["key"]: r["outstanding"] for r in o["rows"]}["HT-6"] == "4000000.00"


def test_claims_breaking_rules_are_imported_and_named(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    bad = write_xlsx(
        tmp_path / "风险补偿-二批.xlsx",
        [
            CLAIM_HEADER,
            ["CL-003", "HT-5", D(2021, 12, 1), 2500000, 2000000, None],  # row 2: not a programme loan
            ["CL-004", "HT-2", D(2021, 12, 5), 1500000, 1200000, None],  # row 3: second claim on HT-2
            ["CL-005", "HT-6", D(2022, 9, 15), 4800000, 4000000, None],  # row 4: 15 days overdue; above 0.8; bank past 0.15
            ["CL-006", "HT-3", D(2021, 9, 1), 3000000, 1600000, None],  # row 5: 逾期本金 above the unpaid 2,000,000
        ],
    )
    result = ledger.run("import", bad, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert not out["refused"] and out["sheets"][0]["added"] == 4
    found = {(p["code"], p["cell"]): p for p in out["problems"]}
    assert all(p["severity"] == "warning" for p in out["problems"])
    assert {code for code, _ in found} == {
        "claim_not_programme_loan", "second_claim", "claim_too_early", "claim_above_share", "bank_past_loss_ceiling", "claim_above_unpaid"
    }
    assert "流动资金贷款" in found[("claim_not_programme_loan", "B2")]["message"]
    assert "CL-001" in found[("second_claim", "B3")]["message"]
    early = found[("claim_too_early", "C4")]["message"]
    assert "逾期仅 15 天" in early and "risk_fund.claim_after_overdue_days=90(2022-01-01起)" in early
    share = found[("claim_above_share", "E4")]
    assert "3,840,000.00" in share["message"] and "risk_fund.fund_share=0.8(2022-01-01起)" in share["message"]
    assert share["column"] == "核定补偿金额" and share["value"] == "4000000"
    ceiling = found[("bank_past_loss_ceiling", "C4")]["message"]
    # 农商行 on 2022-09-15: losses 1,500,000 + 4,800,000 over loans 11,300,000 = 0.5575 > 0.15
    assert A in ceiling and "0.5575" in ceiling and "risk_fund.loss_ratio_ceiling=0.15(2022-01-01起)" in ceiling
    unpaid = found[("claim_above_unpaid", "D5")]["message"]
    assert "3,000,000.00" in unpaid and "2,000,000.00" in unpaid
    # 重庆银行 on 2021-09-01 with HT-3's loss: 3,000,000 ÷ 5,500,000 = 0.5455 > 0.25 (2019 version)
    assert "loss_ratio_ceiling=0.25(2019-01-01起)" in found[("bank_past_loss_ceiling", "C5")]["message"]
    # imported: compensation owed grows; the second claim on HT-2 adds no loss
    s = ledger.json("report", "fund", "--as-of", "2022-12-31")
    assert s["claims"]["count"] == 6 and s["claims"]["pending"] == "9600000.00"
    assert next(b for b in s["banks"] if b["bank"] == A)["losses"] == "6300000.00"
    table = ledger.run("import", bad)
    assert table.exit_code == 1 and "导入过" in table.stdout


def test_unknown_contract_refuses_the_file(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    before = ledger.sql("SELECT count(*) FROM claims")
    bad = write_xlsx(tmp_path / "补偿.xlsx", [CLAIM_HEADER, ["CL-9", "HT-404", D(2021, 12, 1), 100, 80, None]])
    result = ledger.run("import", bad, "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["code"], p["cell"], p["severity"]) for p in problems] == [("unknown_contract", "B2", "error")]
    assert ledger.sql("SELECT count(*) FROM claims") == before
    for header, row in ((REPAYMENT_HEADER, ["HT-404", D(2021, 1, 1), 1, None]), (RECOVERY_HEADER, ["HT-404", D(2021, 1, 1), 1])):
        r = ledger.run("import", write_xlsx(tmp_path / f"{header[1]}.xlsx", [header, row]))
        assert r.exit_code == 1 and "HT-404" in r.stdout


def test_loans_and_claims_in_one_workbook(ledger: Ledger, district, tmp_path):
    """A claim on a loan of the same workbook is known; recoveries see the claims of the same import."""
    book = write_xlsx(
        tmp_path / "全套.xlsx",
        [ENTERPRISE_HEADER, [C[6], NAMES[6], "巴南区"]],
        more={
            "追偿": [RECOVERY_HEADER, ["N-1", D(2022, 3, 1), 10000]],
            "补偿": [CLAIM_HEADER, ["CL-N", "N-1", D(2022, 1, 15), 500000, 400000, D(2022, 2, 1)]],
            "放款": [LOAN_HEADER, ["N-1", C[6], NAMES[6], A, KV, D(2020, 10, 1), D(2021, 10, 1), 500000, 4.0]],
        },
    )
    result = ledger.run("import", book, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # the claim makes the bank's ratio 1.0 past the 2022 ceiling; nothing else is wrong
    assert [p["code"] for p in out["problems"]] == ["bank_past_loss_ceiling"]
    s = ledger.json("report", "fund", "--as-of", "2022-12-31")
    assert (s["compensation_paid"], s["recoveries_returned"], s["balance"]) == ("400000.00", "8000.00", "-392000.00")


def test_recovery_rules(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    bad = write_xlsx(tmp_path / "追偿.xlsx", [RECOVERY_HEADER, ["HT-3", D(2021, 12, 1), 10000], ["HT-2", D(2021, 12, 20), 1400000]])
    out = json.loads(ok(ledger.run("import", bad, "--json")).stdout)
    found = {(p["code"], p["cell"]): p["message"] for p in out["problems"]}
    assert set(found) == {("recovery_without_claim", "A2"), ("recovery_above_loss", "C3")}
    # HT-2: 123,456.78 earlier + 1,400,000 = 1,523,456.78 > 1,500,000 lost
    assert "1,523,456.78" in found[("recovery_above_loss", "C3")] and "1,500,000.00" in found[("recovery_above_loss", "C3")]
    s = ledger.json("report", "fund", "--as-of", "2021-12-31")
    # 98,765.42 + 1,400,000 × 0.8 = 1,218,765.42; HT-3 without a claim returns nothing
    assert s["recoveries_returned"] == "1218765.42" and s["recovered"] == "1533456.78"


def test_repayment_above_principal_and_paid_before_claim(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    over = write_xlsx(tmp_path / "还款2.xlsx", [REPAYMENT_HEADER, ["HT-6", D(2022, 1, 1), 4000000, None], ["HT-6", D(2022, 2, 1), 900000, None]])
    out = json.loads(ok(ledger.run("import", over, "--json")).stdout)
    assert [(p["code"], p["cell"]) for p in out["problems"]] == [("repayment_above_principal", "C3")]
    early = write_xlsx(tmp_path / "补偿3.xlsx", [CLAIM_HEADER, ["CL-7", "HT-3", D(2021, 12, 1), 2000000, 1600000, D(2021, 11, 1)]])
    r = ledger.run("import", early, "--json")
    assert r.exit_code == 1
    problems = json.loads(r.stdout)["problems"]
    assert [(p["code"], p["cell"]) for p in problems if p["severity"] == "error"] == [("paid_before_claim", "F2")]


def test_a_repayment_after_the_claim_wrote_the_loan_off_is_named(ledger: Ledger, district, tmp_path):
    """HT-2: 2,000,000 lent, 500,000 repaid, 1,500,000 claimed on 2021-07-15; 50,000 more "repaid" after it is too much."""
    build(ledger, tmp_path)
    late = write_xlsx(tmp_path / "还款3.xlsx", [REPAYMENT_HEADER, ["HT-2", D(2021, 12, 1), 50000, None]])
    out = json.loads(ok(ledger.run("import", late, "--json")).stdout)
    (p,) = out["problems"]
    assert (p["code"], p["cell"]) == ("repayment_above_principal", "C2")
    assert "550,000.00" in p["message"] and "1,500,000.00" in p["message"] and "2,000,000.00" in p["message"]
    assert "追偿回收" in p["hint"]


def test_enterprise_cap_on_loans(ledger: Ledger, district, tmp_path):
    build(ledger, tmp_path)
    # C0 owes nothing after 2021-02-28; C5 owes 4,800,000 from 2021-09-01
    more = write_xlsx(
        tmp_path / "放款2.xlsx",
        [
            LOAN_HEADER,
            ["HT-7", C[0], NAMES[0], A, KV, D(2021, 10, 1), D(2022, 10, 1), 5000000, 4.0],  # exactly the cap: fine
            ["HT-8", C[5], NAMES[5], B, KV, D(2021, 10, 1), D(2022, 10, 1), 300000, 4.0],  # 5,100,000 > cap
            ["HT-9", C[5], NAMES[5], B, OTHER, D(2021, 10, 1), D(2022, 10, 1), 9000000, 5.0],  # guided: no cap
        ],
    )
    out = json.loads(ok(ledger.run("import", more, "--json")).stdout)
    assert [(p["code"], p["cell"]) for p in out["problems"]] == [("enterprise_cap_exceeded", "H3")]
    message = out["problems"][0]["message"]
    assert "5,100,000.00" in message and "risk_fund.single_enterprise_cap=5000000.00(2019-01-01起)" in message
    assert ledger.sql("SELECT count(*) FROM loans WHERE contract_no IN ('HT-7', 'HT-8', 'HT-9')") == [(3,)]


def test_contributor_must_be_a_known_source(ledger: Ledger, district, tmp_path):
    bad = write_xlsx(tmp_path / "出资.xlsx", [CONTRIBUTION_HEADER, [FUND, "市级", D(2020, 1, 1), 100], [FUND, "省级", D(2020, 1, 1), 100]])
    r = ledger.run("import", bad, "--json")
    assert r.exit_code == 1
    assert [(p["code"], p["cell"], p["value"]) for p in json.loads(r.stdout)["problems"]] == [("bad_contributor", "B3", "省级")]
    assert ledger.sql("SELECT count(*) FROM contributions") == [(0,)]


def test_dates_before_any_policy_version_are_reported(ledger: Ledger, district, tmp_path):
    old = write_xlsx(
        tmp_path / "旧放款.xlsx",
        [ENTERPRISE_HEADER, [C[7], NAMES[7], "巴南区"]],
        more={"放款": [LOAN_HEADER, ["OLD-1", C[7], NAMES[7], A, KV, D(2018, 5, 1), D(2019, 5, 1), 100000, 4.0]]},
    )
    out = json.loads(ok(ledger.run("import", old, "--json")).stdout)
    assert [(p["code"], p["cell"]) for p in out["problems"]] == [("no_policy_in_force", "H2")]
    assert "2019-01-01" in out["problems"][0]["message"]


def test_default_policy_names_its_figures(ledger: Ledger, tmp_path, monkeypatch):
    """With no district file, the shipped default judges claims and is cited."""
    monkeypatch.delenv("LEDGER_POLICY", raising=False)
    ok(ledger.run("import", write_xlsx(tmp_path / "l.xlsx", [ENTERPRISE_HEADER, [C[0], NAMES[0], "巴南区"]], more={"放款": [LOAN_HEADER, LOANS[0]]})))
    claim = write_xlsx(tmp_path / "c.xlsx", [CLAIM_HEADER, ["CL-D", "HT-1", D(2021, 7, 1), 1000000, 900000, None]])
    out = json.loads(ok(ledger.run("import", claim, "--json")).stdout)
    share = next(p for p in out["problems"] if p["code"] == "claim_above_share")
    assert "risk_fund.fund_share=0.8(2017-01-01起)" in share["message"] and "800,000.00" in share["message"]
    s = ledger.json("report", "fund", "--as-of", "2021-12-31")
    assert s["loss_ratio_ceiling"]["rule"] == "risk_fund.loss_ratio_ceiling=0.05(2017-01-01起)"
    assert s["banks"][0]["past_ceiling"] is True and len(s["warnings"]) == 1


def test_a_recovery_returns_to_the_fund_only_once_the_fund_has_paid(ledger: Ledger, district, tmp_path):
    """A bank may recover before the fund pays its claim: nothing comes back to the fund until it has paid."""
    build(ledger, tmp_path)
    early = write_xlsx(tmp_path / "追偿二.xlsx", [RECOVERY_HEADER, ["HT-2", D(2021, 8, 1), 10000], ["HT-4", D(2021, 11, 1), 50000]])
    ok(ledger.run("import", early))
    # CL-001 claimed 2021-07-15, paid 2021-08-20: on 2021-08-10 the fund has paid nothing
    before = ledger.json("report", "fund", "--as-of", "2021-08-10")
    assert (before["recovered"], before["recoveries_returned"], before["balance"]) == ("10000.00", "0.00", "10000000.00")
    lev = ledger.json("report", "leverage", "--as-of", "2021-08-10")
    assert lev["net_loss_rate"]["numerator"] == "0.00"
    # once paid, the earlier recovery counts: 10,000 × 1.2/1.5 = 8,000; HT-4's claim (CL-002) is never paid
    after = ledger.json("report", "fund", "--as-of", "2021-12-31")
    assert after["recovered"] == "183456.78"
    assert after["recoveries_returned"] == "106765.42"  # 98,765.42 + 8,000.00, nothing of HT-4's 50,000
    assert after["balance"] == "8906765.42"


def test_a_claim_whose_loan_is_voided_is_named_and_no_policy_in_force_is_said(ledger: Ledger, district, tmp_path):
    """The bank rows cannot hold a claim whose loan was voided: the statement says so instead of dropping it silently."""
    build(ledger, tmp_path)
    ((row,),) = ledger.sql("SELECT id FROM loans WHERE contract_no = 'HT-2'")
    assert ledger.run("void", f"loans:{row}", "--reason", "银行撤回该笔放款").exit_code == 0
    s = ledger.json("report", "fund", "--as-of", "2021-12-31")
    assert s["compensation_paid"] == "1200000.00"  # paid out all the same
    assert sum(float(b["compensation_paid"]) for b in s["banks"]) == 0  # CL-001's loan is gone from 农商行's row
    assert any("CL-001" in w and "HT-2" in w and "不在账本的有效放款中" in w for w in s["warnings"]), s["warnings"]
    # a claim on a loan the ledger holds as another product is said as such (imported with its own warning)
    guided = write_xlsx(tmp_path / "补偿9.xlsx", [CLAIM_HEADER, ["CL-9", "HT-5", D(2021, 9, 1), 100000, 80000, None]])
    assert ledger.run("import", guided).exit_code == 0
    s = ledger.json("report", "fund", "--as-of", "2021-12-31")
    assert any("CL-9" in w and "是流动资金贷款,不是本项目贷款" in w for w in s["warnings"]), s["warnings"]
    # before the district's first version (2019-01-01) no ceiling is in force: said, not left blank
    early = ledger.json("report", "fund", "--as-of", "2018-12-31")
    assert early["loss_ratio_ceiling"] is None and early["banks"] == []
    policy = tmp_path / "无熔断.toml"
    policy.write_text('name = "无熔断"\n[[risk_fund]]\neffective_from = 2019-01-01\nsource = "测试"\nfund_share = "0.8"\n', encoding="utf-8")
    bare = ledger.json("report", "fund", "--as-of", "2021-12-31", "--policy", policy)
    assert any("loss_ratio_ceiling" in w and "未与熔断上限比较" in w for w in bare["warnings"]), bare["warnings"]
