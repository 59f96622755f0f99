"""Validating a typed sheet with pandera, every failure at once, as problems by cell.

The checks a column names in its schema TOML are looked up here (`CHECKS`); pandera runs
them lazily over the whole frame and its failure cases are turned into `Problem`s that
point at the cell, with a Chinese message and a hint. Checks that need the ledger itself
(an enterprise in the registry) are programme rules, not pandera checks.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..problems import Problem
from .frame import SCALE, TypedSheet
from .schema import ColumnSpec, KindSpec
from .credit_code import CODE_CHARS, CODE_WEIGHTS, credit_code_problem


@dataclass(frozen=True)
class CheckInfo:
    """How a failed check is told to the user."""

    message: str  # may use {header}, {value} and, with `explain`, {detail}
    hint: str
    code: str
    # For a check that fails in several ways: the parsed value -> (detail, hint), so the
    # message says which way (a code of the wrong length, not "check digit wrong").
    explain: Callable[[object], tuple[str, str]] | None = None


def _notna(s: pd.Series) -> pd.Series:
    return s.notna()


_CODE_VALUE = np.full(256, -1, dtype=np.int64)
_CODE_VALUE[np.frombuffer(CODE_CHARS.encode(), dtype=np.uint8)] = np.arange(len(CODE_CHARS))
_CODE_WEIGHTS = np.array(CODE_WEIGHTS, dtype=np.int64)


def valid_credit_codes(codes) -> np.ndarray:
    """GB 32100-2015 check of many codes at once (bool per code), as credit_code.credit_code_valid does one.

    The codes are laid side by side as an n×18 byte matrix, so the weighted sum of every
    code is one matrix product instead of a Python loop per code.
    """
    codes = list(codes)
    ok = np.zeros(len(codes), dtype=bool)
    shaped = [i for i, c in enumerate(codes) if type(c) is str and len(c) == 18 and c.isascii()]
    if not shaped:
        return ok
    raw = np.frombuffer("".join(codes[i] for i in shaped).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    values = _CODE_VALUE[raw]
    check = (31 - (values[:, :17] @ _CODE_WEIGHTS) % 31) % 31
    ok[shaped] = (values >= 0).all(axis=1) & (values[:, 17] == check)
    return ok


def _credit_code(s: pd.Series) -> pd.Series:
    present = s.notna()
    distinct = pd.unique(s[present])
    valid = distinct[valid_credit_codes(distinct)]
    return ~present | s.isin(valid)


def _in_range(low: int, high: int, scale: int):
    lo, hi = low * 10**scale, high * 10**scale
    return lambda s: ~_notna(s) | ((s >= lo) & (s <= hi))


COLUMN_CHECKS = {
    "credit_code": (
        _credit_code,
        CheckInfo("统一社会信用代码「{value}」{detail}", "请核对18位代码(GB 32100-2015)。", "bad_credit_code", credit_code_problem),
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
        _in_range(0, 100, SCALE["score"]),
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
    """The pandera schema of a kind, and for each check name how to report it.

    Every check passes an empty cell itself (required is pandera's own not-null check), so
    pandera is told not to drop nulls before a check and not to scan all columns for them
    after a frame check: over object columns those scans cost more than the checks.
    """
    columns = {}
    frame_checks = []
    info: dict[str, tuple[ColumnSpec, CheckInfo]] = {}
    for col in spec.columns:
        checks = []
        for name in col.checks:
            if name.startswith("after:"):
                other = name.split(":", 1)[1]
                check_name = f"{col.field}:{name}"
                frame_checks.append(pa.Check(_after(col.field, other), name=check_name, ignore_na=False))
                other_header = spec.column(other).header
                info[check_name] = (
                    col,
                    CheckInfo(f"{{header}}「{{value}}」应晚于{other_header}", f"请核对{col.header}与{other_header}。", "date_order"),
                )
            elif name in COLUMN_CHECKS:
                fn, message = COLUMN_CHECKS[name]
                check_name = f"{col.field}:{name}"
                checks.append(pa.Check(fn, name=check_name, ignore_na=False))
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
        with _without_hypothesis():
            schema.validate(frame, lazy=True, inplace=True)
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
        detail, hint = message.explain(sheet.columns[col.field][index]) if message.explain else ("", message.hint)
        problems.append(
            Problem(
                code=message.code,
                message=message.message.format(header=placed.header, value=value, detail=detail),
                hint=hint,
                file=file,
                sheet=sheet_name,
                row=sheet.source_rows[index],
                col=placed.col,
                column=placed.header,
                value=value,
            )
        )
    return problems


@contextmanager
def _without_hypothesis():
    """Keep pandera from importing hypothesis (0.3 s) when it registers its backends.

    pandera loads its data-synthesis strategies on first use and they import hypothesis
    whenever it is installed (it is, as a test dependency); validation never uses them,
    and pandera runs without them when the import fails. A process that has imported
    hypothesis already (the test suite) is left alone.
    """
    if "hypothesis" in sys.modules:
        yield
        return
    sys.modules["hypothesis"] = None  # makes `import hypothesis` raise ImportError
    try:
        yield
    finally:
        if sys.modules.get("hypothesis", 0) is None:
            del sys.modules["hypothesis"]


def _display(value) -> str:
    """A cell as the user wrote it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    from .text import cell_text

    return cell_text(str(value).strip())
