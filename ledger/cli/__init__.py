"""The `ledger` command: parse arguments, call the library, render. No business rules here.

Heavy modules (pandas, pandera, the ORM) are imported inside the commands that need
them, so that `ledger --help` and the reports start fast. Commands of each area live in
a module of this package (`fund`, `subsidies`, `trust`, `meeting`), registered on `app`
and `report_app` when imported at the bottom of this file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import LedgerError, UsageError
from .help_layout import install as _help_layout
from .lean_params import install as _lean_params
from .usage import ChineseUsageGroup

_lean_params()  # plain option values without pydantic (start-up time, see lean_params)
_help_layout()  # no <bool> beside switches, descriptions whole (see help_layout)

app = typer.Typer(
    cls=ChineseUsageGroup,
    help="区县科技金融台账 ledger: 知识价值信用贷款、风险补偿基金、孵化载体补助的记账、报表与审计。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
report_app = typer.Typer(help="报表 (reports): summary 汇总、brief 简述、fund 基金、leverage 放大效应、outstanding 余额、targets 目标", no_args_is_help=True)
app.add_typer(report_app, name="report")


class State:
    db: Path | None = None
    read_only: bool = False


def db_path() -> Path:
    """The ledger file named by --db, else $LEDGER_DB, else ./ledger.duckdb."""
    from ..store import default_path

    return State.db or default_path()


@app.callback()
def _main(
    db: Annotated[Optional[Path], typer.Option("--db", help="账本文件 (ledger file); 默认 $LEDGER_DB 或 ./ledger.duckdb")] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="只读打开账本,拒绝任何写入 (for auditors)")] = False,
) -> None:
    State.db = db
    State.read_only = read_only


def friendly(fn):
    """Turn a LedgerError into its Chinese message on stderr and the contract's exit code.

    A DuckDB error that escapes a command means the ledger file could not be read (a
    damaged block): it is told as such, never as a traceback. With `--json` the error is
    one JSON object on stderr (`error`, `hint`, `exit_code`, and the library's own words
    in `detail`); stdout keeps nothing but a command's result.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except LedgerError as exc:
            tell(exc, kwargs.get("as_json", False))
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            if not type(exc).__module__.startswith(("duckdb", "_duckdb")):
                raise
            from ..ledger_file import read_failed

            damaged = read_failed(db_path(), exc)
            tell(damaged, kwargs.get("as_json", False))
            raise typer.Exit(damaged.exit_code) from None

    return wrapper


def tell(exc: LedgerError, as_json: bool = False) -> None:
    """Write an error for the user on stderr: `错误:`/`提示:` lines, or one JSON object under --json."""
    if as_json:
        import json

        obj = {"error": exc.message, "hint": exc.hint, "exit_code": exc.exit_code, "detail": exc.detail or None}
        sys.stderr.write(json.dumps(obj, ensure_ascii=False) + "\n")
        return
    sys.stderr.write(f"错误: {exc.message}\n")
    if exc.hint:
        sys.stderr.write(f"提示: {exc.hint}\n")


class _Unmerged:
    """A failed merge of a committed change into the ledger file, kept until the result is shown."""

    error = None

    def raise_if_any(self) -> None:
        if self.error is not None:
            raise self.error


@contextlib.contextmanager
def committing():
    """Around a write command's store: a `NotMerged` from closing it is kept, not raised at once.

    The change is committed (in the `.wal`), so the command first shows what it did, then
    calls `raise_if_any()`: the user sees the result and the exit-3 message saying where
    the change is and what to do.
    """
    from ..errors import NotMerged

    kept = _Unmerged()
    try:
        yield kept
    except NotMerged as exc:
        kept.error = exc


def parse_day(text: str | None, default: dt.date | None = None) -> dt.date | None:
    """A date option in any of the accepted spellings (2024-10-16, 2024/10/16, 2024年10月16日 …)."""
    if text is None:
        return default
    from ..importing.values import parse_dates

    (day,), bad = parse_dates([text])
    if bad or day is None:
        raise UsageError(f"无法识别的日期: {text}", "日期请写作 2024-10-16。")
    return day


def refuse_if_read_only() -> None:
    """A command that writes a ledger (init, demo, import, void) is refused under --read-only."""
    if State.read_only:
        raise UsageError("以 --read-only 只读方式打开账本时不能写入", "去掉 --read-only 后重试;报表、审计、核验、日志、备份与导出均可只读进行。")


def open_store(read_only: bool = False):
    """The ledger of --db; a reader merges committed changes left in the `.wal` (not under --read-only)."""
    from ..store import Store

    if not read_only:
        refuse_if_read_only()
    store = Store.open(db_path(), read_only=read_only, merge=not State.read_only)
    if store.pending_wal:
        from ..ledger_file import pending_note

        sys.stderr.write(pending_note(store.path) + "\n")
    return store


KnownAt = Annotated[
    Optional[str],
    typer.Option(
        "--known-at",
        help="按账本第 N 条日志或某一本地时间当时所知的数据出报表 (as known at journal entry N or a local date-time, e.g. 12 or \"2021-11-05 10:00\")",
    ),
]


