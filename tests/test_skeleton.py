"""The walking skeleton end to end: init, import the three kinds, summary, refusals, demo."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from conftest import APPLICATION_HEADER, ENTERPRISE_HEADER, LOAN_HEADER, Ledger, codes, runner, write_xlsx

from ledger.cli import app

C = codes(6)
NAMES = ["重庆智联科技有限公司", "重庆渝芯电子有限公司", "重庆云帆软件有限公司", "重庆华创新材有限公司", "重庆博远生物医药有限公司", "重庆精工智能装备有限公司"]


def registry(tmp_path, n=4):
    return write_xlsx(tmp_path / "企业名录.xlsx", [ENTERPRISE_HEADER] + [[C[i], NAMES[i], "巴南区"] for i in range(n)])


def loans_sheet(tmp_path, name="放款明细.xlsx"):
    rows = [
        LOAN_HEADER,
        ["HT-001", C[0], NAMES[0], "重庆农村商业银行", "知识价值信用贷款", dt.date(2021, 3, 5), dt.date(2022, 3, 4), 3000000, 4.35],
        ["HT-002", C[1], NAMES[1], "重庆农村商业银行", "知识价值信用贷款", dt.date(2021, 6, 1), dt.date(2022, 5, 31), 1500000.5, "4.5%"],
        ["HT-003", C[1], NAMES[1], "重庆银行", "知识价值信用贷款", "2021/11/20", "2023/11/19", "2,000,000.00", 0.0385],
        ["HT-004", C[2], NAMES[2], "重庆银行", "流动资金贷款", "2021年12月1日", "2022年12月1日", 800000, 5],
        ["HT-005", C[0], NAMES[0], "重庆银行", "知识价值信用贷款", dt.date(2022, 1, 10), dt.date(2023, 1, 9), 1000000, 4.0],
    ]
    return write_xlsx(tmp_path / name, rows, sheet="放款明细")


def test_init_creates_versioned_ledger_and_refuses_second_init(ledger: Ledger):
    assert ledger.sql("SELECT value FROM meta WHERE key = 'schema_version'") == [("2",)]
    again = ledger.run("init")
    assert again.exit_code == 2
    assert "账本已存在" in again.stderr


def test_missing_ledger_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["--db", str(tmp_path / "nope.duckdb"), "report", "summary", "--json"])
    assert result.exit_code == 2
    assert "ledger init" in result.stderr


def test_clean_import_and_exact_summary(ledger: Ledger, tmp_path):
    assert ledger.run("import", registry(tmp_path)).exit_code == 0
    apps = write_xlsx(
        tmp_path / "申报.xlsx",
        [APPLICATION_HEADER[:4] + ["申报金额(万元)", "意向银行"]]
        + [
            ["SB-1", C[0], NAMES[0], "2021-02-01", 500, "重庆农村商业银行"],
            ["SB-2", C[1], NAMES[1], "2021-05-01", 360.5, "重庆银行"],
            ["SB-3", C[3], NAMES[3], "2022-01-05", 100, "重庆银行"],
        ],
    )
    result = ledger.run("import", apps)
    assert result.exit_code == 0, result.output
    assert "贷款申报: 3 行" in result.stdout
    result = ledger.run("import", loans_sheet(tmp_path))
    assert result.exit_code == 0, result.output

    s = ledger.json("report", "summary", "--as-of", "2021-12-31")
    assert s.pop("basis")["entry"] == 3  # the basis: see tests/test_history.py
    assert s == {
        "as_of": "2021-12-31",
        "applications": {"enterprises": 2, "count": 2, "amount": "8605000.00"},
        "loans": {"banks": 2, "enterprises": 2, "count": 3, "amount": "6500000.50"},
        "guided": {"enterprises": 1, "amount": "800000.00"},
        "notes": [],
    }
    later = ledger.json("report", "summary", "--as-of", "2022年1月31日")
    assert later["loans"]["count"] == 4 and later["loans"]["amount"] == "7500000.50"
    assert later["applications"]["amount"] == "9605000.00"

    stored = ledger.sql("SELECT contract_no, amount, rate_pct, is_programme, source_row FROM loans ORDER BY contract_no")
    assert stored[2] == ("HT-003", Decimal("2000000.00"), Decimal("3.8500"), True, 4)
    assert stored[1][2] == Decimal("4.5000")
    batch = ledger.sql("SELECT kind, file_name, sheet, row_count, length(file_sha256) FROM import_batches WHERE kind = 'loans'")
    assert batch == [("loans", "放款明细.xlsx", "放款明细", 5, 64)]
    assert {r[0] for r in ledger.sql("SELECT name FROM banks")} == {"重庆农村商业银行", "重庆银行"}
    assert ledger.run("verify").exit_code == 0


def test_bad_sheet_lists_every_problem_by_cell_and_changes_nothing(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path, 2))
    before = ledger.sql("SELECT (SELECT count(*) FROM journal), (SELECT count(*) FROM loans), (SELECT count(*) FROM import_batches)")
    bad_code = C[0][:-1] + ("0" if C[0][-1] != "0" else "1")
    rows = [
        LOAN_HEADER,
        ["HT-101", bad_code, NAMES[0], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000000, 4.35],  # B2 check digit
        ["HT-102", C[1], NAMES[1], "重庆银行", "知识价值信用贷款", "2021-03-05", "2021-01-01", -5, 4.35],  # G3 order, H3 negative
        ["HT-103", C[1], NAMES[1], None, "知识价值信用贷款", "2021-13-45", "2022-03-04", "abc", 4.35],  # D4 empty, F5 date, H4 amount
        ["HT-104", C[5], NAMES[5], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000000, 4.35],  # B5 unknown enterprise
        ["HT-101", C[1], NAMES[1], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000000, 4.35],  # A6 duplicate key
    ]
    path = write_xlsx(tmp_path / "建行放款明细.xlsx", rows)
    result = ledger.run("import", path, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    cells = {(p["cell"], p["code"]) for p in report["problems"] if p["severity"] == "error"}
    assert cells == {
        ("B2", "bad_credit_code"),
        ("G3", "date_order"),
        ("H3", "not_positive"),
        ("D4", "required"),
        ("F4", "bad_date"),
        ("H4", "bad_amount"),
        ("B5", "unknown_enterprise"),
        ("A6", "duplicate_key"),
    }
    assert all(p["file"] == "建行放款明细.xlsx" and p["message"] and p["hint"] for p in report["problems"])
    after = ledger.sql("SELECT (SELECT count(*) FROM journal), (SELECT count(*) FROM loans), (SELECT count(*) FROM import_batches)")
    assert after == before

    table = ledger.run("import", path)
    assert table.exit_code == 1
    assert "建行放款明细.xlsx!B5" in table.stdout and "不在企业名录中" in table.stdout
    assert "Traceback" not in table.output


def test_same_file_twice_is_refused_and_overlaps_are_listed_not_doubled(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path))
    path = loans_sheet(tmp_path)
    assert ledger.run("import", path).exit_code == 0
    again = ledger.run("import", path)
    assert again.exit_code == 1
    assert "已于" in again.stdout and "导入过" in again.stdout

    overlap = write_xlsx(
        tmp_path / "放款明细-重报.xlsx",
        [
            LOAN_HEADER,
            ["HT-001", C[0], NAMES[0], "重庆农村商业银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 3000000, 4.35],
            ["HT-006", C[3], NAMES[3], "重庆银行", "知识价值信用贷款", "2021-08-08", "2022-08-07", 2000000, 4.35],
        ],
    )
    result = ledger.run("import", overlap, "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["sheets"][0]["added"] == 1 and report["sheets"][0]["existing"] == 1
    (listed,) = [p for p in report["problems"] if p["code"] == "existing_unchanged"]  # the same row resent: counted
    assert (listed["cell"], listed["value"]) == ("A2", "HT-001") and "1 行已在账本中且内容相同" in listed["message"]
    assert not [p for p in report["problems"] if p["code"] == "existing_key"]
    assert ledger.sql("SELECT count(*) FROM loans WHERE contract_no = 'HT-001'") == [(1,)]


def test_dry_run_reports_and_writes_nothing(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path))
    result = ledger.run("import", loans_sheet(tmp_path), "--dry-run")
    assert result.exit_code == 0
    assert "试导入" in result.stdout and "5 行" in result.stdout
    assert ledger.sql("SELECT count(*) FROM loans") == [(0,)]
    assert ledger.sql("SELECT count(*) FROM import_batches WHERE kind = 'loans'") == [(0,)]


def test_workbook_with_registry_and_loans_imports_together(ledger: Ledger, tmp_path):
    path = write_xlsx(
        tmp_path / "合并.xlsx",
        [LOAN_HEADER, ["HT-9", C[4], NAMES[4], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 100, 4.35]],
        sheet="放款",
        more={"名录": [ENTERPRISE_HEADER, [C[4], NAMES[4], "江北区"]]},
    )
    result = ledger.run("import", path)
    assert result.exit_code == 0, result.output
    assert ledger.sql("SELECT count(*) FROM enterprises") == [(1,)]
    assert ledger.sql("SELECT count(*) FROM loans") == [(1,)]


def test_aliases_and_units_from_header_and_unit_line(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path))
    rows = [
        ["某银行知识价值信用贷款放款明细"],
        [None, None, None, None, "单位:万元"],
        ["合同编号", "信用代码", "借款人", "放款银行", "贷款产品", "发放日期", "到期日", "贷款金额", "执行利率(%)"],
        ["X-1", C[0].lower(), NAMES[0], "重庆银行", "知识价值信用贷款", "2021.3.5", "20220304", "１２０．５", 4.35],
        ["X-2", C[1], NAMES[1], "重庆银行", "知识价值信用贷款", 44260, 44624, 100, 4.35],
        ["合计", None, None, None, None, None, None, 220.5, None],
    ]
    result = ledger.run("import", write_xlsx(tmp_path / "别名.xlsx", rows), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["problems"] == []
    stored = ledger.sql("SELECT contract_no, credit_code, amount, disbursed_on, maturity_on FROM loans ORDER BY contract_no")
    assert stored == [
        ("X-1", C[0], Decimal("1205000.00"), dt.date(2021, 3, 5), dt.date(2022, 3, 4)),
        ("X-2", C[1], Decimal("1000000.00"), dt.date(2021, 3, 5), dt.date(2022, 3, 4)),
    ]


def test_total_row_mismatch_is_a_warning_naming_both_figures(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path))
    rows = [
        LOAN_HEADER,
        ["T-1", C[0], NAMES[0], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 100, 4.35],
        ["合计", None, None, None, None, None, None, 150, None],
    ]
    result = ledger.run("import", write_xlsx(tmp_path / "合计.xlsx", rows), "--json")
    assert result.exit_code == 0
    (warning,) = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "total_mismatch"]
    assert warning["cell"] == "H3" and "150.00" in warning["message"] and "100.00" in warning["message"]


def test_unrecognised_sheet_is_refused_with_expected_headers(ledger: Ledger, tmp_path):
    path = write_xlsx(tmp_path / "杂表.xlsx", [["姓名", "电话"], ["张三", "123"]])
    result = ledger.run("import", path)
    assert result.exit_code == 1
    assert "没有找到可识别的表头" in result.stdout and "贷款合同编号" in result.stdout


def test_verify_detects_an_edit_behind_the_ledgers_back(ledger: Ledger, tmp_path):
    import duckdb

    ledger.run("import", registry(tmp_path))
    ledger.run("import", loans_sheet(tmp_path))
    assert ledger.run("verify").exit_code == 0
    with duckdb.connect(str(ledger.path)) as con:
        con.execute("UPDATE loans SET amount = amount + 1 WHERE contract_no = 'HT-002'")
    result = ledger.run("verify")
    assert result.exit_code == 3
    assert "第 2 条" in result.stderr and "内容哈希不符" in result.stderr


def test_demo_summary_matches_its_sample_data(tmp_path):
    from ledger.demo import sample_data

    data = sample_data()
    loans = [lo for rows in data["loans"].values() for lo in rows]
    programme = [lo for lo in loans if lo["product"] == "知识价值信用贷款"]
    guided = [lo for lo in loans if lo["product"] != "知识价值信用贷款"]
    result = runner.invoke(app, ["--db", str(tmp_path / "demo.duckdb"), "demo", "--json"])
    assert result.exit_code == 0, result.output
    s = json.loads(result.stdout)
    assert s["applications"] == {
        "enterprises": len(data["applications"]),
        "count": len(data["applications"]),
        "amount": f"{sum(a['wan'] for a in data['applications']) * 10000:.2f}",
    }
    assert s["loans"]["count"] == len(programme)
    assert s["loans"]["amount"] == f"{sum(lo['wan'] for lo in programme) * 10000:.2f}"
    assert s["loans"]["banks"] == 3
    assert s["guided"]["amount"] == f"{sum(lo['wan'] for lo in guided) * 10000:.2f}"


def test_template_round_trips_through_the_importer(ledger: Ledger, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "放款模板.xlsx"
    result = ledger.run("template", "放款明细", "--out", out)
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["放款明细", "填报说明"]
    headers = [c.value for c in wb["放款明细"][1]]
    assert headers == LOAN_HEADER
    ws = wb["放款明细"]
    ledger.run("import", registry(tmp_path))
    ws.append(["T-1", C[0], NAMES[0], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 100, 4.35])
    wb.save(out)
    assert ledger.run("import", out).exit_code == 0
    assert ledger.sql("SELECT count(*) FROM loans") == [(1,)]
    assert ledger.run("template", "nonsense").exit_code == 2


def test_template_out_must_name_a_new_xlsx_file(ledger: Ledger, tmp_path):
    """A folder, an unwritable place, another suffix or an existing file: exit 2 with a Chinese message, nothing written."""
    folder = tmp_path / "模板"
    folder.mkdir()
    a_file = tmp_path / "说明.txt"
    a_file.write_text("不是目录")
    for out, words in ((folder, "目录"), (a_file / "放款模板.xlsx", "无法写入"), (tmp_path / "放款模板.csv", ".xlsx")):
        result = ledger.run("template", "loans", "--out", out)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and isinstance(result.exception, (SystemExit, type(None)))
        assert words in result.stderr and "提示:" in result.stderr
    assert list(folder.iterdir()) == [] and not (tmp_path / "放款模板.csv").exists()

    kept = tmp_path / "已填写.xlsx"
    assert ledger.run("template", "loans", "--out", kept).exit_code == 0
    kept.write_bytes(b"filled in by the bank")
    again = ledger.run("template", "loans", "--out", kept)
    assert again.exit_code == 2 and "已存在" in again.stderr and "--force" in again.stderr
    assert kept.read_bytes() == b"filled in by the bank"
    forced = ledger.run("template", "loans", "--out", kept, "--force")
    assert forced.exit_code == 0, forced.output
    from openpyxl import load_workbook

    assert [c.value for c in load_workbook(kept)["放款明细"][1]] == LOAN_HEADER
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []


def test_demo_ledger_carries_the_fund_and_the_subsidies_of_its_samples(tmp_path):
    from ledger.demo import AS_OF, sample_data

    data = sample_data()
    db = Ledger(tmp_path / "demo.duckdb")
    result = runner.invoke(app, ["--db", str(db.path), "demo"])
    assert result.exit_code == 0, result.output
    assert "截至2023年6月底" in result.stdout and "风险补偿基金已到位资金1亿元" in result.stdout
    fund = db.json("report", "fund", "--as-of", AS_OF.isoformat())
    paid = [c for c in data["claims"] if c["paid"]]
    assert fund["capital"] == "100000000.00"
    assert fund["compensation_paid"] == f"{sum(c['approved_wan'] for c in paid) * 10000:.2f}"
    (rec,) = data["recoveries"]
    share = rec["wan"] * paid[0]["approved_wan"] / paid[0]["overdue_wan"] * 10000
    assert fund["recoveries_returned"] == f"{share:.2f}"
    audit = db.json("audit", "subsidies")
    assert (audit["payments"], audit["ineligible"]) == (len(data["subsidies"]), 1)
    assert [f["payment"] for f in audit["findings"]] == [data["subsidies"][-1]["no"]]
    assert db.run("verify").exit_code == 0


@pytest.mark.parametrize(
    "args, words",
    [
        (("report", "summary", "--foo"), "没有选项 --foo"),
        (("report", "summary", "--jsn"), "是否要用 --json"),
        (("report", "sumary"), "没有命令「sumary」;是否要用 summary"),
        (("report", "fund", "--as-of"), "选项 --as-of 需要一个取值"),
        (("import",), "缺少参数 FILE"),
        (("log", "--batch", "abc"), "选项 --batch 的取值无效: 应为整数"),
        (("verify", "extra"), "多余的参数: extra"),
        (("report", "summary", "--json=1"), "选项 --json 是开关,不带取值"),
    ],
)
def test_usage_errors_are_said_in_chinese_with_a_hint(ledger: Ledger, args, words):
    result = ledger.run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("错误: ") and words in result.stderr
    assert "提示: 运行 `ledger" in result.stderr and "--help` 查看用法" in result.stderr
    assert "No such" not in result.stderr and "Usage:" not in result.stderr and "Traceback" not in result.output
