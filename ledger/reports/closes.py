"""Period closes as recorded in the journal, and the later entries that adjust a closed period.

A close (`ledger close 2021-10`, written by `ledger.closing`) is a journal entry of action
"close" holding the period, the headline figures as of the period's end, their digest and
the head of the journal when it was made. An import or void recorded after a close
*adjusts* that closed period (以前期间调整) when it adds or takes out at least one row
whose business date (`effects`: the earliest date in the row; a row without a date counts
for every period) is on or before the period's end. Such entries still go in; they are
warned about when made, listed by the next summary and explained by `report changes`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import duckdb

from .. import journal
from .effects import EntryInfo, Totals, earliest, entries_between, entry_totals

CLOSE = "close"


@dataclass(frozen=True)
class Close:
    """One period close: the entry that records it and what it holds."""

    seq: int
    entry_hash: str
    recorded_at: dt.datetime
    os_user: str
    period: str
    start: dt.date
    end: dt.date
    note: str
    figures: dict  # headline.values_json as recorded
    digest: str
    head_entry: int
    head_hash: str

    def to_json(self) -> dict:
        return {
            "seq": self.seq,
            "entry_hash": self.entry_hash,
            "recorded_at": self.recorded_at.isoformat() + "Z",
            "os_user": self.os_user,
            "period": self.period,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "note": self.note,
            "figures": self.figures,
            "digest": self.digest,
            "head": {"entry": self.head_entry, "hash": self.head_hash},
        }


def closes(con: duckdb.DuckDBPyConnection, upto: int | None = None) -> list[Close]:
    """Every close recorded at or before entry `upto` (all when None), in journal order."""
    rows = con.execute(
        "SELECT seq, entry_hash, recorded_at, os_user, detail FROM journal WHERE action = ? AND seq <= ? ORDER BY seq",
        [CLOSE, upto if upto is not None else journal.last(con)[0]],
    ).fetchall()
    out = []
    for seq, entry_hash, when, user, detail in rows:
        d = json.loads(detail)
        head = d.get("head") or {}
        out.append(
            Close(
                seq, entry_hash, when, user, d["period"], dt.date.fromisoformat(d["from"]), dt.date.fromisoformat(d["to"]),
                d.get("note") or "", d.get("figures") or {}, d.get("digest", ""), head.get("entry", 0), head.get("hash", ""),
            )
        )
    return out


def find_close(con: duckdb.DuckDBPyConnection, period: str, upto: int | None = None) -> Close | None:
    """The close of `period` (e.g. "2021-10"), if the journal holds one by entry `upto`."""
    return next((c for c in closes(con, upto) if c.period == period), None)


@dataclass
class Adjustment:
    """An entry recorded after a close that changed rows dated in or before the closed period."""

    entry: EntryInfo
    tables: dict[str, dict[int, Totals]]  # table → {+1 added, −1 taken out: Totals}

    def to_json(self) -> dict:
        return {
            **self.entry.to_json(),
            "tables": {
                t: {"added": s[1].to_json() if 1 in s else None, "removed": s[-1].to_json() if -1 in s else None}
                for t, s in sorted(self.tables.items())
            },
        }


@dataclass
class PriorAdjustments:
    """The adjustments made to a closed period since its close (as known at entry `upto`)."""

    close: Close
    upto: int
    entries: list[Adjustment] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "period": self.close.period,
            "close_entry": self.close.seq,
            "to": self.close.end.isoformat(),
            "known_at": self.upto,
            "entries": [a.to_json() for a in self.entries],
        }


def adjustments(con: duckdb.DuckDBPyConnection, close: Close, upto: int) -> PriorAdjustments:
    """The entries in (close, upto] whose rows still counted at `upto` change figures as of the close's end."""
    totals = entry_totals(con, close.seq, upto, close.end)
    info = {e.seq: e for e in entries_between(con, close.seq, upto)}
    found = [Adjustment(info[seq], per) for seq, per in sorted(totals.items()) if seq in info]
    return PriorAdjustments(close, upto, found)


def prior_adjustments(con: duckdb.DuckDBPyConnection, end: dt.date, known: tuple[int, str] | None = None) -> PriorAdjustments | None:
    """For a report ending on `end`: the adjustments to the latest closed period ending on or before it (None without one)."""
    upto = known[0] if known else journal.last(con)[0]
    before = [c for c in closes(con, upto) if c.end <= end]
    if not before:
        return None
    latest = max(before, key=lambda c: (c.end, c.seq))
    return adjustments(con, latest, upto)


@dataclass(frozen=True)
class Adjusts:
    """A new entry adjusting a closed period: which entry, which period, and how many rows dated in it."""

    seq: int
    action: str
    period: str
    end: dt.date
    rows: int

    def to_json(self) -> dict:
        return {"entry": self.seq, "action": self.action, "period": self.period, "to": self.end.isoformat(), "rows": self.rows}

    def words(self) -> str:
        verb = {"import": "导入", "void": "作废"}.get(self.action, self.action)
        return (
            f"以前期间调整: 第{self.seq}条日志({verb})涉及 {self.rows} 行业务日期在 {self.end.isoformat()} 及以前的数据,"
            f"调整了已结账期间 {self.period};已照常记入,下期汇总将列出此调整,"
            f"差异说明见 `ledger report changes --since {self.period}`。"
        )


def adjusted_by(con: duckdb.DuckDBPyConnection, after: int) -> list[Adjusts]:
    """The closed periods that the entries recorded after entry `after` adjust (for the warning when they are made)."""
    upto = journal.last(con)[0]
    if upto <= after:
        return []
    found = [c for c in closes(con, upto) if c.seq <= after]
    if not found:
        return []
    out = []
    actions = {e.seq: e.action for e in entries_between(con, after, upto)}
    for seq in range(after + 1, upto + 1):
        per = entry_totals(con, seq - 1, seq)
        if not per:
            continue
        first = earliest(per[seq])
        if first is None:
            continue
        for c in found:
            if first <= c.end:
                dated = entry_totals(con, seq - 1, seq, c.end).get(seq, {})
                rows = sum(t.rows for signs in dated.values() for t in signs.values())
                out.append(Adjusts(seq, actions.get(seq, ""), c.period, c.end, rows))
    return out
