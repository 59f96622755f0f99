"""`ledger verify` against changes made behind the ledger's back with a plain DuckDB client.

Each test edits the file the way someone with the duckdb CLI could, then checks that verify
exits 3 and names the first entry (or the rows outside the journal) that no longer match.
"""

from __future__ import annotations

import duckdb
import pytest
from trust_support import loaded

from conftest import Ledger


def tamper(ledger: Ledger, *statements: str) -> None:
    with duckdb.connect(str(ledger.path)) as con:
        for s in statements:
            con.execute(s)


def broken(ledger: Ledger) -> str:
    result = ledger.run("verify")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    return result.stderr


@pytest.fixture
def led(ledger: Ledger, tmp_path) -> Ledger:
    loaded(ledger, tmp_path)
    result = ledger.run("verify")
    assert result.exit_code == 0 and "核验通过: 2 条日志" in result.stdout
    return ledger


def test_clean_ledger_verifies_and_prints_the_head_hash(led: Ledger):
    head = led.sql("SELECT entry_hash FROM journal ORDER BY seq DESC LIMIT 1")[0][0]
    assert head in led.run("verify").stdout


def test_an_edited_amount_names_the_entry_and_the_changed_totals(led: Ledger):
    tamper(led, "UPDATE loans SET amount = amount + 1 WHERE contract_no = 'HT-002'")
    err = broken(led)
    assert "核验失败: 第 2 条日志起不一致" in err and "内容哈希不符" in err
    assert "loans 表日志记录 5 行、amount 合计 8300000.00 元,现为 5 行、amount 合计 8300001.00 元" in err


def test_an_edited_text_field_is_caught_even_when_totals_stay(led: Ledger):
    tamper(led, "UPDATE loans SET enterprise_name = '别的公司' WHERE contract_no = 'HT-001'")
    err = broken(led)
    assert "第 2 条日志" in err and "行数与金额合计未变" in err


def test_a_deleted_journal_entry_in_the_middle_breaks_the_chain(led: Ledger):
    tamper(led, "DELETE FROM journal WHERE seq = 1")
    err = broken(led)
    assert "第 2 条日志起不一致" in err and "日志序号不连续" in err
    assert "导入批次 1 没有对应的导入日志" in err  # and its batch is now outside the journal


def test_a_deleted_last_entry_leaves_its_batch_and_rows_outside_the_journal(led: Ledger):
    tamper(led, "DELETE FROM journal WHERE seq = 2")
    err = broken(led)
    assert "日志之外起不一致" in err
    assert "导入批次 2 没有对应的导入日志" in err and "loans 表有 5 行(批次 2)不属于任何导入日志" in err


def test_an_edited_import_batch_is_caught(led: Ledger):
    tamper(led, "UPDATE import_batches SET file_name = '别的文件.xlsx' WHERE id = 2")
    err = broken(led)
    assert "第 2 条日志起不一致" in err and "批次 2 的导入记录" in err


def test_an_extra_row_in_a_batch_changes_its_row_count(led: Ledger):
    tamper(
        led,
        "INSERT INTO loans (batch_id, source_row, contract_no, credit_code, enterprise_name, bank, product, is_programme, disbursed_on, maturity_on, amount) "
        "SELECT batch_id, 99, 'HT-999', credit_code, enterprise_name, bank, product, is_programme, disbursed_on, maturity_on, 5000000 FROM loans WHERE contract_no = 'HT-001'",
    )
    err = broken(led)
    assert "第 2 条日志" in err and "现为 6 行" in err and "loans 表日志记录 5 行" in err


def test_a_row_under_a_borrowed_batch_id_is_outside_the_journal(led: Ledger):
    # batch 1 is the registry: its entry accounts for enterprises rows, not for loans
    tamper(
        led,
        "INSERT INTO loans (batch_id, source_row, contract_no, credit_code, enterprise_name, bank, product, is_programme, disbursed_on, maturity_on, amount) "
        "SELECT 1, 99, 'HT-999', credit_code, enterprise_name, bank, product, is_programme, disbursed_on, maturity_on, 5000000 FROM loans WHERE contract_no = 'HT-001'",
    )
    err = broken(led)
    assert "日志之外" in err and "loans 表有 1 行(批次 1)不属于任何导入日志" in err


def test_a_made_up_batch_with_rows_is_outside_the_journal(led: Ledger):
    tamper(
        led,
        "INSERT INTO import_batches (id, kind, file_name, file_sha256, sheet, header_row, row_count, os_user, imported_at) "
        "VALUES (50, 'loans', 'x.xlsx', 'ab', 'S', 1, 1, 'mallory', now()::TIMESTAMP)",
        "INSERT INTO loans (batch_id, source_row, contract_no, credit_code, enterprise_name, bank, product, is_programme, disbursed_on, maturity_on, amount) "
        "SELECT 50, 2, 'HT-998', credit_code, enterprise_name, bank, product, is_programme, disbursed_on, maturity_on, 5000000 FROM loans WHERE contract_no = 'HT-001'",
    )
    err = broken(led)
    assert "导入批次 50 没有对应的导入日志" in err and "loans 表有 1 行(批次 50)" in err


def test_an_edited_journal_entry_is_caught(led: Ledger):
    tamper(led, "UPDATE journal SET os_user = 'someone_else' WHERE seq = 1")
    err = broken(led)
    assert "第 1 条日志起不一致" in err and "日志记录本身被修改" in err


def test_a_rewritten_chain_is_caught_by_the_rows(led: Ledger):
    """Rewriting an entry's detail and every later hash still leaves the rows' digest to disagree."""
    tamper(led, "UPDATE loans SET amount = 1 WHERE contract_no = 'HT-003'", "UPDATE journal SET content_hash = 'x' WHERE seq = 2")
    err = broken(led)
    assert "第 2 条日志" in err and "日志记录本身被修改" in err and "内容哈希不符" in err


def test_edited_and_deleted_voids_are_caught(led: Ledger):
    assert led.run("void", "loans:2", "--reason", "合同号录错").exit_code == 0
    assert led.run("verify").exit_code == 0
    tamper(led, "UPDATE voids SET reason = '别的原因'")
    err = broken(led)
    assert "第 3 条日志起不一致" in err and "作废记录 1 被修改或删除" in err
    tamper(led, "DELETE FROM voids")
    err = broken(led)
    assert "第 3 条日志" in err and "作废记录 1 被修改或删除" in err


def test_a_void_written_behind_the_ledgers_back_is_caught(led: Ledger):
    tamper(led, "INSERT INTO voids (batch_id, reason, os_user, recorded_at) VALUES (2, '悄悄作废', 'mallory', now()::TIMESTAMP)")
    err = broken(led)
    assert "日志之外" in err and "没有对应的作废日志" in err


def test_a_redefined_report_view_is_caught(led: Ledger):
    assert led.run("void", "2", "--reason", "重报").exit_code == 0
    tamper(led, "CREATE OR REPLACE VIEW v_loans AS SELECT * FROM loans")  # voided rows back in every report
    err = broken(led)
    assert "报表视图 v_loans 被改动" in err


def test_a_dropped_journal_is_damage_not_a_traceback(led: Ledger):
    tamper(led, "DROP TABLE journal")
    err = broken(led)
    assert "日志表缺失" in err
