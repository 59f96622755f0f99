"""Exports an auditor can sum (issue 14 item 6): live rows by default, voided rows marked on request, a 字段说明."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb
import pytest
from month_support import RCB_LOANS, month

from conftest import LOAN_HEADER, Ledger, write_xlsx


@pytest.fixture
def led(ledger: Ledger, tmp_path) -> Ledger:
    """The month, then the 农商行 sheet voided and its corrected copy imported (one amount changed)."""
    month(ledger, tmp_path)
    corrected = [list(r) for r in RCB_LOANS]
    corrected[4][7] += 100_000
    assert ledger.run("void", "3", "--reason", "农商行重报10月").exit_code == 0
    fixed = write_xlsx(tmp_path / "农商行_重报.xlsx", [LOAN_HEADER] + corrected, sheet="放款明细")
    assert ledger.run("import", fixed).exit_code == 0
    return ledger


def programme_sum(path, where: str = "") -> Decimal:
    with duckdb.connect() as con:
        return con.execute(f"SELECT sum(amount) FROM read_parquet(?) WHERE is_programme {where}", [str(path)]).fetchone()[0]


def test_parquet_sums_equal_the_report_and_the_manifest_says_live(led: Ledger, tmp_path):
    reported = Decimal(led.json("report", "summary", "--as-of", "2021-12-31")["loans"]["amount"])
    out = tmp_path / "导出"
    result = led.run("export", "--parquet", out)
    assert result.exit_code == 0, result.output
    assert "仅未作废的行" in result.stdout
    assert programme_sum(out / "loans.parquet") == reported
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == "live" and "仅未作废的行" in manifest["rows_note"]
    assert manifest["tables"]["loans"] == 21  # 12 + 4 + 5 live; the 12 voided rows are not there
    labels = {c["name"]: (c["label"], c["unit"]) for c in manifest["columns"]["loans"]}
    assert labels["amount"] == ("放款金额", "元") and labels["contract_no"][0] == "贷款合同编号"
    assert labels["is_programme"][0] == "是否知识价值信用贷款"


def test_include_voided_marks_each_voided_row_with_its_reason_and_entry(led: Ledger, tmp_path):
    reported = Decimal(led.json("report", "summary", "--as-of", "2021-12-31")["loans"]["amount"])
    out = tmp_path / "全部"
    assert led.run("export", "--parquet", out, "--include-voided").exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == "live_and_voided" and manifest["tables"]["loans"] == 33
    assert [c["name"] for c in manifest["columns"]["loans"]][-3:] == ["voided", "void_reason", "void_entry"]
    assert programme_sum(out / "loans.parquet", "AND NOT voided") == reported
    assert programme_sum(out / "loans.parquet") > reported  # the trap the default avoids
    entry = led.sql("SELECT seq FROM journal WHERE action = 'void'")[0][0]
    with duckdb.connect() as con:
        marked = con.execute(
            "SELECT count(*), any_value(void_reason), any_value(void_entry) FROM read_parquet(?) WHERE voided", [str(out / "loans.parquet")]
        ).fetchone()
    assert marked == (12, "农商行重报10月", entry)


def test_xlsx_sums_equal_the_report_and_carry_the_field_sheet(led: Ledger, tmp_path):
    from openpyxl import load_workbook

    reported = Decimal(led.json("report", "summary", "--as-of", "2021-12-31")["loans"]["amount"])
    book = tmp_path / "账本.xlsx"
    assert led.run("export", "--xlsx", book).exit_code == 0
    wb = load_workbook(book)
    loans = list(wb["loans"].values)
    header = loans[0]
    amount, programme = header.index("amount"), header.index("is_programme")
    assert sum(Decimal(str(r[amount])) for r in loans[1:] if r[programme]) == reported
    fields = {(r[0], r[1]): (r[2], r[3]) for r in wb["字段说明"].iter_rows(min_row=2, values_only=True)}
    assert fields[("loans", "amount")] == ("放款金额", "元")
    assert "仅未作废的行" in dict(wb["说明"].values)["行的范围"]
    every = tmp_path / "全部.xlsx"
    assert led.run("export", "--xlsx", every, "--include-voided").exit_code == 0
    rows = list(load_workbook(every)["loans"].values)
    assert len(rows) == 34 and rows[0][-3:] == ("voided", "void_reason", "void_entry")
    assert sum(1 for r in rows[1:] if r[-3]) == 12
