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


@pytest.mark.parametrize("args", REPORTS, ids=" ".join)
def test_empty_reports_json_fits_its_schema_notes_included(ledger: Ledger, tmp_path, args):
    from json_schemas import validate

    validate("-".join(args), ledger.json(*args))
    policy = tmp_path / "空政策.toml"
    # a policy with nothing in force (an empty file is a usage error: tests/test_policy_checks.py)
    policy.write_text('name = "空政策"\n[[targets]]\neffective_from = 2099-01-01\nsource = "测试"\nmilestones = [{ year = 2100, hnte = 1, tech_sme = 1 }]\n', encoding="utf-8")
    if args not in (("report", "leverage"), ("report", "outstanding")):
        validate("-".join(args), ledger.json(*args, "--policy", policy))


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
    policy.write_text('name = "无目标政策"\n[[targets]]\neffective_from = 2099-01-01\nsource = "测试"\nmilestones = [{ year = 2100, hnte = 1, tech_sme = 1 }]\n', encoding="utf-8")
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


# ---------------------------------------------------------------- 2. help and table layout


def _help(*args: str, width: int = 80) -> str:
    from typer.testing import CliRunner

    from ledger.cli import app

    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": str(width), "TERMINAL_WIDTH": str(width)})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("args", [(), ("report",), ("report", "summary"), ("audit", "subsidies"), ("import",)], ids=" ".join)
def test_help_shows_no_bool_beside_switches_and_cuts_nothing(args):
    text = _help(*args)
    assert "<bool>" not in text
    assert "…" not in text  # no description cut short


def test_help_of_report_shows_each_description_whole():
    text = _help("report")
    assert "(registry against" in text and "the district's targets)" in text
    assert "核销, " in text or "核销," in text  # 贷款余额 (… = 放款 − 归还 − 核销, per loan …) not cut after 核销


def _demo(tmp_path) -> Ledger:
    led = Ledger(tmp_path / "demo.duckdb")
    result = led.run("demo")
    assert result.exit_code == 0, result.output
    return led


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Ledger:
    return _demo(tmp_path_factory.mktemp("demo"))


def test_tables_at_80_columns_keep_bank_and_carrier_names_whole(demo: Ledger):
    import datetime as dt

    from rich.console import Console

    from ledger.policy import load_policy
    from ledger.reports import fund_render as F
    from ledger.reports import summary_render as S
    from ledger.reports import subsidy_audit_render as A
    from ledger.reports.fund import fund_statement
    from ledger.reports.outstanding import outstanding
    from ledger.reports.subsidy_audit import subsidy_audit
    from ledger.reports.summary import breakdown
    from ledger.store import Store

    day = dt.date(2023, 6, 30)
    with Store.open(demo.path, read_only=True) as store:
        con, policy = store.con, load_policy()
        console = Console(width=80, record=True, file=open("/dev/null" if __import__("os").name != "nt" else "NUL", "w"))
        for t in F.fund_tables(fund_statement(con, day, policy)):
            console.print(t)
        for by in ("bank", "loan", "enterprise"):
            console.print(F.outstanding_table(outstanding(con, day, by)))
        console.print(S.breakdown_table(breakdown(con, "bank", day), "截至2023年6月30日累计"))
        console.print(A.totals_table("按载体汇总", "载体", (audit := subsidy_audit(con, policy)).by_carrier, audit.total))
        names = [r[0] for r in con.execute("SELECT bank FROM v_loans UNION SELECT enterprise_name FROM v_loans WHERE is_programme UNION SELECT carrier_name FROM v_subsidies").fetchall()]
    text = console.export_text()
    from rich.cells import cell_len

    assert max(cell_len(line) for line in text.splitlines()) <= 80
    assert "…" not in text  # nothing cut short
    assert [n for n in names if n not in text] == []


# ---------------------------------------------------------------- 4. piped audit text stays whole


def test_audit_piped_keeps_every_message_on_one_line(demo: Ledger):
    from ledger.reports.subsidy_audit_render import finding_lines

    result = demo.run("audit", "subsidies")  # CliRunner: not a terminal, as when piped to a file
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    data = demo.json("audit", "subsidies")
    (finding,) = data["findings"]
    for reason in finding["reasons"]:
        assert any(reason["detail"] in line for line in lines), reason["detail"]  # grep finds it whole
    assert any(line.startswith(finding["payment"]) and "不合规: 一次性补助不重复拨付" in line for line in lines)
    assert any("认定记录: 市级众创空间认定(渝科局发〔2021〕35号,2021-06-01),孵化载体认定.xlsx[孵化载体认定]第3行" in line for line in lines)
    assert finding_lines  # the same lines a terminal gets


