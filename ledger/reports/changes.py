"""What changed since a close or a journal entry (`ledger report changes --since 2021-10|12`).

For each headline figure (`headline`) its value then (recorded by the close, or computed as
known at the entry) and now, and the difference; the journal entries in between that made
it (imports and voids, with file, batch and the rows each added or took out, `effects`);
and the rows side by side: rows taken out and added back under the same natural key are
paired, so a corrected resubmission reads as "HT-002 150万 → 160万" and the unchanged rest
as a count. The money the rows add up to is the difference in the figures: nothing else
moves a figure between two entries.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from .. import journal
from ..errors import UsageError
from ..known_at import Basis, entry_at, shadow
from ..money import json_yuan
from .closes import Close, find_close
from .effects import EntryInfo, Row, entries_between, entry_rows, field_label, plain
from .headline import figure_json, from_json, headline


@dataclass(frozen=True)
class FigureChange:
    """One headline figure then and now."""

    key: str
    label: str
    kind: str
    then: Decimal | int | None
    now: Decimal | int | None

    @property
    def difference(self):
        """now − then (None when either is not a number, e.g. a ratio over zero)."""
        if self.then is None or self.now is None:
            return None
        return self.now - self.then

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "then": figure_json(self.kind, self.then),
            "now": figure_json(self.kind, self.now),
            "difference": figure_json(self.kind, self.difference),
        }


@dataclass
class EntryChange:
    """One journal entry between then and now with the rows it added and took out."""

    entry: EntryInfo
    added: list[Row] = field(default_factory=list)
    removed: list[Row] = field(default_factory=list)

    def totals(self) -> dict:
        """table → {added: {rows, sums}, removed: {rows, sums}}: money sums in 元."""
        out: dict = {}
        for name, rows in (("added", self.added), ("removed", self.removed)):
            for r in rows:
                t = out.setdefault(r.table, {"added": {"rows": 0, "sums": {}}, "removed": {"rows": 0, "sums": {}}})[name]
                t["rows"] += 1
                for col, value in money_fields(r).items():
                    t["sums"][col] = t["sums"].get(col, Decimal(0)) + value
        return out

    def to_json(self) -> dict:
        totals = {
            table: {side: {"rows": t["rows"], "sums": {c: json_yuan(v) for c, v in t["sums"].items()}} for side, t in sides.items()}
            for table, sides in self.totals().items()
        }
        return {
            **self.entry.to_json(),
            "totals": totals,
            "added": [r.to_json() for r in self.added],
            "removed": [r.to_json() for r in self.removed],
        }


def money_fields(r: Row) -> dict[str, Decimal]:
    """A row's money fields (元) that hold an amount."""
    return r.amounts()


