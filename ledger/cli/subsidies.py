"""Commands of incubator subsidies: `audit subsidies`, and how every `audit` command hands its result over."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import KnownAt, app, db_path, friendly, open_reader, with_basis

audit_app = typer.Typer(help="审计 (audits): subsidies 孵化载体补助合规性、claims 风险补偿合规性", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("subsidies")
@friendly
def audit_subsidies(
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 (金额为元)")] = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="写出审计底稿 Excel (one row per payment, with evidence)")] = None,
    policy_file: Annotated[Optional[Path], typer.Option("--policy", help="政策文件 (TOML);默认 $LEDGER_POLICY 或内置默认政策")] = None,
    fail_on_findings: Annotated[bool, typer.Option("--fail-on-findings", help="有不合规拨付时退出码为1 (for scripted checks)")] = False,
    known_at: KnownAt = None,
) -> None:
    """孵化载体补助逐笔合规审计 (judge every subsidy paid by the policy in force on its date; read-only)."""
    import datetime as dt

    from ..policy import load_policy
    from ..reports.gaps import missing_facts, missing_section
    from ..reports.subsidy_audit import subsidy_audit, write_xlsx

    policy = load_policy(policy_file, ("incubator",))
    with open_reader(known_at) as store:
        audit = subsidy_audit(store.con, policy)
        notes = missing_facts(store.con, ("subsidies", "carriers"), dt.date.max)
        if not policy.versions("incubator"):
            notes += missing_section(policy, "incubator", dt.date.today())
        basis = store.basis(None)
    from ..reports.subsidy_audit_render import print_audit

    deliver(audit, as_json, xlsx, write_xlsx, print_audit, fail_on_findings, basis, notes)


def deliver(audit, as_json: bool, xlsx: Path | None, write_xlsx, print_audit, fail_on_findings: bool, basis, notes=None) -> None:
    """Hand an audit to the user, as every `audit` command does: the workbook if asked, then JSON or the terminal.

    Each states its basis (`known_at.Basis`: business date, journal entry and its hash).

    Exit 1 with --fail-on-findings when anything was not allowed; a workbook that cannot be
    written is a usage error (exit 2) naming the path. `notes` (reports.gaps) say what the
    ledger lacks: printed after the audit, and as `"notes"` in its JSON.
    """
    from ..errors import UsageError, os_words
    from ..reports import render
    from ..reports.gaps import print_notes, with_notes

    if xlsx is not None:
        try:
            write_xlsx(audit, xlsx, str(db_path()), basis.words())
        except OSError as exc:
            raise UsageError(f"无法写出审计底稿 {xlsx}: {os_words(exc)}", "请检查路径是否可写,以及文件是否正被 Excel 打开。", detail=str(exc)) from None
    if as_json:
        render.print_json(with_basis(with_notes(audit.to_json(), notes) if notes is not None else audit.to_json(), basis))
    else:
        out = render.console()
        print_audit(audit, out)
        print_notes(out, notes or [])
        out.print(basis.words(), soft_wrap=True)
        if xlsx is not None:
            out.print(f"已写出审计底稿: {xlsx}")
    if fail_on_findings and audit.total.ineligible:
        raise typer.Exit(1)
