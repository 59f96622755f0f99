"""A resubmission in one step (issue 14 item 5): `ledger import FILE --replaces N --reason R`.

The month of tests/month_support.py: the 农商行 (batch 3) resends its sheet with NS-004's amount
corrected (+10万), NS-007 dropped and NS-099 added.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from json_schemas import validate as check
from month_support import C, NAMES, RCB, RCB_LOANS, month

from conftest import ENTERPRISE_HEADER, LOAN_HEADER, Ledger, write_xlsx

AS_OF = ("report", "summary", "--as-of", "2021-12-31")


def resent(tmp, name: str = "农商行_重报.xlsx", bad: bool = False, sheet: str = "放款明细"):
    rows = [list(r) for r in RCB_LOANS]
    rows[4][7] += 100_000
    del rows[7]
    rows.append(list(rows[0]))
    rows[-1][0] = "NS-099"
    if bad:
        rows[2][7] = "一百万"
    return write_xlsx(tmp / name, [LOAN_HEADER] + rows, sheet=sheet)


@pytest.fixture
def led(ledger: Ledger, tmp_path) -> Ledger:
    month(ledger, tmp_path)
    return ledger


def amount(led: Ledger) -> Decimal:
    return Decimal(led.json(*AS_OF)["loans"]["amount"])


def journal(led: Ledger):
    return led.sql("SELECT seq, action, batch_id, prev_hash, entry_hash FROM journal ORDER BY seq")


def test_replaces_voids_and_imports_in_one_step_and_shows_the_difference(led: Ledger, tmp_path):
    before, entries = amount(led), journal(led)
    result = led.run("import", resent(tmp_path), "--replaces", "3", "--reason", "农商行重报10月", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check("import", data)
    assert data["batches"] == [6]
    (diff,) = data["replaced"]["difference"]
    assert [a["key"] for a in diff["added"]] == ["NS-099"] and [r["key"] for r in diff["removed"]] == ["NS-007"]
    assert [(c["key"], c["cells"]) for c in diff["changed"]] == [("NS-004", [{"column": "放款金额", "was": "1040000.00", "now": "1140000.00"}])]
    assert diff["unchanged"] == 10
    assert not [p for p in data["problems"] if p["code"].startswith("existing")]  # the replaced rows are no repeats
    # one entry per action, chained after the entries before: the void, then the import
    after = journal(led)
    assert after[: len(entries)] == entries
    (void, imported) = after[len(entries):]
    assert (void[1], void[2], imported[1], imported[2]) == ("void", 3, "import", 6)
    assert void[3] == entries[-1][4] and imported[3] == void[4]
    assert data["replaced"]["voids"][0]["seq"] == void[0] and data["replaced"]["voids"][0]["reason"] == "农商行重报10月"
    moved = Decimal(100_000) - Decimal(RCB_LOANS[7][7]) + Decimal(RCB_LOANS[0][7])
    assert amount(led) == before + moved
    assert led.run("verify").exit_code == 0


def test_the_terminal_shows_the_difference_not_a_block_per_row(led: Ledger, tmp_path):
    result = led.run("import", resent(tmp_path), "--replaces", "3", "--reason", "农商行重报10月")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "已替换 批次 3(农商行放款明细.xlsx [放款明细]),原因: 农商行重报10月" in out
    assert "放款明细: 新增 1 行,撤下 1 行,更改 1 行,未变 10 行" in out
    assert "更改 NS-004(第 6 行): 放款金额 1040000.00 → 1140000.00" in out
    assert "新增 NS-099" in out and "撤下 NS-007" in out and "批次 6" in out
    assert out.count("NS-00") == 2  # unchanged rows are a count, not listed


def test_a_refused_replacement_leaves_the_old_batch_in_force(led: Ledger, tmp_path):
    before, entries = amount(led), journal(led)
    result = led.run("import", resent(tmp_path, bad=True), "--replaces", "3", "--reason", "农商行重报10月")
    assert result.exit_code == 1 and "一百万" in result.stdout
    assert journal(led) == entries and led.sql("SELECT count(*) FROM voids") == [(0,)] and amount(led) == before
    dry = led.run("import", resent(tmp_path, "试.xlsx"), "--replaces", "3", "--reason", "试", "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.stdout)["replaced"]["difference"][0]["unchanged"] == 10
    assert journal(led) == entries and amount(led) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (("--replaces", "3"), "--replaces 必须同时写明 --reason"),
        (("--replaces", "99", "--reason", "x"), "账本中没有批次 99"),
        (("--replaces", "1", "--reason", "x"), "批次 1 是企业名录,而本文件是放款明细"),
        (("--replaces", "loans:9999", "--reason", "x"), "没有 id 为 9999 的行"),
        (("--reason", "x"), "--reason 须与 --replaces 同用"),
    ],
)
def test_usage_errors_exit_2_and_change_nothing(led: Ledger, tmp_path, args, message):
    entries = journal(led)
    result = led.run("import", resent(tmp_path), *args)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert journal(led) == entries


def test_an_already_voided_batch_or_several_files_are_usage_errors(led: Ledger, tmp_path):
    assert led.run("void", "3", "--reason", "撤回").exit_code == 0
    result = led.run("import", resent(tmp_path), "--replaces", "3", "--reason", "x")
    assert result.exit_code == 2 and "批次 3 已于作废记录 1 作废" in result.stderr
    other = write_xlsx(tmp_path / "另一个.xlsx", [ENTERPRISE_HEADER])
    several = led.run("import", resent(tmp_path, "b.xlsx"), other, "--replaces", "4", "--reason", "x")
    assert several.exit_code == 2 and "--replaces 只能用于单个文件" in several.stderr


def test_a_plain_resubmission_names_the_command_and_counts_the_unchanged(led: Ledger, tmp_path):
    path = resent(tmp_path)
    result = led.run("import", path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check("import", data)
    (changed,) = [p for p in data["problems"] if p["code"] == "existing_key"]
    loan_id = led.sql("SELECT id FROM loans WHERE contract_no = 'NS-004'")[0][0]
    assert changed["value"] == "NS-004" and f'ledger import {path} --replaces 3 --reason "…"' in changed["hint"]
    assert f"--replaces loans:{loan_id}" in changed["hint"]
    (same,) = [p for p in data["problems"] if p["code"] == "existing_unchanged"]
    assert same["message"].startswith("10 行已在账本中且内容相同(批次 3,农商行放款明细.xlsx)")
    assert data["batches"] == [6] and data["sheets"][0]["added"] == 1  # NS-099 is new
    terminal = led.run("import", resent(tmp_path, "again.xlsx", sheet="放款明细(重发)"))  # other bytes: not the same file
    assert "批次" in terminal.stdout and terminal.stdout.count("已在账本中(批次 3") == 1
    # having imported it plainly, replacing now names the batch it went into as well
    late = led.run("import", path, "--replaces", "3", "--reason", "农商行重报10月")
    assert late.exit_code == 1 and f"--replaces 3 --replaces 6 --reason" in late.stdout
    fixed = led.run("import", path, "--replaces", "3", "--replaces", "6", "--reason", "农商行重报10月", "--json")
    assert fixed.exit_code == 0, fixed.output
    assert led.run("verify").exit_code == 0


def test_the_resent_file_after_a_void_comes_in(led: Ledger, tmp_path):
    """The old trap: the corrected file imported first adds nothing (every row already there); then the old
    batch is voided; importing the corrected file again used to be refused as already imported."""
    rows = [list(r) for r in RCB_LOANS]
    rows[4][7] += 100_000
    corrected = write_xlsx(tmp_path / "更正.xlsx", [LOAN_HEADER] + rows, sheet="放款明细")
    first = led.json("import", corrected)
    assert first["sheets"][0]["added"] == 0 and first["batches"] == [6]
    twice = led.run("import", corrected)
    assert twice.exit_code == 1 and "当时与本次都没有新增任何行" in twice.stdout and "--replaces 3" in twice.stdout
    assert led.run("void", "3", "--reason", "农商行重报").exit_code == 0
    again = led.run("import", corrected, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["sheets"][0]["added"] == 12
    assert led.run("import", corrected).exit_code == 1  # and now it is in: the same file again is refused
    assert led.run("verify").exit_code == 0


def test_one_row_replaced(led: Ledger, tmp_path):
    loan_id = led.sql("SELECT id FROM loans WHERE contract_no = 'NS-004'")[0][0]
    rows = [list(r) for r in RCB_LOANS]
    rows[4][7] += 100_000
    data = led.json("import", write_xlsx(tmp_path / "一行.xlsx", [LOAN_HEADER, rows[4]]), "--replaces", f"loans:{loan_id}", "--reason", "金额更正")
    check("import", data)
    (diff,) = data["replaced"]["difference"]
    assert [c["key"] for c in diff["changed"]] == ["NS-004"] and not diff["added"] and not diff["removed"]
    assert led.sql("SELECT amount FROM v_loans WHERE contract_no = 'NS-004'") == [(Decimal("1140000.00"),)]


def test_the_month_end_to_end(led: Ledger, tmp_path):
    """Import, trace, replace, trace again, export and sum, verify against the head in the minutes."""
    by_bank = {r["key"]: r for r in led.json("report", "summary", "--month", "2021-10", "--by", "bank")["breakdowns"]["bank"]}
    traced = led.json("rows", "loans", "--bank", RCB, "--month", "2021-10", "--programme")
    assert traced["total"]["sums"]["amount"] == by_bank[RCB]["loans"]["amount"]
    minutes = led.json("verify")["journal_head"][:16]
    assert led.run("import", resent(tmp_path), "--replaces", "3", "--reason", "农商行重报10月").exit_code == 0
    moved = led.run("verify", "--expect-head", minutes)
    assert moved.exit_code == 3 and minutes in moved.stderr
    by_bank = {r["key"]: r for r in led.json("report", "summary", "--month", "2021-10", "--by", "bank")["breakdowns"]["bank"]}
    traced = led.json("rows", "loans", "--bank", RCB, "--month", "2021-10", "--programme")
    assert traced["total"]["sums"]["amount"] == by_bank[RCB]["loans"]["amount"]
    corrected = led.json("rows", "loans", "--batch", "6", "--enterprise", RCB_LOANS[4][1])["rows"]
    assert [(r["contract_no"], r["amount"], r["file_name"]) for r in corrected] == [("NS-004", "1140000.00", "农商行_重报.xlsx")]
    export = tmp_path / "导出"
    assert led.run("export", "--parquet", export).exit_code == 0
    import duckdb

    with duckdb.connect() as con:
        summed = con.execute("SELECT sum(amount) FROM read_parquet(?) WHERE is_programme", [str(export / "loans.parquet")]).fetchone()[0]
    assert summed == Decimal(led.json(*AS_OF)["loans"]["amount"])
    head = led.json("verify")["journal_head"]
    assert led.run("verify", "--expect-head", head[:12]).exit_code == 0
    assert C and NAMES  # the registry the month was built on
