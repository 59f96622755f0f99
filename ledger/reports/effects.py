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

HIDDEN = ("id", "batch_id", "source_row")  # columns that say where a row is, not what it says


def column_types(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Every table's (column, type) in stored order, in one catalog query (each such query costs milliseconds)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' ORDER BY table_name, column_index"
    ).fetchall():
        out.setdefault(table, []).append((column, kind))
    return out


def date_columns(con: duckdb.DuckDBPyConnection, table: str, types: dict | None = None) -> list[str]:
    """A table's DATE columns in their stored order."""
    return [c for c, kind in (types or column_types(con)).get(table, []) if kind == "DATE"]


def business_date_sql(con: duckdb.DuckDBPyConnection, table: str, alias: str = "t", types: dict | None = None) -> str:
    """SQL for a row's business date: the earliest of its dates (NULL for a row without any)."""
    cols = date_columns(con, table, types)
    if not cols:
        return "CAST(NULL AS DATE)"
    if len(cols) == 1:
        return f"{alias}.{cols[0]}"
    return f"least({', '.join(f'{alias}.{c}' for c in cols)})"


@dataclass
class Journaled:
    """The journal's imports and voids, read once: which entry imported each batch, and each void."""

    con: duckdb.DuckDBPyConnection
    imports: dict[int, int]  # batch → seq of its import entry
    voids: tuple[tuple[int, str | None, int | None, int], ...]  # (batch, table, row id or None, seq)
    _tables: dict[int, frozenset[str]] = field(default_factory=dict)
    _types: dict = field(default_factory=dict)

    def types(self) -> dict[str, list[tuple[str, str]]]:
        """`column_types`, read once."""
        if not self._types:
            self._types.update(column_types(self.con))
        return self._types

    def tables(self, batches) -> dict[int, frozenset[str]]:
        """The tables each batch's import entry names (read only for the batches asked about)."""
        missing = sorted(set(batches) - set(self._tables))
        if missing:
            for batch_id, named in self.con.execute(
                "SELECT batch_id, json_keys(detail, '$.tables') FROM journal WHERE action = 'import' AND batch_id IN (SELECT unnest(?::BIGINT[]))",
                [missing],
            ).fetchall():
                self._tables.setdefault(batch_id, frozenset(named or ()))
        return {b: self._tables.get(b, frozenset()) for b in batches}

    def window(self, after: int, upto: int) -> "Window":
        """What the entries in (after, upto] did, table by table."""
        batch_voided = {b: s for b, t, r, s in self.voids if r is None}
        added = {b: s for b, s in self.imports.items() if after < s <= upto and not (b in batch_voided and batch_voided[b] <= upto)}
        taken = {b: s for b, s in batch_voided.items() if after < s <= upto and self.imports.get(b, upto + 1) <= after}
        # a row voided on its own counted at `after` only if its batch was imported and not voided by then
        uncounted = [b for b, s in self.imports.items() if s > after] + [b for b, s in batch_voided.items() if s <= after]
        return Window(self, after, upto, added, taken, uncounted, self.tables([*added, *taken]))


def journaled(con: duckdb.DuckDBPyConnection) -> Journaled:
    """Read the journal's imports and voids (a few thousand entries at city scale: milliseconds)."""
    imports: dict[int, int] = {}
    for batch_id, seq in con.execute("SELECT batch_id, seq FROM journal WHERE action = 'import' AND batch_id IS NOT NULL ORDER BY seq").fetchall():
        imports.setdefault(batch_id, seq)
    voids = con.execute(
        "SELECT v.batch_id, v.table_name, v.row_id, j.seq FROM voids v JOIN journal j "
        "ON j.action = 'void' AND CAST(json_extract(j.detail, '$.void.id') AS INTEGER) = v.id ORDER BY j.seq"
    ).fetchall()
    return Journaled(con, imports, tuple(voids))


@dataclass(frozen=True)
class Window:
    """The batches added and voided by entries in (after, upto], with the tables each import named."""

    journal: Journaled
    after: int
    upto: int
    added: dict[int, int]
    taken: dict[int, int]
    uncounted: list[int]
    tables: dict[int, frozenset[str]]

    def of(self, table: str) -> tuple[dict, dict, dict, list]:
        """For one table: batches added, batches voided, rows voided (each with its entry), rows voided by `upto`."""
        row_voids = [(r, s) for _b, t, r, s in self.journal.voids if t == table and r is not None]
        added = {b: s for b, s in self.added.items() if table in self.tables.get(b, ())}
        taken = {b: s for b, s in self.taken.items() if table in self.tables.get(b, ())}
        rows_taken = {r: s for r, s in row_voids if self.after < s <= self.upto}
        return added, taken, rows_taken, [r for r, s in row_voids if s <= self.upto]


