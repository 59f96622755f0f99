"""Cell parsers: the raw cells of one column to typed values, plus header helpers.

Each parser takes a whole column (a list of cells as `readers` gives them: str, int,
float, bool, date, datetime, time or None) and returns ``(parsed, problems)``: one parsed
value per cell, and a ``(index, code, message)`` for every cell it could not read, whose
parsed value is then None. Empty cells (None, '' or blanks only) parse to None without a
problem: whether a column is required is checked elsewhere. Working column-wise lets the
parsers cache repeated values and keep the per-cell work to a few type checks.

Money is never a float here: amounts come back as integer fen (分), rates as Decimal.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from decimal import ROUND_HALF_UP, Decimal

Problem = tuple[int, str, str]

# Full-width ASCII (！..～) to half-width, plus the ideographic space, the full-width yen,
# the minus sign and the non-breaking space that appear in typed-in Chinese figures.
_HALF = {0xFF01 + i: 0x21 + i for i in range(94)}
_HALF.update({0x3000: 0x20, 0xFFE5: 0xA5, 0x2212: 0x2D, 0xA0: 0x20})

_BLANKS = "\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200E))) + (
    "\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)
_BLANK_RUN = re.compile(f"[{_BLANKS}]+")


def _half(text: str) -> str:
    return text.translate(_HALF).strip(_BLANKS)


def _shown(value) -> str:
    """A cell as the user would recognise it in a message."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return f"{value:.3e}"
    if isinstance(value, str):
        text = value.strip(_BLANKS)
        return text if len(text) <= 40 else text[:40] + "…"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _native(value):
    """A number of a foreign type (numpy's int64, float64…) as a plain int or float; anything else as is."""
    tp = type(value)
    if tp is int or tp is float or tp is bool or tp is Decimal:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def _blank(value) -> bool:
    return value is None or (type(value) is str and not value.strip(_BLANKS))


# --- amounts ---------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(?P<open>\()?\s*(?P<sign>[+-])?\s*(?:¥|人民币|RMB)?\s*(?P<sign2>[+-])?\s*"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)"
    r"\s*(?P<unit>百万元|千元|万元|亿元|元|百万|千|万|亿)?\s*(?P<close>\))?",
    re.IGNORECASE,
)
# The money units the importer converts, to 元: a column's unit comes from its header
# (放款金额(千元)), else from a unit line above the table (单位:亿元), else 元.
UNITS = {"元": 1, "千元": 1000, "万元": 10000, "百万元": 1000000, "亿元": 100000000}
UNIT_NAMES = "、".join(UNITS)
# How a unit may be shortened where it cannot be mistaken: 放款金额(万), 160万.
_BARE_UNITS = {"千": "千元", "万": "万元", "百万": "百万元", "亿": "亿元"}
# An amount's magnitude stays below this many fen: the ledger stores DECIMAL(18,2) 元.
MAX_FEN = 10**18
_PLAIN_AMOUNT = re.compile(r"(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?")


def _fen(sign: str, whole: str, fraction: str | None, scale: int) -> int | str:
    """Exact fen from the digits of an amount, in integers (no Decimal, no float)."""
    whole = whole.replace(",", "").lstrip("0")
    fraction = (fraction or "").rstrip("0")
    if len(whole) > 20:
        return "too_large"
    if len(fraction) > 20:
        return "amount_precision"
    fen = int(whole or "0") * scale
    if fraction:
        part, rest = divmod(int(fraction) * scale, 10 ** len(fraction))
        if rest:
            return "amount_precision"
        fen += part
    return -fen if sign == "-" else fen


def _amount_text(text: str, multiplier: int) -> int | str | None:
    """Fen for one amount written as text, the problem code, or None for blank text."""
    t = text.strip() if text.isascii() else _half(text)
    if not t:
        return None
    m = _PLAIN_AMOUNT.fullmatch(t)
    if m:
        return _fen(m[1], m[2], m[3], 100 * multiplier)
    m = _AMOUNT.fullmatch(t)
    if not m or bool(m["open"]) != bool(m["close"]) or (m["sign"] and m["sign2"]):
        return "bad_amount"
    sign = m["sign"] or m["sign2"] or ""
    if m["open"]:
        if sign:
            return "bad_amount"
        sign = "-"
    whole, _, fraction = m["num"].partition(".")
    return _fen(sign, whole, fraction, 100 * (UNITS[canonical_unit(m["unit"])] if m["unit"] else multiplier))


