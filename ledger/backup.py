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
from . import ledger_file
from .errors import LedgerDamaged, UsageError, os_words
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
    include_voided: bool | None = None  # exports: whether voided rows of fact tables are in (None: a backup, all of it)
    columns: dict[str, list[dict]] = field(default_factory=dict)  # exports: the 字段说明, table → [{name, label, unit}]

    @property
    def rows_note(self) -> str:
        """What the rows of the fact tables are: live only (as the reports count), or voided ones too, marked."""
        if self.include_voided is None:
            return "完整备份:全部表、全部行(含已作废行与作废记录)"
        if self.include_voided:
            return "含已作废行:事实表增加 voided(是否已作废)、void_reason(作废原因)、void_entry(作废日志序号)三列;合计请只计 voided 为 false 的行"
        return "仅未作废的行:与报表口径一致,可直接求和;已作废的行未导出(需要时用 --include-voided)"

    def to_json(self) -> dict:
        out = {
            "path": str(self.path),
            "kind": self.kind,
            "journal_head": self.head,
            "journal_entries": self.entries,
            "tables": self.tables,
            "files": self.files,
        }
        if self.include_voided is not None:
            out.update(rows="live_and_voided" if self.include_voided else "live", rows_note=self.rows_note, columns=self.columns)
        return out


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
    if not out.parent.is_dir():
        raise UsageError(f"目录不存在: {out.parent}", "请先创建该目录。")


def _partial(out: Path) -> Path:
    return out.with_name(f".{out.name}.partial-{os.getpid()}")


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def backup(source: Path, out: Path, merge: bool = True) -> Copy:
    """Copy the ledger at `source` to a new ledger file `out` that verifies on its own.

    Refused if `out` exists, or if the source does not verify (a backup is a copy you can
    trust; to preserve a damaged file as evidence, copy the file itself). Changes committed
    but still waiting in the source's `.wal` are in the copy: DuckDB reads them with the
    file (and `merge` first merges them into it, as every reading command does).
    """
    _fresh(out, "备份")
    tmp = _partial(out)
    try:
        with Store.open(source, read_only=True, merge=merge) as store:
            _require_verified(store, "备份")
            head, entries = journal.head(store.con), store.con.execute("SELECT count(*) FROM journal").fetchone()[0]
            name = store.con.execute("SELECT current_database()").fetchone()[0]
            store.con.execute(f"ATTACH {sql_text(tmp)} AS ledger_backup (READ_ONLY false)")
            store.con.execute(f'COPY FROM DATABASE "{name}" TO ledger_backup')
            copied, original = _counts(store.con, "ledger_backup"), _counts(store.con)
            store.con.execute("DETACH ledger_backup")
        if ledger_file.has_wal(tmp):  # DETACH could not merge the copy into its file: it would lose rows
            raise LedgerDamaged(f"备份未能完整写入 {out}(目标磁盘已满或超出文件大小限制),未留下备份文件", "请腾出目标磁盘空间后重试。")
        if copied != original:
            raise LedgerDamaged(f"备份与原账本的行数不一致: {copied} ≠ {original}", "请重试;如仍不一致,请检查磁盘。")
        with Store.open(tmp, read_only=True, merge=False) as copy:
            breaks = journal.verify(copy.con)
            copy_head = journal.head(copy.con)
        if breaks or copy_head != head:
            raise LedgerDamaged(f"备份核验未通过: {breaks[0].what if breaks else '日志末条哈希不一致'}", "请重试;如仍失败,请检查磁盘。")
        _fsync(tmp)
        os.replace(tmp, out)
    except duckdb.Error as exc:
        raise ledger_file.copy_failed(source, "备份", exc) from None
    except OSError as exc:
        raise UsageError(f"无法写出备份 {out}: {os_words(exc)}", "请检查目标路径是否可写、磁盘空间是否足够。", detail=str(exc)) from None
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
    if not out.parent.is_dir():
        raise UsageError(f"目录不存在: {out.parent}", "请先创建上级目录。")


def _fact_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    from .store import FACT_TABLES_QUERY

    return {r[0] for r in con.execute(FACT_TABLES_QUERY).fetchall()}


def _export_query(table: str, facts: set[str], include_voided: bool, known: str | None = None) -> str:
    """What an export writes of `table`: a fact table's live rows (its `v_` view, as the reports),
    or all its rows marked voided or not with the void's reason and journal entry; other tables whole.

    `known` is the SQL of the export's `--known-at` scope (see `_known_scope`): the journal, batches
    and voids are then cut at that entry, as the shadowed `v_` views are.
    """
    from .corrections import voided_rows_sql

    if table not in facts:
        return f"SELECT * FROM {table} {known_where(table, known)} ORDER BY ALL"
    if not include_voided:
        return f"SELECT * FROM v_{table} ORDER BY ALL"
    return (
        f"SELECT t.*, vd.id IS NOT NULL AS voided, vd.void_reason, vd.void_entry FROM {table} t "
        f"LEFT JOIN ({voided_rows_sql(table)}) vd ON vd.id = t.id ORDER BY t.id"
    )


