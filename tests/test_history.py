"""The ledger over time: `--known-at`, `close`/`closes`, `report changes`, and the basis every report states."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from trust_support import C, NAMES, registry

from conftest import LOAN_HEADER, Ledger, write_xlsx

OCT_END = "2021-10-31"
AMOUNTS = (3000000, 1500000, 2000000, 800000, 1000000)


def october_loans(tmp_path, name: str, amounts=AMOUNTS):
    """A bank's October 放款明细: HT-001 … with the given amounts; the fourth is another product (guided)."""
    rows = [LOAN_HEADER]
    for i, amount in enumerate(amounts):
        product = "流动资金贷款" if i == 3 else "知识价值信用贷款"
        rows.append([f"HT-{i + 1:03d}", C[i], NAMES[i], "重庆农村商业银行", product, dt.date(2021, 10, 5 + i), dt.date(2022, 10, 4), amount, 4.35])
    return write_xlsx(tmp_path / name, rows, sheet="放款明细")


def run_ok(ledger: Ledger, *args):
    result = ledger.run(*args)
    assert result.exit_code == 0, (args, result.output)
    return result


def month_of_work(ledger: Ledger, tmp_path) -> dict:
    """Import, report and close October; then the bank resubmits HT-002 corrected (+10万): void and re-import.

    Entries: 1 registry, 2 loans (batch 2), 3 close 2021-10, 4 void batch 2, 5 corrected loans (batch 3).
    """
    run_ok(ledger, "import", registry(tmp_path))
    run_ok(ledger, "import", october_loans(tmp_path, "农商行放款明细.xlsx"))
    reported = run_ok(ledger, "report", "summary", "--as-of", OCT_END, "--json").stdout
    closed = json.loads(run_ok(ledger, "close", "2021-10", "--note", "10月联席会议", "--json").stdout)
    voided = json.loads(run_ok(ledger, "void", "2", "--reason", "农商行重报10月,HT-002 金额有误", "--json").stdout)
    corrected = october_loans(tmp_path, "农商行放款明细_重报.xlsx", amounts=(3000000, 1600000, 2000000, 800000, 1000000))
    reimported = json.loads(run_ok(ledger, "import", corrected, "--json").stdout)
    return {"reported": reported, "closed": closed, "voided": voided, "reimported": reimported}


def test_close_records_figures_digest_and_head_and_verify_checks_it(ledger: Ledger, tmp_path):
    run_ok(ledger, "import", registry(tmp_path))
    run_ok(ledger, "import", october_loans(tmp_path, "农商行放款明细.xlsx"))
    head = ledger.sql("SELECT entry_hash FROM journal WHERE seq = 2")[0][0]
    closed = json.loads(run_ok(ledger, "close", "2021-10", "--note", "10月联席会议", "--json").stdout)
    assert closed["seq"] == 3 and closed["period"] == "2021-10" and closed["to"] == OCT_END and closed["note"] == "10月联席会议"
    assert closed["head"] == {"entry": 2, "hash": head}
    assert closed["figures"]["loans.amount"] == "7500000.00" and closed["figures"]["guided.amount"] == "800000.00"
    summary = ledger.json("report", "summary", "--as-of", OCT_END)
    assert closed["figures"]["loans.count"] == summary["loans"]["count"] == 4
    (content,) = ledger.sql("SELECT content_hash FROM journal WHERE seq = 3")[0]
    assert closed["digest"] == content
    assert run_ok(ledger, "verify").stdout.startswith("核验通过: 3 条日志")

    listed = ledger.json("closes")
    assert [c["period"] for c in listed["closes"]] == ["2021-10"] and listed["closes"][0]["adjustments"] == 0
    text = run_ok(ledger, "closes").stdout
    assert "2021-10" in text and "10月联席会议" in text and "750.00" in text
    log = re.sub(r"[\s│┃]", "", run_ok(ledger, "log").stdout)
    assert "结账2021-10(10月联席会议)" in log

    # a close entry whose figures were rewritten (the chain re-hashed to hide it) fails verify
    import duckdb

    from ledger import journal

    with duckdb.connect(str(ledger.path)) as con:
        seq, when, user, action, batch, detail, content_hash, prev, _h = con.execute("SELECT * FROM journal WHERE seq = 3").fetchone()
        d = json.loads(detail)
        d["figures"]["loans.amount"] = "7400000.00"
        text_ = journal.canonical(d)
        con.execute("UPDATE journal SET detail = ?, entry_hash = ? WHERE seq = 3", [text_, journal.entry_hash(seq, when, user, action, batch, text_, content_hash, prev)])
    broken = ledger.run("verify")
    assert broken.exit_code == 3 and "第 3 条日志" in broken.stderr and "结账" in broken.stderr


