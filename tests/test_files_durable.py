"""Durable means in the main file: a commit is merged (checkpointed) into the .duckdb, or the command says where it is.

DuckDB commits into `<file>.wal` and merges it into the file at a checkpoint. When the
merge fails (file-size limit, full disk) the change is still committed, but a copy of the
.duckdb alone lacks it: the command exits 3 naming the .wal, every later command (once
there is room) completes the merge, and `backup`/`export` include the change either way.
The commands run as real processes, under a real `RLIMIT_FSIZE` or on a real full tmpfs.
"""

from __future__ import annotations

import shutil
import subprocess

import duckdb
import pytest
from trust_support import file_size_limit, C, NAMES, cli, fill, loaded, registry, small_disk, state

from conftest import LOAN_HEADER, Ledger, write_xlsx


# No write may reach past 256 KiB into any file: room for a small log record in the new .wal,
# none for the merge, which writes blocks further into the ledger file (megabytes long).
LIMIT = 256 * 1024


def _wal(ledger: Ledger):
    return ledger.path.with_name(ledger.path.name + ".wal")


def _new_loans(tmp_path, n: int = 40):
    rows = [LOAN_HEADER] + [
        [f"WAL-{i:03d}", C[i % len(C)], NAMES[i % len(C)], "重庆银行", "流动资金贷款", "2021-04-01", "2022-03-31", 100000 + i, 4.35] for i in range(n)
    ]
    return write_xlsx(tmp_path / "新放款.xlsx", rows, sheet="放款明细")


def _alone(ledger: Ledger, tmp_path, query: str):
    """`query` on a copy of the .duckdb file without its .wal (what a user's `cp ledger.duckdb` keeps)."""
    copy = tmp_path / "单独复制.duckdb"
    copy.unlink(missing_ok=True)
    shutil.copy(ledger.path, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        return con.execute(query).fetchall()


def _told_it_is_in_the_wal(result: subprocess.CompletedProcess, ledger: Ledger) -> None:
    assert result.returncode == 3, result.stdout + result.stderr
    wal = _wal(ledger)
    assert f"已提交的更改目前保存在 {wal} 中" in result.stderr, result.stderr
    assert f"切勿删除 {wal.name}" in result.stderr and "不要把它与账本文件分开" in result.stderr
    assert "腾出磁盘空间" in result.stderr and "任意 ledger 命令" in result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr


@pytest.fixture
def held_in_wal(ledger: Ledger, tmp_path) -> Ledger:
    """A ledger whose last import is committed but, under a file-size limit, only in its .wal."""
    loaded(ledger, tmp_path)
    before = state(ledger)
    limit = LIMIT
    result = cli(ledger.path, "import", _new_loans(tmp_path), preexec_fn=file_size_limit(limit))
    _told_it_is_in_the_wal(result, ledger)
    assert "已导入 新放款.xlsx" in result.stdout  # what was committed is still shown
    assert _wal(ledger).stat().st_size > 0
    assert _alone(ledger, tmp_path, "SELECT count(*) FROM journal") == [(before[0],)]  # the file alone lacks it
    return ledger


def test_an_import_whose_merge_fails_exits_3_and_any_later_command_completes_it(held_in_wal: Ledger, tmp_path):
    led = held_in_wal
    report = cli(led.path, "report", "summary", "--json")  # no limit now: a reading command merges
    assert report.returncode == 0, report.stderr
    assert not _wal(led).exists() or _wal(led).stat().st_size == 0
    assert _alone(led, tmp_path, "SELECT count(*) FROM loans WHERE contract_no LIKE 'WAL-%'") == [(40,)]
    assert cli(led.path, "verify").returncode == 0


def test_a_backup_and_an_export_taken_while_the_wal_holds_a_commit_contain_it(held_in_wal: Ledger, tmp_path):
    led = held_in_wal
    # --read-only: the ledger file is not touched, so the change is still only in the .wal
    read = cli(led.path, "--read-only", "log")
    assert read.returncode == 0 and "尚未并入账本文件" in read.stderr and str(_wal(led)) in read.stderr
    assert "新放款.xlsx" in read.stdout
    copy = tmp_path / "备份.duckdb"
    made = cli(led.path, "--read-only", "backup", copy)
    assert made.returncode == 0, made.stderr
    assert _wal(led).stat().st_size > 0  # still unmerged: the backup read it from the .wal
    assert not copy.with_name(copy.name + ".wal").exists()
    backup = Ledger(copy)
    assert backup.sql("SELECT count(*) FROM loans WHERE contract_no LIKE 'WAL-%'") == [(40,)]
    assert cli(copy, "verify").returncode == 0
    out = tmp_path / "导出"
    exported = cli(led.path, "--read-only", "export", "--parquet", out)
    assert exported.returncode == 0, exported.stderr
    with duckdb.connect() as con:
        assert con.execute(f"SELECT count(*) FROM '{out / 'loans.parquet'}' WHERE contract_no LIKE 'WAL-%'").fetchall() == [(40,)]


def test_a_void_whose_merge_fails_exits_3_and_is_kept(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    result = cli(ledger.path, "void", "2", "--reason", "银行更正", preexec_fn=file_size_limit(LIMIT))
    _told_it_is_in_the_wal(result, ledger)
    assert "已作废 批次 2" in result.stdout
    assert cli(ledger.path, "verify").returncode == 0  # merges, then verifies
    assert _alone(ledger, tmp_path, "SELECT count(*) FROM voids") == [(1,)]


def test_a_commit_on_a_full_disk_is_kept_in_the_wal_and_merged_once_there_is_room(tmp_path):
    """The ledger on a small tmpfs filled up after the log record fits (needs root; skipped where mounting is not allowed)."""
    with small_disk(tmp_path) as disk:
        led = Ledger(disk / "ledger.duckdb")
        assert cli(led.path, "init").returncode == 0
        assert cli(led.path, "import", registry(tmp_path)).returncode == 0
        filler = fill(disk, 64 * 1024)  # room for the log record only
        result = cli(led.path, "import", _new_loans(tmp_path))
        if result.returncode == 3 and "本次操作未写入任何数据" in result.stderr:
            pytest.skip("this tmpfs had no room even for the log record")
        _told_it_is_in_the_wal(result, led)
        filler.unlink()
        assert cli(led.path, "log").returncode == 0  # any command, once there is room
        assert not _wal(led).exists() or _wal(led).stat().st_size == 0
        assert _alone(led, tmp_path, "SELECT count(*) FROM loans WHERE contract_no LIKE 'WAL-%'") == [(40,)]
        assert cli(led.path, "verify").returncode == 0


def test_an_ordinary_import_leaves_nothing_in_the_wal(ledger: Ledger, tmp_path):
    loaded(ledger, tmp_path)
    assert not _wal(ledger).exists() or _wal(ledger).stat().st_size == 0
    assert _alone(ledger, tmp_path, "SELECT count(*) FROM loans") == [(5,)]
