"""Cell parsers: the raw cells of one column to typed values.

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
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from .credit_code import DASHES, credit_code_valid
from .text import (
    BLANK_RUN,
    BLANKS,
    CELL_MAX,
    HALF_WIDTH,
    IDENTIFIER_MAX,
    NAME_MAX,
    REFUSED,
    SPACE_CHARS,
    char_label,
    half_width,
    identifier_key,
    name_key,
    native,
    plain,
    refused_chars,
    text_of,
    visible,
)
from .units import UNITS, canonical_unit

Problem = tuple[int, str, str]


def _shown(value) -> str:
    """A cell as the user would recognise it in a message."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return f"{value:.3e}"
    if isinstance(value, str):
        text = value.strip(BLANKS)
        return visible(text if len(text) <= 40 else text[:40] + "…")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _blank(value) -> bool:
    return value is None or (type(value) is str and not value.strip(BLANKS))


# --- amounts ---------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(?P<open>\()?\s*(?P<sign>[+-])?\s*(?:¥|人民币|RMB)?\s*(?P<sign2>[+-])?\s*"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)"
    r"\s*(?P<unit>百万元|千元|万元|亿元|元|百万|千|万|亿)?\s*(?P<close>\))?",
    re.IGNORECASE,
)
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
    t = text.strip() if text.isascii() else half_width(text)
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
        elif (n := native(v)) is not v:
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
    t = half_width(text)
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
        elif (n := native(v)) is not v:
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
    v = native(v)
    tp = type(v)
    if tp is float:
        if not math.isfinite(v):
            return None
        d = Decimal(repr(v))
    elif tp is int:
        d = Decimal(v)
    elif isinstance(v, str):
        t = half_width(v)
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
    v = native(v)
    tp = type(v)
    if tp is float:
        if not math.isfinite(v):
            return "bad_score"
        d = Decimal(repr(v))
    elif tp is int:
        d = Decimal(v)
    elif tp is str:
        t = half_width(v).removesuffix("分").rstrip(BLANKS)
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



def _kept(text: str) -> str:
    return text.strip(BLANKS)


# How each kind of text column is read: (what a cell becomes, line breaks allowed inside, most
# characters, what the limit is called). A name keeps a line break as a space (a wrapped cell).
_TEXT_RULES = {
    "text": (_kept, True, CELL_MAX, "单元格"),
    "name": (name_key, True, NAME_MAX, "名称"),
    "id": (identifier_key, False, IDENTIFIER_MAX, "编号"),
    "code": (lambda t: _code_of(name_key(t)), False, IDENTIFIER_MAX, "代码"),
}


def stored_key(text: str, kind: str) -> str | None:
    """The key a cell stored by an older ledger stands for, read as a `kind` cell is read on import.

    A stored cell cannot be refused any more: its control characters are dropped first.
    """
    t = "".join(c for c in text if c not in REFUSED) if not text.isprintable() else text
    t = t.strip(SPACE_CHARS)
    return (_TEXT_RULES[kind][0](t) or None) if t else None


def _text_result(v, kind: str):
    """One text cell read as `kind`: its stored text, None when blank, or a (code, message) problem."""
    read, breaks, limit, what = _TEXT_RULES[kind]
    if type(v) is not str:  # a number or date: its text form holds no control character
        t = text_of(v)
        return None if t is None else read(t) or None
    t = v.strip(SPACE_CHARS)
    if not t:
        return None
    bad = refused_chars(t, line_breaks=breaks)
    if bad:
        return "control_char", f"「{_shown(v)}」含有不可见控制字符 {'、'.join(map(char_label, bad))}"
    out = read(t) or None
    if out is not None and len(out) > limit:
        return "too_long", f"「{_shown(v)}」有 {len(out):,} 个字符,超过{what}的上限 {limit} 个字符"
    return out


