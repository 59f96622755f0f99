"""Shared test helpers: a real ledger file in a temp dir, real spreadsheets, the CLI runner."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli import app
from ledger.demo import credit_code

runner = CliRunner()


class Ledger:
    """A ledger file under tmp_path driven through the real command line."""

    def __init__(self, path: Path):
        self.path = path

    def run(self, *args: str):
        return runner.invoke(app, ["--db", str(self.path), *map(str, args)])

    def json(self, *args: str) -> dict:
        result = self.run(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def sql(self, query: str, params=None):
        import duckdb

        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(query, params or []).fetchall()


@pytest.fixture
def ledger(tmp_path) -> Ledger:
    led = Ledger(tmp_path / "test.duckdb")
    result = led.run("init")
    assert result.exit_code == 0, result.output
    return led


def codes(n: int, seed: int = 7, region: str = "500113") -> list[str]:
    """n distinct valid unified social credit codes."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        c = credit_code(rng, region)
        if c not in out:
            out.append(c)
    return out


def write_xlsx(path: Path, rows: list[list], sheet: str = "Sheet1", more: dict[str, list[list]] | None = None) -> Path:
    """A real .xlsx with the given rows (and more sheets), written with openpyxl."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for name, extra in (more or {}).items():
        ws2 = wb.create_sheet(name)
        for r in extra:
            ws2.append(r)
    wb.save(path)
    return path


ENTERPRISE_HEADER = ["统一社会信用代码", "企业名称", "所属区县"]
LOAN_HEADER = ["贷款合同编号", "统一社会信用代码", "企业名称", "贷款银行", "贷款品种", "放款日期", "到期日期", "放款金额", "年利率(%)"]
APPLICATION_HEADER = ["申报编号", "统一社会信用代码", "企业名称", "申报日期", "申报金额", "意向银行"]
