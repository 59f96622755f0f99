"""Makes tests/data/v1_ledger.duckdb.gz: a ledger written by the code before schema version 2.

Run with the old code first on the path (commit 8d5630a of main, schema version 1):
    PYTHONPATH=/path/to/old/checkout python tests/data/make_v1_ledger.py
Its loans hold contract numbers as banks wrote them (lower case, a zero-width space, full-width
letters), which the old importer stored as written: test_ids.py upgrades a copy of it.
"""

import csv
import gzip
import shutil
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from ledger.cli import app

HERE = Path(__file__).resolve().parent


def main() -> None:
    import ledger.store

    assert ledger.store.SCHEMA_VERSION == 1, "run with the old code (schema version 1) on the path"
    from ledger.demo import credit_code
    import random

    rng = random.Random(3)
    codes = [credit_code(rng, "500113") for _ in range(2)]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "v1.duckdb"
        run = lambda *a: CliRunner().invoke(app, ["--db", str(db), *map(str, a)])  # noqa: E731
        assert run("init").exit_code == 0
        ent = Path(tmp) / "企业名录.csv"
        with open(ent, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([["统一社会信用代码", "企业名称", "所属区县"], [codes[0], "重庆甲科技有限公司", "巴南区"], [codes[1], "重庆乙科技有限公司", "巴南区"]])
        assert run("import", ent).exit_code == 0
        loans = Path(tmp) / "放款明细.csv"
        header = ["贷款合同编号", "统一社会信用代码", "企业名称", "贷款银行", "贷款品种", "放款日期", "到期日期", "放款金额", "年利率(%)"]
        rows = [
            ["gbk3", codes[0], "重庆甲科技有限公司", "建设银行", "知识价值信用贷款", "2024-01-05", "2024-12-05", "1000000", "4.35"],
            ["HX\u200b0002", codes[1], "重庆乙科技有限公司", "建设银行", "知识价值信用贷款", "2024-02-05", "2025-01-05", "2000000", "4.35"],
            ["ＨＸ０００３", codes[1], "重庆乙科技有限公司", "建设银行", "知识价值信用贷款", "2024-03-05", "2025-02-05", "500000", "4.35"],
            ["HX0004", codes[0], "重庆甲科技有限公司", "建设银行", "知识价值信用贷款", "2024-03-05", "2025-02-05", "300000", "4.35"],
        ]
        with open(loans, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([header, *rows])
        result = run("import", loans)
        assert result.exit_code == 0, result.output
        assert run("verify").exit_code == 0
        with open(db, "rb") as src, gzip.open(HERE / "v1_ledger.duckdb.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
    print("codes", codes, file=sys.stderr)


if __name__ == "__main__":
    main()
