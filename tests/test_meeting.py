"""The monthly meeting pack: official wording, periods and breakdowns, the brief, targets, the workbook.

Ledgers are built through the real CLI from real .xlsx files; expected figures are computed
here from the same Python lists the sheets were written from, never from the code under test.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import pytest
from conftest import APPLICATION_HEADER, ENTERPRISE_HEADER, Ledger, codes, write_xlsx
from hypothesis import given
from hypothesis import strategies as st

from ledger.reports import wording as W

BANKS = ["重庆农村商业银行", "中国建设银行重庆分行", "重庆银行"]
REGISTRY_HEADER = ENTERPRISE_HEADER + ["科技型企业入库编号", "是否高新技术企业"]
APPS_HEADER = APPLICATION_HEADER[:4] + ["申报金额(万元)", "意向银行", "评价等级"]
LOANS_WAN_HEADER = ["贷款合同编号", "统一社会信用代码", "企业名称", "贷款银行", "贷款品种", "放款日期", "到期日期", "放款金额(万元)", "年利率(%)"]
SEED = "截至2021年底,共有253家科企申报知识价值信用贷款49330万元,其中3家合作银行已为140家科企放贷24128万元,撬动试点银行放贷其他金融产品15899.8万元。"


# ---------------------------------------------------------------- wording (pure)

def oracle(fen: int, unit_fen: int) -> str:
    """Independent half-up rounding to 0.01 of a unit, in integer arithmetic, trailing zeros cut."""
    step = unit_fen // 100  # fen per 0.01 unit
    q = (fen + step // 2) // step
    whole, cents = divmod(q, 100)
    return f"{whole}" if cents == 0 else f"{whole}.{cents:02d}".rstrip("0")


WAN_FEN, YI_FEN = 10_000 * 100, 100_000_000 * 100


@given(st.integers(min_value=0, max_value=10**14))
def test_money_words_rounds_half_up_and_picks_the_unit_after_rounding(fen):
    amount = Decimal(fen) / 100
    text = W.money_words(amount)
    m = re.fullmatch(r"(\d+(?:\.\d{1,2})?)(万元|亿元)", text)
    assert m, text
    assert not m.group(1).endswith("0") or "." not in m.group(1)
    in_wan = oracle(fen, WAN_FEN)
    if Decimal(in_wan) >= 10000:
        assert text == oracle(fen, YI_FEN) + "亿元"
    else:
        assert text == in_wan + "万元"


@given(st.integers(min_value=0, max_value=10**14), st.sampled_from(["万元", "亿元"]))
def test_money_words_in_a_forced_unit_matches_the_oracle(fen, unit):
    text = oracle(fen, WAN_FEN if unit == "万元" else YI_FEN) + unit
    if text == "0亿元" and fen:  # too small to show in 亿元: written in 万元, never as zero
        text = oracle(fen, WAN_FEN) + "万元"
    assert W.money_words(Decimal(fen) / 100, unit) == text


def test_a_small_amount_in_a_forced_unit_is_not_written_as_zero():
    assert W.money_words(Decimal("20000"), "亿元") == "2万元"
    assert W.money_words(Decimal("1234567"), "亿元") == "0.01亿元"
    assert W.money_words(Decimal("0"), "亿元") == "0亿元"


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_money_words_never_reverses_order(a, b):
    lo, hi = sorted((a, b))

    def back(text):
        n, unit = re.fullmatch(r"([\d.]+)(万元|亿元)", text).groups()
        return Decimal(n) * (10000 if unit == "万元" else 100000000)

    assert back(W.money_words(Decimal(lo) / 100)) <= back(W.money_words(Decimal(hi) / 100))


def test_money_words_examples_from_the_documents():
    assert W.money_words(Decimal("241280000")) == "2.41亿元"
    assert W.money_words(Decimal("241280000"), "万元") == "24128万元"
    assert W.money_words(Decimal("158998000"), "万元") == "15899.8万元"
    assert W.money_words(Decimal("369000000")) == "3.69亿元"
    assert W.money_words(Decimal("260000000")) == "2.6亿元"
    assert W.money_words(Decimal("100000000")) == "1亿元"
    assert W.money_words(Decimal("242500000")) == "2.43亿元"  # half-up: banker's rounding would give 2.42
    assert W.money_words(Decimal("12345650")) == "1234.57万元"  # half-up: banker's rounding would give 1234.56
    assert W.money_words(Decimal("99999950")) == "1亿元"  # never "10000万元"
    assert W.money_words(Decimal("99999949.99")) == "9999.99万元"
    assert W.money_words(Decimal("0")) == "0万元"


def test_dates_periods_and_changes_in_words():
    assert W.date_words(dt.date(2021, 12, 31)) == "2021年底"
    assert W.date_words(dt.date(2021, 10, 31)) == "2021年10月底"
    assert W.date_words(dt.date(2024, 2, 29)) == "2024年2月底"
    assert W.date_words(dt.date(2021, 10, 15)) == "2021年10月15日"
    assert W.cn_date(dt.date(2021, 3, 5)) == "2021年3月5日"  # as every title and cover writes a date
    assert W.period_words(dt.date(2021, 10, 1), dt.date(2021, 10, 31)) == "2021年10月"
    assert W.period_words(dt.date(2021, 1, 1), dt.date(2021, 12, 31)) == "2021年"
    assert W.period_words(dt.date(2021, 1, 1), dt.date(2021, 3, 31)) == "2021年1—3月"
    assert W.period_words(dt.date(2021, 3, 5), dt.date(2021, 10, 15)) == "2021年3月5日至2021年10月15日"
    assert W.change_words(Decimal(1235), Decimal(1000)) == "同比增长23.5%"
    assert W.change_words(Decimal(960), Decimal(1000)) == "同比下降4%"
    assert W.change_words(5, 0) == "上年同期为零"
    assert W.times_words(Decimal("2.6")) == "2.6倍"
    assert W.signed_percent(Decimal("-0.0004")) == "0%"


# ---------------------------------------------------------------- a ledger with the seed's figures

def spread(n: int, total: Decimal, base) -> list[Decimal]:
    """n amounts in 万元 that add up to exactly `total` (the last one takes the remainder)."""
    amounts = [Decimal(base(i)) for i in range(n - 1)]
    last = total - sum(amounts)
    assert last > 0
    return amounts + [last]


def seed_data():
    """The 巴南 figures of end 2021: 253 applicants for 49330万元; 3 banks lent 140 of them
    24128万元 and 15899.8万元 of other products. Some loans fall in 2020 for year-on-year checks."""
    c = codes(253, seed=11)
    ents = [
        {"code": c[i], "name": f"重庆测试{i:03d}科技有限公司", "district": "巴南区" if i < 200 else "江北区",
         "tech_no": f"2021500113{i:05d}" if i < 180 else None, "hnte": i < 60}
        for i in range(253)
    ]
    apps = [
        {"no": f"SB-{i:04d}", "ent": ents[i], "date": dt.date(2020, 1, 10) + dt.timedelta(days=i), "wan": w,
         "bank": BANKS[i % 3], "grade": "ABC"[i % 3]}
        for i, w in enumerate(spread(253, Decimal(49330), lambda i: 145 + (i * 37) % 100))
    ]
    loans = []
    for i, w in enumerate(spread(140, Decimal(24128), lambda i: 120 + (i * 53) % 100)):
        day = dt.date(2020, i % 12 + 1, 15) if i < 40 else dt.date(2021, (i - 40) % 12 + 1, 15)
        loans.append({"no": f"ZS-{i:04d}", "ent": ents[i], "bank": BANKS[i % 3], "product": "知识价值信用贷款", "date": day, "wan": w})
    for j, w in enumerate(spread(60, Decimal("15899.8"), lambda j: Decimal(200 + (j * 29) % 120) + Decimal("0.2") * (j % 3))):
        loans.append({"no": f"QT-{j:04d}", "ent": ents[j], "bank": BANKS[j % 3], "product": "流动资金贷款", "date": dt.date(2021, j % 12 + 1, 20), "wan": w})
    return ents, apps, loans


def build(ledger: Ledger, tmp_path, ents, apps, loans) -> None:
    registry = [REGISTRY_HEADER] + [[e["code"], e["name"], e["district"], e["tech_no"], "是" if e["hnte"] else "否"] for e in ents]
    assert ledger.run("import", write_xlsx(tmp_path / "企业名录.xlsx", registry)).exit_code == 0
    if apps:
        rows = [APPS_HEADER] + [[a["no"], a["ent"]["code"], a["ent"]["name"], a["date"], a["wan"], a["bank"], a["grade"]] for a in apps]
        result = ledger.run("import", write_xlsx(tmp_path / "贷款申报.xlsx", rows))
        assert result.exit_code == 0, result.output
    rows = [LOANS_WAN_HEADER] + [
        [lo["no"], lo["ent"]["code"], lo["ent"]["name"], lo["bank"], lo["product"], lo["date"], lo["date"] + dt.timedelta(days=365), lo["wan"], 4.35]
        for lo in loans
    ]
    result = ledger.run("import", write_xlsx(tmp_path / "放款明细.xlsx", rows))
    assert result.exit_code == 0, result.output


@pytest.fixture
def seeded(ledger: Ledger, tmp_path):
    ents, apps, loans = seed_data()
    build(ledger, tmp_path, ents, apps, loans)
    return ledger, ents, apps, loans


def yuan_text(wan: Decimal) -> str:
    return f"{wan * 10000:.2f}"


def figures(apps, loans, start: dt.date, end: dt.date) -> dict:
    """What the summary JSON must say for [start, end], computed from the lists."""
    a = [x for x in apps if start <= x["date"] <= end]
    p = [x for x in loans if start <= x["date"] <= end and x["product"] == "知识价值信用贷款"]
    g = [x for x in loans if start <= x["date"] <= end and x["product"] != "知识价值信用贷款"]
    return {
        "applications": {"enterprises": len({x["ent"]["code"] for x in a}), "count": len(a), "amount": yuan_text(sum((x["wan"] for x in a), Decimal(0)))},
        "loans": {"banks": len({x["bank"] for x in p}), "enterprises": len({x["ent"]["code"] for x in p}), "count": len(p), "amount": yuan_text(sum((x["wan"] for x in p), Decimal(0)))},
        "guided": {"enterprises": len({x["ent"]["code"] for x in g}), "amount": yuan_text(sum((x["wan"] for x in g), Decimal(0)))},
    }


def test_brief_says_the_seed_sentence_from_the_ledger(seeded):
    ledger, *_ = seeded
    result = ledger.run("report", "brief", "--as-of", "2021-12-31", "--unit", "万元")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == SEED

    auto = ledger.json("report", "brief", "--as-of", "2021-12-31")
    assert auto["paragraphs"][0] == (
        "截至2021年底,共有253家科企申报知识价值信用贷款4.93亿元,其中3家合作银行已为140家科企放贷2.41亿元,"
        "撬动试点银行放贷其他金融产品1.59亿元。"
    )
    assert auto["figures"]["summary"]["loans"]["amount"] == "241280000.00"
    assert auto["figures"]["summary"]["guided"]["amount"] == "158998000.00"


def test_brief_rounds_half_up_and_words_a_month_end(ledger: Ledger, tmp_path):
    ents = [{"code": c, "name": f"重庆舍入{i}有限公司", "district": "巴南区", "tech_no": None, "hnte": False} for i, c in enumerate(codes(3, seed=5))]
    loans = [
        {"no": "R-1", "ent": ents[0], "bank": BANKS[0], "product": "知识价值信用贷款", "date": dt.date(2022, 6, 1), "wan": Decimal("12125")},
        {"no": "R-2", "ent": ents[1], "bank": BANKS[1], "product": "知识价值信用贷款", "date": dt.date(2022, 6, 2), "wan": Decimal("12125")},
        {"no": "R-3", "ent": ents[2], "bank": BANKS[1], "product": "知识产权质押贷款", "date": dt.date(2022, 6, 3), "wan": Decimal("1234.565")},
    ]
    build(ledger, tmp_path, ents, [], loans)
    b = ledger.json("report", "brief", "--as-of", "2022-06-30")
    assert b["paragraphs"][0] == "截至2022年6月底,2家合作银行已为2家科企发放知识价值信用贷款2.43亿元,撬动试点银行放贷其他金融产品1234.57万元。"


def test_titles_write_dates_as_the_brief_does(seeded):
    ledger = seeded[0]
    out = ledger.run("report", "summary", "--as-of", "2021-03-05").stdout
    assert "截至2021年3月5日" in out and "年03月" not in out


def test_brief_of_an_empty_ledger_says_so_and_leaves_out_absent_programmes(ledger: Ledger):
    b = ledger.json("report", "brief", "--as-of", "2021-12-31")
    assert b["paragraphs"] == ["截至2021年底,尚无知识价值信用贷款申报和放款记录。"]
    assert set(b["figures"]) == {"summary"}


def test_plain_summary_json_keeps_its_contract(seeded):
    ledger, _ents, apps, loans = seeded
    s = ledger.json("report", "summary", "--as-of", "2021-12-31")
    assert set(s) == {"as_of", "applications", "loans", "guided", "notes", "basis"}  # notes: what the ledger lacks (none here)
    head = ledger.sql("SELECT seq, entry_hash FROM journal ORDER BY seq DESC LIMIT 1")[0]
    assert s.pop("basis") == {"as_of": "2021-12-31", "entry": head[0], "hash": head[1]}
    assert s == {"as_of": "2021-12-31", **figures(apps, loans, dt.date.min, dt.date(2021, 12, 31)), "notes": []}


def test_month_beside_cumulative_and_the_same_month_a_year_before(seeded):
    ledger, _ents, apps, loans = seeded
    s = ledger.json("report", "summary", "--month", "2021-10")
    month = figures(apps, loans, dt.date(2021, 10, 1), dt.date(2021, 10, 31))
    before = figures(apps, loans, dt.date(2020, 10, 1), dt.date(2020, 10, 31))
    assert {k: s[k] for k in ("applications", "loans", "guided")} == month
    assert s["as_of"] == "2021-10-31"
    assert s["period"] == {"from": "2021-10-01", "to": "2021-10-31", "label": "2021年10月"}
    assert s["cumulative"] == {"as_of": "2021-10-31", **figures(apps, loans, dt.date.min, dt.date(2021, 10, 31))}
    assert s["year_before"] == {"from": "2020-10-01", "to": "2020-10-31", **before}
    now, then = Decimal(month["loans"]["amount"]), Decimal(before["loans"]["amount"])
    assert now and then
    change = s["changes"]["loans"]["amount"]
    assert change["difference"] == f"{now - then:.2f}"
    assert change["share"] == f"{((now - then) / then).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):.4f}"
    assert s["changes"]["loans"]["count"]["difference"] == month["loans"]["count"] - before["loans"]["count"]

    ranged = ledger.json("report", "summary", "--from", "2021-10-01", "--to", "2021-10-31")
    assert ranged == s
    to_date = ledger.json("report", "summary", "--month", "2021-10", "--as-of", "2021-10-16")
    assert to_date["loans"] == figures(apps, loans, dt.date(2021, 10, 1), dt.date(2021, 10, 16))["loans"]
    assert to_date["year_before"]["to"] == "2020-10-16"


def test_breakdowns_by_bank_district_grade_and_month(seeded):
    ledger, ents, apps, loans = seeded
    s = ledger.json("report", "summary", "--as-of", "2021-12-31", "--by", "bank", "--by", "district,grade", "--by", "month")
    assert set(s["breakdowns"]) == {"bank", "district", "grade", "month"}
    programme = [lo for lo in loans if lo["product"] == "知识价值信用贷款"]

    by_bank = {r["key"]: r for r in s["breakdowns"]["bank"]}
    assert set(by_bank) == set(BANKS)
    for bank in BANKS:
        assert by_bank[bank]["loans"]["amount"] == yuan_text(sum(lo["wan"] for lo in programme if lo["bank"] == bank))
        assert by_bank[bank]["applications"]["count"] == sum(1 for a in apps if a["bank"] == bank)
    amounts = [Decimal(r["loans"]["amount"]) for r in s["breakdowns"]["bank"]]
    assert amounts == sorted(amounts, reverse=True)

    by_district = {r["key"]: r for r in s["breakdowns"]["district"]}
    assert by_district["江北区"]["applications"]["enterprises"] == 53
    assert by_district["巴南区"]["loans"]["enterprises"] == 140  # every borrower is one of the first 200

    # A loan takes the grade of its enterprise's latest application on or before the loan date.
    app_of = {a["ent"]["code"]: a for a in apps}

    def grade(lo):
        a = app_of[lo["ent"]["code"]]
        return a["grade"] if a["date"] <= lo["date"] else "未评级"

    by_grade = {r["key"]: r for r in s["breakdowns"]["grade"]}
    assert list(by_grade) == ["A", "B", "C", "未评级"]
    for g in by_grade:
        assert by_grade[g]["loans"]["amount"] == yuan_text(sum((lo["wan"] for lo in programme if grade(lo) == g), Decimal(0)))
    assert by_grade["未评级"]["loans"]["count"] > 0 and by_grade["未评级"]["applications"]["count"] == 0

    months = s["breakdowns"]["month"]
    assert [r["key"] for r in months][:2] == ["2020-01", "2020-02"] and months[-1]["key"] == "2021-12"
    assert len(months) == 24  # no month left out, quiet or not
    assert months[-1]["cumulative_loan_amount"] == "241280000.00"
    oct21 = next(r for r in months if r["key"] == "2021-10")
    assert oct21["loans"] == figures(apps, loans, dt.date(2021, 10, 1), dt.date(2021, 10, 31))["loans"] | {"banks": oct21["loans"]["banks"]}


def test_period_options_that_make_no_sense_are_usage_errors(seeded):
    ledger, *_ = seeded
    for args in (["--month", "2021-13"], ["--month", "2021-10", "--from", "2021-01-01"], ["--from", "2021-12-01", "--to", "2021-01-01"],
                 ["--by", "colour"], ["--month", "2021-10", "--as-of", "2021-09-30"], ["--as-of", "2021-01-01", "--to", "2021-02-01"]):
        result = ledger.run("report", "summary", *args)
        assert result.exit_code == 2, (args, result.output)
        assert "错误" in result.stderr and "Traceback" not in result.output


# ---------------------------------------------------------------- targets

def test_targets_progress_from_the_registry(seeded, tmp_path):
    ledger, *_ = seeded
    t = ledger.json("report", "targets", "--as-of", "2024-06-30")
    assert t["registry"] == {"hnte": 60, "tech_sme": 180, "enterprises": 253}
    goals = {(g["measure"], g["year"]): g for g in t["goals"]}
    assert goals[("hnte", 2025)] == {"measure": "hnte", "year": 2025, "target": 80, "current": 60, "share": "0.7500", "gap": 20}
    assert goals[("tech_sme", 2027)] == {"measure": "tech_sme", "year": 2027, "target": 1000, "current": 180, "share": "0.1800", "gap": 820}

    b = ledger.json("report", "brief", "--as-of", "2024-06-30")
    assert b["paragraphs"][-1] == (
        "企业名录中现有高新技术企业60家、科技型企业180家,对照黔江区2025年“双倍增”目标(高新技术企业80家、科技型企业700家),"
        "分别完成75%、25.7%,距目标尚差高新技术企业20家、科技型企业520家。"
    )

    policy = tmp_path / "江北.toml"
    policy.write_text(
        'name = "江北"\n[[targets]]\neffective_from = 2022-01-01\ndistrict = "江北区"\nsource = "测试"\n'
        "milestones = [ { year = 2026, hnte = 10, tech_sme = 40 } ]\n",
        encoding="utf-8",
    )
    t = ledger.json("report", "targets", "--as-of", "2024-06-30", "--policy", policy)
    assert t["district"] == "江北区" and t["registry"] == {"hnte": 0, "tech_sme": 0, "enterprises": 53}
    early = ledger.run("report", "targets", "--as-of", "2021-06-30", "--policy", policy)
    # no targets in force yet: not a usage error; the report says which policy section is missing
    assert early.exit_code == 0 and "没有2021年6月30日生效的“双倍增”目标([[targets]])" in early.stdout
    assert "请在政策文件中加入 [[targets]]" in early.stdout


# ---------------------------------------------------------------- 80 columns

def test_terminal_output_fits_80_columns(seeded):
    from rich.cells import cell_len
    from rich.console import Console

    from ledger.reports import summary_render as R

    ledger, *_ = seeded
    for args in (
        ["report", "summary", "--as-of", "2021-12-31", "--by", "bank,district,grade,month"],
        ["report", "summary", "--month", "2021-10", "--by", "bank"],
        ["report", "targets", "--as-of", "2024-06-30"],
        ["report", "brief", "--as-of", "2024-06-30"],
    ):
        result = ledger.run(*args)
        assert result.exit_code == 0, result.output
        if args[1] != "brief":  # the brief is printed unwrapped when piped, to paste into a document
            table = [line for line in result.stdout.splitlines() if not line.lstrip().startswith(("说明:", "提示:"))]
            assert max(cell_len(line) for line in table) <= 80, args  # notes stay whole on one line, for grep
        assert "…" not in result.stdout  # long names fold onto a second line, never cut

    import duckdb

    from ledger.policy import load_policy
    from ledger.reports.brief import brief

    with duckdb.connect(str(ledger.path), read_only=True) as con:
        b = brief(con, dt.date(2024, 6, 30), load_policy())
    console = Console(width=80, record=True, force_terminal=False)
    console.print(R.brief_renderable(b))
    lines = console.export_text().splitlines()
    assert lines and max(cell_len(line) for line in lines) <= 80


# ---------------------------------------------------------------- the workbook

def test_meeting_workbook_reads_back_with_formats_charts_and_no_formulas(ledger: Ledger, tmp_path):
    from openpyxl import load_workbook

    ents, apps, loans = seed_data()
    # Names a spreadsheet could take for formulas: they must come back as text.
    tricky = ["=HYPERLINK(\"http://x\",\"点我\")", "+重庆某银行", "-测试银行", "@银行"]
    for lo, bank in zip(loans[:4], tricky):
        lo["bank"] = bank
    build_tricky(ledger, tmp_path, ents, apps, loans)
    out = tmp_path / "会议材料.xlsx"
    result = ledger.run("report", "summary", "--as-of", "2024-06-30", "--xlsx", out)
    assert result.exit_code == 0, result.output
    assert "已写出会议材料" in result.stdout

    wb = load_workbook(out)
    assert wb.sheetnames == ["封面", "按银行", "按区县", "按评价等级", "按月份", "目标进度"]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
        assert ws.print_area, ws.title
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage

    cover = wb["封面"]
    texts = [c.value for row in cover.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("截至2024年6月底,共有253家科企申报") for t in texts)
    assert any("对照黔江区2025年“双倍增”目标" in t for t in texts)

    bank = wb["按银行"]
    assert bank.freeze_panes == "B3"
    header = [c.value for c in bank[2]]
    assert header[:1] == ["合作银行"] and "放款金额(万元)" in header
    money_col = header.index("放款金额(万元)") + 1
    keys = {bank.cell(row=r, column=1).value: r for r in range(3, bank.max_row + 1)}
    for name in tricky:
        cell = bank.cell(row=keys[name], column=1)
        assert cell.data_type == "s" and cell.value == name
    total_row = keys["合计"]
    assert bank.cell(row=total_row, column=money_col).number_format == "#,##0.00"
    assert Decimal(str(bank.cell(row=total_row, column=money_col).value)) == Decimal(24128)
    assert bank.column_dimensions["A"].width >= 20  # fitted to 中国建设银行重庆分行

    month = wb["按月份"]
    assert month.freeze_panes == "B3"
    assert month.cell(row=3, column=1).value == "2020-01"

    monthly = tmp_path / "2021年10月.xlsx"
    assert ledger.run("report", "summary", "--month", "2021-10", "--xlsx", monthly, "--json").exit_code == 0
    cover = load_workbook(monthly)["封面"]
    rows = [[c.value for c in row] for row in cover.iter_rows()]
    assert ["项目", "本期", "上年同期", "同比", "累计"] in rows
    loans_row = next(r for r in rows if r[0] == "放款金额")
    expected = figures(apps, loans, dt.date(2021, 10, 1), dt.date(2021, 10, 31))["loans"]["amount"]
    assert Decimal(str(loans_row[1])) * 10000 == Decimal(expected)

    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) >= 6  # bank, district, grade, month trend, two target charts
        kinds = "".join(z.read(n).decode() for n in charts)
        assert re.search(r"<(c:)?lineChart>", kinds) and re.search(r"<(c:)?barChart>", kinds)
        assert "<f>" not in "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office:
        done = subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=180)
        assert done.returncode == 0 and (tmp_path / "会议材料.pdf").stat().st_size > 10000, done.stderr


def build_tricky(ledger: Ledger, tmp_path, ents, apps, loans) -> None:
    """Like `build`, but text that looks like a formula is stored as text in the bank's sheet too."""
    from openpyxl import load_workbook

    build_sheets = tmp_path / "src"
    build_sheets.mkdir()
    registry = [REGISTRY_HEADER] + [[e["code"], e["name"], e["district"], e["tech_no"], "是" if e["hnte"] else "否"] for e in ents]
    assert ledger.run("import", write_xlsx(build_sheets / "企业名录.xlsx", registry)).exit_code == 0
    rows = [APPS_HEADER] + [[a["no"], a["ent"]["code"], a["ent"]["name"], a["date"], a["wan"], a["bank"], a["grade"]] for a in apps]
    assert ledger.run("import", write_xlsx(build_sheets / "贷款申报.xlsx", rows)).exit_code == 0
    path = build_sheets / "放款明细.xlsx"
    write_xlsx(path, [LOANS_WAN_HEADER] + [
        [lo["no"], lo["ent"]["code"], lo["ent"]["name"], lo["bank"], lo["product"], lo["date"], lo["date"] + dt.timedelta(days=365), lo["wan"], 4.35]
        for lo in loans
    ])
    wb = load_workbook(path)
    for row in wb.active.iter_rows(min_row=2, min_col=4, max_col=4):
        if row[0].data_type == "f":
            row[0].data_type = "s"
    wb.save(path)
    result = ledger.run("import", path)
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- fund and subsidies in the brief

