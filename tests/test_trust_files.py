"""Hostile and broken files: each refused with a clear Chinese message and exit 1, the ledger unchanged.

And text that a spreadsheet would run as a formula (= + - @) is imported as text and
written back to every xlsx the ledger produces as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import time
import zipfile
from pathlib import Path

import pytest
from trust_support import C, NAMES, loaded, state

from conftest import ENTERPRISE_HEADER, LOAN_HEADER, Ledger, write_xlsx

EXCEL_ROWS = 1_048_576


@pytest.fixture
def led(ledger: Ledger, tmp_path) -> Ledger:
    return loaded(ledger, tmp_path)


def refused(led: Ledger, path: Path, code: str | tuple[str, ...] | None, words: str = "") -> dict:
    """Import `path`: exit 1, the given problem code (None: any), a Chinese message and hint, no traceback, nothing written."""
    before = state(led)
    start = time.monotonic()
    plain = led.run("import", path)
    assert plain.exit_code == 1, plain.output
    assert "Traceback" not in plain.output and "导入被拒绝" in plain.stdout
    report = json.loads(led.run("import", path, "--json").stdout)
    assert report["refused"]
    (problem,) = [p for p in report["problems"] if p["severity"] == "error"][:1]
    codes = (code,) if isinstance(code, str) else code
    assert codes is None or problem["code"] in codes, problem
    assert problem["message"] and problem["hint"] and any("\u4e00" <= ch <= "\u9fff" for ch in problem["message"])
    assert words in problem["message"], problem["message"]
    assert state(led) == before
    assert time.monotonic() - start < 60
    return problem


# --- files that are not spreadsheets, or broken ones ----------------------------------------------


def test_not_a_spreadsheet(led: Ledger, tmp_path):
    rng = random.Random(3)
    noise = tmp_path / "放款明细.xlsx"
    noise.write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    refused(led, noise, "not_spreadsheet")
    picture = tmp_path / "截图.xls"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2048)))
    refused(led, picture, "not_spreadsheet")
    binary = tmp_path / "导出.csv"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 512)
    refused(led, binary, ("not_spreadsheet", "bad_encoding"))


def test_an_empty_file(led: Ledger, tmp_path):
    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    refused(led, empty, ("empty", "not_spreadsheet"))


def test_a_truncated_xlsx(led: Ledger, tmp_path):
    whole = write_xlsx(tmp_path / "完整.xlsx", [LOAN_HEADER] + [[f"T-{i}", C[0], NAMES[0], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000, 4] for i in range(200)])
    data = whole.read_bytes()
    for cut in (len(data) // 2, len(data) - 30):
        part = tmp_path / f"截断{cut}.xlsx"
        part.write_bytes(data[:cut])
        refused(led, part, "truncated")


def test_a_password_protected_workbook(led: Ledger, tmp_path):
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool makes a real encrypted workbook")
    plain = write_xlsx(tmp_path / "明文.xlsx", [LOAN_HEADER, ["HT-9", C[0], NAMES[0], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000, 4]])
    locked = tmp_path / "加密.xlsx"
    with open(plain, "rb") as f, open(locked, "wb") as out:
        ooxml.OOXMLFile(f).encrypt("mima123", out)
    refused(led, locked, "encrypted", "密码")


# --- zip bombs and oversized sheets ----------------------------------------------------------------

SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


def _workbook_with_sheet(path: Path, write_sheet) -> Path:
    """A real xlsx (from openpyxl) whose first sheet's XML is streamed by `write_sheet(f)`."""
    from openpyxl import Workbook

    src = io.BytesIO()
    wb = Workbook()
    wb.active.append(["x"])
    wb.save(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for item in zin.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with z.open(item.filename, "w", force_zip64=True) as f:
                    write_sheet(f)
            else:
                z.writestr(item, zin.read(item.filename))
    return path


def _rows(n: int):
    def write(f):
        f.write(SHEET_HEAD)
        for start in range(1, n + 1, 10_000):
            f.write(b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(start, min(n, start + 9_999) + 1)))
        f.write(b"</sheetData></worksheet>")

    return write


def test_a_zip_bomb_is_refused_before_it_is_inflated(led: Ledger, tmp_path):
    def padding(f):  # 600 MiB of blanks inside one row's sheet: a few MiB zipped
        f.write(SHEET_HEAD + b'<row r="1"><c r="A1"><v>1</v></c></row>')
        block = b" " * (1 << 20)
        for _ in range(600):
            f.write(block)
        f.write(b"</sheetData></worksheet>")

    bomb = _workbook_with_sheet(tmp_path / "炸弹.xlsx", padding)
    assert bomb.stat().st_size < 10 << 20
    problem = refused(led, bomb, "too_large", "上限")
    assert "MiB" in problem["message"]


