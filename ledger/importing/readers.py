"""Reading any sheet file a bank sends into raw cell grids, or refusing it clearly.

.xlsx/.xlsm/.xlsb/.xls/.ods go through python-calamine (Rust; about ten times faster than
openpyxl, and it reads legacy BIFF .xls too); .csv/.tsv/.txt through the csv module with
the encoding detected. The format is told by the file's first bytes, not its name, so a
workbook renamed to .xls or .csv still reads. Rows keep their Excel positions: rows[0] is
row 1 and column index 0 is column A, so problems can name cells. Empty cells are None.

Every failure, whatever the library raised, becomes a ReadError with a Chinese message
naming the file and a hint saying what to do about it.
"""

from __future__ import annotations

import codecs
import csv
import gc
import html
import io
import re
import threading
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from ..errors import os_words
from python_calamine import (
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

MAX_UNPACKED = 512 * 1024 * 1024  # bytes a file may hold once unzipped (zip formats) or as is
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384  # Excel's own last column, XFD
# Cells a sheet's extent (last row × last column) may span: calamine allocates the whole extent
# at once, 32 bytes a cell, before it hands back a single row (1 GiB here; 512 GiB for XFD1048576).
MAX_CELLS = 32 * 1024 * 1024
EXCEL_ROWS = 1_048_576  # a sheet filling every row of Excel was most likely cut off there

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}

_RESAVE = "请用 Excel 或 WPS 打开后「另存为」.xlsx 再导入。"
_REEXPORT = "文件可能在下载或传输中被截断;请重新下载原件,或请报送单位重新导出后再发送。"


class ReadError(Exception):
    """A file that cannot be read as a spreadsheet.

    `code` is a short id ('not_spreadsheet', 'truncated', 'encrypted', 'too_large',
    'empty', 'bad_encoding', 'no_sheet', 'unreadable'), `message` a Chinese sentence naming
    the file, `hint` a Chinese sentence saying what the user can do.
    """

    def __init__(self, code: str, message: str, hint: str = "", detail: str = ""):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint
        self.detail = detail  # the library's own words, for --json only


@dataclass
class RawSheet:
    """One sheet's cells as read, row-major: rows[r][c] is Excel row r+1, column c+1.

    Values are str, int, float, bool, datetime.date/datetime/time (a duration cell is a
    datetime.timedelta) or None for an empty cell. A merged range holds its value in its
    top-left cell only. Error cells of .xlsx files read as their text ('#N/A'); .xls and
    .ods error cells read as None (calamine drops them).

    `uncached_formulas` lists the (row, col) of .xlsx formula cells saved without their
    computed value (as tools other than Excel may write them): they read as None, but
    are not empty in the bank's eyes. `formula_text` gives the formula of those of them
    whose text is in the file (`100*10000`, no leading =), so a problem can show it; a cell
    sharing another cell's formula has none of its own. `workbook_sheets` is how many
    worksheets the file holds, read or not (a CSV holds one).
    """

    name: str
    rows: list[list[object]]
    hidden: bool = False
    uncached_formulas: list[tuple[int, int]] = field(default_factory=list)
    formula_text: dict[tuple[int, int], str] = field(default_factory=dict)
    workbook_sheets: int = 1


def sheet_names(path: Path) -> list[str]:
    """The names of the file's worksheets in workbook order (a CSV has one, named after the file)."""
    path = Path(path)
    kind = _kind(path)
    if kind == "text":
        return [path.stem]
    with _Workbook(path, kind) as wb:
        return [m.name for m in wb.worksheets()]


