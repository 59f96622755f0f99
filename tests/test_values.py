"""Cell parsers: every accepted and refused spelling, and round-trip properties."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger.importing.credit_code import credit_code_check_digit, credit_code_problem, credit_code_valid
from ledger.importing.units import header_unit, normalize_header, unit_line, unit_multiplier
from ledger.importing.values import (
    MAX_FEN,
    parse_amounts,
    parse_bools,
    parse_codes,
    parse_dates,
    parse_ints,
    parse_rates,
    parse_scores,
    parse_texts,
)

FULL = str.maketrans("0123456789,.-%", "０１２３４５６７８９，．－％")
EMPTIES = [None, "", "   ", "\u3000", " \n\t", "\xa0"]


def one(parser, value, *args):
    (parsed,), problems = parser([value], *args)
    return parsed, [(code, message) for _, code, message in problems]


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, fen",
    [
        (1600000, 160000000),
        (1600000.0, 160000000),
        (0.1, 10),
        (1234.56, 123456),
        (-5.5, -550),
        (Decimal("12.30"), 1230),
        ("1,600,000.00", 160000000),
        ("1600000", 160000000),
        ("  1,600,000.5 ", 160000050),
        ("１，６００．５", 160050),
        ("１６００００", 16000000),
        ("1,600,000.00元", 160000000),
        ("1600000 元", 160000000),
        ("160万元", 160000000),
        ("¥1,000.00", 100000),
        ("￥1000", 100000),
        ("人民币1000元", 100000),
        ("-1,000.00", -100000),
        ("(1,000.00)", -100000),
        ("（1,000.00）", -100000),
        (".5", 50),
        ("12.", 1200),
    ],
)
def test_amounts_accepted(value, fen):
    assert one(parse_amounts, value) == (fen, [])


@pytest.mark.parametrize(
    "value, fen",
    [
        (150, 150000000),
        (150.5, 150500000),
        (12.345678, 12345678),
        ("150.25", 150250000),
        ("1,500.123456", 1500123456),
        ("1500元", 150000),  # a trailing 元 means 元 whatever the column says
        ("150万元", 150000000),
    ],
)
def test_amounts_in_wan_yuan_column(value, fen):
    assert one(parse_amounts, value, 10000) == (fen, [])


@pytest.mark.parametrize("value", ["abc", "1.2.3", "1,5", "12,34.5", "1 600 000", "1.6E+06", "--5", "(-5)", "(5", "5元元", "¥", "-", True, False, dt.date(2021, 3, 5), dt.datetime(2021, 3, 5), dt.time(10), float("nan"), float("inf")])
def test_amounts_refused(value):
    parsed, problems = one(parse_amounts, value)
    assert parsed is None
    assert [code for code, _ in problems] == ["bad_amount"]
    assert problems[0][1].startswith("无法识别的金额「")


@pytest.mark.parametrize("value, shown", [("12.345", "12.345"), (12.345, "12.345"), (0.001, "0.001"), (Decimal("1.005"), "1.005"), ("1.0000001万元", "1.0000001万元")])
def test_amounts_below_a_fen(value, shown):
    assert one(parse_amounts, value) == (None, [("amount_precision", f"金额精确到分以下「{shown}」")])


def test_amounts_below_a_fen_in_wan_yuan():
    assert one(parse_amounts, 12.3456789, 10000)[1][0][0] == "amount_precision"
    assert one(parse_amounts, "0.0000001", 10000)[1][0][0] == "amount_precision"


def test_amounts_empty_cells_and_indexes():
    parsed, problems = parse_amounts([*EMPTIES, "x", 5, "y"])
    assert parsed == [None] * len(EMPTIES) + [None, 500, None]
    assert [(i, code) for i, code, _ in problems] == [(len(EMPTIES), "bad_amount"), (len(EMPTIES) + 2, "bad_amount")]


def test_amounts_are_ints():
    parsed, _ = parse_amounts([1.1, 2, "3.30", Decimal("4")])
    assert all(type(p) is int for p in parsed)


@pytest.mark.parametrize("value", [10**16, 1e16, "10,000,000,000,000,000", "1" * 5000, Decimal("1E+999999"), 1e308, "2000000000000万元"])
def test_amounts_too_large_for_the_ledger(value):
    parsed, problems = one(parse_amounts, value)
    assert parsed is None and problems[0][0] == "bad_amount" and problems[0][1].startswith("金额过大「")


def test_amounts_just_below_the_cap():
    assert one(parse_amounts, "9,999,999,999,999,999.99") == (MAX_FEN - 1, [])


def test_amounts_long_fractions():
    assert one(parse_amounts, "1." + "0" * 5000) == (100, [])
    assert one(parse_amounts, "1." + "0" * 5000 + "1")[1][0][0] == "amount_precision"
    assert one(parse_amounts, Decimal("1E-999999"))[1][0][0] == "amount_precision"


def test_amounts_huge_float_goes_the_exact_way():
    assert one(parse_amounts, 1e14) == (10**16, [])
    assert one(parse_amounts, 123456789012345.67)[0] == 12345678901234567


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2))
def test_amount_text_round_trips(d):
    fen = int(d * 100)
    for text in (f"{d:,.2f}", f"{d:.2f}", f"{d:,}", f"{d:,.2f}".translate(FULL), f" {d:,.2f}元 ", f"¥{d:,.2f}"):
        assert one(parse_amounts, text) == (fen, []), text
    assert one(parse_amounts, f"{d / 10000:,.6f}万元") == (fen, [])


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("1e12"), places=2))
def test_amount_accounting_negative(d):
    assert one(parse_amounts, f"({d:,.2f})") == (-int(d * 100), [])


@given(st.decimals(min_value=Decimal("-1e8"), max_value=Decimal("1e8"), places=6))
def test_amount_wan_yuan_text_round_trips(d):
    assert one(parse_amounts, f"{d:,f}", 10000) == (int(d * 1000000), [])


@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False), st.sampled_from([1, 10000]))
def test_amount_float_fast_path_matches_shortest_repr(v, multiplier):
    exact = Decimal(repr(v)) * 100 * multiplier
    parsed, problems = one(parse_amounts, v, multiplier)
    if abs(exact) >= MAX_FEN:
        assert parsed is None and problems[0][0] == "bad_amount"
    elif exact == exact.to_integral_value():
        assert (parsed, problems) == (int(exact), [])
    else:
        assert parsed is None and problems[0][0] == "amount_precision"


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_amount_float_of_every_fen_is_exact(fen):
    assert one(parse_amounts, fen / 100) == (fen, [])


# --- dates -----------------------------------------------------------------------------------

D = dt.date(2021, 3, 5)


@pytest.mark.parametrize(
    "value",
    [
        D,
        dt.datetime(2021, 3, 5, 14, 30),
        44260,
        44260.0,
        44260.75,
        "44260",
        20210305,
        20210305.0,
        "2021-03-05",
        "2021-3-5",
        "2021/3/5",
        "2021/03/05",
        "2021.3.5",
        "2021年3月5日",
        "2021年03月05日",
        "2021 年 3 月 5 日",
        "2021-03-05 00:00:00",
        "2021-03-05 14:30",
        "2021-03-05T14:30:00",
        "2021/3/5 0:00:00",
        "20210305",
        "２０２１－０３－０５",
        "２０２１年３月５日",
        "  2021-03-05\n",
    ],
)
def test_dates_accepted(value):
    assert one(parse_dates, value) == (D, [])


@pytest.mark.parametrize(
    "value",
    ["2021-02-30", "2021-13-01", "20210230", "2021-03", "21-3-5", "3/5/2021", "2021-03/05", "abc", "明天", 19999, 80001, 1.5, 2021, True, dt.time(10), float("nan"), "123456789"],
)
def test_dates_refused(value):
    parsed, problems = one(parse_dates, value)
    assert parsed is None and [code for code, _ in problems] == ["bad_date"]
    assert problems[0][1].startswith("无法识别的日期「") and problems[0][1].endswith("」,请使用 2021-03-05 格式")


def test_dates_message_quotes_the_cell():
    assert one(parse_dates, " 2021-02-30 ") == (None, [("bad_date", "无法识别的日期「2021-02-30」,请使用 2021-03-05 格式")])


def test_dates_serial_bounds():
    # read as serials (1954-10-03, 2119-01-11), then refused as no programme's dates: not "unreadable"
    for serial in (20000, 80000):
        parsed, problems = one(parse_dates, serial)
        assert parsed is None and [code for code, _ in problems] == ["implausible_date"]
    assert one(parse_dates, 32874)[0] == dt.date(1990, 1, 1)


def test_dates_repeated_values_and_empties():
    values = ["2021/3/5", None, "bad", "2021/3/5", "", "bad", 44260]
    parsed, problems = parse_dates(values)
    assert parsed == [D, None, None, D, None, None, D]
    assert [i for i, _, _ in problems] == [2, 5]


def test_dates_true_is_not_one():
    # True == 1 in Python; a cache keyed by value must not confuse them
    assert parse_dates([20210305, True, 1])[0] == [D, None, None]


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dates_round_trip(d):
    serial = (d - dt.date(1899, 12, 30)).days
    spellings = [
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.isoformat()} 00:00:00",
        d.strftime("%Y%m%d"),
        int(d.strftime("%Y%m%d")),
        d.isoformat().translate(FULL),
        serial,
        float(serial) + 0.5,
        str(serial),
        dt.datetime.combine(d, dt.time(9, 15)),
    ]
    parsed, problems = parse_dates(spellings)
    assert problems == []
    assert parsed == [d] * len(spellings)


# --- rates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, rate",
    [
        (4.35, "4.3500"),
        ("4.35", "4.3500"),
        ("4.35%", "4.3500"),
        ("4.35 %", "4.3500"),
        ("４．３５％", "4.3500"),
        (0.0435, "4.3500"),
        ("0.0435", "4.3500"),
        (Decimal("0.0435"), "4.3500"),
        ("0.5%", "0.5000"),  # written with % : never rescaled
        (0.5, "50.0000"),  # a bare fraction, as a cell formatted 50% holds
        (5, "5.0000"),
        (3.85, "3.8500"),
        (0.04350000000000001, "4.3500"),
        (24, "24.0000"),
        (40, "40.0000"),  # high rates are a rule's business
        (-4.35, "-4.3500"),
        ("4.123456", "4.1235"),
        (1, "1.0000"),
        (0, "0.0000"),
    ],
)
def test_rates(value, rate):
    assert one(parse_rates, value) == (Decimal(rate), [])


@pytest.mark.parametrize("value", ["abc", "4.35%%", "%", "4,35", "四点三五", True, dt.date(2021, 3, 5), float("nan"), "9" * 40, 1e308, 100000, Decimal("sNaN")])
def test_rates_refused(value):
    parsed, problems = one(parse_rates, value)
    assert parsed is None and [c for c, _ in problems] == ["bad_rate"] and "年利率" in problems[0][1]


def test_rates_empty_and_exponent():
    assert parse_rates(EMPTIES) == ([None] * len(EMPTIES), [])
    assert one(parse_rates, "4.35")[0].as_tuple().exponent == -4


@given(st.decimals(min_value=Decimal("1"), max_value=Decimal("36"), places=4))
def test_rates_round_trip(d):
    assert parse_rates([str(d), f"{d}%", f"{d}%".translate(FULL), float(d), str(d / 100), float(d / 100)]) == ([d] * 6, [])


# --- text, codes, flags, ints ----------------------------------------------------------------

ODD_CELLS = [Decimal("sNaN"), Decimal("NaN"), Decimal("-Infinity"), Decimal("1E+999999"), float("nan"), float("-inf"), 10**30, dt.time(9), dt.timedelta(hours=2), dt.date(1, 1, 1)]


@pytest.mark.parametrize("parser", [parse_amounts, parse_dates, parse_rates, parse_texts, parse_codes, parse_bools, parse_ints, parse_scores])
def test_every_parser_takes_odd_cells(parser):
    parsed, problems = parser(ODD_CELLS)
    assert len(parsed) == len(ODD_CELLS)
    assert all(parsed[i] is None and message for i, _, message in problems)


def test_texts():
    values = ["  重庆某某科技有限公司 ", 12345.0, 123, 12.5, dt.date(2021, 3, 5), dt.datetime(2021, 3, 5), dt.datetime(2021, 3, 5, 9, 30), True, *EMPTIES, "\u200b编号\u200b"]
    assert parse_texts(values) == (
        ["重庆某某科技有限公司", "12345", "123", "12.5", "2021-03-05", "2021-03-05", "2021-03-05 09:30:00", "TRUE", *[None] * len(EMPTIES), "编号"],
        [],
    )


def test_codes():
    values = [" 91500000 2028 05720t ", "９１５０００００２０２８０５７２０Ｔ", "91500000202805720T", "915\u3000000\u200b00202805720T\n", *EMPTIES, 123456789012345678]
    parsed, problems = parse_codes(values)
    assert parsed[:4] == ["91500000202805720T"] * 4
    assert parsed[4:-1] == [None] * len(EMPTIES)
    assert parsed[-1] == "123456789012345678"
    assert problems == []


def test_code_with_a_line_break_inside_is_refused():
    """A code is an identifier: a line break inside is refused (at its ends it is trimmed)."""
    parsed, problems = parse_codes(["915000\n00202805720T"])
    assert parsed == [None]
    assert [(code, "U+000A" in message) for _, code, message in problems] == [("control_char", True)]


@pytest.mark.parametrize("code", ["91350100M000100Y43", "914403001922038216", "9144030071526726XG", "91500000202805720T"])
def test_published_credit_codes_are_valid(code):
    assert credit_code_valid(code)
    assert credit_code_check_digit(code[:17]) == code[17]


@pytest.mark.parametrize("code", ["91500000202805720X", "91500000202805720", "91500000202805720TT", "91500000202805720t", "9150000020280572OT", "", None, 915000002028057201])
def test_invalid_credit_codes(code):
    assert not credit_code_valid(code)


def test_check_digit_refuses_bad_input():
    for bad in ("123", "9150000020280572O", "91500000202805720T"):
        with pytest.raises(ValueError):
            credit_code_check_digit(bad)


CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@given(st.text(alphabet=CODE_CHARS, min_size=17, max_size=17), st.integers(0, 17), st.sampled_from(CODE_CHARS + "IOZSVa "))
def test_generated_codes_valid_and_any_single_change_invalid(first17, position, replacement):
    code = first17 + credit_code_check_digit(first17)
    assert credit_code_valid(code)
    assume(code[position] != replacement)
    assert not credit_code_valid(code[:position] + replacement + code[position + 1 :])


@pytest.mark.parametrize("value", [True, "是", " 是 ", "是的", "Y", "y", "yes", "TRUE", "true", "1", 1, 1.0, "√", "１"])
def test_bools_true(value):
    assert one(parse_bools, value) == (True, [])


@pytest.mark.parametrize("value", [False, "否", "不是", "N", "no", "False", "0", 0, 0.0, "×"])
def test_bools_false(value):
    assert one(parse_bools, value) == (False, [])


@pytest.mark.parametrize("value", ["也许", "2", 2, 0.5, dt.date(2021, 3, 5)])
def test_bools_refused(value):
    parsed, problems = one(parse_bools, value)
    assert parsed is None and [c for c, _ in problems] == ["bad_bool"]


def test_bools_empty():
    assert parse_bools(EMPTIES) == ([None] * len(EMPTIES), [])


@pytest.mark.parametrize("value, n", [(12, 12), (12.0, 12), ("12", 12), (" 1,200 ", 1200), ("12.00", 12), ("１２", 12), ("-3", -3), (Decimal("7"), 7)])
def test_ints(value, n):
    assert one(parse_ints, value) == (n, [])


@pytest.mark.parametrize("value", [1.5, "1.5", "abc", "12个", True, dt.date(2021, 3, 5), 10**18, "9" * 5000, Decimal("1E+999999"), float("inf"), Decimal("sNaN")])
def test_ints_refused(value):
    parsed, problems = one(parse_ints, value)
    assert parsed is None and [c for c, _ in problems] == ["bad_int"]


def test_ints_empty():
    assert parse_ints(EMPTIES) == ([None] * len(EMPTIES), [])


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, normal",
    [
        (" 贷款金额\n（万元） ", "贷款金额(万元)"),
        ("贷款\r\n金额（元）", "贷款金额(元)"),
        ("年利率\u3000（％）", "年利率(%)"),
        ("放款\xa0日期", "放款日期"),
        ("单位：万元", "单位:万元"),
        ("\u200b企业名称", "企业名称"),
        ("贷款金额（单位：万元）", "贷款金额(万元)"),
        ("贷款金额(万)", "贷款金额(万元)"),
        ("贷款金额(人民币元)", "贷款金额(元)"),
        ("年利率(%)", "年利率(%)"),
        (None, ""),
        (2021, "2021"),
    ],
)
def test_normalize_header(raw, normal):
    assert normalize_header(raw) == normal


@pytest.mark.parametrize(
    "raw, normal",
    [
        ("放款金额（千元）", "放款金额(千元)"),
        ("放款金额(单位:亿元)", "放款金额(亿元)"),
        ("放款金额(亿)", "放款金额(亿元)"),
        ("放款金额(人民币百万元)", "放款金额(百万元)"),
        ("放款金额(金额单位：千元)", "放款金额(千元)"),
        ("放款金额(美元)", "放款金额(美元)"),
    ],
)
def test_normalize_header_spells_every_unit_one_way(raw, normal):
    assert normalize_header(raw) == normal


@pytest.mark.parametrize(
    "header, split",
    [
        ("贷款金额(万元)", ("贷款金额", "万元")),
        ("贷款金额(元)", ("贷款金额", "元")),
        ("贷款金额(万)", ("贷款金额", "万元")),
        ("贷款金额(单位:万元)", ("贷款金额", "万元")),
        ("贷款金额(千元)", ("贷款金额", "千元")),
        ("贷款金额(亿元)", ("贷款金额", "亿元")),
        ("贷款金额(百万元)", ("贷款金额", "百万元")),
        ("贷款金额(美元)", ("贷款金额", "美元")),  # split off, to be refused by name
        ("贷款金额(千万元)", ("贷款金额", "千万元")),
        ("放款金额(人民币,万元)", ("放款金额", "万元")),  # a note before the unit
        ("归还本金(本金、元)", ("归还本金", "元")),
        ("年利率(%)", ("年利率(%)", None)),
        ("放款金额", ("放款金额", None)),
        ("(万元)", ("(万元)", None)),
    ],
)
def test_header_unit(header, split):
    assert header_unit(header) == split


@pytest.mark.parametrize(
    "text, unit",
    [
        ("单位:万元", "万元"),
        ("单位：万元", "万元"),
        ("单位: 元", "元"),
        ("金额单位:元", "元"),
        ("金额单位：人民币万元", "万元"),
        ("填报单位：重庆农商行渝北支行        单位：万元", "万元"),
        ("单位:千元", "千元"),
        ("单位：千元", "千元"),
        ("金额单位:千元", "千元"),
        ("单位:亿元", "亿元"),
        ("单位:人民币百万元", "百万元"),
        ("单位:万", "万元"),
        ("(单位:亿元)", "亿元"),
        ("单位:美元", "美元"),
        ("单位：港元", "港元"),
        ("单位:千万元", "千万元"),
        ("放款明细", None),
        ("填报单位:重庆银行", None),
        ("填报单位:万州支行", None),  # 万州 is a district, not 万
        ("编制单位:重庆元通小贷公司", None),
        ("填报单位:元通支行", None),  # 元 begins a name here, it is no unit
        ("单位:户、万元", "万元"),  # a line giving the unit of counts and of amounts
        ("单位:笔/千元", "千元"),
        ("单位:万元(人民币)", "万元"),
        ("填报单位:元通支行  单位:亿元", "亿元"),
        (None, None),
        (10000, None),
    ],
)
def test_unit_line(text, unit):
    assert unit_line(text) == unit


@pytest.mark.parametrize("unit, multiplier", [("元", 1), ("千元", 1000), ("万元", 10000), ("百万元", 10**6), ("亿元", 10**8), ("万", 10000), ("美元", None), ("千万元", None), (None, None)])
def test_unit_multiplier(unit, multiplier):
    assert unit_multiplier(unit) == multiplier


@pytest.mark.parametrize(
    "value, multiplier, fen",
    [
        (1600, 1000, 160000000),
        (1600.5, 1000, 160050000),
        ("1,600.25", 1000, 160025000),
        (3.69, 10**8, 36900000000),
        (2.06, 10**8, 20600000000),
        (0.0000000001, 10**8, 1),  # one fen in 亿元
        ("3.6912345678", 10**8, 36912345678),
        (1.5, 10**6, 150000000),
        ("3.69亿元", 1, 36900000000),  # a unit written in the cell wins over the column's
        ("1600千元", 1, 160000000),
        ("1.2亿", 1, 12000000000),
        ("2百万元", 1, 200000000),
    ],
)
def test_amounts_in_thousand_million_and_hundred_million_yuan_are_exact(value, multiplier, fen):
    assert one(parse_amounts, value, multiplier) == (fen, [])


def test_amounts_below_a_fen_in_hundred_million_yuan_are_refused_not_rounded():
    assert one(parse_amounts, 3.69123456789, 10**8)[1][0][0] == "amount_precision"
    assert one(parse_amounts, "0.00000000001", 10**8)[1][0][0] == "amount_precision"
    assert one(parse_amounts, 1.23456, 1000) == (123456, [])
    assert one(parse_amounts, 1.234567, 1000)[1][0][0] == "amount_precision"


@given(st.decimals(min_value=Decimal("-99999999"), max_value=Decimal("99999999"), places=2))
def test_amounts_in_every_unit_round_trip(d):
    fen = int(d * 100)
    for unit, multiplier in (("千元", 1000), ("万元", 10000), ("百万元", 10**6), ("亿元", 10**8)):
        assert one(parse_amounts, d / multiplier, multiplier) == (fen, []), unit
        assert one(parse_amounts, float(d / multiplier), multiplier) == (fen, []), unit


# --- scores ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, hundredths",
    [(85, 8500), (85.5, 8550), (85.25, 8525), ("85.50", 8550), ("85分", 8500), ("85.5 分", 8550), ("８５分", 8500), (Decimal("92.10"), 9210), (0, 0), (100, 10000), (150, 15000)],
)
def test_scores(value, hundredths):
    assert one(parse_scores, value) == (hundredths, [])


@pytest.mark.parametrize("value", [85.125, "85.125", "85.125分", Decimal("85.001")])
def test_scores_with_more_than_two_decimals_are_refused_as_a_score(value):
    parsed, problems = one(parse_scores, value)
    assert parsed is None and problems == [("score_precision", f"评价分「{value}」超过两位小数")]


@pytest.mark.parametrize("value", ["八十五", "85分分", "A", "85%", "1,000", True, dt.date(2021, 3, 5), float("nan")])
def test_scores_refused_say_score_not_amount(value):
    parsed, problems = one(parse_scores, value)
    assert parsed is None and [c for c, _ in problems] == ["bad_score"]
    assert problems[0][1].startswith("无法识别的评价分「") and "金额" not in problems[0][1]


def test_scores_empty_and_huge():
    assert parse_scores(EMPTIES) == ([None] * len(EMPTIES), [])
    assert one(parse_scores, 1e308)[1][0][0] == "score_out_of_range"
    assert one(parse_scores, Decimal("1E+999999"))[1][0][0] == "score_out_of_range"


# --- credit code messages --------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, detail",
    [
        ("500113123456789", "应为18位,实为15位"),
        ("91500113MA5U00001", "应为18位,实为17位"),
        ("91500113-MA5U00001", "应为18位,实为17位"),  # a hyphen is not counted
        ("91500113MA5U0000100", "应为18位,实为19位"),
        ("91500113MA5UO0001I", "含有代码中不会出现的字符「O」「I」"),
        ("91500113MA5U0000号", "应为18位,实为17位,含有代码中不会出现的字符「号」"),
        ("91500113MA5U000011", "校验位不正确"),
    ],
)
def test_credit_code_problem_says_what_is_wrong(code, detail):
    assert credit_code_problem(code)[0] == detail


def test_credit_code_problem_recognises_an_old_registration_number():
    assert "旧的工商注册号" in credit_code_problem("500113123456789")[1]


def test_codes_written_with_hyphens_are_joined_when_that_makes_a_valid_code():
    parsed, problems = parse_codes(["91500113-MA5U000010", "91500113－MA5U000010", "915001-13MA5U-000010", "91500113-MA5U000011"])
    assert parsed == ["91500113MA5U000010"] * 3 + ["91500113-MA5U000011"]
    assert problems == []


def test_numpy_and_pandas_scalars_read_like_python_ones():
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    assert parse_amounts([np.float64(12.5), np.int64(7)])[0] == [1250, 700]
    assert parse_dates([pd.Timestamp("2021-03-05 10:00"), np.int64(44260)])[0] == [D, D]
    assert parse_rates([np.float64(0.0435)])[0] == [Decimal("4.3500")]
    assert parse_texts([np.float64(3.0), np.int64(12)])[0] == ["3", "12"]
    assert parse_ints([np.int64(3)])[0] == [3]


def test_dates_outside_any_programme_are_refused_not_stored():
    """Excel's day 0 (1899-12-31) and a slip such as 3000-01-01 are no loan's dates: refused, by row."""
    out, problems = parse_dates([dt.date(1899, 12, 31), "3000-01-01", dt.datetime(2021, 3, 5, 0, 0), "1990-01-01", None])
    assert out == [None, None, dt.date(2021, 3, 5), dt.date(1990, 1, 1), None]
    assert [(i, code) for i, code, _ in problems] == [(0, "implausible_date"), (1, "implausible_date")]
    assert "1899-12-31" in problems[0][2] and "1990—2099" in problems[0][2]
