"""Issue 13, import side: identifiers mean what a person reads; control characters and over-long
text refused by cell; older ledgers upgraded with `verify` still passing. Through the CLI."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pytest

from conftest import ENTERPRISE_HEADER, LOAN_HEADER, codes, write_xlsx

DATA = Path(__file__).resolve().parent / "data"


def write_csv(path: Path, rows: list[list]) -> Path:
    """A UTF-8 CSV (it carries control characters that an .xlsx writer refuses)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def loan(contract, code, name="重庆甲科技有限公司", bank="建设银行", amount="1000000"):
    return [contract, code, name, bank, "知识价值信用贷款", "2024-01-05", "2024-12-05", amount, "4.35"]


@pytest.fixture
def registered(ledger, tmp_path):
    """A ledger with two enterprises in its registry; returns (ledger, their codes)."""
    c = codes(2)
    path = write_xlsx(tmp_path / "企业名录.xlsx", [ENTERPRISE_HEADER, [c[0], "重庆甲科技有限公司", "巴南区"], [c[1], "重庆乙科技有限公司", "巴南区"]])
    assert ledger.run("import", path).exit_code == 0
    return ledger, c


def loans_count(ledger) -> int:
    return ledger.sql("SELECT count(*) FROM v_loans")[0][0]


@pytest.mark.parametrize(
    "spelling",
    ["HX\u200b0001", "\ufeffHX0001", "HX\u20600001", "hx0001", "ＨＸ０００１", "\u00a0HX0001\u3000", " HX0001\n", "Hx\u200d0001"],
)
def test_a_contract_number_spelled_another_way_is_the_same_loan(registered, tmp_path, spelling):
    ledger, c = registered
    assert ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("HX0001", c[0])])).exit_code == 0
    result = ledger.run("import", write_csv(tmp_path / "b.csv", [LOAN_HEADER, loan(spelling, c[0])]))
    assert result.exit_code == 0, result.output
    assert "已在账本中" in result.output
    assert loans_count(ledger) == 1
    assert ledger.sql("SELECT contract_no FROM loans") == [("HX0001",)]
    assert ledger.run("verify").exit_code == 0


def test_two_spellings_in_one_sheet_are_a_duplicate_quoting_the_cell_as_written(registered, tmp_path):
    ledger, c = registered
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("gbk3", c[0]), loan("GBK3", c[1])]))
    assert result.exit_code == 1
    assert "「GBK3」与第2行重复" in result.output
    assert loans_count(ledger) == 0


def test_names_are_stored_normalised(registered, tmp_path):
    ledger, c = registered
    path = write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("HX1", c[0], name="重庆甲科技\u200b有限公司", bank=" 建设\u00a0\u00a0银行 ")])
    assert ledger.run("import", path).exit_code == 0
    assert ledger.sql("SELECT enterprise_name, bank FROM loans") == [("重庆甲科技有限公司", "建设 银行")]
    assert ledger.sql("SELECT name FROM banks") == [("建设 银行",)]


@pytest.mark.parametrize(
    ("cell", "named"),
    [("HX\x000001", "U+0000"), ("HX\x1b[31m0001\x07", "U+001B"), ("HX00\n01", "U+000A"), ("HX\x7f1", "U+007F"), ("HX\x851", "U+0085")],
)
def test_control_characters_in_an_identifier_are_refused_by_cell(registered, tmp_path, cell, named):
    ledger, c = registered
    path = tmp_path / "a.csv"
    write_csv(path, [LOAN_HEADER, loan(cell, c[0])])
    if "\x00" in cell:  # a NUL makes the CSV read as binary: put it in a workbook's XML instead
        path = write_xlsx(tmp_path / "a.xlsx", [LOAN_HEADER, loan("HX_x0000_0001", c[0])])
    result = ledger.run("import", path)
    assert result.exit_code == 1
    assert f"含有不可见控制字符 {named}" in result.output
    assert "提示" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output  # never printed raw
    assert loans_count(ledger) == 0


@pytest.mark.parametrize("bidi", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_bidi_controls_in_a_bank_name_are_refused(registered, tmp_path, bidi):
    ledger, c = registered
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("HX1", c[0], bank="建设银行" + bidi)]))
    assert result.exit_code == 1
    assert f"U+{ord(bidi):04X}" in result.output
    assert "a.csv!D2" in result.output
    assert ledger.sql("SELECT count(*) FROM banks") == [(0,)]


def test_a_line_break_inside_free_text_is_kept(registered, tmp_path):
    ledger, c = registered
    row = loan("HX1", c[0])
    row[4] = "知识价值\n信用贷款"
    assert ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, row])).exit_code == 0
    assert ledger.sql("SELECT product FROM loans") == [("知识价值\n信用贷款",)]


