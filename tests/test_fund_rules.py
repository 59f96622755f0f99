"""The fund's ledger-wide rules (`programs.fund_rules.RULES`) on real ledgers built through the CLI.

Each rule judges the stored facts, so its findings must not depend on the order the files came
in: the same four files imported in two orders give the same findings, pointing at the same
rows of the same files. Repayments, recoveries and the loan they name are planted to break the
rules that are not about claims (the claim rules are checked through `audit claims`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
from conftest import Ledger, write_xlsx
from test_claims_audit import CLAIM_HEADER, LOANS, REPAYMENT_HEADER, district, ok, ok_loans  # noqa: F401  (district: the fixture)

D = dt.date
RECOVERY_HEADER = ["贷款合同编号", "回收日期", "回收金额"]

REPAYMENTS = [
    ["L1", D(2021, 6, 1), 600000, None],
    ["L1", D(2021, 9, 1), 300000, None],
    ["L1", D(2021, 9, 1), 200000, None],  # the same day as the one above: 1,100,000 in all, over the 1,000,000 lent
    ["L8", D(2021, 6, 1), 100000, None],  # L8 is voided afterwards
]
CLAIMS = [["CL-2", "L2", D(2022, 4, 15), 1000000, 800000, None]]
RECOVERIES = [
    ["L2", D(2022, 3, 1), 50000],  # before the claim on L2
    ["L2", D(2022, 8, 1), 600000],
    ["L2", D(2022, 9, 1), 500000],  # 1,150,000 recovered in all, over the loss of 1,000,000
]


def build(ledger: Ledger, tmp_path, order: list[str]) -> None:
    files = {
        "repayments": write_xlsx(tmp_path / "还款明细.xlsx", [REPAYMENT_HEADER] + REPAYMENTS),
        "claims": write_xlsx(tmp_path / "风险补偿.xlsx", [CLAIM_HEADER] + CLAIMS),
        "recoveries": write_xlsx(tmp_path / "追偿回收.xlsx", [RECOVERY_HEADER] + RECOVERIES),
    }
    ok_loans(ledger, tmp_path, LOANS)
    for kind in order:
        ok(ledger.run("import", files[kind]))
    (loan_id,) = ledger.sql("SELECT id FROM loans WHERE contract_no = 'L8'")[0]
    ok(ledger.run("void", f"loans:{loan_id}", "--reason", "银行撤回该笔放款"))


def findings(ledger: Ledger, policy_path) -> set[tuple]:
    """Every finding of every fund rule, as (rule, file, sheet row, field, excess): what a user can compare across ledgers."""
    from ledger.policy import load_policy
    from ledger.programs.findings import Facts
    from ledger.programs.fund_rules import RULES

    policy = load_policy(policy_path)
    con = duckdb.connect(str(ledger.path), read_only=True)
    try:
        out = set()
        for rule in RULES:
            for f in rule(Facts(con), policy):
                file, row = con.execute(
                    f"SELECT b.file_name, t.source_row FROM {f.table} t JOIN import_batches b ON b.id = t.batch_id WHERE t.id = ?", [f.row_id]
                ).fetchone()
                out.add((f.rule, file, row, f.field, f.excess))
        return out
    finally:
        con.close()


def test_findings_do_not_depend_on_import_order(tmp_path, district):
    one, two = Ledger(tmp_path / "a" / "l.duckdb"), Ledger(tmp_path / "b" / "l.duckdb")
    for led in (one, two):
        led.path.parent.mkdir()
        ok(led.run("init"))
    build(one, tmp_path / "a", ["repayments", "claims", "recoveries"])
    build(two, tmp_path / "b", ["recoveries", "claims", "repayments"])
    first = findings(one, district)
    assert first == findings(two, district)
    assert first == {
        # both repayments of 2021-09-01 take the total past what was lent: neither comes "first"
        ("repayment_within_principal", "还款明细.xlsx", 3, "principal", Decimal("100000.00")),
        ("repayment_within_principal", "还款明细.xlsx", 4, "principal", Decimal("100000.00")),
        ("loan_events_known", "还款明细.xlsx", 5, "contract_no", None),
        ("recovery_after_claim", "追偿回收.xlsx", 2, "contract_no", None),
        ("recovery_within_loss", "追偿回收.xlsx", 4, "amount", Decimal("150000.00")),
    }


def test_as_of_leaves_later_facts_out(ledger: Ledger, tmp_path, district):
    from ledger.policy import load_policy
    from ledger.programs.findings import Facts
    from ledger.programs.fund_rules import recovery_within_loss, repayment_within_principal

    build(ledger, tmp_path, ["repayments", "claims", "recoveries"])
    policy = load_policy(district)
    con = duckdb.connect(str(ledger.path), read_only=True)
    try:
        assert repayment_within_principal(Facts(con, D(2021, 8, 31)), policy) == []
        assert recovery_within_loss(Facts(con, D(2022, 8, 31)), policy) == []
        assert len(recovery_within_loss(Facts(con), policy)) == 1
    finally:
        con.close()