def open_reader(known_at: str | None = None):
    """A read-only store, as known at `--known-at` when given: how every reading command opens the ledger."""
    store = open_store(read_only=True)
    try:
        return store.known_at(known_at)
    except BaseException:
        store.close()
        raise


def with_basis(obj: dict, basis) -> dict:
    """A report's JSON object with its `basis` ({as_of, entry, hash}) added."""
    obj["basis"] = basis.to_json()
    return obj


def closed_period_mark(store) -> int:
    """The journal's last entry before a write, to find the closed periods the write adjusts."""
    from .. import journal

    return journal.last(store.con)[0]


def closed_period_adjustments(store, before: int) -> list:
    """The closed periods the entries written after `before` adjust (以前期间调整), for the warning."""
    from ..reports.closes import adjusted_by

    return adjusted_by(store.con, before)


@app.command()
@friendly
def init() -> None:
    """创建新账本 (create a new, empty ledger file)."""
    from ..store import Store

    refuse_if_read_only()
    path = db_path()
    Store.create(path).close()
    typer.echo(f"已创建账本: {path}")


@app.command("import")
@friendly
def import_(
    file: Annotated[list[str], typer.Argument(help="银行或孵化器报送的表格 (.xlsx/.xls/.csv/.ods),可多个,可用通配符如 \"10月/*.xlsx\"")],
    kind: Annotated[Optional[str], typer.Option("--kind", help="导入类型,如 loans/放款明细;默认按表头识别")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="只导入此工作表")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验并报告将导入的内容,不写入")] = False,
    map_file: Annotated[Optional[Path], typer.Option("--map", help="银行表头映射文件 (TOML)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果")] = False,
    errors_out: Annotated[Optional[Path], typer.Option("--errors", help="有问题时写出标注了问题单元格的工作簿 (.xlsx),可退回银行;仅限单个文件")] = None,
    replaces: Annotated[
        Optional[list[str]], typer.Option("--replaces", help="重报: 同一事务中作废此批次(或 表:行号)并导入本文件,可重复;须写 --reason")
    ] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="重报原因 (与 --replaces 同用), 记入日志")] = None,
) -> None:
    """导入表格文件 (import spreadsheets: each file all or nothing; --replaces N --reason R for a resubmission)."""
    from ..importing.mappings import mapping_for
    from ..importing.paths import expand
    from ..importing.pipeline import import_file
    from ..importing.schema import kind as kind_spec
    from ..policy import load_policy
    from ..reports import render

    paths = expand(file)
    if kind:
        kind_spec(kind)
    if len(paths) > 1 and replaces:
        raise UsageError("--replaces 只能用于单个文件", "重报的文件请单独导入: ledger import 重报.xlsx --replaces 3 --reason \"…\"。")
    if len(paths) > 1 and errors_out is not None:
        raise UsageError(
            "--errors 只能用于单个文件",
            "先一起导入;被拒绝的文件再单独运行 `ledger import 文件 --errors 退回.xlsx`(汇总中会列出这条命令)。",
        )
    if reason is not None and not replaces:
        raise UsageError("--reason 须与 --replaces 同用", "重报: ledger import 重报.xlsx --replaces 3 --reason \"…\";作废用 `ledger void`。")
    if errors_out is not None:
        from ..importing.error_workbook import check_target, write_error_workbook

        check_target(paths[0], errors_out)
    mappings = [mapping_for(path, db_path(), map_file) for path in paths]
    results = []
    with committing() as unmerged:
        with open_store() as store:
            before = closed_period_mark(store)
            replacement = None
            policy = load_policy()
            if replaces:
                from ..importing.replace import resolve

                replacement = resolve(store.con, replaces, reason)
            for path, mapping in zip(paths, mappings):
                headers = mapping.headers if mapping else None
                results.append(import_file(store, path, kind=kind, sheet=sheet, dry_run=dry_run, mapping=headers, replacement=replacement, policy=policy))
            adjusts = closed_period_adjustments(store, before)
    marked = unwritten = None
    if errors_out is not None and results[0].problems:
        try:
            marked = write_error_workbook(paths[0], results[0].problems, errors_out)
        except UsageError as exc:  # the import itself stands; the user is told the workbook is missing
            unwritten = exc
    if as_json:
        objects = []
        for result, mapping in zip(results, mappings):
            data = render.import_json(result)
            data.update(mapping=str(mapping.path) if mapping else None, errors_workbook=str(marked) if marked else None)
            objects.append(data)
        adjusted = [a.to_json() for a in adjusts]
        if len(objects) == 1:
            objects[0]["closed_period_adjustments"] = adjusted
            render.print_json(objects[0])
        else:
            refused = sum(r.refused for r in results)
            render.print_json({"files": objects, "refused": refused, "imported": len(results) - refused, "closed_period_adjustments": adjusted})
    else:
        out = render.console()
        for n, (path, result, mapping) in enumerate(zip(paths, results, mappings), 1):
            if len(results) > 1:
                out.print(f"\n[bold]({n}/{len(results)}) {render.escaped(str(path))}[/]")
            if mapping:
                out.print(render.escaped(f"表头映射: {mapping.path}"))
            render.import_result(result, out)
        if len(results) > 1:
            render.import_summary(out, paths, results)
        for a in adjusts:
            typer.echo(a.words())
        if marked:
            typer.echo(f"问题清单及标注后的表格已写入: {marked}")
        elif errors_out is not None and unwritten is None:
            typer.echo(f"未发现任何问题,未生成 {errors_out}")
    if unwritten is not None:
        tell(unwritten, as_json)
    unmerged.raise_if_any()
    if any(r.refused for r in results):
        raise typer.Exit(1)
    if unwritten is not None:
        raise typer.Exit(unwritten.exit_code)


