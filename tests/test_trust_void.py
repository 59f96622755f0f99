"""Corrections: `ledger void BATCH|TABLE:ID --reason …`, the audit trail, and corrected resubmissions."""

from __future__ import annotations

import json
import re

from trust_support import loaded, loans, state

from conftest import Ledger

AS_OF = ("report", "summary", "--as-of", "2022-12-31")


def test_voiding_a_batch_takes_it_out_of_reports_and_records_who_what_when_why(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    before = ledger.json(*AS_OF)
    assert before["loans"] == {"banks": 1, "enterprises": 4, "count": 4, "amount": "7500000.00"}

    result = ledger.run("void", "2", "--reason", "农商行重报,原表金额有误", "--json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert done["target"] == "批次 2" and done["seq"] == 3 and done["file_name"] == "放款明细.xlsx"
    assert done["removed"] == {"loans": {"rows": 5, "sums": {"amount": "8300000.00"}}}

    after = ledger.json(*AS_OF)
    assert after["loans"]["count"] == 0 and after["loans"]["amount"] == "0.00" and after["guided"]["amount"] == "0.00"
    # nothing deleted: the rows are still in the table, a voids row and a journal entry were added
    assert ledger.sql("SELECT count(*) FROM loans") == [(5,)]
    (void_row,) = ledger.sql("SELECT batch_id, table_name, row_id, reason, os_user FROM voids")
    assert void_row[:4] == (2, None, None, "农商行重报,原表金额有误") and void_row[4]
    (entry,) = ledger.sql("SELECT action, batch_id, detail FROM journal WHERE seq = 3")
    assert entry[0] == "void" and entry[1] == 2 and json.loads(entry[2])["reason"] == "农商行重报,原表金额有误"
    assert ledger.run("verify").exit_code == 0

    trail = ledger.json("log")
    imported, voided = trail["entries"][1], trail["entries"][2]
    assert imported["action"] == "import" and imported["voided_by"] == 3
    assert voided["action"] == "void" and voided["target"] == "批次 2" and voided["reason"] == "农商行重报,原表金额有误"
    assert voided["os_user"] == void_row[4] and voided["recorded_at"].endswith("Z")
    assert trail["journal_head"] == ledger.sql("SELECT entry_hash FROM journal WHERE seq = 3")[0][0]
    text = re.sub(r"[\s│┃]", "", ledger.run("log").stdout)  # a wrapped cell continues on blank rows of the other columns
    assert "批次2(放款明细.xlsx[放款明细]),放款明细5行、金额830.00万元;原因:农商行重报,原表金额有误" in text
    assert "已由第3条作废" in text


def test_voiding_one_row_and_then_its_batch(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    (row_id,) = ledger.sql("SELECT id FROM loans WHERE contract_no = 'HT-002'")[0]
    result = ledger.run("void", f"放款明细:{row_id}", "--reason", "合同已撤销")
    assert result.exit_code == 0, result.output
    assert f"已作废 loans:{row_id}" in result.stdout and "合同已撤销" in result.stdout
    s = ledger.json(*AS_OF)
    assert s["loans"]["count"] == 3 and s["loans"]["amount"] == "6000000.00"
    rows = {r["key"]: r for r in ledger.json("log", "--batch", "2")["rows"]}
    assert rows["HT-002"]["voided"] is True and rows["HT-001"]["voided"] is False and rows["HT-002"]["source_row"] == 3

    again = ledger.run("void", f"loans:{row_id}", "--reason", "再次")
    assert again.exit_code == 1 and "不能重复作废" in again.stderr
    whole = ledger.json("void", "2", "--reason", "整批重报")
    assert whole["removed"]["loans"] == {"rows": 4, "sums": {"amount": "6800000.00"}}  # the voided row is not taken out twice
    after_batch = ledger.run("void", f"loans:{row_id + 1}", "--reason", "x")
    assert after_batch.exit_code == 1 and "已于作废记录 2 作废" in after_batch.stderr
    assert ledger.run("verify").exit_code == 0


def test_refused_voids_change_nothing(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    before = state(ledger)
    for args, code, message in [
        (("void", "2"), 2, "作废必须写明原因"),
        (("void", "2", "--reason", "   "), 2, "作废必须写明原因"),
        (("void", "99", "--reason", "x"), 2, "账本中没有批次 99"),
        (("void", "loans:999", "--reason", "x"), 2, "没有 id 为 999 的行"),
        (("void", "nosuch:1", "--reason", "x"), 2, "没有名为「nosuch」的数据表"),
        (("void", "HT-001", "--reason", "x"), 2, "无法识别的作废对象"),
        (("--read-only", "void", "2", "--reason", "x"), 2, "只读方式"),
    ]:
        result = ledger.run(*args)
        assert result.exit_code == code, (args, result.output)
        assert message in result.stderr and "Traceback" not in result.output
    assert state(ledger) == before


def test_corrected_resubmission_void_the_old_batch_then_import_the_new_file(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    corrected = loans(tmp_path, "放款明细(更正).xlsx", amounts=(3000000, 1600000, 2000000, 800000, 1000000))

    # without the void, the corrected rows are recognised as already in the ledger and not doubled
    refused = json.loads(ledger.run("import", corrected, "--json").stdout)
    assert refused["sheets"][0]["added"] == 0 and refused["sheets"][0]["existing"] == 5
    (changed,) = [p for p in refused["problems"] if p["code"] == "existing_key"]  # only the row that differs, in full
    (same,) = [p for p in refused["problems"] if p["code"] == "existing_unchanged"]  # the rest, counted
    assert changed["value"] == "HT-002" and "--replaces 2 --reason" in changed["hint"]
    assert same["message"].startswith("4 行已在账本中且内容相同(批次 2")
    assert ledger.json(*AS_OF)["loans"]["amount"] == "7500000.00"

    # the way of old: void the old batch, import the corrected file again. The premature attempt above is a
    # batch that counts no row, so it does not stand in the way (it used to be refused as already imported)
    assert ledger.run("void", "2", "--reason", "农商行更正 HT-002 金额(160万)").exit_code == 0
    result = ledger.run("import", corrected, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["sheets"][0]["added"] == 5 and not report["problems"]
    assert ledger.json(*AS_OF)["loans"] == {"banks": 1, "enterprises": 4, "count": 4, "amount": "7600000.00"}
    assert ledger.sql("SELECT count(*) FROM loans WHERE contract_no = 'HT-002'") == [(2,)]  # old row kept, voided
    assert ledger.run("verify").exit_code == 0


def test_readers_work_with_read_only(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    for args in (("--read-only", *AS_OF, "--json"), ("--read-only", "verify"), ("--read-only", "log")):
        result = ledger.run(*args)
        assert result.exit_code == 0, (args, result.output)
    refused = ledger.run("--read-only", "import", loans(tmp_path, "另一个.xlsx", prefix="X"))
    assert refused.exit_code == 2 and "只读方式" in refused.stderr


def test_read_only_refuses_creating_a_ledger_too(tmp_path):
    """--read-only promises no write: `init` and `demo` are refused like `import`, and no file appears."""
    for args in (("init",), ("demo",)):
        path = tmp_path / f"{args[0]}.duckdb"
        result = Ledger(path).run("--read-only", *args)
        assert result.exit_code == 2 and "只读方式" in result.stderr, (args, result.output)
        assert not path.exists()