def _plain_column(values: list, kind: str) -> list[str | None] | None:
    """The column read as `kind` when its text needs no more than trimming (and upper case), else None.

    One C-level look at the column's joined text decides it: nothing a person cannot see (control,
    format or odd space characters all fail `isprintable`), nothing NFKC would change, no double
    space in a name or identifier, no cell over the limit. Bank sheets nearly always pass, and
    are then read at list-comprehension speed; the rest is read cell by cell (`_text_result`).
    """
    strings = [v for v in values if type(v) is str]
    joined = "|".join(strings)
    if not plain(joined) or max(map(len, strings), default=0) > _TEXT_RULES[kind][2]:
        return None
    if kind == "text":
        return [(v.strip(BLANKS) or None) if type(v) is str else text_of(v) for v in values]
    if "  " in joined or not (joined.isascii() or unicodedata.is_normalized("NFKC", joined)):
        return None
    if kind == "name":
        return [(v.strip(" ") or None) if type(v) is str else _text_result(v, kind) for v in values]
    if kind == "id":
        return [(v.strip(" ").upper() or None) if type(v) is str else _text_result(v, kind) for v in values]
    memo: dict = {}  # a code: each distinct cell once (an enterprise borrows more than once)
    return [(memo[v] if v in memo else memo.setdefault(v, _code_of(v))) if type(v) is str else _text_result(v, kind) for v in values]


def _parse_text_kind(values: list, kind: str) -> tuple[list[str | None], list[Problem]]:
    plain = _plain_column(values, kind)
    if plain is not None:
        return plain, []
    out: list[str | None] = []
    problems: list[Problem] = []
    cache: dict = {}
    append = out.append
    for i, v in enumerate(values):
        if v is None:
            append(None)
            continue
        # 1, 1.0 and True are equal keys, but not the same text: only strings are cached
        result = _once_per_value(cache, v, lambda x: _text_result(x, kind)) if type(v) is str else _text_result(v, kind)
        if type(result) is tuple:
            problems.append((i, *result))
            append(None)
        else:
            append(result)
    return out, problems


def parse_texts(values: list) -> tuple[list[str | None], list[Problem]]:
    """Free text, trimmed; numbers that are whole become '123' not '123.0'.

    A line break inside is kept; any other control character (U+0000–U+001F, U+007F–U+009F,
    the bidi controls) is refused by cell ('control_char'), as is a cell over CELL_MAX characters.
    """
    return _parse_text_kind(values, "text")


def parse_names(values: list) -> tuple[list[str | None], list[Problem]]:
    """企业名称, 贷款银行, 载体名称 …: `text.name_key` of each cell (NFKC, no invisible characters, one space).

    A line break inside counts as a space; other control characters are refused, and names
    over NAME_MAX characters ('too_long').
    """
    return _parse_text_kind(values, "name")


def parse_identifiers(values: list) -> tuple[list[str | None], list[Problem]]:
    """合同编号, 申报编号 …: `text.identifier_key` of each cell (as a name, then upper case: gbk3 is GBK3).

    Whole numbers become '123'. Any control character inside, a line break too, is refused, and
    identifiers over IDENTIFIER_MAX characters ('too_long'). Each distinct cell is read once.
    """
    return _parse_text_kind(values, "id")


def _code_of(v) -> str | None:
    t = text_of(v)
    if t is not None and not (t.isascii() and t.isalnum()):
        t = BLANK_RUN.sub("", t.translate(HALF_WIDTH)).upper() or None
        if t is not None and not t.isalnum():
            joined = t.translate(DASHES)
            t = joined if credit_code_valid(joined) else t
        return t
    return t.upper() if t is not None else None


def parse_codes(values: list) -> tuple[list[str | None], list[Problem]]:
    """统一社会信用代码: trimmed, inner spaces removed, full-width to half-width, upper-cased. No validity check here.

    Hyphens are taken out too when what is left is a valid code (91500113-MA5U000010);
    otherwise the code stays as written, for the check's message (see credit_code_problem).
    Invisible characters are removed as in a name; control characters are refused, as in
    an identifier. An enterprise borrows more than once: each distinct cell is read once.
    """
    return _parse_text_kind(values, "code")


_TRUE = {"是", "是的", "y", "yes", "true", "t", "1", "对", "√", "✓", "✔"}
_FALSE = {"否", "不是", "n", "no", "false", "f", "0", "×", "✗", "✘"}


def _bool_of(v) -> bool | None:
    v = native(v)
    tp = type(v)
    if tp is str:
        key = half_width(v).lower()
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
    v = native(v)
    tp = type(v)
    if tp is int:
        n = v
    elif tp is float:
        n = int(v) if v.is_integer() else None
    elif isinstance(v, str):
        t = half_width(v)
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


