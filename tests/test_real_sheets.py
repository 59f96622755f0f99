"""Real bank spreadsheets: the same loans in every form banks send import to the same figures.

One set of facts (a registry of four enterprises, seven loans) is written by each test in a
different form — titles and merged cells, a 单位:万元 line, blank rows, a 合计 row, messy
headers, several sheets, .xls, .ods, CSV in UTF-8/UTF-8-BOM/GBK, amounts as text, every
date spelling, lower-case codes with spaces, the three rate forms, a bank's own headers
through a mapping — and must leave the ledger exactly as the clean .xlsx does: the same
`report summary --json` and the same stored rows. Then a file with problems everywhere is
refused cell by cell, and `--errors` writes the bank's sheet back with them marked.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import ENTERPRISE_HEADER, LOAN_HEADER, Ledger, codes, runner, write_xlsx

from ledger.cli import app

C = codes(4, seed=31)
NAMES = ["重庆渝芯电子有限公司", "重庆云帆软件有限公司", "重庆华创新材有限公司", "重庆博远生物医药有限公司"]
NRC, CQB, CCB = "重庆农村商业银行", "重庆银行", "中国建设银行重庆分行"
PROG = "知识价值信用贷款"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# contract, enterprise, bank, product, disbursed, maturity, amount (元), annual rate (%)
LOANS = [
    ("GH-001", 0, NRC, PROG, d("2021-03-05"), d("2022-03-04"), Decimal("1600000.00"), Decimal("4.35")),
    ("GH-002", 1, CQB, PROG, d("2021-06-18"), d("2022-06-17"), Decimal("2500000.50"), Decimal("4.5")),
    ("GH-003", 2, CQB, "流动资金贷款", d("2021-11-20"), d("2023-11-19"), Decimal("800000.00"), Decimal("5")),
    ("GH-004", 3, CCB, PROG, d("2022-01-10"), d("2023-01-09"), Decimal("1000000.00"), Decimal("3.85")),
    ("GH-005", 0, CCB, "知识产权质押贷款", d("2022-02-28"), d("2023-02-27"), Decimal("3000000.00"), Decimal("4.05")),
    ("GH-006", 1, NRC, PROG, d("2022-07-01"), d("2023-06-30"), Decimal("1234567.89"), Decimal("4.1")),
    ("GH-007", 2, CQB, PROG, d("2022-12-31"), d("2024-12-30"), Decimal("900000.00"), Decimal("4.35")),
]
TOTAL = sum(lo[6] for lo in LOANS)
STORED = "SELECT contract_no, credit_code, enterprise_name, bank, product, is_programme, disbursed_on, maturity_on, amount, rate_pct FROM loans ORDER BY contract_no"
COUNTS = "SELECT (SELECT count(*) FROM loans), (SELECT count(*) FROM import_batches), (SELECT count(*) FROM journal)"


def loan_row(lo, amount=None, rate=None, disbursed=None, maturity=None, code=None) -> list:
    """One loan in the standard column order, each value as given or as the clean form."""
    no, e, bank, product, day, due, yuan, pct = lo
    return [
        no,
        C[e] if code is None else code,
        NAMES[e],
        bank,
        product,
        day if disbursed is None else disbursed,
        due if maturity is None else maturity,
        (float(yuan) if yuan % 1 else int(yuan)) if amount is None else amount,
        float(pct) if rate is None else rate,
    ]


def wan(yuan: Decimal) -> float:
    """An amount in 万元 as a bank's spreadsheet holds it: a float."""
    return float(yuan / 10000)


def clean(path: Path) -> Path:
    return write_xlsx(path, [LOAN_HEADER] + [loan_row(lo) for lo in LOANS], sheet="放款明细")


def registry(path: Path) -> Path:
    return write_xlsx(path, [ENTERPRISE_HEADER] + [[C[i], NAMES[i], "巴南区"] for i in range(4)], sheet="企业名录")


def figures(led: Ledger) -> tuple[dict, list, dict]:
    """What a user sees of the loans: the summary at two dates and the stored rows (not the basis: each ledger's own journal)."""

    def summary(day: str) -> dict:
        s = led.json("report", "summary", "--as-of", day)
        s.pop("basis")
        return s

    return summary("2021-12-31"), led.sql(STORED), summary("2030-12-31")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[dict, list, dict]:
    """The figures of the clean .xlsx, imported into its own ledger."""
    tmp = tmp_path_factory.mktemp("reference")
    led = Ledger(tmp / "ref.duckdb")
    assert led.run("init").exit_code == 0
    assert led.run("import", registry(tmp / "名录.xlsx")).exit_code == 0
    result = led.run("import", clean(tmp / "放款明细.xlsx"))
    assert result.exit_code == 0, result.output
    return figures(led)


def test_clean_reference_holds_the_facts(reference):
    early, stored, late = reference
    assert len(stored) == 7
    assert stored[0] == ("GH-001", C[0], NAMES[0], NRC, PROG, True, d("2021-03-05"), d("2022-03-04"), Decimal("1600000.00"), Decimal("4.3500"))
    assert [r[8] for r in stored] == [lo[6] for lo in LOANS]
    assert [r[9] for r in stored] == [lo[7] for lo in LOANS]
    assert early["loans"] == {"banks": 2, "enterprises": 2, "count": 2, "amount": "4100000.50"}
    assert early["guided"] == {"enterprises": 1, "amount": "800000.00"}
    assert late["loans"] == {"banks": 3, "enterprises": 4, "count": 5, "amount": "7234568.39"}
    assert late["guided"] == {"enterprises": 2, "amount": "3800000.00"}


# --- the forms -------------------------------------------------------------------------------


