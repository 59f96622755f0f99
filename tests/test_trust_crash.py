"""Crash safety: an import killed with SIGKILL, or refused by a full disk, leaves the ledger as it was.

The import runs as a real `python -m ledger import` process over a 50,000-row sheet. DuckDB
commits through its write-ahead log: a transaction whose log record is incomplete is
discarded when the file is next opened, so a batch is either wholly in the ledger (with
its journal entry) or not at all, and `verify` passes either way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from trust_support import file_size_limit, big_loans_csv, cli, fill, loaded, popen, registry, small_disk, state

from conftest import Ledger

# SIGKILL and RLIMIT_FSIZE do not exist on Windows; the crash safety they show is DuckDB's own there too.
pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and resource limits")

ROWS = 50_000


@pytest.fixture
def led(ledger: Ledger, tmp_path) -> Ledger:
    return loaded(ledger, tmp_path)


def wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def test_sigkill_mid_import_leaves_no_row_of_the_batch(led: Ledger, tmp_path):
    big = big_loans_csv(tmp_path / "大文件.csv", ROWS)
    # how long this import takes here, measured on a backup of the same ledger
    scratch = tmp_path / "scratch.duckdb"
    assert cli(led.path, "backup", scratch).returncode == 0
    start = time.monotonic()
    assert cli(scratch, "import", big).returncode == 0
    expected = time.monotonic() - start
    assert expected > 1.0, f"the import must take long enough to be killed mid-way ({expected:.2f} s)"

    before = state(led)
    proc = popen(led.path, "import", big)
    start = time.monotonic()
    while time.monotonic() - start < expected / 2:
        assert proc.poll() is None, "the import ended before half its expected time"
        time.sleep(0.01)
    committing = wal(led.path).exists() and wal(led.path).stat().st_size > 0
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert not committing  # killed well before the commit began

    check = cli(led.path, "verify")
    assert check.returncode == 0, check.stderr
    assert state(led) == before
    assert led.sql("SELECT count(*) FROM loans WHERE contract_no LIKE 'BIG-%'") == [(0,)]
    assert led.sql("SELECT count(*) FROM import_batches WHERE file_name = '大文件.csv'") == [(0,)]

    again = cli(led.path, "import", big)
    assert again.returncode == 0, again.stderr
    assert led.sql("SELECT count(*) FROM loans WHERE contract_no LIKE 'BIG-%'") == [(ROWS,)]
    assert cli(led.path, "verify").returncode == 0


def test_sigkill_during_the_commit_is_all_or_nothing(led: Ledger, tmp_path):
    big = big_loans_csv(tmp_path / "大文件.csv", ROWS)
    before = state(led)
    proc = popen(led.path, "import", big)
    log = wal(led.path)
    while proc.poll() is None and not (log.exists() and log.stat().st_size > 0):
        time.sleep(0.0005)
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert killed, "the import finished before its commit could be observed"

    check = cli(led.path, "verify")
    assert check.returncode == 0, check.stderr
    rows = led.sql("SELECT count(*) FROM loans WHERE contract_no LIKE 'BIG-%'")[0][0]
    entries = led.sql("SELECT count(*) FROM journal")[0][0]
    assert (rows, entries) in {(0, before[0]), (ROWS, before[0] + 1)}
    if rows == 0:
        assert state(led) == before
        assert cli(led.path, "import", big).returncode == 0
        assert cli(led.path, "verify").returncode == 0


def _refused_for_space(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 3, result.stdout + result.stderr
    assert "写入账本失败,本次操作未写入任何数据" in result.stderr and "磁盘空间" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_write_past_the_file_size_limit_is_refused_and_changes_nothing(led: Ledger, tmp_path):
    big = big_loans_csv(tmp_path / "大文件.csv", ROWS)
    before = state(led)
    limit = 1 << 20  # no file may grow past 1 MiB; the import's log record needs megabytes
    _refused_for_space(cli(led.path, "import", big, preexec_fn=file_size_limit(limit)))
    assert cli(led.path, "verify").returncode == 0
    assert state(led) == before
    assert cli(led.path, "import", big).returncode == 0
    assert cli(led.path, "verify").returncode == 0


def test_a_full_disk_is_refused_and_changes_nothing(tmp_path):
    """The ledger on a small tmpfs that fills up (needs root; skipped where mounting is not allowed).

    Once the filler is gone the disk must hold the ledger, the import's log record and the
    merge of the two at once (a merge that does not fit is exit 3: test_files_durable).
    """
    with small_disk(tmp_path, "64m") as disk:
        db = disk / "ledger.duckdb"
        assert cli(db, "init").returncode == 0
        assert cli(db, "import", registry(tmp_path)).returncode == 0
        led = Ledger(db)
        before = state(led)
        big = big_loans_csv(tmp_path / "大文件.csv", ROWS)
        filler = fill(disk, 512 * 1024)  # leave half a megabyte
        _refused_for_space(cli(db, "import", big))
        assert cli(db, "verify").returncode == 0
        assert state(led) == before
        filler.unlink()
        assert cli(db, "import", big).returncode == 0
        assert cli(db, "verify").returncode == 0
        assert led.sql("SELECT count(*) FROM loans") == [(ROWS,)]


def test_a_failing_query_on_a_registered_frame_keeps_its_own_error(tmp_path):
    """After a query fails inside a transaction, DuckDB refuses even to unregister the frame: the error
    raised must still be the query's, which says what went wrong, not the refusal to clean up."""
    import duckdb
    import pandas as pd

    from ledger.store import registered

    con = duckdb.connect(str(tmp_path / "x.duckdb"))
    con.execute("BEGIN TRANSACTION")
    with pytest.raises(duckdb.ConversionException):
        with registered(con, "incoming", pd.DataFrame({"a": ["x"]})):
            con.execute("SELECT CAST(a AS INTEGER) FROM incoming").fetchall()
    con.execute("ROLLBACK")
    with registered(con, "incoming", pd.DataFrame({"a": ["7"]})):  # and on success it is gone afterwards
        assert con.execute("SELECT CAST(a AS INTEGER) FROM incoming").fetchall() == [(7,)]
    with pytest.raises(duckdb.CatalogException):
        con.execute("SELECT * FROM incoming")
    con.close()
