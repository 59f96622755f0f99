"""Damaged or foreign ledger files: every command exits 3 with a Chinese message naming the file and what to do.

The damage is real: a ledger cut short (as by an interrupted copy), random bytes, a text
file, a spreadsheet, an empty file, another program's DuckDB database, a `.wal` of another
ledger beside the file, a directory given as --db, and a ledger whose blocks are
overwritten (caught by DuckDB's checksums only when a query reads them).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from trust_support import loaded, loans

from conftest import Ledger

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "imports" / "samples" / "企业名录.xlsx"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A real ledger with a registry and five loans (batches 1 and 2)."""
    tmp = tmp_path_factory.mktemp("good")
    led = Ledger(tmp / "good.duckdb")
    assert led.run("init").exit_code == 0
    loaded(led, tmp)
    return led.path


def _cut(good: Path, db: Path) -> None:
    data = good.read_bytes()
    db.write_bytes(data[: len(data) // 2 + 1000])  # ends inside a block, as an interrupted copy does


def _random(good: Path, db: Path) -> None:
    db.write_bytes(os.urandom(300_000))


def _text(good: Path, db: Path) -> None:
    db.write_text("这不是账本\nhello\n", encoding="utf-8")


def _xlsx(good: Path, db: Path) -> None:
    shutil.copy(SAMPLE, db)


def _empty(good: Path, db: Path) -> None:
    db.write_bytes(b"")


def _other_program(good: Path, db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE orders (id INTEGER, amount DECIMAL(18,2))")
        con.execute("INSERT INTO orders VALUES (1, 9.99)")


def _foreign_wal(good: Path, db: Path) -> None:
    """The ledger, beside the `.wal` of another ledger (one with committed, unmerged changes)."""
    shutil.copy(good, db)
    other = db.with_name("other.duckdb")
    assert Ledger(other).run("init").exit_code == 0
    with duckdb.connect(str(other)) as con:
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        con.execute("INSERT INTO meta VALUES ('x', 'y')")
    shutil.move(other.with_name("other.duckdb.wal"), db.with_name(db.name + ".wal"))


def _directory(good: Path, db: Path) -> None:
    db.mkdir()


DAMAGE = {
    "cut_short": _cut,
    "random_bytes": _random,
    "text_file": _text,
    "xlsx_file": _xlsx,
    "empty_file": _empty,
    "other_duckdb": _other_program,
    "foreign_wal": _foreign_wal,
    "directory": _directory,
}

COMMANDS = {
    "import": lambda tmp: ("import", loans(tmp, "新放款.xlsx", prefix="NEW")),
    "void": lambda tmp: ("void", "2", "--reason", "测试"),
    "report summary": lambda tmp: ("report", "summary"),
    "report brief": lambda tmp: ("report", "brief"),
    "report fund": lambda tmp: ("report", "fund"),
    "report leverage": lambda tmp: ("report", "leverage"),
    "report outstanding": lambda tmp: ("report", "outstanding", "--by", "loan"),
    "report targets": lambda tmp: ("report", "targets"),
    "audit subsidies": lambda tmp: ("audit", "subsidies"),
    "audit claims": lambda tmp: ("audit", "claims"),
    "log": lambda tmp: ("log",),
    "verify": lambda tmp: ("verify",),
    "backup": lambda tmp: ("backup", tmp / "备份.duckdb"),
    "export": lambda tmp: ("export", "--xlsx", tmp / "导出.xlsx"),
}

ENGLISH = ("Error", "Errno", "IO ", "Traceback", "Exception", "_duckdb", "not a valid")


def _told(result, db: Path) -> None:
    assert result.exit_code == 3, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # no traceback, no crash
    err = result.stderr
    assert err.startswith("错误: ") and str(db) in err, err
    assert "提示: " in err and ("备份" in err or "--db" in err or ".wal" in err), err
    assert not any(word in err for word in ENGLISH), err


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_every_command_refuses_a_damaged_or_foreign_ledger_with_exit_3(good, tmp_path, damage, command):
    db = tmp_path / "ledger.duckdb"
    DAMAGE[damage](good, db)
    result = Ledger(db).run(*COMMANDS[command](tmp_path))
    _told(result, db)
    assert not (tmp_path / "备份.duckdb").exists() and not (tmp_path / "导出.xlsx").exists()


@pytest.mark.parametrize("damage", ["cut_short", "foreign_wal", "random_bytes"])
def test_the_library_words_go_to_the_json_detail_only(good, tmp_path, damage):
    db = tmp_path / "ledger.duckdb"
    DAMAGE[damage](good, db)
    result = Ledger(db).run("log", "--json")
    assert result.exit_code == 3 and result.stdout == ""
    told = json.loads(result.stderr)
    assert str(db) in told["error"] and told["hint"] and told["exit_code"] == 3
    assert not any(word in told["error"] + told["hint"] for word in ENGLISH)
    if damage == "foreign_wal":
        assert "WAL" in told["detail"]  # DuckDB's own words, for whoever investigates


def test_a_foreign_wal_is_named_and_not_to_be_deleted(good, tmp_path):
    db = tmp_path / "ledger.duckdb"
    _foreign_wal(good, db)
    err = Ledger(db).run("report", "summary").stderr
    assert f"{db}.wal 不属于账本文件 {db}" in err and "请勿删除" in err
    assert db.with_name(db.name + ".wal").exists()  # left where it was: it may hold another ledger's commits


def test_a_block_overwritten_inside_the_file_is_exit_3_when_a_command_reads_it(good, tmp_path):
    """Damage DuckDB finds by checksum at the first query that reads the block: exit 3, never a traceback."""
    db = tmp_path / "ledger.duckdb"
    shutil.copy(good, db)
    with duckdb.connect(str(db), read_only=True) as con:  # where the loans' contract numbers are stored
        block, offset = con.execute(
            "SELECT block_id, block_offset FROM pragma_storage_info('loans') WHERE column_name = 'contract_no' AND block_id >= 0 LIMIT 1"
        ).fetchone()
    with open(db, "r+b") as f:
        f.seek(4096 * 3 + block * 262144 + 8 + offset)  # past the block's checksum, into its data
        f.write(b"\xff" * 64)
    damaged = 0
    for command in ("report outstanding", "log", "report summary", "verify", "void", "import"):
        result = Ledger(db).run(*COMMANDS[command](tmp_path))
        assert result.exception is None or isinstance(result.exception, SystemExit), (command, repr(result.exception))
        if result.exit_code != 0 and command == "verify":
            assert result.exit_code == 3 and "核验失败" in result.stderr and "数据块已损坏" in result.stderr, result.stderr
            assert not any(word in result.stderr for word in ENGLISH), result.stderr
        elif result.exit_code != 0:
            _told(result, db)
            damaged += 1
    assert damaged >= 2, "the overwritten block was not read"


def test_a_sound_ledger_still_opens_after_duckdb_trimmed_its_free_blocks(tmp_path, ledger: Ledger):
    """A file shorter than its header's block count, but ending on a block boundary, is sound."""
    loaded(ledger, tmp_path)
    assert ledger.run("void", "2", "--reason", "更正").exit_code == 0
    with duckdb.connect(str(ledger.path)) as con:  # a big table dropped: DuckDB frees its blocks at the end
        con.execute("CREATE TABLE scratch AS SELECT range AS i, repeat('x', 100) AS t FROM range(200000)")
    with duckdb.connect(str(ledger.path)) as con:
        con.execute("DROP TABLE scratch")
    result = ledger.run("verify")
    assert result.exit_code == 0, result.output


def test_a_ledger_or_a_backup_cannot_be_made_where_a_file_stands_in_for_a_directory(good, tmp_path):
    """Chinese, exit 2, no traceback (was: FileExistsError / NotADirectoryError tracebacks)."""
    blocker = tmp_path / "不是目录"
    blocker.write_text("x", encoding="utf-8")
    made = Ledger(blocker / "ledger.duckdb").run("init")
    assert made.exit_code == 2 and isinstance(made.exception, SystemExit), made.output
    assert f"无法在此处创建账本: {blocker / 'ledger.duckdb'}" in made.stderr and "Errno" not in made.stderr
    for args in (("backup", blocker / "备份.duckdb"), ("export", "--parquet", blocker / "导出")):
        result = Ledger(good).run(*args)
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
        assert f"目录不存在: {blocker}" in result.stderr


def test_json_errors_match_their_schema(good, tmp_path):
    """The error object of --json is `$defs/error` of schemas/json/defs.schema.json."""
    from json_schemas import validate_def

    db = tmp_path / "ledger.duckdb"
    _cut(good, db)
    bad_policy = tmp_path / "政策.toml"
    bad_policy.write_bytes(b"[[risk_fund]]\nfund_share = \n")
    for result in (
        Ledger(db).run("report", "summary", "--json"),
        Ledger(good).run("report", "fund", "--json", "--policy", bad_policy),
        Ledger(tmp_path / "没有.duckdb").run("log", "--json"),
    ):
        assert result.exit_code in (2, 3) and result.stdout == ""
        validate_def("error", json.loads(result.stderr))
