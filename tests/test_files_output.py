"""Output never carries raw control characters: stored text reaches a terminal escaped (`\\u001b`).

A contract number holding ESC/BEL, a bank name holding an OSC title sequence and a
right-to-left override, an import file whose name holds ESC, and a void reason holding BEL
are stored through the CLI, then every command that shows them is run. Where the import
itself now refuses control characters (a newer rule), the text is put in place with SQL,
as a ledger written before that rule holds it: what is shown is what is tested here.
"""

from __future__ import annotations

import csv
import json

import duckdb
import pytest
from trust_support import C, NAMES, registry

from conftest import LOAN_HEADER, Ledger

CONTRACT = "HX\x1b[31m0001\x07"
BANK = "重庆\x1b]0;pwned\x07银\u202e行"
FILE = "放款\x1b[2J明细.csv"
REASON = "银行\x07更正"
RAW = ("\x1b", "\x07", "\u202e")


def _loans_csv(path, contract: str, bank: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(LOAN_HEADER)
        w.writerow([contract, C[0], NAMES[0], bank, "知识价值信用贷款", "2021-03-05", "2022-03-04", 1000000, 4.35])
        w.writerow(["HX-0002", C[1], NAMES[1], "重庆银行", "知识价值信用贷款", "2021-03-06", "2022-03-04", 500000, 4.35])


@pytest.fixture
def hostile(ledger: Ledger, tmp_path) -> Ledger:
    """Batch 1 the registry; batch 2 loans with control characters; batch 3 (file name with ESC), voided with a BEL reason."""
    assert ledger.run("import", registry(tmp_path)).exit_code == 0
    _loans_csv(tmp_path / "放款.csv", CONTRACT, BANK)
    if ledger.run("import", tmp_path / "放款.csv").exit_code != 0:  # refused since: store it as an older ledger holds it
        _loans_csv(tmp_path / "放款.csv", "HX0001", "重庆某银行")
        assert ledger.run("import", tmp_path / "放款.csv").exit_code == 0
        with duckdb.connect(str(ledger.path)) as con:
            con.execute("UPDATE loans SET contract_no = ?, bank = ? WHERE contract_no = 'HX0001'", [CONTRACT, BANK])
    _loans_csv(tmp_path / FILE, "HX-0003", "重庆银行")
    assert ledger.run("import", tmp_path / FILE).exit_code == 0
    voided = ledger.run("void", "3", "--reason", REASON)
    assert voided.exit_code == 0, voided.output
    assert "银行\\u0007更正" in voided.stdout and "\x07" not in voided.stdout
    return ledger


def _shown(result) -> str:
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert not any(ch in out for ch in RAW), repr(out)
    return out


def test_log_of_a_batch_shows_control_characters_escaped(hostile: Ledger):
    out = _shown(hostile.run("log", "--batch", "2"))
    assert "HX\\u001b[31m0001\\u0007" in out
    everything = _shown(hostile.run("log"))
    assert "放款\\u001b[2J明细.csv" in everything and "银行\\u0007更正" in everything


def test_reports_show_control_characters_escaped(hostile: Ledger):
    by_loan = _shown(hostile.run("report", "outstanding", "--by", "loan", "--as-of", "2021-12-31"))
    assert "HX\\u001b[31m0001\\u0007" in by_loan
    by_bank = _shown(hostile.run("report", "outstanding", "--by", "bank", "--as-of", "2021-12-31"))
    assert "\\u001b]0;pwned\\u0007" in by_bank and "\\u202e" in by_bank
    _shown(hostile.run("report", "summary", "--by", "bank", "--as-of", "2021-12-31"))
    _shown(hostile.run("report", "fund", "--as-of", "2021-12-31"))


def test_json_output_escapes_them_too(hostile: Ledger):
    result = hostile.run("report", "outstanding", "--by", "bank", "--as-of", "2021-12-31", "--json")
    out = _shown(result)
    assert "\\u202e" in out  # JSON's own escape, which json.loads reads back
    assert "\u202e" in json.dumps(json.loads(out), ensure_ascii=False)  # … and reads back as the stored text


def test_writing_workbooks_and_exports_never_fails_on_stored_text(hostile: Ledger, tmp_path):
    from openpyxl import load_workbook

    export = hostile.run("export", "--xlsx", tmp_path / "账本.xlsx")
    assert export.exit_code == 0, export.output
    values = {c.value for ws in load_workbook(tmp_path / "账本.xlsx").worksheets for row in ws.iter_rows() for c in row}
    assert "HX\ufffd[31m0001\ufffd" in values
    meeting = hostile.run("report", "summary", "--as-of", "2021-12-31", "--by", "bank", "--xlsx", tmp_path / "会议.xlsx")
    assert meeting.exit_code == 0, meeting.output
    parquet = hostile.run("export", "--parquet", tmp_path / "导出")
    assert parquet.exit_code == 0, parquet.output