def xlsx_layout(tmp: Path) -> tuple[Path, list]:
    """Title in a merged range, a 单位:万元 line, blank rows between data, a 合计 row, a note line."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "放款明细"
    ws["A1"] = "重庆市巴南区知识价值信用贷款放款明细表"
    ws.merge_cells("A1:I1")
    ws["A2"] = "填报单位:各合作银行"
    ws["H2"] = "单位:万元"
    ws.append([])
    ws.append(LOAN_HEADER)
    for i, lo in enumerate(LOANS):
        ws.append(loan_row(lo, amount=wan(lo[6])))
        if i in (2, 4):
            ws.append([None] * 9)  # blank rows inside the table
    ws.append(["合计", None, None, None, None, None, None, wan(TOTAL), None])
    ws.append([])
    ws.append(["注:本表金额单位为万元,利率为年利率。"])
    return _save(wb, tmp / "巴南放款明细(万元).xlsx"), []


def header_mess(tmp: Path) -> tuple[Path, list]:
    """Header cells with spaces, full-width brackets and line breaks; the unit in the header."""
    header = [" 贷款合同\n编号 ", "统一社会信用代码\u3000", "企业 名称", "贷款银行", "贷款\r\n品种", "放款\n日期", "到期日期 ", "放款金额\n（万元）", "年利率（%）"]
    rows = [header] + [loan_row(lo, amount=wan(lo[6])) for lo in LOANS]
    return write_xlsx(tmp / "表头.xlsx", rows, sheet="Sheet1"), []


def several_sheets(tmp: Path) -> tuple[Path, list]:
    """A notes sheet that matches no kind comes first; the loans sheet is found and imported."""
    notes = [["填报说明"], ["1. 金额单位为元"], ["2. 日期格式为 年-月-日"]]
    path = write_xlsx(tmp / "多表.xlsx", notes, sheet="说明", more={"放款明细": [LOAN_HEADER] + [loan_row(lo) for lo in LOANS]})
    return path, []


def sheet_option(tmp: Path) -> tuple[Path, list]:
    """Two loan sheets; `--sheet` takes only the one named (the other holds loans of another month)."""
    other = [LOAN_HEADER, ["GH-900", C[0], NAMES[0], NRC, PROG, d("2021-01-05"), d("2022-01-04"), 5000, 4.35]]
    path = write_xlsx(tmp / "两个月.xlsx", other, sheet="上月", more={"本月": [LOAN_HEADER] + [loan_row(lo) for lo in LOANS]})
    return path, ["--sheet", "本月"]


def xls(tmp: Path) -> tuple[Path, list]:
    """A legacy BIFF .xls as bank systems export it: merged title, date cells, amounts in 万元."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("放款明细")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    ws.write_merge(0, 0, 0, 8, "建设银行放款明细")
    ws.write(1, 7, "单位:万元")
    for c, h in enumerate(LOAN_HEADER):
        ws.write(2, c, h)
    for r, lo in enumerate(LOANS, start=3):
        for c, v in enumerate(loan_row(lo, amount=wan(lo[6]))):
            if isinstance(v, dt.date):
                ws.write(r, c, v, date_style)
            else:
                ws.write(r, c, v)
    ws.write(len(LOANS) + 3, 0, "合计")
    ws.write(len(LOANS) + 3, 7, wan(TOTAL))
    path = tmp / "建行放款明细.xls"
    book.save(str(path))
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    return path, []


def ods(tmp: Path) -> tuple[Path, list]:
    """An OpenDocument sheet (WPS / LibreOffice) with date cells, written by pandas' odf writer."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("odf")
    rows = [["放款明细"], LOAN_HEADER] + [loan_row(lo) for lo in LOANS]
    width = len(LOAN_HEADER)
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    path = tmp / "放款明细.ods"
    frame.to_excel(path, engine="odf", header=False, index=False, sheet_name="放款明细")
    assert path.read_bytes()[:2] == b"PK"
    return path, []


def _csv(tmp: Path, name: str, encoding: str) -> Path:
    path = tmp / name
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(["重庆市知识价值信用贷款放款明细"])
        w.writerow(LOAN_HEADER)
        for lo in LOANS:
            w.writerow(loan_row(lo, amount=f"{lo[6]:,.2f}", disbursed=lo[4].isoformat(), maturity=lo[5].isoformat()))
    return path


def csv_utf8(tmp: Path) -> tuple[Path, list]:
    return _csv(tmp, "放款明细-utf8.csv", "utf-8"), []


def csv_utf8_bom(tmp: Path) -> tuple[Path, list]:
    path = _csv(tmp, "放款明细-bom.csv", "utf-8-sig")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    return path, []


def csv_gbk(tmp: Path) -> tuple[Path, list]:
    path = _csv(tmp, "放款明细-gbk.csv", "gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    return path, []


FULL = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def amounts_as_text(tmp: Path) -> tuple[Path, list]:
    """Amounts typed as text: thousands separators, full-width digits, a trailing 元 or 万元."""
    spelled = [
        "1,600,000.00",
        "2,500,000.50".translate(FULL),
        "800000元",
        "100万元",
        " 3,000,000.00 元 ",
        "123.456789万元",
        "９０万元",
    ]
    rows = [LOAN_HEADER] + [loan_row(lo, amount=a) for lo, a in zip(LOANS, spelled)]
    return write_xlsx(tmp / "金额文本.xlsx", rows), []


def dates_every_form(tmp: Path) -> tuple[Path, list]:
    """Dates as date cells, Excel serial numbers, and every text spelling, mixed in one column."""

    def forms(day: dt.date) -> list:
        serial = (day - dt.date(1899, 12, 30)).days
        return [
            day,
            serial,
            day.isoformat(),
            f"{day.year}/{day.month}/{day.day}",
            f"{day.year}.{day.month}.{day.day}",
            f"{day.year}年{day.month}月{day.day}日",
            f"{day:%Y%m%d}",
        ]

    rows = [LOAN_HEADER]
    for i, lo in enumerate(LOANS):
        rows.append(loan_row(lo, disbursed=forms(lo[4])[i], maturity=forms(lo[5])[(i + 3) % 7]))
    return write_xlsx(tmp / "日期.xlsx", rows), []


def codes_messy(tmp: Path) -> tuple[Path, list]:
    """Credit codes in lower case, with stray and inner spaces, one in full width."""

    def mess(code: str, i: int) -> str:
        if i % 3 == 0:
            return f"  {code.lower()} "
        if i % 3 == 1:
            return f"{code[:6]} {code[6:12]} {code[12:]}"
        return code.translate(str.maketrans("0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"))

    rows = [LOAN_HEADER] + [loan_row(lo, code=mess(C[lo[1]], i)) for i, lo in enumerate(LOANS)]
    return write_xlsx(tmp / "代码.xlsx", rows), []


def rates_three_forms(tmp: Path) -> tuple[Path, list]:
    """4.35, '4.35%' and 0.0435 all mean 4.35% a year."""
    rows = [LOAN_HEADER]
    for i, lo in enumerate(LOANS):
        pct = lo[7]
        rate = [float(pct), f"{pct}%", float(pct / 100)][i % 3]
        rows.append(loan_row(lo, rate=rate))
    return write_xlsx(tmp / "利率.xlsx", rows), []


BANK_HEADER = ["借据号", "客户证件号码", "客户名称", "机构名称", "产品名称", "借据起始日", "借据到期日", "借据金额(万元)", "执行年利率"]
MAPPING = Path(__file__).resolve().parent.parent / "imports" / "mappings" / "工行.toml"


def bank_mapping(tmp: Path) -> tuple[Path, list]:
    """A bank's own headers, read through the shipped mapping named with --map."""
    rows = [BANK_HEADER] + [loan_row(lo, amount=wan(lo[6])) for lo in LOANS]
    return write_xlsx(tmp / "借据明细.xlsx", rows), ["--map", str(MAPPING)]


