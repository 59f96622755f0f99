"""A bank's 放款明细 of 100,000 rows and 15 columns, plus the enterprise registry it needs.

Deterministic (seeded): the same arguments always write the same cells. The loan sheet is
laid out the way bank systems export it: a title row, a "单位:元" line, the header, the
rows, a 合计 row. Its 15 columns mix the nine the ledger imports with six it ignores
(序号, 经办支行, 担保方式, 贷款期限(月), 客户经理, 备注); Chinese text, Excel date cells, a
share of dates written as text, amounts with fen, rates in the three accepted forms.

    python bench/gen_loans.py bench/out            # 100,000 rows
    python bench/gen_loans.py bench/out --rows 5000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger.demo import BANKS, OTHER_DISTRICTS, TRADES, WORDS, credit_code  # noqa: E402

HEADER = [
    "序号", "贷款合同编号", "统一社会信用代码", "企业名称", "贷款银行", "经办支行", "贷款品种", "放款日期",
    "到期日期", "放款金额(元)", "年利率(%)", "担保方式", "贷款期限(月)", "客户经理", "备注",
]
REGISTRY_HEADER = ["统一社会信用代码", "企业名称", "所属区县", "是否高新技术企业"]
BRANCHES = ["营业部", "渝中支行", "江北支行", "南岸支行", "巴南支行", "九龙坡支行", "沙坪坝支行", "北碚支行"]
PRODUCTS = ["知识价值信用贷款"] * 6 + ["流动资金贷款", "科技型企业商业价值信用贷款", "知识产权质押贷款"]
GUARANTEES = ["信用", "信用", "信用", "保证", "知识产权质押", "抵押"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂"
NOTES = [None, None, None, None, "首贷", "续贷", "贴息", "已提供知识价值评价报告"]
DISTRICTS = ["巴南区", *(d for d, _ in OTHER_DISTRICTS)]


def registry_rows(n: int, seed: int = 20211231) -> list[list]:
    """n enterprises with distinct valid credit codes and distinct names."""
    rng = random.Random(seed)
    codes: set[str] = set()
    names: set[str] = set()
    rows = []
    while len(rows) < n:
        region = "500113" if rng.random() < 0.7 else rng.choice(OTHER_DISTRICTS)[1]
        code = credit_code(rng, region)
        name = f"重庆{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司"
        if code in codes or name in names:
            continue
        codes.add(code)
        names.add(name)
        rows.append([code, name, rng.choice(DISTRICTS), "是" if rng.random() < 0.3 else "否"])
    return rows


def loan_rows(registry: list[list], n: int, seed: int = 100000) -> list[list]:
    """n loans to enterprises of `registry`, in the 15 columns of HEADER."""
    rng = random.Random(seed)
    start = dt.date(2019, 1, 1)
    rows = []
    for i in range(n):
        code, name = rng.choice(registry)[:2]
        bank = rng.choice(BANKS)
        day = start + dt.timedelta(days=rng.randrange(0, 5 * 365))
        months = rng.choice((6, 12, 12, 12, 24, 36))
        due = day + dt.timedelta(days=months * 30)
        fen = rng.randrange(50_000, 2_000_000) * 100 + rng.choice((0, 0, 0, 50, 25))
        amount = fen / 100
        rate_bp = rng.randrange(350, 620)  # 3.50% .. 6.19%
        form = i % 10
        if form < 6:
            rate = rate_bp / 100  # 4.35
        elif form < 8:
            rate = f"{rate_bp / 100:.2f}%"  # '4.35%'
        else:
            rate = rate_bp / 10000  # 0.0435
        disbursed = day if i % 7 else day.strftime("%Y/%-m/%-d")  # every 7th date typed as text
        rows.append([
            i + 1,
            f"HT{day:%Y}{i:07d}",
            code if i % 13 else code.lower(),
            name,
            bank,
            rng.choice(BRANCHES),
            rng.choice(PRODUCTS),
            disbursed,
            due,
            amount,
            rate,
            rng.choice(GUARANTEES),
            months,
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            rng.choice(NOTES),
        ])
    return rows


def write_registry(path: Path, rows: list[list]) -> Path:
    """The registry as a plain .xlsx (header in row 1)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    ws.append(REGISTRY_HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_loans(path: Path, rows: list[list]) -> Path:
    """The loan sheet: title, unit line, header, rows, 合计 row (written with openpyxl write_only)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("放款明细")
    ws.append(["知识价值信用贷款及其他贷款放款明细表(基准测试)"])
    ws.append(["填报单位:各合作银行", None, None, None, None, None, None, None, None, "单位:元"])
    ws.append(HEADER)
    total = 0
    for r in rows:
        total += round(r[9] * 100)
        ws.append(r)
    ws.append(["合计", None, None, None, None, None, None, None, None, total / 100])
    wb.save(path)
    return path


def generate(out: Path, n: int = 100_000, enterprises: int = 40_000) -> tuple[Path, Path]:
    """Write 企业名录.xlsx and 放款明细-<n>.xlsx under `out` (reused when already there)."""
    out.mkdir(parents=True, exist_ok=True)
    reg_path = out / f"企业名录-{enterprises}.xlsx"
    loan_path = out / f"放款明细-{n}.xlsx"
    if reg_path.exists() and loan_path.exists():
        return reg_path, loan_path
    registry = registry_rows(enterprises)
    write_registry(reg_path, registry)
    write_loans(loan_path, loan_rows(registry, n))
    return reg_path, loan_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=40_000)
    args = parser.parse_args()
    t = time.perf_counter()
    reg, loans = generate(args.out, args.rows, args.enterprises)
    print(f"{reg}\n{loans}\n({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