@pytest.mark.parametrize(
    ("column", "length", "limit"),
    [(0, 65, 64), (2, 201, 200), (4, 2001, 2000)],
)
def test_over_long_cells_are_refused_by_cell(registered, tmp_path, column, length, limit):
    ledger, c = registered
    row = loan("HX1", c[0])
    row[column] = "甲" * length
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, row]))
    assert result.exit_code == 1
    assert f"有 {length:,} 个字符" in result.output and f"上限 {limit} 个字符" in result.output
    assert loans_count(ledger) == 0


def test_a_32000_character_contract_number_is_refused_and_not_echoed_whole(registered, tmp_path):
    ledger, c = registered
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("H" * 32000, c[0])]))
    assert result.exit_code == 1
    assert "有 32,000 个字符" in result.output
    assert len(result.output) < 5000


def _v1_ledger(tmp_path) -> Path:
    path = tmp_path / "v1.duckdb"
    with gzip.open(DATA / "v1_ledger.duckdb.gz", "rb") as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def test_a_ledger_of_the_old_code_upgrades_and_still_verifies(tmp_path):
    """v1_ledger.duckdb.gz was written by schema version 1 (tests/data/make_v1_ledger.py): its loans
    are stored as gbk3, HX\\u200b0002, ＨＸ０００３ and HX0004. Resent in other spellings, none is doubled."""
    from conftest import Ledger

    ledger = Ledger(_v1_ledger(tmp_path))
    assert ledger.run("verify").exit_code == 0  # readers open a version-1 file as it is
    enterprise = dict(ledger.sql("SELECT contract_no, credit_code FROM loans"))
    c0, c1 = enterprise["gbk3"], enterprise["HX\u200b0002"]
    resent = [loan("GBK3", c0), loan("hx0002", c1), loan("HX0003", c1), loan("hx0004", c0), loan("HX0005", c0)]
    result = ledger.run("import", write_csv(tmp_path / "resent.csv", [LOAN_HEADER, *resent]))
    assert result.exit_code == 0, result.output
    assert "4 行已在账本中未重复导入" in result.output
    assert ledger.sql("SELECT count(*) FROM v_loans") == [(5,)]
    assert ledger.sql("SELECT value FROM meta WHERE key = 'schema_version'") == [("2",)]
    migrated = ledger.sql("SELECT detail FROM journal WHERE action = 'migrate'")
    assert len(migrated) == 1 and "HX0003" in migrated[0][0]
    assert ledger.sql("SELECT contract_no FROM loans ORDER BY id")[:3] == [("gbk3",), ("HX\u200b0002",), ("ＨＸ０００３",)]  # never rewritten
    verified = ledger.run("verify")
    assert verified.exit_code == 0, verified.output
    from json_schemas import validate

    log = ledger.json("log")
    validate("log", log)
    assert "升级" in ledger.run("log").output


# --- plausibility ceilings ---------------------------------------------------------------------


def test_a_loan_of_9e15_yuan_is_refused_by_cell_citing_the_default_ceiling(registered, tmp_path):
    ledger, c = registered
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("HX1", c[0]), loan("HX2", c[0], amount="9000000000000000")]))
    assert result.exit_code == 1
    assert "a.csv!H3" in result.output
    assert "超过合理上限 1,000,000,000.00 元" in result.output and "limits.loan_amount" in result.output and "软件默认值" in result.output
    assert "enterprise_cap" not in result.output  # a refused figure is judged by no rule
    assert loans_count(ledger) == 0
    assert ledger.run("verify").exit_code == 0


def test_a_loan_of_exactly_the_ceiling_is_imported(registered, tmp_path):
    ledger, c = registered
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("HX1", c[0], amount="1000000000.00")]))
    assert result.exit_code == 0, result.output


def test_a_districts_ceilings_are_effective_dated(registered, tmp_path, monkeypatch):
    ledger, c = registered
    from ledger.policy import DEFAULT_POLICY

    policy = tmp_path / "district.toml"
    policy.write_text(
        DEFAULT_POLICY.read_text(encoding="utf-8")
        + '\n[[limits]]\neffective_from = 2024-06-01\nsource = "测试区文件"\nloan_amount = "3000000.00"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("LEDGER_POLICY", str(policy))
    early = loan("HX1", c[0], amount="4000000")  # 2024-01-05: the default's 1亿 is in force
    late = loan("HX2", c[1], amount="4000000")
    late[5], late[6] = "2024-07-01", "2025-06-30"
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, early, late]))
    assert result.exit_code == 1
    assert "a.csv!H3" in result.output and "a.csv!H2" not in result.output
    assert "3,000,000.00" in result.output and "测试区文件" in result.output