def thousand_yuan_line(tmp: Path) -> tuple[Path, list]:
    """A bank's 千元 sheet: the unit in a 金额单位：千元 line (full-width colon) above the header, a 合计 row in 千元."""
    rows = [["重庆银行知识价值信用贷款放款明细"], ["填报单位:重庆银行", None, None, None, None, None, None, "金额单位：千元"], LOAN_HEADER]
    rows += [loan_row(lo, amount=float(lo[6] / 1000)) for lo in LOANS]
    rows.append(["合计", None, None, None, None, None, None, float(TOTAL / 1000), None])
    return write_xlsx(tmp / "千元.xlsx", rows, sheet="放款明细"), []


def hundred_million_yuan_header(tmp: Path) -> tuple[Path, list]:
    """The unit in the header, 放款金额（亿元）: 1234567.89 元 is 0.0123456789亿元."""
    header = LOAN_HEADER[:7] + ["放款金额（亿元）", LOAN_HEADER[8]]
    rows = [header] + [loan_row(lo, amount=float(lo[6] / 10**8)) for lo in LOANS]
    return write_xlsx(tmp / "亿元.xlsx", rows, sheet="放款明细"), []


FORMS = [
    thousand_yuan_line,
    hundred_million_yuan_header,
    xlsx_layout,
    header_mess,
    several_sheets,
    sheet_option,
    xls,
    ods,
    csv_utf8,
    csv_utf8_bom,
    csv_gbk,
    amounts_as_text,
    dates_every_form,
    codes_messy,
    rates_three_forms,
    bank_mapping,
]


