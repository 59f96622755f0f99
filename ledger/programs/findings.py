"""What a ledger-wide programme rule returns: findings that point at stored rows.

The contract every programme rule follows, at import time and at audit time alike (like
beancount's `check(entries, options_map) -> errors`):

    rule(facts: Facts, policy: Policy) -> list[Finding]

A rule reads the live facts of the whole ledger through `facts.con` (the `v_*` views: voided
rows left out; when a report runs `--known-at`, the views show the ledger as it stood then) and
judges them by the policy version in force on each fact's date. It never reads the environment,
never prints and never raises a usage error: a missing policy version is itself a finding.

A finding names the row it judges (`table`, `row_id`) and the column it is about (`field`), so
that an import can turn it into a warning at the cell (`放款明细.xlsx!H68`) and an audit can show
its evidence (file, sheet, row, sha256) from the row's batch. `related` names the other rows
that take part (the earlier loans of an enterprise over its cap, the claim of a recovery).
An import's warnings are the findings that involve one of its rows, so the verdicts never depend
on the order in which files came in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from ..policy import Policy


@dataclass(frozen=True)
class Facts:
    """The ledger as a rule sees it.

    `con` reads the live `v_*` views. `as_of`, when given, is the business date: facts dated
    after it are left out. `batch_id`, when given, is the import being added: a rule may limit
    its work to findings that involve that batch's rows (an optimisation only; the findings it
    returns must be exactly the whole-ledger findings that involve the batch).
    """

    con: "duckdb.DuckDBPyConnection"
    as_of: dt.date | None = None
    batch_id: int | None = None


@dataclass(frozen=True)
class Finding:
    """One thing a rule found about one stored row."""

    rule: str  # the rule's name, e.g. "enterprise_cap"
    table: str  # the fact table of the row judged: "loans", "claims", "subsidies", …
    row_id: int  # that row's id
    field: str  # the column the finding is about (its name in the table), for the cell
    message: str  # plain Chinese, naming the row as a person reads it
    hint: str = ""
    cites: tuple[str, ...] = ()  # parameters in force: "risk_fund.fund_share=0.8(2017-01-01起)"
    source: str = ""  # the public document the parameters come from (the policy version's source)
    excess: Decimal | None = None  # amount (元) beyond what the policy allows, where the rule can say
    related: tuple[tuple[str, int], ...] = field(default_factory=tuple)  # other (table, row_id) involved

    def rows(self) -> tuple[tuple[str, int], ...]:
        """Every stored row the finding involves: the judged row first."""
        return ((self.table, self.row_id), *self.related)


Rule = Callable[[Facts, "Policy"], "list[Finding]"]
