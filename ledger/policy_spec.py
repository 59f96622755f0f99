"""What a policy file may hold: one table of sections → keys → kind of value, and which keys are required.

`ledger.policy` checks every version of every section against `SECTIONS` when the file is
loaded, and lists every problem at once (key and version named): a typo'd key, a share
of "8", an award of -5 or "NaN" never falls back to a default silently.

To add a key, add one line to its section, e.g. `"max_term_days": may(DAYS),`; to add a
section, one entry `"name": Section("中文名", {...})`. Kinds: SHARE (0–1), AMOUNT (元 ≥ 0,
exact to the fen), PERCENT (0–100), DAYS and COUNT (whole numbers ≥ 0), YEAR, DATE, TEXT,
`table_of(kind, keys=…)` (a TOML inline table of such values, e.g. grade → credit line)
and `rows_of({...})` (a list of small tables, e.g. dated rates). Every version also takes
`effective_from` (required), `effective_to` and `source`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

# A reason is None (the value is fine) or a Chinese phrase saying what is wrong.
Check = Callable[[Any], "str | None"]

AMOUNT_LIMIT = Decimal("10") ** 16  # DECIMAL(18,2) holds less than this


@dataclass(frozen=True)
class Kind:
    """A kind of value: what it should be (for messages) and the test of one value."""

    words: str
    test: Check

    def problems(self, value: Any) -> list[tuple[str, str]]:
        """(where inside the value, what is wrong) for each problem; empty when the value is fine."""
        reason = self.test(value)
        return [("", f"{reason},应为{self.words}")] if reason else []


def _number(value: Any) -> Decimal | str:
    """The value as an exact Decimal, or why it is not a number (TOML strings, integers and floats accepted)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return f"{value!r} 不是数字"
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return f"{value!r} 不是数字"
    if not number.is_finite():
        return f"{value!r} 不是有限的数"
    return number


def _decimal_within(low: Decimal, high: Decimal | None, fen: bool = False) -> Check:
    def test(value: Any) -> str | None:
        number = _number(value)
        if isinstance(number, str):
            return number
        if number < low or (high is not None and number > high):
            return f"{value!r} 超出范围"
        if fen and number.normalize().as_tuple().exponent < -2:
            return f"{value!r} 不是精确到分的金额"
        return None

    return test


