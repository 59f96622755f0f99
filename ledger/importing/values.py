"""Cell parsers: raw spreadsheet values to exact typed values, a whole column at a time.

Each `parse_*` takes the raw cells of one column (as the readers return them: str, int,
float, bool, date, datetime or None) and returns `(parsed, problems)`: a list of the same
length with None for empty or unparseable cells, and `(index, code, chinese_message)`
for every cell that could not be read. Whether a cell is required is decided elsewhere.
Distinct values are parsed once (a column repeats few dates, banks and products).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

Problem = tuple[int, str, str]

_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９．，－＋％（）：／"}
_FULLWIDTH.update({0x3000: 0x20, ord("。"): ord(".")})
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_RANGE = (20000, 80000)  # 1954 … 2119


def halfwidth(text: str) -> str:
    """Full-width digits and punctuation (１２．５％) to their ASCII forms."""
    return text.translate(_FULLWIDTH)


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column(values, parse_one, code: str, describe):
    """Apply `parse_one` (raising ValueError on bad input) to each distinct non-empty value."""
    cache: dict = {}
    parsed: list = []
    problems: list[Problem] = []
    for i, value in enumerate(values):
        if _empty(value):
            parsed.append(None)
            continue
        key = (type(value), value)
        try:
            result = cache[key]
        except KeyError:
            try:
                result = parse_one(value)
            except _CodedError as exc:
                result = _Bad(str(exc), exc.code)
            except (ValueError, ArithmeticError, TypeError, OverflowError):
                result = _Bad(describe(value), code)
            cache[key] = result
        if isinstance(result, _Bad):
            parsed.append(None)
            problems.append((i, result.code, result.message))
        else:
            parsed.append(result)
    return parsed, problems


class _Bad:
    __slots__ = ("message", "code")

    def __init__(self, message: str, code: str):
        self.message, self.code = message, code


class _CodedError(ValueError):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


# ---- numbers and money -------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _decimal(value) -> Decimal:
    """A cell as an exact Decimal; floats by their shortest repr, never their binary value."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        text = halfwidth(value).strip().replace(",", "").replace(" ", "")
        negative = text.startswith("(") and text.endswith(")")
        if negative:
            text = text[1:-1]
        text = text.lstrip("¥￥")
        if not _NUMBER.match(text):
            raise ValueError
        d = Decimal(text)
        return -d if negative else d
    raise ValueError


def _amount_parser(multiplier: int):
    def parse(value) -> int:
        mult = multiplier
        if isinstance(value, str):
            text = halfwidth(value).strip()
            if text.endswith("万元"):
                text, mult = text[:-2], 10000
            elif text.endswith("元"):
                text, mult = text[:-1], 1
            value = text
        try:
            yuan = _decimal(value) * mult
        except (ValueError, InvalidOperation):
            raise _CodedError(f"无法识别的金额「{_show(value)}」", "bad_amount") from None
        fen = yuan * 100
        if fen != fen.to_integral_value():
            raise _CodedError(f"金额精确到分以下「{_show(value)}」", "amount_precision")
        return int(fen)

    return parse


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_amounts(values, multiplier: int = 1) -> tuple[list[int | None], list[Problem]]:
    """Amounts to integer fen (分). multiplier 1 = values in 元, 10000 = values in 万元.

    A trailing 万元 or 元 in a cell overrides the column's unit; thousands separators,
    full-width digits, ¥ and accounting parentheses are accepted; more precision than a
    fen is refused rather than rounded.
    """
    return _column(values, _amount_parser(multiplier), "bad_amount", lambda v: f"无法识别的金额「{_show(v)}」")


def parse_ints(values) -> tuple[list[int | None], list[Problem]]:
    """Whole numbers (counts, years)."""

    def parse(value) -> int:
        d = _decimal(value)
        if d != d.to_integral_value():
            raise ValueError
        return int(d)

    return _column(values, parse, "bad_int", lambda v: f"应为整数「{_show(v)}」")


