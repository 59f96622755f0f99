"""The ledger as known at an earlier journal entry (`--known-at`), and the basis every report states.

Every import and void is a journal entry, so the ledger as it stood after entry N is the
rows of the batches imported at or before N, less the voids recorded at or before N.
Reports read only the `v_<table>` views; `shadow` puts in front of each a temporary view
of the same name holding exactly those rows. DuckDB resolves a name to the temporary
catalog before the file's own (even `main.v_loans`), and temporary objects live in memory,
so this works on a read-only connection and leaves the file untouched. Any reading command
gets "as known at" by opening its store through `Store.known_at` before it computes: one
mechanism for every report, audit, rows listing and export that reads the `v_` views.

The basis (`Basis`) is what a reader needs to reproduce a figure: the business date
(`--as-of`), the journal entry the figures are known at, and that entry's hash.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb

from . import journal
from .errors import UsageError

# A date (any spelling `parse_dates` reads), then optionally a time and a UTC offset.
_MOMENT = re.compile(
    r"^\s*(?P<date>.+?)(?:[\sT]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


@dataclass(frozen=True)
class Basis:
    """What a set of figures rests on: business date, journal entry known at, and its hash."""

    as_of: dt.date | None
    entry: int
    hash: str

    def to_json(self) -> dict:
        """The `basis` object of every `--json` report: {as_of, entry, hash}."""
        return {"as_of": self.as_of.isoformat() if self.as_of else None, "entry": self.entry, "hash": self.hash}

    def words(self) -> str:
        """`数据口径: 截至2021年10月31日业务数据,账本第12条日志,哈希 3fa2c1d0e9ab` (the first 12 characters of the hash) for terminals and workbooks."""
        from .reports.wording import cn_date

        when = f"截至{cn_date(self.as_of)}业务数据" if self.as_of else "账本全部业务数据"
        entry = f"账本第{self.entry}条日志" if self.entry else "账本尚无日志"
        return f"数据口径: {when},{entry},哈希 {self.hash[:HASH_SHOWN]}"

    def rerun(self) -> str:
        """The options that reproduce these figures (`--as-of 2021-10-31 --known-at 12`)."""
        day = f"--as-of {self.as_of.isoformat()} " if self.as_of else ""
        return f"{day}--known-at {self.entry}"


HASH_SHOWN = 12  # characters of a hash shown on terminals (enough to compare with the minutes)


def entry_at(con: duckdb.DuckDBPyConnection, seq: int) -> tuple[int, str]:
    """(seq, hash) of entry `seq`; a usage error when the journal has no such entry."""
    row = con.execute("SELECT seq, entry_hash FROM journal WHERE seq = ?", [seq]).fetchone()
    if row is None:
        last = journal.last(con)[0]
        span = f"现有第 1–{last} 条" if last else "账本尚无日志"
        raise UsageError(f"账本中没有第 {seq} 条日志({span})", "日志序号见 `ledger log`;也可写日期时间,如 --known-at \"2021-11-05 10:00\"。")
    return row[0], row[1]


def parse_moment(text: str) -> dt.datetime | None:
    """A local date-time (or a date: the end of that day) as naive UTC, like the journal's times; None if not one.

    `2021-11-05 10:00`, `2021-11-05T10:00:30`, `2021/11/05 10:00`, `2021年11月5日` (end of the day)
    are local time; a trailing `Z` or `+08:00` gives the offset instead.
    """
    from .importing.values import parse_dates

    m = _MOMENT.match(text)
    if not m:
        return None
    (day,), bad = parse_dates([m.group("date")])
    if bad or day is None:
        return None
    if m.group("time"):
        parts = re.split(r"[:.]", m.group("time"))
        try:
            clock = dt.time(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) > 2 else 0, int(parts[3].ljust(6, "0")) if len(parts) > 3 else 0)
        except ValueError:
            return None
    else:
        clock = dt.time.max  # a date alone: as known at the end of that day
    moment = dt.datetime.combine(day, clock)
    tz = m.group("tz")
    if tz:
        if tz == "Z":
            offset = dt.timezone.utc
        else:
            sign = -1 if tz[0] == "-" else 1
            digits = tz[1:].replace(":", "")
            offset = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        moment = moment.replace(tzinfo=offset)
    else:
        moment = moment.astimezone()  # the machine's local time zone
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def resolve(con: duckdb.DuckDBPyConnection, text: str) -> tuple[int, str]:
    """`--known-at` to (entry, hash): a journal entry number, or the last entry made by a local date-time."""
    text = (text or "").strip()
    if re.fullmatch(r"\d+", text):
        return entry_at(con, int(text))
    moment = parse_moment(text)
    if moment is None:
        raise UsageError(
            f"无法识别的 --known-at 取值: {text}",
            "写日志序号(如 --known-at 12)或本地日期时间(如 --known-at \"2021-11-05 10:00\";只写日期表示当天结束时)。",
        )
    row = con.execute("SELECT max(seq) FROM journal WHERE recorded_at <= ?", [moment]).fetchone()
    if row[0] is None:
        first = con.execute("SELECT min(recorded_at) FROM journal").fetchone()[0]
        if first is None:
            raise UsageError("账本尚无日志,无法按 --known-at 回看", "先导入数据;日志见 `ledger log`。")
        from .reports.trail_render import local_time

        raise UsageError(f"{text} 早于账本第一条日志({local_time(first)})", "请写该时间之后的日期时间,或写日志序号(见 `ledger log`)。")
    return entry_at(con, row[0])


def _known_batches(con: duckdb.DuckDBPyConnection, seq: int) -> str:
    """SQL condition on `t.batch_id` for the batches imported at or before entry `seq`.

    Batch ids are given in the order batches are imported (one writer at a time, the id and
    its entry in one transaction), so those batches are the ids up to the last one imported
    by then: a range test, as cheap as any filter. Should the journal ever say otherwise, the
    exact set is used instead.
    """
    last, out_of_order = con.execute(
        "SELECT max(batch_id) FILTER (WHERE seq <= $seq), "
        "count(*) FILTER (WHERE (seq <= $seq) <> (batch_id <= (SELECT coalesce(max(batch_id), 0) FROM journal WHERE action = 'import' AND seq <= $seq))) "
        "FROM journal WHERE action = 'import' AND batch_id IS NOT NULL",
        {"seq": seq},
    ).fetchone()
    if not out_of_order:
        return f"t.batch_id <= {int(last or 0)}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE known_batches AS SELECT DISTINCT batch_id FROM journal WHERE seq <= {int(seq)} AND batch_id IS NOT NULL"
    )
    return "t.batch_id IN (SELECT batch_id FROM known_batches)"


def known_rows_sql(table: str, batches: str) -> str:
    """The rows of a fact table as known at the shadowed entry: `store.live_rows_sql` over its batches and `known_voids`."""
    return f"""
            SELECT t.* FROM {table} t
            WHERE {batches}
              AND t.batch_id NOT IN (SELECT batch_id FROM known_voids WHERE row_id IS NULL)
              AND t.id NOT IN (SELECT row_id FROM known_voids WHERE table_name = '{table}' AND row_id IS NOT NULL)
            """


def shadow(con: duckdb.DuckDBPyConnection, seq: int) -> None:
    """Make every `v_<table>` of this connection show the rows as known at entry `seq` (temporary views)."""
    from .store import FACT_TABLES_QUERY

    batches = _known_batches(con, seq)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE known_voids AS SELECT v.* FROM voids v WHERE v.id IN ("
        f"SELECT CAST(json_extract(detail, '$.void.id') AS INTEGER) FROM journal WHERE seq <= {int(seq)} AND action = 'void')"
    )
    for (table,) in con.execute(FACT_TABLES_QUERY).fetchall():
        con.execute(f"CREATE OR REPLACE TEMP VIEW v_{table} AS {known_rows_sql(table, batches)}")


def basis(con: duckdb.DuckDBPyConnection, as_of: dt.date | None, known: tuple[int, str] | None = None) -> Basis:
    """The basis of figures as of `as_of`: the entry they are known at (`known`), else the journal's head."""
    seq, digest = known if known is not None else journal.last(con)
    return Basis(as_of, seq, digest)
