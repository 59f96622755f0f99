"""A month of a clerk's work as real files: registry, applications and three banks' loan sheets.

Batches in import order: 1 企业名录, 2 贷款申报, 3 农商行放款明细 (the sheet a bank later resends),
4 重庆银行放款明细, 5 建行放款明细. Expected figures are computed here from the same lists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from conftest import APPLICATION_HEADER, ENTERPRISE_HEADER, LOAN_HEADER, Ledger, codes, write_xlsx

C = codes(10, seed=41)
NAMES = [f"重庆月度测试{i}科技有限公司" for i in range(len(C))]
DISTRICT = ["巴南区"] * 6 + ["江北区"] * 4
GRADES = ["A", "B", "C", "A", "B", None, "C", "D", "E", "A"]
RCB, CQB, CCB = "重庆农村商业银行", "重庆银行", "中国建设银行重庆分行"


def loan(no: str, k: int, bank: str, day: dt.date, amount: int, programme: bool = True) -> list:
    product = "知识价值信用贷款" if programme else "流动资金贷款"
    return [no, C[k], NAMES[k], bank, product, day, day.replace(year=day.year + 1), amount, 4.35]


# The 农商行 sheet: 12 loans in Sept–Oct 2021 (one of them guided lending).
RCB_LOANS = [
    loan(f"NS-{i:03d}", i % 10, RCB, dt.date(2021, 9 + i % 2, 3 + i), 1_000_000 + 10_000 * i, programme=i != 5) for i in range(12)
]
CQB_LOANS = [loan(f"CQ-{i:03d}", (i + 3) % 10, CQB, dt.date(2021, 10, 10 + i), 2_100_000 + 50_000 * i, programme=i != 2) for i in range(4)]
CCB_LOANS = [loan(f"JH-{i:03d}", (i + 6) % 10, CCB, dt.date(2021, 10 + i % 2, 5 + i), 800_000 + 5_000 * i) for i in range(5)]


def files(tmp: Path) -> dict[str, Path]:
    """The month's sheets, written once under `tmp`."""
    apps = [APPLICATION_HEADER + ["评价等级"]] + [
        [f"SB-{k:03d}", C[k], NAMES[k], dt.date(2021, 8, 1 + k), 3_000_000, [RCB, CQB, CCB][k % 3], GRADES[k]] for k in range(10)
    ]
    return {
        "registry": write_xlsx(tmp / "企业名录.xlsx", [ENTERPRISE_HEADER] + [[c, n, d] for c, n, d in zip(C, NAMES, DISTRICT)]),
        "applications": write_xlsx(tmp / "贷款申报.xlsx", apps),
        "rcb": write_xlsx(tmp / "农商行放款明细.xlsx", [LOAN_HEADER] + RCB_LOANS, sheet="放款明细"),
        "cqb": write_xlsx(tmp / "重庆银行放款明细.xlsx", [LOAN_HEADER] + CQB_LOANS, sheet="放款明细"),
        "ccb": write_xlsx(tmp / "建行放款明细.xlsx", [LOAN_HEADER] + CCB_LOANS, sheet="放款明细"),
    }


def month(ledger: Ledger, tmp: Path) -> dict[str, Path]:
    """The ledger with the month imported (batches 1–5); returns the files."""
    written = files(tmp)
    for name in ("registry", "applications", "rcb", "cqb", "ccb"):
        result = ledger.run("import", written[name])
        assert result.exit_code == 0, result.output
    return written


def total(rows: list[list], month: str | None = None, bank: str | None = None, programme: bool | None = True) -> Decimal:
    """The sum of amounts of the listed loans matching the filters, in 元."""
    out = Decimal(0)
    for r in rows:
        if month and r[5].strftime("%Y-%m") != month:
            continue
        if bank and r[3] != bank:
            continue
        if programme is not None and (r[4] == "知识价值信用贷款") != programme:
            continue
        out += Decimal(r[7])
    return out