def test_refused_closes_say_why(ledger: Ledger, tmp_path):
    run_ok(ledger, "import", registry(tmp_path))
    run_ok(ledger, "close", "2021-10")
    today = dt.date.today()
    for args, code, message in [
        (("close", "2021-10"), 1, "已于第 2 条日志结账"),
        (("close", "2021-13"), 2, "无法识别的结账期间"),
        (("close", "十月"), 2, "无法识别的结账期间"),
        (("close", f"{today:%Y-%m}"), 2, "尚未结束"),
        (("close", f"{today.year + 1}-01"), 2, "尚未结束"),
        (("--read-only", "close", "2021-09"), 2, "只读方式"),
    ]:
        result = ledger.run(*args)
        assert result.exit_code == code, (args, result.output)
        assert message in result.stderr and "Traceback" not in result.output
    assert ledger.sql("SELECT count(*) FROM journal") == [(2,)]
    run_ok(ledger, "close", "2021年9月")  # an earlier month may still be closed
    assert [c["period"] for c in ledger.json("closes")["closes"]] == ["2021-10", "2021-09"]


def test_a_month_of_work_is_reproduced_and_the_correction_explained(ledger: Ledger, tmp_path):
    done = month_of_work(ledger, tmp_path)

    # the void and the re-import go in, each warned that it adjusts the closed October
    for made, seq in ((done["voided"], 4), (done["reimported"], 5)):
        (adj,) = made["closed_period_adjustments"]
        assert adj["entry"] == seq and adj["period"] == "2021-10" and adj["rows"] == 5
    now = ledger.json("report", "summary", "--as-of", OCT_END)
    assert now["loans"]["amount"] == "7600000.00"

    # --known-at the close's head reproduces what was reported, byte for byte
    again = run_ok(ledger, "report", "summary", "--as-of", OCT_END, "--known-at", "2", "--json").stdout
    assert again == done["reported"]
    basis = json.loads(again)["basis"]
    assert basis == {"as_of": OCT_END, "entry": 2, "hash": done["closed"]["head"]["hash"]}
    # and so does --known-at the close entry itself, but for the entry it names and the close it now sees
    at_close = json.loads(run_ok(ledger, "report", "summary", "--as-of", OCT_END, "--known-at", "3", "--json").stdout)
    assert at_close.pop("prior_period_adjustments") == {"period": "2021-10", "close_entry": 3, "to": OCT_END, "known_at": 3, "entries": []}
    assert {k: v for k, v in at_close.items() if k != "basis"} == {k: v for k, v in json.loads(again).items() if k != "basis"}
    # between the void and the re-import the loans were out
    assert ledger.json("report", "summary", "--as-of", OCT_END, "--known-at", "4")["loans"]["amount"] == "0.00"

    # report changes since the close explains the exact 10万 with the entries named
    changes = ledger.json("report", "changes", "--since", "2021-10")
    figures = {f["key"]: f for f in changes["figures"]}
    assert figures["loans.amount"] == {
        "key": "loans.amount", "label": "放款金额", "kind": "money", "then": "7500000.00", "now": "7600000.00", "difference": "100000.00",
    }
    assert figures["guided.amount"]["difference"] == "0.00" and figures["loans.count"]["difference"] == 0
    assert changes["then"] == basis and changes["now"]["entry"] == 5 and changes["as_of"] == OCT_END
    assert changes["close"]["period"] == "2021-10" and changes["close"]["entry"] == 3
    entries = {e["seq"]: e for e in changes["entries"]}
    assert set(entries) == {4, 5}
    assert entries[4]["action"] == "void" and entries[4]["file_name"] == "农商行放款明细.xlsx" and entries[4]["batch_id"] == 2
    assert entries[4]["reason"] == "农商行重报10月,HT-002 金额有误"
    assert entries[4]["totals"]["loans"]["removed"] == {"rows": 5, "sums": {"amount": "8300000.00"}}
    assert entries[5]["action"] == "import" and entries[5]["file_name"] == "农商行放款明细_重报.xlsx" and entries[5]["batch_id"] == 3
    assert entries[5]["totals"]["loans"]["added"] == {"rows": 5, "sums": {"amount": "8400000.00"}}
    assert len(entries[5]["added"]) == 5 and entries[5]["added"][1]["key"] == "HT-002"
    (diff,) = changes["rows"]
    assert diff["status"] == "changed" and diff["key"] == "HT-002" and diff["net"] == {"amount": "100000.00"}
    assert diff["old"]["entry"] == 4 and diff["new"]["entry"] == 5
    assert [(c["field"], c["old"], c["new"]) for c in diff["changed_fields"]] == [("amount", "1500000.00", "1600000.00")]
    assert changes["unchanged_rows"] == 4
    assert changes["net"]["loans"]["sums"] == {"amount": "100000.00"}
    assert changes["net"]["loans"]["by_product"] == {"programme": {"amount": "100000.00"}, "other": {}}

    # the same from the entry number, and on the terminal in 万元
    assert ledger.json("report", "changes", "--since", "3")["rows"] == changes["rows"]
    text = run_ok(ledger, "report", "changes", "--since", "2021-10").stdout
    flat = re.sub(r"[\s│┃]", "", text)
    assert "750.00" in flat and "760.00" in flat and "+10.00" in flat
    assert "第4条作废批次2(农商行放款明细.xlsx[放款明细])" in flat and "第5条导入批次3(农商行放款明细_重报.xlsx[放款明细])" in flat
    assert "放款金额150.00→160.00万元" in flat and "另有4行作废后原样重新导入" in flat
    assert "当时数据口径:截至2021年10月31日业务数据,账本第2条日志" in flat

    # the next period's summary lists the adjustments to the closed October
    november = ledger.json("report", "summary", "--month", "2021-11")
    adjusted = november["prior_period_adjustments"]
    assert adjusted["period"] == "2021-10" and [e["seq"] for e in adjusted["entries"]] == [4, 5]
    assert adjusted["entries"][1]["tables"]["loans"]["added"]["sums"] == {"amount": "8400000.00"}
    shown = re.sub(r"\s", "", run_ok(ledger, "report", "summary", "--month", "2021-11").stdout)
    assert "以前期间调整:已结账期间2021-10(第3条日志结账)之后" in shown and "第5条导入批次3" in shown
    assert ledger.json("closes")["closes"][0]["adjustments"] == 2
    assert run_ok(ledger, "verify").exit_code == 0

    # on the terminal, a later correction says which closed period it adjusts
    warned = re.sub(r"\s", "", run_ok(ledger, "void", "3", "--reason", "再次重报").stdout)
    assert "以前期间调整:第6条日志(作废)涉及5行业务日期在2021-10-31及以前的数据,调整了已结账期间2021-10" in warned


