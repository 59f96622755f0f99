"""Consistent copies of the ledger: a backup that is itself a ledger, and exports for others.

All three read the ledger through a read-only connection, which DuckDB refuses while a
writer holds the file (and which keeps writers out while it is open), so each copy is
one consistent state. A copy is written beside its destination under a temporary name
and renamed into place only when complete: an interrupted backup leaves no half file.

- `backup`: `COPY FROM DATABASE` into a new DuckDB file (tables, sequences, views), then
  the copy is verified on its own (hash chain, rows, totals) and compared table by table
  with the source before it takes the destination name.
- `export_parquet`: one parquet file per table plus `manifest.json` (row counts, sha256 of
  each file, the journal's head hash) for auditors' own tools.
- `export_xlsx`: one sheet per table; every text cell is written through `xlsx_safe`, so
  imported text such as `=HYPERLINK(…)` stays text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from . import journal
from .errors import LedgerDamaged, UsageError
from .store import Store, sql_text

TABLES_QUERY = """
SELECT table_name FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name
"""
XLSX_MAX_ROWS = 1_048_576  # rows per sheet in Excel, header included


@dataclass
class Copy:
    """What a backup or export wrote: where, how many rows per table, the journal head it holds."""

    path: Path
    kind: str  # backup | parquet | xlsx
    head: str
    entries: int
    tables: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # file name → sha256 (parquet)

    def to_json(self) -> dict:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "journal_head": self.head,
            "journal_entries": self.entries,
            "tables": self.tables,
            "files": self.files,
        }


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(TABLES_QUERY).fetchall()]


def _counts(con: duckdb.DuckDBPyConnection, database: str | None = None) -> dict[str, int]:
    prefix = f'"{database}".main.' if database else ""
    if database:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY table_name", [database]
            ).fetchall()
        ]
    else:
        names = _tables(con)
    return {t: con.execute(f"SELECT count(*) FROM {prefix}{t}").fetchone()[0] for t in names}


def _require_verified(store: Store, what: str) -> None:
    breaks = journal.verify(store.con)
    if breaks:
        first = breaks[0]
        raise LedgerDamaged(
            f"账本核验未通过,未{what}: {first.where}起不一致 — {first.what}",
            "请先运行 `ledger verify` 查明原因;如需保全现状作为证据,请直接复制账本文件。",
        )


def _fresh(out: Path, what: str) -> None:
    if out.exists():
        raise UsageError(f"{what}目标已存在: {out}", "为免覆盖已有文件,请指定一个新的路径。")
    if not out.parent.exists():
        raise UsageError(f"目录不存在: {out.parent}", "请先创建该目录。")


def _partial(out: Path) -> Path:
    return out.with_name(f".{out.name}.partial-{os.getpid()}")


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def backup(source: Path, out: Path) -> Copy:
    """Copy the ledger at `source` to a new ledger file `out` that verifies on its own.

    Refused if `out` exists, or if the source does not verify (a backup is a copy you can
    trust; to preserve a damaged file as evidence, copy the file itself).
    """
    _fresh(out, "备份")
    tmp = _partial(out)
    try:
        with Store.open(source, read_only=True) as store:
            _require_verified(store, "备份")
            head, entries = journal.head(store.con), store.con.execute("SELECT count(*) FROM journal").fetchone()[0]
            name = store.con.execute("SELECT current_database()").fetchone()[0]
            store.con.execute(f"ATTACH {sql_text(tmp)} AS ledger_backup (READ_ONLY false)")
            store.con.execute(f'COPY FROM DATABASE "{name}" TO ledger_backup')
            copied, original = _counts(store.con, "ledger_backup"), _counts(store.con)
            store.con.execute("DETACH ledger_backup")
        if copied != original:
            raise LedgerDamaged(f"备份与原账本的行数不一致: {copied} ≠ {original}", "请重试;如仍不一致,请检查磁盘。")
        with Store.open(tmp, read_only=True) as copy:
            breaks = journal.verify(copy.con)
            copy_head = journal.head(copy.con)
        if breaks or copy_head != head:
            raise LedgerDamaged(f"备份核验未通过: {breaks[0].what if breaks else '日志末条哈希不一致'}", "请重试;如仍失败,请检查磁盘。")
        _fsync(tmp)
        os.replace(tmp, out)
    except duckdb.Error as exc:
        raise LedgerDamaged(f"备份失败: {str(exc).splitlines()[0]}", "请检查目标磁盘空间与权限后重试。") from None
    except OSError as exc:
        raise UsageError(f"无法写出备份 {out}: {exc.strerror or exc}", "请检查目标路径是否可写、磁盘空间是否足够。") from None
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return Copy(out, "backup", head, entries, original)


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _empty_dir(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"导出目录已存在且不为空: {out}", "请指定一个新的或空的目录。")
    if not out.parent.exists():
        raise UsageError(f"目录不存在: {out.parent}", "请先创建上级目录。")


def export_parquet(source: Path, out: Path) -> Copy:
    """One parquet file per table of the ledger into the new (or empty) directory `out`, plus a manifest.

    The manifest names the ledger, the time, the journal head hash and, per table, the
    file, its row count and sha256, so a recipient can tell the export is whole.
    """
    _empty_dir(out)
    tmp = _partial(out)
    try:
        tmp.mkdir()
        with Store.open(source, read_only=True) as store:
            con = store.con
            con.execute("BEGIN TRANSACTION")  # one snapshot for every table
            head, entries = journal.head(con), con.execute("SELECT count(*) FROM journal").fetchone()[0]
            version = store.schema_version()
            copy = Copy(out, "parquet", head, entries)
            for table in _tables(con):
                target = tmp / f"{table}.parquet"
                con.execute(f"COPY (SELECT * FROM {table} ORDER BY ALL) TO {sql_text(target)} (FORMAT parquet, COMPRESSION zstd)")
                copy.tables[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                copy.files[target.name] = _sha256_file(target)
            con.execute("COMMIT")
        manifest = {
            "ledger": str(source),
            "exported_at": journal.now().isoformat(timespec="seconds") + "Z",
            "schema_version": version,
            **copy.to_json(),
            "path": str(out),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except duckdb.Error as exc:
        raise LedgerDamaged(f"导出失败: {str(exc).splitlines()[0]}", "请检查目标磁盘空间与权限后重试。") from None
    except OSError as exc:
        raise UsageError(f"无法写出导出目录 {out}: {exc.strerror or exc}", "请检查目标路径是否可写、磁盘空间是否足够。") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return copy


# How the export shows what DuckDB holds: money (DECIMAL(18,2) 元) with separators and two places.
EXPORT_FORMATS = ((Decimal, "#,##0.00"), (dt.datetime, "yyyy-mm-dd hh:mm:ss"), (dt.date, "yyyy-mm-dd"))


def _export_cell(ws, value):
    """A cell of the export: amounts and dates keep their value and get a format a reader expects."""
    from openpyxl.cell import WriteOnlyCell

    from . import xlsx_safe

    for kind, number_format in EXPORT_FORMATS:
        if isinstance(value, kind):
            c = WriteOnlyCell(ws, value=value)
            c.number_format = number_format
            return c
    return xlsx_safe.cell(ws, value)


def export_xlsx(source: Path, out: Path) -> Copy:
    """Every table of the ledger as a sheet of a new workbook `out` (a table longer than a sheet continues on the next).

    Text cells go through `xlsx_safe`, so text that looks like a formula stays text.
    """
    from openpyxl import Workbook

    from . import xlsx_safe
    from .xlsx_print import printable

    _fresh(out, "导出")
    tmp = _partial(out)
    try:
        wb = Workbook(write_only=True)
        with Store.open(source, read_only=True) as store:
            con = store.con
            con.execute("BEGIN TRANSACTION")
            head, entries = journal.head(con), con.execute("SELECT count(*) FROM journal").fetchone()[0]
            copy = Copy(out, "xlsx", head, entries)
            for table in _tables(con):
                cur = con.execute(f"SELECT * FROM {table} ORDER BY ALL")
                header = [d[0] for d in cur.description]
                n = 0
                ws, in_sheet, part = None, XLSX_MAX_ROWS, 0
                while chunk := cur.fetchmany(10_000):
                    for values in chunk:
                        if in_sheet >= XLSX_MAX_ROWS:
                            part += 1
                            ws = wb.create_sheet(table if part == 1 else f"{table} ({part})"[:31])
                            printable(ws, 1)
                            ws.append(xlsx_safe.row(ws, header))
                            in_sheet = 1
                        ws.append([_export_cell(ws, v) for v in values])
                        in_sheet += 1
                        n += 1
                if ws is None:  # an empty table still gets its sheet and header
                    ws = wb.create_sheet(table)
                    printable(ws, 1)
                    ws.append(xlsx_safe.row(ws, header))
                copy.tables[table] = n
            con.execute("COMMIT")
        wb.save(tmp)
        _fsync(tmp)
        os.replace(tmp, out)
    except duckdb.Error as exc:
        raise LedgerDamaged(f"导出失败: {str(exc).splitlines()[0]}", "请重试。") from None
    except OSError as exc:
        raise UsageError(f"无法写出 {out}: {exc.strerror or exc}", "请检查路径是否可写,以及文件是否正被 Excel 打开。") from None
    finally:
        tmp.unlink(missing_ok=True)
    return copy

