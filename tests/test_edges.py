"""Rough edges a new user meets (issue 15 §4): empty reports, help and table layout, printing,
piped audit text, where the policy's figures come from, the demo's months, Windows.

Everything through the real command line on real ledgers and real workbooks.
"""

from __future__ import annotations

import json

import pytest
from conftest import LOAN_HEADER, Ledger, codes, write_xlsx

REPORTS = [
    ("report", "summary"),
    ("report", "brief"),
    ("report", "fund"),
    ("report", "leverage"),
    ("report", "outstanding"),
    ("report", "targets"),
    ("audit", "subsidies"),
]

# What each report needs and the sheet (or policy section) its note names on an empty ledger.
NEEDS = {
    ("report", "summary"): {"no_applications": "贷款申报", "no_loans": "放款明细"},
    ("report", "brief"): {"no_applications": "贷款申报", "no_loans": "放款明细"},
    ("report", "fund"): {"no_contributions": "基金出资", "no_loans": "放款明细"},
    ("report", "leverage"): {"no_loans": "放款明细", "no_contributions": "基金出资"},
    ("report", "outstanding"): {"no_loans": "放款明细"},
    ("report", "targets"): {"no_enterprises": "企业名录"},
    ("audit", "subsidies"): {"no_subsidies": "补助拨付", "no_carriers": "孵化载体认定"},
}


# ---------------------------------------------------------------- 1. reports with nothing to show


@pytest.mark.parametrize("args", REPORTS, ids=" ".join)
def test_an_empty_ledger_says_what_to_import_and_exits_0(ledger: Ledger, args):
    result = ledger.run(*args, "--as-of", "2023-06-30") if args != ("audit", "subsidies") else ledger.run(*args)
    assert result.exit_code == 0, result.output
    said = result.stdout + result.stderr
    for sheet in NEEDS[args].values():
        assert f"请导入{sheet}表: ledger import {sheet}.xlsx" in said, (args, said)
    assert "Traceback" not in said

    data = ledger.json(*args)
    assert {n["code"] for n in data["notes"]} == set(NEEDS[args])
    assert all(n["message"] and n["hint"] for n in data["notes"])


def test_json_keeps_its_shape_beside_the_notes(ledger: Ledger):
    """The empty fund statement has every key of a full one, plus the notes."""
    fund = ledger.json("report", "fund", "--as-of", "2023-06-30")
    assert fund["capital"] == "0.00" and fund["banks"] == [] and fund["claims"]["count"] == 0
    lev = ledger.json("report", "leverage", "--as-of", "2023-06-30")
    assert lev["fund_leverage"] == {"value": None, "numerator": "0.00", "denominator": "0.00", "unit": "倍"}


def test_leverage_says_why_a_figure_is_a_dash(ledger: Ledger):
    result = ledger.run("report", "leverage", "--as-of", "2023-06-30")
    assert result.exit_code == 0
    assert "— 表示分母为零" in result.stdout and "账本中还没有风险补偿基金出资记录" in result.stdout


def test_targets_without_a_version_in_force_is_no_usage_error(ledger: Ledger, tmp_path):
    policy = tmp_path / "无目标.toml"
    policy.write_text('name = "无目标政策"\n', encoding="utf-8")
    result = ledger.run("report", "targets", "--as-of", "2023-06-30", "--policy", policy)
    assert result.exit_code == 0, result.output
    assert "政策文件「无目标政策」中没有2023年6月30日生效的“双倍增”目标([[targets]])" in result.stdout
    assert "请在政策文件中加入 [[targets]] 一节" in result.stdout
    data = ledger.json("report", "targets", "--as-of", "2023-06-30", "--policy", policy)
    assert data["goals"] == [] and data["policy"] is None
    assert [n["code"] for n in data["notes"]] == ["no_policy_targets", "no_enterprises"]
    # a wrong command line is still exit 2
    assert ledger.run("report", "targets", "--as-of", "明天").exit_code == 2


def test_a_period_without_loans_names_the_dates_the_ledger_holds(ledger: Ledger, tmp_path):
    (c,) = codes(1)
    write_xlsx(tmp_path / "名录.xlsx", [["统一社会信用代码", "企业名称", "所属区县"], [c, "重庆甲科技有限公司", "巴南区"]])
    write_xlsx(
        tmp_path / "放款.xlsx",
        [LOAN_HEADER, ["HT-1", c, "重庆甲科技有限公司", "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000000, 4.35]],
    )
    assert ledger.run("import", tmp_path / "名录.xlsx").exit_code == 0
    assert ledger.run("import", tmp_path / "放款.xlsx").exit_code == 0
    data = ledger.json("report", "summary", "--month", "2023-06")
    loans = next(n for n in data["notes"] if n["code"] == "no_loans_in_period")
    assert "2023年6月1日至2023年6月30日没有知识价值信用贷款放款记录" in loans["message"]
    assert "2021年3月5日至2021年3月5日" in loans["message"]
    whole = ledger.json("report", "summary", "--as-of", "2023-06-30")
    assert "no_loans" not in {n["code"] for n in whole["notes"]} and "no_loans_in_period" not in {n["code"] for n in whole["notes"]}
    assert json.dumps(whole)  # plain JSON
