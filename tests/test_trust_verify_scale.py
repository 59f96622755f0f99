"""`ledger verify` reads every batch's rows in a few grouped scans and checks views by definition.

These tests hold the fast paths to the detection power of the straightforward ones: the grouped
digest is the per-batch digest the import recorded (whatever the chunking), rows moved or
swapped between batches are caught, a failing read is reported for every entry that needs it,
and a view is trusted by its definition only when that definition is the ledger's own.
"""

from __future__ import annotations

import json

import duckdb
import pytest
from test_trust_journal import broken, tamper
from trust_support import loaded, loans

from conftest import Ledger
from ledger import journal


@pytest.fixture
def two(ledger: Ledger, tmp_path) -> Ledger:
    """Registry (batch 1), loans HT-001… (batch 2) and loans LN-001… with the same amounts (batch 3)."""
    loaded(ledger, tmp_path)
    result = ledger.run("import", loans(tmp_path, "放款明细二.xlsx", prefix="LN"))
    assert result.exit_code == 0, result.output
    result = ledger.run("verify")
    assert result.exit_code == 0 and "核验通过: 3 条日志" in result.stdout, result.output
    return ledger


@pytest.fixture(params=[1, 4, journal.DIGEST_CHUNK_ROWS], ids=["chunk1", "chunk4", "chunk_default"])
def chunk(request, monkeypatch) -> int:
    """verify with batches grouped one per query, a few per query, and as shipped."""
    monkeypatch.setattr(journal, "DIGEST_CHUNK_ROWS", request.param)
    return request.param


def test_grouped_digests_are_the_per_batch_digests(two: Ledger, chunk: int):
    tamper(two, "DELETE FROM enterprises WHERE batch_id = 1")  # a batch left with no rows in its table
    with duckdb.connect(str(two.path), read_only=True) as con:
        for table in ("banks", "enterprises", "loans"):
            columns = journal.table_columns(con, table)
            grouped = journal.batch_digests(con, table, columns)
            for batch_id in (1, 2, 3, 4):
                assert grouped.get(batch_id, journal.EMPTY_DIGEST) == journal.rows_digest(con, table, columns, batch_id), (table, batch_id)
        assert journal.rows_digest(con, "enterprises", journal.table_columns(con, "enterprises"), 1) == journal.EMPTY_DIGEST


def test_the_import_digest_is_what_verify_recomputes(two: Ledger):
    recorded = two.sql("SELECT batch_id, detail, content_hash FROM journal WHERE action = 'import' ORDER BY seq")
    with duckdb.connect(str(two.path), read_only=True) as con:
        stored = journal._Stored(con)
        for batch_id, detail, content in recorded:
            tables = json.loads(detail)["tables"]
            assert stored.content_hash(tables, batch_id) == content == journal.content_hash(con, tables, batch_id)


def test_a_row_moved_to_another_batch_breaks_both_entries(two: Ledger, chunk: int):
    tamper(two, "UPDATE loans SET batch_id = 3 WHERE contract_no = 'HT-001'")
    err = broken(two)
    assert "核验失败: 第 2 条日志起不一致" in err
    assert "loans 表日志记录 5 行、amount 合计 8300000.00 元,现为 4 行、amount 合计 5300000.00 元" in err
    assert "第 3 条日志: 批次 3 的数据行被修改或删除" in err and "现为 6 行、amount 合计 11300000.00 元" in err


def test_rows_swapped_between_batches_are_caught_though_counts_and_sums_stay(two: Ledger, chunk: int):
    tamper(
        two,
        "UPDATE loans SET batch_id = CASE batch_id WHEN 2 THEN 3 ELSE 2 END WHERE contract_no IN ('HT-001', 'LN-001')",
    )
    err = broken(two)
    assert "第 2 条日志起不一致" in err and "第 3 条日志: 批次 3 的数据行被修改或删除" in err
    assert err.count("行数与金额合计未变") == 2


def test_ids_swapped_inside_a_batch_are_caught(two: Ledger):
    """The digest is in id order: the same rows under exchanged ids are another batch."""
    tamper(
        two,
        "UPDATE loans SET id = -id WHERE contract_no IN ('LN-001', 'LN-002')",
        "UPDATE loans SET id = CASE contract_no WHEN 'LN-001' THEN (SELECT -id FROM loans WHERE contract_no = 'LN-002') "
        "ELSE (SELECT -id FROM loans WHERE contract_no = 'LN-001') END WHERE contract_no IN ('LN-001', 'LN-002')",
    )
    err = broken(two)
    assert "核验失败: 第 3 条日志起不一致" in err and "行数与金额合计未变" in err and "第 2 条" not in err


def test_an_unreadable_table_is_reported_for_every_entry_that_names_it(two: Ledger):
    tamper(two, "DROP TABLE loans")
    err = broken(two)
    assert "第 2 条日志起不一致 — 日志所指的数据无法读取(表被删除或改动): 表 loans 不存在" in err
    assert "第 3 条日志: 日志所指的数据无法读取(表被删除或改动): 表 loans 不存在" in err
    assert "第 1 条" not in err


def test_a_fresh_ledgers_views_are_checked_by_their_definition(two: Ledger):
    """If a DuckDB upgrade rendered views differently, verify would stay exact but compare every row."""
    with duckdb.connect(str(two.path), read_only=True) as con:
        from ledger.store import FACT_TABLES_QUERY, live_rows_sql

        tables = [t for (t,) in con.execute(FACT_TABLES_QUERY).fetchall()]
        assert "loans" in tables
        for table in tables:
            assert journal._defined_as(con, f"v_{table}", live_rows_sql(table)), table


def test_a_view_written_another_way_that_shows_the_same_rows_verifies(two: Ledger):
    assert two.run("void", "loans:2", "--reason", "合同号录错").exit_code == 0
    tamper(
        two,
        "CREATE OR REPLACE VIEW v_loans AS SELECT * FROM loans WHERE id NOT IN "
        "(SELECT row_id FROM voids WHERE table_name = 'loans' AND row_id IS NOT NULL) "
        "AND batch_id NOT IN (SELECT batch_id FROM voids WHERE batch_id IS NOT NULL AND row_id IS NULL)",
    )
    with duckdb.connect(str(two.path), read_only=True) as con:
        from ledger.store import live_rows_sql

        assert not journal._defined_as(con, "v_loans", live_rows_sql("loans"))  # so its rows were compared
    result = two.run("verify")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE OR REPLACE VIEW v_loans AS SELECT * FROM loans WHERE contract_no <> 'LN-003'",  # hides a row
        "CREATE OR REPLACE VIEW v_loans AS SELECT * FROM loans",  # shows the voided row again
        "CREATE OR REPLACE VIEW v_loans AS SELECT * FROM loans UNION ALL SELECT * FROM loans WHERE contract_no = 'HT-001'",
        "DROP VIEW v_loans",
        "CREATE OR REPLACE VIEW v_loans AS SELECT * REPLACE (amount + 1 AS amount) FROM loans WHERE id <> 2",
    ],
    ids=["hides", "voided_back", "doubled", "dropped", "edited_amounts"],
)
def test_a_view_that_lies_is_caught(two: Ledger, statement: str):
    assert two.run("void", "loans:2", "--reason", "合同号录错").exit_code == 0
    tamper(two, statement)
    err = broken(two)
    assert "核验失败: 日志之外起不一致 — 报表视图 v_loans 被改动或删除" in err