def known_where(table: str, known: str | None) -> str:
    """The WHERE clause that cuts a bookkeeping table at the `--known-at` entry (empty without one)."""
    if known is None:
        return ""
    seq, batches = known.split("|", 1)
    if table == "journal":
        return f"WHERE seq <= {int(seq)}"
    if table == "voids":
        return "WHERE id IN (SELECT id FROM known_voids)"
    if table == "import_batches":
        return f"t WHERE {batches.replace('t.batch_id', 't.id')}"
    return ""


def _known_scope(store: Store, known_at: str | None) -> tuple[str | None, str, int]:
    """Open `store` as known at `--known-at`; the scope for `_export_query`, and the head hash and entry count it gives."""
    from .known_at import _known_batches

    store.known_at(known_at)
    if store.known is None:
        return None, journal.head(store.con), store.con.execute("SELECT count(*) FROM journal").fetchone()[0]
    seq, digest = store.known
    return f"{seq}|{_known_batches(store.con, seq)}", digest, seq


def _columns(con: duckdb.DuckDBPyConnection, table: str, facts: set[str], include_voided: bool) -> list[dict]:
    from .fields import describe

    extra = ("voided", "void_reason", "void_entry") if include_voided and table in facts else ()
    return [f.to_json() for f in describe(con, table, extra)]


def export_parquet(source: Path, out: Path, include_voided: bool = False, merge: bool = True, known_at: str | None = None) -> Copy:
    """One parquet file per table of the ledger into the new (or empty) directory `out`, plus a manifest.

    Fact tables hold their live rows only, so that sums equal the reports; `include_voided`
    adds the voided rows, marked. The manifest names the ledger, the time, the journal head
    hash, which rows were written, the 字段说明 of every table, and per table the file, its
    row count and sha256, so a recipient can tell the export is whole.
    """
    _empty_dir(out)
    tmp = _partial(out)
    try:
        tmp.mkdir()
        with Store.open(source, read_only=True, merge=merge) as store:
            con = store.con
            known, head, entries = _known_scope(store, known_at)
            con.execute("BEGIN TRANSACTION")  # one snapshot for every table
            version = store.schema_version()
            copy = Copy(out, "parquet", head, entries, include_voided=include_voided)
            facts = _fact_tables(con)
            for table in _tables(con):
                target = tmp / f"{table}.parquet"
                query = _export_query(table, facts, include_voided, known)
                con.execute(f"COPY ({query}) TO {sql_text(target)} (FORMAT parquet, COMPRESSION zstd)")
                copy.tables[table] = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
                copy.files[target.name] = _sha256_file(target)
                copy.columns[table] = _columns(con, table, facts, include_voided)
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
        raise ledger_file.copy_failed(source, "导出", exc) from None
    except OSError as exc:
        raise UsageError(f"无法写出导出目录 {out}: {os_words(exc)}", "请检查目标路径是否可写、磁盘空间是否足够。", detail=str(exc)) from None
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


def export_xlsx(source: Path, out: Path, include_voided: bool = False, merge: bool = True, known_at: str | None = None) -> Copy:
    """Every table of the ledger as a sheet of a new workbook `out` (a table longer than a sheet continues on the next).

    Rows as in `export_parquet` (live only unless `include_voided`); a 说明 sheet says which
    rows were written and the journal head, a 字段说明 sheet gives each column's Chinese label
    and unit. Text cells go through `xlsx_safe`, so text that looks like a formula stays text.
    """
    from openpyxl import Workbook

    from . import xlsx_safe
    from .fields import field_sheet
    from .xlsx_print import printable

    _fresh(out, "导出")
    tmp = _partial(out)
    try:
        wb = Workbook(write_only=True)
        with Store.open(source, read_only=True, merge=merge) as store:
            con = store.con
            known, head, entries = _known_scope(store, known_at)
            con.execute("BEGIN TRANSACTION")
            copy = Copy(out, "xlsx", head, entries, include_voided=include_voided)
            facts = _fact_tables(con)
            about = wb.create_sheet("说明")
            printable(about, 1)
            for table in _tables(con):
                copy.columns[table] = _columns(con, table, facts, include_voided)
                cur = con.execute(_export_query(table, facts, include_voided, known))
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
        for values in (
            ("行的范围", copy.rows_note),
            ("末条日志哈希", head),
            ("日志条数", entries),
            ("导出时间(UTC)", journal.now().isoformat(timespec="seconds")),
            ("字段说明", "见「字段说明」工作表:每列的中文名称与单位(金额为元)"),
        ):
            about.append(xlsx_safe.row(about, list(values)))
        field_sheet(wb, [(t, c["name"], c["label"], c["unit"]) for t, cols in copy.columns.items() for c in cols])
        wb.save(tmp)
        _fsync(tmp)
        os.replace(tmp, out)
    except duckdb.Error as exc:
        raise ledger_file.copy_failed(source, "导出", exc) from None
    except OSError as exc:
        raise UsageError(f"无法写出 {out}: {os_words(exc)}", "请检查路径是否可写,以及文件是否正被 Excel 打开。", detail=str(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)
    return copy

