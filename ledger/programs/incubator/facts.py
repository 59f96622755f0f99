"""孵化载体补助 as the audit reads it: payments and recognitions with their evidence, and what the policy allowed.

`Payment` and `Recognition` are the stored rows with their `Source` (file, sheet, row, sha256);
`Carriers` indexes the recognitions by carrier; `basis` works out the amount the policy version
in force on a payment's date sets for it, with the parameters it comes from.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ...money import yuan
from ..evidence import Source
from .vocabulary import (
    GROUND_LEVEL,
    INCUBATOR,
    MATCH,
    PERFORMANCE,
    SECTION,
    item_label,
    name_key,
)


@dataclass(frozen=True)
class Payment:
    """One subsidy payment as stored (补助拨付)."""

    id: int
    payment_no: str
    operator_code: str
    carrier_name: str
    item: str
    programme: str
    category: str | None
    amount: Decimal
    paid_on: dt.date
    basis_doc: str | None
    matter: str | None
    matter_code: str | None
    source: Source

    @property
    def label(self) -> str:
        return item_label(self.programme, self.category)

    @property
    def order(self) -> tuple:
        """Payments of one carrier are taken in date order, then in the order they were imported."""
        return (self.paid_on, self.id)


@dataclass(frozen=True)
class Recognition:
    """One recognition of a carrier as stored (孵化载体认定)."""

    carrier_name: str
    operator_code: str
    carrier_type: str
    level: str
    recognized_on: dt.date
    doc_no: str
    source: Source

    def __str__(self) -> str:
        return f"{self.level}{self.carrier_type}认定({self.doc_no},{self.recognized_on:%Y-%m-%d})"


class Carriers(list):
    """The recognitions, indexed: each carrier's recognitions by name, in date order.

    It is the recognitions list itself, so `judge` builds it once and hands it to every rule
    as their `recognitions`; a rule given a plain list indexes it with `carriers_of`.
    """

    def __init__(self, recognitions: Iterable[Recognition]):
        super().__init__(recognitions)
        self.by_name: dict[str, list[Recognition]] = defaultdict(list)
        for r in sorted(self, key=lambda r: (r.recognized_on, r.level)):
            self.by_name[name_key(r.carrier_name)].append(r)
        self._bases: dict[tuple[int, int], Basis] = {}

    def of(self, p: Payment) -> list[Recognition]:
        return self.by_name.get(name_key(p.carrier_name), [])

    def standing(self, p: Payment, level: str | None = None) -> list[Recognition]:
        """Recognitions in force on the payment date (of one level, if given)."""
        return [r for r in self.of(p) if r.recognized_on <= p.paid_on and (level is None or r.level == level)]

    def basis(self, p: Payment, policy) -> Basis:
        """`basis` of a payment under `policy`, worked out once: several rules and the verdict ask for it."""
        key = (p.id, id(policy))
        if key not in self._bases:
            self._bases[key] = _basis(p, self, policy)
        return self._bases[key]


def carriers_of(recognitions: Iterable[Recognition]) -> Carriers:
    """The recognitions indexed by carrier; the same object when they already are."""
    return recognitions if isinstance(recognitions, Carriers) else Carriers(recognitions)


def version_ref(version) -> str:
    """How a finding cites a whole policy version when no single parameter is at stake."""
    return f"{version.section}({version.since},{version.source})"


def _cite(version, name: str) -> str:
    return version.cite(name) if version is not None and name in version.params else ""


def cite_category(version, category: str) -> str:
    awards = version.params.get("performance_awards", {})
    if category not in awards:
        return f"{version.section}.performance_awards(未列「{category}」)({version.since})"
    return f"{version.section}.performance_awards.{category}={awards[category]}({version.since})"


def in_force(policy, p: Payment):
    return policy.in_force(SECTION, p.paid_on)


def grounding(p: Payment, carriers: Carriers) -> Recognition | None:
    """The recognition a payment rests on.

    能力建设补助: the carrier's 市级 recognition; 国家级配套补助: its 国家级 recognition;
    绩效奖励: the latest recognition standing on the payment date. Earliest first within a level;
    a recognition after the payment date only when there is none before it.
    """
    recs = carriers.of(p)
    if not recs:
        return None
    level = GROUND_LEVEL.get(p.programme)
    if level is None:
        standing = carriers.standing(p)
        return standing[-1] if standing else recs[0]
    of_level = [r for r in recs if r.level == level]
    before = [r for r in of_level if r.recognized_on <= p.paid_on]
    return (before or of_level or [None])[0]


@dataclass(frozen=True)
class Basis:
    """What the policy in force allowed for a payment: the amount, the parameters it comes from."""

    expected: Decimal | None
    parameters: tuple[str, ...]
    recognition: Recognition | None
    version: object | None
    why_none: str = ""  # when there is no expected amount and the policy is the reason


def basis(p: Payment, carriers: Carriers, policy) -> Basis:
    """The amount the version in force on the payment date sets for this payment, and its citation.

    One-time awards take the municipal amount of the carrier's type (times national_match_ratio
    for the national match); a performance award takes its category's amount.
    """
    return carriers.basis(p, policy)


def _basis(p: Payment, carriers: Carriers, policy) -> Basis:
    version = in_force(policy, p)
    rec = grounding(p, carriers)
    if version is None:
        return Basis(None, (), rec, None)
    if p.programme == PERFORMANCE:
        awards = version.params.get("performance_awards", {})
        cite = cite_category(version, p.category or "")
        if p.category not in awards:
            return Basis(None, (cite,), rec, version, f"拨付日有效的政策未规定「{p.category}」类绩效奖励的金额")
        return Basis(yuan(Decimal(str(awards[p.category]))), (cite,), rec, version)
    kind_rec = rec or (carriers.of(p) or [None])[0]
    if kind_rec is None:
        return Basis(None, (), None, version)
    name = "municipal_incubator_award" if kind_rec.carrier_type == INCUBATOR else "municipal_maker_space_award"
    if name not in version.params:
        return Basis(None, (), rec, version, f"拨付日有效的政策未规定 {version.section}.{name}")
    amount = version.money(name)
    cites = [version.cite(name)]
    if p.programme == MATCH:
        if "national_match_ratio" not in version.params:
            return Basis(None, tuple(cites), rec, version, f"拨付日有效的政策未规定 {version.section}.national_match_ratio")
        amount *= version.money("national_match_ratio")
        cites.append(version.cite("national_match_ratio"))
    return Basis(yuan(amount), tuple(cites), rec, version)


def yuan_text(value: Decimal) -> str:
    return f"{yuan(value):,.2f}元"
