"""The Chinese label and unit of every stored column: the 字段说明 of exports and of `ledger rows`.

A fact table's business columns are labelled by the header of its import schema (the
column a bank fills in, e.g. amount → 放款金额), so a label is written once, in the schema;
columns the ledger adds itself (ids, sources, derived flags) and the tables of the journal
are labelled here. The unit follows from the stored type: DECIMAL(18,2) is 元.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import duckdb

# Columns of the ledger's own making, in any table.
OWN = {
    "id": "行号(作废单行时写 表:行号)",
    "batch_id": "导入批次",
    "source_row": "源表行号",
    "occurrence": "同日同笔序号",
    "is_programme": "是否知识价值信用贷款",
    "programme": "补助类别",
    "category": "绩效奖励类别",
    "voided": "已作废",
    "void_reason": "作废原因",
    "void_entry": "作废日志序号",
    "file_name": "来源文件",
    "sheet": "工作表",
    "file_sha256": "文件SHA256",
}

# The journal's own tables, column by column.
TABLES = {
    "import_batches": {
        "id": "导入批次", "kind": "导入类型", "file_name": "文件名", "file_sha256": "文件SHA256", "sheet": "工作表",
        "header_row": "表头所在行", "row_count": "数据行数", "os_user": "操作人", "imported_at": "导入时间",
    },
    "journal": {
        "seq": "日志序号", "recorded_at": "记录时间", "os_user": "操作人", "action": "操作(import 导入 / void 作废)",
        "batch_id": "导入批次", "detail": "日志内容(JSON)", "content_hash": "内容哈希", "prev_hash": "前一条日志哈希",
        "entry_hash": "本条日志哈希",
    },
    "voids": {
        "id": "作废记录号", "batch_id": "导入批次", "table_name": "表", "row_id": "行号", "reason": "作废原因",
        "os_user": "操作人", "recorded_at": "作废时间",
    },
    "meta": {"key": "键", "value": "值"},
    "banks": {"id": "行号", "name": "银行名称", "batch_id": "导入批次"},
}


@dataclass(frozen=True)
class Field:
    """One column: its stored name, Chinese label and unit ('' when it has none)."""

    name: str
    label: str
    unit: str

    def to_json(self) -> dict:
        return {"name": self.name, "label": self.label, "unit": self.unit}


@functools.cache
def _schema_headers() -> dict[str, dict[str, str]]:
    from .importing.schema import kinds

    return {spec.table: {c.field: c.header for c in spec.columns} for spec in kinds().values()}


def label(table: str, column: str) -> str:
    """The Chinese label of `table.column` (the column's own name when nothing better is known)."""
    return TABLES.get(table, {}).get(column) or _schema_headers().get(table, {}).get(column) or OWN.get(column) or column


def unit(data_type: str, column: str = "") -> str:
    """The unit a stored type implies: 元 for money, % for rates, 分 for scores, UTC for timestamps."""
    if data_type == "DECIMAL(18,2)":
        return "元"
    if column == "rate_pct":
        return "%(年利率)"
    if column == "score":
        return "分"
    if data_type.startswith("TIMESTAMP"):
        return "UTC"
    if data_type == "DATE":
        return "日期"
    return ""


def describe(con: duckdb.DuckDBPyConnection, table: str, extra: tuple[str, ...] = ()) -> list[Field]:
    """Every column of `table` in stored order, then `extra` columns, with label and unit."""
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database() "
        "ORDER BY column_index",
        [table],
    ).fetchall()
    out = [Field(name, label(table, name), unit(data_type, name)) for name, data_type in rows]
    return out + [Field(name, label(table, name), "") for name in extra]


def field_sheet(wb, rows: list[tuple[str, str, str, str]]) -> None:
    """A 字段说明 sheet: for each (table, column, label, unit) one line, to say what each column holds."""
    from . import xlsx_safe

    from .xlsx_print import printable

    ws = wb.create_sheet("字段说明")
    printable(ws, 1)
    ws.append(xlsx_safe.row(ws, ["表", "字段", "中文名称", "单位"]))
    for values in rows:
        ws.append(xlsx_safe.row(ws, list(values)))