def test_report_changes_workbook_is_the_meetings_note(ledger: Ledger, tmp_path):
    month_of_work(ledger, tmp_path)
    out = tmp_path / "情况说明.xlsx"
    result = run_ok(ledger, "report", "changes", "--since", "2021-10", "--xlsx", out)
    assert "已写出情况说明" in result.stdout
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["情况说明", "变动明细"]
    cells = [str(c.value) for row in wb["情况说明"].iter_rows() for c in row if c.value is not None]
    assert any("数据口径" in c for c in cells) and any("HT-002" == c for c in cells)
    detail = list(wb["变动明细"].iter_rows(values_only=True))
    assert len(detail) == 1 + 10  # header, 5 rows taken out and 5 added


def test_changes_refuses_what_it_cannot_compare(ledger: Ledger, tmp_path):
    run_ok(ledger, "import", registry(tmp_path))
    for args, message in [
        (("report", "changes", "--since", "2021-10"), "尚未结账"),
        (("report", "changes", "--since", "9"), "没有第 9 条日志"),
        (("report", "changes", "--since", "abc"), "无法识别的结账期间"),
        (("report", "changes", "--since", "1", "--xlsx", tmp_path / "x.txt"), ".xlsx"),
    ]:
        result = ledger.run(*args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)


READING = [
    ("report", "summary"),
    ("report", "brief"),
    ("report", "fund"),
    ("report", "leverage"),
    ("report", "outstanding"),
    ("report", "targets"),
    ("audit", "subsidies"),
    ("audit", "claims"),
]