def _amount_decimal(value: Decimal, scale: int) -> int | str:
    if not value.is_finite():
        return "bad_amount"
    if value and value.adjusted() > 20:
        return "too_large"
    fen = value * scale
    return int(fen) if fen == fen.to_integral_value() else "amount_precision"


# Below this many fen, round(v * scale) recovers a float's shortest repr exactly: the float
# grid there is finer than one fen, so r / scale == v holds only for that repr's value.
_FLOAT_EXACT = 4 * 10**15


def parse_amounts(values: list, multiplier: int = 1) -> tuple[list[int | None], list[Problem]]:
    """Amounts to integer fen (分). multiplier: 元 per unit of the column (1 for 元, 10000 for 万元, see UNITS).

    Numbers are taken at their shortest decimal repr (so 0.1 is 0.1, never
    0.1000000000000000055…). Text may carry thousands separators, full-width digits, a
    leading ¥/￥/人民币, a trailing unit such as 元/万元/亿元 (which overrides the column's unit) and
    accounting parentheses for negatives. More precision than one fen after applying the
    unit is an 'amount_precision' problem rather than a silent rounding.
    """
    scale = 100 * multiplier
    out: list[int | None] = []
    problems: list[Problem] = []
    cache: dict[str, int | str | None] = {}
    append = out.append
    for i, v in enumerate(values):
        tp = type(v)
        if tp is float:
            x = v * scale
            if -_FLOAT_EXACT < x < _FLOAT_EXACT:
                r = round(x)
                if r / scale == v:
                    append(r)
                    continue
            result = _amount_decimal(Decimal(repr(v)), scale) if math.isfinite(v) else "bad_amount"
        elif tp is int:
            result = v * scale
            if -MAX_FEN < result < MAX_FEN:
                append(result)
                continue
        elif v is None:
            append(None)
            continue
        elif tp is str:
            try:
                result = cache[v]
            except KeyError:
                result = cache[v] = _amount_text(v, multiplier)
            if result is None:
                append(None)
                continue
        elif isinstance(v, Decimal):
            result = _amount_decimal(v, scale)
        elif (n := _native(v)) is not v:
            (result,), _ = parse_amounts([n], multiplier)
            result = "bad_amount" if result is None else result
        else:
            result = "bad_amount"
        if type(result) is int and -MAX_FEN < result < MAX_FEN:
            append(result)
            continue
        append(None)
        if type(result) is int or result == "too_large":
            problems.append((i, "bad_amount", f"金额过大「{_shown(v)}」"))
        elif result == "amount_precision":
            problems.append((i, result, f"金额精确到分以下「{_shown(v)}」"))
        else:
            problems.append((i, result, f"无法识别的金额「{_shown(v)}」"))
    return out, problems


# --- dates -----------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000  # 1954-10-03 .. 2119-01-11
_YMD = re.compile(
    r"(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"
    r"(?:(?:\s+|T)\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?"
)
_YMD_CN = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?(?:\s*\d{1,2}:\d{1,2}(?::\d{1,2})?)?")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")
_BAD = object()
_EMPTY = object()  # a blank cell, in a parser's cache