@app.command()
@friendly
def template(
    kind: Annotated[str, typer.Argument(help="导入类型,如 loans 或 放款明细")],
    out: Annotated[Optional[Path], typer.Option("--out", help="输出文件 (.xlsx),默认 <表名>模板.xlsx")] = None,
    force: Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖它 (overwrite an existing file)")] = False,
) -> None:
    """生成某类表格的填报模板 (write an import template for a kind)."""
    from ..importing.schema import kind as kind_spec
    from ..importing.template import write_template

    spec = kind_spec(kind)
    path = write_template(spec, out or Path(f"{spec.title}模板.xlsx"), force=force)
    typer.echo(f"已生成模板: {path}")


@app.command()
@friendly
def verify(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出: 日志条数、末条哈希、不一致之处")] = False,
    expect_head: Annotated[
        Optional[str], typer.Option("--expect-head", help="会议纪要等处记下的末条日志哈希(至少前 12 位);不同则退出码 3")
    ] = None,
) -> None:
    """核验账本日志链与数据 (verify the hash-chained journal against the stored rows; --expect-head HASH)."""
    from .. import journal
    from ..reports import render

    expected = journal.head_prefix(expect_head) if expect_head is not None else None
    with open_store(read_only=True) as store:
        breaks = journal.verify(store.con)
        count, head = journal.size(store.con), journal.head(store.con)
    differs = expected is not None and not head.startswith(expected)
    if as_json:
        render.print_json(
            {
                "ok": not breaks and not differs,
                "entries": count,
                "journal_head": head,
                "expected_head": expected,
                "head_matches": None if expected is None else not differs,
                "breaks": [{"seq": b.seq, "where": b.where, "what": b.what} for b in breaks],
            }
        )
    else:
        if breaks:
            first = breaks[0]
            sys.stderr.write(f"核验失败: {first.where}起不一致 — {first.what}\n")
            for b in breaks[1:]:
                sys.stderr.write(f"  {b.where}: {b.what}\n")
        if differs:
            sys.stderr.write(f"末条日志哈希不符: 应为 {expected}(纪要所记),实为 {head}\n")
            sys.stderr.write("提示: 账本在记下该哈希之后有新的导入或作废,或最新的日志连同其数据被删除;用 `ledger log` 查看此后的日志。\n")
        if not breaks:
            tail = f";与所记哈希 {expected} 相符" if expected is not None and not differs else ""
            typer.echo(f"核验通过: {count} 条日志,哈希链与数据一致。末条日志哈希 {head}{tail}")
    if breaks or differs:
        raise typer.Exit(3)


@app.command()
@friendly
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出汇总")] = False,
) -> None:
    """用内置样例数据建一个演示账本并打印汇总 (build a sample ledger and print its summary)."""
    from ..demo import build_demo
    from ..reports import render

    refuse_if_read_only()
    path, results, s, words = build_demo(State.db)
    if as_json:
        render.print_json(s.to_json())
        return
    out = render.console()
    out.print(f"演示账本: {path}")
    for r in results:
        render.import_result(r, out)
    out.print(render.summary_table(s))
    typer.echo("\n".join(words.paragraphs) + "\n")
    from ..demo import monthly_routine

    typer.echo("\n".join(monthly_routine(path, s.as_of)))


def console_safe(streams=None) -> None:
    """Printing never fails on a console that cannot show a character (a GBK console on Windows).

    Chinese prints on a GBK (cp936) console, but a bank's sheet may hold characters GBK
    lacks (𠮷, emoji, U+FFFD): such a character is shown as "?" instead of ending the command
    with UnicodeEncodeError. UTF-8 streams are left as they are.
    """
    for stream in streams or (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding in ("utf8", "utf8sig"):
            continue
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError, OSError):  # not a text stream we may reconfigure
            pass


def main() -> None:
    """Console-script entry point."""
    import os

    console_safe()
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    # Every store is closed by now. Skipping interpreter teardown spares users duckdb 2.0's
    # spurious "nanobind: leaked instances" report at exit (and a few ms). os._exit is the same
    # on Windows; the streams were flushed just above.
    os._exit(code)


from . import fund, history, meeting, rows, subsidies, trust  # noqa: E402,F401  (register their commands)