def test_a_zip_bomb_that_lies_about_its_size_is_refused(led: Ledger, tmp_path):
    honest = _workbook_with_sheet(tmp_path / "诚实.xlsx", _rows(300_000))
    data = bytearray(honest.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:  # central directory: claim the sheet unpacks to 1 KB
        length = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + length]) == name:
            extra = int.from_bytes(data[at + 30 : at + 32], "little")
            data[at + 24 : at + 28] = (1000).to_bytes(4, "little")
            zip64 = data.find(b"\x01\x00", at + 46 + length, at + 46 + length + extra)
            if zip64 >= 0:  # and in the zip64 extra field, where the real size lives
                data[zip64 + 4 : zip64 + 12] = (1000).to_bytes(8, "little")
        at += 4
    liar = tmp_path / "说谎.xlsx"
    liar.write_bytes(bytes(data))
    refused(led, liar, ("truncated", "too_large"))


def test_a_sheet_with_every_excel_row_is_refused_and_says_the_cap(led: Ledger, tmp_path):
    full = _workbook_with_sheet(tmp_path / "满表.xlsx", _rows(EXCEL_ROWS))
    problem = refused(led, full, "too_large", "上限")
    assert "行" in problem["message"]


# --- formulas ------------------------------------------------------------------------------------