def _whole(low: int, high: int | None = None) -> Check:
    def test(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{value!r} 不是整数"
        if value < low or (high is not None and value > high):
            return f"{value!r} 超出范围"
        return None

    return test


def _date(value: Any) -> str | None:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return f"{value!r} 不是日期"
    return None


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else f"{value!r} 不是文字"


SHARE = Kind("0 到 1 之间的比例(如 \"0.8\" 表示 80%)", _decimal_within(Decimal(0), Decimal(1)))
AMOUNT = Kind("不小于 0、精确到分的金额(元,如 \"200000.00\")", _decimal_within(Decimal(0), AMOUNT_LIMIT, fen=True))
PERCENT = Kind("0 到 100 之间的百分数(如 \"3.45\" 表示 3.45%)", _decimal_within(Decimal(0), Decimal(100)))
DAYS = Kind("不小于 0 的整数天数", _whole(0))
COUNT = Kind("不小于 0 的整数", _whole(0))
YEAR = Kind("四位年份(如 2025)", _whole(1900, 2200))
DATE = Kind("日期(如 2021-01-01,不加引号)", _date)
TEXT = Kind("文字(加引号)", _text)


@dataclass(frozen=True)
class Key:
    """A key of a section: its kind and whether every version must carry it."""

    kind: Kind
    required: bool


def need(kind: Kind) -> Key:
    """A key every version of its section must have."""
    return Key(kind, True)


def may(kind: Kind) -> Key:
    """A key a version may leave out (the rule using it then says what it could not check)."""
    return Key(kind, False)


def check_table(table: Any, keys: dict[str, Key]) -> list[tuple[str, str]]:
    """(key, what is wrong) for a table against its keys: missing required keys, unknown keys, bad values."""
    if not isinstance(table, dict):
        return [("", f"{table!r} 不是表(应写作 {{ 键 = 值, … }})")]
    out = [(name, "缺少参数") for name, key in keys.items() if key.required and name not in table]
    for name, value in table.items():
        key = keys.get(name)
        if key is None:
            out.append((name, f"未知的参数(可用的参数: {'、'.join(keys)};拼写有误的参数不会被当作默认值)"))
            continue
        out.extend((f"{name}{inner}", reason) for inner, reason in key.kind.problems(value))
    return out


@dataclass(frozen=True)
class _Table(Kind):
    """A TOML inline table of values of one kind, under free or fixed keys."""

    of: Kind | None = None
    keys: tuple[str, ...] | None = None

    def problems(self, value: Any) -> list[tuple[str, str]]:
        if not isinstance(value, dict):
            return [("", f"{value!r} 不是表,应为{self.words}")]
        spec = {k: need(self.of) for k in self.keys} if self.keys else {k: need(self.of) for k in value}
        return [(f".{where}", reason) for where, reason in check_table(value, spec)]


def table_of(kind: Kind, keys: tuple[str, ...] | None = None) -> Kind:
    """An inline table `{ "名称" = 值, … }` whose values are of `kind` (with exactly `keys`, if given)."""
    words = f"表 {{ 名称 = {kind.words}, … }}" + (f",须列出 {'、'.join(keys)}" if keys else "")
    return _Table(words, lambda v: None, kind, keys)


@dataclass(frozen=True)
class _Rows(Kind):
    """A list of small tables, each checked against the same keys."""

    keys: dict[str, Key] = field(default_factory=dict)

    def problems(self, value: Any) -> list[tuple[str, str]]:
        if not isinstance(value, list):
            return [("", f"{value!r} 不是列表,应为{self.words}")]
        return [(f"[{i}].{where}".rstrip("."), reason) for i, row in enumerate(value, 1) for where, reason in check_table(row, self.keys)]


def rows_of(keys: dict[str, Key]) -> Kind:
    """A list `[ { 键 = 值, … }, … ]` of tables, each with `keys`."""
    return _Rows(f"列表 [ {{ {', '.join(keys)} }}, … ]", lambda v: None, keys)


@dataclass(frozen=True)
class Section:
    """A section (`[[name]]` in the file): what it is called in Chinese, and its keys."""

    title: str
    keys: dict[str, Key]


# Keys of every version of every section.
VERSION_KEYS = {"effective_from": need(DATE), "effective_to": may(DATE), "source": may(TEXT), "source_district": may(TEXT)}

# Top-level keys of the file besides its sections.
FILE_KEYS = {"name": may(TEXT)}

SECTIONS: dict[str, Section] = {
    "risk_fund": Section(
        "风险补偿基金",
        {
            "fund_share": need(SHARE),
            "claim_after_overdue_days": may(DAYS),
            "single_enterprise_cap": may(AMOUNT),
            "loss_ratio_ceiling": may(SHARE),
        },
    ),
    "incubator": Section(
        "孵化载体补助",
        {
            "municipal_incubator_award": may(AMOUNT),
            "municipal_maker_space_award": may(AMOUNT),
            "national_match_ratio": may(SHARE),
            "recognised_on_or_after": may(DATE),
            "recognition_window_days": may(DAYS),
            "performance_awards": may(table_of(AMOUNT)),
        },
    ),
    "targets": Section(
        "“双倍增”目标",
        {
            "district": may(TEXT),
            "milestones": need(rows_of({"year": need(YEAR), "hnte": may(COUNT), "tech_sme": may(COUNT)})),
        },
    ),
    # Plausibility ceilings of amounts at import (ledger/importing/ceilings.py: LIMIT_KEYS), 元.
    "limits": Section(
        "金额合理上限",
        {
            key: may(AMOUNT)
            for key in (
                "application_amount", "loan_amount", "repayment_principal", "repayment_interest", "claim_overdue_principal",
                "claim_approved_amount", "recovery_amount", "contribution_amount", "subsidy_amount",
            )
        },
    ),
}