# ---------------------------------------------------------------- 5. the policy names its sources


def test_policy_show_names_each_sections_source_district(ledger: Ledger):
    shown = ledger.run("policy", "show")
    assert shown.exit_code == 0
    assert "各节来源区县: risk_fund 重庆市;incubator 江北区;targets 黔江区" in shown.stdout
    data = ledger.json("policy", "show")
    assert {name: [v["source_district"] for v in versions] for name, versions in data["sections"].items()} == {
        "risk_fund": ["重庆市"],
        "incubator": ["江北区"],
        "targets": ["黔江区"],
        "limits": [None],  # 软件默认值: no district's document
    }
    assert "source_district" not in data["sections"]["incubator"][0]["params"]  # not a rule's parameter


def test_brief_and_workbook_name_the_districts_the_figures_come_from(demo: Ledger, tmp_path):
    from openpyxl import load_workbook

    brief = demo.run("report", "brief", "--as-of", "2023-06-30")
    assert "对照黔江区2025年“双倍增”目标" in brief.stdout
    out = tmp_path / "会议材料.xlsx"
    assert demo.run("report", "summary", "--as-of", "2023-06-30", "--xlsx", out).exit_code == 0
    cover = [r[0] for r in load_workbook(out)["封面"].iter_rows(values_only=True) if r[0]]
    at = cover.index("数据口径")
    assert "【江北区】江北区科技企业孵化载体扶持政策(孵化器/众创空间能力建设补助)(2020-01-01起)" in " ".join(cover[at:])
    assert any(line.startswith("[[targets]] 【黔江区】") for line in cover[at:])
    assert any(line.startswith("[[risk_fund]] 【重庆市】") for line in cover[at:])


def test_a_policy_without_source_districts_still_loads(ledger: Ledger, tmp_path):
    policy = tmp_path / "本区.toml"
    policy.write_text('name = "本区政策"\n[[targets]]\neffective_from = 2023-01-01\nsource = "本区文件"\nmilestones = [{ year = 2025, hnte = 1, tech_sme = 2 }]\n', encoding="utf-8")
    data = ledger.json("policy", "show", "--policy", policy)
    assert data["sections"]["targets"][0]["source_district"] is None
    assert ledger.run("report", "targets", "--as-of", "2023-06-30", "--policy", policy).exit_code == 0


# ---------------------------------------------------------------- 3. every sheet prints on A4


def _prints_on_a4(ws, title_rows: str | None = "$1:$1") -> None:
    setup = ws.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9, ws.title
    assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    if title_rows:
        assert ws.print_title_rows == title_rows, ws.title


def test_every_workbook_ledger_writes_prints_one_a4_page_wide(demo: Ledger, tmp_path):
    from openpyxl import load_workbook

    from conftest import LOAN_HEADER

    bad = write_xlsx(
        tmp_path / "退回.xlsx",
        [LOAN_HEADER] + [[f"HT-{i}", "123", "重庆甲科技有限公司", "重庆银行", "知识价值信用贷款", "2021-13-05", "2022-03-04", "abc", 99] for i in range(30)],
    )
    errors = tmp_path / "问题.xlsx"
    assert demo.run("import", bad, "--errors", errors).exit_code == 1
    wb = load_workbook(errors)
    listing = wb["问题清单"]
    _prints_on_a4(listing)
    widths = [listing.column_dimensions[c].width for c in "ABCDEFGHI"]
    assert sum(widths) <= 160  # 序号 … 提示 on one page at a readable scale (was 200 characters: six pages)
    assert listing["H2"].alignment.wrap_text and listing["I2"].alignment.wrap_text
    assert listing.row_dimensions[2].height and listing.row_dimensions[2].height > 15  # the wrapped hint's lines show
    for ws in wb.worksheets[1:]:
        _prints_on_a4(ws, None)

    audit = tmp_path / "审计.xlsx"
    assert demo.run("audit", "subsidies", "--xlsx", audit).exit_code == 0
    for ws in load_workbook(audit).worksheets:
        _prints_on_a4(ws)

    meeting = tmp_path / "会议.xlsx"
    assert demo.run("report", "summary", "--as-of", "2023-06-30", "--xlsx", meeting).exit_code == 0
    for ws in load_workbook(meeting).worksheets:
        _prints_on_a4(ws, None)

    export = tmp_path / "导出.xlsx"
    assert demo.run("export", "--xlsx", export).exit_code == 0
    for ws in load_workbook(export).worksheets:
        _prints_on_a4(ws)

    template = tmp_path / "模板.xlsx"
    assert demo.run("template", "loans", "--out", template).exit_code == 0
    for ws in load_workbook(template).worksheets:
        _prints_on_a4(ws)


