"""`ledger verify --json` and `--expect-head HASH` (issue 14 item 7): for machines and for minutes."""

from __future__ import annotations

import json

import duckdb
from json_schemas import validate as check
from trust_support import loaded

from conftest import Ledger


def head(led: Ledger) -> str:
    return led.sql("SELECT entry_hash FROM journal ORDER BY seq DESC LIMIT 1")[0][0]


def test_json_gives_entries_head_and_no_breaks(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    data = ledger.json("verify")
    check("verify", data)
    assert data["ok"] is True and data["entries"] == 2 and data["journal_head"] == head(ledger)
    assert data["breaks"] == [] and data["expected_head"] is None and data["head_matches"] is None


def test_expect_head_accepts_the_full_hash_or_a_prefix_of_twelve(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    h = head(ledger)
    for given in (h, h[:12], h[:12].upper()):
        result = ledger.run("verify", "--expect-head", given)
        assert result.exit_code == 0, result.output
        assert f"与所记哈希 {given.lower()} 相符" in result.stdout
    data = ledger.json("verify", "--expect-head", h[:20])
    check("verify", data)
    assert data["head_matches"] is True and data["ok"] is True


def test_a_head_that_moved_on_exits_3_naming_both_hashes(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    minutes = head(ledger)[:16]
    assert ledger.run("void", "2", "--reason", "测试").exit_code == 0
    result = ledger.run("verify", "--expect-head", minutes)
    assert result.exit_code == 3
    assert minutes in result.stderr and head(ledger) in result.stderr and "末条日志哈希不符" in result.stderr
    out = ledger.run("verify", "--expect-head", minutes, "--json")
    assert out.exit_code == 3
    data = json.loads(out.stdout)
    check("verify", data)
    assert data["ok"] is False and data["head_matches"] is False and data["journal_head"] == head(ledger)


def test_a_short_or_non_hex_prefix_is_a_usage_error(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    short = ledger.run("verify", "--expect-head", head(ledger)[:11])
    assert short.exit_code == 2 and "至少需要前 12 位" in short.stderr
    wrong = ledger.run("verify", "--expect-head", "zzzzzzzzzzzzzzzz")
    assert wrong.exit_code == 2 and "不是日志哈希" in wrong.stderr


def test_json_lists_breaks_and_exits_3(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    with duckdb.connect(str(ledger.path)) as con:
        con.execute("UPDATE loans SET amount = amount + 1 WHERE contract_no = 'HT-002'")
    result = ledger.run("verify", "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    check("verify", data)
    assert data["ok"] is False and data["breaks"][0]["seq"] == 2 and "内容哈希不符" in data["breaks"][0]["what"]
