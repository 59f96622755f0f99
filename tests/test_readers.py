"""Sheet readers on real files written into tmp_path: layouts, formats, encodings, refusals."""

import datetime as dt
import io
import re
import struct
import zipfile
import zlib

import openpyxl
import pytest

from ledger.importing.readers import ReadError, RawSheet, _pad_to_a1, read_sheets, sheet_names

CJK = re.compile(r"[\u4e00-\u9fff]")


def save(wb, path):
    wb.save(path)
    return path


def refused(path, code, **kwargs) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_sheets(path, **kwargs)
    err = info.value
    assert err.code == code, (err.code, err.message)
    assert path.name in err.message and CJK.search(err.message), err.message
    assert CJK.search(err.hint), err.hint
    return err


# --- xlsx ------------------------------------------------------------------------------------


@pytest.fixture
def loans_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "放款明细"
    ws["A1"] = "渝北区知识价值信用贷款放款明细表"
    ws.merge_cells("A1:G1")
    ws.append([])  # row 2 stays blank
    ws.append(["序号", "企业名称", "贷款金额(万元)", "放款日期", "审批时间", "是否首贷", "合同编号"])
    ws.append([1, "重庆某某科技有限公司", 150.5, dt.date(2021, 3, 5), dt.datetime(2021, 3, 5, 14, 30), True, 20210001])
    ws.append([2, "重庆某某生物有限公司", 3, dt.date(2021, 4, 1), dt.datetime(2021, 4, 1, 9, 0), False, "HT-002"])
    ws["D5"].number_format = 'yyyy"年"m"月"d"日"'
    ws["A7"] = "合计"
    ws["C7"] = 153.5
    notes = wb.create_sheet("说明")
    notes["B2"] = "本表由银行填报"
    return save(wb, tmp_path / "放款明细.xlsx")


def test_xlsx_two_sheets_in_order(loans_xlsx):
    sheets = read_sheets(loans_xlsx)
    assert [s.name for s in sheets] == ["放款明细", "说明"]
    assert all(isinstance(s, RawSheet) and not s.hidden for s in sheets)
    assert sheet_names(loans_xlsx) == ["放款明细", "说明"]


def test_xlsx_rows_keep_excel_positions(loans_xlsx):
    rows = read_sheets(loans_xlsx)[0].rows
    assert len(rows) == 7
    assert rows[0][0] == "渝北区知识价值信用贷款放款明细表"
    assert rows[0][1:] == [None] * 6  # the rest of a merged range is empty
    assert rows[1] == [None] * 7
    assert rows[2] == ["序号", "企业名称", "贷款金额(万元)", "放款日期", "审批时间", "是否首贷", "合同编号"]
    assert rows[5] == [None] * 7
    assert rows[6] == ["合计", None, 153.5, None, None, None, None]


def test_xlsx_cell_types(loans_xlsx):
    rows = read_sheets(loans_xlsx)[0].rows
    first, second = rows[3], rows[4]
    assert first[1] == "重庆某某科技有限公司"
    assert first[2] == 150.5 and type(first[2]) is float
    assert first[0] == 1 and type(first[0]) is float  # xlsx stores every number as a double
    assert first[3] == dt.date(2021, 3, 5) and type(first[3]) is dt.date
    assert first[4] == dt.datetime(2021, 3, 5, 14, 30)
    assert first[5] is True and second[5] is False
    assert first[6] == 20210001
    assert second[3] == dt.date(2021, 4, 1)  # a Chinese custom date format is still a date


def test_xlsx_empty_cells_are_none_never_empty_string(loans_xlsx):
    for sheet in read_sheets(loans_xlsx):
        assert all(cell != "" for row in sheet.rows for cell in row)