def read_sheets(path: Path, only: str | None = None, max_rows: int = MAX_ROWS) -> list[RawSheet]:
    """Read every sheet (or only the named one) of an .xlsx/.xlsm/.xlsb/.xls/.ods/.csv/.tsv/.txt file.

    Raises ReadError for anything that is not a readable spreadsheet, for a zip that
    would unpack beyond MAX_UNPACKED, for a sheet longer than `max_rows` or filling all
    of Excel's rows (its tail was most likely lost on export), and when the sheet named
    `only` does not exist.
    """
    path = Path(path)
    kind = _kind(path)
    if kind == "text":
        if only is not None and only.strip() != path.stem.strip():
            raise ReadError(
                "no_sheet",
                f"文件 {path.name} 是文本表格(CSV/TSV),只有一张表,没有名为「{only}」的工作表",
                "导入文本表格时请去掉 --sheet;如需导入工作簿中的某一张表,请导入原工作簿文件。",
            )
        return [RawSheet(path.stem, _read_text(path, max_rows))]
    # The sheet XML is unzipped and searched for error cells and formulas in a thread while
    # calamine parses: zlib lets go of the GIL, so the two overlap on a second core.
    scan = _Scan(path, only) if kind == "xlsx" else None
    with _Workbook(path, kind) as wb:
        metas = wb.worksheets()
        count = len(metas)
        if only is not None:
            chosen = [m for m in metas if m.name == only] or [m for m in metas if m.name.strip() == only.strip()]
            if not chosen:
                names = "、".join(f"「{m.name}」" for m in metas) or "(无)"
                raise ReadError("no_sheet", f"文件 {path.name} 中没有名为「{only}」的工作表", f"文件中的工作表有: {names}。")
            metas = chosen
        if scan is not None:
            scan.check_extents(path, [m.name for m in metas])
        sheets = [RawSheet(m.name, wb.rows(m.name, max_rows), m.visible != SheetVisibleEnum.Visible, workbook_sheets=count) for m in metas]
    if scan is not None:
        _inspect_xlsx(path, sheets, scan.result())
    return sheets


# --- telling the format ----------------------------------------------------------------------


def _kind(path: Path) -> str:
    """'xlsx', 'xlsb', 'ods', 'xls' or 'text', from the first bytes (the suffix only for text)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(1024)
    except OSError as exc:
        raise ReadError("unreadable", f"无法读取文件 {path.name}: {os_words(exc)}", "请检查文件路径和读取权限。", detail=str(exc)) from None
    if size == 0:
        raise ReadError("empty", f"文件 {path.name} 是空文件(0 字节)", "请确认报送的文件内容,必要时请报送单位重新发送。")
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    if size > MAX_UNPACKED:
        raise _too_large(path, size, "大小")
    if head.startswith(OLE_MAGIC):
        return "xls"
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "text"
    raise _not_spreadsheet(path, head)


def _not_spreadsheet(path: Path, head: bytes) -> ReadError:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"%pdf"):
        return ReadError("not_spreadsheet", f"文件 {path.name} 是 PDF 文件,不是电子表格", "请向报送单位索取 Excel(.xlsx)格式的原始数据。")
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head")):
        return ReadError("not_spreadsheet", f"文件 {path.name} 实际是网页(HTML)格式,不是 Excel 表格", _RESAVE)
    if start.startswith(b"<?xml"):
        return ReadError("not_spreadsheet", f"文件 {path.name} 是 XML 格式(可能是 Excel 2003 XML 表格),无法直接读取", _RESAVE)
    return ReadError(
        "not_spreadsheet",
        f"文件 {path.name} 不是可识别的电子表格(xlsx/xls/ods/csv)",
        "请提供 Excel(.xlsx/.xls)、WPS/LibreOffice(.ods)或 CSV 文件;" + _RESAVE,
    )


def _too_large(path: Path, size: int, what: str = "解压后") -> ReadError:
    return ReadError(
        "too_large",
        f"文件 {path.name} {what}达 {size / (1 << 20):,.0f} MiB,超过上限 {MAX_UNPACKED >> 20} MiB,拒绝读取",
        "正常的报表不会这么大;请确认文件来源,或拆分后分批导入。",
    )


def _zip_kind(path: Path) -> str:
    """Check a zip's directory (complete? not a zip bomb?) and tell xlsx, xlsb and ods apart."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNPACKED:
                raise _too_large(path, total)
            names = {i.filename for i in infos}
            mimetype = z.read("mimetype")[:80] if "mimetype" in names else b""
    except ReadError:
        raise
    except Exception:  # zipfile raises BadZipFile, EOFError, ValueError, NotImplementedError…
        raise ReadError("truncated", f"文件 {path.name} 已损坏或不完整,无法打开", _REEXPORT) from None
    if "xl/workbook.xml" in names or ("[Content_Types].xml" in names and any(n.endswith("/workbook.xml") for n in names)):
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    if "word/document.xml" in names or mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        raise ReadError("not_spreadsheet", f"文件 {path.name} 是文字处理文档(Word/WPS 文字),不是电子表格", "请向报送单位索取 Excel(.xlsx)格式的数据。")
    raise ReadError("not_spreadsheet", f"文件 {path.name} 是压缩包或其他文档,不是电子表格", "如是压缩包,请先解压,再逐个导入其中的表格文件。")


