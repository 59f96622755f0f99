"""Validating a typed sheet with pandera, every failure at once, as problems by cell.

The checks a column names in its schema TOML are looked up here (`CHECKS`); pandera runs
them lazily over the whole frame and its failure cases are turned into `Problem`s that
point at the cell, with a Chinese message and a hint. Checks that need the ledger itself
(an enterprise in the registry) are programme rules, not pandera checks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..problems import Problem
from .frame import SCALE, TypedSheet
from .schema import ColumnSpec, KindSpec
from .values import credit_code_valid


@dataclass(frozen=True)
class CheckInfo:
    """How a failed check is told to the user."""

    message: str  # may use {header} and {value}
    hint: str
    code: str


def _notna(s: pd.Series) -> pd.Series:
    return s.notna()


@functools.lru_cache(maxsize=200_000)
def _code_ok(code: str) -> bool:
    return credit_code_valid(code)


def _credit_code(s: pd.Series) -> pd.Series:
    return s.map(lambda v: v is None or v != v or _code_ok(v))


def _in_range(low: int, high: int, scale: int):
    lo, hi = low * 10**scale, high * 10**scale
    return lambda s: ~_notna(s) | ((s >= lo) & (s <= hi))


COLUMN_CHECKS = {
    "credit_code": (
        _credit_code,
        CheckInfo("统一社会信用代码「{value}」校验位不正确", "请核对18位代码(GB 32100-2015);代码中不会出现字母 I、O、Z、S、V。", "bad_credit_code"),
    ),
    "positive": (
        lambda s: ~_notna(s) | (s > 0),
        CheckInfo("{header}必须大于0,实为「{value}」", "请填写正数金额。", "not_positive"),
    ),
    "rate_range": (
        _in_range(0, 36, SCALE["rate"]),
        CheckInfo("{header}「{value}」不在 0%~36% 之间", "年利率请填写百分数,如 4.35 表示 4.35%。", "rate_out_of_range"),
    ),
    "score_range": (
        _in_range(0, 100, SCALE["decimal"]),
        CheckInfo("{header}「{value}」不在 0~100 之间", "知识价值评价分为百分制。", "score_out_of_range"),
    ),
    "non_negative": (
        lambda s: ~_notna(s) | (s >= 0),
        CheckInfo("{header}不能为负数,实为「{value}」", "请填写0或正数。", "negative"),
    ),
}

REQUIRED = CheckInfo("{header}为必填项,但此处为空", "请补填该单元格。", "required")


def _after(field: str, other: str):
    """A row check: `field` is later than `other` wherever both are present."""

    def check(df: pd.DataFrame) -> pd.Series:
        both = df[field].notna() & df[other].notna()
        ok = pd.Series(True, index=df.index)
        ok[both] = df.loc[both, field].to_numpy() > df.loc[both, other].to_numpy()
        return ok

    return check


def _schema(spec: KindSpec) -> tuple[pa.DataFrameSchema, dict[str, tuple[ColumnSpec, CheckInfo]]]:
    """The pandera schema of a kind, and for each check name how to report it."""
    columns = {}
    frame_checks = []
    info: dict[str, tuple[ColumnSpec, CheckInfo]] = {}
    for col in spec.columns:
        checks = []
        for name in col.checks:
            if name.startswith("after:"):
                other = name.split(":", 1)[1]
                check_name = f"{col.field}:{name}"
                frame_checks.append(pa.Check(_after(col.field, other), name=check_name))
                other_header = spec.column(other).header
                info[check_name] = (
                    col,
                    CheckInfo(f"{{header}}「{{value}}」应晚于{other_header}", f"请核对{col.header}与{other_header}。", "date_order"),
                )
            elif name in COLUMN_CHECKS:
                fn, message = COLUMN_CHECKS[name]
                check_name = f"{col.field}:{name}"
                checks.append(pa.Check(fn, name=check_name))
                info[check_name] = (col, message)
        columns[col.field] = pa.Column(checks=checks, nullable=not col.required, required=False)
    return pa.DataFrameSchema(columns, checks=frame_checks, coerce=False), info


def to_frame(sheet: TypedSheet) -> pd.DataFrame:
    """The sheet as a pandas frame: typed columns plus `source_row`; money as integer fen."""
    data = {"source_row": sheet.source_rows}
    for field, values in sheet.columns.items():
        kind = sheet.layout.placed[field].spec.type
        if kind in SCALE or kind == "int":
            data[field] = pd.array(values, dtype="Int64")
        elif kind == "bool":
            data[field] = pd.array(values, dtype="boolean")
        else:
            data[field] = pd.Series(values, dtype="object")
    return pd.DataFrame(data)


def validate(sheet: TypedSheet, frame: pd.DataFrame, file: str, sheet_name: str) -> list[Problem]:
    """Every rule of the kind's schema that a row breaks, as problems by cell."""
    spec = sheet.layout.kind
    schema, info = _schema(spec)
    present = [c for c in schema.columns if c in frame.columns]
    schema = schema.select_columns(present) if len(present) != len(schema.columns) else schema
    try:
        schema.validate(frame, lazy=True)
        return []
    except SchemaErrors as exc:
        cases = exc.failure_cases
    problems = []
    for case in cases.itertuples(index=False):
        index = case.index
        if index is None or index != index:
            continue
        index = int(index)
        check = str(case.check)
        if check == "not_nullable":
            col = spec.column(case.column)
            message = REQUIRED
        elif check in info:
            col, message = info[check]
        else:
            continue
        placed = sheet.layout.placed.get(col.field)
        if placed is None:
            continue
        value = _display(sheet.raw[col.field][index])
        problems.append(
            Problem(
                code=message.code,
                message=message.message.format(header=placed.header, value=value),
                hint=message.hint,
                file=file,
                sheet=sheet_name,
                row=sheet.source_rows[index],
                col=placed.col,
                column=placed.header,
                value=value,
            )
        )
    return problems


def _display(value) -> str:
    """A cell as the user wrote it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