# --- hostile sheets: nothing may abort the process -------------------------------------------


def _rewrite_sheet(src: Path, dst: Path, change) -> Path:
    import zipfile

    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            out.writestr(info.filename, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return dst


def _far_cell(tmp_path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in [LOAN_HEADER, loan("HX1", codes(1)[0])]:
        ws.append(row)
    ws["XFD1048576"] = 1
    path = tmp_path / "far.xlsx"
    wb.save(path)
    return path


def _run_apart(db: Path, *args) -> "subprocess.CompletedProcess":
    """The CLI in a process of its own: a reader that aborts (exit 134) must not take the test run with it."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "ledger", "--db", str(db), *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "hostile",
    [
        "far_cell",  # one cell at XFD1048576: a 5 KB file
        "far_cell_small_dimension",  # the same, its <dimension> claiming A1:I2
        "unreferenced_rows",  # rows without r=, 1,048,576 of them, and one wide row
    ],
)
def test_a_sheet_reaching_too_far_is_refused_not_aborted(ledger, tmp_path, hostile):
    far = _far_cell(tmp_path)
    if hostile == "far_cell":
        path = far
    elif hostile == "far_cell_small_dimension":
        path = _rewrite_sheet(far, tmp_path / "dim.xlsx", lambda d: d.replace(b'ref="A1:XFD1048576"', b'ref="A1:I2"'))
    else:
        rows = b"<row/>" * 1_048_576 + b"<row>" + b"<c><v>1</v></c>" * 40 + b"</row>"
        path = _rewrite_sheet(far, tmp_path / "rows.xlsx", lambda d: d.replace(b"</sheetData>", rows + b"</sheetData>").replace(b'<dimension ref="A1:XFD1048576" />', b""))
    assert path.stat().st_size < 200_000
    result = _run_apart(ledger.path, "import", path)
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "单元格范围达" in result.stdout and "超过上限" in result.stdout
    assert "Traceback" not in result.stderr and "panicked" not in result.stderr
    assert loans_count(ledger) == 0


def test_a_sheet_with_a_huge_declared_dimension_but_small_cells_still_reads(registered, tmp_path):
    ledger, c = registered
    path = write_xlsx(tmp_path / "a.xlsx", [LOAN_HEADER, loan("HX1", c[0])])
    import re

    path = _rewrite_sheet(path, tmp_path / "b.xlsx", lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d))
    result = ledger.run("import", path)
    assert result.exit_code == 0, result.output
    assert loans_count(ledger) == 1


# --- no English library text in a message ----------------------------------------------------

ENGLISH = ("Errno", "No such file", "Is a directory", "codec", "field larger", "IO Error", "Traceback")


def _no_english(text: str) -> None:
    assert not any(word in text for word in ENGLISH), text


def test_a_missing_file_and_a_folder_are_refused_in_chinese(ledger, tmp_path):
    for target, words in [(tmp_path / "无此文件.xlsx", "不存在"), (tmp_path, "目录")]:
        result = ledger.run("import", target)
        assert result.exit_code == 1
        assert words in result.output
        _no_english(result.output)
    result = ledger.run("import", tmp_path / "无此文件.xlsx", "--json")
    import json

    problem = json.loads(result.stdout)["problems"][0]
    _no_english(problem["message"])
    assert "No such file" in problem["detail"]  # the original words, for whoever debugs


def test_a_csv_cell_beyond_the_csv_modules_limit_is_refused_by_cell(registered, tmp_path):
    ledger, c = registered
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("HX1", c[0], name="甲" * 200_000)]))
    assert result.exit_code == 1
    assert "a.csv!C2" in result.output and "有 200,000 个字符" in result.output
    _no_english(result.output)


def test_a_csv_with_an_unclosed_quote_is_refused_in_chinese(ledger, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("贷款合同编号,x\n\"abc,1\n", encoding="utf-8")
    path.write_bytes(path.read_bytes() + b'a"b\x00')  # a NUL inside quotes: csv's "line contains NUL"
    result = ledger.run("import", path)
    assert result.exit_code == 1
    _no_english(result.output)


def test_a_mapping_file_that_is_not_utf8_is_a_usage_error_in_chinese(registered, tmp_path):
    ledger, c = registered
    mapping = tmp_path / "map.toml"
    mapping.write_bytes('[headers]\n"合同号" = "贷款合同编号"\n'.encode("gbk"))
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("HX1", c[0])]), "--map", mapping)
    assert result.exit_code == 2
    assert "不是 UTF-8 编码" in result.output
    _no_english(result.output)


# --- names against the registry -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "warned"),
    [
        ("重庆甲科技有限公司", False),
        ("重庆甲科技有限责任公司", False),  # the same legal form, written both ways
        ("重庆甲科技 有限公司", False),
        ("重庆丙科技有限公司", True),
        ("重庆甲科技股份有限公司", True),  # another legal form
    ],
)
def test_a_loans_enterprise_name_is_checked_against_the_registry(registered, tmp_path, written, warned):
    ledger, c = registered
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("HX1", c[0], name=written)]))
    assert result.exit_code == 0, result.output
    assert ("enterprise_name_mismatch" in result.output) is warned
    if warned:
        assert f"企业名称「{written}」与企业名录中统一社会信用代码 {c[0]} 的名称「重庆甲科技有限公司」不一致" in result.output
        assert "a.csv!C2" in result.output


def test_full_width_brackets_match_the_registry(ledger, tmp_path):
    c = codes(1)
    reg = write_xlsx(tmp_path / "r.xlsx", [ENTERPRISE_HEADER, [c[0], "重庆（两江）甲科技有限公司", "渝北区"]])
    assert ledger.run("import", reg).exit_code == 0
    result = ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("HX1", c[0], name="重庆(两江)甲科技有限公司")]))
    assert result.exit_code == 0 and "enterprise_name_mismatch" not in result.output


def test_an_applications_name_is_checked_against_a_registry_sheet_of_the_same_workbook(ledger, tmp_path):
    from conftest import APPLICATION_HEADER

    c = codes(1)
    path = write_xlsx(
        tmp_path / "申报.xlsx",
        [APPLICATION_HEADER, ["SB1", c[0], "重庆乙科技有限公司", "2024-01-05", 1000000, "建设银行"]],
        sheet="申报",
        more={"名录": [ENTERPRISE_HEADER, [c[0], "重庆甲科技有限公司", "巴南区"]]},
    )
    result = ledger.run("import", path)
    assert result.exit_code == 0, result.output
    assert "企业名称「重庆乙科技有限公司」与企业名录中" in result.output and "「重庆甲科技有限公司」不一致" in result.output


def test_the_ledger_wide_name_rule_finds_the_same_rows(registered, tmp_path):
    import duckdb

    from ledger.policy import load_policy
    from ledger.programs.credit_loan import enterprise_name_mismatch
    from ledger.programs.findings import Facts

    ledger, c = registered
    rows = [LOAN_HEADER, loan("HX1", c[0]), loan("HX2", c[0], name="重庆丙科技有限公司"), loan("HX3", c[1], name="重庆乙科技有限责任公司")]
    assert ledger.run("import", write_csv(tmp_path / "a.csv", rows)).exit_code == 0
    with duckdb.connect(str(ledger.path), read_only=True) as con:
        found = enterprise_name_mismatch(Facts(con), load_policy())
    assert [(f.table, f.field, "重庆丙科技有限公司" in f.message) for f in found] == [("loans", "enterprise_name", True)]


def test_an_ods_sheet_reaching_too_far_is_refused_as_too_large(ledger, tmp_path):
    import zipfile

    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p>'
        '</table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16383"/>'
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "far.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )
    result = _run_apart(ledger.path, "import", path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "单元格范围超过上限" in result.stdout and "损坏" not in result.stdout


def test_after_a_void_the_loan_comes_back_in_another_spelling_once(registered, tmp_path):
    """The void/re-import path keys rows as the import does: a voided HX0001 lets hx0001 in, once."""
    ledger, c = registered
    assert ledger.run("import", write_csv(tmp_path / "a.csv", [LOAN_HEADER, loan("HX0001", c[0])])).exit_code == 0
    batch = ledger.sql("SELECT max(batch_id) FROM loans")[0][0]
    assert ledger.run("void", str(batch), "--reason", "银行重报").exit_code == 0
    again = ledger.run("import", write_csv(tmp_path / "b.csv", [LOAN_HEADER, loan("hx\u200b0001", c[0], amount="1200000")]))
    assert again.exit_code == 0 and "已在账本中" not in again.output
    once_more = ledger.run("import", write_csv(tmp_path / "c.csv", [LOAN_HEADER, loan("ＨＸ０００１", c[0], amount="1200000")]))
    assert "已在账本中" in once_more.output and "0 行" in once_more.output
    assert ledger.sql("SELECT contract_no, amount FROM v_loans") == [("HX0001", __import__("decimal").Decimal("1200000.00"))]
    assert ledger.run("verify").exit_code == 0