def test_formulas_instead_of_values_are_refused(led: Ledger, tmp_path):
    """A sheet whose amounts are formulas with no computed value (as tools other than Excel save them)."""
    rows = [LOAN_HEADER] + [
        [f"F-{i}", C[i], NAMES[i], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", f"=100000*{i + 1}", "=4.35"] for i in range(3)
    ]
    path = write_xlsx(tmp_path / "公式.xlsx", rows)
    problem = refused(led, path, None, "公式")
    assert problem["sheet"] == "Sheet1" and problem["cell"] == "H2"


def test_a_formula_cell_is_listed_with_every_other_problem_of_the_sheet(led: Ledger, tmp_path):
    """A formula without its value hides nothing: the other rows' problems come with it, and it names its column and formula."""
    bad_code = C[2][:-1] + ("0" if C[2][-1] != "0" else "1")
    rows = [
        LOAN_HEADER,
        ["F-1", C[0], NAMES[0], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", "=100*10000", 4.35],
        ["F-2", C[1], NAMES[1], "重庆银行", "知识价值信用贷款", "2021-02-30", "2022-03-04", "abc", 4.35],
        ["F-3", bad_code, NAMES[2], "重庆银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000, "=ROUND(4.345,2)"],
    ]
    path = write_xlsx(tmp_path / "公式与错误.xlsx", rows, sheet="放款明细")
    before = state(led)
    result = led.run("import", path, "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    found = {(p["cell"], p["code"], p["column"], p["value"]) for p in problems if p["severity"] == "error"}
    assert found == {
        ("H2", "formula_without_value", "放款金额", "=100*10000"),
        ("F3", "bad_date", "放款日期", "2021-02-30"),
        ("H3", "bad_amount", "放款金额", "abc"),
        ("B4", "bad_credit_code", "统一社会信用代码", bad_code),
        ("I4", "formula_without_value", "年利率(%)", "=ROUND(4.345,2)"),
    }
    plain = led.run("import", path)
    assert plain.exit_code == 1 and "Traceback" not in plain.output
    assert "公式与错误.xlsx!H2" in plain.stdout and "=100*10000" in plain.stdout and "公式与错误.xlsx!H3" in plain.stdout
    assert state(led) == before


def text_xlsx(path: Path, rows: list[list]) -> Path:
    """An xlsx whose text cells are text cells (openpyxl alone would store "=…" as a formula)."""
    from openpyxl import Workbook

    from ledger import xlsx_safe

    wb = Workbook()
    for r in rows:
        wb.active.append(xlsx_safe.row(wb.active, r))
    wb.save(path)
    return path


HOSTILE = ["=HYPERLINK(\"http://example.com/x\",\"点此\")", "+1+1", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "=1+1"]


def test_text_that_looks_like_a_formula_is_imported_and_exported_as_text(ledger: Ledger, tmp_path):
    from openpyxl import load_workbook

    names = [f"{h}公司" if not h.startswith("=") else h for h in HOSTILE]
    registry = [ENTERPRISE_HEADER] + [[C[i], names[i], "巴南区"] for i in range(len(HOSTILE))]
    assert ledger.run("import", text_xlsx(tmp_path / "名录.xlsx", registry)).exit_code == 0
    banks = ["=银行()", "+重庆银行", "-农商行", "@建行", "重庆银行"]
    with open(tmp_path / "放款.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(LOAN_HEADER)
        for i in range(len(HOSTILE)):
            w.writerow([f"HT-{i}", C[i], names[i], banks[i], "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000000, 4.35])
    result = ledger.run("import", tmp_path / "放款.csv")
    assert result.exit_code == 0, result.output
    assert sorted(r[0] for r in ledger.sql("SELECT name FROM enterprises")) == sorted(names)
    assert sorted(r[0] for r in ledger.sql("SELECT bank FROM loans")) == sorted(banks)

    out = tmp_path / "账本.xlsx"
    assert ledger.run("export", "--xlsx", out).exit_code == 0
    wb = load_workbook(out)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value in names + banks:
                    seen.add(c.value)
                    assert c.data_type == "s"
                    assert c.quotePrefix == c.value.startswith(("=", "+", "-", "@"))
    assert seen == set(names + banks)


def test_every_xlsx_the_ledger_writes_keeps_imported_text_as_text(ledger: Ledger, tmp_path):
    """The meeting workbook names banks as imported; none of their names may become a formula."""
    from openpyxl import load_workbook

    registry = [ENTERPRISE_HEADER] + [[C[i], NAMES[i], "巴南区"] for i in range(4)]
    assert ledger.run("import", write_xlsx(tmp_path / "名录.xlsx", registry)).exit_code == 0
    banks = ["=1+1", "@SUM(A1)", "+银行", "-银行"]
    rows = [LOAN_HEADER] + [[f"HT-{i}", C[i], NAMES[i], banks[i], "知识价值信用贷款", dt.date(2021, 3, 5), dt.date(2022, 3, 4), 1000000, 4.35] for i in range(4)]
    assert ledger.run("import", text_xlsx(tmp_path / "放款.xlsx", rows)).exit_code == 0
    out = tmp_path / "会议.xlsx"
    result = ledger.run("report", "summary", "--as-of", "2021-12-31", "--xlsx", out)
    assert result.exit_code == 0, result.output
    found = set()
    for ws in load_workbook(out).worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value in banks or (c.data_type == "f" and any(b[1:] in str(c.value) for b in banks)):
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
                    found.add(c.value)
    assert found == set(banks)


def test_control_characters_in_imported_text_do_not_break_exports(ledger: Ledger, tmp_path):
    registry = [ENTERPRISE_HEADER] + [[C[0], NAMES[0], "巴南区"]]
    assert ledger.run("import", write_xlsx(tmp_path / "名录.xlsx", registry)).exit_code == 0
    with open(tmp_path / "放款.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(LOAN_HEADER)
        w.writerow(["HT-\x01", C[0], NAMES[0], "重庆\x07银行", "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000000, 4.35])
    refused = ledger.run("import", tmp_path / "放款.csv")  # issue 13: control characters are refused by cell now
    assert refused.exit_code == 1 and "U+0001" in refused.output and "U+0007" in refused.output
    with open(tmp_path / "放款.csv", "w", newline="", encoding="utf-8") as f:  # what an export must still survive: a line break in free text
        w = csv.writer(f)
        w.writerow(LOAN_HEADER)
        w.writerow(["HT-1", C[0], NAMES[0], "重庆银行", "知识价值\n信用贷款", "2021-03-05", "2022-03-04", 1000000, 4.35])
    assert ledger.run("import", tmp_path / "放款.csv").exit_code == 0
    out = tmp_path / "账本.xlsx"
    result = ledger.run("export", "--xlsx", out)
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    values = {c.value for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row}
    assert "重庆银行" in values
    assert os.path.getsize(out) > 0


def test_control_characters_do_not_break_the_meeting_workbook_or_the_audit(ledger: Ledger, tmp_path):
    registry = [ENTERPRISE_HEADER] + [[C[0], NAMES[0], "巴南区"]]
    assert ledger.run("import", write_xlsx(tmp_path / "名录.xlsx", registry)).exit_code == 0
    with open(tmp_path / "放款.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(LOAN_HEADER)
        w.writerow(["HT-1", C[0], NAMES[0], "重庆银行", "知识价值\n信用贷款", "2021-03-05", "2022-03-04", 1000000, 4.35])
    assert ledger.run("import", tmp_path / "放款.csv").exit_code == 0
    out = tmp_path / "会议.xlsx"
    result = ledger.run("report", "summary", "--as-of", "2021-12-31", "--by", "bank", "--xlsx", out)
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    values = {c.value for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row}
    assert "重庆银行" in values
