"""Start-up: reading commands must not pay for what only imports and workbooks need.

Each command runs in a fresh `python -X importtime -m ledger …` process on a real ledger
file, and the modules it imported are read from that report: pandas, pandera, the ORM
(sqlmodel, sqlalchemy), openpyxl and pydantic stay out of `--help` and of every report,
audit and journal command; rich stays out of their `--json` output as well.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = {"pandas", "pandera", "sqlmodel", "sqlalchemy", "openpyxl", "pydantic", "numpy", "duckdb_engine"}


def imported(db: Path, *args: str) -> tuple[int, set[str], str]:
    """Exit code, every module imported, and stderr of `ledger --db DB ARGS` in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LEDGER_POLICY": ""}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ledger", "--db", str(db), *args], capture_output=True, env=env, timeout=120
    )
    lines = proc.stderr.decode().splitlines()
    modules = {line.split("|")[-1].strip() for line in lines if line.startswith("import time:")}
    other = "\n".join(line for line in lines if not line.startswith("import time:"))
    return proc.returncode, modules, other


def top_level(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("report", "--help"),
        ("import", "--help"),
        ("report", "summary", "--json"),
        ("report", "summary", "--json", "--by", "bank", "--by", "month", "--as-of", "2021-12-31"),
        ("report", "fund", "--json"),
        ("report", "leverage", "--json"),
        ("report", "outstanding", "--json"),
        ("report", "brief", "--json"),
        ("audit", "subsidies", "--json"),
        ("log", "--json"),
        ("verify",),
        ("verify", "--json"),
        ("rows", "loans", "--bank", "重庆银行"),
        ("rows", "loans", "--json"),
    ],
    ids=lambda a: " ".join(a),
)
def test_commands_start_without_heavy_modules(ledger, args):
    code, modules, err = imported(ledger.path, *args)
    assert code == 0, err
    assert "ledger" in top_level(modules)  # the report is real: it saw the package load
    assert not top_level(modules) & HEAVY, sorted(top_level(modules) & HEAVY)
    if "--json" in args:
        assert "rich" not in top_level(modules), "--json output is plain JSON; rich is for tables"


def test_tables_still_drawn_with_rich(ledger):
    code, modules, err = imported(ledger.path, "report", "fund")
    assert code == 0, err
    assert "rich" in top_level(modules)
    assert not top_level(modules) & HEAVY


def test_import_command_loads_its_frame_libraries_only_when_run(ledger, tmp_path):
    # Asking for help is cheap; importing a sheet is what needs pandas and pandera.
    from conftest import write_xlsx

    sheet = write_xlsx(tmp_path / "名录.xlsx", [["统一社会信用代码", "企业名称", "所属区县"]])
    code, modules, _ = imported(ledger.path, "import", str(sheet), "--dry-run")
    assert "pandas" in top_level(modules)
    code, modules, _ = imported(ledger.path, "import", "--help")
    assert code == 0 and "pandas" not in top_level(modules)


def test_option_values_are_converted_as_typer_does(ledger):
    # Plain options bypass typer's pydantic converter; anything it would reject still gets typer's message.
    bad = ledger.run("log", "--batch", "abc")
    assert bad.exit_code == 2
    assert "--batch" in bad.output and "应为整数" in bad.output
    missing = ledger.run("log", "--batch", " 99 ")
    assert missing.exit_code == 2
    assert "账本中没有批次 99" in missing.output
    grouped = ledger.json("report", "summary", "--by", "bank", "--by", "month", "--as-of", "2021-12-31")
    assert set(grouped["breakdowns"]) == {"bank", "month"}