@pytest.mark.parametrize("command", READING, ids=" ".join)
def test_every_reading_command_takes_known_at_and_states_its_basis(ledger: Ledger, tmp_path, command):
    month_of_work(ledger, tmp_path)
    as_of = {"audit": None, "targets": "2023-12-31"}.get(command[0], {"targets": "2023-12-31"}.get(command[1], OCT_END))
    dated = ("--as-of", as_of) if as_of else ()
    (h2,) = ledger.sql("SELECT entry_hash FROM journal WHERE seq = 2")[0]
    (h5,) = ledger.sql("SELECT entry_hash FROM journal WHERE seq = 5")[0]
    then = ledger.json(*command, *dated, "--known-at", "2")
    assert then["basis"] == {"as_of": as_of, "entry": 2, "hash": h2}
    assert ledger.json(*command, *dated)["basis"] == {"as_of": as_of, "entry": 5, "hash": h5}
    # the same values again: the same bytes
    first = run_ok(ledger, *command, *dated, "--known-at", "2", "--json").stdout
    assert run_ok(ledger, *command, *dated, "--known-at", "2", "--json").stdout == first
    text = run_ok(ledger, *command, *dated, "--known-at", "2").stdout
    flat = re.sub(r"\s", "", text)
    day = f"截至{dt.date.fromisoformat(as_of):%Y年%m月%d日}业务数据" if as_of else "账本全部业务数据"
    assert f"数据口径:{day},账本第2条日志,哈希{h2[:12]}" in flat
    for bad, message in (("99", "没有第 99 条日志"), ("0", "没有第 0 条日志"), ("明天", "无法识别的 --known-at"), ("2001-01-01 10:00", "早于账本第一条日志")):
        refused = ledger.run(*command, *dated, "--known-at", bad)
        assert refused.exit_code == 2 and message in refused.stderr, (bad, refused.output)


def test_known_at_figures_differ_where_the_ledger_did(ledger: Ledger, tmp_path):
    month_of_work(ledger, tmp_path)
    assert ledger.json("report", "leverage", "--as-of", OCT_END, "--known-at", "2")["guided_ratio"]["numerator"] == "800000.00"
    outstanding = ledger.json("report", "outstanding", "--as-of", OCT_END, "--known-at", "4")
    assert outstanding["total"]["disbursed"] == "0.00"
    assert ledger.json("report", "outstanding", "--as-of", OCT_END)["total"]["disbursed"] == "7600000.00"
    brief = ledger.json("report", "brief", "--as-of", OCT_END, "--known-at", "2")
    assert "750万元" in brief["paragraphs"][0]