@pytest.mark.parametrize("form", FORMS, ids=[f.__name__ for f in FORMS])
def test_every_form_imports_to_the_clean_figures(form, ledger: Ledger, tmp_path, reference):
    assert ledger.run("import", registry(tmp_path / "名录.xlsx")).exit_code == 0
    path, options = form(tmp_path)
    result = ledger.run("import", path, *options, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert not report["refused"]
    assert [s["added"] for s in report["sheets"]] == [7]
    codes_seen = {p["code"] for p in report["problems"]}
    assert not codes_seen & {"total_mismatch", "bad_amount", "bad_date", "bad_rate", "bad_credit_code"}, report["problems"]
    assert figures(ledger) == reference


def test_layout_sheet_skips_total_and_note_rows_and_finds_header(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    path, _ = xlsx_layout(tmp_path)
    report = json.loads(ledger.run("import", path, "--json").stdout)
    assert report["sheets"][0]["header_row"] == 4 and report["sheets"][0]["rows"] == 7
    (note,) = report["problems"]
    assert note["code"] == "note_row" and note["severity"] == "warning" and note["row"] == 16
    assert ledger.sql("SELECT min(source_row), max(source_row) FROM loans") == [(5, 13)]


def test_several_sheets_reports_the_one_skipped(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    path, _ = several_sheets(tmp_path)
    report = json.loads(ledger.run("import", path, "--json").stdout)
    assert report["skipped_sheets"] == ["说明"]
    assert [s["sheet"] for s in report["sheets"]] == ["放款明细"]


def test_sheet_option_names_a_missing_sheet(ledger: Ledger, tmp_path):
    path, _ = sheet_option(tmp_path)
    result = ledger.run("import", path, "--sheet", "十月")
    assert result.exit_code == 1
    assert "没有名为「十月」的工作表" in result.stdout and "「本月」" in result.stdout


def test_total_row_in_wan_checked_against_the_rows_naming_both_figures(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    rows = [["单位:万元"], LOAN_HEADER] + [loan_row(lo, amount=wan(lo[6])) for lo in LOANS]
    rows.append(["总 计", None, None, None, None, None, None, 1100, None])
    report = json.loads(ledger.run("import", write_xlsx(tmp_path / "合计不符.xlsx", rows), "--json").stdout)
    (w,) = [p for p in report["problems"] if p["code"] == "total_mismatch"]
    assert w["severity"] == "warning" and w["cell"] == "H10"
    assert "11,000,000.00" in w["message"] and "11,034,568.39" in w["message"]
    assert ledger.sql("SELECT count(*), sum(amount) FROM loans") == [(7, TOTAL)]


# --- per-bank mappings -----------------------------------------------------------------------


def test_mapping_beside_the_ledger_is_picked_by_file_name_every_month(ledger: Ledger, tmp_path, reference):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    folder = ledger.path.parent / "imports" / "mappings"
    folder.mkdir(parents=True)
    (folder / "工行.toml").write_bytes(MAPPING.read_bytes())
    rows = [BANK_HEADER] + [loan_row(lo, amount=wan(lo[6])) for lo in LOANS[:4]]
    first = ledger.run("import", write_xlsx(tmp_path / "工行借据明细2022年1月.xlsx", rows))
    assert first.exit_code == 0, first.output
    assert "表头映射" in first.stdout and "工行.toml" in first.stdout
    rows = [BANK_HEADER] + [loan_row(lo, amount=wan(lo[6])) for lo in LOANS[4:]]
    second = ledger.run("import", write_xlsx(tmp_path / "工行借据明细2022年2月.xlsx", rows), "--json")
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["mapping"].endswith("工行.toml")
    assert figures(ledger) == reference


def test_bank_headers_without_a_mapping_are_refused_naming_what_is_expected(ledger: Ledger, tmp_path):
    rows = [BANK_HEADER] + [loan_row(lo) for lo in LOANS]
    result = ledger.run("import", write_xlsx(tmp_path / "借据明细.xlsx", rows))
    assert result.exit_code == 1
    assert "没有找到可识别的表头" in result.stdout and "--map" in result.stdout


def test_two_mappings_matching_one_file_is_a_usage_error(ledger: Ledger, tmp_path):
    folder = ledger.path.parent / "imports" / "mappings"
    folder.mkdir(parents=True)
    (folder / "a.toml").write_text('files = ["*借据*"]\n[headers]\n"借据号" = "贷款合同编号"\n', encoding="utf-8")
    (folder / "b.toml").write_text('files = ["借据*"]\n[headers]\n"借据号" = "贷款合同编号"\n', encoding="utf-8")
    result = ledger.run("import", write_xlsx(tmp_path / "借据明细.xlsx", [BANK_HEADER]))
    assert result.exit_code == 2
    assert "a.toml" in result.stderr and "b.toml" in result.stderr


# --- refusals --------------------------------------------------------------------------------

HOSTILE = '=HYPERLINK("http://example.invalid","点此")'


def bad_sheet(tmp: Path) -> Path:
    """A 万元 sheet with problems in several rows and columns, and a formula-like name."""
    rows = [["某银行放款明细"], ["单位:万元"], LOAN_HEADER]
    good = [loan_row(lo, amount=wan(lo[6])) for lo in LOANS]
    good[0][1] = C[0][:-1] + ("0" if C[0][-1] != "0" else "1")  # B4: check digit
    good[1][5] = "2021-02-30"  # F5: no such day
    good[1][7] = "二百万"  # H5: not an amount
    good[2][6] = d("2020-01-01")  # G6: matures before it was lent
    good[3][3] = None  # D7: required
    good[4][8] = "年息四厘"  # I8: not a rate
    good[5][7] = -5  # H9: not positive
    good[6][2] = HOSTILE  # a name that must stay text
    good[6][0] = "GH-001"  # A10: the same contract twice in the sheet
    rows += good
    path = write_xlsx(tmp / "建行放款明细.xlsx", rows, sheet="放款明细")
    wb = openpyxl.load_workbook(path)
    wb["放款明细"]["C10"].data_type = "s"  # text, as a bank's system writes it, not a formula
    return _save(wb, path)


EXPECTED = {
    ("B4", "bad_credit_code"),
    ("F5", "bad_date"),
    ("H5", "bad_amount"),
    ("G6", "date_order"),
    ("D7", "required"),
    ("I8", "bad_rate"),
    ("H9", "not_positive"),
    ("A10", "duplicate_key"),
}


def test_bad_file_is_refused_with_every_problem_by_cell_and_figures_unchanged(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    ledger.run("import", clean(tmp_path / "放款明细.xlsx"))
    before = (figures(ledger), ledger.sql(COUNTS))
    path = bad_sheet(tmp_path)
    result = ledger.run("import", path, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["refused"] and report["sheets"] == []
    found = {(p["cell"], p["code"]) for p in report["problems"] if p["severity"] == "error"}
    assert found == EXPECTED
    for p in report["problems"]:
        assert p["file"] == "建行放款明细.xlsx" and p["sheet"] == "放款明细"
        assert p["message"] and p["hint"] and p["column"], p
    table = ledger.run("import", path)
    assert table.exit_code == 1 and "Traceback" not in table.output
    for cell, _ in EXPECTED:
        assert f"建行放款明细.xlsx!{cell}" in table.stdout
    assert "账本未作任何改动" in table.stdout
    assert (figures(ledger), ledger.sql(COUNTS)) == before


def test_errors_workbook_marks_every_bad_cell_for_the_bank(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    before = ledger.sql(COUNTS)
    out = tmp_path / "退回" / "建行放款明细-问题.xlsx"
    result = ledger.run("import", bad_sheet(tmp_path), "--errors", out)
    assert result.exit_code == 1
    assert str(out) in result.stdout.replace("\n", "")
    assert ledger.sql(COUNTS) == before

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题清单", "放款明细"]
    listing = [[c.value for c in row] for row in wb["问题清单"].iter_rows()]
    assert listing[0] == ["序号", "级别", "工作表", "单元格", "列", "值", "规则", "问题", "提示"]
    assert {(r[3], r[6]) for r in listing[1:] if r[1] == "错误"} == EXPECTED
    copy = wb["放款明细"]
    assert copy["A1"].value == "某银行放款明细" and copy["A3"].value == "贷款合同编号"
    assert copy["H5"].value == "二百万" and copy["F5"].value == "2021-02-30"
    assert copy["G6"].value.date() == d("2020-01-01")
    marked = {}
    for row in copy.iter_rows():
        for c in row:
            if c.comment is not None:
                marked[c.coordinate] = (c.fill.fgColor.rgb, c.comment.text)
    # C10 is marked too: its name is not the registry's name for its credit code (a warning)
    assert set(marked) == {cell for cell, _ in EXPECTED} | {"C10"}
    assert "不一致" in marked["C10"][1]
    assert all(rgb.endswith("FFC7CE") for cell, (rgb, _) in marked.items() if cell != "C10")
    assert "无法识别的金额" in marked["H5"][1] and "提示" in marked["H5"][1]
    assert "应晚于放款日期" in marked["G6"][1]
    assert copy["C10"].value == HOSTILE and copy["C10"].data_type == "s"
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_errors_workbook_for_warnings_only_is_yellow_and_the_import_goes_through(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    rows = [LOAN_HEADER] + [loan_row(lo) for lo in LOANS] + [["合计", None, None, None, None, None, None, 1, None]]
    out = tmp_path / "提示.xlsx"
    result = ledger.run("import", write_xlsx(tmp_path / "合计.xlsx", rows), "--errors", out)
    assert result.exit_code == 0
    ws = openpyxl.load_workbook(out)["Sheet1"]
    assert ws["H9"].comment is not None and "明细加总为" in ws["H9"].comment.text
    assert ws["H9"].fill.fgColor.rgb.endswith("FFEB9C")
    assert ledger.sql("SELECT count(*) FROM loans") == [(7,)]


def test_errors_workbook_of_an_unreadable_file_lists_the_refusal(ledger: Ledger, tmp_path):
    path = tmp_path / "放款明细.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    out = tmp_path / "问题.xlsx"
    result = ledger.run("import", path, "--errors", out)
    assert result.exit_code == 1
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题清单"]
    assert wb["问题清单"]["G2"].value == "truncated"


def test_dry_run_of_a_messy_file_reports_and_writes_nothing(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    before = ledger.sql(COUNTS)
    path, _ = xlsx_layout(tmp_path)
    result = ledger.run("import", path, "--dry-run", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["dry_run"] and report["sheets"][0]["added"] == 7
    assert ledger.sql(COUNTS) == before
    assert ledger.run("import", path).exit_code == 0  # a dry run does not count as imported
    again = ledger.run("import", path)
    assert again.exit_code == 1 and "导入过" in again.stdout
    assert ledger.sql("SELECT count(*) FROM loans") == [(7,)]


def _save(wb, path: Path) -> Path:
    wb.save(path)
    return path


def test_cli_module_is_importable_without_pandas():
    """The --errors and mapping wiring keeps `ledger --help` light."""
    import subprocess
    import sys

    code = "import sys, ledger.cli; print(any(m in sys.modules for m in ('pandas', 'openpyxl', 'pandera')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert runner.invoke(app, ["import", "--help"]).exit_code == 0


# --- the fast paths keep the rules -----------------------------------------------------------


def test_vectorised_credit_code_check_agrees_with_the_scalar_one():
    import random

    from ledger.importing.validate import valid_credit_codes
    from ledger.importing.credit_code import credit_code_valid

    rng = random.Random(5)
    good = codes(200, seed=11)
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    typos = [c[:i] + rng.choice(chars) + c[i + 1 :] for c in good for i in [rng.randrange(18)]]
    odd = ["", "91500113", good[0].lower(), good[1] + "0", "Ｉ" * 18, "I" * 18, "O" * 18, "９" * 18, None, 3.0]
    sample = good + typos + odd
    assert list(valid_credit_codes(sample)) == [isinstance(c, str) and credit_code_valid(c) for c in sample]
    assert valid_credit_codes(good).all() and not valid_credit_codes(odd).any()


def test_validation_does_not_pull_in_hypothesis():
    """pandera would import hypothesis (0.3 s) for strategies the importer never uses."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from ledger.store import Store; from ledger.importing.pipeline import import_file\n"
        "s = Store.create(Path(sys.argv[1])); r = import_file(s, Path(sys.argv[2])); s.close()\n"
        "print(r.added, 'pandera' in sys.modules, 'hypothesis' in sys.modules)"
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        sheet = registry(Path(tmp) / "名录.xlsx")
        out = subprocess.run([sys.executable, "-c", code, str(Path(tmp) / "l.duckdb"), str(sheet)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["4", "True", "False"]


def test_errors_option_on_a_clean_file_writes_nothing_and_says_so(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    out = tmp_path / "问题.xlsx"
    result = ledger.run("import", clean(tmp_path / "放款明细.xlsx"), "--errors", out)
    assert result.exit_code == 0 and "未发现任何问题" in result.stdout
    assert not out.exists()


def subtotal_sheet(tmp: Path, wrong: bool = False) -> Path:
    """A bank export with a 序号 column, a 小计 row after each half and a 总 计 row at the bottom."""
    header = ["序号", *LOAN_HEADER, "经办支行", "备注"]
    rows = [["放款明细(单位:元)"], header]
    halves = [LOANS[:3], LOANS[3:]]
    n = 0
    for part in halves:
        for lo in part:
            n += 1
            row = [n, *loan_row(lo), "营业部", None]
            if lo[0] == "GH-003":
                row[3] = "重庆精算会计科技有限公司"  # a name holding 计 is still a name
            rows.append(row)
        subtotal = sum(lo[6] for lo in part) + (1 if wrong and part is halves[0] else 0)
        rows.append(["小计", None, None, None, part[0][2], None, None, None, float(subtotal), None, None, None])
    rows.append(["总 计", None, None, None, None, None, None, None, float(TOTAL), None, None, None])
    return write_xlsx(tmp / "分段小计.xlsx", rows)


def test_subtotals_and_a_grand_total_are_checked_and_left_out(ledger: Ledger, tmp_path, reference):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    result = ledger.run("import", subtotal_sheet(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # the fixture's GH-003 borrower is named otherwise in the registry: that is a warning of its own
    assert [p["code"] for p in report["problems"]] in ([], ["enterprise_name_mismatch"]) and report["sheets"][0]["added"] == 7
    assert ledger.sql("SELECT enterprise_name FROM loans WHERE contract_no = 'GH-003'") == [("重庆精算会计科技有限公司",)]
    early, stored, late = figures(ledger)
    assert (early, late) == (reference[0], reference[2])


def test_a_wrong_subtotal_names_its_own_figures(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    report = json.loads(ledger.run("import", subtotal_sheet(tmp_path, wrong=True), "--json").stdout)
    (w,) = [p for p in report["problems"] if p["code"] != "enterprise_name_mismatch"]  # GH-003: see above
    assert w["code"] == "total_mismatch" and w["cell"] == "I6"
    assert w["message"].startswith("小计行") and "4,900,001.50" in w["message"] and "4,900,000.50" in w["message"]
    assert ledger.sql("SELECT count(*) FROM loans") == [(7,)]


def test_the_import_benchmark_runs_on_a_small_sheet(tmp_path):
    """bench/bench_import.py end to end on 300 rows: the generator's sheet imports whole."""
    import subprocess
    import sys

    bench = Path(__file__).resolve().parent.parent / "bench"
    args = [sys.executable, str(bench / "bench_import.py"), "--rows", "300", "--enterprises", "120", "--repeat", "1", "--json", "--out", str(tmp_path)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    assert figures["rows_added"] == 300 and figures["columns"] == 15
    assert figures["bare_read_s"] > 0 and figures["import_s"] > 0 and figures["ratio"] == pytest.approx(figures["import_s"] / figures["bare_read_s"], rel=0.05)
    first = (tmp_path / "放款明细-300.xlsx").read_bytes()
    sys.path.insert(0, str(bench))
    from gen_loans import loan_rows, registry_rows

    assert loan_rows(registry_rows(120), 300) == loan_rows(registry_rows(120), 300)
    assert len(first) > 10_000


def test_the_import_phases_benchmark_times_every_step(tmp_path):
    """bench/import_phases.py on 300 rows: each step of the import is timed, inside the whole run."""
    import subprocess
    import sys

    bench = Path(__file__).resolve().parent.parent / "bench"
    args = [sys.executable, str(bench / "import_phases.py"), "--rows", "300", "--enterprises", "120", "--repeat", "1", "--json", "--out", str(tmp_path)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    phases = {p["phase"]: p for p in json.loads(out.stdout)["phases"]}
    steps = ["read the sheet (calamine)", "typed columns (parse every cell)", "pandera validation", "rule enterprise_known",
             "insert (with journal entry)", "journal content hash", "commit"]
    assert set(steps) <= set(phases)
    began = [phases[s]["began_s"] for s in steps]
    assert began == sorted(began)  # in the pipeline's order: read, type, validate, rules, load, commit
    whole = phases["the whole run, until exit"]["took_s"]
    assert all(0 <= phases[s]["took_s"] <= whole for s in steps)


def test_errors_option_never_overwrites_the_banks_file(ledger: Ledger, tmp_path):
    path = bad_sheet(tmp_path)
    before = path.read_bytes()
    result = ledger.run("import", path, "--errors", path)
    assert result.exit_code == 2 and "不能写到被导入的文件本身" in result.stderr
    assert path.read_bytes() == before
    assert ledger.run("import", path, "--errors", tmp_path / "问题.csv").exit_code == 2


def test_an_errors_workbook_that_cannot_be_written_is_said_and_the_refusal_stands(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    blocker = tmp_path / "不是目录"
    blocker.write_text("x")
    result = ledger.run("import", bad_sheet(tmp_path), "--errors", blocker / "问题.xlsx")
    assert result.exit_code == 1
    assert "无法写入问题工作簿" in result.stderr and "Traceback" not in result.output
    assert "建行放款明细.xlsx!B4" in result.stdout


def test_a_mapping_to_a_header_nobody_knows_is_a_usage_error(ledger: Ledger, tmp_path):
    bad = tmp_path / "错映射.toml"
    bad.write_text('[headers]\n"借据号" = "贷款合同编"\n"客户证件号码" = "统一社会信用代码"\n', encoding="utf-8")
    result = ledger.run("import", write_xlsx(tmp_path / "借据明细.xlsx", [BANK_HEADER]), "--map", bad)
    assert result.exit_code == 2
    assert "「借据号」→「贷款合同编」" in result.stderr and "客户证件号码" not in result.stderr


def test_the_same_loans_resent_in_another_form_are_listed_not_doubled(ledger: Ledger, tmp_path, reference):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    assert ledger.run("import", clean(tmp_path / "放款明细.xlsx")).exit_code == 0
    path, _ = csv_gbk(tmp_path)
    result = ledger.run("import", path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["sheets"][0]["added"] == 0 and report["sheets"][0]["existing"] == 7
    # the same figures in another form: nothing changed, so the seven rows are one count, not seven blocks
    assert not [p for p in report["problems"] if p["code"] == "existing_key"]
    (listed,) = [p for p in report["problems"] if p["code"] == "existing_unchanged"]
    assert listed["severity"] == "warning" and listed["message"].startswith("7 行已在账本中且内容相同(批次 2")
    assert ", ".join(lo[0] for lo in LOANS[:5]).replace(", ", "、") + " 等 7 行" in listed["message"]
    assert listed["cell"] == "A3"  # under the CSV's title line
    assert figures(ledger) == reference


def test_a_resent_row_with_other_figures_says_what_changed(ledger: Ledger, tmp_path, reference):
    """A bank resends its sheet with one loan's amount and maturity corrected: the row is not doubled, and the
    warning says which cells differ from the ledger and how, so the clerk can void the old row and re-import."""
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    assert ledger.run("import", clean(tmp_path / "放款明细.xlsx")).exit_code == 0
    rows = [LOAN_HEADER] + [loan_row(lo) for lo in LOANS]
    rows[2][7], rows[2][6] = 2600000.5, d("2022-12-31")  # GH-002: amount and 到期日期 corrected
    result = ledger.run("import", write_xlsx(tmp_path / "放款明细-更正.xlsx", rows), "--json")
    assert result.exit_code == 0, result.output
    problems = json.loads(result.stdout)["problems"]
    listed = {p["value"]: p for p in problems if p["code"] == "existing_key"}
    changed = {no: p for no, p in listed.items() if "但本次" in p["message"]}
    assert set(changed) == set(listed) == {"GH-002"}  # only the changed row in full; the rest counted
    (same,) = [p for p in problems if p["code"] == "existing_unchanged"]
    assert same["message"].startswith(f"{len(LOANS) - 1} 行已在账本中且内容相同")
    message = changed["GH-002"]["message"]
    assert "放款金额为「2600000.50」(账本中为「2500000.50」)" in message
    assert "到期日期为「2022-12-31」(账本中为「2022-06-17」)" in message
    assert "--replaces 2 --reason" in changed["GH-002"]["hint"]
    assert figures(ledger) == reference  # nothing doubled, nothing overwritten


# --- one workbook, several sheets ------------------------------------------------------------


def two_months(tmp: Path) -> Path:
    """Sheet 9月 lends GH-001; sheet 10月 lists GH-001 again (a mistake) and GH-002."""
    sept = [LOAN_HEADER, loan_row(LOANS[0])]
    october = [LOAN_HEADER, loan_row(LOANS[0], disbursed=d("2021-10-05")), loan_row(LOANS[1])]
    return write_xlsx(tmp / "两个月.xlsx", sept, sheet="9月", more={"10月": october})


def test_a_contract_on_two_sheets_of_one_workbook_is_refused_naming_both(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    before = ledger.sql(COUNTS)
    path = two_months(tmp_path)
    for dry_run in ([], ["--dry-run"]):
        result = ledger.run("import", path, *dry_run, "--json")
        assert result.exit_code == 1, result.output
        problems = json.loads(result.stdout)["problems"]
        (dup,) = [p for p in problems if p["severity"] == "error"]
        assert (dup["sheet"], dup["cell"], dup["code"], dup["column"], dup["value"]) == ("10月", "A2", "duplicate_key", "贷款合同编号", "GH-001")
        assert "工作表「9月」第2行" in dup["message"] and dup["hint"]
        assert not [p for p in problems if p["code"] == "existing_key"]
    plain = ledger.run("import", path)
    assert plain.exit_code == 1
    assert "两个月.xlsx[10月]!A2" in plain.stdout and "批次" not in plain.stdout
    assert ledger.sql(COUNTS) == before


def test_repeated_rows_across_sheets_of_a_repeatable_kind_are_listed_by_sheet(ledger: Ledger, tmp_path):
    """Repayments may repeat: a row resent on the next month's sheet is not doubled, and is said to be in this file."""
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    ledger.run("import", clean(tmp_path / "放款明细.xlsx"))
    header = ["贷款合同编号", "还款日期", "归还本金"]
    path = write_xlsx(
        tmp_path / "还款.xlsx",
        [header, ["GH-001", "2021-09-20", 1000]],
        sheet="9月",
        more={"10月": [header, ["GH-001", "2021-09-20", 1000], ["GH-001", "2021-10-20", 1000]]},
    )
    for dry_run in (["--dry-run"], []):
        result = ledger.run("import", path, *dry_run, "--json")
        assert result.exit_code == 0, result.output
        (listed,) = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "existing_key"]
        assert (listed["sheet"], listed["cell"]) == ("10月", "A2")
        assert "本文件工作表「9月」第2行" in listed["message"] and "批次" not in listed["message"]
    assert ledger.sql("SELECT count(*) FROM repayments") == [(2,)]


def test_locations_name_the_sheet_only_in_a_workbook_of_several(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    rows = [LOAN_HEADER, loan_row(LOANS[0], amount="abc")]
    single = ledger.run("import", write_xlsx(tmp_path / "一张.xlsx", rows, sheet="放款明细"))
    assert "一张.xlsx!H2" in single.stdout and "[放款明细]" not in single.stdout
    several = ledger.run("import", write_xlsx(tmp_path / "多张.xlsx", [["填报说明"]], sheet="说明", more={"放款明细": rows}))
    assert "多张.xlsx[放款明细]!H2" in several.stdout


# --- problems as the user reads them ---------------------------------------------------------


def unknown_enterprise(tmp: Path) -> Path:
    """A loan to an enterprise with a valid credit code that is not in the registry, and a value that looks like markup."""
    (stranger,) = codes(1, seed=977)
    rows = [LOAN_HEADER, loan_row(LOANS[0], code=stranger), loan_row(LOANS[1], amount="[bold]二百万")]
    return write_xlsx(tmp / "未登记企业放款.xlsx", rows, sheet="放款明细")


def test_piped_problems_show_every_message_value_and_hint_whole(ledger: Ledger, tmp_path):
    """The runner's output is not a terminal, as when piped: nothing is cut with …, each text is on one line."""
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    path = unknown_enterprise(tmp_path)
    problems = {p["code"]: p for p in json.loads(ledger.run("import", path, "--json").stdout)["problems"]}
    assert set(problems) == {"unknown_enterprise", "bad_amount"}
    for env in ({}, {"COLUMNS": "80"}):
        result = runner.invoke(app, ["--db", str(ledger.path), "import", str(path)], env=env)
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        assert "…" not in result.stdout
        for p in problems.values():
            assert any(p["message"] in line for line in lines), p["message"]
            assert any(p["hint"] in line for line in lines), p["hint"]
            assert any(f"未登记企业放款.xlsx!{p['cell']}" in line and p["value"] in line for line in lines)
    assert "请先导入该企业的企业名录(统一社会信用代码、企业名称、所属区县),或在同一工作簿中加一张企业名录表。" in result.stdout
    assert "[bold]二百万" in result.stdout


def _table_columns(shown: str) -> list[list[str]]:
    """The cells of a rich table as printed, each cell's folded pieces joined: [[位置, 列, 值, 问题, 提示], …]."""
    rows, current = [], None
    for line in shown.splitlines():
        if line.startswith("│"):
            pieces = [piece.strip() for piece in line.strip("│").split("│")]
            current = current or [""] * len(pieces)
            current = [whole + piece for whole, piece in zip(current, pieces)]
        elif current is not None:
            rows.append(current)
            current = None
    return rows


@pytest.mark.parametrize("width", [80, 100, 160])
def test_problems_on_a_terminal_of_any_width_are_folded_never_cut(ledger: Ledger, tmp_path, width):
    """On a terminal: blocks of lines when it is narrow (the terminal wraps them), a folded table when wide; never a …"""
    import io

    from rich.cells import cell_len
    from rich.console import Console

    from ledger.importing.pipeline import import_file
    from ledger.reports import render
    from ledger.store import Store

    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    with Store.open(ledger.path) as store:
        result = import_file(store, unknown_enterprise(tmp_path), dry_run=True)
    screen = io.StringIO()
    render.import_result(result, Console(file=screen, width=width, force_terminal=True, color_system=None))
    shown = screen.getvalue()
    assert "…" not in shown and len(result.problems) == 2
    if width < render.TABLE_WIDTH:
        for p in result.problems:
            assert f"  {p.message}" in shown.splitlines() and f"  提示: {p.hint}" in shown.splitlines()
            assert f"{p.where}  列: {p.column}  值: {p.value}" in shown
        return
    assert max(cell_len(line) for line in shown.splitlines()) <= width
    cells = _table_columns(shown)
    assert [c[0] for c in cells] == [p.where for p in result.problems]
    def bare(text: str) -> str:  # a line broken at a space loses that space
        return text.replace(" ", "")

    for row, p in zip(cells, result.problems):
        assert [bare(text) for text in row[1:]] == [bare(p.column), bare(p.value), bare(p.message), bare(p.hint)]


# --- units ---------------------------------------------------------------------------------


def test_a_thousand_yuan_line_and_a_hundred_million_yuan_header_store_the_amounts_in_yuan(ledger: Ledger, tmp_path):
    """One workbook, two loan sheets: 单位:千元 above one header, 放款金额(亿元) in the other.

    Before, the 千元 line was ignored (every amount 1,000 times too small, exit 0) and the
    (亿元) header was not recognised at all (缺少必需列「放款金额」).
    """
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    thousands = [["单位:千元"], LOAN_HEADER] + [loan_row(lo, amount=float(lo[6] / 1000)) for lo in LOANS[:4]]
    hundred_millions = [LOAN_HEADER[:7] + ["放款金额(亿元)", LOAN_HEADER[8]]] + [loan_row(lo, amount=f"{lo[6] / 10**8}") for lo in LOANS[4:]]
    path = write_xlsx(tmp_path / "重庆银行放款明细.xlsx", thousands, sheet="千元", more={"亿元": hundred_millions})
    result = ledger.run("import", path, "--json")
    assert result.exit_code == 0, result.output
    assert [s["added"] for s in json.loads(result.stdout)["sheets"]] == [4, 3]
    assert ledger.sql("SELECT contract_no, amount FROM loans ORDER BY contract_no") == [(lo[0], lo[6]) for lo in LOANS]
    assert ledger.sql("SELECT amount FROM loans WHERE contract_no = 'GH-006'") == [(Decimal("1234567.89"),)]


UNKNOWN_UNITS = [
    # (what the sheet says, where: a line above the header or the amount column's header, cell, unit named)
    ("单位:美元", "line", "E1", "美元"),
    ("金额单位：港元", "line", "E1", "港元"),
    ("放款金额(美元)", "header", "H2", "美元"),
    ("放款金额（千万元）", "header", "H2", "千万元"),
]


@pytest.mark.parametrize("written, where, cell, unit", UNKNOWN_UNITS, ids=["line-usd", "line-hkd", "header-usd", "header-ten-million"])
def test_a_unit_the_importer_does_not_convert_refuses_the_file_naming_it(ledger: Ledger, tmp_path, written, where, cell, unit):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    ledger.run("import", clean(tmp_path / "放款明细.xlsx"))
    before = (figures(ledger), ledger.sql(COUNTS))
    header = list(LOAN_HEADER)
    top = ["某银行放款明细", None, None, None, None]
    if where == "line":
        top[4] = written
    else:
        header[7] = written
    rows = [top, header] + [loan_row((f"US-{i}", *lo[1:]), amount=1600) for i, lo in enumerate(LOANS)]
    rows[3][5] = "2021-02-30"  # F4: and every other problem is listed at once
    rows[4][7] = 1.234  # H5: an amount all the same (too precise only if read in 元): nothing said
    rows[5][7] = "一千六"  # H6: not an amount in any unit
    path = write_xlsx(tmp_path / "外币放款.xlsx", rows, sheet="放款明细")
    result = ledger.run("import", path, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["refused"] and report["sheets"] == []
    errors = [(p["cell"], p["code"]) for p in report["problems"] if p["severity"] == "error"]
    assert errors == [(cell, "unknown_unit"), ("F4", "bad_date"), ("H6", "bad_amount")]
    (problem,) = [p for p in report["problems"] if p["code"] == "unknown_unit"]
    assert f"金额单位「{unit}」无法识别" in problem["message"]
    assert "元、千元、万元、百万元、亿元" in problem["hint"]
    assert not [p for p in report["problems"] if p["code"] == "enterprise_cap_exceeded"]  # no figure read in a wrong unit
    table = ledger.run("import", path)
    assert table.exit_code == 1 and "Traceback" not in table.output and f"外币放款.xlsx!{cell}" in table.stdout
    assert (figures(ledger), ledger.sql(COUNTS)) == before


# --- credit codes and scores ---------------------------------------------------------------


def test_credit_codes_say_what_is_wrong_and_a_hyphen_is_taken_out(ledger: Ledger, tmp_path):
    hyphenated = "91500113-MA5U000010"  # the valid 91500113MA5U000010, typed in two groups
    rows = [
        ENTERPRISE_HEADER,
        [hyphenated, "连字符公司", "巴南区"],
        ["500113123456789", "老注册号公司", "巴南区"],
        ["91500113MA5U00001", "少一位公司", "巴南区"],
        ["91500113MA5UO0001I", "错字母公司", "巴南区"],
        ["91500113MA5U000011", "校验位错公司", "巴南区"],
    ]
    report = json.loads(ledger.run("import", write_xlsx(tmp_path / "名录.xlsx", rows, sheet="企业名录"), "--json").stdout)
    found = {p["cell"]: p for p in report["problems"]}
    assert sorted(found) == ["A3", "A4", "A5", "A6"]  # not A2: the hyphenated code is valid
    assert found["A3"]["message"] == "统一社会信用代码「500113123456789」应为18位,实为15位"
    assert "旧的工商注册号" in found["A3"]["hint"]
    assert found["A4"]["message"] == "统一社会信用代码「91500113MA5U00001」应为18位,实为17位"
    assert found["A5"]["message"] == "统一社会信用代码「91500113MA5UO0001I」含有代码中不会出现的字符「O」「I」"
    assert found["A6"]["message"] == "统一社会信用代码「91500113MA5U000011」校验位不正确"
    assert {p["code"] for p in found.values()} == {"bad_credit_code"}
    assert ledger.sql("SELECT count(*) FROM enterprises") == [(0,)]

    result = ledger.run("import", write_xlsx(tmp_path / "名录2.xlsx", rows[:2], sheet="企业名录"))
    assert result.exit_code == 0, result.output
    assert ledger.sql("SELECT credit_code FROM enterprises") == [("91500113MA5U000010",)]


def test_the_score_column_is_read_as_a_score_not_an_amount(ledger: Ledger, tmp_path):
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    header = ["申报编号", "统一社会信用代码", "企业名称", "申报日期", "申报金额(万元)", "意向银行", "评价等级", "知识价值评价分"]
    app = lambda no, e, score: [no, C[e], NAMES[e], "2021-03-05", 500, CQB, "A", score]  # noqa: E731
    bad = write_xlsx(tmp_path / "申报.xlsx", [header, app("AP1", 0, 85.125), app("AP2", 1, "85分"), app("AP3", 2, "八十五"), app("AP4", 3, 120)])
    result = ledger.run("import", bad, "--json")
    assert result.exit_code == 1
    found = {p["cell"]: p for p in json.loads(result.stdout)["problems"]}
    assert sorted(found) == ["H2", "H4", "H5"]  # 85分 is a score
    assert (found["H2"]["code"], found["H2"]["message"]) == ("score_precision", "评价分「85.125」超过两位小数")
    assert (found["H4"]["code"], found["H4"]["message"]) == ("bad_score", "无法识别的评价分「八十五」")
    assert found["H5"]["code"] == "score_out_of_range"
    assert not any("金额" in p["message"] or "金额" in p["hint"] for p in found.values())
    assert ledger.sql("SELECT count(*) FROM applications") == [(0,)]

    good = write_xlsx(tmp_path / "申报2.xlsx", [header, app("AP1", 0, 85.13), app("AP2", 1, "85分"), app("AP3", 2, " 92.5 分 ")])
    assert ledger.run("import", good).exit_code == 0
    assert ledger.sql("SELECT application_no, score FROM applications ORDER BY 1") == [("AP1", Decimal("85.13")), ("AP2", Decimal("85.00")), ("AP3", Decimal("92.50"))]


def test_a_sheet_with_only_its_header_is_recorded_and_said(ledger: Ledger, tmp_path):
    """A bank with no loans this month may send the bare header: a 0-row batch, with a warning saying so."""
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    empty = write_xlsx(tmp_path / "放款明细-无.xlsx", [LOAN_HEADER])
    result = ledger.run("import", empty, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [(p["code"], p["severity"]) for p in out["problems"]] == [("no_data_rows", "warning")]
    assert out["sheets"][0]["added"] == 0


def test_a_name_beginning_with_yuan_above_the_unit_line_is_not_the_unit(ledger: Ledger, tmp_path):
    """填报单位:元通支行 is who filled the sheet in; the 单位:户、万元 line below it gives the amounts' unit."""
    ledger.run("import", registry(tmp_path / "名录.xlsx"))
    rows = [["填报单位:元通支行"], ["单位:户、万元"], LOAN_HEADER] + [loan_row(lo, amount=wan(lo[6])) for lo in LOANS]
    result = ledger.run("import", write_xlsx(tmp_path / "放款明细-元通.xlsx", rows))
    assert result.exit_code == 0, result.output
    assert ledger.sql("SELECT contract_no, amount FROM loans ORDER BY contract_no") == [(lo[0], lo[6]) for lo in sorted(LOANS)]
