"""孵化载体补助: carrier recognitions, subsidy payments, and the rules an auditor checks them by.

Import side: the `carriers` (孵化载体认定) and `subsidies` (补助拨付) kinds. Their free-text
columns are folded to a small controlled vocabulary when imported (载体类型, 级别, 补助项目),
and a value outside it refuses the file with the accepted spellings as the hint.

Audit side: each rule is a plain function `rule(payments, recognitions, policy) -> list[Finding]`,
beancount style. It judges every payment by the `[[incubator]]` policy version in force on the
payment's date, and each finding names the rule, the parameter in force that day
(`Version.cite`) and the evidence (the payment's and the recognition's file, sheet, row, sha256).
A payment with no finding is eligible.

The programme is split along its jobs: `vocabulary` (the stored spellings and how written
values fold to them), `import_hooks` (derive hooks and named import checks), `facts` (the
audit's payments, recognitions and what the policy allowed) and `rules` (the audit rules).
This package names what the importer and the subsidy audit use.
"""

from __future__ import annotations

from .facts import (
    Basis,
    Carriers,
    Payment,
    Recognition,
    Source,
    basis,
    carriers_of,
    grounding,
    version_ref,
)
from .import_hooks import IMPORT_RULES, KINDS
from .rules import RULE_TITLES, RULES, Finding, judge
from .vocabulary import (
    CATEGORY_WORDS,
    SECTION,
    classify_item,
    clean_name,
    item_label,
    name_key,
    performance_categories,
)

__all__ = [
    "Basis", "CATEGORY_WORDS", "Carriers", "Finding", "IMPORT_RULES", "KINDS", "Payment", "RULES", "RULE_TITLES", "Recognition",
    "SECTION", "Source", "basis", "carriers_of", "classify_item", "clean_name", "grounding", "item_label", "judge", "name_key",
    "performance_categories", "version_ref",
]
