"""The rows behind a figure (`ledger rows KIND`): every stored row a report counts, with its source.

A pure function of the store. Rows are read through the `v_<table>` views, so they are
exactly the rows the reports count (and, when those views are shadowed to show the ledger
as known at an earlier entry, exactly the rows counted then); `include_voided` reads the
table itself and says for each voided row which void took it out. Filters are the report
breakdowns' own definitions (`summary.DIMENSIONS`): a loan's bank as named on the loan, an
application's intended bank, a district from the registry (未登记企业 when the enterprise is
not in it), a loan's grade from its enterprise's latest application before it. Repayments,
claims and recoveries take bank, district, enterprise and programme from their loan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from ..errors import UsageError
from ..fields import Field, describe
from ..money import json_yuan, yuan
from .summary import DIMENSIONS, graded_loans


@dataclass(frozen=True)
class Trace:
    """How one kind's rows are found: the row alias, its date, its enterprise code, its loan."""

    alias: str
    date: str | None
    code: str | None  # SQL for the row's enterprise code (through the loan for loan-linked kinds)
    side: str | None  # which side of summary.DIMENSIONS its bank/grade come from: "a" (applications) or "l" (loans)
    via_loan: bool = False


TRACES = {
    "loans": Trace("l", "disbursed_on", "l.credit_code", "l"),
    "applications": Trace("a", "applied_on", "a.credit_code", "a"),
    "repayments": Trace("t", "repaid_on", "l.credit_code", "l", via_loan=True),
    "claims": Trace("t", "claimed_on", "l.credit_code", "l", via_loan=True),
    "recoveries": Trace("t", "recovered_on", "l.credit_code", "l", via_loan=True),
    "contributions": Trace("t", "paid_on", None, None),
    "subsidies": Trace("t", "paid_on", "t.operator_code", None),
    "carriers": Trace("t", "recognized_on", "t.operator_code", None),
    "enterprises": Trace("t", None, "t.credit_code", None),
}

SOURCE = ("id", "file_name", "sheet", "source_row", "file_sha256", "batch_id")
VOID_STATE = ("voided", "void_reason", "void_entry")
OPTION = {"bank": "--bank", "period": "--month/--from/--to", "district": "--district", "grade": "--grade",
          "programme": "--programme/--other", "enterprise": "--enterprise"}


@dataclass(frozen=True)
class Filters:
    """What `ledger rows` was asked for; None means no filter on that dimension."""

    bank: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    district: str | None = None
    grade: str | None = None
    programme: bool | None = None  # True: 知识价值信用贷款 only; False: guided lending only
    enterprise: str | None = None
    batch: int | None = None
    include_voided: bool = False

    def to_json(self) -> dict:
        """The filters as given, dates as ISO text."""
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Selection:
    """Which rows, as SQL: one expression per column shown, the FROM/WHERE body, the order, its parameters.

    The rows themselves are read by `Rows.fetch`, or drawn by DuckDB directly (`rows_render`):
    at ten thousand rows, making Python objects of every cell costs more than the query.
    """

    cells: tuple[str, ...]
    types: dict  # column → stored type
    body: str
    order: str
    params: dict


@dataclass
class Rows:
    """The rows found, their columns (with labels and units) and their 合计 (live rows only, as the reports)."""

    kind: str
    title: str
    table: str
    filters: Filters
    fields: list[Field]
    selection: Selection
    count: int = 0  # live rows: the 合计 counts only what the reports count
    voided: int = 0  # voided rows listed besides (with include_voided)
    enterprises: int | None = None
    sums: dict[str, Decimal] = field(default_factory=dict)
    rows: list[tuple] | None = None  # filled by `fetch`

    def fetch(self, con: duckdb.DuckDBPyConnection) -> list[tuple]:
        """The rows as Python values (Decimal 元, dates), in report order."""
        if self.rows is None:
            sel = self.selection
            self.rows = con.execute(f"SELECT {', '.join(sel.cells)} {sel.body} ORDER BY {sel.order}", sel.params).fetchall()
        return self.rows

    def head_json(self) -> dict:
        """The `--json` object without its rows: kind, filters, columns (字段说明) and total."""
        return {
            "kind": self.kind,
            "title": self.title,
            "filters": self.filters.to_json(),
            "columns": [f.to_json() for f in self.fields],
            "total": {
                "rows": self.count,
                "voided_rows": self.voided,
                "enterprises": self.enterprises,
                "sums": {c: json_yuan(v) for c, v in self.sums.items()},
            },
        }

    @property
    def money(self) -> list[str]:
        """The money columns (元), whose sums are the 合计."""
        return [f.name for f in self.fields if f.unit == "元"]


def _refuse(kind: str, title: str, option: str, trace: Trace) -> UsageError:
    usable = [OPTION[k] for k in OPTION if _usable(k, kind, trace)] + ["--batch", "--include-voided"]
    return UsageError(f"{option} 不适用于 {title}({kind})", f"{title}可用的筛选: {'、'.join(usable)}。")


def _usable(name: str, kind: str, trace: Trace) -> bool:
    return {
        "bank": trace.side is not None,
        "period": trace.date is not None,
        "district": trace.code is not None,
        "grade": kind in ("loans", "applications"),
        "programme": trace.side == "l",
        "enterprise": trace.code is not None,
    }[name]


