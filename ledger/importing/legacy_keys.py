"""Keys stored by older ledgers, read the way the importer reads keys now (schema version 2).

Since version 2 the importer stores identifiers and names as `text.identifier_key` and
`text.name_key` give them, so two cells a person reads alike are one key. Rows stored before
cannot be rewritten: the journal hashes their cells, and history is never updated. Instead
the upgrade to version 2 (`migrate`) reads every stored key and name cell through the same
functions and records, in one journal entry of its own (action `migrate`), each cell whose
key differs from what is stored (`gbk3` → `GBK3`, `HX\u200b0001` → `HX0001`). An import then
compares its keys with the stored rows through `keyed_rows`, which shows those rows under
their key: a resent loan is found whatever spelling the older row has. Nothing is rewritten,
so `ledger verify` passes before and after.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import duckdb

MIGRATION = "migrate"
KEY_TYPES = ("id", "name", "code")


def key_columns() -> dict[str, dict[str, str]]:
    """Every stored key and name column, by table: {column: column type (id, name or code)}."""
    from .schema import kinds

    out: dict[str, dict[str, str]] = {}
    for spec in kinds().values():
        for col in spec.columns:
            if col.type in KEY_TYPES:
                out.setdefault(spec.table, {})[col.field] = col.type
    return out


def migrate(con: duckdb.DuckDBPyConnection) -> dict:
    """Record, in a `migrate` journal entry, every stored key or name cell whose key differs from it.

    Each distinct stored value is read once. Returns the entry's detail. Runs inside the
    caller's transaction (the schema upgrade's).
    """
    from .. import journal
    from .values import stored_key

    changed = []
    for table, columns in sorted(key_columns().items()):
        present = set(journal.table_columns(con, table))
        for column, kind in sorted(columns.items()):
            if column not in present:
                continue
            values = [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()]
            keys = {v: k for v in values if (k := stored_key(v, kind)) != v}
            if not keys:
                continue
            rows = con.execute(f"SELECT id, {column} FROM {table} WHERE {column} IN (SELECT unnest(?::VARCHAR[])) ORDER BY id", [list(keys)]).fetchall()
            changed.extend({"table": table, "column": column, "id": i, "stored": v, "key": keys[v]} for i, v in rows)
    detail = {"schema_version": 2, "what": "标识符与名称按规范化规则比对", "keys": changed}
    journal.append(con, MIGRATION, detail, content=journal.record_digest(detail))
    return detail


def legacy(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, dict[int, str]]:
    """The stored cells of `table` whose key differs from them: {column: {row id: key}} (empty for most ledgers)."""
    out: dict[str, dict[int, str]] = {}
    for (detail,) in con.execute("SELECT detail FROM journal WHERE action = ? ORDER BY seq", [MIGRATION]).fetchall():
        for cell in json.loads(detail).get("keys", ()):
            if cell.get("table") == table:
                out.setdefault(cell["column"], {})[cell["id"]] = cell["key"]
    return out


@contextlib.contextmanager
def keyed_rows(con: duckdb.DuckDBPyConnection, table: str) -> Iterator[str]:
    """SQL naming the live rows of `table` with every key and name cell as its key: `v_<table>` on most ledgers.

    On a ledger upgraded from version 1 with cells whose key differs from them, those cells
    are shown under their key (a registered frame joined by row id), for the block's queries.
    """
    cells = legacy(con, table)
    if not cells:
        yield f"v_{table}"
        return
    import pandas as pd

    from ..store import registered

    frame = pd.DataFrame(
        [(i, column, key) for column, keys in cells.items() for i, key in keys.items()], columns=["id", "column_name", "key"]
    ).astype({"id": "int64", "column_name": "object", "key": "object"})
    replaced = ", ".join(
        f"coalesce((SELECT k.key FROM legacy_keys k WHERE k.id = t.id AND k.column_name = '{c}'), t.{c}) AS {c}" for c in cells
    )
    with registered(con, "legacy_keys", frame):
        yield f"(SELECT * REPLACE ({replaced}) FROM v_{table} t)"