# ---------------------------------------------------------------- 6. a demo with months


def test_the_demo_has_a_year_of_monthly_lending_up_to_its_as_of(demo: Ledger):
    from ledger.demo import AS_OF

    months = [f"{AS_OF.year - (AS_OF.month - k <= 0)}-{(AS_OF.month - k - 1) % 12 + 1:02d}" for k in range(12)]
    assert months[0] == "2023-06" and months[-1] == "2022-07"
    for month in months:
        s = demo.json("report", "summary", "--month", month, "--as-of", AS_OF.isoformat())
        assert s["loans"]["count"] >= 1 and s["loans"]["amount"] != "0.00", month
        assert not [n for n in s["notes"] if n["code"].startswith("no_loans")], month


def test_the_demo_closes_with_the_monthly_routine(tmp_path):
    led = Ledger(tmp_path / "demo.duckdb")
    result = led.run("demo")
    assert result.exit_code == 0, result.output
    tail = result.stdout[result.stdout.index("每月例行") :]
    steps = [line for line in tail.splitlines() if line.strip()[:2] in {"1.", "2.", "3.", "4.", "5."}]
    assert len(steps) == 5
    assert " import " in steps[0] and "--errors" in steps[1] and "--replaces" in steps[2]
    assert "report summary --month 2023-06" in steps[3] and "--xlsx" in steps[3] and " close 2023-06" in steps[4]


# ---------------------------------------------------------------- 7. not POSIX-only


@pytest.mark.parametrize(
    "text",
    [
        'IO Error: Could not set lock on file "x.duckdb": Conflicting lock is held in python (PID 4242) by user clerk.',
        'IO Error: Cannot open file "C:\\\\台账\\\\x.duckdb": The process cannot access the file because it is being used by another process.',
        'IO Error: Cannot open file "C:\\\\台账\\\\x.duckdb": 另一个程序正在使用此文件，进程无法访问。',
    ],
)
def test_a_busy_ledger_is_said_as_busy_in_posix_and_windows_words(tmp_path, text):
    from ledger.errors import LedgerBusy
    from ledger.store import busy_error

    busy = busy_error(tmp_path / "x.duckdb", text, read_only=False)
    assert isinstance(busy, LedgerBusy) and busy.exit_code == 3 and "账本正被其他进程使用" in busy.message
    assert busy_error(tmp_path / "x.duckdb", 'IO Error: Cannot open file "x": No such file or directory', False) is None


def test_a_gbk_console_prints_chinese_and_survives_what_gbk_lacks(ledger: Ledger, tmp_path):
    """A Windows console in cp936: Chinese prints; a name GBK cannot show (𠮷) becomes "?", not a traceback."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    (c,) = codes(1)
    name = "重庆𠮷祥科技有限公司"
    write_xlsx(tmp_path / "名录.xlsx", [["统一社会信用代码", "企业名称", "所属区县"], [c, name, "巴南区"]])
    write_xlsx(tmp_path / "放款.xlsx", [LOAN_HEADER, ["HT-1", c, name, "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000000, 4.35]])
    assert ledger.run("import", tmp_path / "名录.xlsx").exit_code == 0
    assert ledger.run("import", tmp_path / "放款.xlsx").exit_code == 0
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONPATH": str(root), "PYTHONUTF8": "0"}
    for args in (("report", "outstanding", "--by", "enterprise", "--as-of", "2021-12-31"), ("report", "fund", "--as-of", "2021-12-31")):
        proc = subprocess.run([sys.executable, "-m", "ledger", "--db", str(ledger.path), *args], capture_output=True, env=env, timeout=120)
        out = proc.stdout.decode("gbk")
        assert proc.returncode == 0, proc.stderr.decode("gbk", "replace")
        assert "Traceback" not in proc.stderr.decode("gbk", "replace")
        assert "知识价值信用贷款" in out or "风险补偿基金" in out
    assert "重庆?祥科技有限公司" in subprocess.run(
        [sys.executable, "-m", "ledger", "--db", str(ledger.path), "report", "outstanding", "--by", "enterprise", "--as-of", "2021-12-31"],
        capture_output=True, env=env, timeout=120,
    ).stdout.decode("gbk")