def _date_of_number(n: float):
    """An Excel serial (fraction = time of day, dropped) or a yyyymmdd number; _BAD otherwise."""
    if _SERIAL_MIN <= n <= _SERIAL_MAX:
        return _EXCEL_EPOCH + dt.timedelta(days=int(n))
    if 19000101 <= n <= 29991231 and n == int(n):
        n = int(n)
        return _valid_date(n // 10000, n // 100 % 100, n % 100)
    return _BAD


def _date_of_text(text: str):
    """The date a text spells, None for blank text, _BAD otherwise."""
    t = _half(text)
    if not t:
        return None
    m = _YMD.fullmatch(t) or _YMD_CN.fullmatch(t) or _COMPACT.fullmatch(t)
    if m:
        return _valid_date(int(m["y"]), int(m["m"]), int(m["d"]))
    if _SERIAL_TEXT.fullmatch(t):
        return _date_of_number(float(t))
    return _BAD


def _valid_date(year: int, month: int, day: int):
    try:
        return dt.date(year, month, day)
    except ValueError:
        return _BAD


# The dates a programme fact can carry (loans, repayments, claims, recognitions, payments).
DATE_RANGE = (dt.date(1990, 1, 1), dt.date(2099, 12, 31))


def parse_dates(values: list) -> tuple[list[dt.date | None], list[Problem]]:
    """Dates from date cells, Excel serial numbers, yyyymmdd numbers and the usual spellings.

    Accepted text: 2021-03-05, 2021/3/5, 2021.3.5, 2021年3月5日, 2021-03-05 00:00:00,
    20210305, in full-width digits too; a time of day is dropped. A bare number is read
    as an Excel serial only between 20000 and 80000 (1954..2119), so that a stray
    amount is not taken for a date. Distinct values are parsed once per column.
    """
    out: list[dt.date | None] = []
    problems: list[Problem] = []
    cache: dict = {}
    append = out.append
    for i, v in enumerate(values):
        tp = type(v)
        if tp is dt.date:
            append(v)
            continue
        if tp is dt.datetime:
            append(v.date())
            continue
        if v is None:
            append(None)
            continue
        if tp is str or tp is int or tp is float:
            try:
                day = cache[v]
            except KeyError:
                day = cache[v] = _date_of_text(v) if tp is str else _date_of_number(v)
        elif isinstance(v, dt.date):  # a subclass, e.g. pandas' Timestamp
            day = v.date() if isinstance(v, dt.datetime) else v
        elif (n := _native(v)) is not v:
            day = _date_of_number(n)
        else:
            day = _BAD
        if day is _BAD:
            append(None)
            problems.append((i, "bad_date", f"无法识别的日期「{_shown(v)}」,请使用 2021-03-05 格式"))
        else:
            append(day)
    implausible = {d for d in set(out) if d is not None and not DATE_RANGE[0] <= d <= DATE_RANGE[1]}
    if implausible:  # 1899-12-31 is Excel's day 0, 3000-01-01 a slip of the keyboard: no programme date is either
        for i, d in enumerate(out):
            if d in implausible:
                out[i] = None
                problems.append((i, "implausible_date", f"日期「{d:%Y-%m-%d}」不在合理范围({DATE_RANGE[0].year}—{DATE_RANGE[1].year}年)"))
    return out, problems


# --- rates -----------------------------------------------------------------------------------

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_RATE_PLACES = Decimal("0.0001")
_RATE_LIMIT = 100000  # the ledger stores DECIMAL(9,4) percent


def _rate_of(v) -> Decimal | None:
    percent = False
    v = _native(v)
    tp = type(v)
    if tp is float:
        if not math.isfinite(v):
            return None
        d = Decimal(repr(v))
    elif tp is int:
        d = Decimal(v)
    elif isinstance(v, str):
        t = _half(v)
        if t.endswith("%"):
            percent, t = True, t[:-1].rstrip()
        if not _DECIMAL.fullmatch(t):
            return None
        d = Decimal(t)
    elif isinstance(v, Decimal) and v.is_finite():
        d = v
    else:
        return None
    if not percent and -1 < d < 1:
        d *= 100
    if not -_RATE_LIMIT < d < _RATE_LIMIT:
        return None
    return d.quantize(_RATE_PLACES, rounding=ROUND_HALF_UP)


def parse_rates(values: list) -> tuple[list[Decimal | None], list[Problem]]:
    """Annual interest rates as a percentage Decimal (4.35 means 4.35%), 4 decimal places.

    4.35, '4.35%' and '４．３５％' all mean 4.35%. A bare number between -1 and 1 (e.g.
    0.0435, which is also what a cell formatted as 4.35% holds) is read as a fraction and
    multiplied by 100, because no Chinese loan carries an annual rate under 1%; a value
    written with '%' is never rescaled. Negative or implausibly high rates are not
    rejected here: that is a rule's job. Anything non-numeric, or beyond ±100000 (what
    the ledger can store), is 'bad_rate'.
    """
    out: list[Decimal | None] = []
    problems: list[Problem] = []
    cache: dict = {}
    append = out.append
    for i, v in enumerate(values):
        tp = type(v)
        if tp is float or tp is str or tp is int:
            rate = cache.get(v, _BAD)
            if rate is _BAD:
                rate = cache[v] = _EMPTY if _blank(v) else _rate_of(v)
            if rate is _EMPTY:
                append(None)
                continue
        elif v is None:
            append(None)
            continue
        elif tp is bool:
            rate = None
        else:
            rate = _rate_of(v)
        if rate is None:
            problems.append((i, "bad_rate", f"无法识别的年利率「{_shown(v)}」"))
        append(rate)
    return out, problems


def _once_per_value(cache: dict, v, read):
    """`read(v)`, worked out once per distinct cell value of a column (an unhashable cell each time)."""
    try:
        return cache[v]
    except KeyError:
        result = cache[v] = read(v)
        return result
    except TypeError:
        return read(v)


# --- scores ----------------------------------------------------------------------------------

_SCORE_PLACES = 2  # stored as DECIMAL(9,2), carried as hundredths
_SCORE_LIMIT = 10**6  # far beyond any score: reported here, before it overflows the integer column


def _score_of(v) -> int | str:
    """Hundredths of a point for one score cell, or the problem code ('bad_score', 'score_precision', 'score_too_large')."""
    v = _native(v)
    tp = type(v)
    if tp is float:
        if not math.isfinite(v):
            return "bad_score"
        d = Decimal(repr(v))
    elif tp is int:
        d = Decimal(v)
    elif tp is str:
        t = _half(v).removesuffix("分").rstrip(_BLANKS)
        if not _DECIMAL.fullmatch(t):
            return "bad_score"
        d = Decimal(t)
    elif isinstance(v, Decimal) and v.is_finite():
        d = v
    else:
        return "bad_score"
    if abs(d) >= _SCORE_LIMIT:
        return "score_too_large"
    hundredths = d.scaleb(_SCORE_PLACES)
    if hundredths != hundredths.to_integral_value():
        return "score_precision"
    return int(hundredths)


def parse_scores(values: list) -> tuple[list[int | None], list[Problem]]:
    """知识价值评价分: a score out of 100, as integer hundredths of a point (85.5 -> 8550).

    A score is not money and gets its own messages: 85, 85.5, '85.50' and '85分' (a trailing
    分, as scores are often written) are read; more than two decimals is refused rather than
    rounded, since the score is the evaluator's figure and is stored with two; whether it lies
    in 0~100 is the schema's check (score_range).
    """
    out: list[int | None] = []
    problems: list[Problem] = []
    cache: dict = {}
    for i, v in enumerate(values):
        if v is None or type(v) is bool:
            out.append(None)
            if v is not None:
                problems.append((i, "bad_score", f"无法识别的评价分「{_shown(v)}」"))
            continue
        if _blank(v):
            out.append(None)
            continue
        result = _once_per_value(cache, v, _score_of)
        if type(result) is int:
            out.append(result)
            continue
        out.append(None)
        if result == "score_precision":
            problems.append((i, result, f"评价分「{_shown(v)}」超过两位小数"))
        elif result == "score_too_large":
            problems.append((i, "score_out_of_range", f"评价分「{_shown(v)}」不在 0~100 之间"))
        else:
            problems.append((i, result, f"无法识别的评价分「{_shown(v)}」"))
    return out, problems


# --- text, codes, flags, counts --------------------------------------------------------------


def _text_of(v) -> str | None:
    tp = type(v)
    if tp is str:
        return v.strip(_BLANKS) or None
    if v is None:
        return None
    if tp is bool:
        return "TRUE" if v else "FALSE"
    if tp is float:
        return str(int(v)) if v.is_integer() else repr(v)
    if tp is int:
        return str(v)
    if (n := _native(v)) is not v:
        return _text_of(n)
    if isinstance(v, str):
        return str(v).strip(_BLANKS) or None
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return str(v)


def parse_texts(values: list) -> tuple[list[str | None], list[Problem]]:
    """Trimmed text; numbers that are whole become '123' not '123.0' (contract numbers typed as numbers).

    Never reports a problem: any cell has a text form (dates as 2021-03-05).
    """
    # Text cells, nearly all of a column, are trimmed inline; the rest go through _text_of.
    return [(v.strip(_BLANKS) or None) if type(v) is str else _text_of(v) for v in values], []


# Hyphens and dashes people type inside a code to group it (91500113-MA5U000010).
_DASHES = dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2015"))


def _code_of(v) -> str | None:
    t = _text_of(v)
    if t is not None and not (t.isascii() and t.isalnum()):
        t = _BLANK_RUN.sub("", t.translate(_HALF)).upper() or None
        if t is not None and not t.isalnum():
            joined = t.translate(_DASHES)
            t = joined if credit_code_valid(joined) else t
        return t
    return t.upper() if t is not None else None


def parse_codes(values: list) -> tuple[list[str | None], list[Problem]]:
    """统一社会信用代码: trimmed, inner spaces removed, full-width to half-width, upper-cased. No validity check here.

    Hyphens are taken out too when what is left is a valid code (91500113-MA5U000010);
    otherwise the code stays as written, for the check's message (see credit_code_problem).
    """
    # An enterprise borrows more than once: each distinct cell is normalised once.
    memo: dict = {}
    out: list[str | None] = []
    append = out.append
    for v in values:
        if type(v) is not str:  # 1, 1.0 and True are equal keys, but not the same text
            append(_code_of(v))
        elif v in memo:
            append(memo[v])
        else:
            append(memo.setdefault(v, _code_of(v)))
    return out, []


_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_VALUE = {c: i for i, c in enumerate(_CODE_CHARS)}
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_digit(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code.

    Raises ValueError when `first17` is not 17 characters of the code's character set.
    Used to validate codes and to generate valid ones for demos and tests.
    """
    if len(first17) != 17 or any(c not in _CODE_VALUE for c in first17):
        raise ValueError(f"统一社会信用代码前17位应为17个字符(数字或除 I O Z S V 外的大写字母): {first17!r}")
    total = sum(_CODE_VALUE[c] * w for c, w in zip(first17, _CODE_WEIGHTS))
    return _CODE_CHARS[(31 - total % 31) % 31]


def credit_code_valid(code: str) -> bool:
    """Whether an 18-character unified social credit code has the right GB 32100-2015 check character.

    Expects a normalized code (see parse_codes): lower case or spaces make it invalid.
    """
    if not isinstance(code, str) or len(code) != 18 or any(c not in _CODE_VALUE for c in code):
        return False
    return credit_code_check_digit(code[:17]) == code[17]


def credit_code_problem(code: str) -> tuple[str, str]:
    """What is wrong with a code that fails the check, as (what, hint) for the user.

    Tells the cases apart: wrong length (应为18位,实为17位; a 15-digit number is the old
    business registration number), characters a code never holds (named), or, when the
    code is well formed, a wrong check character. Hyphens are not counted: they are
    accepted around a valid code.
    """
    t = str(code).translate(_DASHES)
    illegal = list(dict.fromkeys(c for c in t if c not in _CODE_VALUE))
    parts = []
    if len(t) != 18:
        parts.append(f"应为18位,实为{len(t)}位")
    if illegal:
        parts.append("含有代码中不会出现的字符" + "".join(f"「{c}」" for c in illegal))
    if not parts:
        return "校验位不正确", "请核对18位代码(GB 32100-2015)是否有字符抄错;最后一位是由前17位算出的校验位。"
    if len(t) == 15 and t.isdigit():
        hint = "15位数字是旧的工商注册号;请填写营业执照上的18位统一社会信用代码。"
    elif len(t) != 18:
        hint = "统一社会信用代码为18位(GB 32100-2015),请核对是否漏填或多填了字符。"
    else:
        hint = "代码只由数字和大写字母组成,不含 I、O、Z、S、V;请核对是否误写(如字母 O 应为数字 0)。"
    return ",".join(parts), hint


_TRUE = {"是", "是的", "y", "yes", "true", "t", "1", "对", "√", "✓", "✔"}
_FALSE = {"否", "不是", "n", "no", "false", "f", "0", "×", "✗", "✘"}


def _bool_of(v) -> bool | None:
    v = _native(v)
    tp = type(v)
    if tp is str:
        key = _half(v).lower()
    elif tp is int or tp is float:
        key = _shown(v)
    else:
        return None
    return True if key in _TRUE else False if key in _FALSE else None


def parse_bools(values: list) -> tuple[list[bool | None], list[Problem]]:
    """Yes/no cells: 是/是的/Y/yes/true/1/√ are True, 否/不是/N/no/false/0/× are False; else 'bad_bool'."""
    out: list[bool | None] = []
    problems: list[Problem] = []
    cache: dict = {}
    for i, v in enumerate(values):
        if type(v) is bool or _blank(v):
            out.append(v if type(v) is bool else None)
            continue
        flag = _once_per_value(cache, v, _bool_of)
        if flag is None:
            problems.append((i, "bad_bool", f"无法识别的是/否值「{_shown(v)}」"))
        out.append(flag)
    return out, problems


_INTEGER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?")
_MAX_INT = 10**18


def _int_of(v) -> int | None:
    v = _native(v)
    tp = type(v)
    if tp is int:
        n = v
    elif tp is float:
        n = int(v) if v.is_integer() else None
    elif isinstance(v, str):
        t = _half(v)
        n = int(t.split(".")[0].replace(",", "")) if len(t) < 40 and _INTEGER.fullmatch(t) else None
    elif isinstance(v, Decimal) and v.is_finite() and (not v or v.adjusted() < 20) and v == v.to_integral_value():
        n = int(v)
    else:
        n = None
    return n if n is not None and -_MAX_INT < n < _MAX_INT else None


def parse_ints(values: list) -> tuple[list[int | None], list[Problem]]:
    """Whole numbers (counts, terms in months); 12.0 and '1,200' are accepted, 1.5 or text is 'bad_int'."""
    out: list[int | None] = []
    problems: list[Problem] = []
    for i, v in enumerate(values):
        if _blank(v):
            out.append(None)
            continue
        n = _int_of(v)
        if n is None:
            problems.append((i, "bad_int", f"不是整数「{_shown(v)}」"))
        out.append(n)
    return out, problems


# --- headers ---------------------------------------------------------------------------------

# A unit in a header's trailing brackets: (万元), (单位:千元), (人民币亿元), (万), (人民币,万元),
# (本金,元), and also units the importer does not convert, such as (美元) or (千万元), so that
# those are named and refused rather than left in the header, where they hid the column.
_UNIT_IN_BRACKETS = r"\((?:[^()]*?[,、/])?(?:金额)?(?:单位:?)?(?:人民币)?(?P<unit>[^():,、/]{0,4}元|百万|千|万|亿)\)"
_HEADER_UNIT = re.compile(f"(?P<base>.+?){_UNIT_IN_BRACKETS}")
_UNIT_SPELLING = re.compile(f"{_UNIT_IN_BRACKETS}$")
# "单位:" and what follows it up to a space or the end of the sentence ("单位:户、万元", "单位:万元(人民币)").
_UNIT_LABEL = re.compile(r"单位\s*:\s*(?P<seg>[^\s;;。]*)")
# One item of it that is a money unit, whole: 万元, 人民币千元, 美元, 万 (not 万州支行, not 元通小贷公司).
_MONEY_UNIT = re.compile(r"(?:人民币)?(?:[十百千万亿美港澳台欧英日韩]{0,3}元|百万|千|万|亿)")
_UNIT_ITEMS = re.compile(r"[、,，/／()（）]")


def canonical_unit(word: str) -> str:
    """A unit as UNITS names it: 万 → 万元, 人民币千元 → 千元; a unit not in UNITS comes back as written."""
    word = word.removeprefix("人民币")
    return _BARE_UNITS.get(word, word)


def unit_multiplier(unit: str | None) -> int | None:
    """元 per one of `unit` (千元 → 1000); None for a unit the importer does not convert (美元)."""
    return UNITS.get(canonical_unit(unit)) if unit else None


def normalize_header(text) -> str:
    """A header cell in comparable form: half-width punctuation, no whitespace of any kind.

    Banks type headers with full-width brackets and line breaks inside the cell, so
    ' 贷款金额\\n（万元） ' and '贷款金额(万元)' must compare equal. A trailing money unit
    is spelled one way: (万), (单位:万元) and (人民币万元) become (万元); (人民币元) becomes (元);
    (单位:千元) becomes (千元).
    """
    if text is None:
        return ""
    t = text if isinstance(text, str) else _text_of(text) or ""
    t = _BLANK_RUN.sub("", t.translate(_HALF))
    if t.endswith(")"):
        t = _UNIT_SPELLING.sub(lambda m: f"({canonical_unit(m['unit'])})", t)
    return t


def header_unit(text: str) -> tuple[str, str | None]:
    """Split a normalized header into (base name, unit or None): '贷款金额(千元)' -> ('贷款金额', '千元').

    Only a money unit in trailing brackets is split off, known or not ('放款金额(美元)' ->
    ('放款金额', '美元'): the column is found and its unit refused by name, see
    unit_multiplier); anything else, such as '年利率(%)', stays part of the name.
    """
    m = _HEADER_UNIT.fullmatch(text)
    if not m:
        return text, None
    return m["base"], canonical_unit(m["unit"])


def unit_line(text) -> str | None:
    """The unit a line above a table declares: '单位:千元' -> '千元', '单位:美元' -> '美元', else None.

    The unit may share its cell with other words ('填报单位:XX银行  单位:万元'). Units the
    importer does not convert are returned too, so that the sheet is refused naming them
    instead of being read in 元 (a 千元 sheet read in 元 is 1,000 times too small).
    """
    if not isinstance(text, str):
        return None
    for label in _UNIT_LABEL.finditer(text.translate(_HALF)):
        for item in _UNIT_ITEMS.split(label["seg"]):
            if _MONEY_UNIT.fullmatch(item):
                return canonical_unit(item)
    return None