def test_data_starting_at_c3_keeps_a1_origin(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"] = "企业名称"
    ws["D3"] = "金额"
    ws["C4"] = "甲公司"
    ws["D4"] = 100
    rows = read_sheets(save(wb, tmp_path / "c3.xlsx"))[0].rows
    assert len(rows) == 4
    assert rows[0] == rows[1] == [None] * 4
    assert rows[2] == [None, None, "企业名称", "金额"]
    assert rows[3] == [None, None, "甲公司", 100]


def test_only_one_sheet_and_missing_sheet(loans_xlsx):
    sheets = read_sheets(loans_xlsx, only="说明")
    assert [(s.name, s.rows) for s in sheets] == [("说明", [[None, None], [None, "本表由银行填报"]])]
    err = refused(loans_xlsx, "no_sheet", only="还款明细")
    assert "还款明细" in err.message and "「放款明细」" in err.hint


def test_a_sheet_named_for_a_csv_must_be_its_only_one(tmp_path):
    path = tmp_path / "放款.csv"
    path.write_text("贷款合同编号,放款金额\nA-1,100\n", encoding="utf-8")
    assert [s.name for s in read_sheets(path, only="放款")] == ["放款"]  # the file's own name is its sheet
    err = refused(path, "no_sheet", only="10月")
    assert "「10月」" in err.message and "--sheet" in err.hint


def test_empty_and_hidden_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "空表"
    hidden = wb.create_sheet("辅助")
    hidden["A1"] = "代码表"
    hidden.sheet_state = "hidden"
    sheets = read_sheets(save(wb, tmp_path / "h.xlsx"))
    assert [(s.name, s.rows, s.hidden) for s in sheets] == [("空表", [], False), ("辅助", [["代码表"]], True)]


def test_xlsx_error_cells_read_as_their_text(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "贷款金额"])
    ws.append(["甲公司", "#N/A"])  # openpyxl stores error strings as error cells (t="e")
    ws.append(["乙公司", "#DIV/0!"])
    ws.append(["丙公司", 5])
    path = save(wb, tmp_path / "errors.xlsx")
    with zipfile.ZipFile(path) as z:
        assert b't="e"' in z.read("xl/worksheets/sheet1.xml")
    assert read_sheets(path)[0].rows == [["企业名称", "贷款金额"], ["甲公司", "#N/A"], ["乙公司", "#DIV/0!"], ["丙公司", 5]]