def _pairs(mapping: dict) -> tuple[list[int], list[int]]:
    keys = sorted(mapping)
    return keys, [mapping[k] for k in keys]


def changed_rows(con: duckdb.DuckDBPyConnection, w: Window, table: str, as_of: dt.date | None, select, tail: str = ""):
    """Run `SELECT {select} FROM (seq, sign, day, t.*)` over the rows the window's entries changed in `table`.

    Only rows whose business date is on or before `as_of` (any, when None); None when no
    entry in the window touched the table (nothing is read).
    """
    added, taken, rows_taken, voided_rows = w.of(table)
    uncounted = w.uncounted
    if not (added or taken or rows_taken):
        return None
    types = w.journal.types()
    if callable(select):  # the list may depend on the table's columns
        select = select([c for c, kind in types.get(table, []) if kind == "DECIMAL(18,2)"])
    day = business_date_sql(con, table, types=types)
    dated = "TRUE" if as_of is None else f"({day} IS NULL OR {day} <= $as_of)"
    parts, params = [], {}
    if as_of is not None:
        params["as_of"] = as_of
    for name, mapping, sign, key in (("a", added, 1, "batch_id"), ("b", taken, -1, "batch_id"), ("r", rows_taken, -1, "id")):
        if not mapping:
            continue
        keys, seqs = _pairs(mapping)
        params[f"{name}k"], params[f"{name}s"] = keys, seqs
        where = f"t.{key} BETWEEN {keys[0]} AND {keys[-1]} AND {dated}"
        if key == "batch_id":
            params["voided"] = voided_rows
            where += " AND t.id NOT IN (SELECT unnest($voided::BIGINT[]))"
        else:
            params["uncounted"] = uncounted
            where += " AND t.batch_id NOT IN (SELECT unnest($uncounted::BIGINT[]))"
        parts.append(
            f"SELECT w.seq, {sign} AS sign, {day} AS day, t.* FROM {table} t "
            f"JOIN (SELECT unnest(${name}k::BIGINT[]) AS k, unnest(${name}s::BIGINT[]) AS seq) w ON t.{key} = w.k WHERE {where}"
        )
    return con.execute(f"SELECT {select} FROM ({' UNION ALL '.join(parts)}) {tail}", params)


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


def entry_totals(
    con: duckdb.DuckDBPyConnection, after: int, upto: int, as_of: dt.date | None = None, j: Journaled | None = None
) -> dict[int, dict[str, dict[int, Totals]]]:
    """{seq: {table: {sign: Totals}}} of the entries in (after, upto] that changed rows dated by `as_of`."""
    w = (j or journaled(con)).window(after, upto)
    out: dict = {}
    for table in _fact_tables(con):
        money: list[str] = []

        def select(cols: list[str]) -> str:
            money.extend(cols)
            return "seq, sign, count(*), min(day), bool_or(day IS NULL)" + "".join(f", coalesce(sum({c}), 0)" for c in cols)

        cur = changed_rows(con, w, table, as_of, select, "GROUP BY seq, sign")
        for seq, sign, n, earliest, undated, *amounts in cur.fetchall() if cur is not None else ():
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
    money: tuple[str, ...] = ()  # which fields are money (DECIMAL(18,2) 元)

    def amounts(self) -> dict[str, Decimal]:
        """The row's money fields (元) that hold an amount."""
        return {c: self.fields[c] for c in self.money if self.fields.get(c) is not None}

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
    """A field value as JSON: decimals as written (money has its two places: "1500000.00"), dates ISO, the rest as is."""
    kind = type(value)
    if kind is Decimal:
        return str(value)
    if kind is dt.date or kind is dt.datetime:
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
    w = journaled(con).window(after, upto)
    for table in _fact_tables(con):
        cur = changed_rows(con, w, table, as_of, "*", "ORDER BY seq, sign DESC, source_row, id")
        if cur is None:
            continue
        names = [d[0] for d in cur.description]
        shown = [i for i, n in enumerate(names) if n not in HIDDEN and n not in ("seq", "sign", "day")]
        at = {n: i for i, n in enumerate(names)}
        keys = [at[k] for k in key_fields(table) if k in at]
        money = tuple(c for c, kind in w.journal.types().get(table, []) if kind == "DECIMAL(18,2)")
        for v in cur.fetchall():
            label = " / ".join("" if v[k] is None else str(v[k]) for k in keys)
            out.append(Row(v[0], v[1], table, v[at["id"]], v[at["batch_id"]], v[at["source_row"]], v[2], label, {names[i]: v[i] for i in shown}, money))
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
