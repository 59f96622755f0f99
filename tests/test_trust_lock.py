"""One writer at a time, many readers: a second process gets exit 3 and the holder's pid, never a traceback.

The other process is real: a Python process holding the ledger open through `Store.open`,
or `python -m ledger import` of a large file.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from trust_support import ROOT, big_loans_csv, env, loaded, loans, popen, state

from conftest import Ledger

HOLD = """
import sys
from pathlib import Path
from ledger.store import Store
store = Store.open(Path(sys.argv[1]), read_only=sys.argv[2] == "ro")
print("ready", flush=True)
sys.stdin.read()
"""


class Holder:
    """Another process holding the ledger open (read-write or read-only) until closed."""

    def __init__(self, path, mode: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(path), mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env()
        )
        assert self.proc.stdout.readline().strip() == "ready"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def close(self) -> None:
        self.proc.stdin.close()
        assert self.proc.wait(timeout=30) == 0


def holds_lock(pid: int, path: Path) -> bool:
    """Whether process `pid` holds a lock on the file (read from /proc/locks, without touching the file)."""
    inode = path.stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields:  # a waiter, not a holder
            continue
        if len(fields) >= 6 and fields[4] == str(pid) and fields[5].rsplit(":", 1)[-1] == str(inode):
            return True
    return False


@pytest.fixture
def led(ledger: Ledger, tmp_path) -> Ledger:
    return loaded(ledger, tmp_path)


def busy(result, pid: int) -> None:
    assert result.exit_code == 3, result.output
    assert f"账本正被其他进程使用(进程号 {pid})" in result.stderr
    assert "Traceback" not in result.output and "IO Error" not in result.output


def test_a_writer_in_another_process_keeps_writers_and_readers_out(led: Ledger, tmp_path):
    before = state(led)
    holder = Holder(led.path, "rw")
    try:
        busy(led.run("import", loans(tmp_path, "新放款.xlsx", prefix="NEW")), holder.pid)
        busy(led.run("void", "2", "--reason", "x"), holder.pid)
        for reader in (("verify",), ("report", "summary", "--json"), ("log",), ("backup", tmp_path / "b.duckdb"), ("export", "--parquet", tmp_path / "pq")):
            result = led.run(*reader)
            busy(result, holder.pid)
            assert "另一进程正在写入" in result.stderr
    finally:
        holder.close()
    assert state(led) == before
    assert not (tmp_path / "b.duckdb").exists() and not (tmp_path / "pq").exists()
    assert led.run("import", loans(tmp_path, "新放款.xlsx", prefix="NEW")).exit_code == 0


def test_readers_share_the_file_and_keep_writers_out(led: Ledger, tmp_path):
    holder = Holder(led.path, "ro")
    try:
        assert led.run("verify").exit_code == 0
        assert led.json("report", "summary", "--as-of", "2022-12-31")["loans"]["count"] == 4
        assert led.run("log").exit_code == 0
        assert led.run("export", "--parquet", tmp_path / "pq").exit_code == 0
        assert led.run("backup", tmp_path / "b.duckdb").exit_code == 0
        result = led.run("void", "2", "--reason", "x")
        busy(result, holder.pid)
        assert "同一时间只能有一个进程写入" in result.stderr
    finally:
        holder.close()


def test_a_second_import_while_a_large_import_runs(led: Ledger, tmp_path):
    big = big_loans_csv(tmp_path / "大文件.csv", 50_000)
    proc = popen(led.path, "import", big)
    try:
        deadline = time.monotonic() + 60
        while not holds_lock(proc.pid, led.path):  # watched from outside: a probing reader would itself block the import
            assert proc.poll() is None, f"the large import ended before it held the ledger: {proc.communicate()}"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        busy(led.run("verify"), proc.pid)
        busy(led.run("import", loans(tmp_path, "新放款.xlsx", prefix="NEW")), proc.pid)
    finally:
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert led.sql("SELECT count(*) FROM loans") == [(50_005,)]
    assert led.run("import", loans(tmp_path, "新放款.xlsx", prefix="NEW")).exit_code == 0
    assert led.run("verify").exit_code == 0