def minimal_xlsx(path, sheet_data: str, prefix: str = ""):
    """The smallest package Excel accepts, around a hand-written <sheetData> (tags may carry `prefix`)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ns = f"xmlns:{prefix[:-1]}" if prefix else "xmlns"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><{prefix}worksheet {ns}="{main}"><{prefix}sheetData>{sheet_data}</{prefix}sheetData></{prefix}worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


FORMULA_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>合计</t></is></c><c r="B1"><f>SUM(B2:B3)</f><v>30</v></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c><c r="B2"><f>10*1</f></c><c r="C2"><f>IF(1&gt;0,"a&amp;b")</f><v/></c></row>'
    '<row r="3"><c r="B3"><f t="shared" ref="B3:B4" si="0">10*2</f><v></v></c><c r="C3" t="str"><f>IF(1,"","x")</f><v></v></c>'
    '<c r="D3" t="e"><f>NA()</f><v>#N/A</v></c></row>'
    '<row r="4"><c r="B4"><f t="shared" si="0"/></c><c r="C4" t="str"><f>"x"</f><v>x</v></c></row>'
)


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_formulas_saved_without_values_are_listed(tmp_path, prefix):
    rows = FORMULA_ROWS.replace("<", f"<{prefix}").replace(f"<{prefix}/", f"</{prefix}") if prefix else FORMULA_ROWS
    (sheet,) = read_sheets(minimal_xlsx(tmp_path / "公式.xlsx", rows, prefix))
    # C3 is a formula whose value is the empty string: empty, and rightly not listed
    assert sheet.rows == [["合计", 30, None, None], ["甲", None, None, None], [None, None, None, "#N/A"], [None, None, "x", None]]
    assert sorted(sheet.uncached_formulas) == [(1, 1), (1, 2), (2, 1), (3, 1)]
    # the formula as written, for the problem to show; B4 shares B3's and has no text of its own
    assert sheet.formula_text == {(1, 1): "10*1", (1, 2): 'IF(1>0,"a&b")', (2, 1): "10*2"}


def test_openpyxl_formulas_have_no_values(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["金额", "=100000*2", 5])
    (sheet,) = read_sheets(save(wb, tmp_path / "f.xlsx"))
    assert sheet.rows == [["金额", None, 5]]
    assert sheet.uncached_formulas == [(0, 1)]


def test_sheets_without_formulas_list_none(loans_xlsx):
    assert all(s.uncached_formulas == [] for s in read_sheets(loans_xlsx))


def test_a_sheet_reaching_excels_last_row_is_refused(tmp_path):
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="A1048576"><v>2</v></c></row>'
    err = refused(minimal_xlsx(tmp_path / "满表.xlsx", rows), "too_large")
    assert "1,048,576" in err.message and "上限" in err.message
    almost = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048575"><c r="A1048575"><v>2</v></c></row>'
    (sheet,) = read_sheets(minimal_xlsx(tmp_path / "差一行.xlsx", almost))
    assert len(sheet.rows) == 1_048_575 and sheet.rows[-1] == [2]


def test_workbook_is_told_by_content_not_name(loans_xlsx, tmp_path):
    data = loans_xlsx.read_bytes()
    for name in ("renamed.xls", "renamed.csv", "renamed.ods"):
        (tmp_path / name).write_bytes(data)
        assert read_sheets(tmp_path / name)[0].rows[3][1] == "重庆某某科技有限公司"


def test_too_many_rows(loans_xlsx):
    err = refused(loans_xlsx, "too_large", max_rows=5)
    assert "7" in err.message and "5" in err.message
    assert len(read_sheets(loans_xlsx, max_rows=7)[0].rows) == 7


def test_pad_to_a1_restores_trimmed_leading_area():
    trimmed = [["名称", "金额"], ["甲", 1.0]]
    assert _pad_to_a1(trimmed, (2, 2), (3, 3)) == [[], [], [None, None, "名称", "金额"], [None, None, "甲", 1.0]]
    full = [[None] * 2, ["a", "b"]]
    assert _pad_to_a1(full, (1, 0), (1, 1)) is full


# --- xls and ods -----------------------------------------------------------------------------


def test_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("放款明细")
    sheet.write_merge(0, 0, 0, 4, "放款明细表")
    sheet.write(2, 2, "企业名称")
    sheet.write(2, 3, "放款日期")
    sheet.write(2, 4, "贷款金额")
    sheet.write(3, 2, "重庆某某科技有限公司")
    sheet.write(3, 3, dt.date(2021, 3, 5), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    sheet.write(3, 4, 1600000.5)
    sheet.write(4, 4, 3)
    sheet.write(4, 2, True)
    book.add_sheet("说明").write(1, 1, "备注")
    path = tmp_path / "放款明细.xls"
    book.save(str(path))
    sheets = read_sheets(path)
    assert [s.name for s in sheets] == ["放款明细", "说明"]
    rows = sheets[0].rows
    assert rows[0] == ["放款明细表", None, None, None, None]
    assert rows[1] == [None] * 5
    assert rows[2] == [None, None, "企业名称", "放款日期", "贷款金额"]
    assert rows[3] == [None, None, "重庆某某科技有限公司", dt.date(2021, 3, 5), 1600000.5]
    assert rows[4] == [None, None, True, None, 3]
    assert sheets[1].rows == [[None, None], [None, "备注"]]


def test_ods(tmp_path):
    pytest.importorskip("odf")
    import pandas as pd

    frame = pd.DataFrame({"企业名称": ["甲公司", "乙公司"], "贷款金额": [1600000.5, 3], "放款日期": [dt.date(2021, 3, 5), dt.date(2021, 4, 1)]})
    path = tmp_path / "放款明细.ods"
    with pd.ExcelWriter(path, engine="odf") as writer:
        frame.to_excel(writer, sheet_name="放款", index=False, startrow=2, startcol=2)
        frame.head(1).to_excel(writer, sheet_name="第二页", index=False)
    sheets = read_sheets(path)
    assert [s.name for s in sheets] == ["放款", "第二页"]
    rows = sheets[0].rows
    assert rows[0] == rows[1] == [None] * 5
    assert rows[2] == [None, None, "企业名称", "贷款金额", "放款日期"]
    assert rows[3] == [None, None, "甲公司", 1600000.5, dt.date(2021, 3, 5)]
    assert rows[4][2:4] == ["乙公司", 3]
    assert sheet_names(path) == ["放款", "第二页"]


# --- delimited text --------------------------------------------------------------------------

TABLE = [["企业名称", "贷款金额", "放款日期"], ["重庆某某科技有限公司", "1,600,000.00", "2021/3/5"], ["乙公司", "", "2021-04-01"]]
EXPECTED = [["企业名称", "贷款金额", "放款日期"], ["重庆某某科技有限公司", "1,600,000.00", "2021/3/5"], ["乙公司", None, "2021-04-01"]]


def csv_text(delimiter=",", quote_all=False):
    out = io.StringIO()
    import csv

    csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\r\n").writerows(TABLE)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "放款明细.csv"
    path.write_bytes(csv_text().encode(encoding))
    assert [(s.name, s.rows) for s in read_sheets(path)] == [("放款明细", EXPECTED)]
    assert sheet_names(path) == ["放款明细"]


@pytest.mark.parametrize("name, delimiter", [("a.tsv", "\t"), ("a.txt", "\t"), ("a.csv", ";"), ("a.csv", ","), ("a.txt", ",")])
def test_csv_delimiters(tmp_path, name, delimiter):
    path = tmp_path / name
    path.write_text(csv_text(delimiter), encoding="utf-8")
    assert read_sheets(path)[0].rows == EXPECTED


def test_csv_title_line_quoted_amounts_and_newlines(tmp_path):
    path = tmp_path / "明细.csv"
    text = '渝北区放款明细表\r\n单位:万元\r\n企业名称,贷款金额,备注\r\n"甲公司","1,600.50","第一行\n第二行"\r\n乙公司,200,\r\n'
    path.write_text(text, encoding="gb18030")
    assert read_sheets(path)[0].rows == [
        ["渝北区放款明细表"],
        ["单位:万元"],
        ["企业名称", "贷款金额", "备注"],
        ["甲公司", "1,600.50", "第一行\n第二行"],
        ["乙公司", "200", None],
    ]


def test_tsv_with_unquoted_thousands(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("企业名称\t贷款金额\n甲公司\t1,600,000.00\n乙公司\t2,000.00\n", encoding="utf-8")
    assert read_sheets(path)[0].rows == [["企业名称", "贷款金额"], ["甲公司", "1,600,000.00"], ["乙公司", "2,000.00"]]


def test_short_tsv_under_title_lines(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("渝北区放款明细表\n单位:万元\n企业名称\t贷款金额\n甲公司\t150\n", encoding="utf-8")
    assert read_sheets(path)[0].rows == [["渝北区放款明细表"], ["单位:万元"], ["企业名称", "贷款金额"], ["甲公司", "150"]]


def test_single_column_csv(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("企业名称\n甲公司\n乙公司\n", encoding="utf-8")
    assert read_sheets(path)[0].rows == [["企业名称"], ["甲公司"], ["乙公司"]]


def test_csv_bad_encoding(tmp_path):
    path = tmp_path / "乱码.csv"
    path.write_bytes("企业名称,金额\n".encode() + b"\xff\xfe\xff,1\n\x81")
    refused(path, "bad_encoding")


def test_csv_too_many_rows(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n" * 10, encoding="utf-8")
    refused(path, "too_large", max_rows=9)
    assert len(read_sheets(path, max_rows=10)[0].rows) == 10


# --- refusals --------------------------------------------------------------------------------


def test_junk_bytes(tmp_path):
    path = tmp_path / "放款明细.xlsx"
    path.write_bytes(bytes(range(256)) * 20)
    refused(path, "not_spreadsheet")


def test_pdf(tmp_path):
    path = tmp_path / "放款明细.pdf"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert "PDF" in refused(path, "not_spreadsheet").message
    renamed = tmp_path / "放款明细.xlsx"
    renamed.write_bytes(path.read_bytes())
    assert "PDF" in refused(renamed, "not_spreadsheet").message


def test_html_saved_as_xls(tmp_path):
    path = tmp_path / "网银导出.xls"
    path.write_text("<html><body><table><tr><td>企业名称</td></tr></table></body></html>", encoding="utf-8")
    err = refused(path, "not_spreadsheet")
    assert "HTML" in err.message and "另存为" in err.hint


def test_truncated_xlsx(loans_xlsx, tmp_path):
    data = loans_xlsx.read_bytes()
    path = tmp_path / "截断.xlsx"
    path.write_bytes(data[: len(data) // 2])
    refused(path, "truncated")


def test_damaged_sheet_inside_complete_zip(loans_xlsx, tmp_path):
    path = tmp_path / "损坏.xlsx"
    with zipfile.ZipFile(loans_xlsx) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, data[: len(data) // 2] if info.filename == "xl/worksheets/sheet1.xml" else data)
    assert "放款明细" in refused(path, "truncated").message


def test_truncated_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("a")
    for r in range(200):
        sheet.write(r, 0, f"行{r}")
    whole = tmp_path / "whole.xls"
    book.save(str(whole))
    path = tmp_path / "截断.xls"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    refused(path, "truncated")


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "各行报表.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("放款明细.xlsx", b"not really")
    assert "解压" in refused(path, "not_spreadsheet").hint
    docx = tmp_path / "说明.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    refused(docx, "not_spreadsheet")


def write_zip_bomb(path, member="xl/worksheets/sheet1.xml", chunks=40):
    """A genuine zip of one deflated member of 40 x 16 MiB of zeros (~650 KB on disk), built fast:
    the deflate stream is one fresh-state segment repeated, then an empty final block."""
    chunk = bytes(1 << 24)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = segment * chunks + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(chunks):
        crc = zlib.crc32(chunk, crc)
    size, name = len(chunk) * chunks, member.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0) + name
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    path.write_bytes(local + data + central + end)
    return path


def test_zip_bomb(tmp_path):
    path = write_zip_bomb(tmp_path / "放款明细.xlsx")
    assert path.stat().st_size < 2 << 20
    with zipfile.ZipFile(path) as z, z.open("xl/worksheets/sheet1.xml") as f:
        assert z.infolist()[0].file_size == 640 << 20
        assert f.read(1 << 20) == bytes(1 << 20)  # it really inflates to zeros
    err = refused(path, "too_large")
    assert "512" in err.message and "640" in err.message


def test_password_protected_xlsx(loans_xlsx, tmp_path):
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "加密.xlsx"
    with open(loans_xlsx, "rb") as plain, open(path, "wb") as out:
        OOXMLFile(plain).encrypt("123456", out)
    assert path.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # an OLE2 container, as Excel writes it
    err = refused(path, "encrypted")
    assert err.message == "文件 加密.xlsx 已加密(设有打开密码),无法读取"
    assert "取消密码" in err.hint and ".xlsx" in err.hint
    renamed = tmp_path / "加密.xls"
    renamed.write_bytes(path.read_bytes())
    refused(renamed, "encrypted")


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    refused(empty, "empty")
    empty_csv = tmp_path / "空.csv"
    empty_csv.write_bytes(b"")
    refused(empty_csv, "empty")
    refused(tmp_path / "不存在.xlsx", "unreadable")


def test_unknown_text_extension_is_refused(tmp_path):
    path = tmp_path / "明细.dat"
    path.write_text("企业名称,金额\n甲,1\n", encoding="utf-8")
    refused(path, "not_spreadsheet")
