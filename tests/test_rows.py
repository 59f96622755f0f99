"""`ledger rows KIND` (issue 14 item 4): the rows behind a figure, their source, and a 合计 equal to the report's."""

from __future__ import annotations

import csv
import json

import pytest
from json_schemas import validate as check
from month_support import C, CCB, CQB, CCB_LOANS, CQB_LOANS, RCB, RCB_LOANS, month, total

from conftest import Ledger


@pytest.fixture
def led(ledger: Ledger, tmp_path) -> Ledger:
    month(ledger, tmp_path)
    return ledger


def rows_json(led: Ledger, *args) -> dict:
    data = led.json("rows", *args)
    check("rows", data)
    return data


def breakdown(led: Ledger, by: str, *args) -> dict:
    data = led.json("report", "summary", "--by", by, *args)
    return {r["key"]: r for r in data["breakdowns"][by]}


def test_bank_month_programme_total_equals_the_summary_by_bank(led: Ledger):
    by_bank = breakdown(led, "bank", "--month", "2021-10")
    for bank in (RCB, CQB, CCB):
        data = rows_json(led, "loans", "--bank", bank, "--month", "2021-10", "--programme")
        assert data["total"]["sums"]["amount"] == by_bank[bank]["loans"]["amount"]
        assert data["total"]["rows"] == by_bank[bank]["loans"]["count"]
        assert data["total"]["enterprises"] == by_bank[bank]["loans"]["enterprises"]
        everything = RCB_LOANS + CQB_LOANS + CCB_LOANS
        assert data["total"]["sums"]["amount"] == f"{total(everything, '2021-10', bank):.2f}"
        guided = rows_json(led, "loans", "--bank", bank, "--month", "2021-10", "--other")
        assert guided["total"]["sums"]["amount"] == by_bank[bank]["guided"]["amount"]


def test_district_grade_and_cumulative_totals_equal_the_reports(led: Ledger):
    by_district = breakdown(led, "district", "--as-of", "2021-12-31")
    for district, row in by_district.items():
        data = rows_json(led, "loans", "--district", district, "--to", "2021-12-31", "--programme")
        assert data["total"]["sums"]["amount"] == row["loans"]["amount"]
        apps = rows_json(led, "applications", "--district", district, "--as-of", "2021-12-31")
        assert apps["total"]["sums"]["amount"] == row["applications"]["amount"]
    by_grade = breakdown(led, "grade", "--from", "2021-09-01", "--to", "2021-10-31")
    assert "未评级" in by_grade
    for grade, row in by_grade.items():
        data = rows_json(led, "loans", "--grade", grade, "--from", "2021-09-01", "--to", "2021-10-31", "--programme")
        assert data["total"]["sums"]["amount"] == row["loans"]["amount"]
        assert data["total"]["enterprises"] == row["loans"]["enterprises"]
    whole = led.json("report", "summary", "--as-of", "2021-12-31")
    assert rows_json(led, "loans", "--programme")["total"]["sums"]["amount"] == whole["loans"]["amount"]
    assert rows_json(led, "loans", "--other")["total"]["sums"]["amount"] == whole["guided"]["amount"]
    assert rows_json(led, "applications")["total"]["sums"]["amount"] == whole["applications"]["amount"]


def test_each_row_carries_its_source(led: Ledger):
    data = rows_json(led, "放款明细", "--enterprise", C[3].lower(), "--bank", CQB)
    sha = led.sql("SELECT file_sha256 FROM import_batches WHERE id = 4")[0][0]
    assert [r["contract_no"] for r in data["rows"]] == ["CQ-000"]
    row = data["rows"][0]
    assert (row["file_name"], row["sheet"], row["source_row"], row["file_sha256"], row["batch_id"]) == ("重庆银行放款明细.xlsx", "放款明细", 2, sha, 4)
    assert row["amount"] == "2100000.00" and row["is_programme"] is True
    labels = {c["name"]: (c["label"], c["unit"]) for c in data["columns"]}
    assert labels["amount"] == ("放款金额", "元") and labels["source_row"][0] == "源表行号"


