"""Reading any sheet file a bank sends into raw cell grids, or refusing it clearly.

.xlsx/.xlsm/.xlsb/.xls/.ods go through python-calamine (Rust; about ten times faster than
openpyxl and it reads legacy BIFF .xls too); .csv/.tsv/.txt through the csv module with
the encoding detected (UTF-8 with or without BOM, else GB18030, a superset of GBK). The
format is told by the file's first bytes, not its name. Rows keep their Excel positions:
`rows[0]` is row 1 and column index 0 is column A, so problems can name cells.
Empty cells are None or ''.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_UNZIPPED = 512 * 1024 * 1024  # bytes a zipped workbook may expand to
MAX_ROWS = 1_048_576

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}


class ReadError(Exception):
    """A file that cannot be read as a spreadsheet; `code`, Chinese `message` and `hint`."""

    def __init__(self, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


@dataclass
class RawSheet:
    """One sheet's cells as read, row-major; rows may be ragged."""

    name: str
    rows: list[list[object]]


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(8)
    except OSError as exc:
        raise ReadError("unreadable", f"无法读取文件 {path.name}: {exc.strerror}", "请检查文件路径和权限。") from None


def _check_zip(path: Path) -> None:
    """Refuse truncated zips and zip bombs before a reader inflates them."""
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ReadError("truncated", f"文件 {path.name} 已损坏或不完整(压缩结构无法读取)", "请让报送单位重新导出文件后再发送。") from None
    if total > MAX_UNZIPPED:
        raise ReadError(
            "too_large",
            f"文件 {path.name} 解压后达 {total // (1 << 20)} MiB,超过上限 {MAX_UNZIPPED >> 20} MiB,拒绝读取",
            "正常的报表不会这么大;请确认文件来源,或拆分后再导入。",
        )


def _kind(path: Path) -> str:
    head = _head(path)
    if head.startswith(ZIP_MAGIC):
        _check_zip(path)
        return "calamine"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "text"
    if not head:
        raise ReadError("empty", f"文件 {path.name} 是空文件", "请确认报送的文件内容。")
    raise ReadError(
        "not_spreadsheet",
        f"文件 {path.name} 不是表格文件(无法识别为 xlsx/xls/ods/csv)",
        "请提供 Excel(.xlsx/.xls)、WPS/LibreOffice(.ods)或 CSV 文件。",
    )


def _is_encrypted_ole(path: Path) -> bool:
    """An OLE2 container holding an encrypted OOXML workbook (a password-protected .xlsx)."""
    with open(path, "rb") as f:
        data = f.read(1 << 20)
    return "EncryptedPackage".encode("utf-16-le") in data


def _workbook(path: Path, kind: str):
    from python_calamine import CalamineWorkbook

    if kind == "ole" and _is_encrypted_ole(path):
        raise ReadError("encrypted", f"文件 {path.name} 已加密(设有打开密码),无法读取", "请在 Excel 中取消密码后另存为 .xlsx 再导入。")
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types for broken files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise ReadError("encrypted", f"文件 {path.name} 已加密(设有打开密码),无法读取", "请在 Excel 中取消密码后另存为 .xlsx 再导入。") from None
        raise ReadError("not_spreadsheet", f"文件 {path.name} 无法作为表格读取: {exc}", "请用 Excel 或 WPS 打开确认后另存为 .xlsx 再导入。") from None


def sheet_names(path: Path) -> list[str]:
    """The names of the file's sheets (a CSV has one, named after the file)."""
    kind = _kind(path)
    if kind == "text":
        return [path.stem]
    return list(_workbook(path, kind).sheet_names)


def read_sheets(path: Path, only: str | None = None, max_rows: int = MAX_ROWS) -> list[RawSheet]:
    """Read every sheet (or only the named one) of an .xlsx/.xlsm/.xls/.ods/.csv file."""
    kind = _kind(path)
    if kind == "text":
        sheets = [RawSheet(path.stem, _read_text(path))]
    else:
        wb = _workbook(path, kind)
        names = list(wb.sheet_names)
        if only is not None:
            if only not in names:
                raise ReadError("no_sheet", f"文件 {path.name} 中没有名为「{only}」的工作表", f"现有工作表: {'、'.join(names)}")
            names = [only]
        sheets = []
        for name in names:
            try:
                sheet = wb.get_sheet_by_name(name)
                if sheet.total_height > max_rows:
                    raise ReadError("too_large", f"工作表「{name}」有 {sheet.total_height} 行,超过上限 {max_rows} 行", "请拆分文件后分批导入。")
                rows = sheet.to_python(skip_empty_area=False)
            except ReadError:
                raise
            except Exception as exc:
                raise ReadError("truncated", f"文件 {path.name} 的工作表「{name}」已损坏,无法读取: {exc}", "请让报送单位重新导出文件。") from None
            sheets.append(RawSheet(name, rows))
    for s in sheets:
        if len(s.rows) > max_rows:
            raise ReadError("too_large", f"工作表「{s.name}」有 {len(s.rows)} 行,超过上限 {max_rows} 行", "请拆分文件后分批导入。")
    return sheets


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError("bad_encoding", f"文件 {name} 的文字编码无法识别(既不是 UTF-8 也不是 GBK/GB18030)", "请在 Excel 中另存为「CSV UTF-8」或 .xlsx。")


def _read_text(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ReadError("not_spreadsheet", f"文件 {path.name} 不是文本表格(含二进制内容)", "请提供 Excel、ODS 或 CSV 文件。")
    text = _decode(data, path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ReadError("not_spreadsheet", f"文件 {path.name} 无法按 CSV 读取: {exc}", "请确认文件为逗号分隔的 CSV。") from None
