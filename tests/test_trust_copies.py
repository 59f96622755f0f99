"""`ledger backup OUT`, `ledger export --parquet DIR | --xlsx FILE`, and `xlsx_safe`."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest
from trust_support import loaded, loans, state

from conftest import Ledger

AS_OF = ("report", "summary", "--as-of", "2022-12-31")


@pytest.fixture
def led(ledger: Ledger, tmp_path) -> Ledger:
    loaded(ledger, tmp_path)
    assert ledger.run("void", "loans:2", "--reason", "合同撤销").exit_code == 0
    return ledger


def tables(path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in names}


def live_tables(path) -> dict[str, int]:
    """What an export holds by default: fact tables' live rows (their v_ views), other tables whole."""
    with duckdb.connect(str(path), read_only=True) as con:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: con.execute(f"SELECT count(*) FROM {'v_' + t if 'v_' + t in views else t}").fetchone()[0] for t in names}


def test_a_backup_is_a_ledger_that_verifies_and_carries_on(led: Ledger, tmp_path):
    out = tmp_path / "备份" / "ledger-备份.duckdb"
    out.parent.mkdir()
    before = state(led)
    result = led.run("backup", out, "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    source_head = led.sql("SELECT entry_hash FROM journal ORDER BY seq DESC LIMIT 1")[0][0]
    assert info["journal_head"] == source_head and info["journal_entries"] == 3
    assert tables(out) == tables(led.path) == info["tables"]
    assert state(led) == before
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no partial file left beside it

    copy = Ledger(out)
    check = copy.run("verify")
    assert check.exit_code == 0 and source_head in check.stdout
    assert copy.json(*AS_OF) == led.json(*AS_OF)
    # the copy carries on as a ledger: its id sequences continue, a new import and a void verify
    assert copy.run("import", loans(tmp_path, "新放款.xlsx", prefix="NEW")).exit_code == 0
    assert copy.sql("SELECT count(DISTINCT id), count(*) FROM loans") == [(10, 10)]
    assert copy.run("void", "3", "--reason", "试").exit_code == 0
    assert copy.run("verify").exit_code == 0


def test_backup_never_overwrites_and_refuses_a_ledger_that_does_not_verify(led: Ledger, tmp_path):
    out = tmp_path / "b.duckdb"
    out.write_bytes(b"keep me")
    result = led.run("backup", out)
    assert result.exit_code == 2 and "已存在" in result.stderr
    assert out.read_bytes() == b"keep me"

    with duckdb.connect(str(led.path)) as con:
        con.execute("UPDATE loans SET amount = 1 WHERE contract_no = 'HT-001'")
    other = tmp_path / "c.duckdb"
    result = led.run("backup", other)
    assert result.exit_code == 3 and "核验未通过" in result.stderr and "第 2 条日志" in result.stderr
    assert not other.exists() and sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_parquet_export_one_file_per_table_with_a_manifest(led: Ledger, tmp_path):
    with duckdb.connect() as con:  # built into the wheel: works offline, nothing to install
        (mode,) = con.execute("SELECT install_mode FROM duckdb_extensions() WHERE extension_name = 'parquet'").fetchone()
    assert mode == "STATICALLY_LINKED"

    out = tmp_path / "导出"
    result = led.run("--read-only", "export", "--parquet", out, "--json")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    expected = live_tables(led.path)
    assert manifest["tables"] == expected and expected["loans"] == tables(led.path)["loans"] - 1
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.parquet" for t in expected] + ["manifest.json"])
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert manifest["journal_head"] == led.sql("SELECT entry_hash FROM journal ORDER BY seq DESC LIMIT 1")[0][0]
    with duckdb.connect() as con:
        loans_pq = str(out / "loans.parquet")
        assert con.execute(f"SELECT sum(amount), typeof(sum(amount)) FROM '{loans_pq}'").fetchone() == led.sql(
            "SELECT sum(amount), typeof(sum(amount)) FROM v_loans"
        )[0]
        voids_pq = str(out / "voids.parquet")
        assert con.execute(f"SELECT reason FROM '{voids_pq}'").fetchall() == [("合同撤销",)]

    again = led.run("export", "--parquet", out)
    assert again.exit_code == 2 and "不为空" in again.stderr
    assert led.run("export").exit_code == 2


def test_xlsx_export_one_sheet_per_table(led: Ledger, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "账本.xlsx"
    result = led.run("export", "--xlsx", out)
    assert result.exit_code == 0, result.output
    wb = load_workbook(out, read_only=True)
    expected = live_tables(led.path)
    assert sorted(wb.sheetnames) == sorted([*expected, "说明", "字段说明"])
    for name, count in expected.items():
        rows = list(wb[name].iter_rows(values_only=True))
        assert len(rows) == count + 1
    header = list(wb["loans"].iter_rows(values_only=True))[0]
    assert "contract_no" in header and "amount" in header
    first = next(wb["loans"].iter_rows(min_row=2, max_row=2))
    amount, disbursed = first[header.index("amount")], first[header.index("disbursed_on")]
    assert amount.number_format == "#,##0.00" and isinstance(amount.value, (int, float))
    assert disbursed.number_format == "yyyy-mm-dd"


def test_xlsx_safe_keeps_text_text(tmp_path):
    from openpyxl import Workbook, load_workbook

    from ledger import xlsx_safe

    texts = ["=1+1", "+86 23 1234", "-5", "@SUM(A1)", "\t=x", "#N/A", "a\x00b\x1fc", "x" * 40_000, "普通文本"]
    for write_only in (False, True):
        wb = Workbook(write_only=write_only)
        ws = wb.create_sheet("s") if write_only else wb.active
        ws.append(xlsx_safe.row(ws, texts + [42, 1.5, None]))
        if not write_only:
            xlsx_safe.put(ws, 2, 1, "=cmd|' /C calc'!A0")
            xlsx_safe.put(ws, 2, 2, 7)
        path = tmp_path / f"s{write_only}.xlsx"
        wb.save(path)
        sheet = load_workbook(path).worksheets[0]
        got = [c for c in sheet[1]]
        assert [c.data_type for c in got[: len(texts)]] == ["s"] * len(texts)
        assert [c.value for c in got[:6]] == texts[:6]
        assert [c.quotePrefix for c in got[:6]] == [True, True, True, True, True, False]
        assert got[6].value == "a\ufffdb\ufffdc"
        assert len(got[7].value) == xlsx_safe.MAX_CELL_TEXT and got[7].value.endswith(xlsx_safe.TRUNCATED)
        assert (got[9].value, got[10].value, got[9].data_type) == (42, 1.5, "n")
        if not write_only:
            assert (sheet["A2"].value, sheet["A2"].data_type, sheet["B2"].value) == ("=cmd|' /C calc'!A0", "s", 7)
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
