"""Helpers of the trust tests: a small real ledger, large sheets, and the CLI in a separate process."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ENTERPRISE_HEADER, LOAN_HEADER, Ledger, codes, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
C = codes(8, seed=11)
NAMES = [f"重庆测试科技{i}有限公司" for i in range(len(C))]


def registry(tmp_path: Path, name: str = "企业名录.xlsx") -> Path:
    """An enterprise registry of all of C."""
    return write_xlsx(tmp_path / name, [ENTERPRISE_HEADER] + [[c, n, "巴南区"] for c, n in zip(C, NAMES)], sheet="企业名录")


def loans(tmp_path: Path, name: str = "放款明细.xlsx", amounts=(3000000, 1500000, 2000000, 800000, 1000000), prefix: str = "HT") -> Path:
    """A clean 放款明细 with one loan per amount (contract numbers HT-001 …)."""
    rows = [LOAN_HEADER]
    for i, amount in enumerate(amounts):
        product = "流动资金贷款" if i == 3 else "知识价值信用贷款"
        rows.append([f"{prefix}-{i + 1:03d}", C[i], NAMES[i], "重庆农村商业银行", product, dt.date(2021, 3, 5 + i), dt.date(2022, 3, 4), amount, 4.35])
    return write_xlsx(tmp_path / name, rows, sheet="放款明细")


def loaded(ledger: Ledger, tmp_path: Path) -> Ledger:
    """The ledger with the registry (batch 1, entry 1) and five loans (batch 2, entry 2) imported."""
    for path in (registry(tmp_path), loans(tmp_path)):
        result = ledger.run("import", path)
        assert result.exit_code == 0, result.output
    return ledger


def big_loans_csv(path: Path, n: int) -> Path:
    """A 放款明细 CSV of n guided-lending loans to the enterprises of C (no programme caps involved)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(LOAN_HEADER)
        for i in range(n):
            k = i % len(C)
            w.writerow([f"BIG-{i:07d}", C[k], NAMES[k], "重庆银行", "流动资金贷款", "2021-03-05", "2022-03-04", 100000 + i, 4.35])
    return path


def cli(db: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """`python -m ledger --db DB ARGS…` in its own process, output captured as text."""
    return subprocess.run([sys.executable, "-m", "ledger", "--db", str(db), *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=env(), **kwargs)


def popen(db: Path, *args: str, **kwargs) -> subprocess.Popen:
    """`python -m ledger --db DB ARGS…` started in its own process, not waited for."""
    return subprocess.Popen(
        [sys.executable, "-m", "ledger", "--db", str(db), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env(),
        **kwargs,
    )


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def state(ledger: Ledger) -> tuple:
    """What a refused or killed write must leave unchanged: journal, batches, rows, voids."""
    return ledger.sql(
        "SELECT (SELECT count(*) FROM journal), (SELECT max(entry_hash) FROM journal WHERE seq = (SELECT max(seq) FROM journal)), "
        "(SELECT count(*) FROM import_batches), (SELECT count(*) FROM loans), (SELECT count(*) FROM enterprises), (SELECT count(*) FROM voids)"
    )[0]


@contextlib.contextmanager
def small_disk(tmp_path: Path, size: str = "16m"):
    """A real, small tmpfs mounted under tmp_path for the block (needs root; the test is skipped where mounting is not allowed)."""
    import pytest

    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs is not allowed here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def fill(disk: Path, leave: int) -> Path:
    """A file taking all of `disk`'s free space but `leave` bytes; remove it to free the space."""
    filler = disk / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * (shutil.disk_usage(disk).free - leave))
    return filler


def file_size_limit(limit: int):
    """A `preexec_fn` for `cli`: no file of the process may grow past `limit` bytes (`ulimit -f`).

    SIGXFSZ is ignored, so a write past the limit fails with EFBIG instead of killing the process.
    """
    import resource
    import signal

    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return apply