# --- workbooks through calamine --------------------------------------------------------------


_SUFFIXES = {"xlsx": {".xlsx", ".xlsm"}, "xlsb": {".xlsb"}, "xls": {".xls"}, "ods": {".ods"}}


class _Workbook:
    """A calamine workbook whose every failure (even a Rust panic) becomes a ReadError."""

    def __init__(self, path: Path, kind: str):
        self.path, self.kind = path, kind
        self.file = open(path, "rb")
        try:
            with self._guard():
                # calamine reading the file itself is some 15% faster than through a Python file
                # object, but picks the format by the suffix: only when that agrees with the content.
                if path.suffix.lower() in _SUFFIXES[kind]:
                    self.wb = CalamineWorkbook.from_path(str(path))
                else:
                    self.wb = CalamineWorkbook.from_filelike(self.file)
        except BaseException:
            self.file.close()
            raise

    def __enter__(self) -> _Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def worksheets(self) -> list:
        """Sheet metadata of the worksheets (chart and macro sheets have no cells)."""
        with self._guard():
            return [m for m in self.wb.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]

    def rows(self, name: str, max_rows: int) -> list[list[object]]:
        """The whole sheet from A1, empty strings turned into None."""
        with self._guard(name):
            sheet = self.wb.get_sheet_by_name(name)
            end = sheet.end
            if end is None:
                return []
            if end[0] + 1 > max_rows:
                raise ReadError(
                    "too_large",
                    f"文件 {self.path.name} 的工作表「{name}」有 {end[0] + 1:,} 行,超过上限 {max_rows:,} 行",
                    "请拆分文件后分批导入。",
                )
            if end[0] + 1 >= EXCEL_ROWS:
                raise ReadError(
                    "too_large",
                    f"文件 {self.path.name} 的工作表「{name}」用满了 Excel 的全部 {EXCEL_ROWS:,} 行,已到行数上限,之后的数据很可能在导出时被截掉",
                    "请让报送单位按月份或支行拆成几个文件重新导出。",
                )
            start = sheet.start
            # Millions of new cells, none in a reference cycle: collecting during their
            # creation only costs time.
            collecting = gc.isenabled()
            gc.disable()
            try:
                grid = sheet.to_python(skip_empty_area=False)
                # CPython hands out one shared empty-str object, so an identity test finds
                # calamine's empty cells at half the cost of ==.
                empty = ""
                rows = [[None if c is empty else c for c in row] for row in grid]
            finally:
                if collecting:
                    gc.enable()
        return _pad_to_a1(rows, start, end)

    @contextmanager
    def _guard(self, sheet: str | None = None):
        try:
            yield
        except (ReadError, KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
            raise
        except BaseException as exc:  # pyo3 turns a Rust panic into PanicException, a BaseException
            raise self.failure(exc, sheet) from None

    def failure(self, exc: BaseException, sheet: str | None) -> ReadError:
        name = self.path.name
        if isinstance(exc, PasswordError) or self._encrypted():
            return ReadError("encrypted", f"文件 {name} 已加密(设有打开密码),无法读取", "请在 Excel 中取消密码后另存为 .xlsx 再导入。")
        if "cell limit exceeded" in str(exc).lower():  # calamine's own cap (.ods): a sheet reaching too far
            where = f"的工作表「{sheet}」" if sheet else ""
            return ReadError(
                "too_large",
                f"文件 {name} {where}的单元格范围超过上限,拒绝读取",
                "多是数据区以外的远处有带格式或误输入的单元格:请删除数据区以外的行和列后另存再导入。",
                detail=str(exc),
            )
        if self.kind == "xls" and self._word():
            return ReadError("not_spreadsheet", f"文件 {name} 是 Word 等其他 Office 文档,不是电子表格", "请向报送单位索取 Excel(.xlsx)格式的数据。")
        where = f" 的工作表「{sheet}」" if sheet else " "
        return ReadError("truncated", f"文件 {name}{where}已损坏或不完整,无法读取", _REEXPORT)

    def _ole_bytes(self) -> bytes:
        if self.kind != "xls":
            return b""
        self.file.seek(0)
        return self.file.read()

    def _encrypted(self) -> bool:
        """An OLE2 file holding an encrypted OOXML package: a password-protected .xlsx."""
        return "EncryptedPackage".encode("utf-16-le") in self._ole_bytes()

    def _word(self) -> bool:
        return "WordDocument".encode("utf-16-le") in self._ole_bytes()


def _pad_to_a1(rows: list[list[object]], start, end) -> list[list[object]]:
    """Keep rows[0] = row 1 and column 0 = A even if calamine trimmed the empty area before the data."""
    if start is None or len(rows) == end[0] + 1:
        return rows
    top, left = start
    width = end[1] + 1
    return [[] for _ in range(top)] + [[None] * left + row if len(row) < width else row for row in rows]


# --- what calamine leaves out of an .xlsx ----------------------------------------------------
# calamine reads an error cell (#N/A) and a formula saved without its computed value alike:
# as empty. Both are told apart from truly empty cells by looking at the sheet XML, first
# with a fast byte search, then, only in a sheet that has any, with regular expressions.

_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_CELL_TYPE = re.compile(rb'\st="(\w+)"')


WHOLE_PART = 128 << 20  # a sheet XML up to this size is unzipped in one piece (and one GIL release)


class _Scan(threading.Thread):
    """Which sheet parts of an .xlsx hold error cells or formulas, found in the background.

    `result()` waits for the thread and gives {sheet name: (part, prefix, errors,
    formulas, xml or None)}; None when the package could not be looked into, in which
    case the sheets are inspected the slow way (`_inspect_xlsx` without a scan).
    """

    def __init__(self, path: Path, only: str | None):
        super().__init__(name="xlsx-scan", daemon=True)
        self.path, self.only = path, only
        self.found: dict | None = None
        self.extents: dict[str, tuple[int, int]] | None = None  # sheet name -> (last row, last column)
        self.sized = threading.Event()
        self.start()

    def run(self) -> None:
        try:
            self._run()
        except Exception:
            self.found = None
        finally:
            self.sized.set()

    def _run(self) -> None:
        found = {}
        extents = {}
        with zipfile.ZipFile(self.path) as z:
            parts = {n: p for n, p in _sheet_parts(z).items() if self.only is None or n.strip() == self.only.strip()}
            whole = {}
            # First how far each sheet reaches, which calamine must not be asked to read before it is known.
            for name, part in parts.items():
                if z.getinfo(part).file_size <= WHOLE_PART:
                    whole[name] = z.read(part)
                    extents[name] = _extent(whole[name])
                else:
                    extents[name] = _streamed_extent(z, part)
            self.extents = extents
            self.sized.set()
            for name, part in parts.items():
                if name in whole:
                    xml = whole.pop(name)
                    prefix, errors, formulas = _flags(xml)
                    found[name] = (part, prefix, errors, formulas, xml if errors or formulas else None)
                else:
                    found[name] = (part, *_scan(z, part), None)
        self.found = found

    def check_extents(self, path: Path, names: list[str]) -> None:
        """Wait until every sheet's extent is known; refuse a sheet whose extent is beyond the caps.

        Called before calamine reads any sheet: it allocates the extent whole and aborts the
        process when it cannot. A package that could not be looked into is left to calamine.
        """
        self.sized.wait()
        for name in names:
            rows, cols = (self.extents or {}).get(name, (0, 0))
            if cols > MAX_COLUMNS or rows > EXCEL_ROWS or rows * cols > MAX_CELLS:
                raise ReadError(
                    "too_large",
                    f"文件 {path.name} 的工作表「{name}」的单元格范围达 {rows:,} 行 × {cols:,} 列"
                    f"(最远的单元格 {_column_letters(cols)}{rows}),超过上限 {MAX_CELLS:,} 个单元格,拒绝读取",
                    "多是数据区以外的远处有误输入或带格式的单元格:请在 Excel 中按 Ctrl+End 找到它,删除数据区以外的行和列后另存再导入。",
                )

    def result(self) -> dict | None:
        self.join()
        return self.found


def _column_letters(n: int) -> str:
    """Column number (1-based) as Excel letters: 16384 -> XFD."""
    letters = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters or "A"


_REF_WIDTH = 12  # bytes after r=" that hold a reference: up to 3 letters and 8 digits (more is beyond any cap)


# Every capital letter read as A and every digit as 0: a cell reference's shape (' r="AA00"') is then
# found by a plain byte search, many times faster than a regular expression over a whole sheet.
_SHAPES = bytes.maketrans(bytes(range(65, 91)) + bytes(range(48, 58)), b"A" * 26 + b"0" * 10)


def _extent(xml: bytes) -> tuple[int, int]:
    """A bound on the (last row, last column), 1-based, that the cells of a sheet's XML reach in calamine.

    Fast path, a few byte searches: when every cell and row carries its reference (what Excel,
    WPS, LibreOffice and openpyxl write), the last row has fewer digits than the longest row
    reference found (`_row_digits`) and the last column is Z when no reference has two letters,
    else ZZ when none has three. When that bound is within the caps it is the answer; otherwise
    (a sheet very long, very wide, or written oddly) every reference is read (`_every_reference`).
    """
    root = _ROOT.search(xml, 0, 4096)
    prefix = re.escape((root[1] or b"") if root else b"")
    if re.search(b"<" + prefix + rb"(?:c|row)/?>", xml) is None:  # no cell or row without its r= reference
        shapes = xml.translate(_SHAPES)
        digits = _row_digits(shapes)
        rows = 10**digits - 1
        cols = 26 if b' r="AA' not in shapes else 702 if b' r="AAA' not in shapes else MAX_COLUMNS + 1
        if rows * cols <= MAX_CELLS:
            return rows, cols
    return _every_reference(xml)


def _row_digits(shapes: bytes) -> int:
    """How many digits the longest row number of any reference has (in a `_SHAPES`-translated sheet)."""
    digits = 1
    while digits <= 8 and (b' r="' + b"0" * (digits + 1) in shapes or b"A" + b"0" * (digits + 1) + b'"' in shapes):
        digits += 1
    return digits


def _every_reference(xml: bytes) -> tuple[int, int]:
    """`_extent` exactly, for a sheet the fast bound does not settle (very long or wide, or written oddly).

    Every r="…" attribute is read (row elements' r="17" and cells' r="C17"), vectorised with numpy:
    a Python loop over a million cells would cost more than calamine's parse. Cells and rows
    written without a reference are placed one after another by calamine: each such element may
    push the extent one further, and is counted so.
    """
    import numpy as np

    a = np.frombuffer(xml, dtype=np.uint8)
    if len(a) < 8:
        return 0, 0
    hit = (a[:-4] == 32) & (a[1:-3] == 114) & (a[2:-2] == 61) & (a[3:-1] == 34)  # ' r="'
    starts = np.flatnonzero(hit) + 4
    window = a[np.minimum(starts[:, None] + np.arange(_REF_WIDTH), len(a) - 1)].astype(np.int64)
    letter = (window >= 65) & (window <= 90)
    digit = (window >= 48) & (window <= 57)
    letters = np.argmin(letter, axis=1)  # leading letters (at most _REF_WIDTH - 1)
    col = np.zeros(len(starts), dtype=np.int64)
    for k in range(4):  # a 4th letter is already beyond XFD
        more = letters > k
        col = np.where(more, col * 26 + window[:, k] - 64, col)
    col[letters > 4] = MAX_COLUMNS + 1
    row = np.zeros(len(starts), dtype=np.int64)
    going = np.ones(len(starts), dtype=bool)
    at = np.arange(len(starts))
    for k in range(_REF_WIDTH - 4):
        pos = np.minimum(letters + k, _REF_WIDTH - 1)
        ok = going & digit[at, pos]
        row = np.where(ok, row * 10 + window[at, pos] - 48, row)
        going = ok
    unreferenced_cells = sum(xml.count(t) for t in (b"<c>", b"<c/>", b":c>", b":c/>"))
    unreferenced_rows = sum(xml.count(t) for t in (b"<row>", b"<row/>", b":row>", b":row/>"))
    last_row = int(row.max(initial=0)) + unreferenced_rows
    last_col = int(col.max(initial=0)) + unreferenced_cells
    return last_row, last_col


def _streamed_extent(z: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """`_extent` of a sheet part too large to unzip whole, a chunk at a time (chunks overlap by a reference)."""
    rows = cols = 0
    tail = b""
    with z.open(part) as f:
        while chunk := f.read(1 << 24):
            r, c = _extent(tail + chunk)
            rows, cols = max(rows, r), max(cols, c)
            tail = chunk[-(_REF_WIDTH + 8) :]
    return rows, cols


def _flags(xml: bytes) -> tuple[bytes, bool, bool]:
    """The part's namespace prefix, and whether it has any error cell / any formula at all."""
    root = _ROOT.search(xml, 0, 4096)
    prefix = root[1] or b"" if root else b""
    formula = b"<" + prefix + b"f"
    has_formula = formula in xml and re.search(b"<" + re.escape(prefix) + rb"f[\s>/]", xml) is not None
    return prefix, b't="e"' in xml, has_formula


def _inspect_xlsx(path: Path, sheets: list[RawSheet], scanned: dict | None = None) -> None:
    """Fill in error cells' text and list the formulas saved without a value, sheet by sheet."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = _sheet_parts(z)
            for sheet in sheets:
                part = parts.get(sheet.name)
                if part is None:
                    continue
                hit = (scanned or {}).get(sheet.name)
                if hit is not None and hit[0] == part:
                    _, prefix, errors, formulas, xml = hit
                else:
                    prefix, errors, formulas, xml = (*_scan(z, part), None)
                if not (errors or formulas):
                    continue
                xml = xml if xml is not None else z.read(part)
                if errors:
                    for row, col, text in _error_cells(xml, prefix):
                        if row < len(sheet.rows) and col < len(sheet.rows[row]) and sheet.rows[row][col] is None:
                            sheet.rows[row][col] = text
                if formulas:
                    found = list(_uncached_formulas(xml, prefix))
                    sheet.uncached_formulas = [(row, col) for row, col, _ in found]
                    sheet.formula_text = {(row, col): text for row, col, text in found if text}
    except Exception:  # the cells are read already; a part we cannot parse adds nothing to them
        return


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the package."""
    targets = {}
    for rel in ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels")):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    parts = {}
    for el in ElementTree.fromstring(z.read("xl/workbook.xml")).iter():
        if el.tag.endswith("}sheet"):
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            if rid in targets:
                parts[el.get("name")] = targets[rid]
    return parts


def _scan(z: zipfile.ZipFile, part: str) -> tuple[bytes, bool, bool]:
    """The part's namespace prefix, and whether it has any error cell / any formula at all."""
    prefix, errors, formulas, tail = None, False, False, b""
    with z.open(part) as f:
        while chunk := f.read(1 << 22):
            data = tail + chunk
            if prefix is None:
                root = _ROOT.search(data)
                prefix = root[1] or b"" if root else b""
                formula = re.compile(b"<" + re.escape(prefix) + rb"f[\s>/]")
            errors = errors or b't="e"' in data
            formulas = formulas or formula.search(data) is not None
            if errors and formulas:
                break
            tail = chunk[-16:]
    return prefix or b"", errors, formulas


def _cell_at(ref) -> tuple[int, int]:
    col = 0
    for ch in ref[1]:
        col = col * 26 + ch - 64
    return int(ref[2]) - 1, col - 1


def _error_cells(xml: bytes, prefix: bytes):
    """(row, col, '#N/A') of each error cell, 0-based."""
    p = re.escape(prefix)
    cell = re.compile(b"<" + p + rb'c\s([^>]*?\st="e"[^>]*?)(?<!/)>(.*?)</' + p + b"c>", re.S)
    value = re.compile(b"<" + p + rb"v>([^<]*)</")
    for m in cell.finditer(xml):
        ref, v = _CELL_REF.search(b" " + m[1]), value.search(m[2])
        if ref and v:
            yield *_cell_at(ref), v[1].decode("utf-8", "replace")


def _uncached_formulas(xml: bytes, prefix: bytes):
    """(row, col, formula text or '') of each formula cell saved without a computed value, 0-based.

    A text formula whose value is the empty string (=IF(A1="","",…)) has one: an empty <v>
    in a t="str" cell. Any other formula with no <v>, or an empty one, has none.
    """
    p = re.escape(prefix)
    formula = re.compile(b"<" + p + rb"f\b[^>]*?(?:/>|>([^<]*)</" + p + rb"f>)\s*(<" + p + rb"v\b[^>]*?(?:/>|>([^<]*)</" + p + b"v>))?")
    cell_open = b"<" + prefix + b"c "
    for m in formula.finditer(xml):
        has_value, text = m[2] is not None, m[3]
        if text:
            continue
        start = xml.rfind(cell_open, 0, m.start())
        if start < 0:
            continue
        attrs = xml[start : xml.find(b">", start)]
        kind = _CELL_TYPE.search(attrs)
        if has_value and kind and kind[1] in (b"str", b"inlineStr"):
            continue
        ref = _CELL_REF.search(attrs)
        if ref:
            yield *_cell_at(ref), html.unescape(m[1].decode("utf-8", "replace")) if m[1] else ""


# --- delimited text --------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> str:
    """UTF-16 with a BOM (Excel's 'Unicode text'), UTF-8 with or without BOM, else GB18030 (GBK's superset)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ReadError(
        "bad_encoding",
        f"文件 {name} 的文字编码无法识别(既不是 UTF-8 也不是 GBK/GB18030),或不是文本文件",
        "请在 Excel 中打开后另存为「CSV UTF-8(逗号分隔)」或 .xlsx 再导入。",
    )


def _delimiter(text: str, suffix: str) -> str:
    """Comma, tab or semicolon, whichever the first lines use consistently.

    csv.Sniffer gives up on short files whose title lines have no delimiter; then the
    delimiter found on the most lines wins, and failing that the suffix decides.
    """
    lines = text[:65536].splitlines()[:50]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",\t;").delimiter
    except csv.Error:
        counts = {d: sum(d in line for line in lines) for d in "\t,;"}
        best = max(counts, key=counts.get)
        if counts[best]:
            return best
        return "\t" if suffix == ".tsv" else ","


# A CSV field may be as long as a cell's text can be (its length is refused by cell, in Chinese,
# after reading: see values.CELL_MAX); the csv module's own limit is 131,072 characters.
CSV_FIELD_LIMIT = MAX_UNPACKED


def _read_text(path: Path, max_rows: int) -> list[list[object]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError("unreadable", f"无法读取文件 {path.name}: {os_words(exc)}", "请检查文件路径和读取权限。", detail=str(exc)) from None
    text = _decode(data, path.name)
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
    delimiter = _delimiter(text, path.suffix.lower())
    rows: list[list[object]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) == max_rows:
                raise ReadError("too_large", f"文件 {path.name} 超过 {max_rows:,} 行的上限", "请拆分文件后分批导入。")
            rows.append([c or None for c in row])
    except csv.Error as exc:
        raise ReadError(
            "not_spreadsheet",
            f"文件 {path.name} 无法按 CSV 读取(第 {len(rows) + 1} 行的引号或分隔符不成对)",
            "请确认文件为逗号或制表符分隔的文本表格;或在 Excel 中打开后另存为 .xlsx 再导入。",
            detail=str(exc),
        ) from None
    return rows