def test_voided_rows_leave_the_total_and_show_with_include_voided(led: Ledger):
    loan_id = led.sql("SELECT id FROM loans WHERE contract_no = 'NS-001'")[0][0]
    assert led.run("void", f"loans:{loan_id}", "--reason", "合同撤销").exit_code == 0
    live = rows_json(led, "loans", "--batch", "3")
    assert live["total"]["rows"] == 11 and "NS-001" not in [r["contract_no"] for r in live["rows"]]
    every = rows_json(led, "loans", "--batch", "3", "--include-voided")
    assert every["total"] == {**live["total"], "voided_rows": 1}
    voided = [r for r in every["rows"] if r["voided"]]
    entry = led.sql("SELECT max(seq) FROM journal")[0][0]
    assert [(r["contract_no"], r["void_reason"], r["void_entry"]) for r in voided] == [("NS-001", "合同撤销", entry)]
    summary = led.json("report", "summary", "--as-of", "2021-12-31")
    assert rows_json(led, "loans", "--programme", "--include-voided")["total"]["sums"]["amount"] == summary["loans"]["amount"]


def test_terminal_csv_and_xlsx(led: Ledger, tmp_path):
    out = led.run("rows", "loans", "--bank", CQB, "--month", "2021-10", "--programme")
    assert out.exit_code == 0, out.output
    assert "放款明细(银行 重庆银行;期间 2021-10-01 至 2021-10-31;仅知识价值信用贷款" in out.stdout
    amount = total(CQB_LOANS, "2021-10", CQB) / 10000
    assert f"合计: 3 行,3 家企业,放款金额 {amount:,.2f} 万元" in out.stdout
    assert "重庆银行放款明细.xlsx" in out.stdout and "CQ-003" in out.stdout
    piped = led.run("rows", "loans", "--bank", CQB, "--csv", "-")
    table = list(csv.reader(piped.stdout.splitlines()))
    assert table[0][0] == "贷款合同编号" and "放款金额(元)" in table[0] and len(table) == 5
    book = tmp_path / "重庆银行.xlsx"
    written = led.run("rows", "loans", "--bank", CQB, "--xlsx", book, "--csv", tmp_path / "重庆银行.csv")
    assert written.exit_code == 0, written.output
    from openpyxl import load_workbook

    wb = load_workbook(book)
    assert wb.sheetnames == ["放款明细", "合计", "字段说明"]
    sheet = wb["放款明细"]
    header = [c.value for c in sheet[1]]
    col = header.index("放款金额(元)")
    assert sum(r[col] for r in sheet.iter_rows(min_row=2, values_only=True)) == total(CQB_LOANS, bank=CQB, programme=None)
    assert ("loans" not in [c.value for c in wb["字段说明"]["B"]]) and "amount" in [c.value for c in wb["字段说明"]["B"]]
    assert (tmp_path / "重庆银行.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    again = led.run("rows", "loans", "--xlsx", book)
    assert again.exit_code == 2 and "已存在" in again.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("repayments", "--grade", "A"), "--grade 不适用于 还款明细"),
        (("contributions", "--bank", "重庆银行"), "--bank 不适用于 基金出资"),
        (("enterprises", "--month", "2021-10"), "--month/--from/--to 不适用于 企业名录"),
        (("loans", "--programme", "--other"), "不能同时使用"),
        (("loans", "--month", "2021-13"), "无法识别的月份"),
        (("借款",), "未知的导入类型"),
    ],
)
def test_usage_errors_say_what_applies(led: Ledger, args, message):
    result = led.run("rows", *args)
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_every_kind_lists_its_rows(led: Ledger):
    for kind in ("loans", "applications", "repayments", "claims", "recoveries", "contributions", "subsidies", "carriers", "enterprises"):
        data = rows_json(led, kind)
        assert data["kind"] == kind
    assert rows_json(led, "enterprises", "--district", "江北区")["total"]["rows"] == 4
    assert json.loads(led.run("rows", "企业名录", "--json").stdout)["total"]["enterprises"] == 10
