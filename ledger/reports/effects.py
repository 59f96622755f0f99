"""What journal entries did to the rows reports count: the rows each import added and each void took out.

Between entry A and entry B (A < B), the rows that count changed only through the imports
and voids recorded in between. For each such entry this module gives the rows it added
(an import's rows still counted at B) or took out (a void's rows that counted at A), each
with its business date: the earliest date in the row (放款日期 of a loan, 申请日期 of a claim,
…; a row without any date, such as a registry entry, counts for every date). A row both
added and voided between A and B is in neither list: it never counted at either end.

`entry_totals` aggregates in DuckDB (rows, earliest date and money sums per entry and table:
what an adjustment warning needs); `entry_rows` fetches the rows themselves with their
business fields (what `report changes` lists). Both read the base tables and the journal,
never the `v_` views, so they give the same answer on a store opened `--known-at`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from .. import journal
from ..money import json_yuan, yuan

IMPORTS = "(SELECT batch_id, min(seq) AS seq FROM journal WHERE action = 'import' AND batch_id IS NOT NULL GROUP BY batch_id)"
VOIDS = (
    "(SELECT v.id, v.batch_id, v.table_name, v.row_id, j.seq FROM voids v JOIN journal j "
    "ON j.action = 'void' AND CAST(json_extract(j.detail, '$.void.id') AS INTEGER) = v.id)"
)
HIDDEN = ("id", "batch_id", "source_row")  # columns that say where a row is, not what it says


def date_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """A table's DATE columns in their stored order."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database() "
        "AND schema_name = 'main' AND data_type = 'DATE' ORDER BY column_index",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def business_date_sql(con: duckdb.DuckDBPyConnection, table: str, alias: str = "t") -> str:
    """SQL for a row's business date: the earliest of its dates (NULL for a row without any)."""
    cols = date_columns(con, table)
    if not cols:
        return "CAST(NULL AS DATE)"
    if len(cols) == 1:
        return f"{alias}.{cols[0]}"
    return f"least({', '.join(f'{alias}.{c}' for c in cols)})"


def changed_rows_sql(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """SELECT seq, sign (+1 added, −1 taken out), day, t.* of the rows entries in ($after, $upto] changed.

    `$as_of` (NULL for any date) keeps only rows whose business date is on or before it.
    """
    day = business_date_sql(con, table)
    dated = f"($as_of IS NULL OR {day} IS NULL OR {day} <= $as_of)"
    return f"""
        SELECT i.seq, 1 AS sign, {day} AS day, t.* FROM {table} t JOIN {IMPORTS} i USING (batch_id)
        WHERE i.seq > $after AND i.seq <= $upto AND {dated}
          AND t.batch_id NOT IN (SELECT batch_id FROM {VOIDS} WHERE row_id IS NULL AND seq <= $upto)
          AND t.id NOT IN (SELECT row_id FROM {VOIDS} WHERE table_name = '{table}' AND row_id IS NOT NULL AND seq <= $upto)
        UNION ALL
        SELECT v.seq, -1, {day}, t.* FROM {table} t JOIN {VOIDS} v ON v.row_id IS NULL AND v.batch_id = t.batch_id
        WHERE v.seq > $after AND v.seq <= $upto AND {dated}
          AND t.batch_id IN (SELECT batch_id FROM {IMPORTS} WHERE seq <= $after)
          AND t.id NOT IN (SELECT row_id FROM {VOIDS} WHERE table_name = '{table}' AND row_id IS NOT NULL AND seq <= $upto)
        UNION ALL
        SELECT v.seq, -1, {day}, t.* FROM {table} t JOIN {VOIDS} v ON v.table_name = '{table}' AND v.row_id = t.id
        WHERE v.seq > $after AND v.seq <= $upto AND {dated}
          AND t.batch_id IN (SELECT batch_id FROM {IMPORTS} WHERE seq <= $after)
          AND t.batch_id NOT IN (SELECT batch_id FROM {VOIDS} WHERE row_id IS NULL AND seq <= $after)
    """


def _params(after: int, upto: int, as_of: dt.date | None) -> dict:
    return {"after": after, "upto": upto, "as_of": as_of}


def _fact_tables(con) -> list[str]:
    from ..store import FACT_TABLES_QUERY

    return [r[0] for r in con.execute(FACT_TABLES_QUERY).fetchall()]


@dataclass
class Totals:
    """Rows an entry changed in one table: how many, the earliest business date, money sums (元)."""

    rows: int = 0
    earliest: dt.date | None = None  # None with rows > 0: some row has no date (counts for every period)
    undated: bool = False
    sums: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"rows": self.rows, "earliest": self.earliest.isoformat() if self.earliest else None, "sums": {k: json_yuan(v) for k, v in self.sums.items()}}


