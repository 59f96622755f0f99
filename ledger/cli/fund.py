"""Commands of the risk-compensation fund: `report fund`, `report leverage`, `report outstanding`, `audit claims`, `policy show`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..reports.gaps import with_notes
from . import KnownAt, app, friendly, open_reader, parse_day, report_app, with_basis
from .subsidies import audit_app, deliver

policy_app = typer.Typer(help="政策参数 (policy parameters): show 查看当前政策文件", no_args_is_help=True)
app.add_typer(policy_app, name="policy")

AsOf = Annotated[Optional[str], typer.Option("--as-of", help="截至日期,默认今天 (as of date)")]
AsJson = Annotated[bool, typer.Option("--json", help="以 JSON 输出 (金额为元)")]
PolicyFile = Annotated[Optional[Path], typer.Option("--policy", help="政策文件 (TOML);默认 $LEDGER_POLICY 或内置默认政策")]


def _policy(path: Path | None, needs: tuple[str, ...] = ()):
    from ..policy import load_policy

    return load_policy(path, needs)


@report_app.command("fund")
@friendly
def report_fund(as_of: AsOf = None, as_json: AsJson = False, policy_file: PolicyFile = None, known_at: KnownAt = None) -> None:
    """风险补偿基金情况 (fund capital, compensation, recoveries, balance, claims pending, bank loss ratios)."""
    from ..reports import render
    from ..reports.fund import fund_statement
    from ..reports.gaps import missing_facts, missing_section, print_notes

    day = parse_day(as_of, dt.date.today())
    policy = _policy(policy_file, ("risk_fund",))
    with open_reader(known_at) as store:
        s = fund_statement(store.con, day, policy)
        notes = missing_facts(store.con, ("contributions", "loans"), day) + missing_section(policy, "risk_fund", day)
        basis = store.basis(day)
    if as_json:
        render.print_json(with_basis(with_notes(s.to_json(), notes), basis))
        return
    from ..reports.fund_render import print_fund

    out = render.console()
    print_fund(s, out)
    print_notes(out, notes)
    out.print(basis.words(), soft_wrap=True)


@audit_app.command("claims")
@friendly
def audit_claims(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="截至日期:只审计此日及以前申请的补偿 (default: every claim)")] = None,
    as_json: AsJson = False,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="写出审计底稿 Excel (one row per claim, with evidence)")] = None,
    policy_file: PolicyFile = None,
    fail_on_findings: Annotated[bool, typer.Option("--fail-on-findings", help="有不合规补偿时退出码为1 (for scripted checks)")] = False,
    known_at: KnownAt = None,
) -> None:
    """风险补偿逐笔合规审计 (judge every compensation claim by the policy in force on its date; read-only)."""
    from ..reports.claim_audit import claim_audit, write_xlsx
    from ..reports.claim_audit_render import print_audit

    day = parse_day(as_of)
    policy = _policy(policy_file, ("risk_fund",))
    with open_reader(known_at) as store:
        audit = claim_audit(store.con, policy, day)
        basis = store.basis(day)
    deliver(audit, as_json, xlsx, write_xlsx, print_audit, fail_on_findings, basis)


@report_app.command("leverage")
@friendly
def report_leverage(as_of: AsOf = None, as_json: AsJson = False, known_at: KnownAt = None) -> None:
    """放大效应 (fund leverage, guided financing ratio, net fiscal cost per 万元 lent)."""
    from ..reports import render
    from ..reports.gaps import missing_facts, print_notes
    from ..reports.leverage import leverage

    day = parse_day(as_of, dt.date.today())
    with open_reader(known_at) as store:
        lev = leverage(store.con, day)
        notes = missing_facts(store.con, ("loans", "contributions"), day)
        basis = store.basis(day)
    if as_json:
        render.print_json(with_basis(with_notes(lev.to_json(), notes), basis))
        return
    from ..reports.fund_render import leverage_table

    out = render.console()
    out.print(leverage_table(lev))
    if notes:
        out.print("[dim]— 表示分母为零,该比值无从计算:[/]")
    print_notes(out, notes)
    out.print(basis.words(), soft_wrap=True)


@report_app.command("outstanding")
@friendly
def report_outstanding(
    as_of: AsOf = None,
    by: Annotated[str, typer.Option("--by", help="按 loan(贷款)/bank(银行)/enterprise(企业) 汇总")] = "bank",
    as_json: AsJson = False,
    known_at: KnownAt = None,
) -> None:
    """贷款余额 (outstanding programme principal = 放款 − 归还 − 核销, per loan, bank or enterprise)."""
    from ..errors import UsageError
    from ..reports import render
    from ..reports.outstanding import BY, outstanding

    if by not in BY:
        raise UsageError(f"无法按「{by}」汇总", f"--by 可选: {', '.join(BY)}")
    from ..reports.gaps import missing_facts, print_notes

    day = parse_day(as_of, dt.date.today())
    with open_reader(known_at) as store:
        o = outstanding(store.con, day, by)
        notes = missing_facts(store.con, ("loans",), day)
        basis = store.basis(day)
    if as_json:
        render.print_json(with_basis(with_notes(o.to_json(), notes), basis))
        return
    from ..reports.fund_render import outstanding_table

    out = render.console()
    out.print(outstanding_table(o))
    print_notes(out, notes)
    out.print(basis.words(), soft_wrap=True)


def _plain(value):
    """A policy parameter as JSON: dates as ISO strings, everything else as TOML gave it."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@policy_app.command("show")
@friendly
def policy_show(policy_file: PolicyFile = None, as_json: AsJson = False) -> None:
    """显示所用政策文件:名称、路径、sha256,及各节各版本的生效日期、来源与参数."""
    from ..reports import render

    policy = _policy(policy_file)
    sections = {
        name: [
            {
                "effective_from": v.effective_from.isoformat(),
                "effective_to": v.effective_to.isoformat() if v.effective_to else None,
                "source": v.source,
                "source_district": v.source_district or None,
                "params": _plain(v.params),
            }
            for v in versions
        ]
        for name, versions in policy.sections.items()
    }
    if as_json:
        render.print_json({"name": policy.name, "path": str(policy.path), "sha256": policy.sha256, "sections": sections})
        return
    from ..reports.fund_render import policy_tables

    out = render.console()
    out.print(f"政策文件: {policy.name}")
    out.print(f"各节来源区县: {policy.districts()}")
    out.print(f"路径: {policy.path}")
    out.print(f"sha256: {policy.sha256}")
    for table in policy_tables(policy):
        out.print(table)
