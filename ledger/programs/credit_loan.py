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


KINDS = {
    "loans": KindHooks(derive=_derive_loans, after_load=_add_banks),
    "applications": KindHooks(after_load=_add_banks),
}

IMPORT_RULES = {"enterprise_known": enterprise_known}