def entry_totals(con: duckdb.DuckDBPyConnection, after: int, upto: int, as_of: dt.date | None = None) -> dict[int, dict[str, dict[int, Totals]]]:
    """{seq: {table: {sign: Totals}}} of the entries in (after, upto] that changed rows dated by `as_of`."""
    out: dict = {}
    params = _params(after, upto, as_of)
    for table in _fact_tables(con):
        money = journal.money_columns(con, table)
        sums = "".join(f", coalesce(sum({c}), 0)" for c in money)
        rows = con.execute(
            f"SELECT seq, sign, count(*), min(day), bool_or(day IS NULL){sums} FROM ({changed_rows_sql(con, table)}) GROUP BY seq, sign",
            params,
        ).fetchall()
        for seq, sign, n, earliest, undated, *amounts in rows:
            out.setdefault(seq, {}).setdefault(table, {})[sign] = Totals(n, earliest, bool(undated), {c: yuan(a) for c, a in zip(money, amounts)})
    return out


def earliest(per_table: dict[str, dict[int, Totals]]) -> dt.date | None:
    """The earliest business date among rows an entry changed; date.min when one has no date; None when none."""
    days = [dt.date.min if t.undated else t.earliest for signs in per_table.values() for t in signs.values() if t.rows]
    return min(days) if days else None


@dataclass(frozen=True)
class Row:
    """One row an entry added (+1) or took out (−1), with what it says and where it came from."""

    seq: int
    sign: int
    table: str
    id: int
    batch_id: int
    source_row: int
    day: dt.date | None
    key: str
    fields: dict  # business fields, Python values (Decimal for money)

    def same_facts(self, other: "Row") -> bool:
        """Whether two rows say the same thing (their business fields are equal)."""
        return self.table == other.table and self.fields == other.fields

    def to_json(self) -> dict:
        return {
            "table": self.table,
            "id": self.id,
            "batch_id": self.batch_id,
            "source_row": self.source_row,
            "business_date": self.day.isoformat() if self.day else None,
            "key": self.key,
            "fields": {k: plain(v) for k, v in self.fields.items()},
        }


def plain(value):
    """A field value as JSON: money 元 strings, dates ISO, the rest as is."""
    if isinstance(value, Decimal):
        return json_yuan(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@functools.cache
def _specs() -> dict:
    from ..importing.schema import kinds

    return {spec.table: spec for spec in kinds().values()}


def key_fields(table: str) -> tuple[str, ...]:
    """The natural key of a table's rows (contract number …, with the occurrence counter of repeatable kinds)."""
    spec = _specs().get(table)
    if spec is None:
        return ("id",)
    return tuple(spec.key) + (("occurrence",) if spec.repeatable else ())


def field_label(table: str, name: str) -> str:
    """A column's Chinese header (放款金额 for loans.amount), else its name."""
    spec = _specs().get(table)
    labels = {"is_programme": "知识价值信用贷款", "occurrence": "同日重复序号"}
    if spec is not None:
        for c in spec.columns:
            if c.field == name:
                return c.header
    return labels.get(name, name)


def entry_rows(con: duckdb.DuckDBPyConnection, after: int, upto: int, as_of: dt.date | None = None) -> list[Row]:
    """Every row entries in (after, upto] added or took out, dated by `as_of`, in entry, table and sheet order."""
    out: list[Row] = []
    params = _params(after, upto, as_of)
    for table in _fact_tables(con):
        cur = con.execute(f"SELECT * FROM ({changed_rows_sql(con, table)}) ORDER BY seq, sign, source_row, id", params)
        names = [d[0] for d in cur.description]
        key = key_fields(table)
        for values in cur.fetchall():
            r = dict(zip(names, values))
            fields = {k: v for k, v in r.items() if k not in HIDDEN and k not in ("seq", "sign", "day")}
            label = " / ".join("" if r.get(k) is None else str(r.get(k)) for k in key)
            out.append(Row(r["seq"], r["sign"], table, r["id"], r["batch_id"], r["source_row"], r["day"], label, fields))
    out.sort(key=lambda x: (x.seq, -x.sign, x.table, x.source_row, x.id))
    return out


@dataclass
class EntryInfo:
    """A journal entry as `report changes` names it: who, when, what file and batch, why."""

    seq: int
    recorded_at: dt.datetime
    os_user: str
    action: str
    batch_id: int | None
    entry_hash: str
    file_name: str = ""
    sheet: str = ""
    kind: str = ""
    target: str = ""
    reason: str = ""

    def to_json(self) -> dict:
        d = dict(self.__dict__)
        d["recorded_at"] = self.recorded_at.isoformat() + "Z"
        return d


def entries_between(con: duckdb.DuckDBPyConnection, after: int, upto: int) -> list[EntryInfo]:
    """The journal entries in (after, upto], with the file and sheet of the batch each concerns."""
    rows = con.execute(
        "SELECT j.seq, j.recorded_at, j.os_user, j.action, j.batch_id, j.entry_hash, j.detail, b.file_name, b.sheet, b.kind "
        "FROM journal j LEFT JOIN import_batches b ON b.id = j.batch_id WHERE j.seq > ? AND j.seq <= ? ORDER BY j.seq",
        [after, upto],
    ).fetchall()
    out = []
    for seq, when, user, action, batch_id, entry_hash, detail, file_name, sheet, kind in rows:
        try:
            d = json.loads(detail)
        except ValueError:
            d = {}
        out.append(
            EntryInfo(seq, when, user, action, batch_id, entry_hash, file_name or "", sheet or "", kind or "", d.get("target", "") or "", d.get("reason", "") or "")
        )
    return out