def test_known_at_a_local_date_time(ledger: Ledger, tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        month_of_work(ledger, tmp_path)
        times = dict(ledger.sql("SELECT seq, recorded_at FROM journal"))
        local = {seq: (t + dt.timedelta(hours=8)) for seq, t in times.items()}  # Shanghai has no DST

        def basis_at(text: str) -> int:
            return ledger.json("report", "summary", "--as-of", OCT_END, "--known-at", text)["basis"]["entry"]

        assert basis_at(f"{local[2]:%Y-%m-%d %H:%M:%S.%f}") == 2
        assert basis_at(f"{local[4]:%Y-%m-%dT%H:%M:%S.%f}") == 4
        assert basis_at(f"{times[4]:%Y-%m-%dT%H:%M:%S.%f}Z") == 4  # UTC said so
        assert basis_at(f"{local[5]:%Y-%m-%d %H:%M:%S.%f}+08:00") == 5
        # a date alone is the end of that (local) day
        assert basis_at(f"{local[5]:%Y-%m-%d}") == 5
        assert basis_at(f"{local[5]:%Y年%m月%d日}") == 5
        assert basis_at(f"{local[5] + dt.timedelta(days=3):%Y-%m-%d %H:%M}") == 5
        before = local[1] - dt.timedelta(days=1)
        refused = ledger.run("report", "summary", "--known-at", f"{before:%Y-%m-%d}")
        assert refused.exit_code == 2 and "早于账本第一条日志" in refused.stderr
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_known_at_on_a_read_only_ledger_leaves_the_file_as_it_was(ledger: Ledger, tmp_path):
    month_of_work(ledger, tmp_path)
    before = ledger.sql("SELECT count(*) FROM duckdb_views() WHERE NOT internal")
    result = ledger.run("--read-only", "report", "fund", "--known-at", "2", "--json")
    assert result.exit_code == 0, result.output
    assert ledger.sql("SELECT count(*) FROM duckdb_views() WHERE NOT internal") == before
    assert run_ok(ledger, "verify").exit_code == 0


def test_json_outputs_match_their_schemas(ledger: Ledger, tmp_path):
    from json_schemas import validate

    done = month_of_work(ledger, tmp_path)
    validate("close", done["closed"])
    validate("void", done["voided"])
    validate("import", done["reimported"])
    validate("closes", ledger.json("closes"))
    validate("report-changes", ledger.json("report", "changes", "--since", "2021-10"))
    validate("report-changes", ledger.json("report", "changes", "--since", "1", "--as-of", "2022-06-30"))
    validate("report-summary", ledger.json("report", "summary", "--month", "2021-11"))
    for command in READING:
        dated = () if command[0] == "audit" else ("--as-of", "2023-12-31")
        validate("-".join(command), ledger.json(*command, *dated, "--known-at", "3"))


def test_workbooks_state_their_basis(ledger: Ledger, tmp_path):
    from openpyxl import load_workbook

    month_of_work(ledger, tmp_path)
    (h2,) = ledger.sql("SELECT entry_hash FROM journal WHERE seq = 2")[0]
    pack = tmp_path / "会议材料.xlsx"
    run_ok(ledger, "report", "summary", "--month", "2021-10", "--known-at", "2", "--xlsx", pack)
    cover = [str(c.value) for row in load_workbook(pack)["封面"].iter_rows() for c in row if c.value is not None]
    assert any(f"数据口径: 截至2021年10月31日业务数据,账本第2条日志,哈希 {h2[:12]}" in c for c in cover)
    audit = tmp_path / "审计底稿.xlsx"
    run_ok(ledger, "audit", "subsidies", "--known-at", "2", "--xlsx", audit)
    notes = dict(load_workbook(audit)["说明"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert notes["数据口径"] == f"数据口径: 账本全部业务数据,账本第2条日志,哈希 {h2[:12]}"


def test_known_at_takes_the_exact_batches_when_ids_do_not_follow_the_journal(ledger: Ledger, tmp_path):
    import duckdb

    run_ok(ledger, "import", registry(tmp_path))
    run_ok(ledger, "import", october_loans(tmp_path, "农商行放款明细.xlsx"))
    assert ledger.json("report", "summary", "--as-of", OCT_END, "--known-at", "1")["loans"]["amount"] == "0.00"
    # a journal whose entry 1 imported batch 2 (the loans) and entry 2 batch 1 (a range test would take both)
    with duckdb.connect(str(ledger.path)) as con:
        con.execute("UPDATE journal SET batch_id = 3 - batch_id WHERE action = 'import'")
    assert ledger.json("report", "summary", "--as-of", OCT_END, "--known-at", "1")["loans"]["amount"] == "7500000.00"


def test_rows_and_export_as_known_at_an_earlier_entry(tmp_path):
    """`rows` and `export` take --known-at: later imports are left out, the journal is cut at the entry."""
    import duckdb

    from conftest import Ledger

    led = Ledger(tmp_path / "d.duckdb")
    assert led.run("demo").exit_code == 0
    loans_at = {r[0]: r[1] for r in led.sql("SELECT seq, batch_id FROM journal WHERE action = 'import'")}
    first_loans = min(seq for seq, batch in loans_at.items() if led.sql(f"SELECT count(*) FROM loans WHERE batch_id = {batch}")[0][0])
    then = led.json("rows", "loans", "--known-at", str(first_loans))
    now = led.json("rows", "loans")
    assert 0 < then["total"]["rows"] < now["total"]["rows"]
    out = tmp_path / "ex"
    result = led.run("export", "--parquet", str(out), "--known-at", str(first_loans))
    assert result.exit_code == 0, result.output
    with duckdb.connect() as con:
        n_loans = con.execute(f"SELECT count(*) FROM '{out}/loans.parquet'").fetchone()[0]
        n_journal = con.execute(f"SELECT max(seq) FROM '{out}/journal.parquet'").fetchone()[0]
    assert n_loans == then["total"]["rows"] and n_journal == first_loans
    refused = led.run("rows", "loans", "--known-at", "2", "--include-voided")
    assert refused.exit_code == 2 and "不能同时使用" in refused.output
