"""Several files in one import (issue 15 §4): each its own all-or-nothing import, a summary, globs expanded by ledger."""

from __future__ import annotations

import json

from json_schemas import validate as check
from month_support import files

from conftest import LOAN_HEADER, Ledger, write_xlsx


def test_each_file_on_its_own_with_a_summary_and_exit_1_if_any_refused(ledger: Ledger, tmp_path):
    f = files(tmp_path)
    bad = write_xlsx(tmp_path / "坏表.xlsx", [LOAN_HEADER, ["X-1", "123", "某公司", "重庆银行", "知识价值信用贷款", "2021-10-01", "2022-10-01", "abc", 4.35]])
    result = ledger.run("import", f["registry"], bad, f["rcb"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "(1/3)" in out and "(3/3)" in out and "导入汇总" in out
    assert "1 个文件被拒绝" in out and f"ledger import {bad} --errors 退回_坏表.xlsx" in out
    assert ledger.sql("SELECT id, file_name FROM import_batches ORDER BY id") == [(1, "企业名录.xlsx"), (2, "农商行放款明细.xlsx")]
    assert ledger.sql("SELECT count(*) FROM loans") == [(12,)]
    assert ledger.run("verify").exit_code == 0


def test_json_with_several_files_is_one_object(ledger: Ledger, tmp_path):
    f = files(tmp_path)
    result = ledger.run("import", f["registry"], f["applications"], f["registry"], "--json")
    assert result.exit_code == 0, result.output  # a file named twice counts once
    data = json.loads(result.stdout)
    check("import", data)
    assert data["refused"] == 0 and data["imported"] == 2
    assert [x["batches"] for x in data["files"]] == [[1], [2]]
    again = ledger.run("import", f["registry"], f["rcb"], "--json")
    assert again.exit_code == 1
    data = json.loads(again.stdout)
    check("import", data)
    assert data["refused"] == 1 and [x["refused"] for x in data["files"]] == [True, False]


def test_glob_patterns_are_expanded_by_ledger(ledger: Ledger, tmp_path):
    folder = tmp_path / "10月"
    folder.mkdir()
    f = files(folder)
    assert ledger.run("import", f["registry"]).exit_code == 0
    assert ledger.run("import", f["applications"]).exit_code == 0
    result = ledger.run("import", str(folder / "*放款明细.xlsx"), "--json")
    assert result.exit_code == 0, result.output
    assert sorted(x["file"] for x in json.loads(result.stdout)["files"]) == ["农商行放款明细.xlsx", "建行放款明细.xlsx", "重庆银行放款明细.xlsx"]
    none = ledger.run("import", str(folder / "*.csv"))
    assert none.exit_code == 2 and "没有与" in none.stderr and "*.csv" in none.stderr


def test_errors_workbook_with_several_files_is_a_usage_error(ledger: Ledger, tmp_path):
    f = files(tmp_path)
    result = ledger.run("import", f["registry"], f["applications"], "--errors", tmp_path / "退回.xlsx")
    assert result.exit_code == 2 and "--errors 只能用于单个文件" in result.stderr
    assert ledger.sql("SELECT count(*) FROM import_batches") == [(0,)]
