"""Fuzzing the readers, the cell parsers and the whole import: nothing but the importer's own refusal.

Arbitrary bytes, damaged workbooks, arbitrary cell values and layouts either import or are
refused with problems (or a `ReadError`); no other exception escapes, and the ledger still
verifies afterwards.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from trust_support import C, NAMES

from conftest import APPLICATION_HEADER, ENTERPRISE_HEADER, LOAN_HEADER, write_xlsx
from ledger import journal
from ledger.importing import values
from ledger.importing.pipeline import import_file
from ledger.importing.readers import ReadError, read_sheets
from ledger.store import Store

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["", " ", "合计", "=1+1", "@x", "-", "1,000", "1e308", "NaN", "inf", "2021-02-30", "2021年13月1日", "4.35%", "-0"]),
    st.sampled_from(C),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(),
    st.times(),
    st.booleans(),
)


@pytest.mark.parametrize(
    "parse",
    [values.parse_amounts, values.parse_dates, values.parse_rates, values.parse_texts, values.parse_codes, values.parse_bools, values.parse_ints],
)
@FUZZ
@given(column=st.lists(cells, max_size=20))
def test_cell_parsers_take_any_cell(parse, column):
    parsed, problems = parse(column)
    assert len(parsed) == len(column)
    for index, code, message in problems:
        assert 0 <= index < len(column) and code and message
        assert parsed[index] is None


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".xlsx", ".xls", ".ods", ".csv", ".txt", ".tsv", ".xlsb", ".bin"]))
def test_readers_take_any_bytes(data, suffix):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"f{suffix}"
        path.write_bytes(data)
        try:
            sheets = read_sheets(path)
        except ReadError as exc:
            assert exc.code and exc.message
        else:
            assert all(isinstance(s.rows, list) for s in sheets)


@pytest.fixture(scope="module")
def workbook_bytes(tmp_path_factory) -> bytes:
    rows = [LOAN_HEADER] + [[f"HT-{i}", C[i % len(C)], NAMES[i % len(C)], "重庆银行", "知识价值信用贷款", dt.date(2021, 3, 5), dt.date(2022, 3, 4), 1000 * i, 4.35] for i in range(30)]
    return write_xlsx(tmp_path_factory.mktemp("wb") / "w.xlsx", rows, more={"名录": [ENTERPRISE_HEADER, [C[0], NAMES[0], "巴南区"]]}).read_bytes()


@FUZZ
@given(data=st.data())
def test_readers_take_damaged_workbooks(workbook_bytes, data):
    damaged = bytearray(workbook_bytes)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        damaged[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(damaged)))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "damaged.xlsx"
        path.write_bytes(bytes(damaged[:cut]))
        try:
            read_sheets(path)
        except ReadError as exc:
            assert exc.code and exc.message


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"
    s = Store.create(path)
    registry = write_xlsx(path.parent / "名录.xlsx", [ENTERPRISE_HEADER] + [[c, n, "巴南区"] for c, n in zip(C, NAMES)])
    assert not import_file(s, registry).refused
    yield s
    s.close()


HEADERS = st.sampled_from([LOAN_HEADER, ENTERPRISE_HEADER, APPLICATION_HEADER, LOAN_HEADER[:5], ["放款金额(万元)", "贷款合同编号", "年利率"], []])


@st.composite
def layouts(draw):
    """A sheet: maybe title lines, a (possibly shuffled, partial, misspelt) header, arbitrary rows, maybe a 合计 row."""
    header = list(draw(HEADERS))
    if header and draw(st.booleans()):
        header = draw(st.permutations(header))
    header += draw(st.lists(st.text(max_size=8), max_size=2))
    rows = [[draw(cells) for _ in range(draw(st.integers(0, 3)))] for _ in range(draw(st.integers(0, 2)))]  # titles
    rows.append(header)
    width = max(len(header), 1)
    for _ in range(draw(st.integers(0, 12))):
        rows.append([draw(cells) for _ in range(draw(st.integers(0, width + 2)))])
    if draw(st.booleans()):
        rows.append(["合计"] + [draw(cells) for _ in range(width - 1)])
    return rows


def _as_csv(path: Path, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8", errors="surrogatepass") as f:
        csv.writer(f).writerows([["" if v is None else str(v) for v in r] for r in rows])
    return path


def _as_xlsx(path: Path, rows) -> Path:
    from openpyxl import Workbook

    from ledger import xlsx_safe

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(xlsx_safe.row(ws, [_xlsx_value(v) for v in r]))
    wb.save(path)
    return path


def _xlsx_value(v):
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return str(v)
    if isinstance(v, Decimal) and not v.is_finite():
        return str(v)
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53:
        return str(v)
    if isinstance(v, (dt.date, dt.datetime)) and v.year < 1900:
        return v.isoformat()
    return v


@FUZZ
@given(rows=layouts(), as_xlsx=st.booleans(), dry_run=st.booleans(), kind=st.sampled_from([None, None, "loans", "enterprises"]))
def test_imports_of_arbitrary_sheets_succeed_or_are_refused(store, rows, as_xlsx, dry_run, kind):
    with tempfile.TemporaryDirectory() as d:
        try:
            path = (_as_xlsx if as_xlsx else _as_csv)(Path(d) / ("s.xlsx" if as_xlsx else "s.csv"), rows)
        except UnicodeEncodeError:  # lone surrogates cannot be written as UTF-8 at all
            return
        result = import_file(store, path, kind=kind, dry_run=dry_run)
    event("refused" if result.refused else "imported")
    for p in result.problems:
        assert p.code and p.message
    if not result.refused:
        assert all(s.added >= 0 for s in result.sheets)
    assert journal.verify(store.con) == []
