"""知识价值信用贷款: the enterprise registry, applications and bank disbursements.

A loan whose product (贷款品种) is 知识价值信用贷款 is the programme's own loan; any other
product a cooperating bank lends to an enterprise is counted as financing the programme
brought in (引导/撬动), which the district reports beside it.
"""

from __future__ import annotations

from ..problems import Problem
from . import ImportContext, KindHooks, PendingSheet

PROGRAMME_PRODUCT = "知识价值信用贷款"


def is_programme_product(product: str | None) -> bool:
    """Whether a 贷款品种 as banks write it ("知识价值信用贷款", "知识价值信用贷") is the programme's loan."""
    return bool(product) and "知识价值" in product


def _derive_loans(frame):
    frame["is_programme"] = frame["product"].map(is_programme_product).astype(bool)
    return frame


def _add_banks(con, batch_id: int) -> list[str]:
    """Register banks named for the first time in this batch's loans or applications."""
    con.execute(
        """
        INSERT INTO banks (name, batch_id)
        SELECT DISTINCT name, ? FROM (
            SELECT bank AS name FROM loans WHERE batch_id = ?
            UNION SELECT intended_bank FROM applications WHERE batch_id = ?
        ) WHERE name NOT IN (SELECT name FROM banks)
        """,
        [batch_id, batch_id, batch_id],
    )
    return ["banks"]


def enterprise_known(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """Every row's enterprise is in the registry already, or registered by this same import."""
    frame = sheet.frame
    known = ctx.known(frame["credit_code"], "enterprises", "credit_code", "enterprises")
    names = frame["enterprise_name"] if "enterprise_name" in frame else None
    return [
        sheet.problem(
            "credit_code",
            i,
            "unknown_enterprise",
            f"企业 {code}{f'({names[i]})' if names is not None and isinstance(names[i], str) else ''} 不在企业名录中,本次导入的文件里也没有它的名录行",
            "请先导入该企业的企业名录(统一社会信用代码、企业名称、所属区县),或在同一工作簿中加一张企业名录表。",
        )
        for i, code in enumerate(frame["credit_code"])
        if isinstance(code, str) and code not in known
    ]


# --- the 企业名称 on a row against the registry's name for its credit code ---------------------
# Names are compared as `importing.text.name_key` stores them (NFKC: （）and () alike, no
# invisible characters), and further without spaces and with 有限责任公司 read as 有限公司 (the
# same legal form, written both ways; 股份有限公司 stays a different one). The credit code is the
# identity: a name that differs beyond that is a warning naming both, not a refusal.

NAMED_TABLES = ("loans", "applications")  # the fact tables carrying a 企业名称 beside a credit code
_NAME_HINT = "请核对企业名称或统一社会信用代码是否填错;比较时已忽略括号的全角半角、空格,并视「有限责任公司」与「有限公司」相同。"


def same_name_key(name: str) -> str:
    """What two spellings of one enterprise's name have in common (see the comment above)."""
    from ..importing.text import name_key

    return name_key(name).replace(" ", "").replace("有限责任公司", "有限公司")


def _name_message(written: str, code: str, registered: str) -> str:
    return f"企业名称「{written}」与企业名录中统一社会信用代码 {code} 的名称「{registered}」不一致"


def _differing(pairs) -> list[int]:
    """Indices of (name, registered name) pairs that differ beyond spelling; each distinct pair judged once."""
    judged: dict = {}
    out = []
    for i, (name, registered) in enumerate(pairs):
        if name == registered or not isinstance(name, str) or not isinstance(registered, str):
            continue
        key = (name, registered)
        if key not in judged:
            judged[key] = same_name_key(name) != same_name_key(registered)
        if judged[key]:
            out.append(i)
    return out


def enterprise_name_mismatch(facts, policy) -> list:
    """Ledger-wide rule: every live loan or application whose 企业名称 differs from the registry's name.

    The `rule(facts, policy) -> list[Finding]` contract (programs/findings.py); `policy` is not
    used. With `facts.batch_id`, only that batch's rows are judged.
    """
    from .findings import Finding

    out = []
    for table in NAMED_TABLES:
        batch = f"AND t.batch_id = {int(facts.batch_id)}" if facts.batch_id is not None else ""
        rows = facts.con.execute(
            f"SELECT t.id, t.enterprise_name, t.credit_code, e.name, e.id FROM v_{table} t "
            f"JOIN v_enterprises e ON e.credit_code = t.credit_code WHERE t.enterprise_name IS DISTINCT FROM e.name {batch} ORDER BY t.id"
        ).fetchall()
        for i in _differing([(r[1], r[3]) for r in rows]):
            row_id, name, code, registered, enterprise = rows[i]
            message = _name_message(name, code, registered)
            out.append(Finding("enterprise_name_mismatch", table, row_id, "enterprise_name", message, _NAME_HINT, related=(("enterprises", enterprise),)))
    return out


def enterprise_name_matches(sheet: PendingSheet, ctx: ImportContext) -> list[Problem]:
    """Import rule: warn at the 企业名称 cell when it differs from the registry's name for the row's credit code.

    The registry is the ledger's, or this import's 企业名录 sheet for a code registered by it.
    """
    import pandas as pd

    from ..problems import WARNING
    from ..store import registered

    frame = sheet.frame
    codes = pd.DataFrame({"code": pd.Series(frame["credit_code"].dropna().unique(), dtype="object")})
    with registered(ctx.con, "named_codes", codes):
        names = dict(ctx.con.execute("SELECT credit_code, name FROM v_enterprises WHERE credit_code IN (SELECT code FROM named_codes)").fetchall())
    for other in ctx.pending_of("enterprises"):
        names.update(zip(other.frame["credit_code"], other.frame["name"]))
    stated = frame["credit_code"].map(names)
    written = frame["enterprise_name"]
    unequal = frame.index[(written != stated) & written.notna() & stated.notna()]  # most rows agree: judged at C speed
    pairs = list(zip(written[unequal], stated[unequal]))
    return [
        sheet.problem("enterprise_name", i, "enterprise_name_mismatch", _name_message(written[i], frame.at[i, "credit_code"], stated[i]), _NAME_HINT, severity=WARNING)
        for i in (unequal[j] for j in _differing(pairs))
    ]


KINDS = {
    "loans": KindHooks(derive=_derive_loans, after_load=_add_banks),
    "applications": KindHooks(after_load=_add_banks),
}

IMPORT_RULES = {"enterprise_known": enterprise_known, "registry_name": enterprise_name_matches}
LEDGER_RULES = {"enterprise_name_mismatch": enterprise_name_mismatch}