@dataclass(frozen=True)
class RowDiff:
    """Rows of one natural key between then and now: changed (old → new), added, or taken out."""

    status: str  # changed | added | removed
    table: str
    key: str
    old: Row | None
    new: Row | None

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, old, new) of each business field that differs."""
        if self.old is None or self.new is None:
            return []
        return [(k, self.old.fields.get(k), v) for k, v in self.new.fields.items() if self.old.fields.get(k) != v]

    def net(self) -> dict[str, Decimal]:
        """What the rows add to each money column: new − old."""
        out: dict[str, Decimal] = {}
        for row, sign in ((self.new, 1), (self.old, -1)):
            if row is not None:
                for col, value in money_fields(row).items():
                    out[col] = out.get(col, Decimal(0)) + sign * value
        return out

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "table": self.table,
            "key": self.key,
            "old": None if self.old is None else {**self.old.to_json(), "entry": self.old.seq},
            "new": None if self.new is None else {**self.new.to_json(), "entry": self.new.seq},
            "changed_fields": [{"field": f, "label": field_label(self.table, f), "old": plain(a), "new": plain(b)} for f, a, b in self.changed_fields()],
            "net": {c: json_yuan(v) for c, v in self.net().items()},
        }


def pair_rows(rows: list[Row]) -> tuple[list[RowDiff], int]:
    """Rows taken out and added under the same table and key, paired in order: the differences and how many are unchanged."""
    groups: dict[tuple[str, str], tuple[list[Row], list[Row]]] = {}
    for r in rows:
        removed, added = groups.setdefault((r.table, r.key), ([], []))
        (added if r.sign > 0 else removed).append(r)
    diffs: list[RowDiff] = []
    unchanged = 0
    for (table, key), (removed, added) in groups.items():
        for old, new in zip(removed, added):
            if old.same_facts(new):
                unchanged += 1
            else:
                diffs.append(RowDiff("changed", table, key, old, new))
        diffs += [RowDiff("removed", table, key, old, None) for old in removed[len(added):]]
        diffs += [RowDiff("added", table, key, None, new) for new in added[len(removed):]]
    order = {"changed": 0, "added": 1, "removed": 2}
    diffs.sort(key=lambda d: (d.table, order[d.status], d.key))
    return diffs, unchanged


def net_by_table(diffs: list[RowDiff]) -> dict:
    """table → {rows_added, rows_removed, rows_changed, sums: {col: 元}}; loans also split by_product (programme/other)."""
    out: dict = {}
    for d in diffs:
        t = out.setdefault(d.table, {"rows_added": 0, "rows_removed": 0, "rows_changed": 0, "sums": {}})
        t[f"rows_{d.status}"] += 1
        for col, value in d.net().items():
            t["sums"][col] = t["sums"].get(col, Decimal(0)) + value
        for row, sign in ((d.new, 1), (d.old, -1)):
            if row is not None and "is_programme" in row.fields:
                side = t.setdefault("by_product", {"programme": {}, "other": {}})["programme" if row.fields["is_programme"] else "other"]
                for col, value in money_fields(row).items():
                    side[col] = side.get(col, Decimal(0)) + sign * value
    return out


@dataclass
class Changes:
    """Figures then and now, the entries in between, and the rows that differ."""

    since: str  # what --since named: "2021-10" or "12"
    close: Close | None
    then: Basis
    now: Basis
    figures: list[FigureChange]
    entries: list[EntryChange]
    diffs: list[RowDiff]
    unchanged: int
    other_entries: list[EntryInfo]  # entries in between that changed no row dated by as_of (closes, later-dated rows)

    @property
    def as_of(self) -> dt.date:
        return self.now.as_of

    def net(self) -> dict:
        return net_by_table(self.diffs)

    def to_json(self) -> dict:
        def sums(d: dict) -> dict:
            return {c: json_yuan(v) for c, v in d.items()}

        net = {}
        for table, t in self.net().items():
            net[table] = {**{k: v for k, v in t.items() if k.startswith("rows_")}, "sums": sums(t["sums"])}
            if "by_product" in t:
                net[table]["by_product"] = {k: sums(v) for k, v in t["by_product"].items()}
        return {
            "since": self.since,
            "close": None if self.close is None else {"period": self.close.period, "entry": self.close.seq, "note": self.close.note, "digest": self.close.digest},
            "as_of": self.as_of.isoformat(),
            "then": self.then.to_json(),
            "now": self.now.to_json(),
            "basis": self.now.to_json(),
            "figures": [f.to_json() for f in self.figures],
            "entries": [e.to_json() for e in self.entries],
            "rows": [d.to_json() for d in self.diffs],
            "unchanged_rows": self.unchanged,
            "net": net,
            "other_entries": [e.to_json() for e in self.other_entries],
        }


def resolve_since(con: duckdb.DuckDBPyConnection, text: str, upto: int) -> tuple[int, Close | None]:
    """--since: an entry number, or a closed period (its close entry); a usage error otherwise."""
    text = (text or "").strip()
    if re.fullmatch(r"\d+", text):
        seq = entry_at(con, int(text))[0]
        if seq > upto:
            raise UsageError(f"--since 第 {seq} 条日志晚于比较的第 {upto} 条日志", "--since 应早于 --known-at(或当前末条日志)。")
        return seq, None
    from ..closing import parse_period

    period = parse_period(text)[0]
    close = find_close(con, period, upto)
    if close is None:
        raise UsageError(f"期间 {period} 尚未结账", "先运行 `ledger close " + period + "`,或用日志序号比较,如 --since 12(见 `ledger log`)。")
    return close.seq, close


def changes(con: duckdb.DuckDBPyConnection, since: str, as_of: dt.date | None, known: tuple[int, str] | None = None, today: dt.date | None = None) -> Changes:
    """The headline figures then and now as of a date, and the entries and rows that make the difference.

    `known` is the entry "now" is read at (the store's `--known-at`, else the journal's head);
    "then" is the close's recorded figures (for `--as-of` its period's end) or the figures as
    known at the entry. Leaves the connection shadowed at "then" when it had to compute them.
    """
    upto, upto_hash = known if known else journal.last(con)
    after, close = resolve_since(con, since, upto)
    day = as_of or (close.end if close else (today or dt.date.today()))
    now_figures = headline(con, day)
    if close is not None:
        then_basis = Basis(day, close.head_entry, close.head_hash)
    else:
        then_basis = Basis(day, *entry_at(con, after))
    if close is not None and day == close.end:
        then_figures = from_json(close.figures, now_figures)
    else:
        shadow(con, then_basis.entry)
        then_figures = headline(con, day)
    by_key = {f.key: f for f in then_figures}
    figures = [FigureChange(f.key, f.label, f.kind, by_key[f.key].value if f.key in by_key else None, f.value) for f in now_figures]
    rows = entry_rows(con, after, upto, day)
    infos = entries_between(con, after, upto)
    entries = []
    others = []
    for info in infos:
        mine = [r for r in rows if r.seq == info.seq]
        if mine:
            entries.append(EntryChange(info, [r for r in mine if r.sign > 0], [r for r in mine if r.sign < 0]))
        else:
            others.append(info)
    diffs, unchanged = pair_rows(rows)
    return Changes(since, close, then_basis, Basis(day, upto, upto_hash), figures, entries, diffs, unchanged, others)