def test_brief_adds_fund_and_subsidy_paragraphs_that_agree_with_their_reports(ledger: Ledger, tmp_path):
    """梁平's shape: a 1亿元 fund, 2.6亿元 of programme loans (2.6倍), 1.45亿元 guided; one claim
    paid and a recovery shared back; two incubators paid their subsidies."""
    c = codes(6, seed=61)
    names = [f"重庆梁平测试{i}有限公司" for i in range(6)]
    bank = "重庆农村商业银行"
    loans = [LOANS_WAN_HEADER] + [
        [f"LP-{i}", c[i], names[i], bank, "知识价值信用贷款", dt.date(2021, 1, 4), dt.date(2022, 1, 1), 6500, 4.0] for i in range(4)
    ] + [["LP-G", c[4], names[4], bank, "流动资金贷款", dt.date(2021, 2, 1), dt.date(2022, 2, 1), 14500, 5.0]]
    registry = [ENTERPRISE_HEADER] + [[c[i], names[i], "梁平区"] for i in range(6)]
    fund = [["基金名称", "出资方", "到位日期", "出资金额(万元)"],
            ["风险补偿基金", "市级", dt.date(2020, 6, 1), 4000], ["风险补偿基金", "区级", dt.date(2020, 6, 1), 6000]]
    claims = [["补偿申请编号", "贷款合同编号", "申请日期", "逾期本金", "核定补偿金额", "拨付日期"],
              ["CL-1", "LP-0", dt.date(2022, 5, 1), 1000000, 800000, dt.date(2022, 6, 1)]]
    recoveries = [["贷款合同编号", "回收日期", "回收金额"], ["LP-0", dt.date(2022, 8, 1), 100000]]
    carriers = [["载体名称", "运营主体统一社会信用代码", "载体类型", "级别", "认定日期", "认定文号"],
                ["梁平星光孵化器", c[5], "科技企业孵化器", "市级", dt.date(2021, 3, 1), "渝科发〔2021〕12号"],
                ["梁平众创空间", c[4], "众创空间", "市级", dt.date(2021, 6, 1), "渝科发〔2021〕30号"]]
    subsidies = [["拨付编号", "运营主体统一社会信用代码", "载体名称", "补助项目", "金额(元)", "拨付日期", "依据文号", "事项", "事项统一社会信用代码"],
                 ["BF-1", c[5], "梁平星光孵化器", "能力建设补助", 200000, dt.date(2021, 5, 10), None, None, None],
                 ["BF-2", c[4], "梁平众创空间", "能力建设补助", 100000, dt.date(2021, 8, 1), None, None, None],
                 ["BF-3", c[5], "梁平星光孵化器", "绩效奖励-高新技术企业", 20000, dt.date(2022, 1, 5), None, f"{names[0]}认定为高新技术企业", c[0]]]
    for name, rows in (("名录", registry), ("放款", loans), ("出资", fund), ("补偿", claims), ("追偿", recoveries), ("载体", carriers), ("拨付", subsidies)):
        result = ledger.run("import", write_xlsx(tmp_path / f"{name}.xlsx", rows))
        assert result.exit_code == 0, (name, result.output)

    b = ledger.json("report", "brief", "--as-of", "2022-12-31")
    assert b["paragraphs"] == [
        "截至2022年底,1家合作银行已为4家科企发放知识价值信用贷款2.6亿元,撬动试点银行放贷其他金融产品1.45亿元。",
        "风险补偿基金已到位资金1亿元,撬动知识价值信用贷款2.6亿元,放大倍数2.6倍;已拨付风险补偿1笔、80万元,追偿分回基金8万元。",
        "累计向2家孵化载体兑现补助3笔、32万元,其中能力建设补助30万元、绩效奖励2万元。",
    ]
    lev = ledger.json("report", "leverage", "--as-of", "2022-12-31")
    assert b["figures"]["fund"]["leverage"] == lev["fund_leverage"]["value"] == "2.60"
    statement = ledger.json("report", "fund", "--as-of", "2022-12-31")
    assert b["figures"]["fund"]["capital"] == statement["capital"] == "100000000.00"
    assert b["figures"]["fund"]["recoveries_returned"] == statement["recoveries_returned"] == "80000.00"
    assert b["figures"]["subsidies"]["amount"] == "320000.00"

    before = ledger.json("report", "brief", "--as-of", "2021-03-31")
    assert before["paragraphs"][1] == "风险补偿基金已到位资金1亿元,撬动知识价值信用贷款2.6亿元,放大倍数2.6倍,尚未发生风险补偿。"
    assert len(before["paragraphs"]) == 2  # no subsidy paid by then: that paragraph is left out
    # CL-1 claimed on 2022-05-01, paid on 2022-06-01: in between it is owed, and the brief says so
    claimed = ledger.json("report", "brief", "--as-of", "2022-05-15")
    assert claimed["paragraphs"][1] == "风险补偿基金已到位资金1亿元,撬动知识价值信用贷款2.6亿元,放大倍数2.6倍;已受理风险补偿申请1笔、80万元,尚未拨付。"
    assert (claimed["figures"]["fund"]["claims_pending"], claimed["figures"]["fund"]["pending"]) == (1, "800000.00")


def test_workbook_that_cannot_be_written_is_a_clear_usage_error(seeded, tmp_path):
    ledger, *_ = seeded
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = ledger.run("report", "summary", "--as-of", "2021-12-31", "--xlsx", blocker / "会议材料.xlsx")
    assert result.exit_code == 2 and "无法写出工作簿" in result.stderr and "Traceback" not in result.output
    wrong = ledger.run("report", "summary", "--xlsx", tmp_path / "会议材料.pdf")
    assert wrong.exit_code == 2 and ".xlsx" in wrong.stderr
