"""What every audit holds and totals: how many payments (or claims), how much, how much had a finding, how much was beyond the policy.

Two totals say what they count: `amount_ineligible` is the whole amount of the payments with a
finding; `amount_excess` the part of it beyond what the policy allows (an amount above the
policy's figure counts the difference, a payment not allowed at all counts whole).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..money import json_yuan


@dataclass(frozen=True)
class Total:
    """The payments of one group (a 补助项目, a carrier, a bank) or of all."""

    name: str
    count: int
    amount: Decimal
    eligible: int
    ineligible: int
    amount_ineligible: Decimal  # the payments with a finding, whole
    amount_excess: Decimal  # what was paid beyond what the policy allows

    def to_json(self, counted: str) -> dict:
        """The JSON of the total, its count under `counted` ("payments", "claims")."""
        return {
            "name": self.name,
            counted: self.count,
            "amount": json_yuan(self.amount),
            "eligible": self.eligible,
            "ineligible": self.ineligible,
            "amount_ineligible": json_yuan(self.amount_ineligible),
            "amount_excess": json_yuan(self.amount_excess),
        }

    def row(self) -> list:
        """The total as a workbook row, in the order of the audits' total headers."""
        return [self.name, self.count, self.amount, self.eligible, self.ineligible, self.amount_ineligible, self.amount_excess]


@dataclass(frozen=True)
class Audit:
    """What every audit holds: the policy file it used, every verdict, the grand total."""

    policy_name: str
    policy_file: str
    policy_sha256: str
    verdicts: tuple
    total: Total

    @property
    def ineligible(self) -> list:
        """The verdicts with a finding."""
        return [v for v in self.verdicts if not v.eligible]

    def policy_json(self) -> dict:
        return {"name": self.policy_name, "file": self.policy_file, "sha256": self.policy_sha256}