def rows(con: duckdb.DuckDBPyConnection, kind_name: str, filters: Filters) -> Rows:
    """Every row of a kind that the filters select, with its source, and their 合计.

    `kind_name` is an import kind, its table or its Chinese title (放款明细). A filter that
    does not apply to the kind (--grade on repayments) is a usage error naming those that do.
    """
    from ..corrections import voided_rows_sql
    from ..importing.schema import kind as kind_spec

    spec = kind_spec(kind_name)
    trace = TRACES[spec.kind]
    asked = {
        "bank": filters.bank is not None,
        "period": filters.start is not None or filters.end is not None,
        "district": filters.district is not None,
        "grade": filters.grade is not None,
        "programme": filters.programme is not None,
        "enterprise": filters.enterprise is not None,
    }
    for name, given in asked.items():
        if given and not _usable(name, spec.kind, trace):
            raise _refuse(spec.kind, spec.title, OPTION[name], trace)

    x = trace.alias
    source = spec.table if filters.include_voided else f"v_{spec.table}"
    if spec.kind == "loans" and filters.grade is not None:
        source = graded_loans(source)
    joins = [f"JOIN import_batches b ON b.id = {x}.batch_id"]
    if trace.via_loan:
        joins.append(f"LEFT JOIN v_loans l ON l.contract_no = {x}.contract_no")
    where, params = [], {}
    side = 1 if trace.side == "a" else 2
    if filters.bank is not None:
        where.append(f"{DIMENSIONS['bank'][side]} = $bank")
        params["bank"] = filters.bank
    if trace.date and filters.start is not None:
        where.append(f"{x}.{trace.date} >= $start")
        params["start"] = filters.start
    if trace.date and filters.end is not None:
        where.append(f"{x}.{trace.date} <= $end")
        params["end"] = filters.end
    if filters.district is not None:
        if spec.kind == "enterprises":
            where.append("t.district = $district")
        else:
            joins.append(
                "LEFT JOIN (SELECT credit_code, any_value(district) AS district FROM v_enterprises GROUP BY credit_code) e "
                f"ON e.credit_code = {trace.code}"
            )
            where.append(f"{DIMENSIONS['district'][side]} = $district")
        params["district"] = filters.district
    if filters.grade is not None:
        where.append(f"{DIMENSIONS['grade'][side]} = $grade")
        params["grade"] = filters.grade
    if filters.programme is not None:
        where.append("l.is_programme" if filters.programme else "NOT l.is_programme")
    if filters.enterprise is not None:
        where.append(f"{trace.code} = $enterprise")
        params["enterprise"] = filters.enterprise.strip().upper()
    if filters.batch is not None:
        where.append(f"{x}.batch_id = $batch")
        params["batch"] = filters.batch
    if filters.include_voided:
        joins.append(f"LEFT JOIN ({voided_rows_sql(spec.table)}) vd ON vd.id = {x}.id")

    business = [f for f in describe(con, spec.table) if f.name not in ("id", "batch_id", "source_row")]
    extra = SOURCE + (VOID_STATE if filters.include_voided else ())
    fields = business + _source_fields(con, spec.table, extra)
    cells = [f"{x}.{f.name}" for f in business] + [_source_sql(x, name) for name in extra]
    body = f"FROM {source} {x} {' '.join(joins)} {'WHERE ' + ' AND '.join(where) if where else ''}"
    order = f"{x}.{trace.date}, {x}.id" if trace.date else f"{x}.id"

    money = [f.name for f in business if f.unit == "元"]
    sums = "".join(f", sum({x}.{c})" for c in money)
    live = " FILTER (WHERE vd.id IS NULL)" if filters.include_voided else ""
    live_sums = "".join(f", sum({x}.{c}){live}" for c in money) if filters.include_voided else sums
    enterprises = f"count(DISTINCT {trace.code}){live}" if trace.code else "NULL"
    voided = "count(vd.id)" if filters.include_voided else "0"
    total = con.execute(f"SELECT count(*){live}, {voided}, {enterprises}{live_sums} {body}", params).fetchone()
    return Rows(
        kind=spec.kind,
        title=spec.title,
        table=spec.table,
        filters=filters,
        fields=fields,
        selection=Selection(tuple(cells), _types(con, spec.table, extra), body, order, params),
        count=total[0],
        voided=total[1],
        enterprises=total[2],
        sums={c: yuan(v) for c, v in zip(money, total[3:])},
    )


def _types(con, table: str, extra: tuple[str, ...]) -> dict[str, str]:
    """The stored type of each column shown (source columns by their own tables' types)."""
    types = dict(con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database()", [table]
    ).fetchall())
    types.update(file_name="VARCHAR", sheet="VARCHAR", file_sha256="VARCHAR", voided="BOOLEAN", void_reason="VARCHAR", void_entry="INTEGER")
    return types


def _source_fields(con, table: str, extra: tuple[str, ...]) -> list[Field]:
    from ..fields import OWN, unit

    types = dict(con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database()", [table]
    ).fetchall())
    return [Field(n, OWN[n], unit(types.get(n, ""), n) if n in types else "") for n in extra]


def _source_sql(x: str, name: str) -> str:
    if name in ("file_name", "sheet", "file_sha256"):
        return f"b.{name}"
    if name == "voided":
        return "vd.id IS NOT NULL"
    if name in ("void_reason", "void_entry"):
        return f"vd.{name}"
    return f"{x}.{name}"