def parse_rates(values) -> tuple[list[Decimal | None], list[Problem]]:
    """Annual interest rates as a percentage Decimal (4.35 means 4.35%), to 4 places.

    `4.35` and `4.35%` both mean 4.35%. A bare number below 1 (`0.0435`) is read as a
    fraction and multiplied by 100, because no loan here carries an annual rate under 1%;
    a value written with % is never rescaled.
    """

    def parse(value) -> Decimal:
        percent = False
        if isinstance(value, str):
            text = halfwidth(value).strip()
            if text.endswith("%"):
                percent, text = True, text[:-1].strip()
            value = text
        d = _decimal(value)
        if not percent and 0 < abs(d) < 1:
            d *= 100
        return d.quantize(Decimal("0.0001"))

    return _column(values, parse, "bad_rate", lambda v: f"无法识别的年利率「{_show(v)}」")


# ---- dates -------------------------------------------------------------------

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _from_serial(number: float) -> dt.date:
    if not SERIAL_RANGE[0] <= number < SERIAL_RANGE[1]:
        raise ValueError
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if isinstance(value, int) or value.is_integer():
            m = _DATE_COMPACT.match(str(int(value)))
            if m:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
        return _from_serial(value)
    if isinstance(value, str):
        text = halfwidth(value).strip()
        m = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if re.fullmatch(r"\d{5}(\.\d+)?", text):
            return _from_serial(float(text))
    raise ValueError


def parse_dates(values) -> tuple[list[dt.date | None], list[Problem]]:
    """Dates from date cells, Excel serials, 2021-03-05, 2021/3/5, 2021.3.5, 2021年3月5日 or 20210305."""
    return _column(values, _date, "bad_date", lambda v: f"无法识别的日期「{_show(v)}」,请使用 2021-03-05 格式")


# ---- text, codes, booleans ---------------------------------------------------


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def parse_texts(values) -> tuple[list[str | None], list[Problem]]:
    """Trimmed text; whole numbers read as numbers become '123', not '123.0'."""
    return _column(values, _text, "bad_text", _show)


def _code(value) -> str:
    return re.sub(r"\s+", "", halfwidth(_text(value))).upper()


def parse_codes(values) -> tuple[list[str | None], list[Problem]]:
    """统一社会信用代码 as written, tidied: no spaces, half-width, upper case (validity is a rule)."""
    return _column(values, _code, "bad_code", _show)


_TRUE = {"是", "是的", "y", "yes", "true", "1", "√", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无", "不是"}


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError


def parse_bools(values) -> tuple[list[bool | None], list[Problem]]:
    """是/否 (and Y/N, true/false, 1/0) to booleans."""
    return _column(values, _bool, "bad_bool", lambda v: f"应填「是」或「否」,实为「{_show(v)}」")


# ---- unified social credit code (GB 32100-2015) ---------------------------------

CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CODE_VALUE = {c: i for i, c in enumerate(CODE_CHARS)}


def credit_code_check_digit(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are given."""
    total = sum(_CODE_VALUE[c] * w for c, w in zip(first17, CODE_WEIGHTS))
    return CODE_CHARS[(31 - total % 31) % 31]


def credit_code_valid(code: str) -> bool:
    """Whether an 18-character code passes the GB 32100-2015 check digit."""
    if len(code) != 18 or any(c not in _CODE_VALUE for c in code):
        return False
    return credit_code_check_digit(code[:17]) == code[17]


# ---- headers -----------------------------------------------------------------

_SPACE = re.compile(r"[\s\u00a0\u3000\u200b]+")
_UNIT = re.compile(r"^(.*?)\((万元|元)\)$")


def normalize_header(text) -> str:
    """A header cell as compared: half-width brackets and colons, no white space or line breaks."""
    return _SPACE.sub("", halfwidth(str(text)))


def header_unit(text: str) -> tuple[str, int]:
    """Split a normalised header into its name and amount multiplier: 贷款金额(万元) → (贷款金额, 10000)."""
    m = _UNIT.match(text)
    if not m:
        return text, 1
    return m[1], 10000 if m[2] == "万元" else 1


_UNIT_LINE = re.compile(r"(?:金额)?单位[:]?(万元|元)")


def unit_line_multiplier(text: str) -> int | None:
    """The multiplier a line such as "单位:万元" declares for the amounts below it, if any."""
    m = _UNIT_LINE.search(normalize_header(text))
    if not m:
        return None
    return 10000 if m[1] == "万元" else 1
